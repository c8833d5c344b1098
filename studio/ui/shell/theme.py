"""Themes: the palette and stylesheet in `resources/theme`, applied to the application.

A theme is data: `<name>.toml` names its colours and gives Qt's palette roles those names;
`studio.qss` is one stylesheet template for every theme, using the colours as `@name`. The
Fusion style draws most widgets from the palette; the stylesheet adds the panels' frames
and the states read at a glance (a checked score or tag, the current criterion, the focused
panel, errors and warnings), keyed on object names and dynamic properties that widgets set
with `set_state()` — never on colours of their own.

A theme file with an error is named with its field and the built-in dark theme (the same
colours as `dark.toml`) is used instead. Loading costs about a millisecond, so the first
paint already has the theme.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6
from PySide6.QtCore import QDir, QEvent, QObject, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QDockWidget, QTabWidget, QWidget

from studio.core.errors import ConfigError
from studio.core.resources import read_toml, resources_dir
from studio.ui.shell.colour import parse_hex, relative_luminance

Role = QPalette.ColorRole
ROLES: dict[str, QPalette.ColorRole] = {
    "window": Role.Window,
    "window_text": Role.WindowText,
    "base": Role.Base,
    "alternate_base": Role.AlternateBase,
    "tool_tip_base": Role.ToolTipBase,
    "tool_tip_text": Role.ToolTipText,
    "placeholder_text": Role.PlaceholderText,
    "text": Role.Text,
    "button": Role.Button,
    "button_text": Role.ButtonText,
    "bright_text": Role.BrightText,
    "light": Role.Light,
    "midlight": Role.Midlight,
    "mid": Role.Mid,
    "dark": Role.Dark,
    "shadow": Role.Shadow,
    "highlight": Role.Highlight,
    "highlighted_text": Role.HighlightedText,
    "link": Role.Link,
    "link_visited": Role.LinkVisited,
    "accent": Role.Accent,
}
TEMPLATE = "studio.qss"
_NAME = re.compile(r"[a-z][a-z0-9_-]*")
_TOKEN = re.compile(r"@([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


@dataclass(frozen=True)
class Theme:
    name: str
    colours: dict[str, str]  # name → "#rrggbb"
    palette: dict[str, str]  # palette role → "#rrggbb" (active and inactive)
    disabled: dict[str, str] = field(default_factory=dict)  # roles that differ when disabled

    def colour(self, name: str) -> str:
        return self.colours[name]


# The fallback when a theme file cannot be used: the colours of resources/theme/dark.toml
# (tests/ui/test_theme.py keeps the two the same).
BUILTIN_DARK = Theme(
    "dark",
    colours={
        "window": "#1f1f1f",
        "base": "#171717",
        "alternate_base": "#1c1c1c",
        "raised": "#272727",
        "button": "#2e2e2e",
        "toggle": "#262626",
        "border": "#3a3a3a",
        "text": "#d8d8d8",
        "text_dim": "#9a9a9a",
        "text_disabled": "#6a6a6a",
        "accent": "#3778c2",
        "accent_text": "#ffffff",
        "surround": "#101010",
        "surround_text": "#c8c8c8",
        "error": "#f07070",
        "error_bg": "#4a2222",
        "warning": "#e0a030",
        "link": "#6aa7e8",
        "diff_removed": "#5c2b2b",
        "diff_added": "#2b4f2f",
    },
    palette={
        "window": "#1f1f1f",
        "window_text": "#d8d8d8",
        "base": "#171717",
        "alternate_base": "#1c1c1c",
        "tool_tip_base": "#272727",
        "tool_tip_text": "#d8d8d8",
        "placeholder_text": "#9a9a9a",
        "text": "#d8d8d8",
        "button": "#2e2e2e",
        "button_text": "#d8d8d8",
        "bright_text": "#ffffff",
        "light": "#4a4a4a",
        "midlight": "#363636",
        "mid": "#787878",
        "dark": "#141414",
        "shadow": "#0a0a0a",
        "highlight": "#3778c2",
        "highlighted_text": "#ffffff",
        "link": "#6aa7e8",
        "link_visited": "#6aa7e8",
        "accent": "#3778c2",
    },
    disabled={
        "window_text": "#6a6a6a",
        "text": "#6a6a6a",
        "button_text": "#6a6a6a",
        "highlight": "#3a3a3a",
        "highlighted_text": "#9a9a9a",
    },
)

_active: Theme = BUILTIN_DARK


def theme_dir() -> Path:
    return resources_dir() / "theme"


def load_theme(name: str, folder: Path | None = None) -> Theme:
    """The named theme from its file; ConfigError naming the file and field if unusable."""
    folder = folder or theme_dir()
    if not _NAME.fullmatch(name):
        raise ConfigError(f"{name!r} is not a theme name (such as dark or light).")
    path = folder / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.toml"))) or "none"
        raise ConfigError(f"There is no theme named {name!r} in {folder} (there are {known}).")
    data = read_toml(path)
    colours = {
        key: _hex(value, f"colours.{key}", path)
        for key, value in _table(data, "colours", path).items()
    }
    for key in BUILTIN_DARK.colours:
        if key not in colours:
            raise ConfigError(f"{path}: colours.{key} is missing.")
    table = _table(data, "palette", path)
    roles = {k: v for k, v in table.items() if k != "disabled"}
    palette = _roles(roles, colours, "palette", path)
    for role in ROLES:
        if role not in palette:
            raise ConfigError(f"{path}: palette.{role} is missing.")
    disabled = _table(table, "disabled", path, "palette.") if "disabled" in table else {}
    return Theme(name, colours, palette, _roles(disabled, colours, "palette.disabled", path))


def _table(data: dict[str, object], key: str, path: Path, prefix: str = "") -> dict[str, object]:
    table = data.get(key)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{prefix}{key}] is missing or is not a table.")
    return table


def _roles(
    roles: dict[str, object], colours: dict[str, str], prefix: str, path: Path
) -> dict[str, str]:
    """Palette roles with their colours: a name from [colours] or a "#rrggbb"."""
    out = {}
    for role, value in roles.items():
        if role not in ROLES:
            raise ConfigError(
                f"{path}: {prefix}.{role} is not a palette role (they are {', '.join(ROLES)})."
            )
        named = colours.get(value) if isinstance(value, str) else None
        out[role] = named or _hex(value, f"{prefix}.{role}", path)
    return out


def _hex(value: object, where: str, path: Path) -> str:
    if isinstance(value, str):
        try:
            parse_hex(value)
            return value.strip().lower()
        except ValueError:
            pass
    raise ConfigError(
        f"{path}: {where} must be a colour like #3778c2 or a name from [colours], not {value!r}."
    )


def stylesheet(theme: Theme, folder: Path | None = None) -> str:
    """The stylesheet template with the theme's colours in place of its @names."""
    path = (folder or theme_dir()) / TEMPLATE
    try:
        template = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read ({err})") from None

    # Comments go (their lines kept, so an error names the line in the file).
    template = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), template)

    def colour(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in theme.colours:
            line = template.count("\n", 0, match.start()) + 1
            raise ConfigError(
                f"{path}, line {line}: @{name} is not a colour of the {theme.name} theme."
            )
        return theme.colours[name]

    return _TOKEN.sub(colour, template)


def apply_theme(app: QApplication, name: str, folder: Path | None = None) -> str:
    """Fusion, the theme's palette and the stylesheet, on the whole application. Returns
    what was wrong ("" if nothing): a theme file with an error is named with its field and
    the built-in dark theme used; a stylesheet with an error leaves the palette alone."""
    global _active
    problems = []
    try:
        theme = load_theme(name, folder)
    except ConfigError as err:
        problems.append(f"{err} Using the built-in dark theme.")
        theme = BUILTIN_DARK
    try:
        sheet = stylesheet(theme, folder)
    except ConfigError as err:
        problems.append(f"{err} The window is drawn without the stylesheet.")
        sheet = ""
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")  # draws from the palette alike on every platform
    # Native parts (title bars, file dialogs where native) follow the theme too.
    window, text = (relative_luminance(parse_hex(theme.palette[r])) for r in ("window", "text"))
    app.styleHints().setColorScheme(Qt.ColorScheme.Dark if window < text else Qt.ColorScheme.Light)
    app.setPalette(_palette(theme))
    # The stylesheet's pictures (url(theme:check.svg)) come from the theme's folder, else
    # from the built-in one.
    QDir.setSearchPaths(
        "theme", list(dict.fromkeys([str(folder or theme_dir()), str(theme_dir())]))
    )
    if app.styleSheet() != sheet:  # every widget is restyled: ~0.4 s with the panels built
        app.setStyleSheet(sheet)
    _active = theme
    FocusMarker.install(app)
    return " ".join(problems)


def _palette(theme: Theme) -> QPalette:
    palette = QPalette()
    for role_name, role in ROLES.items():
        palette.setColor(role, QColor(theme.palette[role_name]))
        disabled = theme.disabled.get(role_name)
        if disabled is not None:
            palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled))
    return palette


def active_theme() -> Theme:
    return _active


def colour(name: str) -> str:
    """A named colour of the theme in use ("#rrggbb"), for the few places that draw rich
    text or paint themselves (the prompt diff's highlights)."""
    return _active.colour(name)


def set_state(widget: QWidget, name: str, value: bool) -> None:
    """Set a property the stylesheet keys on (`[error="true"]`) and restyle the widget;
    nothing happens when it already has that value."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


class FocusMarker(QObject):
    """Marks the panel holding the keyboard focus (`focused` on the dock, or on the review
    stage and its tab bar), so the stylesheet can light its title. Focus moving into a
    dialog leaves the mark where it was; moving to a widget of the window outside any
    panel (the menu bar) clears it."""

    NAME = "studioFocusMarker"

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName(self.NAME)
        self.marked: QWidget | None = None
        app.focusChanged.connect(self._moved)

    @classmethod
    def install(cls, app: QApplication) -> FocusMarker:
        found = app.findChild(FocusMarker, cls.NAME)
        return found if found is not None else cls(app)

    def _moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None:
            return  # the application lost the focus: keep the mark
        panel = panel_of(new)
        marked = self.marked if self.marked is not None and shiboken6.isValid(self.marked) else None
        if panel is None and marked is not None and marked.window() is not new.window():
            return  # a dialog or another window
        if panel is marked:
            return
        if marked is not None:
            _mark(marked, False)
        if panel is not None:
            _mark(panel, True)
        self.marked = panel


def panel_of(widget: QWidget) -> QWidget | None:
    """The dock or the review stage that contains the widget, if any."""
    current: QWidget | None = widget
    while current is not None:
        if isinstance(current, QDockWidget) or current.objectName() == "stage":
            return current
        current = current.parentWidget()
    return None


def _mark(panel: QWidget, on: bool) -> None:
    set_state(panel, "focused", on)
    if isinstance(panel, QDockWidget):  # its title buttons take their icons anew
        QApplication.sendEvent(panel, QEvent(QEvent.Type.StyleChange))
    if isinstance(panel, QTabWidget):
        set_state(panel.tabBar(), "focused", on)
