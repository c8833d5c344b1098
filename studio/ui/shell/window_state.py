"""Where the window was and what it showed (window.ini in the config folder): geometry and
docks, and whether the review layout was up with which takes. The layout is written when it
changes, not only on a clean quit, so a crash reopens what was there."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMainWindow

from studio.core import paths


@dataclass(frozen=True)
class SavedReview:
    reviewing: bool
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
        if len(rect) == 4:
            x, y, w, h = rect
            w, h = min(w, screen.width()), min(h, screen.height())
            x = max(screen.left(), min(x, screen.right() - w + 1))
            y = max(screen.top(), min(y, screen.bottom() - h + 1))
            window.setGeometry(x, y, w, h)
        if self.settings.value("maximized") == "true":
            window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)

    def restore_docks(self, window: QMainWindow) -> bool:
        state = self.settings.value("state")
        return state is not None and window.restoreState(state)

    def save_window(self, window: QMainWindow) -> None:
        """Geometry and docks (saved as the writing layout has them)."""
        normal = window.normalGeometry() if window.isMaximized() else window.geometry()
        self.settings.setValue(
            "rect",
            ",".join(str(v) for v in (normal.x(), normal.y(), normal.width(), normal.height())),
        )
        self.settings.setValue("maximized", "true" if window.isMaximized() else "false")
        self.settings.setValue("state", window.saveState())
        self.settings.sync()

    def save_review(self, reviewing: bool, takes: list[int], current: int | None) -> None:
        self.settings.setValue("layout", "review" if reviewing else "writing")
        self.settings.setValue("reviewing", ",".join(map(str, takes)))
        self.settings.setValue("current", "" if current is None else str(current))
        self.settings.sync()

    def saved_review(self) -> SavedReview:
        current = _ids(self.settings.value("current"))
        return SavedReview(
            self.settings.value("layout") == "review",
            _ids(self.settings.value("reviewing")),
            current[0] if current else None,
        )

    def folder(self, purpose: str) -> str:
        """The folder last used to `purpose` (export, import); "" if none yet."""
        return str(self.settings.value(f"folders/{purpose}", "") or "")

    def set_folder(self, purpose: str, folder: str) -> None:
        self.settings.setValue(f"folders/{purpose}", folder)


def _ids(value: object) -> list[int]:
    """Job ids saved as "3,4,5" (QSettings may hand back a list for a comma string)."""
    parts = value if isinstance(value, list) else str(value or "").split(",")
    return [int(p) for p in (str(x).strip() for x in parts) if p.lstrip("-").isdigit()]
