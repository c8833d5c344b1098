"""Themes: the palette and the stylesheet, from `resources/theme` (data, not code).

`apply_theme(app, "dark")` sets the Fusion style, the theme's QPalette and `studio.qss`
filled with the theme's named colours. A theme file with a mistake is named with its field
and the built-in dark theme is used instead; the window never comes up unstyled.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from studio.errors import ConfigError
from studio.resources import read_toml, resources_dir

DEFAULT = "dark"
THEME_FILES = ("dark.toml", "light.toml", "studio.qss")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
ROLES = {role.name: role for role in QPalette.ColorRole if role.name != "NColorRoles"}


class ThemeError(ConfigError):
    """A theme file is unreadable or has a bad field; the message names both."""


@dataclass(frozen=True)
class Theme:
    name: str
    palette: dict[str, str]  # role → "#rrggbb"
    disabled: dict[str, str]
    colours: dict[str, str]  # named colours for the stylesheet

    def colour(self, name: str) -> QColor:
        return QColor(self.colours[name])


def theme_dir() -> Path:
    return resources_dir() / "theme"


def load_theme(name: str, folder: Path | None = None) -> Theme:
    path = (folder or theme_dir()) / f"{name}.toml"
    data = read_toml(path, ThemeError)

    def table(key: str, *, roles: bool) -> dict[str, str]:
        raw = data.get(key, {})
        if not isinstance(raw, dict):
            raise ThemeError(f"{path}: [{key}] must be a table")
        for field, value in raw.items():
            if roles and field not in ROLES:
                raise ThemeError(f"{path}: {key}.{field} is not a palette role")
            if not isinstance(value, str) or not _HEX.match(value):
                raise ThemeError(f'{path}: {key}.{field} must be a colour like "#2b2b2b"')
        return dict(raw)

    theme = Theme(
        name,
        table("palette", roles=True),
        table("disabled", roles=True),
        table("colours", roles=False),
    )
    for needed in ("accent", "on_accent", "error", "border"):
        if needed not in theme.colours:
            raise ThemeError(f"{path}: colours.{needed} is missing")
    return theme


@functools.cache
def _stylesheet_template(folder: Path) -> string.Template:
    return string.Template((folder / "studio.qss").read_text(encoding="utf-8"))


def stylesheet(theme: Theme, folder: Path | None = None) -> str:
    try:
        return _stylesheet_template(folder or theme_dir()).substitute(theme.colours)
    except KeyError as err:
        raise ThemeError(f"studio.qss names {err.args[0]!r}, not in {theme.name}.toml") from None
    except ValueError as err:
        raise ThemeError(f"studio.qss: {err}") from None


def palette(theme: Theme) -> QPalette:
    result = QPalette()
    for role, value in theme.palette.items():
        result.setColor(ROLES[role], QColor(value))
    for role, value in theme.disabled.items():
        result.setColor(QPalette.ColorGroup.Disabled, ROLES[role], QColor(value))
    return result


_current: Theme | None = None


def apply_theme(app: QApplication, name: str, folder: Path | None = None) -> str:
    """Style the whole application; returns a problem to tell the person (empty if none)."""
    global _current
    problem = ""
    try:
        theme = load_theme(name, folder)
        sheet = stylesheet(theme, folder)
    except ConfigError as err:
        problem = f"{err} — using the built-in dark theme."
        theme = load_theme(DEFAULT)
        try:
            sheet = stylesheet(theme)
        except ConfigError:
            sheet = ""  # the palette alone still reads
    app.setStyle("Fusion")
    app.setPalette(palette(theme))
    app.setStyleSheet(sheet)
    _current = theme
    return problem


def current() -> Theme:
    """The theme in use (the dark one before any was applied)."""
    return _current or load_theme(DEFAULT)


def repolish(widget: QWidget) -> None:
    """After a property the stylesheet reads has changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()
