"""Frames and time codes at a clip's frame rate, in one home (the player, notes, the notes
list, the OTIO and EDL exports and "what to fix" all count the same way).

A time code is HH:MM:SS:FF, non-drop-frame, counted at the nominal rate: the frame rate
rounded to a whole number (29.97 counts as 30, as in an EDL's NON-DROP FRAME mode), never
less than 1. A frame index starts at 0 (the clip's first frame is 00:00:00:00).
"""

from __future__ import annotations


def nominal_rate(fps: float) -> int:
    """The whole number of frames a time code's second holds at this rate."""
    return max(1, round(fps))


def timecode(frame: int, fps: float) -> str:
    """HH:MM:SS:FF of a frame index (hours run past 99 rather than wrap)."""
    rate = nominal_rate(fps)
    seconds, frames = divmod(max(0, frame), rate)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}:{frames:02d}"


def seconds_at(frame: int, fps: float) -> float:
    """When a frame starts, in seconds from the clip's start."""
    return frame / fps


def frame_at_rate(frame: int, fps: float, rate: float) -> int:
    """The frame index at `rate` that starts where frame `frame` at `fps` starts (the same
    index when the rates agree)."""
    if abs(fps - rate) < 1e-6:
        return frame
    return round(frame * rate / fps)


__all__ = ["frame_at_rate", "nominal_rate", "seconds_at", "timecode"]
