"""The note model's one check (studio.core.notes.check_note) and the frame ↔ time code
helper every part of the studio counts with."""

from __future__ import annotations

import pytest

from studio.core.notes import (
    MAX_POINTS,
    Note,
    NoteError,
    Shape,
    check_note,
    drawing_from_json,
    drawing_to_json,
    in_frame_order,
    notes_at,
)
from studio.core.timecode import frame_at_rate, nominal_rate, seconds_at, timecode

PICTURE = (320, 180)


def note(**kw: object) -> Note:
    base: dict[str, object] = {"job_id": 1, "frame": 10, "fps": 24.0, "text": "warps"}
    return Note(**{**base, **kw})  # type: ignore[arg-type]


def test_time_codes_at_24_30_and_29_97_fps() -> None:
    assert timecode(0, 24) == "00:00:00:00"
    assert timecode(37, 24) == "00:00:01:13"
    assert timecode(37, 30) == "00:00:01:07"
    assert timecode(30 * 3661 + 5, 29.97) == "01:01:01:05"  # non-drop, counted at 30
    assert nominal_rate(23.976) == 24
    assert nominal_rate(0.2) == 1
    assert seconds_at(36, 24) == 1.5
    assert frame_at_rate(36, 24, 30) == 45  # the frame that starts at 1.5 s
    assert frame_at_rate(36, 24.0, 24.0000001) == 36


def test_an_empty_note_is_refused_and_a_drawing_alone_is_a_note() -> None:
    with pytest.raises(NoteError, match="An empty note"):
        check_note(note(text="  \n "), picture=PICTURE)
    drawn = note(text="", shapes=(Shape("rect", ((1, 2), (30, 40))),))
    assert check_note(drawn, picture=PICTURE) == drawn
    assert drawn.headline == "(drawing: rect)"


def test_points_off_the_picture_move_onto_its_edge() -> None:
    stroke = Shape("pen", ((300.0, 100.0), (340.0, 120.0), (350.0, -20.0)), "green", 3.0)
    kept = check_note(note(shapes=(stroke,)), picture=PICTURE)
    assert kept.shapes[0].points == ((300.0, 100.0), (320.0, 120.0), (320.0, 0.0))
    box = Shape("rect", ((-50.0, -50.0), (400.0, 250.0)))  # covers the whole picture
    assert check_note(note(shapes=(box,)), picture=PICTURE).shapes[0].points == (
        (0.0, 0.0),
        (320.0, 180.0),
    )


def test_a_shape_wholly_outside_the_picture_is_refused_with_its_field() -> None:
    inside = Shape("rect", ((1, 1), (9, 9)))
    outside = Shape("ellipse", ((400.0, 10.0), (500.0, 50.0)))
    with pytest.raises(NoteError) as caught:
        check_note(note(shapes=(inside, outside)), picture=PICTURE)
    assert caught.value.field == "drawing[1].points"
    assert "outside the 320x180 picture" in str(caught.value)


@pytest.mark.parametrize(
    ("changed", "field", "says"),
    [
        ({"frame": -1}, "frame", "before the clip's first frame"),
        ({"frame": 96}, "frame", "past the clip's last frame (95)"),
        ({"end_frame": 96}, "end_frame", "past the clip's last frame (95)"),
        ({"end_frame": 10}, "end_frame", "does not come after"),
        ({"fps": 0.0}, "fps", "not a frame rate"),
        ({"fps": float("nan")}, "fps", "not a frame rate"),
        ({"text": "x" * 10_001}, "text", "10,001 characters"),
        ({"author": "a" * 201}, "author", "more than 200"),
        ({"shapes": (Shape("star", ((1, 1), (2, 2))),)}, "drawing[0].shape", "'star' is not one"),
        ({"shapes": (Shape("rect", ((1, 1), (2, 2)), "mauve"),)}, "drawing[0].colour", "'mauve'"),
        ({"shapes": (Shape("rect", ((1, 1), (2, 2)), width=0.5),)}, "drawing[0].width", "0.5"),
        ({"shapes": (Shape("arrow", ((1, 1),)),)}, "drawing[0].points", "the arrow needs 2"),
        ({"shapes": (Shape("rect", ((1, 1), (2, 2), (3, 3))),)}, "drawing[0].points", "3 points"),
        (
            {"shapes": (Shape("pen", ((1.0, 1.0), (float("inf"), 2.0))),)},
            "drawing[0].points[1]",
            "not a number",
        ),
        (
            {"shapes": (Shape("pen", tuple((1.0, 1.0) for _ in range(MAX_POINTS + 1))),)},
            "drawing",
            "20,001 points, more than the 20,000",
        ),
        ({"shapes": (Shape("rect", ((1, 1), (2, 2))),) * 201}, "drawing", "201 shapes"),
    ],
)
def test_bad_notes_are_refused_naming_the_field(
    changed: dict[str, object], field: str, says: str
) -> None:
    with pytest.raises(NoteError) as caught:
        check_note(note(**changed), picture=PICTURE, frames=96)
    assert caught.value.field == field
    assert says in caught.value.problem


def test_the_stored_drawing_reads_back_and_a_bad_one_names_its_field() -> None:
    shapes = (Shape("pen", ((1.5, 2.0), (3.0, 4.25), (5.0, 6.0)), "white", 2.5),)
    assert drawing_from_json(drawing_to_json(shapes)) == shapes
    with pytest.raises(NoteError, match=r"drawing\[0\]\.points\[1\]: not a point"):
        drawing_from_json([{"shape": "pen", "points": [[1, 2], [3]], "colour": "red"}])
    with pytest.raises(NoteError, match=r"drawing\[0\]\.width: True is not a number"):
        drawing_from_json([{"shape": "pen", "points": [], "width": True}])


def test_notes_on_a_frame_and_in_frame_order() -> None:
    a = note(frame=10, created_at=3.0)
    b = note(frame=4, end_frame=12, created_at=2.0)
    c = note(frame=10, created_at=1.0)
    d = note(frame=13, created_at=0.0)
    assert notes_at([a, b, c, d], 10) == [c, b, a]
    assert notes_at([a, b, c, d], 13) == [d]
    assert in_frame_order([a, b, c, d]) == [b, c, a, d]
    assert (b.when, b.frames, a.when) == ("00:00:00:04–00:00:00:12", 9, "00:00:00:10")
