"""Where a crop falls and whether an image is enlarged: plain geometry shared by the image
fitting (Pillow) and the editor's preview, which must not load Pillow to draw a box."""

from __future__ import annotations


def crop_box(
    source: tuple[int, int], size: tuple[int, int], focus: tuple[float, float] = (0.5, 0.5)
) -> tuple[float, float, float, float]:
    """The part of the source (x, y, width, height in its pixels) that a crop to `size`
    around `focus` keeps — what `fit_image` sends, and what the editor draws."""
    (sw, sh), (width, height) = source, size
    scale = max(width / sw, height / sh)
    scaled_w, scaled_h = max(width, round(sw * scale)), max(height, round(sh * scale))
    left = round((scaled_w - width) * min(max(focus[0], 0.0), 1.0))
    top = round((scaled_h - height) * min(max(focus[1], 0.0), 1.0))
    return left / scale, top / scale, width / scale, height / scale


def upscaled(source: tuple[int, int], size: tuple[int, int]) -> bool:
    """Smaller than the output in either dimension: fitting will enlarge (soften) it."""
    return source[0] < size[0] or source[1] < size[1]


__all__ = ["crop_box", "upscaled"]
