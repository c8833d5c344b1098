"""The takes under review as a list model: number and place in the batch, variant,
decision, total and rank, star, the pre-screen's flags, thumbnail. In blind mode a take goes
by its neutral label until decided, and only the take in view, once decided, says more
(`ReviewSession.in_full`): another take's verdict would sway the judging of this one."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPixmap

from studio.review.session import ReviewSession, Take
from studio.store import BatchPosition, JobRow, take_name
from studio.ui.player.flags import flags_text

Index = QModelIndex | QPersistentModelIndex
JobIdRole = Qt.ItemDataRole.UserRole + 1
MARKS = {"approve": "✓ approved", "edit": "✎ edit", "discard": "✗ discarded"}


class TakeSource(Protocol):
    """What the list reads (the review panel)."""

    @property
    def session(self) -> ReviewSession | None: ...

    def job(self, job_id: int) -> JobRow | None: ...

    def asset_path(self, job_id: int, kind: str) -> Path | None: ...

    def position(self, job_id: int) -> BatchPosition | None: ...

    def flags(self, job_id: int) -> tuple[str, ...]: ...


def take_title(session: ReviewSession, take: Take, job: JobRow | None) -> str:
    """What a take is called: its number; in blind mode its neutral label, and once it
    is decided its number beside it ("Take C = #5")."""
    number = job.name if job is not None else take_name(take.job_id)
    if not session.blind:
        return number
    label = session.label(take)
    return f"{label} = {number}" if session.revealed(take) else label


def take_text(
    session: ReviewSession,
    take: Take,
    job: JobRow | None,
    position: BatchPosition | None,
    flags: Sequence[str] = (),
) -> str:
    """A take in the list: its name and place in the batch, then its variant, then its
    decision and total (in blind mode only "decided" or "not decided yet", except for the
    take in view once it is decided), then the pre-screen's flags (a machine's finding,
    not a reviewer's: shown in blind mode too)."""
    first = take_title(session, take, job)
    if not session.in_full(take):
        said = "decided" if take.decision is not None else "not decided yet"
        return "\n".join([first, said, flags_text(flags)] if flags else [first, said])
    first += f" · {position}" if position else ""
    first += " ★" if take.starred else ""
    lines = [first]
    if job is not None and job.spec.variant:
        lines.append(job.spec.variant)
    scored = take.tally.shown() if take.tally is not None else "—"
    mark = MARKS.get(take.decision.decision, "") if take.decision else "unreviewed"
    if take.decision is not None and take.decision.escalate:
        mark += " ⚑"
    ranked = f" · rank {take.rank.shown()}" if take.rank is not None else ""
    lines.append(f"{mark} · {scored}{ranked}")
    if flags:
        lines.append(flags_text(flags))
    return "\n".join(lines)


class TakeListModel(QAbstractListModel):
    """The session's takes: number, decision, total score, star, thumbnail.

    A change says which rows it touched (`takes_changed`, `rows_changed`), takes that join
    the pass are inserted (`takes_added`), a new order moves the rows (`rearranged`): never
    a reset but for a new pass (`reset`), so the selection, the current take and the scroll
    position stay where the reviewer left them."""

    def __init__(self, panel: TakeSource) -> None:
        super().__init__()
        self.panel = panel
        self._thumbs: dict[int, QPixmap] = {}
        self._rows = 0  # how many rows the views were told of (the session's takes, but
        # between a take joining the session and its insertion being announced)

    @property
    def session(self) -> ReviewSession | None:
        return self.panel.session

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        if parent.isValid() or self.session is None:
            return 0
        return min(self._rows, len(self.session.takes))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        session = self.session
        if session is None or not index.isValid() or index.row() >= self.rowCount():
            return None
        take = session.takes[index.row()]
        if role == JobIdRole:
            return take.job_id
        if role == Qt.ItemDataRole.DisplayRole:
            job = self.panel.job(take.job_id)
            position = self.panel.position(take.job_id)
            return take_text(session, take, job, position, self.panel.flags(take.job_id))
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumb(take.job_id)
        if role == Qt.ItemDataRole.ToolTipRole and session.in_full(take):
            job = self.panel.job(take.job_id)
            return job.prompt if job else None
        return None

    def _thumb(self, job_id: int) -> QPixmap | None:
        if job_id not in self._thumbs:
            path = self.panel.asset_path(job_id, "thumbnail")
            pixmap = QPixmap(str(path)) if path is not None else QPixmap()
            self._thumbs[job_id] = (
                pixmap.scaledToWidth(96, Qt.TransformationMode.SmoothTransformation)
                if not pixmap.isNull()
                else QPixmap()
            )
        thumb = self._thumbs[job_id]
        return None if thumb.isNull() else thumb

    # ---- what changed -------------------------------------------------------------------

    def reset(self) -> None:
        """A new pass (the session replaced): the only change that resets the views."""
        self.beginResetModel()
        self._thumbs.clear()
        self._rows = len(self.session.takes) if self.session is not None else 0
        self.endResetModel()

    def row_of(self, job_id: int) -> int | None:
        session = self.session
        if session is None:
            return None
        return next(
            (r for r, t in enumerate(session.takes[: self.rowCount()]) if t.job_id == job_id),
            None,
        )

    def takes_changed(self, job_ids: Iterable[int], *, thumbnails: bool = False) -> None:
        """These takes read differently now (a decision, score, star, flag, rank...): their
        rows, and no other, are told. `thumbnails`: their thumbnail may have changed too (a
        clip deleted or restored), so it is read again; the others' stay cached."""
        session = self.session
        wanted = set(job_ids)
        if session is None or not wanted:
            return
        if thumbnails:
            for job_id in wanted:
                self._thumbs.pop(job_id, None)
        self.rows_changed(
            r for r, t in enumerate(session.takes[: self.rowCount()]) if t.job_id in wanted
        )

    def rows_changed(self, rows: Iterable[int]) -> None:
        """dataChanged for these rows: one signal per run of adjacent rows."""
        count = self.rowCount()
        ordered = sorted({r for r in rows if 0 <= r < count})
        while ordered:
            first = last = ordered.pop(0)
            while ordered and ordered[0] == last + 1:
                last = ordered.pop(0)
            self.dataChanged.emit(self.index(first), self.index(last))

    def all_changed(self) -> None:
        """Something every row shows changed (blind mode on or off): dataChanged over all
        rows, which keeps the selection and the scroll position as a reset would not."""
        count = self.rowCount()
        if count:
            self.dataChanged.emit(self.index(0), self.index(count - 1))

    def takes_added(self) -> None:
        """Takes that joined the session (`ReviewSession.add`, always last) as new rows."""
        session = self.session
        count = len(session.takes) if session is not None else 0
        if count > self._rows:
            self.beginInsertRows(QModelIndex(), self._rows, count - 1)
            self._rows = count
            self.endInsertRows()

    def rearranged(self, arrange: Callable[[], None]) -> None:
        """The session's takes put in another order by `arrange` (blind mode, rank order):
        the rows move, and the selection and the current take move with them."""
        session = self.session
        if session is None:
            arrange()
            return
        self.layoutAboutToBeChanged.emit()
        before = [t.job_id for t in session.takes[: self.rowCount()]]
        kept = self.persistentIndexList()
        try:
            arrange()
        finally:
            after = {t.job_id: r for r, t in enumerate(session.takes[: self.rowCount()])}
            self.changePersistentIndexList(
                kept,
                [
                    self.index(after[before[p.row()]])
                    if p.isValid() and p.row() < len(before) and before[p.row()] in after
                    else QModelIndex()
                    for p in kept
                ],
            )
            self.layoutChanged.emit()
