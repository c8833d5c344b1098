"""Safe-area guides over the picture: action-safe (93 % of the frame) and title-safe
(90 %), centred on the picture as displayed, and a logo-safe margin set in Settings.
Plain geometry (x, y, width, height tuples), so it is tested without a screen."""

from __future__ import annotations

Rect = tuple[float, float, float, float]

ACTION_SAFE = 0.93
TITLE_SAFE = 0.90


def inset(rect: Rect, fraction: float) -> Rect:
    """The rectangle `fraction` of `rect`'s width and height, centred in it."""
    x, y, w, h = rect
    return x + w * (1 - fraction) / 2, y + h * (1 - fraction) / 2, w * fraction, h * fraction


def safe_areas(picture: Rect, logo_percent: float) -> dict[str, Rect]:
    """The guides for a picture shown at `picture` (its displayed rectangle, not the
    widget's): each a rectangle inside it."""
    areas = {"action-safe": inset(picture, ACTION_SAFE), "title-safe": inset(picture, TITLE_SAFE)}
    if logo_percent > 0:
        x, y, w, h = picture
        margin = min(w, h) * logo_percent / 100  # the same distance from every edge
        areas["logo-safe"] = (x + margin, y + margin, w - 2 * margin, h - 2 * margin)
    return areas
