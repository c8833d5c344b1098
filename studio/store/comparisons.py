"""Blind pairwise comparisons of takes, and each compared take's stored rank.

A comparison is kept as it was made: the two takes as shown (left, right), the choice, who
made it and when. An undo marks it taken back (when, by whom) and keeps it, so the history
of a ranking can be read whole; only comparisons not taken back count.

Takes joined by comparisons (directly or through other takes) form a group, ranked
together. Each compared take's rank in its group is stored (`take_rank`), written by the
operation that changed the group through a `Ranker` (the fit lives in studio.review, above
the store): the Library shows and sorts by rank at 100,000 takes without fitting anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from studio.core.take_state import millis  # a time as a sidecar keeps it
from studio.store.db import Database

CHOICES = ("left", "right", "tie")


@dataclass(frozen=True)
class Comparison:
    id: int
    left_id: int
    right_id: int
    choice: str  # left | right | tie
    reviewer: str
    at: float
    undone_at: float | None = None  # taken back (then it no longer counts), and by whom
    undone_by: str | None = None

    @property
    def live(self) -> bool:
        return self.undone_at is None


@dataclass(frozen=True)
class TakeRank:
    """A compared take's place in its group, as the last change to the group left it."""

    job_id: int
    group_id: int  # the group's lowest take number
    rank: int  # 1 = the best
    takes: int  # in the group
    strength: float  # log-odds, against the group's mean
    low: float  # its 95 % interval
    high: float
    p_top: float  # the chance it is the group's best
    comparisons: int  # comparisons it took part in (not taken back)
    settled: bool  # the group's top would not change with more comparisons

    def shown(self) -> str:
        """The rank as every view writes it."""
        return f"{self.rank} of {self.takes}"

    def detail(self) -> str:
        """The rank with what it rests on, in words (a tooltip)."""
        state = "settled" if self.settled else "not settled yet"
        return (
            f"Rank {self.rank} of {self.takes} compared takes ({state}): strength "
            f"{self.strength:+.2f}, 95 % interval {self.low:+.2f} to {self.high:+.2f}; "
            f"{self.comparisons} comparison{'s' * (self.comparisons != 1)}; "
            f"{self.p_top:.0%} likely the best"
        )


# The takes of one group (ascending) and their comparisons that count → each take's rank.
Ranker = Callable[[list[int], list[Comparison]], list[TakeRank]]


def _ids(job_ids: Iterable[int]) -> str:
    """Take numbers as one bound parameter (`json_each`): no limit on how many."""
    return json.dumps(sorted({int(i) for i in job_ids}))


class ComparisonRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, left: int, right: int, choice: str, *, reviewer: str, at: float) -> Comparison:
        if choice not in CHOICES:
            raise ValueError(f"a comparison's choice is left, right or tie, not {choice!r}")
        if left == right:
            raise ValueError(f"take {left} cannot be compared with itself")
        with self.db.write() as tx:
            cursor = tx.execute(
                "INSERT INTO comparisons (left_id, right_id, choice, reviewer, at) "
                "VALUES (?, ?, ?, ?, ?)",
                (left, right, choice, reviewer, at),
            )
            made = self.get(int(cursor.lastrowid or 0))
        assert made is not None
        return made

    def undo(self, comparison_id: int, *, reviewer: str, at: float) -> Comparison | None:
        """Take a comparison back (it stays, marked); None when it was taken back already
        or is not there."""
        with self.db.write() as tx:
            done = tx.execute(
                "UPDATE comparisons SET undone_at = ?, undone_by = ? "
                "WHERE id = ? AND undone_at IS NULL",
                (at, reviewer, comparison_id),
            ).rowcount
            return self.get(comparison_id) if done else None

    def get(self, comparison_id: int) -> Comparison | None:
        row = self.db.query_one("SELECT * FROM comparisons WHERE id = ?", (comparison_id,))
        return _comparison(dict(row)) if row is not None else None

    def among(
        self, job_ids: Iterable[int], *, reviewer: str | None = None, live: bool = True
    ) -> list[Comparison]:
        """Comparisons between two of these takes, in the order they were made
        (`reviewer`: only theirs; `live`: only those not taken back)."""
        ids = _ids(job_ids)
        sql = (
            "SELECT * FROM comparisons WHERE left_id IN (SELECT value FROM json_each(?)) "
            "AND right_id IN (SELECT value FROM json_each(?))"
        )
        params: list[Any] = [ids, ids]
        if reviewer is not None:
            sql += " AND reviewer = ?"
            params.append(reviewer)
        if live:
            sql += " AND undone_at IS NULL"
        return [_comparison(dict(r)) for r in self.db.query(sql + " ORDER BY at, id", params)]

    def of_takes(self, job_ids: Iterable[int]) -> list[Comparison]:
        """Every comparison any of these takes took part in, taken back or not, in the
        order they were made (what a sidecar carries)."""
        ids = _ids(job_ids)
        rows = self.db.query(
            "SELECT * FROM comparisons WHERE left_id IN (SELECT value FROM json_each(?)) "
            "OR right_id IN (SELECT value FROM json_each(?)) ORDER BY at, id",
            [ids, ids],
        )
        return [_comparison(dict(r)) for r in rows]

    def reviewers(self, job_ids: Iterable[int]) -> list[str]:
        """Who compared these takes with each other (comparisons that count)."""
        return sorted({c.reviewer for c in self.among(job_ids)})

    def restore(self, entries: Sequence[Comparison]) -> list[Comparison]:
        """Comparisons an import brings: each one not here yet (the same takes on the same
        sides, choice, reviewer and millisecond) is added; one here that the import has
        taken back is marked so. Returns those added or marked."""
        changed: list[Comparison] = []
        with self.db.write() as tx:
            for entry in entries:
                rows = tx.execute(
                    "SELECT id, at, undone_at FROM comparisons WHERE left_id = ? AND "
                    "right_id = ? AND choice = ? AND reviewer = ? AND abs(at - ?) < 1 "
                    "ORDER BY id",
                    (entry.left_id, entry.right_id, entry.choice, entry.reviewer, entry.at),
                ).fetchall()
                row = next((r for r in rows if millis(r["at"]) == millis(entry.at)), None)
                if row is None:
                    tx.execute(
                        "INSERT INTO comparisons (left_id, right_id, choice, reviewer, at, "
                        "undone_at, undone_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (entry.left_id, entry.right_id, entry.choice, entry.reviewer,
                         entry.at, entry.undone_at, entry.undone_by),
                    )  # fmt: skip
                    changed.append(entry)
                elif row["undone_at"] is None and entry.undone_at is not None:
                    tx.execute(
                        "UPDATE comparisons SET undone_at = ?, undone_by = ? WHERE id = ?",
                        (entry.undone_at, entry.undone_by, row["id"]),
                    )
                    changed.append(entry)
        return changed

    # ---- ranks ------------------------------------------------------------------------------

    def ranks(self, job_ids: Iterable[int]) -> dict[int, TakeRank]:
        """The stored ranks of these takes (takes never compared have none)."""
        rows = self.db.query(
            "SELECT * FROM take_rank WHERE job_id IN (SELECT value FROM json_each(?))",
            [_ids(job_ids)],
        )
        return {int(r["job_id"]): _rank(dict(r)) for r in rows}

    def refresh_ranks(self, job_ids: Iterable[int], ranker: Ranker) -> set[int]:
        """Rank again the groups these takes are in now, and were in before (a comparison
        taken back may split a group, or leave a take in none); returns every take whose
        stored rank was written or removed. Joins the caller's transaction."""
        start = {int(i) for i in job_ids}
        touched: set[int] = set()
        with self.db.write() as tx:
            before = tx.execute(
                "SELECT job_id FROM take_rank WHERE group_id IN (SELECT group_id FROM "
                "take_rank WHERE job_id IN (SELECT value FROM json_each(?)))",
                [_ids(start)],
            ).fetchall()
            affected = start | {int(r[0]) for r in before}
            tx.execute(
                "DELETE FROM take_rank WHERE job_id IN (SELECT value FROM json_each(?))",
                [_ids(affected)],
            )
            touched |= affected
            waiting = set(affected)
            while waiting:
                group = self._group({waiting.pop()})
                waiting -= group
                if len(group) < 2:
                    continue  # compared with nothing (any more): no rank
                takes = sorted(group)
                ranked = ranker(takes, self.among(takes))
                tx.executemany(
                    "INSERT INTO take_rank (job_id, group_id, rank, takes, strength, low, "
                    "high, p_top, comparisons, settled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (job_id) DO UPDATE SET group_id = excluded.group_id, "
                    "rank = excluded.rank, takes = excluded.takes, "
                    "strength = excluded.strength, low = excluded.low, high = excluded.high, "
                    "p_top = excluded.p_top, comparisons = excluded.comparisons, "
                    "settled = excluded.settled",
                    [
                        (r.job_id, takes[0], r.rank, len(takes), r.strength, r.low, r.high,
                         r.p_top, r.comparisons, int(r.settled))
                        for r in ranked
                    ],
                )  # fmt: skip
                touched |= group
        return touched

    def _group(self, start: set[int]) -> set[int]:
        """The takes these are joined to by comparisons that count."""
        seen, frontier = set(start), set(start)
        while frontier:
            ids = _ids(frontier)
            rows = self.db.query(
                "SELECT left_id, right_id FROM comparisons WHERE undone_at IS NULL AND "
                "(left_id IN (SELECT value FROM json_each(?)) "
                "OR right_id IN (SELECT value FROM json_each(?)))",
                [ids, ids],
            )
            frontier = {int(x) for r in rows for x in r} - seen
            seen |= frontier
        return seen


def _comparison(data: dict[str, Any]) -> Comparison:
    return Comparison(
        int(data["id"]),
        int(data["left_id"]),
        int(data["right_id"]),
        str(data["choice"]),
        str(data["reviewer"]),
        float(data["at"]),
        data["undone_at"],
        data["undone_by"],
    )


def _rank(data: dict[str, Any]) -> TakeRank:
    return TakeRank(
        int(data["job_id"]),
        int(data["group_id"]),
        int(data["rank"]),
        int(data["takes"]),
        float(data["strength"]),
        float(data["low"]),
        float(data["high"]),
        float(data["p_top"]),
        int(data["comparisons"]),
        bool(data["settled"]),
    )


__all__ = ["CHOICES", "Comparison", "ComparisonRepo", "Ranker", "TakeRank"]
