"""Templates, rubrics, scores and decisions: versioned or append-only, never overwritten."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from studio.core.take_state import (
    Given,
    Tally,
    Terms,
    in_force,
    scores_in_force,
    tally,
    terms_of,
)
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

    @property
    def name(self) -> str:
        """Its name, the same for every version: "spring / speaker / demo"."""
        return f"{self.campaign} / {self.product} / {self.use_case}"


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


@dataclass(frozen=True)
class TakeState:
    """A take's review state as `refresh_state` stored it (studio.core.take_state has the
    rules): every view and the sidecar read this, none works it out again."""

    job_id: int
    decision: Decision | None  # the decision in force
    scores: dict[str, int]  # the scores in force
    tally: Tally | None  # their total (None: nothing scored)
    rubric_id: int | None  # the rubric version the total counts under
    rubric_version: int | None


def _unreviewed(job_id: int) -> TakeState:
    return TakeState(job_id, None, {}, None, None, None)


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

    def restore(
        self,
        campaign: str,
        product: str,
        use_case: str,
        version: int,
        slots: dict[str, str],
        *,
        change_note: str,
        at: float,
    ) -> int:
        """The template version an imported take was made from, kept under its number where
        that is free here (an existing version with these slots is reused; a number taken
        by other slots means the next free number). Returns its id here."""
        with self.db.write() as tx:
            rows = tx.execute(
                "SELECT id, version, slots_json FROM templates "
                "WHERE campaign = ? AND product = ? AND use_case = ? ORDER BY version",
                (campaign, product, use_case),
            ).fetchall()
            found, free = _restored(rows, slots, version)
            if found is not None:
                return found
            cursor = tx.execute(
                "INSERT INTO templates (campaign, product, use_case, version, slots_json, "
                "change_note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (campaign, product, use_case, free, json.dumps(slots), change_note, at),
            )
        return int(cursor.lastrowid or 0)

    def mark_known_good(self, template_id: int, good: bool = True) -> None:
        with self.db.write() as tx:
            tx.execute("UPDATE templates SET known_good = ? WHERE id = ?", (int(good), template_id))


def _template(data: dict[str, Any]) -> Template:
    slots = json.loads(data.pop("slots_json"))
    return Template(slots=slots, **{**data, "known_good": bool(data["known_good"])})


def _restored(rows: list[Any], body: object, version: int) -> tuple[int | None, int]:
    """Where an imported version goes among `rows` (id, version, body as JSON) of the same
    name: the id of one with the same body (that very version first), or else the number
    to save it under — its own where free, else the next after the highest."""
    same = [r for r in rows if json.loads(r[2]) == body]
    exact = [r for r in same if int(r[1]) == version]
    if exact or same:
        return int((exact or same)[0][0]), version
    taken = {int(r[1]) for r in rows}
    free = version if version not in taken and version > 0 else max(taken, default=0) + 1
    return None, free


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

    def restore(self, name: str, version: int, body: dict[str, Any], *, at: float) -> int:
        """A rubric version an imported take was scored or decided under, kept under its
        number where that is free here (the same name and body already here is reused,
        whatever its number; a number taken by another body means the next free one).
        Returns its id here."""
        with self.db.write() as tx:
            rows = tx.execute(
                "SELECT id, version, body_json FROM rubrics WHERE name = ? ORDER BY version",
                (name,),
            ).fetchall()
            found, free = _restored(rows, body, version)
            if found is not None:
                return found
            cursor = tx.execute(
                "INSERT INTO rubrics (name, version, body_json, created_at) VALUES (?, ?, ?, ?)",
                (name, free, json.dumps(body), at),
            )
        return int(cursor.lastrowid or 0)

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


@dataclass(frozen=True)
class ScoreEntry:
    """One score as given (the scores table is append-only: later ones stand over earlier)."""

    rubric_id: int
    criterion: str
    score: int
    tags: tuple[str, ...]
    reviewer: str
    at: float


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
        """The take's scores in force (see `states`)."""
        return self.states([job_id])[job_id].scores

    def score_history(self, job_id: int) -> list[ScoreEntry]:
        """Every score given to the take, oldest first (later ones stand over earlier)."""
        rows = self.db.query("SELECT * FROM scores WHERE job_id = ? ORDER BY id", (job_id,))
        return [
            ScoreEntry(
                int(r["rubric_id"]),
                str(r["criterion"]),
                int(r["score"]),
                tuple(t for t in str(r["tags"]).split(",") if t),
                str(r["reviewer"]),
                float(r["at"]),
            )
            for r in rows
        ]

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
        """Each take's decision in force (as `states`), for takes that have one."""
        return {
            job_id: state.decision
            for job_id, state in self.states(job_ids).items()
            if state.decision is not None
        }

    def states(self, job_ids: list[int]) -> dict[int, TakeState]:
        """Each take's review state: the decision in force, the scores in force and their
        total, read from take_state (a take never scored or decided: all empty)."""
        found = {job_id: _unreviewed(job_id) for job_id in job_ids}
        for start in range(0, len(job_ids), 900):  # under SQLite's limit on bound parameters
            chunk = job_ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            rows = self.db.query(
                "SELECT s.*, r.version AS rubric_version FROM take_state s "
                f"LEFT JOIN rubrics r ON r.id = s.rubric_id WHERE s.job_id IN ({marks})",
                chunk,
            )
            ids = [int(r["decision_id"]) for r in rows if r["decision_id"] is not None]
            decisions = {
                int(d["id"]): _decision(dict(d))
                for d in self.db.query(
                    f"SELECT * FROM decisions WHERE id IN ({','.join('?' * len(ids))})", ids
                )
            }
            for row in rows:
                job_id = int(row["job_id"])
                total = row["total"]
                found[job_id] = TakeState(
                    job_id,
                    decisions.get(row["decision_id"]) if row["decision_id"] is not None else None,
                    {str(k): int(v) for k, v in json.loads(row["scores_json"] or "{}").items()},
                    None
                    if total is None
                    else Tally(
                        int(total), row["max_total"], bool(row["complete"]), bool(row["passes"])
                    ),
                    row["rubric_id"],
                    row["rubric_version"],
                )
        return found

    def tally_of(self, decision: Decision) -> Tally | None:
        """The total one past decision was made with, under its own rubric version (the
        review panel's history lists each); None when it was made with no scores."""
        if not decision.scores:
            return None
        body = None
        if decision.rubric_id is not None:
            row = self.db.query_one(
                "SELECT body_json FROM rubrics WHERE id = ?", (decision.rubric_id,)
            )
            body = json.loads(row[0]) if row else None
        return tally(decision.scores, terms_of(body) if isinstance(body, dict) else None)

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

    def restore(
        self,
        job_id: int,
        *,
        scores: list[ScoreEntry],
        decisions: list[Decision],
        tags: list[str] | None,
        starred_at: float | None,
    ) -> None:
        """What an import brings of a take's review, in one transaction: scores and
        decisions as they were given (times, reviewers, rubric versions; a decision's own
        `id` and `job_id` are not used), the take's tags (None: keep its own) and star."""
        with self.db.write() as tx:
            tx.executemany(
                "INSERT INTO scores (job_id, rubric_id, criterion, score, tags, reviewer, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (job_id, g.rubric_id, g.criterion, g.score, ",".join(g.tags), g.reviewer, g.at)
                    for g in scores
                ],
            )
            tx.executemany(
                "INSERT INTO decisions (job_id, decision, escalate, note, reviewer, rubric_id, "
                "at, scores_json, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        job_id,
                        d.decision,
                        int(d.escalate),
                        d.note,
                        d.reviewer,
                        d.rubric_id,
                        d.at,
                        json.dumps(d.scores),
                        ",".join(d.tags),
                    )
                    for d in decisions
                ],
            )
            if tags is not None:
                tx.execute("DELETE FROM tags WHERE job_id = ?", (job_id,))
                tx.executemany(
                    "INSERT OR IGNORE INTO tags (job_id, tag) VALUES (?, ?)",
                    [(job_id, t) for t in tags if t],
                )
            if starred_at is not None:
                tx.execute(
                    "INSERT OR IGNORE INTO stars (job_id, at) VALUES (?, ?)", (job_id, starred_at)
                )
            refresh_state(tx, job_id)

    def rebuild_state(self) -> None:
        """Every take's review state from its history (after the migration that added it)."""
        with self.db.write() as tx:
            ids = [
                int(r[0])
                for r in tx.execute(
                    "SELECT job_id FROM decisions UNION SELECT job_id FROM scores"
                ).fetchall()
            ]
            terms: dict[int, Terms | None] = {}
            for job_id in ids:
                refresh_state(tx, job_id, terms)

    def star(self, job_id: int, on: bool, *, at: float) -> None:
        with self.db.write() as tx:
            if on:
                tx.execute("INSERT OR IGNORE INTO stars (job_id, at) VALUES (?, ?)", (job_id, at))
            else:
                tx.execute("DELETE FROM stars WHERE job_id = ?", (job_id,))

    def starred(self) -> set[int]:
        return {int(r[0]) for r in self.db.query("SELECT job_id FROM stars")}


def refresh_state(
    tx: Transaction, job_id: int, terms: dict[int, Terms | None] | None = None
) -> None:
    """The take's row in take_state, by the rules of studio.core.take_state: the decision
    in force (the history replayed), the scores in force, and their total under the rubric
    version they were given with. The one place either is worked out; called in the
    transaction of every score and decision (`terms`: rubric versions already read, when
    many takes are refreshed at once)."""
    history = tx.execute(
        "SELECT id, decision, reviewer, at, scores_json, rubric_id FROM decisions "
        "WHERE job_id = ? ORDER BY id",
        (job_id,),
    ).fetchall()
    index = in_force([str(r["decision"]) for r in history])
    current = history[index] if index is not None else None
    snapshot = (
        [
            Given(str(c), int(v), float(current["at"]), current["rubric_id"])
            for c, v in json.loads(current["scores_json"] or "{}").items()
        ]
        if current is not None
        else []
    )
    given = [
        Given(str(r[0]), int(r[1]), float(r[2]), r[3])
        for r in tx.execute(
            "SELECT criterion, score, at, rubric_id FROM scores WHERE job_id = ? ORDER BY id",
            (job_id,),
        ).fetchall()
    ]
    scores, rubric_id = scores_in_force(given, snapshot)
    known = {} if terms is None else terms
    if rubric_id is not None and rubric_id not in known:
        row = tx.execute("SELECT body_json FROM rubrics WHERE id = ?", (rubric_id,)).fetchone()
        body = json.loads(row[0]) if row else None
        known[rubric_id] = terms_of(body) if isinstance(body, dict) else None
    version = known.get(rubric_id) if rubric_id is not None else None
    counted = tally(scores, version) if scores else None
    values = {
        "job_id": job_id,
        "decision": current["decision"] if current else None,
        "decision_id": current["id"] if current else None,
        "reviewer": current["reviewer"] if current else None,
        "decided_at": current["at"] if current else None,
        "scores_json": json.dumps(scores, sort_keys=True),
        "rubric_id": rubric_id,
        "total": counted.total if counted else None,
        "max_total": counted.max_total if counted else None,
        "complete": int(bool(counted and counted.complete)),
        "passes": int(bool(counted and counted.passes)),
    }
    names = ", ".join(values)
    marks = ", ".join(f":{k}" for k in values)
    updates = ", ".join(f"{k} = excluded.{k}" for k in values if k != "job_id")
    tx.execute(
        f"INSERT INTO take_state ({names}) VALUES ({marks}) "
        f"ON CONFLICT (job_id) DO UPDATE SET {updates}",
        values,
    )


def _decision(data: dict[str, Any]) -> Decision:
    scores = json.loads(data.pop("scores_json") or "{}")
    tags = tuple(t for t in data.pop("tags").split(",") if t)
    return Decision(**{**data, "escalate": bool(data["escalate"])}, scores=scores, tags=tags)
