"""Budget caps and the threshold alerts already raised (so a restart does not repeat them)."""

from __future__ import annotations

import time
from typing import NamedTuple

from studio.store.db import Database, Transaction

# What a job has paid or committed: the provider's figure where known; nothing for a job that
# failed or was cancelled without one — but an unsure create a person forgot may have been
# rendered, and counts as possibly spent, as it did while unsure; otherwise its estimate.
# An imported take keeps the cost it had where it was made, paid there, not here.
COMMITTED = (
    "CASE WHEN imported_at IS NOT NULL THEN 0 "
    "WHEN actual_cost IS NOT NULL THEN actual_cost "
    "WHEN failure_code = 'forgotten' THEN COALESCE(estimated_cost, 0) "
    "WHEN status IN ('failed', 'cancelled', 'expired') THEN 0 "
    "ELSE COALESCE(estimated_cost, 0) END"
)


class Alert(NamedTuple):
    scope: str  # daily | project
    key: str
    period: str
    threshold: int  # percent of the cap
    at: float


class BudgetRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def set_cap(
        self, scope: str, key: str, cap_usd: float | None, *, at: float | None = None
    ) -> None:
        """Set (None: clear) a cap; the change is kept in its history with its time."""
        with self.db.write() as tx:
            tx.execute(
                "INSERT INTO budget_history (scope, key, cap_usd, at) VALUES (?, ?, ?, ?)",
                (scope, key, cap_usd, time.time() if at is None else at),
            )
            if cap_usd is None:
                tx.execute("DELETE FROM budgets WHERE scope = ? AND key = ?", (scope, key))
            else:
                tx.execute(
                    "INSERT INTO budgets (scope, key, cap_usd) VALUES (?, ?, ?) "
                    "ON CONFLICT (scope, key) DO UPDATE SET cap_usd = excluded.cap_usd",
                    (scope, key, cap_usd),
                )

    def cap_at(self, scope: str, key: str, at: float) -> float | None:
        """The cap in force at `at` (None: no cap then)."""
        row = self.db.query_one(
            "SELECT cap_usd FROM budget_history WHERE scope = ? AND key = ? AND at <= ? "
            "ORDER BY at DESC, id DESC LIMIT 1",
            (scope, key, at),
        )
        return None if row is None or row[0] is None else float(row[0])

    def ever_set(self, scope: str, key: str) -> bool:
        return (
            self.db.query_one(
                "SELECT 1 FROM budget_history WHERE scope = ? AND key = ? LIMIT 1", (scope, key)
            )
            is not None
        )

    def cap(self, scope: str, key: str) -> float | None:
        row = self.db.query_one(
            "SELECT cap_usd FROM budgets WHERE scope = ? AND key = ?", (scope, key)
        )
        return None if row is None else float(row[0])

    def spent(
        self,
        *,
        created_from: float | None = None,
        created_to: float | None = None,
        project: str | None = None,
        sent_only: bool = False,
    ) -> float:
        """Committed spend: actual cost where known, else the estimate of live jobs
        (`sent_only`: leave out jobs still queued, which have not committed anything yet)."""
        sql = f"SELECT COALESCE(SUM({COMMITTED}), 0) FROM jobs WHERE 1 = 1"
        params: list[object] = []
        if created_from is not None:
            sql += " AND created_at >= ?"
            params.append(created_from)
        if created_to is not None:
            sql += " AND created_at < ?"
            params.append(created_to)
        if project is not None:
            sql += " AND project = ?"
            params.append(project)
        if sent_only:
            sql += " AND status <> 'queued'"
        row = self.db.query_one(sql, params)
        return float(row[0]) if row else 0.0

    def spent_per_day(self, start: float, end: float) -> dict[str, float]:
        """Committed spend per local day (YYYY-MM-DD) of the jobs created in [start, end):
        the figure the daily cap is held against, in one pass over the range."""
        return {
            str(day): float(total)
            for day, total in self.db.query(
                f"SELECT date(created_at, 'unixepoch', 'localtime'), SUM({COMMITTED}) "
                "FROM jobs WHERE created_at >= ? AND created_at < ? GROUP BY 1",
                (start, end),
            )
        }

    def recent_alerts(self, limit: int = 50) -> list[Alert]:
        """The threshold alerts raised, newest first."""
        rows = self.db.query(
            "SELECT scope, key, period, threshold, at FROM budget_alerts ORDER BY at DESC LIMIT ?",
            (limit,),
        )
        return [Alert(str(r[0]), str(r[1]), str(r[2]), int(r[3]), float(r[4])) for r in rows]

    def mark_alert(
        self, tx: Transaction, scope: str, key: str, period: str, threshold: int, at: float
    ) -> bool:
        """Record a threshold alert; False if it was already raised for that period."""
        cursor = tx.execute(
            "INSERT OR IGNORE INTO budget_alerts (scope, key, period, threshold, at) "
            "VALUES (?, ?, ?, ?, ?)",
            (scope, key, period, threshold, at),
        )
        return cursor.rowcount == 1
