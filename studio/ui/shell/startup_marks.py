"""Start-up trace marks that need Qt (see `studio.core.startup_trace`): the first time a
widget gets an event of a kind. Installed only when tracing, so an untraced start has no
extra filters."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject

from studio.core import startup_trace


def mark_first(watched: QObject, kind: QEvent.Type, event_name: str) -> None:
    """Mark `event_name` when `watched` first receives a `kind` event (no-op unless tracing)."""
    if startup_trace.enabled():
        _FirstEvent(watched, kind, event_name)


class _FirstEvent(QObject):
    def __init__(self, watched: QObject, kind: QEvent.Type, event_name: str) -> None:
        super().__init__(watched)  # lives and dies with the watched object
        self.kind = kind
        self.event_name = event_name
        watched.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == self.kind:
            startup_trace.mark(self.event_name)
            watched.removeEventFilter(self)
            self.deleteLater()
        return False  # only watching: the event goes on as usual
