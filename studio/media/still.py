"""A still of one frame as PNG, at the clip's own size, with or without the notes on it.

The notes are drawn as the review stage shows them (studio.core.notes): each shape in its
colour and width, in the clip's pixels — a pen stroke through its points, an arrow with a
head, a rectangle, an ellipse — and their words in a box along the bottom edge, each line
led by the note's time code and author."""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from studio.core.files import write_atomic
from studio.core.notes import Note, Shape
from studio.media.video import frame_image

BOX = (0, 0, 0, 170)  # the words' box: dark, the picture showing through
TEXT = (255, 255, 255, 255)
MAX_LINES = 6  # per note in the box; a longer text ends in "…"


def save_still(video: Path, frame: int, dest: Path, notes: Sequence[Note] = ()) -> Path:
    """Frame `frame` of the clip written to `dest` as PNG (whole or not at all), with
    `notes` drawn on it (pass the notes showing on that frame, or none)."""
    image = frame_image(video, frame)
    if notes:
        image = draw_notes(image, notes)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    write_atomic(dest, buffer.getvalue())
    return dest


def draw_notes(image: Image.Image, notes: Sequence[Note]) -> Image.Image:
    """A copy of the picture with the notes' drawings and words on it."""
    out = image.convert("RGB")
    draw = ImageDraw.Draw(out)
    for note in notes:
        for shape in note.shapes:
            _draw_shape(draw, shape)
    words = [note for note in notes if note.text.strip()]
    return _words(out, words) if words else out


def _draw_shape(draw: ImageDraw.ImageDraw, shape: Shape) -> None:
    width = max(1, round(shape.width))
    points = [(float(x), float(y)) for x, y in shape.points]
    if shape.kind == "pen":
        draw.line(points, fill=shape.rgb, width=width, joint="curve")
        return
    (x0, y0), (x1, y1) = points[0], points[-1]
    box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    if shape.kind == "rect":
        draw.rectangle(box, outline=shape.rgb, width=width)
    elif shape.kind == "ellipse":
        draw.ellipse(box, outline=shape.rgb, width=width)
    else:  # an arrow from its tail (the first point) to its head
        draw.line(points, fill=shape.rgb, width=width)
        draw.polygon(_arrow_head((x0, y0), (x1, y1), width), fill=shape.rgb)


def _arrow_head(
    tail: tuple[float, float], head: tuple[float, float], width: int
) -> list[tuple[float, float]]:
    """The head's triangle: its tip on the head point, wide enough to read at any width."""
    angle = math.atan2(head[1] - tail[1], head[0] - tail[0])
    length = max(12.0, 4.0 * width)
    spread = math.radians(28)
    return [
        head,
        (head[0] - length * math.cos(angle - spread), head[1] - length * math.sin(angle - spread)),
        (head[0] - length * math.cos(angle + spread), head[1] - length * math.sin(angle + spread)),
    ]


def _words(image: Image.Image, notes: Sequence[Note]) -> Image.Image:
    """The notes' words in one box along the bottom edge, each note's lines led by its
    time code and author."""
    width, height = image.size
    size = max(12, height // 36)
    font = ImageFont.load_default(size=size)
    margin = size // 2
    chars = max(20, int((width - 4 * margin) / (size * 0.6)))
    lines: list[str] = []
    for note in notes:
        who = f" {note.author}:" if note.author else ""
        lead = f"{note.when}{who} "
        wrapped = textwrap.wrap(lead + " ".join(note.text.split()), chars) or [lead]
        if len(wrapped) > MAX_LINES:
            wrapped = [*wrapped[: MAX_LINES - 1], wrapped[MAX_LINES - 1][: chars - 1] + "…"]
        lines += wrapped
    step = size + size // 3
    most = max(1, (height // 2 - 2 * margin) // step)  # the box never hides half the picture
    if len(lines) > most:
        lines = [*lines[: most - 1], "…"]
    box_height = len(lines) * step + 2 * margin
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    top = height - box_height
    draw.rectangle((0, top, width, height), fill=BOX)
    for i, line in enumerate(lines):
        draw.text((2 * margin, top + margin + i * step), line, font=font, fill=TEXT)
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


__all__ = ["draw_notes", "save_still"]
