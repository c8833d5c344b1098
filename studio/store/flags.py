"""The machine pre-screen's results: each take's last screening and its flags (written by
`LibraryOps.record_screening`, read by the views, the search and the sidecar)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from studio.core.flags import CHECKS, Flag, Screening
from studio.store.db import Database, Transaction

_FLAG_COLUMNS = "check_name, start_s, end_s, first_frame, last_frame, measured, threshold, detail"


class FlagRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def save(self, tx: Transaction, job_id: int, sha256: str, screening: Screening) -> None:
        """The take's screening of the clip with these bytes, replacing any before."""
        tx.execute("DELETE FROM flags WHERE job_id = ?", (job_id,))
        tx.execute(
            "INSERT INTO screenings (job_id, sha256, thresholds, screened_at, measured_json) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (job_id) DO UPDATE SET "
            "sha256 = excluded.sha256, thresholds = excluded.thresholds, "
            "screened_at = excluded.screened_at, measured_json = excluded.measured_json",
            (
                job_id,
                sha256,
                screening.thresholds,
                screening.screened_at,
                json.dumps(dict(screening.measured), sort_keys=True),
            ),
        )
        tx.executemany(
            f"INSERT INTO flags (job_id, {_FLAG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(job_id, *_columns(f)) for f in screening.flags],
        )

    def screening(self, job_id: int) -> Screening | None:
        """The take's last screening with its flags in time order (None: not screened)."""
        row = self.db.query_one(
            "SELECT thresholds, screened_at, measured_json FROM screenings WHERE job_id = ?",
            (job_id,),
        )
        if row is None:
            return None
        flags = self.db.query(
            f"SELECT {_FLAG_COLUMNS} FROM flags WHERE job_id = ? ORDER BY start_s, id",
            (job_id,),
        )
        try:
            measured = json.loads(row["measured_json"] or "{}")
        except ValueError:
            measured = {}
        return Screening(
            flags=tuple(Flag(*f) for f in flags),
            thresholds=str(row["thresholds"]),
            measured=measured if isinstance(measured, dict) else {},
            screened_at=float(row["screened_at"]),
        )

    def checks_for(self, job_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        """Each take's flagged checks (a badge each), for a page of takes; a take screened
        with nothing flagged has an empty tuple, one never screened is left out."""
        if not job_ids:
            return {}
        marks = ",".join("?" * len(job_ids))
        found: dict[int, set[str]] = {
            int(r[0]): set()
            for r in self.db.query(
                f"SELECT job_id FROM screenings WHERE job_id IN ({marks})", list(job_ids)
            )
        }
        for job_id, check in self.db.query(
            f"SELECT DISTINCT job_id, check_name FROM flags WHERE job_id IN ({marks})",
            list(job_ids),
        ):
            found.setdefault(int(job_id), set()).add(str(check))
        return {i: tuple(c for c in CHECKS if c in checks) for i, checks in found.items()}

    def unscreened(self) -> list[int]:
        """Takes whose clip has no screening of its present bytes (never screened, or the
        clip was replaced since), newest first; clips deleted on purpose are left out."""
        rows = self.db.query(
            "SELECT a.job_id FROM assets a LEFT JOIN screenings s ON s.job_id = a.job_id "
            "WHERE a.kind = 'video' AND (s.job_id IS NULL OR s.sha256 <> a.sha256) "
            "AND NOT EXISTS (SELECT 1 FROM asset_deletions d "
            "WHERE d.job_id = a.job_id AND d.kind = 'video') "
            "ORDER BY a.job_id DESC"
        )
        return [int(r[0]) for r in rows]

    def screened_bytes(self, job_id: int) -> str | None:
        """The sha256 of the clip the take's screening was made of (None: not screened)."""
        row = self.db.query_one("SELECT sha256 FROM screenings WHERE job_id = ?", (job_id,))
        return str(row[0]) if row else None


def _columns(flag: Flag) -> tuple[object, ...]:
    """A flag's values in `_FLAG_COLUMNS` order (`Flag(*row)` reads them back)."""
    return (flag.check, flag.start, flag.end, flag.first_frame, flag.last_frame,
            flag.measured, flag.threshold, flag.detail)  # fmt: skip
