"""Spritesheet previews: a clip's frames at even steps in one image (the simulator's and
OpenAI's layout: 20 tiles, 5 to a row). The scrub bar's hover and the grid's hover scrub
read them here."""

from __future__ import annotations

from PySide6.QtGui import QPixmap

SPRITE_COLUMNS, SPRITE_TILES = 5, 20


def sprite_tile(sheet: QPixmap, fraction: float) -> QPixmap:
    """The tile for a point through the clip (0 the start, 1 the end)."""
    rows = -(-SPRITE_TILES // SPRITE_COLUMNS)
    w, h = sheet.width() // SPRITE_COLUMNS, sheet.height() // rows
    tile = int(max(0.0, min(fraction, 0.999)) * SPRITE_TILES)
    return sheet.copy((tile % SPRITE_COLUMNS) * w, (tile // SPRITE_COLUMNS) * h, w, h)
