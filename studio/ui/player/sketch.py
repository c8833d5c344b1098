"""Notes' drawings over the picture, and the canvas a note is drawn on.

Shapes live in the clip's own pixels (`studio.core.notes`): here they are mapped onto the
picture as it is shown — fitted or 1:1, any window size — so a mark stays on what it points
at. While a note is being written (`start`), a drag draws the chosen tool (pen, arrow,
rectangle, ellipse) in the chosen colour; `undo` takes the last shape back."""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtMultimediaWidgets import QGraphicsVideoItem
from PySide6.QtWidgets import (
    QGraphicsObject,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from studio.core.notes import DEFAULT_COLOUR, PALETTE, Point, Shape

TOOLS = ("arrow", "pen", "rect", "ellipse")
WIDTH = 4.0  # a new shape's line, in the clip's pixels at 720p (scaled to the clip)


class Sketch(QGraphicsObject):
    drafted = Signal()  # a shape drawn or taken back

    def __init__(self, video: QGraphicsVideoItem) -> None:
        super().__init__()
        self.video = video
        self.setZValue(2)  # over the picture and the guides
        self.shown: list[Shape] = []  # the notes' drawings at the frame on show
        self.draft: list[Shape] = []  # the note being written
        self.tool, self.colour = "arrow", DEFAULT_COLOUR
        self.drawing = False
        self._stroke: list[Point] | None = None  # the drag in progress
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    # ---- what is shown ---------------------------------------------------------------

    def show_shapes(self, shapes: list[Shape]) -> None:
        if shapes != self.shown:
            self.shown = shapes
            self.update()

    def start(self) -> None:
        """A note is being written: drags draw on the picture."""
        self.drawing, self.draft, self._stroke = True, [], None
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.update()

    def finish(self) -> list[Shape]:
        """The shapes drawn for the note (the canvas is put away)."""
        shapes, self.draft = self.draft, []
        self.drawing, self._stroke = False, None
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.unsetCursor()
        self.update()
        return shapes

    def undo(self) -> bool:
        if not self.draft:
            return False
        self.draft.pop()
        self.update()
        self.drafted.emit()
        return True

    # ---- the clip's pixels and the item's ------------------------------------------

    def picture(self) -> tuple[int, int] | None:
        """The clip's size in pixels (None before a frame has come)."""
        native = self.video.nativeSize()
        if not native.isValid() or native.isEmpty():
            return None
        return round(native.width()), round(native.height())

    def _scale(self) -> tuple[QRectF, float, float] | None:
        size = self.picture()
        shown = self.video.boundingRect()  # the picture itself, aspect kept, no bars
        if size is None or shown.isEmpty():
            return None
        return shown, shown.width() / size[0], shown.height() / size[1]

    def to_clip(self, point: QPointF) -> Point | None:
        scale = self._scale()
        if scale is None:
            return None
        shown, sx, sy = scale
        return ((point.x() - shown.x()) / sx, (point.y() - shown.y()) / sy)

    def to_item(self, point: Point) -> QPointF:
        scale = self._scale()
        assert scale is not None
        shown, sx, sy = scale
        return QPointF(shown.x() + point[0] * sx, shown.y() + point[1] * sy)

    # ---- drawing by mouse ------------------------------------------------------------

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        point = self.to_clip(event.pos())
        if not self.drawing or point is None:
            event.ignore()
            return
        self._stroke = [point]
        event.accept()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        point = self.to_clip(event.pos())
        if self._stroke is None or point is None:
            return
        if self.tool == "pen":
            self._stroke.append(point)
        else:
            self._stroke[1:] = [point]
        self.update()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self.mouseMoveEvent(event)
        stroke, self._stroke = self._stroke, None
        if stroke is not None and len(stroke) >= 2:
            self.add(Shape(self.tool, tuple(stroke), self.colour, self._width()))

    def add(self, shape: Shape) -> None:
        """A shape drawn (by a drag, or by a test or a script through the same door)."""
        self.draft.append(shape)
        self.update()
        self.drafted.emit()

    def _width(self) -> float:
        size = self.picture()
        return round(WIDTH * (size[1] / 720 if size else 1.0), 1) or WIDTH

    # ---- painting --------------------------------------------------------------------

    def boundingRect(self) -> QRectF:
        return self.video.boundingRect()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        scale = self._scale()
        if scale is None:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setClipRect(scale[0])
        shapes = [*self.shown, *self.draft]
        if self._stroke is not None and len(self._stroke) >= 2:
            shapes.append(Shape(self.tool, tuple(self._stroke), self.colour, self._width()))
        for shape in shapes:
            self._paint(painter, shape, scale[1])

    def _paint(self, painter: QPainter, shape: Shape, sx: float) -> None:
        colour = QColor(*PALETTE.get(shape.colour, PALETTE[DEFAULT_COLOUR]))
        pen = QPen(colour, max(1.0, shape.width * sx))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        points = [self.to_item(p) for p in shape.points]
        if shape.kind == "pen":
            path = QPainterPath(points[0])
            for point in points[1:]:
                path.lineTo(point)
            painter.drawPath(path)
        elif shape.kind in ("rect", "ellipse"):
            box = QRectF(points[0], points[-1]).normalized()
            if shape.kind == "rect":
                painter.drawRect(box)
            else:
                painter.drawEllipse(box)
        else:  # an arrow: its tail to its head, and a head
            line = QLineF(points[0], points[-1])
            painter.drawLine(line)
            head = max(8.0, pen.widthF() * 3)
            angle = math.atan2(-line.dy(), line.dx())
            tip = line.p2()
            wings = [
                QPointF(
                    tip.x() - head * math.cos(angle + side), tip.y() + head * math.sin(angle + side)
                )
                for side in (math.pi / 6, -math.pi / 6)
            ]
            painter.setBrush(colour)
            painter.drawPolygon(QPolygonF([tip, *wings]))
