"""The lineage of a shot: the first take, its revisions (Edit decisions), retries and
remixes, as a tree with each take's score and decision; double-click plays a take. Blind
(`blind_name`), the takes go by the names given and their scores, decisions and prompts
are not shown."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from studio.review.rubric import Rubric
from studio.store import JobRow, Store
from studio.ui.player.player import ClipPlayer

Resolve = Callable[[int, str], Path | None]  # (job id, asset kind) → file in the library
Namer = Callable[[JobRow], str]  # what blind mode calls a take

JobIdRole = Qt.ItemDataRole.UserRole + 1
HEADERS = ("Take", "Made as", "Status", "Score", "Decision", "Prompt")
SAID = (3, 4, 5)  # the columns blind mode hides: score, decision, prompt
MADE_AS = {  # JobRow.lineage_kind in words: a remix is told apart from a re-render
    "take": "first take",
    "revision": "re-render",
    "remix": "remix",
    "retry": "retry",
}


class LineageView(QWidget):
    job_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lineageView")
        self.model = QStandardItemModel(0, len(HEADERS), self)
        self.model.setHorizontalHeaderLabels(list(HEADERS))
        self.tree = QTreeView()
        self.tree.setObjectName("lineageTree")
        self.tree.setModel(self.model)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAlternatingRowColors(True)
        self.tree.setIconSize(QSize(96, 54))
        self.tree.doubleClicked.connect(self._activated)
        self.tree.selectionModel().currentChanged.connect(self._selected)
        self.player = ClipPlayer()
        self.resolve: Resolve = lambda _job, _kind: None
        self.shown_job: int | None = None  # the take whose shot is shown
        self.title = QLabel("Review a take, then open its lineage (T in the review).")
        self.title.setWordWrap(True)
        split = QSplitter()
        split.addWidget(self.tree)
        split.addWidget(self.player)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([560, 700])
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(split, 1)

    def show_job(
        self,
        store: Store,
        rubric: Rubric,
        job_id: int,
        resolve: Resolve,
        *,
        blind_name: Namer | None = None,
    ) -> None:
        """The whole tree of the shot `job_id` belongs to, with `job_id` selected and
        playing beside it; blind, with the takes named by `blind_name` and nothing said of
        their scores, decisions or prompts."""
        self.resolve = resolve
        root = store.jobs.get(job_id)
        if root is None:
            return
        self.shown_job = job_id
        name: Namer = blind_name or (lambda job: job.name)
        seen = {root.id}
        while root.parent_id is not None and root.parent_id not in seen:
            parent = store.jobs.get(root.parent_id)
            if parent is None:
                break
            seen.add(parent.id)
            root = parent
        self.model.removeRows(0, self.model.rowCount())
        decisions = store.verdicts
        selected: QStandardItem | None = None

        def add(parent: QStandardItem | QStandardItemModel, job: JobRow, depth: int) -> None:
            nonlocal selected
            state = decisions.states([job.id])[job.id]
            current = state.decision
            said = (
                state.tally.shown() if state.tally is not None else "—",
                (current.decision + (" ⚑" if current.escalate else "")) if current else "—",
                f"{job.spec.variant} · {job.prompt}" if job.spec.variant else job.prompt,
            )
            row = [
                QStandardItem(name(job)),
                QStandardItem(MADE_AS[job.lineage_kind]),
                QStandardItem(job.status.value),
                *(QStandardItem("" if blind_name else text) for text in said),
            ]
            row[0].setData(job.id, JobIdRole)
            thumb = resolve(job.id, "thumbnail")
            if thumb is not None and thumb.is_file():
                row[0].setIcon(QIcon(QPixmap(str(thumb))))
            if blind_name is None:
                row[5].setToolTip(job.prompt)
            if job.lineage_kind == "remix":
                row[1].setToolTip(
                    "The provider re-rendered its parent's video with this prompt "
                    "(a re-render starts from the prompt alone)"
                )
            parent.appendRow(row)
            if job.id == job_id:
                selected = row[0]
            if depth < 50:  # a cycle cannot happen (ids only grow), but stay safe
                for child in store.jobs.children(job.id):
                    add(row[0], child, depth + 1)

        add(self.model, root, 0)
        for column in SAID:
            self.tree.setColumnHidden(column, blind_name is not None)
        self.tree.expandAll()
        for column in range(len(HEADERS) - 1):
            self.tree.resizeColumnToContents(column)
        if selected is not None:
            self.tree.setCurrentIndex(selected.index())
        count = self._count(self.model.invisibleRootItem())
        self.title.setText(
            f"<b>Shot of {html.escape(name(root))}</b> · {count} take{'s' * (count != 1)} · "
            "double-click one to review it"
        )

    def _count(self, item: QStandardItem) -> int:
        return sum(1 + self._count(item.child(r)) for r in range(item.rowCount()))

    def made_as(self) -> dict[int, str]:
        """Each take in the tree and how it was made, as the tree shows it."""
        shown: dict[int, str] = {}

        def walk(item: QStandardItem) -> None:
            for r in range(item.rowCount()):
                child = item.child(r)
                shown[int(child.data(JobIdRole))] = item.child(r, 1).text()
                walk(child)

        walk(self.model.invisibleRootItem())
        return shown

    def job_ids(self) -> list[int]:
        ids: list[int] = []

        def walk(item: QStandardItem) -> None:
            for r in range(item.rowCount()):
                child = item.child(r)
                ids.append(int(child.data(JobIdRole)))
                walk(child)

        walk(self.model.invisibleRootItem())
        return ids

    def _selected(self, index: QModelIndex, _previous: QModelIndex) -> None:
        job_id = self.model.index(index.row(), 0, index.parent()).data(JobIdRole)
        if job_id is not None:
            self.player.load(self.resolve(int(job_id), "video"))

    def _activated(self, index: object) -> None:
        first = self.model.index(index.row(), 0, index.parent())  # type: ignore[attr-defined]
        job_id = first.data(JobIdRole)
        if job_id is not None:
            self.job_activated.emit(int(job_id))
