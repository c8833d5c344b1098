"""The queue: a table over the job model with a progress bar column, filters and actions."""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.store import JobStatus
from studio.ui.shell.actions import ActionRegistry
from studio.ui.write.queue_model import COLUMNS, JobIdRole, JobTableModel, ProgressRole

PROGRESS = next(i for i, c in enumerate(COLUMNS) if c.key == "progress")
PROMPT = next(i for i, c in enumerate(COLUMNS) if c.key == "prompt")
# The widest text each column usually shows, for sizing without reading every row.
SAMPLES = {
    "take": "#9999 · 12 of 12 · ⌨",
    "order": "Order",
    "status": "unsure: may be rendering",
    "progress": "100%  ",
    "time": "9:99 · 9:99 left",
    "cost": "$99.99 ✓",
    "model": "sim-fast-xx",
    "output": "1792x1024 · 12 s",
}
PROMPT_MIN = 260  # the prompt is what tells jobs apart: it keeps room, the rest scrolls


class ProgressDelegate(QStyledItemDelegate):
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(4, 6, -4, -6)
        progress = index.data(ProgressRole)
        if progress is None:  # the provider reports none: a busy bar, the time column counts
            bar.minimum = bar.maximum = bar.progress = 0
            bar.textVisible = False
        else:
            bar.minimum, bar.maximum = 0, 100
            bar.progress = int(progress)
            bar.text = f"{bar.progress}%"
            bar.textVisible = True
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


class QueuePanel(QWidget):
    job_activated = Signal(int)  # a finished job was opened

    def __init__(self, actions: ActionRegistry) -> None:
        super().__init__()
        self.model: JobTableModel | None = None
        self.view = QTableView()
        self.view.setObjectName("queueView")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)  # one line a job; the details line below has it all
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(34)
        self.view.setIconSize(QSize(48, 27))
        self.view.setItemDelegateForColumn(PROGRESS, ProgressDelegate(self.view))
        self.view.doubleClicked.connect(self._activated)
        self.filter = QComboBox()
        for key, text in (
            ("all", "All jobs"),
            ("active", "Active"),
            ("finished", "Finished"),
            ("failed", "Failed"),
            ("starred", "Starred"),
        ):
            self.filter.addItem(text, key)
        self.filter.currentIndexChanged.connect(self._filter_changed)
        self.summary = QLabel("")
        # The selected job in words (and why it failed): readable without a tooltip.
        self.details = QLabel("Select a job to see its details.")
        self.details.setObjectName("queueDetails")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # What a person can do about a job the provider may be rendering: shown under the
        # details while such a row is the current one.
        self.unsure_bar = QWidget()
        self.unsure_bar.setObjectName("unsureBar")
        row = QHBoxLayout(self.unsure_bar)
        row.setContentsMargins(0, 0, 0, 0)
        for command in ("queue.send_again", "queue.forget", "queue.send_unsure"):
            button = QToolButton()
            button.setDefaultAction(actions[command])
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            row.addWidget(button)
        row.addStretch(1)
        self.unsure_bar.hide()
        bar = QToolBar()
        for command in (
            "queue.pause",
            "queue.resume",
            "queue.top",
            "queue.bottom",
            "queue.priority",
            "queue.cancel",
            "queue.retry",
            "queue.duplicate",
            "queue.reveal",
        ):
            bar.addAction(actions[command])
        top = QHBoxLayout()
        top.addWidget(self.filter)
        top.addWidget(bar, 1)
        top.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.unsure_bar)
        self._ticker = QTimer(self, interval=1000)
        self._ticker.timeout.connect(self._tick)

    def set_model(self, model: JobTableModel) -> None:
        self.model = model
        self.view.setModel(model)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        # Sized to what the columns hold (measuring every row would read the whole store);
        # the prompt takes the room that is left.
        metrics = self.view.fontMetrics()
        pad = 18
        for i, column in enumerate(COLUMNS):
            sample = SAMPLES.get(column.key, column.title)
            width = max(metrics.horizontalAdvance(t) for t in (sample, column.title)) + pad
            header.resizeSection(i, width)
        header.setMinimumSectionSize(24)
        self.view.installEventFilter(self)
        self._fit_prompt()
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._show_details())
        model.dataChanged.connect(lambda *_: self._show_details())
        model.modelReset.connect(self._show_details)
        self._ticker.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Resize:
            self._fit_prompt()
        return super().eventFilter(watched, event)

    def _fit_prompt(self) -> None:
        """The prompt column takes the room the others leave, and never less than
        PROMPT_MIN (then the columns after it scroll)."""
        header = self.view.horizontalHeader()
        others = sum(header.sectionSize(i) for i in range(len(COLUMNS)) if i != PROMPT)
        room = self.view.viewport().width() - others
        header.resizeSection(PROMPT, max(PROMPT_MIN, room))

    def _show_details(self) -> None:
        index = self.view.currentIndex()
        if self.model is None or not index.isValid():
            self.details.setText("Select a job to see its details.")
            self.unsure_bar.hide()
            return
        job = self.model.job(index.row())
        self.details.setText(self.model.details(job))
        self.unsure_bar.setVisible(job.status is JobStatus.UNSURE)

    def detach(self) -> None:
        self._ticker.stop()
        self.model = None
        self.view.setModel(None)

    def selected_ids(self) -> list[int]:
        if self.model is None:
            return []
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [int(self.view.model().index(r, 0).data(JobIdRole)) for r in rows]

    def shown_ids(self) -> list[int]:
        """The selected jobs; with none selected, the one the details line (and the unsure
        bar's buttons under it) is about."""
        current = self.view.currentIndex()
        if self.model is None or self.selected_ids() or not current.isValid():
            return self.selected_ids()
        return [self.model.job_id(current.row())]

    def _filter_changed(self) -> None:
        if self.model is not None:
            self.model.set_filter(self.filter.currentData())

    def _activated(self, index: QModelIndex) -> None:
        self.job_activated.emit(int(index.data(JobIdRole)))

    def _tick(self) -> None:
        if self.model is not None:
            self.model.tick()
