""" "What to fix": a take's notes as the editor shows them when Edit revises the take —
time code and text per note, in frame order."""

from __future__ import annotations

from pathlib import Path

from studio.core.notes import Note, Shape
from studio.library.ops import ops_for
from studio.review.what_to_fix import note_lines, what_to_fix
from studio.store import Store
from tests.helpers import job_values

PEN = Shape("pen", ((1.0, 1.0), (5.0, 5.0)), "green", 2.0)


def test_notes_in_frame_order_with_time_code_text_drawing_and_author(tmp_path: Path) -> None:
    store = Store(tmp_path / "studio.db")
    try:
        with store.db.write() as tx:
            take = store.jobs.insert(tx, job_values("kite"), at=1.0)
        ops = ops_for(store)
        picture = (320, 180)
        ops.add_note(take, 40, fps=24.0, picture=picture, text="  logo\n flickers ", author="bo")
        ops.add_note(take, 12, end_frame=30, fps=24.0, picture=picture, text="tail warps",
                     shapes=(PEN,), author="ana")  # fmt: skip
        ops.add_note(take, 12, fps=24.0, picture=picture, shapes=(PEN,))
        text = what_to_fix(store.notes.for_take(take), take=f"#{take}")
    finally:
        store.close()
    assert text.splitlines() == [
        f"What to fix in #{take}:",
        "00:00:00:12  (drawing: pen)",
        "00:00:00:12–00:00:01:06  tail warps [drawing] (ana)",
        "00:00:01:16  logo flickers (bo)",
    ]


def test_at_30_fps_and_with_no_notes() -> None:
    note = Note(job_id=1, frame=45, fps=30.0, text="sand pops")
    assert what_to_fix([note]) == "What to fix:\n00:00:01:15  sand pops"
    assert note_lines([note]) == ["00:00:01:15  sand pops"]  # the lineage's lines
    assert what_to_fix([]) == ""
