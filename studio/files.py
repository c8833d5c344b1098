"""File helpers shared by downloads, export and import: checksums and durable renames."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (where the platform allows opening folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ChecksumMismatch(Exception):
    """A copy's bytes, read back, are not the ones expected (the source changed)."""


def copy_verified(
    source: Path, dest: Path, expected: str, *, on_chunk: Callable[[int], None] | None = None
) -> None:
    """Copy `source` to `dest` so that `dest` only ever exists complete and verified: under a
    temporary name beside it, fsynced, re-read and compared with `expected` (sha256), then
    renamed into place and the folder fsynced. `on_chunk(n)` hears each chunk written and
    may raise to stop; the temporary file is removed whatever happens."""
    part = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with source.open("rb") as src, part.open("wb") as out:
            while chunk := src.read(CHUNK):
                out.write(chunk)
                if on_chunk is not None:
                    on_chunk(len(chunk))
            out.flush()
            os.fsync(out.fileno())
        if sha256_file(part) != expected:  # read back from the disk, not from memory
            raise ChecksumMismatch(f"{source.name} does not match its recorded sha256")
        os.replace(part, dest)
        fsync_dir(dest.parent)
    finally:
        part.unlink(missing_ok=True)
