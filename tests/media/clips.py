"""Clips made for the pre-screen tests with PyAV and numpy: a clean scene that moves and
has texture (and a tone where sound is asked), and the same scene with one defect placed
at a known time, so each test knows where its flag must be."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Literal

import av
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFilter

FPS = 24
WIDTH, HEIGHT = 320, 180
AUDIO_RATE = 48_000

Picture = npt.NDArray[np.uint8]
Defect = Callable[[int, Picture], Picture]  # frame index, clean picture → what is shown


@cache
def _texture(width: int, height: int) -> Picture:
    """A soft random texture with a few bands, wide enough to pan across."""
    rng = np.random.default_rng(7)
    small = rng.random((height // 6 + 2, (width + 240) // 6 + 2, 3)) * 200 + 30
    image = Image.fromarray(small.astype(np.uint8), "RGB").resize(
        ((width + 240), height), Image.Resampling.BICUBIC
    )
    pixels = np.asarray(image, dtype=np.int16)
    pixels[:, ::16] += 25  # bands make the pan plain to see
    return np.asarray(pixels.clip(0, 255), dtype=np.uint8)


def scene(index: int, width: int = WIDTH, height: int = HEIGHT, fps: int = FPS) -> Picture:
    """Frame `index` of the clean clip: the texture panning 2 px a frame, a ball moving."""
    texture = _texture(width, height)
    offset = (2 * index) % 240
    picture = texture[:, offset : offset + width].copy()
    t = index / fps
    radius = max(6, height // 10)
    cx = int(radius + (width - 2 * radius) * (0.5 + 0.5 * np.sin(t * 1.9)))
    cy = int(radius + (height - 2 * radius) * (0.5 + 0.5 * np.cos(t * 2.3)))
    yy, xx = np.ogrid[:height, :width]
    picture[(yy - cy) ** 2 + (xx - cx) ** 2 <= radius**2] = (250, 200, 40)
    return picture


def write_clip(
    path: Path,
    *,
    seconds: float = 4.0,
    width: int = WIDTH,
    height: int = HEIGHT,
    fps: int = FPS,
    audio: Literal["tone", "silent"] | None = None,
    defect: Defect | None = None,
) -> Path:
    """An H.264 MP4 (and AAC sound, if asked) of the scene, with `defect` applied."""
    frames = round(seconds * fps)
    with av.open(str(path), "w", format="mp4", options={"movflags": "faststart"}) as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "18", "g": str(fps)}
        sound = out.add_stream("aac", rate=AUDIO_RATE, layout="stereo") if audio else None
        for index in range(frames):
            picture = scene(index, width, height, fps)
            if defect is not None:
                picture = defect(index, picture)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, fps)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
        if sound is not None:
            _write_sound(out, sound, seconds, silent=audio == "silent")
    return path


def _write_sound(
    out: av.container.OutputContainer, stream: av.AudioStream, seconds: float, *, silent: bool
) -> None:
    chunk, total = 1024, round(seconds * AUDIO_RATE)
    for start in range(0, total, chunk):
        n = min(chunk, total - start)
        t = np.arange(start, start + n) / AUDIO_RATE
        wave = np.zeros(n) if silent else 0.2 * np.sin(2 * np.pi * 440 * t)
        samples = np.stack([wave, wave]).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="stereo")
        frame.sample_rate, frame.pts = AUDIO_RATE, start
        frame.time_base = Fraction(1, AUDIO_RATE)
        out.mux(stream.encode(frame))
    out.mux(stream.encode(None))


# ---- defects, each over [start, end) seconds ------------------------------------------------


def _within(index: int, start: float, end: float, fps: int = FPS) -> bool:
    return start <= index / fps < end


def black(start: float, end: float) -> Defect:
    return lambda i, p: np.zeros_like(p) if _within(i, start, end) else p


def frozen(start: float, end: float) -> Defect:
    held = round(start * FPS)
    return lambda i, p: scene(held) if _within(i, start, end) else p


def flicker(start: float, end: float, step: int = 50) -> Defect:
    """Every other frame brighter by `step`: the picture pulses at 12 Hz."""

    def pulse(i: int, p: Picture) -> Picture:
        if _within(i, start, end) and i % 2 == 0:
            return np.asarray((p.astype(np.int16) + step).clip(0, 255), dtype=np.uint8)
        return p

    return pulse


def blurred(start: float, end: float, radius: float = 4.0) -> Defect:
    def soften(i: int, p: Picture) -> Picture:
        if not _within(i, start, end):
            return p
        image = Image.fromarray(p, "RGB").filter(ImageFilter.GaussianBlur(radius))
        return np.asarray(image, dtype=np.uint8)

    return soften
