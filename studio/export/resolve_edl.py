"""Notes as a DaVinci Resolve marker EDL: the CMX 3600 file Resolve reads with Timelines ›
Import › Timeline Markers from EDL (and writes with Export › Timeline Markers to EDL).

Each note is one event, a cut one frame long at the note's record time code, followed by
the line that makes it a marker: the marker's note (here the author), then its colour, name
(the note's text) and duration in frames:

    001  001      V     C        01:00:00:12 01:00:00:13 01:00:00:12 01:00:00:13
    ana |C:ResolveColorRed |M:the kite's tail warps |D:1

(the event line ends in two spaces, as Resolve writes it).

Record time starts at 01:00:00:00 (a Resolve timeline's default start) and runs through
the takes in sequence, each as long as its clip, at their frame rate (an EDL carries no
rate: import it into a timeline of that rate). Time codes are non-drop-frame at the nominal
rate (studio.core.timecode). Text is made safe for the line: newlines and tabs become
spaces, `|` (which starts a field) becomes `/`, other control characters are dropped."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from studio.core.files import write_atomic
from studio.core.timecode import nominal_rate, timecode
from studio.export.notes_out import NoteExportError, TakeNotes

# The palette's colours (studio.core.notes.PALETTE) as Resolve names its marker colours.
RESOLVE_COLOURS = {
    "red": "ResolveColorRed",
    "yellow": "ResolveColorYellow",
    "green": "ResolveColorGreen",
    "cyan": "ResolveColorCyan",
    "blue": "ResolveColorBlue",
    "pink": "ResolveColorPink",
    "white": "ResolveColorCream",
}
UNDRAWN = "ResolveColorBlue"
START_HOUR = 1  # 01:00:00:00
MAX_EVENTS = 999  # CMX 3600 numbers its events with three digits
TITLE_CHARS = 70
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def edl_text(takes: Sequence[TakeNotes], *, title: str = "Studio notes") -> str:
    """The EDL's text, lines ending CRLF as CMX 3600 files do."""
    rates = {nominal_rate(t.rate) for t in takes}
    if len(rates) > 1:
        named = ", ".join(f"{t.job.name} at {t.rate:g} fps" for t in takes)
        raise NoteExportError(
            f"An EDL has one frame rate, and these takes differ ({named}): export each "
            "rate's takes to an EDL of its own (or all of them to OpenTimelineIO)."
        )
    count = sum(len(t.notes) for t in takes)
    if count > MAX_EVENTS:
        raise NoteExportError(
            f"{count} notes are more than the {MAX_EVENTS} events an EDL can number; "
            "export fewer takes at a time."
        )
    lines = [f"TITLE: {safe(title)[:TITLE_CHARS]}", "FCM: NON-DROP FRAME", ""]
    event, start = 0, 0
    for take in takes:
        rate = nominal_rate(take.rate)
        origin = START_HOUR * 3600 * rate + start
        for note in take.notes:
            event += 1
            at = origin + note.frame
            tc_in, tc_out = timecode(at, rate), timecode(at + 1, rate)
            lines.append(
                f"{event:03d}  001      V     C        {tc_in} {tc_out} {tc_in} {tc_out}  "
            )
            colour = RESOLVE_COLOURS[note.shapes[0].colour] if note.shapes else UNDRAWN
            name = safe(note.text) or note.headline
            lines.append(f"{safe(note.author)} |C:{colour} |M:{name} |D:{note.frames}")
            lines.append("")
        start += take.frames
    return "\r\n".join(lines) + "\r\n"


def write_edl(takes: Sequence[TakeNotes], dest: Path, *, title: str = "Studio notes") -> int:
    """Write the EDL to `dest` (whole or not at all); returns how many markers."""
    write_atomic(dest, edl_text(takes, title=title).encode("utf-8"))
    return sum(len(t.notes) for t in takes)


def safe(text: str) -> str:
    """Text for one field of a marker line: one line, no field separator."""
    flat = " ".join(text.replace("|", "/").split())
    return _CONTROL.sub("", flat)


__all__ = ["RESOLVE_COLOURS", "edl_text", "safe", "write_edl"]
