"""A take's thumbnail made from its own clip: for an imported clip, and for a provider that
gives none (OpenRouter's shape has no thumbnail variant). One rule for both: the first frame,
at most 320 pixels a side, as WebP — what the queue, the take list and the Library show."""

from __future__ import annotations

import os
from pathlib import Path

from studio.core.files import part_path
from studio.media.video import VideoError, frame_image

BOX = (320, 320)


def thumbnail_from_clip(video: Path, dest: Path) -> Path | None:
    """Write `dest` from the clip's first frame, under a temporary name renamed into place
    (so it is whole or absent). None when no frame decodes: the take is kept without one."""
    part = part_path(dest)
    try:
        image = frame_image(video, 0)
        image.thumbnail(BOX)
        with part.open("wb") as out:
            image.save(out, "WEBP", quality=80)
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, dest)
    except (VideoError, OSError, ValueError):
        part.unlink(missing_ok=True)
        return None
    return dest
