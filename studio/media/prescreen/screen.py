"""Pre-screen one clip: decode it once, run every check, return its screening.

`screen_plain` is what a worker process runs (`pool.py`): paths and dataclasses in, plain
data out. `studio prescreen` calls `screen` in its own process.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from studio.core.flags import CHECKS, Flag, Screening
from studio.media.prescreen.checks import CHECK_FUNCTIONS
from studio.media.prescreen.expected import Expected
from studio.media.prescreen.reading import read_clip
from studio.media.prescreen.thresholds import Thresholds


def screen(path: Path, expected: Expected, thresholds: Thresholds) -> Screening:
    """The clip's flags, in time order. A file that cannot be read raises `OSError`; one
    that cannot be decoded is flagged `undecodable`."""
    reading = read_clip(path, thresholds.width)
    flags = [flag for check in CHECK_FUNCTIONS.values() for flag in check(reading, thresholds,
                                                                          expected)]  # fmt: skip
    flags.sort(key=_order)
    measured: dict[str, Any] = {
        "seconds": round(reading.seconds, 3),
        "frames": reading.frames,
        "width": reading.width,
        "height": reading.height,
        "fps": round(reading.fps, 3) if reading.fps else None,
        "audio": reading.audio_track,
    }
    return Screening(tuple(flags), thresholds.version, measured, screened_at=time.time())


def screen_plain(path: str, expected: Expected, thresholds: Thresholds) -> dict[str, Any]:
    """A worker's job: the screening as plain data (`Screening.from_json` reads it back)."""
    return screen(Path(path), expected, thresholds).as_json()


def _order(flag: Flag) -> tuple[float, int]:
    return flag.start, CHECKS.index(flag.check)
