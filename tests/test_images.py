"""Reference image checks and fitting."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from studio.media.images import ImageError, check_image, check_image_bytes, fit_image
from tests.helpers import png_bytes


def test_good_image(tmp_path: Path) -> None:
    path = tmp_path / "ok.png"
    path.write_bytes(png_bytes(120, 80))
    checked = check_image(path)
    assert (checked.width, checked.height, checked.format) == (120, 80, "PNG")


def gif_animation() -> bytes:
    frames = [Image.new("RGB", (10, 10), c) for c in ((255, 0, 0), (0, 255, 0))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


def animated_webp() -> bytes:
    frames = [Image.new("RGB", (10, 10), c) for c in ((255, 0, 0), (0, 255, 0))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "WEBP", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"this is not an image at all", "not an image"),
        (png_bytes()[:60], "damaged"),
        (gif_animation(), "GIF image; use PNG, JPEG or WebP"),
        (animated_webp(), "animated"),
    ],
)
def test_bad_images_get_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(ImageError, match=message):
        check_image_bytes(data, "photo.png")


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match=r"Cannot read gone\.png"):
        check_image(tmp_path / "gone.png")
    (tmp_path / "zero.png").write_bytes(b"")
    with pytest.raises(ImageError, match=r"zero.png is empty \(0 bytes\)"):
        check_image(tmp_path / "zero.png")


def test_huge_dimensions_are_refused_without_decoding() -> None:
    buffer = io.BytesIO()
    Image.new("1", (11_000, 11_000)).save(buffer, "PNG")  # 121 MP, tiny file
    with pytest.raises(ImageError, match="11,000 × 11,000 pixels; the limit is 100 megapixels"):
        check_image_bytes(buffer.getvalue(), "big.png")


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ((1, 40_000), "1 × 40,000 pixels; the limit is 16,384 on a side"),
        ((20_000, 100), "20,000 × 100 pixels; the limit is 16,384 on a side"),
        ((9_000, 1_000), "an aspect ratio beyond 8:1"),
        ((100, 900), "an aspect ratio beyond 8:1"),
    ],
)
def test_slivers_and_giant_sides_are_refused_from_the_header(
    size: tuple[int, int], message: str, tmp_path: Path
) -> None:
    """A 157-byte PNG of 1 × 40,000 pixels used to exhaust memory when fitted."""
    buffer = io.BytesIO()
    Image.new("1", size).save(buffer, "PNG")
    assert len(buffer.getvalue()) < 20_000
    with pytest.raises(ImageError, match=message):
        check_image_bytes(buffer.getvalue(), "odd.png")


@pytest.mark.parametrize("mode", ["crop", "pad"])
def test_fit_gives_exact_output_size(mode: str) -> None:
    fitted = fit_image(png_bytes(300, 300, (10, 200, 10)), (640, 360), mode)  # type: ignore[arg-type]
    with Image.open(io.BytesIO(fitted)) as img:
        assert img.size == (640, 360)
        corner = img.getpixel((2, 180))
    if mode == "pad":
        assert corner == (0, 0, 0)  # padded sides
    else:
        assert corner == (10, 200, 10)  # the image fills the frame


def test_decompression_bomb_sized_image_is_refused_clearly() -> None:
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG")  # 400 MP: Pillow itself refuses
    with pytest.raises(ImageError, match="400 megapixels; the limit is 100 megapixels"):
        check_image_bytes(buffer.getvalue(), "bomb.png")
