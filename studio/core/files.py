"""File helpers shared by downloads, export, import and stills: checksums and durable
writes and renames."""

from __future__ import annotations

import hashlib
import os
import re
import stat
import uuid
from collections.abc import Callable
from pathlib import Path

CHUNK = 1 << 20
MAX_NAME_BYTES = 255  # one name in a folder, in UTF-8: the limit of ext4, NTFS, APFS
# A file is written as `.NAME.xxxxxxxx.part` beside its final NAME, then renamed: the dot,
# and the random tag with `.part`, are what a temporary name adds to NAME.
PART_EXTRA_BYTES = len(".") + len(".00000000.part")
PART_NAME = re.compile(r"\.(?P<name>.+)\.[0-9a-f]{8}\.part", re.DOTALL)


def part_path(dest: Path) -> Path:
    """Where `dest` is written before it is renamed into place: `.NAME.xxxxxxxx.part` beside
    it, within MAX_NAME_BYTES (NAME cut on a character boundary when it is too long; export
    names leave room, see studio/export/names.py)."""
    room = MAX_NAME_BYTES - PART_EXTRA_BYTES
    name = dest.name.encode()[:room].decode(errors="ignore")
    return dest.with_name(f".{name}.{uuid.uuid4().hex[:8]}.part")


def is_regular(path: Path) -> bool:
    """A regular file itself (not a link, a folder, a FIFO or a device); False if gone."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


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


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` as `path` so that `path` only ever exists whole: under a temporary
    name beside it, fsynced, renamed into place, the folder fsynced."""
    part = part_path(path)
    try:
        with part.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, path)
        fsync_dir(path.parent)
    finally:
        part.unlink(missing_ok=True)


class ChecksumMismatch(Exception):
    """A copy's bytes, read back, are not the ones expected (the source changed)."""


def copy_verified(
    source: Path, dest: Path, expected: str, *, on_chunk: Callable[[int], None] | None = None
) -> None:
    """Copy `source` to `dest` so that `dest` only ever exists complete and verified: under a
    temporary name beside it, fsynced, re-read and compared with `expected` (sha256), then
    renamed into place and the folder fsynced. `on_chunk(n)` hears each chunk written and
    may raise to stop; the temporary file is removed whatever happens."""
    part = part_path(dest)
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
