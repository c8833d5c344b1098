"""A frame index stamped into each simulated frame as a block code, and read back.

Layout, top-left corner, on a black plate: two rows of 16 square cells. Row one holds the
frame index in binary (most significant bit first, white = 1); row two holds the complement,
so every cell pair has exactly one white cell and a misread is detected instead of returned.
Cells are large (1/45 of the short side) so H.264 at ordinary quality keeps them readable.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

BITS = 16
MAX_INDEX = (1 << BITS) - 1


def cell_size(width: int, height: int) -> int:
    return max(6, min(width, height) // 45)


def plate_box(width: int, height: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the black plate the code sits on."""
    c = cell_size(width, height)
    return 0, 0, c * (BITS + 2), c * 4


def stamp(frame: npt.NDArray[np.uint8], index: int) -> None:
    """Write `index` into an RGB frame (H, W, 3) in place."""
    if not 0 <= index <= MAX_INDEX:
        raise ValueError(f"frame index {index} out of range 0..{MAX_INDEX}")
    height, width = frame.shape[:2]
    c = cell_size(width, height)
    x0, y0, x1, y1 = plate_box(width, height)
    frame[y0:y1, x0:x1] = 0
    for bit in range(BITS):
        one = (index >> (BITS - 1 - bit)) & 1
        x = c * (bit + 1)
        frame[c : 2 * c, x : x + c] = 255 if one else 0
        frame[2 * c : 3 * c, x : x + c] = 0 if one else 255


def read(frame: npt.NDArray[np.uint8]) -> int | None:
    """The stamped index of a frame (RGB (H, W, 3) or luma (H, W)), or None if unreadable."""
    luma = frame if frame.ndim == 2 else frame[..., :3].mean(axis=2)
    height, width = luma.shape[:2]
    c = cell_size(width, height)
    m = max(1, c // 4)  # sample each cell's centre, away from blurred edges
    index = 0
    for bit in range(BITS):
        x = c * (bit + 1)
        top = float(luma[c + m : 2 * c - m, x + m : x + c - m].mean())
        bottom = float(luma[2 * c + m : 3 * c - m, x + m : x + c - m].mean())
        one, zero = top > 128, bottom > 128
        if one == zero:
            return None
        index = (index << 1) | int(one)
    return index
