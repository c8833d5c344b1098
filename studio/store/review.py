"""Templates, rubrics, scores and decisions: versioned or append-only, never overwritten."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from studio.store.db import Database, Transaction


@dataclass(frozen=True)
class Template:
    id: int
    campaign: str
    product: str
    use_case: str
    version: int
    slots: dict[str, str]
    change_note: str
    known_good: bool
    created_at: float


@dataclass(frozen=True)
class Decision:
    id: int
    job_id: int
    decision: str  # approve | edit | discard | undo (takes back the one before it)
    escalate: bool
    note: str
    reviewer: str
    rubric_id: int | None
    at: float
    scores: dict[str, int]
    tags: tuple[str, ...]


class TemplateRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def save(
        self,
        campaign: str,
        product: str,
        use_case: str,
        slots: dict[str, str],
        *,
        change_note: str,
        at: float,
    ) -> Template:
        """A new version of the template (version 1 if it is new)."""
        with self.db.write() as tx:
            row = tx.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM templates "
                "WHERE campaign = ? AND product = ? AND use_case = ?",
                (campaign, product, use_case),
            ).fetchone()
            cursor = tx.execute(
                "INSERT INTO templates (campaign, product, use_case, version, slots_json, "
                "change_note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (campaign, product, use_case, int(row[0]), json.dumps(slots), change_note, at),
            )
        return self.get(int(cursor.lastrowid or 0))

    def get(self, template_id: int) -> Template:
        row = self.db.query_one("SELECT * FROM templates WHERE id = ?", (template_id,))
        if row is None:
            raise KeyError(f"template {template_id}")
        return _template(dict(row))

    def versions(self, campaign: str, product: str, use_case: str) -> list[Template]:
        rows = self.db.query(
            "SELECT * FROM templates WHERE campaign = ? AND product = ? AND use_case = ? "
            "ORDER BY version",
            (campaign, product, use_case),
        )
        return [_template(dict(r)) for r in rows]

    def search(
        self, text: str = "", *, known_good_only: bool = False, latest_only: bool = False
    ) -> list[Template]:
        """Templates whose names, change note or slot text contain every word of `text` (any
        case), grouped by campaign, product and use case, newest version first. A team keeps
        hundreds of templates, not millions, so the words are matched here, not in SQL."""
        rows = self.db.query(
            "SELECT * FROM templates ORDER BY campaign COLLATE NOCASE, product COLLATE NOCASE, "
            "use_case COLLATE NOCASE, version DESC"
        )
        words = text.casefold().split()
        found: list[Template] = []
        seen: set[tuple[str, str, str]] = set()
        for template in (_template(dict(r)) for r in rows):
            name = (template.campaign, template.product, template.use_case)
            newest = name not in seen
            seen.add(name)
            if (latest_only and not newest) or (known_good_only and not template.known_good):
                continue
            haystack = " ".join((*name, template.change_note, *template.slots.values()))
            if all(word in haystack.casefold() for word in words):
                found.append(template)
        return found

    def next_version(self, campaign: str, product: str, use_case: str) -> int:
        row = self.db.query_one(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM templates "
            "WHERE campaign = ? AND product = ? AND use_case = ?",
            (campaign, product, use_case),
        )
        return int(row[0]) if row else 1

    def names(self) -> dict[str, list[str]]:
        """Campaigns, products and use cases in use, for the save dialog's pickers."""
        return {
            column: [
                r[0]
                for r in self.db.query(
                    f"SELECT DISTINCT {column} FROM templates ORDER BY {column} COLLATE NOCASE"
                )
            ]
            for column in ("campaign", "product", "use_case")
        }

    def all(self) -> list[Template]:
        return [_template(dict(r)) for r in self.db.query("SELECT * FROM templates ORDER BY id")]

    def mark_known_good(self, template_id: int, good: bool = True) -> None:
        with self.db.write() as tx:
            tx.execute("UPDATE templates SET known_good = ? WHERE id = ?", (int(good), template_id))


def _template(data: dict[str, Any]) -> Template:
    slots = json.loads(data.pop("slots_json"))
    return Template(slots=slots, **{**data, "known_good": bool(data["known_good"])})


class RubricRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def save(self, name: str, body: dict[str, Any], *, at: float) -> tuple[int, int]:
        """Store a new version of a rubric; returns (rubric id, version)."""
        with self.db.write() as tx:
            row = tx.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM rubrics WHERE name = ?", (name,)
            ).fetchone()
            version = int(row[0])
            cursor = tx.execute(
                "INSERT INTO rubrics (name, version, body_json, created_at) VALUES (?, ?, ?, ?)",
                (name, version, json.dumps(body), at),
            )
        return int(cursor.lastrowid or 0), version

    def latest(self, name: str) -> tuple[int, int, dict[str, Any]] | None:
        row = self.db.query_one(
            "SELECT id, version, body_json FROM rubrics WHERE name = ? ORDER BY version DESC",
            (name,),
        )
        return None if row is None else (int(row[0]), int(row[1]), json.loads(row[2]))

    def get(self, rubric_id: int) -> tuple[str, int, dict[str, Any]] | None:
        """(name, version, body) of the rubric version with this id."""
        row = self.db.query_one(
            "SELECT name, version, body_json FROM rubrics WHERE id = ?", (rubric_id,)
        )
        return None if row is None else (str(row[0]), int(row[1]), json.loads(row[2]))


class VerdictRepo:
    """Scores and decisions for a take; each is appended, earlier ones stay as history."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def score(
        self,
        job_id: int,
        rubric_id: int,
        criterion: str,
        score: int,
        *,
        reviewer: str,
        at: float,
        tags: tuple[str, ...] = (),
    ) -> None:
        with self.db.write() as tx:
            tx.execute(
                "INSERT INTO scores (job_id, rubric_id, criterion, score, tags, reviewer, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (job_id, rubric_id, criterion, score, ",".join(tags), reviewer, at),
            )
            refresh_state(tx, job_id)

    def scores(self, job_id: int) -> dict[str, int]:
        """The latest score per criterion."""
        rows = self.db.query(
            "SELECT criterion, score FROM scores WHERE job_id = ? ORDER BY id", (job_id,)
        )
        return {r[0]: int(r[1]) for r in rows}

    def decide(
        self,
        job_id: int,
        decision: str,
        *,
        reviewer: str,
        at: float,
        rubric_id: int | None = None,
        note: str = "",
        escalate: bool = False,
        scores: dict[str, int] | None = None,
        tags: tuple[str, ...] = (),
    ) -> Decision:
        with self.db.write() as tx:
            cursor = tx.execute(
                "INSERT INTO decisions (job_id, decision, escalate, note, reviewer, rubric_id, "
                "at, scores_json, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    job_id,
                    decision,
                    int(escalate),
                    note,
                    reviewer,
                    rubric_id,
                    at,
                    json.dumps(scores or {}),
                    ",".join(tags),
                ),
            )
            refresh_state(tx, job_id)
        row = self.db.query_one("SELECT * FROM decisions WHERE id = ?", (cursor.lastrowid,))
        assert row is not None
        return _decision(dict(row))

    def history(self, job_id: int) -> list[Decision]:
        rows = self.db.query("SELECT * FROM decisions WHERE job_id = ? ORDER BY id", (job_id,))
        return [_decision(dict(r)) for r in rows]

    def current(self, job_ids: list[int]) -> dict[int, Decision]:
        """Each take's decision in force: the history replayed, an undo taking back the
        decision before it."""
        found: dict[int, list[Decision]] = {}
        for start in range(0, len(job_ids), 900):
            chunk = job_ids[start : start + 900]
            rows = self.db.query(
                f"SELECT * FROM decisions WHERE job_id IN ({','.join('?' * len(chunk))}) "
                "ORDER BY id",
                chunk,
            )
            for row in rows:
                decision = _decision(dict(row))
                stack = found.setdefault(decision.job_id, [])
                if decision.decision == "undo":
                    if stack:
                        stack.pop()
                else:
                    stack.append(decision)
        return {job_id: stack[-1] for job_id, stack in found.items() if stack}

    def set_tags(self, job_id: int, tags: list[str], *, at: float) -> None:
        """The defect tags on a take while it is reviewed (each decision keeps its own)."""
        with self.db.write() as tx:
            tx.execute("DELETE FROM tags WHERE job_id = ?", (job_id,))
            tx.executemany(
                "INSERT OR IGNORE INTO tags (job_id, tag) VALUES (?, ?)",
                [(job_id, t) for t in tags if t],
            )

    def all_tags(self) -> dict[int, list[str]]:
        """Every take's defect tags (takes without any are left out)."""
        tags: dict[int, list[str]] = {}
        for job_id, tag in self.db.query("SELECT job_id, tag FROM tags ORDER BY job_id, tag"):
            tags.setdefault(int(job_id), []).append(str(tag))
        return tags

    def tags(self, job_id: int) -> list[str]:
        rows = self.db.query("SELECT tag FROM tags WHERE job_id = ? ORDER BY tag", (job_id,))
        return [str(r[0]) for r in rows]

    def rebuild_state(self) -> None:
        """Every take's review state from its history (after the migration that added it)."""
        with self.db.write() as tx:
            ids = [
                int(r[0])
                for r in tx.execute(
                    "SELECT job_id FROM decisions UNION SELECT job_id FROM scores"
                ).fetchall()
            ]
            for job_id in ids:
                refresh_state(tx, job_id)

    def star(self, job_id: int, on: bool, *, at: float) -> None:
        with self.db.write() as tx:
            if on:
                tx.execute("INSERT OR IGNORE INTO stars (job_id, at) VALUES (?, ?)", (job_id, at))
            else:
                tx.execute("DELETE FROM stars WHERE job_id = ?", (job_id,))

    def starred(self) -> set[int]:
        return {int(r[0]) for r in self.db.query("SELECT job_id FROM stars")}


def refresh_state(tx: Transaction, job_id: int) -> None:
    """The take's row in take_state: the decision in force (the history replayed, an undo
    taking back the one before it), who made it, and the total score it was made with (or,
    undecided, of the latest score per criterion)."""
    stack: list[dict[str, Any]] = []
    for row in tx.execute(
        "SELECT decision, reviewer, at, scores_json FROM decisions WHERE job_id = ? ORDER BY id",
        (job_id,),
    ).fetchall():
        if row[0] == "undo":
            if stack:
                stack.pop()
        else:
            stack.append(dict(row))
    current = stack[-1] if stack else None
    scores: dict[str, int] = json.loads(current["scores_json"] or "{}") if current else {}
    if not scores:
        for criterion, score in tx.execute(
            "SELECT criterion, score FROM scores WHERE job_id = ? ORDER BY id", (job_id,)
        ).fetchall():
            scores[criterion] = int(score)
    total = sum(scores.values()) if scores else None
    decision, reviewer, at = (
        (current["decision"], current["reviewer"], current["at"]) if current else (None,) * 3
    )
    tx.execute(
        "INSERT INTO take_state (job_id, decision, reviewer, total, decided_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (job_id) DO UPDATE SET decision = excluded.decision,"
        " reviewer = excluded.reviewer, total = excluded.total, decided_at = excluded.decided_at",
        (job_id, decision, reviewer, total, at),
    )


def _decision(data: dict[str, Any]) -> Decision:
    scores = json.loads(data.pop("scores_json") or "{}")
    tags = tuple(t for t in data.pop("tags").split(",") if t)
    return Decision(**{**data, "escalate": bool(data["escalate"])}, scores=scores, tags=tags)
