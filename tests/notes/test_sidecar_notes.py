"""Notes on the frame in the sidecar: they come back on import, a re-import merges them
(nothing twice, a later edit taken, a note deleted here left deleted), and a hostile note
— a huge drawing, a colour not in the palette, a frame past the clip's end — is refused
with its field named while the clip still comes in (without the review)."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from studio.core.notes import MAX_POINTS, PALETTE, SHAPES
from studio.core.resources import resources_dir
from studio.export.importer import import_folder
from studio.export.otio_file import MARKER_COLOURS
from studio.export.resolve_edl import RESOLVE_COLOURS
from studio.library.ops import NOTES, LibraryChange, ops_for
from studio.store import Store
from tests.export.test_import_hostile import by_prompt, clips, put, sidecar_for
from tests.jobs.conftest import library, store

__all__ = ["clips", "library", "store"]  # fixtures used here


def a_note(frame: int, **kw: Any) -> dict[str, Any]:
    """A note as the sidecar keeps it (the clips here are 320x180, 24 frames at 24 fps)."""
    note: dict[str, Any] = {
        "frame": frame,
        "end_frame": None,
        "fps": 24.0,
        "timecode": f"00:00:00:{frame:02d}",
        "text": f"look at frame {frame}",
        "author": "ana",
        "created": f"2026-11-24T10:00:{frame:02d}.000+00:00",
        "edited": None,
        "drawing": [
            {"shape": "rect", "points": [[100, 60], [220, 130]], "colour": "red", "width": 6}
        ],
    }
    return {**note, **kw}


def with_notes(clip: Path, notes: list[dict[str, Any]]) -> dict[str, Any]:
    side = sidecar_for(clip)
    side["notes"] = notes
    return side


def write(folder: Path, side: dict[str, Any]) -> None:
    (folder / "a.json").write_text(json.dumps(side))


def test_notes_come_back_and_a_reimport_merges_them(
    store: Store, library: Path, tmp_path: Path, clips: list[bytes]
) -> None:
    drop = tmp_path / "drop"
    clip = put(drop / "a.mp4", clips[0])
    first, second = a_note(3), a_note(12, end_frame=20, text="flicker\nin the sky")
    side = with_notes(clip, [first, second])
    write(drop, side)
    told: list[LibraryChange] = []
    ops_for(store).listen(told.append)

    report = import_folder(store, library, drop)
    (take,) = report.added
    assert report.unreadable == []
    assert report.notes_added == 2
    assert "2 notes restored" in report.summary()
    assert NOTES in told[-1].what
    notes = store.notes.for_take(take)
    assert [(n.frame, n.end_frame, n.text, n.author) for n in notes] == [
        (3, None, "look at frame 3", "ana"),
        (12, 20, "flicker\nin the sky", "ana"),
    ]
    assert notes[0].shapes[0].points == ((100.0, 60.0), (220.0, 130.0))

    again = import_folder(store, library, drop)  # the same folder: nothing twice
    assert (again.added, again.known, again.notes_added) == ([], [take], 0)
    assert len(store.notes.for_take(take)) == 2

    ops_for(store).delete_note(notes[0].id)  # deleted here: a re-import leaves it deleted
    moved = replace(notes[1], frame=14, end_frame=None)  # moved here, before the edit there
    ops_for(store).edit_note(moved, picture=(320, 180), at=1_795_520_000.0)  # 2026-11-24
    assert len(import_folder(store, library, drop).added) == 0  # the first export again:
    assert [n.frame for n in store.notes.for_take(take)] == [14]  # moved, still one note
    later = copy.deepcopy(side)
    later["notes"][1] |= {"text": "flicker, worse", "edited": "2026-11-25T09:00:00.000+00:00"}
    later["notes"].append(a_note(22, text="new", author="bo"))
    write(drop, later)
    merged = import_folder(store, library, drop)
    assert merged.notes_added == 2  # the edit taken, the new one added
    assert [(n.frame, n.text, n.author) for n in store.notes.for_take(take)] == [
        (12, "flicker, worse", "ana"),
        (22, "new", "bo"),
    ]
    assert store.db.query("SELECT count(*) FROM notes")[0][0] == 3


def drawn(shape: str, points: list[list[float]], colour: str = "red") -> dict[str, Any]:
    """A note whose drawing is this one shape."""
    return a_note(3, drawing=[{"shape": shape, "points": points, "colour": colour, "width": 2}])


HUGE = [[1.0, 1.0]] * (MAX_POINTS + 1)
HOSTILE = [
    (
        "huge-drawing",
        [drawn("pen", HUGE)],
        "notes[0].drawing: 20,001 points, more than the 20,000 a note may have",
    ),
    (
        "bad-colour",
        [drawn("rect", [[1, 1], [9, 9]], "mauve")],
        'notes[0].drawing[0].colour: "mauve" is not one of "red", "yellow"',
    ),
    (
        "too-many-points-together",
        [drawn("pen", [[1.0, 1.0]] * 19_000)] * 6,
        "notes: more than the 100,000 points all notes may have together",
    ),
    ("too-many-notes", [a_note(3)] * 2_001, "notes: 2,001 notes, more than the 2,000"),
    ("frame-past-the-end", [a_note(3), a_note(24)], "notes[1].frame: 24 is past the clip's last"),
    ("range-past-the-end", [a_note(3, end_frame=30)], "notes[0].end_frame: 30 is past"),
    ("negative-frame", [a_note(-1)], "notes[0].frame: -1 is less than 0"),
    ("another-rate", [a_note(3, fps=1.0)], "notes[0].fps: 1 is not the clip's frame rate (24)"),
    ("empty", [a_note(3, text=" ", drawing=[])], "notes[0]: An empty note"),
    (
        "outside-the-picture",
        [drawn("ellipse", [[400, 10], [500, 50]])],
        "notes[0].drawing[0].points: the ellipse lies outside the 320x180 picture",
    ),
    ("point-not-a-pair", [drawn("pen", [[1, 1, 1]])], "notes[0].drawing[0].points[0]:"),
    ("text-not-text", [a_note(3, text=7)], "notes[0].text: 7 is not of type string"),
]


@pytest.mark.parametrize(("notes", "says"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_a_hostile_note_is_refused_with_its_field_and_the_clip_comes_in(
    notes: list[dict[str, Any]],
    says: str,
    store: Store,
    library: Path,
    tmp_path: Path,
    clips: list[bytes],
) -> None:
    drop = tmp_path / "drop"
    clip = put(drop / "a.mp4", clips[0])
    write(drop, with_notes(clip, notes))
    report = import_folder(store, library, drop)
    (line,) = report.unreadable
    assert line.startswith(f"a.json: {says}"), line
    assert line.endswith("(its clip comes in without the review)")
    assert len(line) < 300
    (take,) = by_prompt(store, report).values()  # the clip came in, named by its file
    assert store.notes.for_take(take) == []
    assert store.verdicts.history(take) == []


def test_a_shape_running_off_the_picture_is_clipped_on_import(
    store: Store, library: Path, tmp_path: Path, clips: list[bytes]
) -> None:
    drop = tmp_path / "drop"
    clip = put(drop / "a.mp4", clips[0])
    stroke = {"shape": "pen", "points": [[300, 90], [350, 200]], "colour": "blue", "width": 3}
    write(drop, with_notes(clip, [a_note(3, drawing=[stroke])]))
    report = import_folder(store, library, drop)
    assert report.unreadable == []
    (note,) = store.notes.for_take(report.added[0])
    assert note.shapes[0].points == ((300.0, 90.0), (320.0, 180.0))


def test_a_sidecar_without_notes_still_imports(
    store: Store, library: Path, tmp_path: Path, clips: list[bytes]
) -> None:
    drop = tmp_path / "drop"
    clip = put(drop / "a.mp4", clips[0])
    write(drop, sidecar_for(clip))  # written before notes were
    report = import_folder(store, library, drop)
    assert (report.unreadable, report.notes_added) == ([], 0)
    assert store.verdicts.current(report.added)[report.added[0]].decision == "approve"


def test_the_schema_names_the_palette_and_the_shapes_the_model_keeps() -> None:
    schema = json.loads((resources_dir() / "schema" / "sidecar-1.schema.json").read_text())
    shape = schema["$defs"]["shape"]["properties"]
    assert shape["colour"]["enum"] == list(PALETTE)
    assert shape["shape"]["enum"] == list(SHAPES)
    assert set(RESOLVE_COLOURS) == set(MARKER_COLOURS) == set(PALETTE)  # every colour leaves
