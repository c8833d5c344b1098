"""The scrub bar: a slider over the clip's frames that also shows the loop's in and out
marks, so I / O visibly do something, and marks for what was said or found at a frame or a
range (notes on the frame; the pre-screen's flags), each in its own colour."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider, QWidget


@dataclass(frozen=True)
class Mark:
    """Something at a frame (or a range of frames) shown on the bar."""

    frame: int
    end: int | None  # the last frame of a range (None: one frame)
    colour: str  # "#rrggbb"
    kind: str  # what it is ("note", a pre-screen flag's name): marks of a kind are set together


class ScrubBar(QSlider):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("scrub")
        self.setMouseTracking(True)
        self.loop_range: tuple[int, int] | None = None
        self.marks: dict[str, list[Mark]] = {}  # by kind

    def set_marks(self, kind: str, marks: list[Mark]) -> None:
        """The marks of one kind (the others stay)."""
        if self.marks.get(kind, []) != marks:
            self.marks[kind] = marks
            self.update()

    def mark_rects(self) -> list[tuple[Mark, QRect]]:
        """Where each mark is drawn: a tick above the groove, a range as a bar."""
        if self.maximum() <= self.minimum():
            return []
        out = []
        for marks in self.marks.values():
            for mark in marks:
                left = self.x_of(mark.frame)
                right = self.x_of(mark.end) if mark.end is not None else left
                out.append((mark, QRect(left - 1, 0, max(3, right - left + 3), 5)))
        return out

    def set_loop_range(self, loop: tuple[int, int] | None) -> None:
        if loop != self.loop_range:
            self.loop_range = loop
            self.update()

    def x_of(self, frame: int) -> int:
        """Where a frame is on the groove, in this widget's pixels."""
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        style = self.style()
        groove = style.subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, self
        )
        handle = style.subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self
        )
        span = max(1, groove.width() - handle.width())
        offset = QStyle.sliderPositionFromValue(self.minimum(), self.maximum(), frame, span)
        return groove.x() + handle.width() // 2 + offset

    def marks_rect(self) -> QRect | None:
        """The band between the in and out marks (None without a loop range)."""
        if self.loop_range is None or self.maximum() <= self.minimum():
            return None
        first, last = self.loop_range
        left, right = self.x_of(first), self.x_of(last)
        return QRect(left, self.height() // 2 - 3, max(2, right - left), 6)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.marks:
            painter = QPainter(self)
            for mark, rect in self.mark_rects():
                painter.fillRect(rect, QColor(mark.colour))
            painter.end()
        band = self.marks_rect()
        if band is not None:  # the range over the groove, and a tick at each end
            painter = QPainter(self)
            colour = self.palette().color(QPalette.ColorRole.Highlight)
            fill = QColor(colour)
            fill.setAlpha(150)
            painter.fillRect(band, fill)
            for x in (band.left(), band.right()):
                painter.fillRect(QRect(x - 1, 2, 3, self.height() - 4), colour)
            painter.end()
