"""The wipe's divider: a handle over two takes laid one on the other, dragged left and right;
the take on top shows left of it, the one beneath right of it."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

WIDTH = 14  # wide enough to grab with a touchpad; the line drawn is 2 px


class WipeDivider(QWidget):
    moved = Signal(float)  # where it was dragged to, as a fraction of the parent's width

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("wipeDivider")
        self.setCursor(Qt.CursorShape.SplitHCursor)
        self.setToolTip("Drag to move the wipe")
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.hide()

    def place(self, x: int, height: int) -> None:
        """Centred on `x` of its parent, as tall as it."""
        self.setGeometry(x - WIDTH // 2, 0, WIDTH, height)
        self.raise_()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._drag(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._drag(event)

    def _drag(self, event: QMouseEvent) -> None:
        parent = self.parentWidget()
        if parent is None or parent.width() <= 0:
            return
        x = self.mapToParent(event.position().toPoint()).x()
        self.moved.emit(max(0.0, min(1.0, x / parent.width())))
        event.accept()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        middle = self.width() / 2
        painter.setPen(QPen(QColor(255, 255, 255, 230), 2))
        painter.drawLine(QPointF(middle, 0), QPointF(middle, self.height()))
        grip = QRectF(0, self.height() / 2 - 18, self.width(), 36)  # the handle to take hold of
        painter.setBrush(QColor(255, 255, 255, 230))
        painter.setPen(QPen(QColor(0, 0, 0, 160), 1))
        painter.drawRoundedRect(grip, 4, 4)
