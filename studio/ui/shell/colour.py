"""Colour maths for the themes, without Qt: "#rrggbb" strings, WCAG 2 relative luminance
and contrast ratio (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio).

The themes promise that every state a reviewer reads at a glance (a checked score, the
current criterion, the focused panel, a selected row) differs from its resting state by at
least 3:1; the tests measure that on rendered pixels with these functions.
"""

from __future__ import annotations

import re

RGB = tuple[int, int, int]
_HEX = re.compile(r"#([0-9a-fA-F]{6})")


def parse_hex(text: str) -> RGB:
    """(r, g, b) of a "#rrggbb" colour; ValueError for anything else."""
    match = _HEX.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"not a colour like #3778c2: {text!r}")
    value = int(match.group(1), 16)
    return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF


def relative_luminance(rgb: RGB) -> float:
    """0.0 for black to 1.0 for white, as the eye weighs the sRGB channels."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """1.0 (the same) to 21.0 (black on white); symmetric in its arguments."""
    la, lb = relative_luminance(a), relative_luminance(b)
    lighter, darker = max(la, lb), min(la, lb)
    return (lighter + 0.05) / (darker + 0.05)
