"""How the machine pre-screen's flags look wherever a take is shown (the review's take list
and scrub bar, the Library's tiles, the queue): a colour per check — the same on the scrub
bar and on a badge, chosen to read on the dark and the light theme alike, as the notes'
mark does — and the words of a badge. Flags point at a stretch worth a look; they never
score or decide anything."""

from __future__ import annotations

from collections.abc import Sequence

from studio.core.flags import Flag

COLOURS = {  # every one of studio.core.flags.CHECKS (a test keeps it so)
    "undecodable": "#c2413b",
    "black": "#7d8590",
    "frozen": "#23a9b8",  # not the accent blue of the slider's played part
    "flicker": "#d9702a",
    "blur": "#8e62c9",
    "silence": "#2f9e78",
    "duration": "#c9578f",
    "size": "#8a9a3b",
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


def flag_line(flag: Flag, fps: float | None) -> str:
    """A flag in words, where it is and what was measured, as `studio prescreen` prints it:
    "black · 00:00:01:00–00:00:02:00 (frames 24–47) · mean luma 0.0 (≤ 20) for 1.00 s"."""
    return " · ".join(part for part in (label(flag.check), flag.span(fps), flag.detail) if part)
