"""Where the window was and what it showed (window.ini in the config folder): geometry,
each workspace's docks, and the workspace that was up (the review with which takes). The
layout is written when it changes, not only on a clean quit, so a crash reopens what was
there."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import QMainWindow

from studio.core import paths


@dataclass(frozen=True)
class SavedReview:
    workspace: str  # write | review | library
    takes: list[int]
    current: int | None


class WindowState:
    def __init__(self) -> None:
        self.settings = QSettings(
            str(paths.config_dir() / "window.ini"), QSettings.Format.IniFormat
        )

    def restore_geometry(self, window: QMainWindow) -> None:
        """The window's own rectangle (not the frame's: with no window manager, Qt's saved
        frame geometry puts the window a title bar lower each start), kept on screen."""
        rect = _ids(self.settings.value("rect"))
        screen = window.screen().availableGeometry()
        if len(rect) != 4:  # the first run: most of the screen, centred
            w, h = first_size(screen.width(), screen.height())
            x = screen.left() + (screen.width() - w) // 2
            y = screen.top() + (screen.height() - h) // 2
            rect = [x, y, w, h]
        if len(rect) == 4:
            x, y, w, h = rect
            w, h = min(w, screen.width()), min(h, screen.height())
            x = max(screen.left(), min(x, screen.right() - w + 1))
            y = max(screen.top(), min(y, screen.bottom() - h + 1))
            window.setGeometry(x, y, w, h)
        if self.settings.value("maximized") == "true":
            window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)

    def workspace_state(self, name: str) -> QByteArray | None:
        """The docks as they were last left in a workspace (None: never left yet)."""
        state = self.settings.value(f"workspaces/{name}")
        if state is None and name == "write":
            state = self.settings.value("state")  # before workspaces: the writing layout
        return state if isinstance(state, QByteArray) else None

    def save_workspace(self, name: str, state: QByteArray) -> None:
        self.settings.setValue(f"workspaces/{name}", state)

    def save_window(self, window: QMainWindow) -> None:
        """The window's rectangle (each workspace's docks are saved as it is left)."""
        normal = window.normalGeometry() if window.isMaximized() else window.geometry()
        self.settings.setValue(
            "rect",
            ",".join(str(v) for v in (normal.x(), normal.y(), normal.width(), normal.height())),
        )
        self.settings.setValue("maximized", "true" if window.isMaximized() else "false")
        self.settings.sync()

    def save_review(self, workspace: str, takes: list[int], current: int | None) -> None:
        self.settings.setValue("workspace", workspace)
        self.settings.setValue("reviewing", ",".join(map(str, takes)))
        self.settings.setValue("current", "" if current is None else str(current))
        self.settings.sync()

    def saved_review(self) -> SavedReview:
        current = _ids(self.settings.value("current"))
        workspace = self.settings.value("workspace")
        if workspace is None:  # before workspaces: the review layout or the writing one
            workspace = "review" if self.settings.value("layout") == "review" else "write"
        return SavedReview(
            str(workspace),
            _ids(self.settings.value("reviewing")),
            current[0] if current else None,
        )

    def library_tab(self) -> int:
        """The Library workspace's tab in front: 0 the library, 1 Metrics."""
        return 1 if str(self.settings.value("library/tab", "0")) == "1" else 0

    def set_library_tab(self, index: int) -> None:
        self.settings.setValue("library/tab", str(index))

    def library_mode(self, default: int) -> int:
        """How the library was shown last (the panel's mode: table or a grid size)."""
        value = str(self.settings.value("library/mode", default))
        return int(value) if value.isdigit() else default

    def set_library_mode(self, index: int) -> None:
        self.settings.setValue("library/mode", str(index))

    def folder(self, purpose: str) -> str:
        """The folder last used to `purpose` (export, import); "" if none yet."""
        return str(self.settings.value(f"folders/{purpose}", "") or "")

    def set_folder(self, purpose: str, folder: str) -> None:
        self.settings.setValue(f"folders/{purpose}", folder)


def _ids(value: object) -> list[int]:
    """Job ids saved as "3,4,5" (QSettings may hand back a list for a comma string)."""
    parts = value if isinstance(value, list) else str(value or "").split(",")
    return [int(p) for p in (str(x).strip() for x in parts) if p.lstrip("-").isdigit()]


def first_size(width: int, height: int) -> tuple[int, int]:
    """The window's size on the first run: the whole of a small screen (a 1366x768 laptop),
    nine tenths of a larger one, never under 1024x640 where the screen has that room."""
    if width <= 1440:
        return width, height
    return max(1024, width * 9 // 10), max(640, height * 9 // 10)
