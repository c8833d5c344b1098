"""The simulator's clips are real H.264 MP4s whose frames carry their own index."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from studio.sim import framecode
from studio.sim.render import FPS, ClipRequest, render_clip, sprite_layout
from tests.helpers import png_bytes


def decoded_indices(path: Path) -> tuple[list[int | None], int, int, float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        indices = [framecode.read(f.to_ndarray(format="rgb24")) for f in container.decode(stream)]
        assert stream.codec_context.name == "h264"
        duration = float(container.duration or 0) / av.time_base
        return indices, stream.width, stream.height, duration


@pytest.mark.parametrize(("width", "height", "seconds"), [(640, 360, 4), (360, 640, 2)])
def test_clip_frames_carry_their_index_in_order(
    tmp_path: Path, width: int, height: int, seconds: int
) -> None:
    clip = render_clip(ClipRequest("a fox in the snow", width, height, seconds), tmp_path)
    indices, w, h, duration = decoded_indices(clip.video)
    assert (w, h) == (width, height)
    assert indices == list(range(seconds * FPS))
    assert duration == pytest.approx(seconds, abs=0.05)
    assert clip.frames == seconds * FPS


def test_audio_track_when_asked(tmp_path: Path) -> None:
    clip = render_clip(ClipRequest("tone", 640, 360, 2, audio=True), tmp_path)
    with av.open(str(clip.video)) as container:
        kinds = sorted(s.type for s in container.streams)
        audio = container.streams.audio[0]
        samples = sum(f.samples for f in container.decode(audio))
    assert kinds == ["audio", "video"]
    assert samples == pytest.approx(2 * 48_000, rel=0.05)


def test_thumbnail_and_spritesheet(tmp_path: Path) -> None:
    clip = render_clip(ClipRequest("sheet", 640, 360, 2), tmp_path)
    with Image.open(clip.thumbnail) as thumb:
        assert (thumb.format, thumb.size) == ("WEBP", (640, 360))
        assert framecode.read(np.asarray(thumb.convert("RGB"))) == 0
    columns, rows, tw, th = sprite_layout(640, 360, 2)
    with Image.open(clip.spritesheet) as sheet:
        assert sheet.format == "JPEG"
        assert sheet.size == (columns * tw, rows * th)
        first_tile = np.asarray(sheet.crop((0, 0, tw, th)).convert("RGB"))
    assert first_tile.std() > 10  # a picture, not an empty tile


def test_reference_image_becomes_the_backdrop(tmp_path: Path) -> None:
    red = png_bytes(32, 32, (220, 10, 10))
    clip = render_clip(ClipRequest("ref", 640, 360, 2, reference=red), tmp_path)
    with Image.open(clip.thumbnail) as img:
        thumb = np.asarray(img.convert("RGB"))
    middle_left = thumb[150:160, 20:30].reshape(-1, 3).mean(axis=0)
    assert middle_left[0] > 150
    assert middle_left[1] < 80


def test_framecode_detects_misreads() -> None:
    frame = np.zeros((360, 640, 3), dtype=np.uint8)
    framecode.stamp(frame, 1234)
    assert framecode.read(frame) == 1234
    c = framecode.cell_size(640, 360)
    frame[2 * c : 3 * c, c : 2 * c] = frame[c : 2 * c, c : 2 * c]  # break one complement pair
    assert framecode.read(frame) is None
    with pytest.raises(ValueError, match="out of range"):
        framecode.stamp(frame, framecode.MAX_INDEX + 1)


def test_odd_sizes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="even"):
        render_clip(ClipRequest("odd", 641, 360, 2), tmp_path)


def test_unreadable_reference_falls_back_to_the_pattern(tmp_path: Path) -> None:
    clip = render_clip(ClipRequest("bad ref", 640, 360, 2, reference=b"not an image"), tmp_path)
    assert Image.open(io.BytesIO(clip.thumbnail.read_bytes())).size == (640, 360)
