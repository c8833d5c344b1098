"""Jobs: the persisted queue, every transition recorded in `job_events`."""

from __future__ import annotations

import enum
import functools
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from studio.core.spec import StoredSpec
from studio.store.db import Database, Transaction
from studio.store.migrations import SHOTS


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    SUBMITTING = "submitting"
    # The create went out and its outcome is unknown (reply lost, 5xx, cut): the provider
    # may be rendering it. Parked for a person to send again or forget; nothing automatic.
    UNSURE = "unsure"
    SUBMITTED = "submitted"
    RUNNING = "running"
    DOWNLOADING = "downloading"
    READY = "ready"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def finished(self) -> bool:
        return self in FINISHED

    @property
    def remote(self) -> bool:
        """The provider is working on it (we poll it)."""
        return self in (JobStatus.SUBMITTED, JobStatus.RUNNING)

    @property
    def settled(self) -> bool:
        """Nothing more will happen to it without a person: finished, or parked unsure."""
        return self in FINISHED or self is JobStatus.UNSURE


FINISHED = frozenset({JobStatus.READY, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.EXPIRED})
ALIVE = frozenset(JobStatus) - {JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.EXPIRED}
# Sent or about to be: what the double-submit guard (and the per-key index) counts as live.
IN_FLIGHT = frozenset(ALIVE - {JobStatus.READY})


class FailureClass(enum.StrEnum):
    TRANSPORT = "transport"  # network / provider servers: retried, then shown as such
    REQUEST = "request"  # the provider refused the request (auth, validation): not retried
    POLICY = "policy"  # moderation / content policy
    RENDER = "render"  # the model failed to render
    EXPIRED = "expired"  # finished but its content expired before download
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"  # past its deadline; still reconcilable
    STORAGE = "storage"  # could not write the clip (disk full, permissions)


@dataclass
class JobRow:
    id: int
    batch_id: int | None
    parent_id: int | None
    provider: str
    project: str
    model: str
    prompt: str
    spec_json: str
    idem_key: str
    attempt: int
    status: JobStatus
    priority: int
    queue_pos: float
    remote_id: str | None
    progress: int | None
    failure_class: FailureClass | None
    failure_code: str | None
    failure_message: str | None
    estimated_cost: float | None
    actual_cost: float | None
    created_at: float
    updated_at: float
    submitted_at: float | None
    remote_done_at: float | None
    finished_at: float | None
    expires_at: float | None
    deadline_at: float | None
    content_hash: str | None = None  # what the render is (parameters + fitted image)
    retry_of: int | None = None  # the job this one retries (not lineage: see parent_id)
    line_key: str | None = None  # the batch-file line this job renders
    template_id: int | None = None  # the template version it was made from
    shot_id: int | None = None  # the root of its lineage (see migrations.SHOTS)
    lease_id: int | None = None  # the engine that sends, polls or downloads it (see leases)
    origin: str = ""  # where it was queued: "" the window, else the command ("studio batch")
    damage: str | None = None  # why its clip is damaged ("44 of 96 frames decode"), if it is
    # Made in another library and imported (see `imported_from`); NULL for a take made here.
    # Not to be confused with `origin` above, which says where a take made here was queued.
    origin_library: str | None = None  # that library's id ("" when an old sidecar lacks it)
    origin_name: str | None = None  # that library's name, as its sidecar gave it
    origin_take: int | None = None  # the take's number there
    imported_at: float | None = None  # when it came into this library (any import)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> JobRow:
        data = dict(row)
        data["status"] = JobStatus(data["status"])
        if data["failure_class"] is not None:
            data["failure_class"] = FailureClass(data["failure_class"])
        return cls(**data)

    @functools.cached_property
    def spec(self) -> StoredSpec:
        """The stored spec, parsed once (every reader uses this, not the JSON)."""
        return StoredSpec.from_json(self.spec_json, model=self.model, prompt=self.prompt)

    @property
    def name(self) -> str:
        """How a take is named everywhere (see `take_name`)."""
        return take_name(self.id, self.imported_from)

    @property
    def lineage_kind(self) -> str:
        """How the take came from its parent: "remix" (the provider re-rendered the
        parent's video with a revised prompt), "revision" (a new render of a revised
        prompt), "retry" (the same render again), or "take" (the first of its shot)."""
        if self.parent_id is not None:
            return "remix" if self.spec.remix_of else "revision"
        return "retry" if self.retry_of is not None else "take"

    @property
    def imported_from(self) -> Origin | None:
        """Where the take was made, when that is another library (None: made here, or a
        plain video file with no library behind it)."""
        if self.origin_library is None or self.origin_take is None:
            return None
        return Origin(self.origin_library, self.origin_name or "", self.origin_take)

    @property
    def imported(self) -> bool:
        """Brought in by an import (with or without a sidecar): not rendered, nor paid
        for, by this library."""
        return self.imported_at is not None

    @property
    def cost(self) -> float:
        """What the job costs (or will): actual where known, else the estimate."""
        if self.actual_cost is not None:
            return self.actual_cost
        return self.estimated_cost or 0.0


def _marks(values: frozenset[JobStatus]) -> str:
    return ",".join("?" * len(values))


@dataclass(frozen=True)
class Origin:
    """Where a take was made: a library (its id, made once in that library's database, and
    its name) and the take's job number there. With the id it is stable across every
    library the take passes through."""

    library: str  # "" when the sidecar it came with predates library ids
    library_name: str
    take: int

    def __str__(self) -> str:
        return f"#{self.take} from {self.library_name or 'another library'}"


def take_name(job_id: int, origin: Origin | None = None) -> str:
    """How a take is named everywhere (take list, Library, review header, queue, lineage):
    its job number in this library, and for a take made in another library its number
    there and that library's name beside it ("#6 · #11 from Studio on kestrel")."""
    return f"#{job_id}" if origin is None else f"#{job_id} · {origin}"


@dataclass(frozen=True)
class BatchPosition:
    """Where a take sits in its batch: the secondary part of its name ("3 of 6")."""

    index: int  # 1-based
    count: int

    def __str__(self) -> str:
        return f"{self.index} of {self.count}"


COLUMNS = tuple(f.name for f in fields(JobRow))
_MUTABLE = set(COLUMNS) - {"id", "created_at"}


class JobRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- writes (inside a transaction) ------------------------------------------------

    def delete(self, tx: Transaction, job_id: int) -> None:
        """A row that never became a take (an import whose clip could not be copied)."""
        tx.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    def link(self, tx: Transaction, job_id: int, column: str, target: int) -> None:
        """Set a take's parent (`parent_id`) or the take it retries (`retry_of`) where it
        has none yet."""
        if column not in ("parent_id", "retry_of"):
            raise ValueError(f"not a lineage column: {column}")
        tx.execute(
            f"UPDATE jobs SET {column} = ? WHERE id = ? AND {column} IS NULL", (target, job_id)
        )

    def insert(self, tx: Transaction, values: dict[str, Any], *, at: float) -> int:
        values = {**values, "created_at": at, "updated_at": at}
        if "queue_pos" not in values:
            values["queue_pos"] = self._next_pos(tx)
        names = ", ".join(values)
        marks = ", ".join(f":{k}" for k in values)
        cursor = tx.execute(f"INSERT INTO jobs ({names}) VALUES ({marks})", values)
        job_id = int(cursor.lastrowid or 0)
        up = values.get("parent_id") or values.get("retry_of")
        tx.execute(  # the shot of the take it revises or retries, else its own
            "UPDATE jobs SET shot_id = COALESCE((SELECT shot_id FROM jobs WHERE id = ?), ?) "
            "WHERE id = ?",
            (up, job_id, job_id),
        )
        self.record(tx, job_id, str(values["status"]), at, "created")
        return job_id

    def refresh_shots(self, tx: Transaction) -> None:
        """Every take's shot again (after lineage links were set afterwards, on import)."""
        tx.executescript_in_tx(SHOTS)

    def update(self, tx: Transaction, job_id: int, *, at: float, **values: Any) -> None:
        bad = set(values) - _MUTABLE
        if bad:
            raise ValueError(f"not updatable: {sorted(bad)}")
        values["updated_at"] = at
        sets = ", ".join(f"{k} = :{k}" for k in values)
        tx.execute(f"UPDATE jobs SET {sets} WHERE id = :id", {**values, "id": job_id})

    def transition(
        self,
        tx: Transaction,
        job_id: int,
        status: JobStatus,
        *,
        at: float,
        detail: str | None = None,
        **values: Any,
    ) -> None:
        """Change status (and other columns) and record the transition with its time."""
        if status.finished:
            values.setdefault("finished_at", at)
        self.update(tx, job_id, at=at, status=status.value, **values)
        self.record(tx, job_id, status.value, at, detail)

    def claim(self, tx: Transaction, job_id: int, *, at: float, **values: Any) -> bool:
        """queued → submitting if, and only if, the row is still queued: a compare-and-set,
        so no two engines can ever both send one job."""
        bad = set(values) - _MUTABLE
        if bad:
            raise ValueError(f"not updatable: {sorted(bad)}")
        values = {**values, "updated_at": at}
        sets = ", ".join(f"{k} = :{k}" for k in values)
        cursor = tx.execute(
            f"UPDATE jobs SET status = 'submitting', {sets} WHERE id = :id AND status = 'queued'",
            {**values, "id": job_id},
        )
        if cursor.rowcount != 1:
            return False
        self.record(tx, job_id, JobStatus.SUBMITTING.value, at, None)
        return True

    def record(
        self, tx: Transaction, job_id: int, status: str, at: float, detail: str | None
    ) -> None:
        tx.execute(
            "INSERT INTO job_events (job_id, at, status, detail) VALUES (?, ?, ?, ?)",
            (job_id, at, status, detail),
        )

    def _next_pos(self, tx: Transaction) -> float:
        row = tx.execute("SELECT COALESCE(MAX(queue_pos), 0) + 1 FROM jobs").fetchone()
        return float(row[0])

    def move(self, tx: Transaction, job_ids: Sequence[int], *, to_top: bool, at: float) -> None:
        """Move queued jobs before (or after) every other queued job, keeping their order.
        Priority comes first in the sending order, so they also take the highest priority
        waiting (the lowest, to the bottom): "Move to top" means sent next."""
        edge, rank = ("MIN", "MAX") if to_top else ("MAX", "MIN")
        row = tx.execute(f"SELECT {edge}(queue_pos) FROM jobs").fetchone()
        base = float(row[0] or 0)
        row = tx.execute(f"SELECT {rank}(priority) FROM jobs WHERE status = 'queued'").fetchone()
        priority = {} if row is None or row[0] is None else {"priority": int(row[0])}
        ordered = list(job_ids) if not to_top else list(reversed(job_ids))
        for i, job_id in enumerate(ordered, start=1):
            pos = base - i if to_top else base + i
            self.update(tx, job_id, at=at, queue_pos=pos, **priority)

    # ---- reads -------------------------------------------------------------------------

    def get(self, job_id: int) -> JobRow | None:
        row = self.db.query_one("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return JobRow.from_row(row) if row else None

    def many(self, job_ids: Iterable[int]) -> list[JobRow]:
        ids = list(job_ids)
        found: list[JobRow] = []
        for start in range(0, len(ids), 900):  # under SQLite's limit on bound parameters
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            rows = self.db.query(f"SELECT * FROM jobs WHERE id IN ({marks})", chunk)
            found.extend(JobRow.from_row(r) for r in rows)
        return sorted(found, key=lambda job: job.id)

    def children(self, job_id: int) -> list[JobRow]:
        """Revisions and retries made from a take, oldest first."""
        rows = self.db.query("SELECT * FROM jobs WHERE parent_id = ? ORDER BY id", (job_id,))
        return [JobRow.from_row(r) for r in rows]

    def with_status(
        self, *statuses: JobStatus, provider: str | None = None, lease: int | None = None
    ) -> list[JobRow]:
        """Jobs in `statuses`, of one provider and held by one engine's lease if given."""
        marks = ",".join("?" * len(statuses))
        sql = f"SELECT * FROM jobs WHERE status IN ({marks})"
        params: list[Any] = [s.value for s in statuses]
        if provider is not None:
            sql += " AND provider = ?"
            params.append(provider)
        if lease is not None:
            sql += " AND lease_id = ?"
            params.append(lease)
        return [JobRow.from_row(r) for r in self.db.query(sql + " ORDER BY id", params)]

    def changed_since(self, at: float) -> list[tuple[int, str, float]]:
        """(id, status, updated_at) of the jobs changed at or after `at`."""
        rows = self.db.query(
            "SELECT id, status, updated_at FROM jobs WHERE updated_at >= ? ORDER BY id", (at,)
        )
        return [(int(r[0]), str(r[1]), float(r[2])) for r in rows]

    def queued(self, provider: str, limit: int) -> list[JobRow]:
        rows = self.db.query(
            "SELECT * FROM jobs WHERE status = 'queued' AND provider = ? "
            "ORDER BY priority DESC, queue_pos, id LIMIT ?",
            (provider, limit),
        )
        return [JobRow.from_row(r) for r in rows]

    def run_order(self, provider: str) -> list[int]:
        """Queued job ids in the order the scheduler will send them (as `queued`)."""
        rows = self.db.query(
            "SELECT id FROM jobs WHERE status = 'queued' AND provider = ? "
            "ORDER BY priority DESC, queue_pos, id",
            (provider,),
        )
        return [int(r[0]) for r in rows]

    def guarded(self, tx: Transaction | None, content_hash: str, since: float) -> JobRow | None:
        """The job a new submission of the same render would duplicate: one in flight
        (queued to downloading), or any but a cancelled one queued at or after `since`."""
        sql = (
            "SELECT * FROM jobs WHERE content_hash = ? AND (status IN "
            f"({_marks(IN_FLIGHT)}) OR (created_at >= ? AND status != 'cancelled')) "
            "ORDER BY id DESC LIMIT 1"
        )
        params = (content_hash, *sorted(s.value for s in IN_FLIGHT), since)
        row = tx.execute(sql, params).fetchone() if tx else self.db.query_one(sql, params)
        return JobRow.from_row(row) if row else None

    def latest_on_line(self, line_key: str) -> JobRow | None:
        """The newest job rendering a batch-file line (a retry takes the line over)."""
        row = self.db.query_one(
            "SELECT * FROM jobs WHERE line_key = ? ORDER BY id DESC LIMIT 1", (line_key,)
        )
        return JobRow.from_row(row) if row else None

    def retries_of(self, job_id: int) -> list[JobRow]:
        rows = self.db.query("SELECT * FROM jobs WHERE retry_of = ? ORDER BY id", (job_id,))
        return [JobRow.from_row(r) for r in rows]

    def claimed_remote_ids(self, provider: str) -> set[str]:
        rows = self.db.query(
            "SELECT remote_id FROM jobs WHERE provider = ? AND remote_id IS NOT NULL", (provider,)
        )
        return {r[0] for r in rows}

    def recent_projects(self, limit: int = 12) -> list[str]:
        """Projects by their latest take, newest first (what the editor offers)."""
        rows = self.db.query(
            "SELECT project FROM jobs GROUP BY project ORDER BY max(created_at) DESC LIMIT ?",
            (limit,),
        )
        return [str(r[0]) for r in rows]

    def events(self, job_id: int) -> list[tuple[float, str, str | None]]:
        rows = self.db.query(
            "SELECT at, status, detail FROM job_events WHERE job_id = ? ORDER BY id", (job_id,)
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def search(self, text: str, limit: int = 200) -> list[JobRow]:
        """Full-text search over prompts; words are matched as prefixes."""
        terms = [t for t in "".join(c if c.isalnum() else " " for c in text).split() if t]
        if not terms:
            return []
        query = " ".join(f'"{t}"*' for t in terms)
        rows = self.db.query(
            "SELECT jobs.* FROM prompt_fts JOIN jobs ON jobs.id = prompt_fts.rowid "
            "WHERE prompt_fts MATCH ? ORDER BY rank LIMIT ?",
            (query, limit),
        )
        return [JobRow.from_row(r) for r in rows]

    def count(self, *statuses: JobStatus, provider: str) -> int:
        marks = ",".join("?" * len(statuses))
        row = self.db.query_one(
            f"SELECT COUNT(*) FROM jobs WHERE provider = ? AND status IN ({marks})",
            [provider, *(s.value for s in statuses)],
        )
        return int(row[0]) if row else 0

    def positions(self, batch_ids: Iterable[int]) -> dict[int, BatchPosition]:
        """Each job's place in its batch (in the order queued), for the batches given."""
        ids = sorted(set(batch_ids))
        out: dict[int, BatchPosition] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            rows = self.db.query(
                f"SELECT id, batch_id FROM jobs WHERE batch_id IN ({marks}) ORDER BY batch_id, id",
                chunk,
            )
            members: dict[int, list[int]] = {}
            for job_id, batch_id in rows:
                members.setdefault(int(batch_id), []).append(int(job_id))
            for batch in members.values():
                out.update(
                    (job_id, BatchPosition(i, len(batch)))
                    for i, job_id in enumerate(batch, start=1)
                )
        return out

    def unfinished_in_batch(self, batch_id: int) -> int:
        """How many of a batch's jobs are not finished yet (one count, not its rows)."""
        marks = ",".join("?" * len(FINISHED))
        row = self.db.query_one(
            f"SELECT count(*) FROM jobs WHERE batch_id = ? AND status NOT IN ({marks})",
            (batch_id, *(s.value for s in FINISHED)),
        )
        return int(row[0]) if row else 0

    def in_batch(self, batch_id: int) -> list[JobRow]:
        rows = self.db.query("SELECT * FROM jobs WHERE batch_id = ? ORDER BY id", (batch_id,))
        return [JobRow.from_row(r) for r in rows]

    def ids(self, statuses: Iterable[JobStatus] | None = None) -> list[int]:
        """Job ids, newest first, optionally only those in `statuses` (cheap for big tables)."""
        if statuses is None:
            rows = self.db.query("SELECT id FROM jobs ORDER BY id DESC")
        else:
            values = [s.value for s in statuses]
            marks = ",".join("?" * len(values))
            rows = self.db.query(
                f"SELECT id FROM jobs WHERE status IN ({marks}) ORDER BY id DESC", values
            )
        return [int(r[0]) for r in rows]

    def count_by_status(self) -> dict[JobStatus, int]:
        rows = self.db.query("SELECT status, COUNT(*) FROM jobs GROUP BY status")
        return {JobStatus(r[0]): int(r[1]) for r in rows}

    def failures(self, failure_class: FailureClass) -> list[JobRow]:
        rows = self.db.query(
            "SELECT * FROM jobs WHERE failure_class = ? ORDER BY id", (failure_class.value,)
        )
        return [JobRow.from_row(r) for r in rows]
