""" "What to fix": a take's notes as the editor shows them when Edit revises the take, so
whoever rewrites the prompt sees what the reviewers pointed at, and where (the lineage
lists a take's notes in the same lines).

One line per note, in frame order (a range by its first frame; notes on one frame in the
order they were made): its time code (a range's first and last), its text on one line,
"[drawing]" when it also drew on the frame, and who wrote it. A note that only drew says
what it drew."""

from __future__ import annotations

from collections.abc import Sequence

from studio.core.notes import Note, in_frame_order


def what_to_fix(notes: Sequence[Note], *, take: str = "") -> str:
    """The lines for these notes under a heading naming the take ("" when there are none)."""
    if not notes:
        return ""
    heading = f"What to fix in {take}:" if take else "What to fix:"
    return "\n".join([heading, *note_lines(notes)])


def note_lines(notes: Sequence[Note]) -> list[str]:
    """One line per note, in frame order, as "what to fix" lists them (the lineage too)."""
    return [note_line(note) for note in in_frame_order(notes)]


def note_line(note: Note) -> str:
    """A note on one line: time code, text ("[drawing]" when it also drew), author."""
    words = " ".join(note.text.split())
    said = f"{words} [drawing]" if words and note.shapes else words or note.headline
    who = f" ({note.author})" if note.author else ""
    return f"{note.when}  {said}{who}"


__all__ = ["note_line", "note_lines", "what_to_fix"]
