"""The job queue as a Qt table model over the store (not a copy of it).

Rows are job ids for the current filter: first the jobs waiting to be sent, in the order
they will be sent (so "Move to top" puts a row on top), then every other job, newest first.
Each row's data is read from the store on demand, a page at a time, and kept in a small
cache. Engine events update exactly the rows and columns that changed (`dataChanged`),
insert new jobs at their place, move rows whose sending order changed (one layout change),
and drop rows that leave the filter: no full resets except when the filter itself changes.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QImageReader, QPixmap

from studio.jobs.events import Event, JobChanged
from studio.jobs.remaining import RemainingTime
from studio.library.ops import FLAGS, STARS, TAKES, LibraryChange
from studio.store import ALIVE, FINISHED, BatchPosition, FailureClass, JobRow, JobStatus, Store
from studio.ui.player.flags import badge_text, flags_text

Index = QModelIndex | QPersistentModelIndex
JobIdRole = Qt.ItemDataRole.UserRole + 1
ProgressRole = Qt.ItemDataRole.UserRole + 2

# Roles as plain ints, looked up once: a repaint asks each cell for eight or so roles and
# Qt's enum attribute lookups would cost more than the answers (bench/p3_stalls.py).
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_DECORATION = int(Qt.ItemDataRole.DecorationRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_JOB_ID = int(JobIdRole)
_PROGRESS = int(ProgressRole)
_ANSWERED = frozenset({_DISPLAY, _TOOLTIP, _DECORATION, _ALIGNMENT, _JOB_ID, _PROGRESS})
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
PAGE = 200
THUMB_WIDTH = 48

FILTERS: dict[str, frozenset[JobStatus] | None] = {
    "all": None,
    "active": frozenset(ALIVE - {JobStatus.READY}),
    "finished": frozenset({JobStatus.READY}),
    "failed": frozenset(FINISHED - {JobStatus.READY}),
    "starred": None,  # any status, starred in the review
}


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    changes_with: frozenset[str]  # job columns that change what this column shows


COLUMNS = (
    Column("take", "Take", frozenset({"batch_id"})),  # "#42 · 3 of 6"
    Column("order", "Order", frozenset({"status", "priority", "queue_pos"})),
    Column("status", "Status", frozenset({"status", "failure_class"})),
    Column("progress", "Progress", frozenset({"progress", "status"})),
    Column("prompt", "Prompt", frozenset({"status"})),  # the thumbnail appears when ready
    Column("time", "Time", frozenset({"status", "submitted_at", "progress"})),
    Column("cost", "Cost", frozenset({"actual_cost", "estimated_cost", "status"})),
    Column("model", "Model", frozenset()),
    Column("output", "Output", frozenset()),  # "640x360 · 4 s"
)
ORDER = next(i for i, c in enumerate(COLUMNS) if c.key == "order")
TAKE = next(i for i, c in enumerate(COLUMNS) if c.key == "take")
STATUS = next(i for i, c in enumerate(COLUMNS) if c.key == "status")
# What the run order depends on: a change to any of these may move every queued row.
REORDERS = frozenset({"created", "status", "priority", "queue_pos"})
TIMED = {i for i, c in enumerate(COLUMNS) if c.key == "time"}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _duration(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return "—"
    seconds = int(seconds)
    return (
        f"{seconds // 60}:{seconds % 60:02d}"
        if seconds < 3600
        else f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    )


class JobTableModel(QAbstractTableModel):
    def __init__(
        self,
        store: Store,
        *,
        now: Callable[[], float] = time.time,
        library: Path | None = None,
        provider_key: str = "sim",
        describe_provider: Callable[[str], str] = lambda key: key,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.now = now
        self.library = library
        self.provider_key = provider_key  # whose queued jobs the engine sends now
        self.describe_provider = describe_provider
        self._order: dict[int, int] = {}  # queued job id → place in the sending order
        self._positions: dict[int, BatchPosition] = {}
        self._thumbs: dict[int, QPixmap | None] = {}
        self._left: dict[int, RemainingTime] = {}  # running job id → its estimate
        self.filter = "all"
        self._ids: list[int] = []
        self._starred: set[int] | None = None  # with the "starred" filter
        self._rows: dict[int, int] = {}  # job id → row
        self._cache: dict[int, JobRow] = {}
        self._flags: dict[int, tuple[str, ...]] = {}  # the pre-screen's, with the cached rows
        self._pending: dict[int, frozenset[str]] = {}
        self._flush_timer = QTimer(self, singleShot=True, interval=0)
        self._flush_timer.timeout.connect(self.flush)
        self.reload()

    # ---- structure -----------------------------------------------------------------------

    def set_filter(self, name: str) -> None:
        if name not in FILTERS:
            raise ValueError(f"unknown filter {name!r}")
        self.filter = name
        self.reload()

    def on_library_change(self, change: LibraryChange) -> None:
        """A take starred or unstarred: the "starred" filter shows what is starred now. A
        take screened: its status says what was flagged. Takes imported: their rows."""
        if self.filter == "starred" and change.about({STARS}):
            self.reload()
            return
        if change.about({TAKES}):
            self.jobs_changed({job_id: frozenset({"created"}) for job_id in change.takes})
        if change.about({FLAGS}):
            shown = [job_id for job_id in change.takes if job_id in self._cache]
            self._flags.update(self.store.flags.checks_for(shown))
            for job_id in shown:
                row = self._rows.get(job_id)
                if row is not None:
                    self.dataChanged.emit(self.index(row, STATUS), self.index(row, STATUS))

    def reload(self) -> None:
        self.beginResetModel()
        ids = self.store.jobs.ids(FILTERS[self.filter])  # newest first
        self._starred = self.store.verdicts.starred() if self.filter == "starred" else None
        if self._starred is not None:
            ids = [i for i in ids if i in self._starred]
        self._order = self._run_order()
        self._ids = self._arranged(ids)
        self._rows = {job_id: row for row, job_id in enumerate(self._ids)}
        self._cache.clear()
        self._flags.clear()
        self._positions.clear()
        self.endResetModel()

    def _run_order(self) -> dict[int, int]:
        ids = self.store.jobs.run_order(self.provider_key)
        return {job_id: place for place, job_id in enumerate(ids, start=1)}

    def _key(self, job_id: int) -> tuple[int, int]:
        """Where a job's row belongs: waiting jobs by their place in the sending order,
        then the others newest first. `_ids` is always sorted by it."""
        place = self._order.get(job_id)
        return (0, place) if place is not None else (1, -job_id)

    def _arranged(self, ids: list[int]) -> list[int]:
        """`ids` (newest first, as the store lists them) in row order."""
        shown = set(ids)
        waiting = sorted((i for i in self._order if i in shown), key=self._order.__getitem__)
        return waiting + [i for i in ids if i not in self._order]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section].title
        return None

    def job_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, job_id: int) -> int | None:
        return self._rows.get(job_id)

    # ---- data ----------------------------------------------------------------------------

    def job(self, row: int) -> JobRow:
        job_id = self._ids[row]
        cached = self._cache.get(job_id)
        if cached is None:
            start = max(0, row - PAGE // 2)
            page = self.store.jobs.many(self._ids[start : start + PAGE])
            for job in page:
                self._cache[job.id] = job
            self._flags.update(self.store.flags.checks_for([job.id for job in page]))
            batches = {j.batch_id for j in page if j.batch_id and j.id not in self._positions}
            self._positions.update(self.store.jobs.positions(batches))
            if len(self._cache) > 4 * PAGE:  # keep the cache small for huge libraries
                keep = set(self._ids[start : start + PAGE])
                self._cache = {k: v for k, v in self._cache.items() if k in keep}
                self._positions = {k: v for k, v in self._positions.items() if k in keep}
                self._flags = {k: v for k, v in self._flags.items() if k in keep}
            cached = self._cache[job_id]
        return cached

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        role = int(role)
        if role not in _ANSWERED:  # most of what a repaint asks for: answered at once
            return None
        row = index.row()
        if not 0 <= row < len(self._ids):  # also an invalid index (row -1)
            return None
        job = self.job(row)
        key = COLUMNS[index.column()].key
        if role == _DISPLAY:
            return self._display(job, key)
        if role == _DECORATION:
            return self._thumbnail(job) if key == "prompt" else None
        if role == _ALIGNMENT:
            return _RIGHT if key in ("order", "cost", "time") else None
        if role == _JOB_ID:
            return job.id
        if role == _PROGRESS:  # None: a running job whose provider reports no progress
            return None if self._progress_unknown(job) else job.progress or 0
        return self.details(job)  # the tooltip

    def _display(self, job: JobRow, key: str) -> str:
        if key == "take":
            position = self._positions.get(job.id)
            name = f"{job.name} · {position}" if position and position.count > 1 else job.name
            return f"{name} · ⌨" if job.origin else name  # queued from the command line
        if key == "order":
            place = self._order.get(job.id)
            return str(place) if place is not None else ""
        if key == "status":
            flagged = self._flags.get(job.id)
            status = self.status_text(job)
            return f"{status} · {badge_text(flagged)}" if flagged else status
        if key == "progress":
            return "" if self._progress_unknown(job) else f"{job.progress or 0}%"
        if key == "time":
            if job.submitted_at is None:  # never sent: nothing has elapsed at the provider
                return "—"
            elapsed = _duration((job.finished_at or self.now()) - job.submitted_at)
            if job.status is not JobStatus.RUNNING or self._progress_unknown(job):
                self._left.pop(job.id, None)
                return elapsed
            left = self._remaining(job)
            return f"{elapsed} · " + ("estimating" if left is None else f"{_duration(left)} left")
        if key == "cost":
            if job.actual_cost is not None:
                return f"${job.actual_cost:.2f} ✓"  # as billed by the provider
            if job.status in (JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.EXPIRED):
                return "—"  # not billed unless the provider said so
            return f"${job.cost:.2f}"
        if key == "model":
            return job.model
        if key == "output":
            seconds = f" · {job.spec.seconds} s" if job.spec.seconds else ""
            return f"{job.spec.frame}{seconds}"
        if key == "prompt":
            text = " ".join(job.prompt.split())
            if job.spec.variant:  # what tells the takes of a variant batch apart, first
                text = f"{job.spec.variant} · {text}"
            return text if len(text) <= 120 else text[:119] + "…"
        return ""

    def status_text(self, job: JobRow) -> str:
        if job.status is JobStatus.UNSURE:
            return "unsure: may be rendering"
        if not job.status.finished and job.provider != self.provider_key:
            # Nothing sends or polls it until that provider is connected again.
            waiting = f"waiting for {self.describe_provider(job.provider)}"
            return waiting if job.status is JobStatus.QUEUED else f"{job.status.value}, {waiting}"
        if job.failure_class and job.status is not JobStatus.CANCELLED:
            return f"{job.status.value} ({job.failure_class.value})"
        return job.status.value

    def details(self, job: JobRow) -> str:
        """One readable line about a job: what it is, and why it failed if it did."""
        head = f"{job.name} · {self.status_text(job)}"
        position = self._positions.get(job.id)
        if position is not None and position.count > 1:
            head += f" · {position} in its batch"
        if job.origin:
            head += f" · queued from the command line ({job.origin})"
        if job.status is JobStatus.QUEUED and job.id in self._order:
            head += f" · sends {_ordinal(self._order[job.id])}"
        if job.failure_message and job.status is not JobStatus.READY:
            head += f" — {job.failure_message}"
            if job.failure_class is FailureClass.REQUEST:
                head += " Retry opens it in the editor to fix."
        elif job.spec.variant:
            head += f" — {job.spec.variant}"
        if self._flags.get(job.id):
            head += f" · pre-screen: {flags_text(self._flags[job.id])}"
        return head

    def _thumbnail(self, job: JobRow) -> QPixmap | None:
        """A finished job's thumbnail, decoded once at row size."""
        if job.status is not JobStatus.READY or self.library is None:
            return None
        if job.id not in self._thumbs:
            if len(self._thumbs) > 4 * PAGE:
                self._thumbs.clear()
            path = self.store.assets.file(self.library, job.id, "thumbnail")
            pixmap = None
            if path is not None:
                reader = QImageReader(str(path))
                reader.setScaledSize(QSize(THUMB_WIDTH, THUMB_WIDTH * 9 // 16))
                image = reader.read()
                pixmap = QPixmap.fromImage(image) if not image.isNull() else None
            self._thumbs[job.id] = pixmap
        return self._thumbs[job.id]

    @staticmethod
    def _progress_unknown(job: JobRow) -> bool:
        """Running, and its provider says nothing of how far (OpenRouter's shape)."""
        return job.status is JobStatus.RUNNING and job.progress is None

    def _remaining(self, job: JobRow) -> float | None:
        """Seconds a running job has left, None while there is no rate to tell."""
        if len(self._left) > 4 * PAGE:  # finished jobs' estimates, never read again
            self._left.clear()
        estimate = self._left.setdefault(job.id, RemainingTime())
        estimate.observe(job.updated_at, job.progress or 0)  # when the poll recorded it
        return estimate.left(self.now())

    # ---- live updates --------------------------------------------------------------------

    def on_event(self, event: Event) -> None:
        """Engine events are gathered and applied together on the next turn of the event
        loop: a poll that moves 200 jobs costs one store read, not 200."""
        if isinstance(event, JobChanged):
            self._pending[event.job_id] = self._pending.get(event.job_id, frozenset()) | (
                event.changed
            )
            if not self._flush_timer.isActive():
                self._flush_timer.start()

    def flush(self) -> None:
        pending, self._pending = self._pending, {}
        if pending:
            self.jobs_changed(pending)

    def job_changed(self, job_id: int, changed: frozenset[str]) -> None:
        self.jobs_changed({job_id: changed})

    def jobs_changed(self, changes: dict[int, frozenset[str]]) -> None:
        jobs = {job.id: job for job in self.store.jobs.many(changes)}
        if any(changed & REORDERS for changed in changes.values()):
            self._refresh_order()
        wanted = FILTERS[self.filter]
        arrivals: list[JobRow] = []
        for job_id, changed in changes.items():
            job = jobs.get(job_id)
            belongs = job is not None and (wanted is None or job.status in wanted)
            if self._starred is not None:
                belongs = belongs and job_id in self._starred
            row = self._rows.get(job_id)
            if row is None:
                if belongs and job is not None:
                    arrivals.append(job)
            elif not belongs:
                self._remove(row)
            else:
                assert job is not None
                self._cache[job_id] = job
                columns = [i for i, c in enumerate(COLUMNS) if c.changes_with & changed]
                if columns:
                    self.dataChanged.emit(
                        self.index(row, min(columns)), self.index(row, max(columns))
                    )
        self._insert(arrivals)

    def _refresh_order(self) -> None:
        order = self._run_order()
        if order != self._order:
            self._rearrange(order)
            if self._ids:  # places shift for every queued row: one signal for the column
                self.dataChanged.emit(self.index(0, ORDER), self.index(len(self._ids) - 1, ORDER))

    def _rearrange(self, order: dict[int, int]) -> None:
        """Rows in the new sending order: one layout change that moves the rows (and the
        selection with them), not a reset. Only the waiting rows and those that join or
        leave them move; the rows after the last of those keep their places, so a big
        library costs list operations, not a pass in Python over every row."""
        head = 0  # the waiting rows lead
        while head < len(self._ids) and self._ids[head] in self._order:
            head += 1
        rest = self._ids[head:]
        joining = [j for j in order if self._rows.get(j, -1) >= head]  # queued again
        upto = max([head, *(self._rows[j] + 1 for j in joining)])  # rows [0, upto) move
        for job_id in joining:
            rest.remove(job_id)
        waiting = [i for i in self._ids[:head] if i in order] + joining
        for job_id in sorted((i for i in self._ids[:head] if i not in order), reverse=True):
            at = bisect_left(rest, -job_id, key=lambda i: -i)  # sent: among the rest, by id
            rest.insert(at, job_id)
            upto = max(upto, len(waiting) + at + 1)
        arranged = sorted(waiting, key=order.__getitem__) + rest
        self._order = order
        if arranged == self._ids:
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        moved = [self._ids[i.row()] for i in old]
        self._ids = arranged
        self._rows.update((arranged[row], row) for row in range(upto))
        new = [self.index(self._rows[j], i.column()) for j, i in zip(moved, old, strict=True)]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _insert(self, jobs: list[JobRow]) -> None:
        """New jobs go to their place (waiting ones by their place in the sending order, the
        others on top of the rest); the jobs of a batch, side by side, are one insertion."""
        jobs = sorted(jobs, key=lambda j: self._key(j.id))
        if not jobs:
            return
        batches = {job.batch_id for job in jobs if job.batch_id}
        if batches:  # "2 of 3" becomes "2 of 4" for the batch's rows already shown
            self._positions = {
                k: v for k, v in self._positions.items() if self._batch_of(k) not in batches
            }
            self._positions.update(self.store.jobs.positions(batches))
            if self._ids:
                self.dataChanged.emit(self.index(0, TAKE), self.index(len(self._ids) - 1, TAKE))
        groups: list[tuple[int, list[JobRow]]] = []  # (row before the insertion, jobs)
        for job in jobs:
            at = bisect_left(self._ids, self._key(job.id), key=self._key)
            if groups and groups[-1][0] == at:
                groups[-1][1].append(job)
            else:
                groups.append((at, [job]))
        shift = 0
        for at, members in groups:
            self._insert_rows(at + shift, members)
            shift += len(members)

    def _insert_rows(self, position: int, jobs: list[JobRow]) -> None:
        self.beginInsertRows(QModelIndex(), position, position + len(jobs) - 1)
        self._ids[position:position] = [job.id for job in jobs]
        self._rows = {job_id: r for r, job_id in enumerate(self._ids)}
        self._cache.update((job.id, job) for job in jobs)
        self.endInsertRows()

    def _remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        job_id = self._ids.pop(row)
        self._cache.pop(job_id, None)
        self._rows = {j: r for r, j in enumerate(self._ids)}
        self.endRemoveRows()

    def _batch_of(self, job_id: int) -> int | None:
        job = self._cache.get(job_id)
        return job.batch_id if job is not None else None

    def tick(self) -> None:
        """Refresh the time columns of running rows (called once a second by the view)."""
        for job_id, row in self._rows.items():
            job = self._cache.get(job_id)
            if job is not None and not job.status.finished and job.status is not JobStatus.QUEUED:
                self.dataChanged.emit(self.index(row, min(TIMED)), self.index(row, max(TIMED)))
