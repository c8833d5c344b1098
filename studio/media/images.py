"""Reference images: check what a person gave us, and fit it to the output frame.

The fitted PNG bytes are what is sent and stored (and hashed into the idempotency key), so a
re-render with the same image and spec is recognised.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image, UnidentifiedImageError

from studio.core.errors import StudioError

MAX_FILE_BYTES = 50 * 1024 * 1024
# Read from the header, before anything is decoded: a 157-byte PNG can claim 1 × 40,000
# pixels, and fitting that to a frame would ask for gigabytes.
MAX_SIDE = 16_384
MAX_PIXELS = 100_000_000  # 100 MP: more than any camera; refuses decompression bombs
MAX_ASPECT = 8.0  # beyond 8:1 a fitted crop or pad is a sliver, never what was meant
FORMATS = {"PNG", "JPEG", "WEBP"}
FitMode = Literal["crop", "pad"]


class ImageError(StudioError):
    """The file is not an image we can use; the message says why."""


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    width: int
    height: int
    format: str

    @property
    def mime(self) -> str:
        return {"JPEG": "image/jpeg", "WEBP": "image/webp"}.get(self.format, "image/png")


def check_image(path: Path) -> CheckedImage:
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as err:
        raise ImageError(f"Cannot read {name}: {err.strerror or err}.") from None
    if not path.is_file():
        what = "a folder" if path.is_dir() else "not a regular file"
        raise ImageError(f"{name} is {what}; choose an image file.")
    if size == 0:
        raise ImageError(f"{name} is empty (0 bytes).")
    if size > MAX_FILE_BYTES:
        raise ImageError(
            f"{name} is {size / 1e6:.0f} MB; the limit is {MAX_FILE_BYTES // 10**6} MB."
        )
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ImageError(f"Cannot read {name}: {err.strerror or err}.") from None
    return check_image_bytes(data, name)


def check_image_bytes(data: bytes, name: str = "the image") -> CheckedImage:
    if not data:
        raise ImageError(f"{name} is empty (0 bytes).")
    try:
        with warnings.catch_warnings():
            # We enforce our own, stricter pixel limit below, with a message a person can use.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
        with img:
            fmt = img.format or "?"
            width, height = img.size
            if fmt not in FORMATS:
                raise ImageError(f"{name} is a {fmt} image; use PNG, JPEG or WebP.")
            _check_size(name, width, height)
            if getattr(img, "n_frames", 1) > 1:
                raise ImageError(f"{name} is animated; use a still image.")
            img.load()  # decodes fully: catches truncated and corrupt files
    except ImageError:
        raise
    except Image.DecompressionBombError as err:
        found = re.search(r"\((\d+) pixels\)", str(err))
        size = f"{int(found.group(1)) // 1_000_000} megapixels" if found else "too large"
        raise ImageError(
            f"{name} is {size}; the limit is {MAX_PIXELS // 1_000_000} megapixels."
        ) from None
    except UnidentifiedImageError:
        raise ImageError(f"{name} is not an image (or not a format Studio reads).") from None
    except (OSError, ValueError, SyntaxError) as err:
        raise ImageError(f"{name} is damaged and cannot be read ({err}).") from None
    return CheckedImage(data, width, height, fmt)


def _check_size(name: str, width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise ImageError(f"{name} has no pixels ({width} × {height}).")
    if max(width, height) > MAX_SIDE:
        raise ImageError(
            f"{name} is {width:,} × {height:,} pixels; the limit is {MAX_SIDE:,} on a side."
        )
    if width * height > MAX_PIXELS:
        raise ImageError(
            f"{name} is {width:,} × {height:,} pixels; the limit is "
            f"{MAX_PIXELS // 1_000_000} megapixels."
        )
    if max(width, height) / min(width, height) > MAX_ASPECT:
        raise ImageError(
            f"{name} is {width:,} × {height:,} pixels, an aspect ratio beyond "
            f"{MAX_ASPECT:g}:1; use an image closer to the output frame."
        )


def fit_image(
    data: bytes,
    size: tuple[int, int],
    mode: FitMode = "crop",
    *,
    pad_color: tuple[int, int, int] = (0, 0, 0),
    focus: tuple[float, float] = (0.5, 0.5),
) -> bytes:
    """Crop (around `focus`, fractions of the free space) or pad to exactly `size`; PNG bytes."""
    width, height = size
    with Image.open(io.BytesIO(data)) as src:
        img = src.convert("RGB")
    if mode == "crop":
        scale = max(width / img.width, height / img.height)
        scaled = img.resize(
            (max(width, round(img.width * scale)), max(height, round(img.height * scale)))
        )
        left = round((scaled.width - width) * min(max(focus[0], 0.0), 1.0))
        top = round((scaled.height - height) * min(max(focus[1], 0.0), 1.0))
        out = scaled.crop((left, top, left + width, top + height))
    else:
        scale = min(width / img.width, height / img.height)
        scaled = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))))
        out = Image.new("RGB", (width, height), pad_color)
        out.paste(scaled, ((width - scaled.width) // 2, (height - scaled.height) // 2))
    buffer = io.BytesIO()
    out.save(buffer, "PNG")
    return buffer.getvalue()
