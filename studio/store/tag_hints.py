"""What the linter's hints from defect tags are counted from — reviewed takes with their
slots and tags, those of a template or those whose prompt holds a text — and the hints a
person dismissed for a template (for every version of it, as `not_names` are).

A take counts as reviewed once it was tagged, scored or decided: a take nobody looked at
says nothing about a defect either way (studio.prompts.tag_hints does the counting).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from studio.store.db import Database
from studio.store.search import facet_term, fts_phrase

_REVIEWED = (
    "(EXISTS (SELECT 1 FROM tags g WHERE g.job_id = j.id) OR EXISTS (SELECT 1 FROM take_state s "
    "WHERE s.job_id = j.id AND (s.decision IS NOT NULL OR s.scores_json <> '{}')))"
)
_SEPARATOR = "\x1f"  # between a take's tags in one column (no tag holds a control character)
_TAGS = f"(SELECT group_concat(tag, char({ord(_SEPARATOR)})) FROM tags g WHERE g.job_id = j.id)"


@dataclass(frozen=True)
class ReviewedTake:
    """A reviewed take's slots (those read; none: queued without them) and defect tags."""

    job_id: int
    slots: dict[str, str]
    tags: frozenset[str]


class TagHintRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- what the hints are counted from ----------------------------------------------------

    def versions(self, template_id: int) -> list[int]:
        """Every version of this template (the same campaign, product and use case)."""
        rows = self.db.query(
            "SELECT t.id FROM templates me JOIN templates t ON t.campaign = me.campaign "
            "AND t.product = me.product AND t.use_case = me.use_case WHERE me.id = ? "
            "ORDER BY t.version",
            (template_id,),
        )
        return [int(r[0]) for r in rows]

    def of_templates(self, template_ids: Sequence[int]) -> list[ReviewedTake]:
        """The reviewed takes made from these template versions."""
        if not template_ids:
            return []
        marks = ",".join("?" * len(template_ids))
        rows = self.db.query(
            f"SELECT j.id, json_extract(j.spec_json, '$.slots'), {_TAGS} FROM jobs j "
            f"WHERE j.template_id IN ({marks}) AND {_REVIEWED} ORDER BY j.id",
            list(template_ids),
        )
        return [ReviewedTake(int(r[0]), _slots(r[1]), _tags(r[2])) for r in rows]

    def with_texts(self, wanted: Sequence[tuple[str, str]]) -> list[ReviewedTake]:
        """The reviewed takes whose prompt holds the words of one of the `wanted` texts in
        a row (the full-text index finds them; a preset's takes, a few thousand in a large
        library), each with the slots named beside the texts read — whether a slot holds
        its text is the caller's to check."""
        found: dict[int, ReviewedTake] = {}
        for text, slot in wanted:
            phrase = fts_phrase(text)
            if phrase is None:
                continue
            rows = self.db.query(
                f"SELECT j.id, json_extract(j.spec_json, '$.slots.' || ?), {_TAGS} FROM jobs j "
                "WHERE j.id IN (SELECT rowid FROM prompt_fts WHERE prompt_fts MATCH ?) "
                f"AND {_REVIEWED}",
                [slot, phrase],
            )
            for job_id, written, tags in rows:
                had = found.get(int(job_id))
                slots = dict(had.slots) if had else {}
                if isinstance(written, str):
                    slots[slot] = written
                found[int(job_id)] = ReviewedTake(int(job_id), slots, _tags(tags))
        return sorted(found.values(), key=lambda t: t.job_id)

    def tag_counts(self) -> tuple[int, dict[str, int]]:
        """The library's reviewed takes, and how many of them carry each tag."""
        row = self.db.query_one(f"SELECT count(*) FROM jobs j WHERE {_REVIEWED}")
        counts = {
            str(tag): int(n)
            for tag, n in self.db.query("SELECT tag, count(*) FROM tags GROUP BY tag")
        }
        return (int(row[0]) if row else 0), counts

    # ---- dismissals ---------------------------------------------------------------------------

    def dismiss(self, template_id: int, tag: str, slot: str, value: str, *, at: float) -> None:
        with self.db.write() as tx:
            tx.execute(
                "INSERT INTO hint_dismissals (template_id, tag, slot, value, at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (template_id, tag, slot, value) "
                "DO UPDATE SET at = excluded.at",
                (template_id, tag, slot, value, at),
            )

    def dismissed(self, template_id: int) -> frozenset[tuple[str, str, str]]:
        """The (tag, slot, value) of every hint dismissed for any version of this template."""
        versions = self.versions(template_id)
        if not versions:
            return frozenset()
        rows = self.db.query(
            "SELECT DISTINCT tag, slot, value FROM hint_dismissals "
            f"WHERE template_id IN ({','.join('?' * len(versions))})",
            versions,
        )
        return frozenset((str(r[0]), str(r[1]), str(r[2])) for r in rows)


def _tags(joined: object) -> frozenset[str]:
    return frozenset(t for t in str(joined or "").split(_SEPARATOR) if t)


def _slots(text: object) -> dict[str, str]:
    """A take's stored slots (anything else, as none)."""
    if not isinstance(text, str):
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, str)}


def search_for(tag: str, phrase: str = "", template_ids: Sequence[int] = ()) -> str:
    """The Library's search for the takes with this tag (made from these template versions)
    whose prompt holds the phrase's words: the takes behind a hint."""
    parts = [*(facet_term("template", str(i)) for i in template_ids), facet_term("tag", tag)]
    words = " ".join(phrase.replace('"', " ").split())
    return " ".join([*parts, f'"{words}"'] if words else parts)
