"""Render a real H.264 MP4 test clip with PyAV, plus thumbnail and spritesheet images.

The scene pans over a gradient (or the reference image) with a bouncing ball and a sweeping
hand, so motion is visible; the prompt, model and timecode are burned in; each frame carries
its index as a block code (see `framecode`) so tests can check exact frame positions.
"""

from __future__ import annotations

import io
import math
import os
import textwrap
import zlib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from studio.sim import framecode

FPS = 24
SPRITE_TILES = 20
SPRITE_COLUMNS = 5
SPRITE_TILE_WIDTH = 192
AUDIO_RATE = 48_000


@dataclass(frozen=True)
class ClipRequest:
    prompt: str
    width: int
    height: int
    seconds: int
    model: str = "sim"
    audio: bool = False
    reference: bytes | None = None
    take: str = ""  # the job id: burned in, and it moves the scene, so no two takes match


@dataclass(frozen=True)
class RenderedClip:
    video: Path
    thumbnail: Path
    spritesheet: Path
    frames: int


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(8, size))


def _background(req: ClipRequest, pan: int) -> Image.Image:
    width, height = req.width + pan, req.height
    if req.reference:
        try:
            with Image.open(io.BytesIO(req.reference)) as ref:
                return ref.convert("RGB").resize((width, height))
        except (OSError, ValueError):
            pass  # an unreadable reference falls back to the test pattern
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    r = 40 + 120 * x + 0 * y
    g = 60 + 80 * y + 0 * x
    b = 120 + 100 * (1 - x) * (1 - y)
    bands = (np.sin(x * 18 * math.pi) > 0.92) * 50  # stripes make the pan visible
    rgb = np.stack([r + bands, g + bands, b + bands], axis=2).clip(0, 255).astype(np.uint8)
    return Image.fromarray(rgb, "RGB")


def _caption(req: ClipRequest) -> Image.Image:
    """The prompt on a translucent band, rendered once per clip."""
    size = max(10, req.height // 30)
    font = _font(size)
    chars = max(20, int(req.width / (size * 0.55)))
    lines = textwrap.wrap(req.prompt, chars)[:3] or [""]
    band_h = size * (len(lines) + 1) + size // 2
    band = Image.new("RGBA", (req.width, band_h), (0, 0, 0, 150))
    draw = ImageDraw.Draw(band)
    for i, line in enumerate(lines):
        draw.text((size, size // 2 + i * (size + 4)), line, font=font, fill=(255, 255, 255, 255))
    return band


def _timecode(index: int) -> str:
    seconds, frame = divmod(index, FPS)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}:{frame:02d}"


class _Scene:
    def __init__(self, req: ClipRequest, total: int) -> None:
        self.req = req
        self.total = total
        self.pan = max(2, req.width // 4)
        self.bg = _background(req, self.pan)
        self.caption = _caption(req)
        self.font = _font(max(10, req.height // 24))
        self.small = _font(max(8, req.height // 40))
        # Like a real model, each take of one prompt comes out different.
        self.phase = (zlib.crc32(req.take.encode()) % 1000) / 1000 * 2 * math.pi

    def frame(self, index: int) -> npt.NDArray[np.uint8]:
        w, h, t = self.req.width, self.req.height, index / FPS
        offset = int(self.pan * index / max(1, self.total - 1))
        img = self.bg.crop((offset, 0, offset + w, h))
        draw = ImageDraw.Draw(img)
        radius = max(6, h // 12)
        cx = radius + (w - 2 * radius) * (0.5 + 0.5 * math.sin(t * 1.7 + self.phase))
        cy = radius + (h * 0.6 - radius) * abs(math.sin(t * 3.1))
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(250, 200, 40))
        hx, hy, length = w * 0.82, h * 0.42, h * 0.16
        angle = t * 2 * math.pi / 4
        draw.line(
            (hx, hy, hx + length * math.sin(angle), hy - length * math.cos(angle)),
            fill=(255, 255, 255),
            width=max(2, h // 120),
        )
        img.paste(self.caption, (0, h - self.caption.height), self.caption)
        label = f"{_timecode(index)}  #{index}"
        draw.text((w - w // 3, h // 40), label, font=self.font, fill=(255, 255, 255))
        line = max(10, h // 24) + 4
        draw.text(
            (w - w // 3, h // 40 + line),
            f"{self.req.model} {w}x{h}",
            font=self.small,
            fill=(220, 220, 220),
        )
        if self.req.take:  # the job, on a line of its own (each take is its own picture)
            draw.text(
                (w - w // 3, h // 40 + line + max(8, h // 40) + 4),
                self.req.take[-16:],
                font=self.small,
                fill=(220, 220, 220),
            )
        pixels = np.array(img, dtype=np.uint8)
        framecode.stamp(pixels, index)
        return pixels


def render_clip(req: ClipRequest, folder: Path) -> RenderedClip:
    """Write video.mp4, thumbnail.webp and spritesheet.jpg into `folder` (atomically each)."""
    if req.width % 2 or req.height % 2:
        raise ValueError("width and height must be even for H.264")
    folder.mkdir(parents=True, exist_ok=True)
    total = req.seconds * FPS
    scene = _Scene(req, total)
    sample_at = _sprite_indices(total)
    tiles: list[Image.Image] = []
    thumb: Image.Image | None = None

    video_tmp = folder / "video.mp4.tmp"
    with av.open(str(video_tmp), "w", format="mp4", options={"movflags": "faststart"}) as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height = req.width, req.height
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "20", "g": str(FPS)}
        audio = out.add_stream("aac", rate=AUDIO_RATE, layout="stereo") if req.audio else None
        for index in range(total):
            pixels = scene.frame(index)
            if index == 0:
                thumb = Image.fromarray(pixels)
            if index in sample_at:
                tiles.append(Image.fromarray(pixels))
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            frame.time_base = Fraction(1, FPS)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
        if audio is not None:
            _write_tone(out, audio, req.seconds)
    _publish(video_tmp, folder / "video.mp4")

    assert thumb is not None
    _save_image(thumb, folder / "thumbnail.webp", "WEBP")
    _save_image(_sheet(tiles, req.width, req.height), folder / "spritesheet.jpg", "JPEG")
    return RenderedClip(
        folder / "video.mp4", folder / "thumbnail.webp", folder / "spritesheet.jpg", total
    )


def _write_tone(out: av.container.OutputContainer, stream: av.AudioStream, seconds: int) -> None:
    """A 440 Hz beep on every second, so audio presence and sync are audible."""
    chunk = 1024
    total = seconds * AUDIO_RATE
    for start in range(0, total, chunk):
        n = min(chunk, total - start)
        t = (np.arange(start, start + n) / AUDIO_RATE).astype(np.float32)
        beep = ((t % 1.0) < 0.15).astype(np.float32)
        wave = 0.2 * beep * np.sin(2 * np.pi * 440 * t)
        samples = np.stack([wave, wave]).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="stereo")
        frame.sample_rate = AUDIO_RATE
        frame.pts = start
        frame.time_base = Fraction(1, AUDIO_RATE)
        out.mux(stream.encode(frame))
    out.mux(stream.encode(None))


def _sprite_indices(total: int) -> set[int]:
    tiles = min(total, SPRITE_TILES)
    if tiles <= 1:
        return {0}
    return {round(i * (total - 1) / (tiles - 1)) for i in range(tiles)}


def sprite_layout(width: int, height: int, seconds: int) -> tuple[int, int, int, int]:
    """(columns, rows, tile_width, tile_height) of a clip's spritesheet, in time order."""
    tiles = len(_sprite_indices(seconds * FPS))
    tile_h = max(2, round(SPRITE_TILE_WIDTH * height / width))
    return SPRITE_COLUMNS, math.ceil(tiles / SPRITE_COLUMNS), SPRITE_TILE_WIDTH, tile_h


def _sheet(tiles: list[Image.Image], width: int, height: int) -> Image.Image:
    tw, th = SPRITE_TILE_WIDTH, max(2, round(SPRITE_TILE_WIDTH * height / width))
    columns = SPRITE_COLUMNS
    rows = math.ceil(len(tiles) / columns)
    sheet = Image.new("RGB", (columns * tw, rows * th))
    for i, tile in enumerate(tiles):
        sheet.paste(tile.resize((tw, th)), ((i % columns) * tw, (i // columns) * th))
    return sheet


def _save_image(img: Image.Image, path: Path, fmt: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    img.save(tmp, fmt, quality=85)
    _publish(tmp, path)


def _publish(tmp: Path, final: Path) -> None:
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, final)
