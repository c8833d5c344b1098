"""The culling grid's tiles: each clip in its own aspect (a portrait clip stays portrait) in
a box of the grid's size, with badges for what a reviewer culls by — the decision, the
total score, the star, the tags, a failure, provenance, the pre-screen's flags — and,
under the mouse, a scrub
through the clip's spritesheet (left edge the first frame, right edge the last)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from studio.store import JobRow, JobStatus
from studio.store.search import Verdict
from studio.ui.library.library_model import FlagsRole, TileRole
from studio.ui.player.flags import COLOURS, badge_text
from studio.ui.player.sprites import sprite_tile

Index = QModelIndex | QPersistentModelIndex
LABEL = 22  # the take's name under its picture
PAD = 6
# decision → (mark, colour): read at a glance, and not by colour alone
DECISIONS = {
    "approve": ("✓ approved", "#2e9e5b"),
    "edit": ("✎ edit", "#c98a14"),
    "discard": ("✕ discarded", "#c2413b"),
}
SHEETS = 48  # spritesheets kept decoded while the mouse moves over tiles


def box_for(size: QSize) -> QSize:
    """A tile's picture box for a grid size (4:3, so portrait and landscape both fit)."""
    return QSize(size.width(), size.width() * 3 // 4)


def cell_for(size: QSize) -> QSize:
    box = box_for(size)
    return QSize(box.width() + 2 * PAD, box.height() + LABEL + 2 * PAD)


class TileDelegate(QStyledItemDelegate):
    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self.view = view
        self.box = box_for(QSize(176, 99))
        self.hover: tuple[int, float] | None = None  # (row, fraction across the tile)
        self.sheet_of: Callable[[int], Path | None] | None = None  # a take's spritesheet
        self._sheets: dict[Path, QPixmap] = {}
        view.viewport().setMouseTracking(True)
        view.viewport().installEventFilter(self)

    def set_size(self, size: QSize) -> None:
        self.box = box_for(size)
        self.view.setIconSize(self.box)
        self.view.setGridSize(cell_for(size))

    # ---- hover scrub ------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseMove and isinstance(event, QMouseEvent):
            point = event.position().toPoint()
            index = self.view.indexAt(point)
            before = self.hover
            if index.isValid():
                rect = self.view.visualRect(index)
                fraction = (point.x() - rect.left() - PAD) / max(1, self.box.width())
                self.hover = (index.row(), max(0.0, min(fraction, 1.0)))
            else:
                self.hover = None
            self._repaint(before)
            self._repaint(self.hover)
        elif event.type() == QEvent.Type.Leave:
            before, self.hover = self.hover, None
            self._repaint(before)
        return False

    def _repaint(self, hover: tuple[int, float] | None) -> None:
        model = self.view.model()
        if hover is not None and model is not None and hover[0] < model.rowCount():
            self.view.viewport().update(self.view.visualRect(model.index(hover[0], 0)))

    def scrub_frame(self, job_id: int, fraction: float) -> QPixmap | None:
        """The spritesheet tile at `fraction` through the take (None without a sheet)."""
        path = self.sheet_of(job_id) if self.sheet_of is not None else None
        if path is None:
            return None
        sheet = self._sheets.get(path)
        if sheet is None:
            if len(self._sheets) >= SHEETS:
                self._sheets.clear()
            sheet = self._sheets[path] = QPixmap(str(path))
        return None if sheet.isNull() else sprite_tile(sheet, fraction)

    # ---- painting ---------------------------------------------------------------------

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(self.box.width() + 2 * PAD, self.box.height() + LABEL + 2 * PAD)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        found = index.data(TileRole)
        if not isinstance(found, tuple):
            return
        job, verdict = found
        rect = option.rect
        palette = option.palette
        state = option.state
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = bool(state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
        box = QRect(rect.left() + PAD, rect.top() + PAD, self.box.width(), self.box.height())
        painter.fillRect(box, QColor("#101010"))
        picture = None
        if self.hover is not None and self.hover[0] == index.row():
            picture = self.scrub_frame(job.id, self.hover[1])
        if picture is None:
            decoration = index.data(Qt.ItemDataRole.DecorationRole)
            picture = decoration if isinstance(decoration, QPixmap) else None
        if picture is not None and not picture.isNull():
            fitted = picture.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
            at = QRect(0, 0, fitted.width(), fitted.height())
            at.moveCenter(box.center())
            painter.drawPixmap(at, picture)
        if bool(state & QStyle.StateFlag.State_HasFocus):
            painter.setPen(palette.color(QPalette.ColorRole.Highlight).lighter(150))
            painter.drawRect(box.adjusted(0, 0, -1, -1))
        flags = index.data(FlagsRole)
        self._badges(painter, box, job, verdict, flags if isinstance(flags, tuple) else ())
        label = QRect(rect.left() + PAD, box.bottom() + 2, box.width(), LABEL - 2)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(palette.color(role))
        name = str(index.data(Qt.ItemDataRole.DisplayRole) or "").replace(" ★", "")  # a badge
        text = f"{name}  {' '.join(job.prompt.split())}"  # the number first, then the prompt
        shown = painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, label.width())
        painter.drawText(label, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)
        painter.restore()

    def _badges(
        self, painter: QPainter, box: QRect, job: JobRow, verdict: Verdict, flags: tuple[str, ...]
    ) -> None:
        font = QFont(painter.font())
        font.setPixelSize(max(10, min(13, box.height() // 9)))
        font.setBold(True)
        painter.setFont(font)
        left, right = box.left() + 4, box.right() - 4
        top, bottom = box.top() + 4, box.bottom() - 4
        if verdict.decision in DECISIONS:
            text, colour = DECISIONS[verdict.decision]
            _badge(painter, left, top, text, colour)
        elif job.status is JobStatus.FAILED:
            cls = job.failure_class.value if job.failure_class else "failed"
            _badge(painter, left, top, f"failed · {cls}", "#c2413b")
        elif job.status is not JobStatus.READY:
            _badge(painter, left, top, job.status.value, "#555b66")
        if verdict.starred:
            _badge(painter, right, top, "★", "#c9a227", anchor_right=True)
        if verdict.total is not None:
            _badge(painter, left, bottom, f"{verdict.total}", "#3b5b8c", anchor_bottom=True)
        if verdict.tags:
            tags = verdict.tags[0] + (f" +{len(verdict.tags) - 1}" if len(verdict.tags) > 1 else "")
            _badge(painter, right, bottom, tags, "#7a4b9c", anchor_right=True, anchor_bottom=True)
        if verdict.provenance in ("present", "damaged"):
            mark = "C2PA" if verdict.provenance == "present" else "C2PA !"
            colour = "#2f6f73" if verdict.provenance == "present" else "#c2413b"
            y = top + painter.fontMetrics().height() + 6
            _badge(painter, right, y, mark, colour, anchor_right=True)
        row = painter.fontMetrics().height() + 6
        if job.damage:
            _badge(painter, left, top + row, "damaged", "#c2413b")
        if flags:  # under "damaged" when both show; in the first flag's scrub-bar colour
            y = top + row * (2 if job.damage else 1)
            _badge(painter, left, y, badge_text(flags), COLOURS.get(flags[0], "#c2413b"))


def _badge(
    painter: QPainter,
    x: int,
    y: int,
    text: str,
    colour: str,
    *,
    anchor_right: bool = False,
    anchor_bottom: bool = False,
) -> None:
    metrics = painter.fontMetrics()
    w, h = metrics.horizontalAdvance(text) + 8, metrics.height() + 2
    rect = QRect(x - w if anchor_right else x, y - h if anchor_bottom else y, w, h)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawRoundedRect(rect, 3, 3)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
