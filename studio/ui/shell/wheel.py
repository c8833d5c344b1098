"""The mouse wheel scrolls; it does not change settings by accident.

A combo box, spin box or slider under the pointer takes wheel turns only while it has the
keyboard focus (the person chose it). Otherwise the turn goes to the scrollable panel
around it, so scrolling the editor never changes the model or the duration on the way.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

GUARDED = (QComboBox, QAbstractSpinBox, QAbstractSlider)


class WheelGuard(QObject):
    """An application-wide event filter (install once, on the QApplication)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Polish and isinstance(watched, GUARDED):
            if not isinstance(watched, QScrollBar):  # wheel focus would grab on a turn
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return False
        if (
            event.type() != QEvent.Type.Wheel
            or not isinstance(watched, GUARDED)
            or isinstance(watched, QScrollBar)  # a scroll bar is for scrolling
            or watched.hasFocus()
            or not isinstance(event, QWheelEvent)
        ):
            return False
        area = _scroll_area_of(watched)
        if area is not None:
            target = area.viewport()
            forwarded = QWheelEvent(
                target.mapFromGlobal(event.globalPosition()),
                event.globalPosition(),
                event.pixelDelta(),
                event.angleDelta(),
                event.buttons(),
                event.modifiers(),
                event.phase(),
                event.inverted(),
            )
            QCoreApplication.sendEvent(target, forwarded)
        event.accept()  # consumed either way: the control stays as it was
        return True


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def install(app: QApplication) -> WheelGuard:
    """Once per application (a second call returns the guard already installed)."""
    guard = app.findChild(WheelGuard)
    if guard is None:
        guard = WheelGuard(app)
        app.installEventFilter(guard)
    return guard
