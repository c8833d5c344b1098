"""A still of the current frame as PNG: the right frame (read from the block code every
frame carries), at the video's size, and with the notes drawn on it only when asked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.core.notes import PALETTE, Note, Shape
from studio.media.still import save_still
from studio.media.video import VideoError, probe
from studio.sim import framecode
from studio.sim.render import ClipRequest, render_clip
from tests.notes.clips import coded_clip

RED = PALETTE["red"]
BOX = ((100, 60), (220, 130))  # the red rectangle's corners, in video pixels


@pytest.fixture(scope="module")
def sim_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The simulator's clip: 24 fps, a frame number and time code burned into each frame."""
    req = ClipRequest(prompt="a kite over dunes", width=320, height=180, seconds=1, take="k1")
    return render_clip(req, tmp_path_factory.mktemp("sim")).video


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        assert image.format == "PNG"
        return np.array(image.convert("RGB"))


def red_note(frame: int) -> Note:
    return Note(job_id=1, frame=frame, fps=24.0, text="the kite's tail warps here",
                shapes=(Shape("rect", BOX, "red", 6.0),), author="ana")  # fmt: skip


def test_a_still_with_and_without_notes(sim_clip: Path, tmp_path: Path) -> None:
    plain = save_still(sim_clip, 17, tmp_path / "plain.png")
    noted = save_still(sim_clip, 17, tmp_path / "noted.png", [red_note(17)])
    without, with_notes = pixels(plain), pixels(noted)

    assert without.shape == with_notes.shape == (180, 320, 3)  # the video's own size
    assert framecode.read(without) == 17  # the frame asked for, not a neighbour
    assert framecode.read(with_notes) == 17

    top_edge = with_notes[61:64, 110:210]  # inside the 6-pixel outline, along the top
    assert (top_edge == RED).all(axis=-1).all()
    assert not (without[61:64, 110:210] == RED).all(axis=-1).any()
    inside = (slice(80, 110), slice(130, 190))  # within the box: the picture, untouched
    assert (with_notes[inside] == without[inside]).all()
    # the words' box along the bottom darkens the picture there
    assert with_notes[-4:, :40].mean() < without[-4:, :40].mean()


def test_a_still_at_30_fps_is_the_right_frame(tmp_path: Path) -> None:
    clip = coded_clip(tmp_path / "thirty.mp4", fps=30, frames=45)
    facts = probe(clip)
    assert (facts.width, facts.height, facts.fps, facts.frames) == (320, 180, 30.0, 45)
    for frame in (0, 29, 31, 44):  # each side of a keyframe (one a second), and the last
        still = save_still(clip, frame, tmp_path / f"{frame}.png")
        assert framecode.read(pixels(still)) == frame


def test_a_frame_past_the_end_is_refused_and_nothing_is_written(
    sim_clip: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(VideoError, match="has no frame 24"):
        save_still(sim_clip, 24, out / "past.png")
    assert list(out.iterdir()) == []


def test_an_arrow_an_ellipse_and_a_pen_stroke_are_drawn_in_their_colours(
    sim_clip: Path, tmp_path: Path
) -> None:
    note = Note(job_id=1, frame=3, fps=24.0, shapes=(
        Shape("arrow", ((20.0, 150.0), (120.0, 150.0)), "yellow", 4.0),
        Shape("ellipse", ((200.0, 100.0), (300.0, 160.0)), "cyan", 4.0),
        Shape("pen", ((150.0, 20.0), (160.0, 40.0), (170.0, 20.0)), "green", 4.0),
    ))  # fmt: skip
    drawn = pixels(save_still(sim_clip, 3, tmp_path / "shapes.png", [note]))
    assert (drawn[150, 60] == PALETTE["yellow"]).all()  # the arrow's shaft
    assert (drawn[147:154, 114:119] == PALETTE["yellow"]).all(axis=-1).any(axis=0).all()  # its head
    assert (drawn[130, 200:203] == PALETTE["cyan"]).all(axis=-1).any()  # the ellipse's left side
    assert (drawn[30, 153:157] == PALETTE["green"]).all(axis=-1).any()  # the stroke
