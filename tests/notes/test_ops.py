"""Notes go through the library's operations: one transaction and one NOTES change naming
the take each; they survive a restart and a killed process (what was committed is there),
and they stay when the take's clip is deleted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from studio.core.notes import NoteError, Shape
from studio.library.ops import NOTES, LibraryChange, ops_for
from studio.store import Store
from tests.helpers import job_values
from tests.library.test_ops import transactions
from tests.notes.clips import coded_clip, take_with_clip

PICTURE = (320, 180)
DRAWING = (
    Shape("rect", ((100.0, 60.0), (220.0, 130.0)), "red", 6.0),
    Shape("arrow", ((20.0, 150.0), (95.0, 100.5)), "yellow", 3.0),
    Shape("pen", ((5.0, 5.0), (9.0, 12.0), (14.0, 8.0)), "white", 2.0),
)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "studio.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    store = Store(db_path)
    yield store
    store.close()


def a_take(store: Store, **columns: object) -> int:
    with store.db.write() as tx:
        return store.jobs.insert(tx, job_values("kite", **columns), at=1.0)


def test_a_note_with_a_drawing_is_one_transaction_one_change_and_survives_a_restart(
    store: Store, db_path: Path
) -> None:
    take = a_take(store)
    ops = ops_for(store)
    told: list[LibraryChange] = []
    ops.listen(told.append)
    begun = transactions(store)
    made = ops.add_note(take, 37, fps=24.0, picture=PICTURE, text="the tail warps",
                        shapes=DRAWING, author="ana", at=1_700_000_000.25)  # fmt: skip
    assert begun == ["BEGIN IMMEDIATE"]
    assert told == [LibraryChange(frozenset({NOTES}), frozenset({take}))]
    assert made.id > 0
    store.close()

    again = Store(db_path)  # the app started again
    try:
        (kept,) = again.notes.for_take(take)
        assert kept == made
        assert (kept.frame, kept.when, kept.author, kept.shapes) == (
            37, "00:00:01:13", "ana", DRAWING
        )  # fmt: skip
    finally:
        again.close()


def test_a_killed_process_loses_no_committed_note(db_path: Path, store: Store) -> None:
    take = a_take(store)
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from studio.core.notes import Shape
        from studio.library.ops import ops_for
        from studio.store import Store
        ops = ops_for(Store(Path({str(db_path)!r})))
        ops.add_note({take}, 5, fps=30.0, picture=(320, 180), text="first", author="ana")
        ops.add_note({take}, 9, end_frame=20, fps=30.0, picture=(320, 180), author="ana",
                     shapes=(Shape("ellipse", ((1.0, 1.0), (50.0, 40.0)), "cyan", 2.0),))
        print("added", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # no close, no clean exit
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": os.getcwd()})  # fmt: skip
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert done.stdout == "added\n"
    notes = store.notes.for_take(take)
    assert [(n.frame, n.end_frame, n.text, len(n.shapes)) for n in notes] == [
        (5, None, "first", 0),
        (9, 20, "", 1),
    ]


def test_edit_delete_and_undelete_are_told_and_kept(store: Store) -> None:
    take = a_take(store)
    ops = ops_for(store)
    note = ops.add_note(take, 3, fps=24.0, picture=PICTURE, text="soft", at=10.0)
    told: list[LibraryChange] = []
    ops.listen(told.append)

    edited = ops.edit_note(replace(note, text="too soft", end_frame=8, author="mallory",
                                   shapes=DRAWING[:1]), picture=PICTURE, at=20.0)  # fmt: skip
    assert (edited.text, edited.end_frame, edited.edited_at) == ("too soft", 8, 20.0)
    assert (edited.author, edited.created_at) == ("", 10.0)  # who made it, and when, stay
    assert store.notes.for_take(take) == [edited]

    ops.delete_note(note.id, at=30.0)
    assert store.notes.for_take(take) == []
    assert store.notes.counts([take]) == {}
    assert ops.undelete_note(note.id) == edited
    assert store.notes.for_take(take) == [edited]
    assert told == [LibraryChange(frozenset({NOTES}), frozenset({take}))] * 3


def test_a_bad_note_keeps_nothing_and_tells_nothing(store: Store, tmp_path: Path) -> None:
    clip = coded_clip(tmp_path / "c.mp4", fps=24, frames=48)
    take = take_with_clip(store, tmp_path / "library", clip, fps=24, frames=48)
    ops = ops_for(store)
    told: list[LibraryChange] = []
    ops.listen(told.append)
    with pytest.raises(NoteError, match="An empty note"):
        ops.add_note(take, 3, fps=24.0, picture=PICTURE, text=" ")
    with pytest.raises(NoteError, match=r"frame: 48 is past the clip's last frame \(47\)"):
        ops.add_note(take, 48, fps=24.0, picture=PICTURE, text="after the end")  # its duration
    with pytest.raises(NoteError, match="There is no take #999"):
        ops.add_note(999, 1, fps=24.0, picture=PICTURE, text="nowhere")
    with pytest.raises(NoteError, match="lies outside the 320x180 picture"):
        ops.add_note(take, 1, fps=24.0, picture=PICTURE,
                     shapes=(Shape("rect", ((400.0, 0.0), (420.0, 10.0))),))  # fmt: skip
    assert store.notes.for_take(take) == []
    assert told == []
    stored = ops.add_note(take, 47, fps=24.0, picture=PICTURE, text="the last frame")
    with pytest.raises(NoteError, match="does not come after"):
        ops.edit_note(replace(stored, end_frame=40), picture=PICTURE)
    assert store.notes.for_take(take) == [stored]


def test_deleting_a_takes_clip_keeps_its_notes(store: Store, tmp_path: Path) -> None:
    library = tmp_path / "library"
    clip = coded_clip(tmp_path / "c.mp4", fps=30, frames=30)
    take = take_with_clip(store, library, clip, fps=30, frames=30)
    ops = ops_for(store)
    note = ops.add_note(take, 29, fps=30.0, picture=PICTURE, text="last frame", shapes=DRAWING)
    assert ops.delete_local_clips(library, [take]) == 1
    assert not store.assets.present(library, take)
    assert store.notes.for_take(take) == [note]


def test_notes_are_read_for_many_takes_at_once(store: Store) -> None:
    takes = [a_take(store) for _ in range(3)]
    ops = ops_for(store)
    for i, take in enumerate(takes[:2]):
        for frame in (9, 2, 5)[: i + 2]:
            ops.add_note(take, frame, fps=24.0, picture=PICTURE, text=f"at {frame}")
    found = store.notes.for_takes(takes)
    assert {t: [n.frame for n in notes] for t, notes in found.items()} == {
        takes[0]: [2, 9],
        takes[1]: [2, 5, 9],
    }
    assert store.notes.counts(takes) == {takes[0]: 2, takes[1]: 3}


def test_a_note_goes_with_its_take_only(store: Store) -> None:
    take = a_take(store)
    ops_for(store).add_note(take, 1, fps=24.0, picture=PICTURE, text="x")
    with store.db.write() as tx:
        tx.execute("DELETE FROM jobs WHERE id = ?", (take,))
    assert store.db.query("SELECT count(*) FROM notes")[0][0] == 0
