"""Engine leases: which engines are alive in a library, and the jobs each one holds.

An engine opens a lease when it starts, beats it every few seconds and ends it when it
stops. A job it claims (to send), adopts or takes over names its lease; no engine touches a
job whose lease is live. A lease whose heartbeat stopped, or whose process on this host is
gone, has expired: its jobs may be taken over (see `jobs/leases.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from studio.store.db import Database, Transaction


@dataclass(frozen=True)
class LeaseRow:
    id: int
    holder: str
    host: str
    pid: int
    provider: str
    started_at: float
    heartbeat_at: float
    ended_at: float | None
    state: str  # "" running; "paused", "auth" or "storage": why it sends nothing now
    message: str


class LeaseRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def open(self, *, holder: str, host: str, pid: int, provider: str, at: float) -> int:
        with self.db.write() as tx:
            cursor = tx.execute(
                "INSERT INTO engine_leases (holder, host, pid, provider, started_at, "
                "heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)",
                (holder, host, pid, provider, at, at),
            )
            return int(cursor.lastrowid or 0)

    def beat(self, lease_id: int, *, at: float, state: str, message: str) -> None:
        with self.db.write() as tx:
            tx.execute(
                "UPDATE engine_leases SET heartbeat_at = ?, state = ?, message = ? "
                "WHERE id = ? AND ended_at IS NULL",
                (at, state, message, lease_id),
            )

    def end(self, lease_id: int, *, at: float) -> None:
        with self.db.write() as tx:
            tx.execute("UPDATE engine_leases SET ended_at = ? WHERE id = ?", (at, lease_id))

    def get(self, lease_id: int) -> LeaseRow | None:
        row = self.db.query_one("SELECT * FROM engine_leases WHERE id = ?", (lease_id,))
        return LeaseRow(**dict(row)) if row else None

    def running(self) -> list[LeaseRow]:
        """Leases not ended (some may have expired: the caller judges their heartbeat)."""
        rows = self.db.query("SELECT * FROM engine_leases WHERE ended_at IS NULL ORDER BY id")
        return [LeaseRow(**dict(r)) for r in rows]

    def prune(self, before: float) -> None:
        """Forget leases that ended (or stopped beating) before `before` and hold no job
        that is still under way."""
        with self.db.write() as tx:
            tx.execute(
                "DELETE FROM engine_leases WHERE COALESCE(ended_at, heartbeat_at) < ? AND id "
                "NOT IN (SELECT lease_id FROM jobs WHERE lease_id IS NOT NULL AND status IN "
                "('submitting', 'submitted', 'running', 'downloading'))",
                (before,),
            )

    # ---- the jobs a lease holds ----------------------------------------------------------

    def orphans(self, provider: str, statuses: Iterable[str], live: Iterable[int]) -> list[int]:
        """Jobs in `statuses` whose lease is none of the `live` ones (expired, or none)."""
        wanted, alive = list(statuses), list(live)
        sql = (
            f"SELECT id FROM jobs WHERE provider = ? AND status IN ({_marks(wanted)}) "
            f"AND (lease_id IS NULL OR lease_id NOT IN ({_marks(alive)})) ORDER BY id"
        )
        return [int(r[0]) for r in self.db.query(sql, [provider, *wanted, *alive])]

    def take(self, tx: Transaction, job_id: int, lease_id: int, live: Iterable[int]) -> bool:
        """Give the job to `lease_id` if its lease is none of the `live` ones (a
        compare-and-set: of two engines taking one orphan, one wins)."""
        alive = list(live)
        cursor = tx.execute(
            f"UPDATE jobs SET lease_id = ? WHERE id = ? AND (lease_id IS NULL OR "
            f"lease_id NOT IN ({_marks(alive)}))",
            [lease_id, job_id, *alive],
        )
        return cursor.rowcount == 1


def _marks(values: list[str] | list[int]) -> str:
    return ",".join("?" * len(values))  # SQLite takes `IN ()` (an empty list): false
