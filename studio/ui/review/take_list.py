"""The takes under review as a list model: number and place in the batch, variant,
decision, total and rank, star, the pre-screen's flags, thumbnail. In blind mode a take goes
by its neutral label until decided, and only the take in view, once decided, says more
(`ReviewSession.in_full`): another take's verdict would sway the judging of this one."""

from __future__ import annotations

from collections.abc import Sequence
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
    """The session's takes: number, decision, total score, star, thumbnail."""

    def __init__(self, panel: TakeSource) -> None:
        super().__init__()
        self.panel = panel
        self._thumbs: dict[int, QPixmap] = {}

    @property
    def session(self) -> ReviewSession | None:
        return self.panel.session

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        if parent.isValid() or self.session is None:
            return 0
        return len(self.session.takes)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        session = self.session
        if session is None or not index.isValid() or index.row() >= len(session.takes):
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

    def refresh(self, row: int | None = None) -> None:
        if row is None:
            self.beginResetModel()
            self.endResetModel()
        else:
            self.dataChanged.emit(self.index(row), self.index(row))
