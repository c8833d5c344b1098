"""Save one content variant into the library: `.part`, fsync, verify, atomic rename.

A file under its final name is always complete and verified; a broken download leaves at
most a `.part`, which the next attempt truncates and `sweep_parts` removes at start-up.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import av

from studio.core.errors import StorageError, StudioError
from studio.core.files import fsync_dir
from studio.providers.base import Provider
from studio.providers.types import MAX_DOWNLOAD_BYTES, Variant
from studio.store.layout import job_folder

PART = ".part"
# What an image variant may be: Qt reads any of these by content, whatever the file is named.
IMAGE_SIGNATURES = {
    "WebP": (b"RIFF", b"WEBP"),
    "JPEG": (b"\xff\xd8\xff", b""),
    "PNG": (b"\x89PNG", b""),
}


class StorageFailed(StorageError):
    """The clip could not be written to the library (disk full, permissions)."""


class NotAVideo(StudioError):
    """The downloaded bytes are not what they claim: a playable MP4, or an image."""


@dataclass(frozen=True)
class Saved:
    path: Path
    sha256: str
    size: int
    duration: float | None


async def save_variant(
    provider: Provider,
    remote_id: str,
    variant: Variant,
    final: Path,
    *,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
) -> Saved:
    final.parent.mkdir(parents=True, exist_ok=True)
    part = final.with_name(final.name + PART)
    try:
        with open_part(part) as fh:
            await provider.download(remote_id, variant, fh, max_bytes=max_bytes)
            fh.flush()
            await asyncio.to_thread(os.fsync, fh.fileno())
        saved = await asyncio.to_thread(verify, part, variant)
        os.replace(part, final)
        await asyncio.to_thread(fsync_dir, final.parent)
    except OSError as err:
        part.unlink(missing_ok=True)
        raise StorageFailed(
            f"Could not save the {variant} to {final.parent}: {err.strerror or err}."
        ) from None
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return Saved(final, saved.sha256, saved.size, saved.duration)


def open_part(path: Path) -> IO[bytes]:
    """Where downloads are written (a seam for disk-full tests)."""
    return path.open("wb")


def verify(path: Path, variant: str) -> Saved:
    """Size, type (and for the video its duration) checked; sha256 computed."""
    size = path.stat().st_size
    if size == 0:
        raise NotAVideo(f"The downloaded {variant} is empty.")
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        head = fh.read(12)
        digest.update(head)
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    duration = None
    if variant == "video":
        if head[4:8] != b"ftyp":
            raise NotAVideo("The downloaded video is not an MP4 file.")
        duration = read_duration(path)
    elif image_kind(head) is None:
        raise NotAVideo(f"The downloaded {variant} is not a WebP, JPEG or PNG image.")
    return Saved(path, digest.hexdigest(), size, duration)


def image_kind(head: bytes) -> str | None:
    """The image type the first 12 bytes announce, if it is one we keep."""
    for kind, (start, at_eight) in IMAGE_SIGNATURES.items():
        if head.startswith(start) and head[8:12].startswith(at_eight):
            return kind
    return None


def read_duration(path: Path) -> float:
    try:
        with av.open(str(path)) as container:
            if container.duration is not None:
                return float(container.duration) / av.time_base
            stream = container.streams.video[0]
            if stream.duration is not None and stream.time_base is not None:
                return float(stream.duration * stream.time_base)
    except (av.FFmpegError, IndexError) as err:
        raise NotAVideo(f"The downloaded video cannot be read ({err}).") from None
    raise NotAVideo("The downloaded video has no readable duration.")


def sweep_parts(library: Path, keep: Iterable[int] = ()) -> int:
    """Remove `.part` files left by a crash, except in the folders of the jobs in `keep`
    (another live engine is downloading them); returns how many."""
    kept = {job_folder(library, job_id) for job_id in keep}
    count = 0
    for part in (library / "clips").glob(f"*/*{PART}"):
        if part.parent in kept:
            continue
        part.unlink(missing_ok=True)
        count += 1
    return count
