"""Does a clip play to the length it states? Every video frame is decoded with PyAV (no
ffmpeg process): a file cut short keeps the header that states 4 s while only the first
44 of its 96 frames decode. Such a clip is imported *damaged*, with the reason, and the
length that plays is what the library records."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import av

from studio.media import video


@dataclass(frozen=True)
class Clip:
    seconds: float  # what plays: the frames that decode
    frames: int  # how many decode
    stated_frames: int | None  # how many the file says it has (None: it does not say)
    damage: str | None  # why it is damaged ("44 of 96 frames decode"), or None
    picture: tuple[int, int] | None = None  # (width, height)
    fps: float | None = None  # its frame rate, where it states one


class NotPlayable(Exception):
    """Nothing of the file plays: why, in a few words."""


def missing_allowed(stated: int) -> int:
    """Frames a whole clip may lack against its stated count (a count from the duration
    times the frame rate is rounded, and an audio track may run a little longer)."""
    return max(2, stated // 50)


def inspect_clip(path: Path) -> Clip:
    """The clip's frames decoded and counted; `NotPlayable` when none decodes."""
    if os.stat(path).st_size == 0:
        raise NotPlayable("empty file")
    decoded = 0
    broke: str | None = None
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise NotPlayable("no video in it")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            picture = (int(stream.width), int(stream.height))
            rate = stream.average_rate or stream.guessed_rate
            stated_seconds = video.stated_seconds(container, stream)
            stated = stream.frames or (
                round(stated_seconds * float(rate)) if stated_seconds and rate else None
            )
            try:
                for _frame in container.decode(stream):
                    decoded += 1
            except av.FFmpegError as err:
                broke = str(err)
    except (NotPlayable, OSError):  # a file the system refuses says why (permission…)
        raise
    except Exception:  # whatever the parser makes of these bytes: unreadable
        raise NotPlayable("not a readable video") from None
    if decoded == 0:
        raise NotPlayable("not a readable video (no frame decodes)")
    seconds = decoded / float(rate) if rate else float(stated_seconds or 0.0)
    missing = (stated or decoded) - decoded
    damage = None
    if missing > missing_allowed(stated or 0) or (broke is not None and missing > 0):
        shown = f"{seconds:.1f} s of {stated_seconds:.1f} s" if stated_seconds else ""
        damage = f"{decoded} of {stated} frames decode" + (f" ({shown})" if shown else "")
    elif broke is not None and stated is None:
        damage = f"decoding stops after {decoded} frames"
    return Clip(seconds, decoded, stated, damage, picture, float(rate) if rate else None)


__all__ = ["Clip", "NotPlayable", "inspect_clip", "missing_allowed"]
