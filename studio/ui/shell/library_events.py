"""The library's changes (`studio.library.ops`) as a Qt signal: views connect to `changed`
and refresh what they show. A change told on another thread reaches them on the GUI
thread (the signal is queued there)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from studio.library.ops import LibraryOps


class LibraryEvents(QObject):
    changed = Signal(object)  # a LibraryChange

    def __init__(self, ops: LibraryOps, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stop = ops.listen(self.changed.emit)

    def close(self) -> None:
        self._stop()
