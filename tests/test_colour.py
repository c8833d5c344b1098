"""The colour maths behind the themes' 3:1 promise (studio/ui/shell/colour.py, no Qt)."""

from __future__ import annotations

import pytest

from studio.ui.shell.colour import contrast_ratio, parse_hex, relative_luminance


def test_hex_colours_parse_and_anything_else_is_refused() -> None:
    assert parse_hex("#3778c2") == (0x37, 0x78, 0xC2)
    assert parse_hex(" #FFFFFF ") == (255, 255, 255)
    for bad in ("3778c2", "#fff", "#3778c", "#gggggg", "blue", ""):
        with pytest.raises(ValueError, match="not a colour"):
            parse_hex(bad)


def test_luminance_runs_from_black_to_white_weighted_as_the_eye_sees() -> None:
    assert relative_luminance((0, 0, 0)) == 0.0
    assert relative_luminance((255, 255, 255)) == pytest.approx(1.0)
    # green carries most of the light, blue the least (WCAG's sRGB weights)
    green, red, blue = (relative_luminance(c) for c in ((0, 255, 0), (255, 0, 0), (0, 0, 255)))
    assert green == pytest.approx(0.7152)
    assert red == pytest.approx(0.2126)
    assert blue == pytest.approx(0.0722)
    # mid grey is not half the light: sRGB is gamma-encoded
    assert relative_luminance((128, 128, 128)) == pytest.approx(0.2158, abs=1e-4)


def test_contrast_ratios_match_the_published_examples() -> None:
    white, black = (255, 255, 255), (0, 0, 0)
    assert contrast_ratio(black, white) == pytest.approx(21.0)
    assert contrast_ratio(white, white) == 1.0
    # #767676 on white is the classic "just passes AA" grey (4.54:1)
    assert contrast_ratio(parse_hex("#767676"), white) == pytest.approx(4.54, abs=0.01)
    # order does not matter
    a, b = parse_hex("#3778c2"), parse_hex("#1f1f1f")
    assert contrast_ratio(a, b) == contrast_ratio(b, a)
    assert contrast_ratio(a, b) == pytest.approx(3.63, abs=0.01)
