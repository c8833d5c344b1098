"""Small records of the library with no logic of their own: batches, exports and the
C2PA provenance read from each clip (one repository each; all SQL lives in the store)."""

from __future__ import annotations

from studio.store.db import Database, Transaction


class BatchRepo:
    """A batch groups the takes queued together (variants, a batch file's lines)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, name: str, *, project: str, varied_slot: str | None, at: float) -> int:
        with self.db.write() as tx:
            cursor = tx.execute(
                "INSERT INTO batches (name, project, varied_slot, created_at) VALUES (?,?,?,?)",
                (name, project, varied_slot, at),
            )
            return int(cursor.lastrowid or 0)

    def name(self, batch_id: int) -> str | None:
        row = self.db.query_one("SELECT name FROM batches WHERE id = ?", (batch_id,))
        return str(row[0]) if row else None


class ExportRepo:
    """Which take was exported where, when and by whom."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, job_id: int, path: str, sha256: str, *, at: float, reviewer: str) -> None:
        with self.db.write() as tx:
            tx.execute(
                "INSERT INTO exports (job_id, path, sha256, at, reviewer) VALUES (?,?,?,?,?)",
                (job_id, path, sha256, at, reviewer),
            )


class ProvenanceRepo:
    """Each clip's provenance as read (state and details as JSON), one row per take."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def save(self, tx: Transaction, job_id: int, state: str, detail_json: str) -> None:
        tx.execute(
            "INSERT INTO provenance (job_id, state, detail_json) VALUES (?, ?, ?) "
            "ON CONFLICT (job_id) DO UPDATE SET state = excluded.state, "
            "detail_json = excluded.detail_json",
            (job_id, state, detail_json),
        )

    def detail_json(self, job_id: int) -> str | None:
        row = self.db.query_one("SELECT detail_json FROM provenance WHERE job_id = ?", (job_id,))
        return str(row[0]) if row else None
