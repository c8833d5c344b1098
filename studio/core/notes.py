"""A note on the frame: text and an optional drawing on one frame of a take, or on a range.

A note belongs to a take (its job id) and sits on frame `frame`, or on the frames `frame`
to `end_frame` (both included: an in/out range). `fps` is the rate its frames count at
(the clip's), so its time and time code are known without the clip. Its drawing is a list
of shapes — a pen stroke, an arrow, a rectangle, an ellipse — each with a colour from a
small fixed palette (`PALETTE`) and a width, in the clip's own pixels: (0, 0) is the
picture's top-left corner, x runs right and y down to the clip's width and height. So a
drawing stays on the picture at any zoom or window size, and a still or an export draws
it where it was made.

`check_note` is the one check, for the window, the command line and an import alike:
- a note needs text or a drawing (an empty one is refused);
- a point outside the picture is moved onto its edge: a stroke that runs off the frame
  while drawing is kept, clipped; a shape whose bounds miss the picture altogether is
  refused (nothing of it would show);
- the frame must be on the clip (when its length is known) and a range must end after it
  starts;
- sizes are bounded (`MAX_*`): text, shapes, points, widths, the author's name.

The drawing's stored form (`drawing_to_json` / `drawing_from_json`) is the sidecar's.
Qt-free and store-free: plain values in, plain values out."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from studio.core.errors import StudioError
from studio.core.timecode import timecode

# The colours a note may draw in: name → RGB. Fixed, few and far apart, so a mark reads on
# any picture and each maps to a DaVinci Resolve marker colour (studio.export.resolve_edl).
PALETTE: dict[str, tuple[int, int, int]] = {
    "red": (235, 52, 52),
    "yellow": (250, 210, 20),
    "green": (40, 200, 90),
    "cyan": (20, 200, 230),
    "blue": (50, 120, 255),
    "pink": (250, 90, 200),
    "white": (255, 255, 255),
}
DEFAULT_COLOUR = "red"
# pen: a stroke through its points; the others by two points: an arrow from its tail to its
# head, a rectangle and an ellipse by two opposite corners of their box.
SHAPES = ("pen", "arrow", "rect", "ellipse")
MAX_TEXT = 10_000  # characters
MAX_AUTHOR = 200
MAX_SHAPES = 200  # per note
MAX_POINTS = 20_000  # per note, every shape's together
MIN_WIDTH, MAX_WIDTH = 1.0, 64.0  # a line's width in video pixels
MAX_FPS = 1000.0

Point = tuple[float, float]


class NoteError(StudioError):
    """Why a note cannot be kept: the field at fault (`drawing[2].colour`; empty for the
    note as a whole) and what is wrong with it, in words a person can act on."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class Shape:
    kind: str  # one of SHAPES
    points: tuple[Point, ...]
    colour: str = DEFAULT_COLOUR  # a PALETTE name
    width: float = 4.0

    @property
    def rgb(self) -> tuple[int, int, int]:
        return PALETTE[self.colour]


@dataclass(frozen=True)
class Note:
    job_id: int
    frame: int
    fps: float
    text: str = ""
    shapes: tuple[Shape, ...] = ()
    end_frame: int | None = None  # the last frame of a range (None: one frame)
    author: str = ""
    created_at: float = 0.0
    edited_at: float | None = None
    id: int = 0  # 0 until stored

    @property
    def last_frame(self) -> int:
        return self.frame if self.end_frame is None else self.end_frame

    @property
    def frames(self) -> int:
        """How many frames the note covers (1 for a note on one frame)."""
        return self.last_frame - self.frame + 1

    def covers(self, frame: int) -> bool:
        return self.frame <= frame <= self.last_frame

    @property
    def when(self) -> str:
        """Its time code, or the range's first and last ("00:00:01:02–00:00:01:20")."""
        first = timecode(self.frame, self.fps)
        if self.end_frame is None:
            return first
        return f"{first}–{timecode(self.end_frame, self.fps)}"

    @property
    def headline(self) -> str:
        """One line for a list or a marker's name: the text's first line, or what the
        drawing is when there is no text."""
        first = next((line.strip() for line in self.text.splitlines() if line.strip()), "")
        if first:
            return first
        kinds = sorted({s.kind for s in self.shapes})
        return f"(drawing: {', '.join(kinds)})" if kinds else "(empty)"


def notes_at(notes: Iterable[Note], frame: int) -> list[Note]:
    """The notes showing on this frame (on it, or a range that covers it), oldest first."""
    return sorted((n for n in notes if n.covers(frame)), key=lambda n: (n.created_at, n.id))


def in_frame_order(notes: Iterable[Note]) -> list[Note]:
    return sorted(notes, key=lambda n: (n.frame, n.last_frame, n.created_at, n.id))


def check_note(
    note: Note, *, picture: tuple[int, int] | None = None, frames: int | None = None
) -> Note:
    """The note as it can be kept (points moved onto the picture's edge), or `NoteError`
    naming the field at fault. `picture` is the clip's (width, height) and `frames` its
    length in frames, each checked when given."""
    _check_frames(note, frames)
    if not math.isfinite(note.fps) or not 0 < note.fps <= MAX_FPS:
        raise NoteError("fps", f"{note.fps} is not a frame rate (more than 0, at most 1000)")
    if len(note.text) > MAX_TEXT:
        raise NoteError("text", f"{len(note.text):,} characters, more than {MAX_TEXT:,}")
    if len(note.author) > MAX_AUTHOR:
        raise NoteError("author", f"a name of more than {MAX_AUTHOR} characters")
    if not note.text.strip() and not note.shapes:
        raise NoteError("", "An empty note: write something or draw on the frame.")
    if len(note.shapes) > MAX_SHAPES:
        raise NoteError("drawing", f"{len(note.shapes):,} shapes, more than the {MAX_SHAPES}")
    total = sum(len(s.points) for s in note.shapes)
    if total > MAX_POINTS:
        raise NoteError("drawing", _too_many_points(total))
    shapes = tuple(_check_shape(s, f"drawing[{i}]", picture) for i, s in enumerate(note.shapes))
    return replace(note, shapes=shapes)


def _check_frames(note: Note, frames: int | None) -> None:
    if note.frame < 0:
        raise NoteError("frame", f"{note.frame} is before the clip's first frame (0)")
    if note.end_frame is not None and note.end_frame <= note.frame:
        raise NoteError(
            "end_frame",
            f"{note.end_frame} does not come after the range's first frame ({note.frame})",
        )
    if frames is not None and note.last_frame >= frames:
        field = "frame" if note.end_frame is None else "end_frame"
        raise NoteError(
            field, f"{note.last_frame} is past the clip's last frame ({max(0, frames - 1)})"
        )


def _check_shape(shape: Shape, where: str, picture: tuple[int, int] | None) -> Shape:
    if shape.kind not in SHAPES:
        raise NoteError(f"{where}.shape", f"{_brief(shape.kind)} is not one of {', '.join(SHAPES)}")
    if shape.colour not in PALETTE:
        raise NoteError(
            f"{where}.colour", f"{_brief(shape.colour)} is not one of {', '.join(PALETTE)}"
        )
    if not math.isfinite(shape.width) or not MIN_WIDTH <= shape.width <= MAX_WIDTH:
        raise NoteError(
            f"{where}.width",
            f"{shape.width} is not a width of {MIN_WIDTH:g} to {MAX_WIDTH:g} pixels",
        )
    wanted = "at least 2" if shape.kind == "pen" else "2"
    if len(shape.points) < 2 or (shape.kind != "pen" and len(shape.points) != 2):
        raise NoteError(
            f"{where}.points", f"{len(shape.points)} points; the {shape.kind} needs {wanted}"
        )
    for i, (x, y) in enumerate(shape.points):
        if not (math.isfinite(x) and math.isfinite(y)):
            raise NoteError(f"{where}.points[{i}]", "not a point (a coordinate is not a number)")
    if picture is None:
        return shape
    width, height = picture
    xs, ys = [p[0] for p in shape.points], [p[1] for p in shape.points]
    if max(xs) < 0 or max(ys) < 0 or min(xs) > width or min(ys) > height:
        raise NoteError(
            f"{where}.points", f"the {shape.kind} lies outside the {width}x{height} picture"
        )
    inside = tuple((min(max(x, 0.0), width), min(max(y, 0.0), height)) for x, y in shape.points)
    return replace(shape, points=inside)


def drawing_to_json(shapes: Sequence[Shape]) -> list[dict[str, Any]]:
    """The drawing as the sidecar and the store keep it."""
    return [
        {
            "shape": s.kind,
            "points": [[x, y] for x, y in s.points],
            "colour": s.colour,
            "width": s.width,
        }
        for s in shapes
    ]


def drawing_from_json(value: object, where: str = "drawing") -> tuple[Shape, ...]:
    """Shapes from their stored form; `NoteError` naming the field when the form is wrong
    (the values themselves are `check_note`'s business)."""
    if not isinstance(value, list):
        raise NoteError(where, "not a list of shapes")
    check_drawing_size(value, where)
    shapes = []
    for i, item in enumerate(value):
        here = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise NoteError(here, "not a shape")
        points = item.get("points")
        if not isinstance(points, list):
            raise NoteError(f"{here}.points", "not a list of points")
        shapes.append(
            Shape(
                kind=_text(item.get("shape"), f"{here}.shape"),
                points=tuple(_point(p, f"{here}.points[{j}]") for j, p in enumerate(points)),
                colour=_text(item.get("colour", DEFAULT_COLOUR), f"{here}.colour"),
                width=_number(item.get("width", 4.0), f"{here}.width"),
            )
        )
    return tuple(shapes)


def check_drawing_size(value: object, where: str = "drawing") -> int:
    """How many points a stored drawing holds; `NoteError` when it holds more shapes or
    points than a note may (counted before anything of it is read, so a huge one is
    refused at once)."""
    if not isinstance(value, list):
        return 0  # not a drawing at all: the reader says so
    if len(value) > MAX_SHAPES:
        raise NoteError(where, f"{len(value):,} shapes, more than the {MAX_SHAPES}")
    total = sum(
        len(points)
        for shape in value
        if isinstance(shape, dict) and isinstance(points := shape.get("points"), list)
    )
    if total > MAX_POINTS:
        raise NoteError(where, _too_many_points(total))
    return total


def _too_many_points(total: int) -> str:
    return f"{total:,} points, more than the {MAX_POINTS:,} a note may have"


def _point(value: object, where: str) -> Point:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise NoteError(where, "not a point ([x, y])")
    return _number(value[0], where), _number(value[1], where)


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise NoteError(where, f"{_brief(value)} is not a number")
    return float(value)


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise NoteError(where, f"{_brief(value)} is not text")
    return value


def _brief(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


__all__ = [
    "DEFAULT_COLOUR",
    "MAX_POINTS",
    "MAX_SHAPES",
    "MAX_TEXT",
    "PALETTE",
    "SHAPES",
    "Note",
    "NoteError",
    "Shape",
    "check_drawing_size",
    "check_note",
    "drawing_from_json",
    "drawing_to_json",
    "in_frame_order",
    "notes_at",
]
