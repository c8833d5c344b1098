"""Where a deck draws its picture: a graphics view holding a `QGraphicsVideoItem`, so that
guides can be drawn over the picture (a `QVideoWidget` is a native window that nothing can
be drawn on) and the picture can be shown at 1:1 pixels as well as fitted.

The surround is a neutral near-black in every theme, as review tools keep it, so the
picture reads true.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QResizeEvent
from PySide6.QtMultimedia import QVideoSink
from PySide6.QtMultimediaWidgets import QGraphicsVideoItem
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from studio.ui.player.guides import safe_areas
from studio.ui.player.sketch import Sketch

SURROUND = QColor(16, 16, 16)
LINES = {
    "action-safe": Qt.PenStyle.DashLine,
    "title-safe": Qt.PenStyle.SolidLine,
    "logo-safe": Qt.PenStyle.DotLine,
}
LABEL_CORNERS = {
    "action-safe": Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
    "title-safe": Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
    "logo-safe": Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
}
GUIDE_COLOURS = {
    "action-safe": QColor(255, 255, 255, 200),
    "title-safe": QColor(255, 214, 10, 220),
    "logo-safe": QColor(90, 200, 250, 220),
}


class GuidesItem(QGraphicsItem):
    """Safe-area rectangles over the video item's displayed picture."""

    def __init__(self, video: QGraphicsVideoItem) -> None:
        super().__init__()
        self.video = video
        self.logo_percent = 5.0
        self.setZValue(1)
        self.setVisible(False)

    def boundingRect(self) -> QRectF:
        return self.video.boundingRect()

    def areas(self) -> dict[str, QRectF]:
        shown = self.video.boundingRect()  # the picture itself, aspect kept, no bars
        box = (shown.x(), shown.y(), shown.width(), shown.height())
        return {name: QRectF(*r) for name, r in safe_areas(box, self.logo_percent).items()}

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        font = QFont(painter.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        painter.setFont(font)
        for name, rect in self.areas().items():
            pen = QPen(GUIDE_COLOURS[name], 1.5)
            pen.setCosmetic(True)
            pen.setStyle(LINES[name])
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect)
            # Each label in its own corner, so lines that meet never stack the words.
            painter.drawText(rect.adjusted(6, 4, -6, -4), LABEL_CORNERS[name], name)


class VideoView(QGraphicsView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setBackgroundBrush(QBrush(SURROUND))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the review around it
        self.setMinimumSize(160, 90)  # never push the window past the screen
        self.item = QGraphicsVideoItem()
        self.item.setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
        self.guides = GuidesItem(self.item)
        self.sketch = Sketch(self.item)  # notes' drawings, and the canvas a note is drawn on
        self.setScene(QGraphicsScene(self))
        self.scene().addItem(self.item)
        self.scene().addItem(self.guides)
        self.scene().addItem(self.sketch)
        self.one_to_one = False  # picture at its own pixels (scrolls) rather than fitted
        self.item.nativeSizeChanged.connect(lambda _size: self._lay_out())

    def videoSink(self) -> QVideoSink:
        return self.item.videoSink()

    def set_one_to_one(self, on: bool) -> None:
        self.one_to_one = on
        policy = (
            Qt.ScrollBarPolicy.ScrollBarAsNeeded if on else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        self.setHorizontalScrollBarPolicy(policy)
        self.setVerticalScrollBarPolicy(policy)
        self._lay_out()

    def set_guides(self, on: bool, logo_percent: float | None = None) -> None:
        if logo_percent is not None:
            self.guides.logo_percent = logo_percent
        self.guides.setVisible(on)
        self.guides.update()

    def picture_rect(self) -> QRectF:
        """Where the picture is on screen, in this view's coordinates."""
        shown = self.item.boundingRect()
        return QRectF(self.mapFromScene(shown.topLeft()).toPointF(), shown.size())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._lay_out()

    def _lay_out(self) -> None:
        native = self.item.nativeSize()
        if self.one_to_one and native.isValid() and not native.isEmpty():
            self.item.setSize(native)
        else:
            viewport = self.viewport().size()
            self.item.setSize(QSizeF(viewport.width(), viewport.height()))
        self.item.setPos(0, 0)
        self.scene().setSceneRect(QRectF(0, 0, self.item.size().width(), self.item.size().height()))
        self.guides.prepareGeometryChange()
        self.sketch.prepareGeometryChange()
        self.centerOn(self.item)
