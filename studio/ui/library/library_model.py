"""Every take in the library matching a search, as a lazily read table: the ids come from one
query, the rows a page at a time as they are shown (a library of 100,000 takes opens as
fast as one of ten)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QImageReader, QPixmap

from studio.store import JobRow, Store
from studio.store.search import SORT_KEYS, Verdict, sorted_hits, verdicts
from studio.ui.player.flags import badge_text, flags_text

Index = QModelIndex | QPersistentModelIndex
PAGE = 100
THUMB = QSize(64, 36)
COLUMNS = (
    "Take", "Prompt", "Decision", "Score", "Rank", "Tags", "Project", "Model", "Status",
    "Submitted",
)  # fmt: skip
PROMPT = COLUMNS.index("Prompt")
JobIdRole = int(Qt.ItemDataRole.UserRole) + 1
TileRole = int(Qt.ItemDataRole.UserRole) + 2  # (JobRow, Verdict): what a grid tile shows
FlagsRole = int(Qt.ItemDataRole.UserRole) + 3  # the take's flagged checks (the pre-screen)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)


class LibraryModel(QAbstractTableModel):
    def __init__(self, store: Store, library: Path, parent: Any = None) -> None:
        super().__init__(parent)
        self.store = store
        self.library = library
        self.text = ""
        self._ids: list[int] = []
        self._rows: dict[int, tuple[JobRow, Verdict]] = {}
        self._flags: dict[int, tuple[str, ...]] = {}  # read a page at a time with the rows
        self._thumbs: dict[int, QPixmap | None] = {}
        self.thumb = THUMB  # the grid asks for bigger ones
        self.counts: dict[int, int] = {}  # stacked: how many takes a tile holds
        self.opens: dict[int, str] = {}  # stacked: the search term that opens a tile

    def show(
        self,
        text: str,
        ids: list[int],
        counts: dict[int, int] | None = None,
        opens: dict[int, str] | None = None,
    ) -> None:
        """Show the takes `text` found (the panel runs the search, with its facet counts):
        one row each, or with `counts` and `opens` one tile per stack."""
        self.beginResetModel()
        self.text = text
        self._ids = ids
        self.counts = counts or {}
        self.opens = opens or {}
        self._rows.clear()
        self._flags.clear()
        self.endResetModel()

    def set_thumb_size(self, size: QSize) -> None:
        if size != self.thumb:
            self.thumb = size
            self._thumbs.clear()
            self.refresh_rows()

    def job(self, row: int) -> JobRow:
        return self._row(row)[0]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order the current results by a column (Tags do not sort)."""
        key = COLUMNS[column].lower() if 0 <= column < len(COLUMNS) else ""
        if key not in SORT_KEYS or not self._ids:
            return
        self.layoutAboutToBeChanged.emit()
        self._ids = sorted_hits(
            self.store.db, key, descending=order == Qt.SortOrder.DescendingOrder
        )
        self.layoutChanged.emit()

    def refresh_rows(self) -> None:
        """The same takes, read again (a star or a decision changed): the selection stays."""
        self._rows.clear()
        self._flags.clear()
        if self._ids:
            last = self.index(len(self._ids) - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def job_id(self, row: int) -> int:
        return self._ids[row]

    def rows_of(self, job_ids: set[int]) -> list[int]:
        """The rows showing these takes (those the current results hold)."""
        return [row for row, job_id in enumerate(self._ids) if job_id in job_ids]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and int(role) == _DISPLAY:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        role = int(role)
        if role not in (_DISPLAY, _DECORATION, _TOOLTIP, JobIdRole, TileRole, FlagsRole):
            return None
        row = index.row()
        if not 0 <= row < len(self._ids):
            return None
        job, verdict = self._row(row)
        column = COLUMNS[index.column()]
        if role == JobIdRole:
            return job.id
        if role == TileRole:
            return job, verdict
        if role == FlagsRole:
            return self._flags.get(job.id, ())
        if role == _DECORATION:
            return self._thumbnail(job.id) if column == "Take" else None
        if role == _TOOLTIP:
            if column == "Status" and job.damage:
                return f"Damaged: {job.damage}"
            if column == "Status" and self._flags.get(job.id):
                return f"Pre-screen: {flags_text(self._flags[job.id])}"
            if column == "Rank":
                return verdict.rank.detail() if verdict.rank is not None else None
            return job.prompt if column in ("Prompt", "Take") else None
        return self._text(job, verdict, column)

    def _text(self, job: JobRow, verdict: Verdict, column: str) -> str:
        if column == "Take":
            stacked = self.counts.get(job.id, 1)
            more = f" · {stacked} takes" if stacked > 1 else ""
            return f"{job.name}{more}" + (" ★" if verdict.starred else "")
        if column == "Project":
            return job.project
        if column == "Model":
            return job.model
        if column == "Status":
            status = f"{job.status.value} · damaged" if job.damage else job.status.value
            flagged = self._flags.get(job.id)
            return f"{status} · {badge_text(flagged)}" if flagged else status
        if column == "Decision":
            return verdict.decision or "—"
        if column == "Score":
            return "—" if verdict.total is None else str(verdict.total)
        if column == "Rank":
            return "—" if verdict.rank is None else verdict.rank.shown()
        if column == "Tags":
            return ", ".join(verdict.tags)
        if column == "Submitted":
            when = job.submitted_at or job.created_at
            return dt.datetime.fromtimestamp(when).strftime("%Y-%m-%d %H:%M")
        text = " ".join(job.prompt.split())
        variant = job.spec.variant  # what tells a variant batch's takes apart, first (as the
        return f"{variant} · {text}" if variant else text  # queue shows them)

    def _row(self, row: int) -> tuple[JobRow, Verdict]:
        job_id = self._ids[row]
        if job_id not in self._rows:
            start = row - row % PAGE
            page = self._ids[start : start + PAGE]
            if len(self._rows) > 4 * PAGE:
                self._rows.clear()  # keep memory flat while scrolling a huge library
                self._flags.clear()
            states = verdicts(self.store.db, page)
            self._flags.update(self.store.flags.checks_for(page))
            for job in self.store.jobs.many(page):
                self._rows[job.id] = (job, states[job.id])
        return self._rows[job_id]

    def spritesheet(self, job_id: int) -> Path | None:
        """The take's spritesheet (the grid scrubs through it on hover), if it has one."""
        path = self.store.assets.file(self.library, job_id, "spritesheet")
        return path if path is not None and path.is_file() else None

    def forget_thumbnail(self, job_id: int) -> None:
        """Read it again when next shown (a take without one when first shown may have
        one now)."""
        self._thumbs.pop(job_id, None)

    def _thumbnail(self, job_id: int) -> QPixmap | None:
        if job_id not in self._thumbs:
            if len(self._thumbs) > 4 * PAGE:
                self._thumbs.clear()
            path = self.store.assets.file(self.library, job_id, "thumbnail")
            pixmap = None
            if path is not None and path.is_file():
                reader = QImageReader(str(path))
                # within the box, its own aspect kept: a portrait clip stays portrait
                reader.setScaledSize(
                    reader.size().scaled(self.thumb, Qt.AspectRatioMode.KeepAspectRatio)
                )
                image = reader.read()
                pixmap = QPixmap.fromImage(image) if not image.isNull() else None
            self._thumbs[job_id] = pixmap
        return self._thumbs[job_id]
