"""The lineage of a shot: the first take, its revisions (Edit decisions), retries and
remixes, as a tree with each take's score, decision and notes; double-click plays a take.
A take's notes are counted in its row, listed in the row's Notes tooltip and, for the take
selected, under the tree — time code, text, author, as Edit's "what to fix" gives them —
so the family reads as what was wrong with each take and what the next one changed. Blind
(`blind_name`), the takes go by the names given and their scores, decisions, notes and
prompts are not shown: a note says how the take was judged, and may name what it varies."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QScrollArea,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from studio.core.notes import Note
from studio.library.ops import NOTES, LibraryChange
from studio.review.rubric import Rubric
from studio.review.what_to_fix import note_lines
from studio.store import JobRow, Store
from studio.ui.player.player import ClipPlayer

Resolve = Callable[[int, str], Path | None]  # (job id, asset kind) → file in the library
Namer = Callable[[JobRow], str]  # what blind mode calls a take

JobIdRole = Qt.ItemDataRole.UserRole + 1
HEADERS = ("Take", "Made as", "Status", "Score", "Decision", "Notes", "Prompt")
NOTES_COLUMN, PROMPT = 5, 6
SAID = (3, 4, 5, 6)  # the columns blind mode hides: score, decision, notes, prompt
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
        self.store: Store | None = None
        self.shown_job: int | None = None  # the take whose shot is shown
        self.blind = False
        self._notes: dict[int, list[Note]] = {}  # each take in the tree's notes
        self._names: dict[int, str] = {}  # each take in the tree as the tree names it
        self.title = QLabel("Review a take, then open its lineage (T in the review).")
        self.title.setWordWrap(True)
        self.notes = QLabel()  # the selected take's notes
        self.notes.setObjectName("lineageNotes")
        self.notes.setTextFormat(Qt.TextFormat.PlainText)  # a reviewer's words, as written
        self.notes.setWordWrap(True)
        self.notes.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        notes = QScrollArea()
        notes.setWidget(self.notes)
        notes.setWidgetResizable(True)
        notes.setFrameShape(QFrame.Shape.NoFrame)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.tree)
        left.addWidget(notes)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 1)
        split = QSplitter()
        split.addWidget(left)
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
        self.store, self.shown_job, self.blind = store, job_id, blind_name is not None
        self._notes, self._names = {}, {}
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
            self._notes[job.id] = store.notes.for_take(job.id)
            self._names[job.id] = name(job)
            row = [
                QStandardItem(name(job)),
                QStandardItem(MADE_AS[job.lineage_kind]),
                QStandardItem(job.status.value),
                *(QStandardItem("" if blind_name else text) for text in said),
            ]
            row.insert(NOTES_COLUMN, QStandardItem())
            self._say_notes(row[NOTES_COLUMN], job.id)
            row[0].setData(job.id, JobIdRole)
            thumb = resolve(job.id, "thumbnail")
            if thumb is not None and thumb.is_file():
                row[0].setIcon(QIcon(QPixmap(str(thumb))))
            if blind_name is None:
                row[PROMPT].setToolTip(job.prompt)
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
        self._show_notes()
        count = self._count(self.model.invisibleRootItem())
        self.title.setText(
            f"<b>Shot of {html.escape(name(root))}</b> · {count} take{'s' * (count != 1)} · "
            "double-click one to review it"
        )

    # ---- notes --------------------------------------------------------------------------

    def _say_notes(self, cell: QStandardItem, job_id: int) -> None:
        """The Notes cell: how many, and each on its own line in the tooltip; blind, empty."""
        notes = [] if self.blind else self._notes.get(job_id, [])
        cell.setText(str(len(notes)) if notes else ("" if self.blind else "—"))
        lines = "<br>".join(html.escape(line) for line in note_lines(notes))
        cell.setToolTip(f"<qt>{lines}</qt>" if notes else "")

    def _show_notes(self) -> None:
        """The selected take's notes under the tree, one per line in frame order."""
        job_id = self.current_job()
        if self.blind:
            self.notes.setText("Blind review: notes are not shown.")
        elif job_id is None or job_id not in self._notes:
            self.notes.setText("")
        elif not self._notes[job_id]:
            self.notes.setText(f"No notes on {self._names[job_id]}.")
        else:
            notes = self._notes[job_id]
            heading = f"Notes on {self._names[job_id]} ({len(notes)}):"
            self.notes.setText("\n".join([heading, *note_lines(notes)]))

    def notes_text(self) -> dict[int, tuple[str, str]]:
        """Each take in the tree: its Notes cell's text and tooltip, as the tree shows them."""
        return {
            job_id: (cell.text(), cell.toolTip())
            for job_id, cell in ((j, self._cell(j, NOTES_COLUMN)) for j in self.job_ids())
            if cell is not None
        }

    def on_library_change(self, change: LibraryChange) -> None:
        """Notes written, edited or deleted on takes of the tree: their rows and the notes
        under the tree say so at once, the selection left where it is."""
        store = self.store
        if store is None or not change.about({NOTES}):
            return
        mine = [job_id for job_id in self._notes if job_id in change.takes]
        if not mine:
            return
        for job_id in mine:
            self._notes[job_id] = store.notes.for_take(job_id)
            cell = self._cell(job_id, NOTES_COLUMN)
            if cell is not None:
                self._say_notes(cell, job_id)
        if self.current_job() in mine:
            self._show_notes()

    def _cell(self, job_id: int, column: int) -> QStandardItem | None:
        """The cell of `column` in the row of take `job_id`."""
        found = self.model.match(
            self.model.index(0, 0), JobIdRole, job_id, 1,
            Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
        )  # fmt: skip
        return self.model.itemFromIndex(found[0].siblingAtColumn(column)) if found else None

    def current_job(self) -> int | None:
        """The take selected in the tree."""
        index = self.tree.currentIndex()
        job_id = index.siblingAtColumn(0).data(JobIdRole) if index.isValid() else None
        return int(job_id) if job_id is not None else None

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
        self._show_notes()

    def _activated(self, index: object) -> None:
        first = self.model.index(index.row(), 0, index.parent())  # type: ignore[attr-defined]
        job_id = first.data(JobIdRole)
        if job_id is not None:
            self.job_activated.emit(int(job_id))
