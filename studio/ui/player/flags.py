"""How the machine pre-screen's flags look wherever a take is shown (the review's take list
and scrub bar, the Library's tiles, the queue): a colour per check — the same on the scrub
bar and on a badge, chosen to read on the dark and the light theme alike, as the notes'
mark does — and the words of a badge. Flags point at a stretch worth a look; they never
score or decide anything."""

from __future__ import annotations

from collections.abc import Sequence

from studio.core.flags import Flag
from studio.core.timecode import timecode

COLOURS = {  # every one of studio.core.flags.CHECKS (a test keeps it so)
    "undecodable": "#c2413b",
    "black": "#7d8590",
    "frozen": "#3f8fc9",
    "flicker": "#d9702a",
    "blur": "#8e62c9",
    "silence": "#2f9e78",
    "duration": "#c9578f",
    "size": "#4d9a9a",
    "frame_rate": "#a8804f",
}
FLAG = "⚑"


def label(check: str) -> str:
    """A check in words: "frame rate"."""
    return check.replace("_", " ")


def flags_text(checks: Sequence[str]) -> str:
    """Every flagged check, for a line of text: "⚑ black, frozen" ("" for none)."""
    return f"{FLAG} {', '.join(label(c) for c in checks)}" if checks else ""


def badge_text(checks: Sequence[str]) -> str:
    """A short badge: the first check and how many more: "⚑ black +1"."""
    if not checks:
        return ""
    more = f" +{len(checks) - 1}" if len(checks) > 1 else ""
    return f"{FLAG} {label(checks[0])}{more}"


def flag_line(flag: Flag, fps: float) -> str:
    """A flag in words with where it is and what was measured: "black · 00:00:01:00–
    00:00:01:23 (frames 24–47) · mean luma 3.1 (≤ 20) for 1.00 s"."""
    if flag.last_frame > flag.first_frame:
        where = (f"{timecode(flag.first_frame, fps)}–{timecode(flag.last_frame, fps)} "
                 f"(frames {flag.first_frame}–{flag.last_frame})")  # fmt: skip
    else:
        where = f"{timecode(flag.first_frame, fps)} (frame {flag.first_frame})"
    measured = flag.detail or _measured(flag)
    return " · ".join(part for part in (label(flag.check), where, measured) if part)


def _measured(flag: Flag) -> str:
    if flag.measured is None:
        return ""
    against = f" (threshold {flag.threshold})" if flag.threshold is not None else ""
    return f"measured {flag.measured}{against}"
