"""The review rubric: criteria scored 0/1/2 with one-line anchors, defect tags, a pass rule.

A rubric is data (`resources/rubrics/default.toml`, or the team's edited copy in the config
folder). Every body that is used is stored as a version in the library, and each score
records the version it was given under. A file with an error is named with the field that
is wrong, and the last good version is used instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.core import paths
from studio.core.errors import ConfigError
from studio.core.resources import read_toml, resources_dir
from studio.core.take_state import Tally, Terms, tally
from studio.library.ops import ops_for
from studio.store import Store

SCORES = (0, 1, 2)


class RubricError(ConfigError):
    """A rubric file or edit that cannot be used; the message names the file and field."""


@dataclass(frozen=True)
class Criterion:
    id: str
    name: str
    description: str
    anchors: tuple[str, str, str]  # what a 0, a 1 and a 2 look like
    tags: tuple[str, ...]  # defects a low score can name


@dataclass(frozen=True)
class Rubric:
    name: str
    criteria: tuple[Criterion, ...]
    pass_threshold: int

    @property
    def max_total(self) -> int:
        return 2 * len(self.criteria)

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for c in self.criteria for t in c.tags))

    @property
    def terms(self) -> Terms:
        return Terms(tuple(c.id for c in self.criteria), self.pass_threshold)

    def tally(self, scores: dict[str, int]) -> Tally:
        """`scores` under this rubric, by the one rule (studio.core.take_state). A take's
        own total is the one its take_state row holds; this is for the scores in hand when
        deciding under this rubric (does the take pass it?)."""
        return tally(scores, self.terms)

    def total(self, scores: dict[str, int]) -> int:
        return self.tally(scores).total

    def complete(self, scores: dict[str, int]) -> bool:
        return self.tally(scores).complete

    def passes(self, scores: dict[str, int]) -> bool:
        """Every criterion scored, none at 0, and the total at the threshold or above."""
        return self.tally(scores).passes

    def to_body(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "pass_threshold": self.pass_threshold,
            "criteria": [
                {
                    "id": c.id,
                    "name": c.name,
                    "description": c.description,
                    "anchors": list(c.anchors),
                    "tags": list(c.tags),
                }
                for c in self.criteria
            ],
        }


def parse_rubric(data: dict[str, Any], source: str) -> Rubric:
    """A rubric from its TOML/JSON body; `RubricError` names `source` and the bad field."""

    def fail(field: str, problem: str) -> RubricError:
        return RubricError(f"{source}: {field}: {problem}")

    name = data.get("name", "default")
    if not isinstance(name, str) or not name.strip():
        raise fail("name", "needs a name")
    raw = data.get("criteria")
    if not isinstance(raw, list) or not raw:
        raise fail("criteria", "needs at least one criterion ([[criteria]] tables)")
    criteria: list[Criterion] = []
    for i, item in enumerate(raw):
        where = f"criteria[{i + 1}]"
        if not isinstance(item, dict):
            raise fail(where, "must be a table")
        texts = {}
        for key in ("id", "name"):
            value = item.get(key)
            if not isinstance(value, str) or not value.strip():
                raise fail(f"{where}.{key}", "is missing or empty")
            texts[key] = value.strip()
        anchors = item.get("anchors")
        if (
            not isinstance(anchors, list)
            or len(anchors) != 3
            or not all(isinstance(a, str) and a.strip() for a in anchors)
        ):
            raise fail(f"{where}.anchors", "needs three one-line anchors, for 0, 1 and 2")
        tags = item.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
            raise fail(f"{where}.tags", "must be a list of words")
        description = item.get("description", "")
        if not isinstance(description, str):
            raise fail(f"{where}.description", "must be text")
        if any(c.id == texts["id"] for c in criteria):
            raise fail(f"{where}.id", f"{texts['id']!r} is used twice")
        criteria.append(
            Criterion(
                texts["id"],
                texts["name"],
                description.strip(),
                (anchors[0].strip(), anchors[1].strip(), anchors[2].strip()),
                tuple(t.strip() for t in tags),
            )
        )
    threshold = data.get("pass_threshold", 2 * len(criteria) - 1)
    if not isinstance(threshold, int) or isinstance(threshold, bool):
        raise fail("pass_threshold", "must be a whole number")
    if not 0 <= threshold <= 2 * len(criteria):
        raise fail("pass_threshold", f"must be between 0 and {2 * len(criteria)}")
    return Rubric(name.strip(), tuple(criteria), threshold)


def team_rubric_path() -> Path:
    """The team's edited rubric; the built-in default is used until one is saved."""
    return paths.config_dir() / "rubrics" / "default.toml"


def default_rubric_path() -> Path:
    return resources_dir() / "rubrics" / "default.toml"


@dataclass(frozen=True)
class ActiveRubric:
    rubric: Rubric
    rubric_id: int  # the stored version's row, recorded with every score
    version: int
    problem: str = ""  # why the file could not be used, when the last good version stands in


def load_active(store: Store, path: Path | None = None) -> ActiveRubric:
    """Read the rubric file, store it as a new version if it changed, and return it; on an
    error, fall back to the last good version (or the built-in default) and say why."""
    path = path or (team_rubric_path() if team_rubric_path().is_file() else default_rubric_path())
    try:
        rubric = parse_rubric(read_toml(path, RubricError), str(path))
    except RubricError as err:
        latest = store.rubrics.latest("default")
        if latest is not None:
            rubric_id, version, body = latest
            fallback = parse_rubric(body, f"stored version {version}")
            return ActiveRubric(
                fallback, rubric_id, version, f"{err} — using the last good version ({version})."
            )
        builtin = default_rubric_path()
        if path == builtin:
            raise
        active = load_active(store, builtin)
        return ActiveRubric(
            active.rubric, active.rubric_id, active.version, f"{err} — using the built-in rubric."
        )
    return store_version(store, rubric)


def store_version(store: Store, rubric: Rubric) -> ActiveRubric:
    """The stored version for this body, saving a new one only when it differs."""
    rubric_id, version = ops_for(store).keep_rubric(rubric.name, rubric.to_body())
    return ActiveRubric(rubric, rubric_id, version)


def save_team_rubric(store: Store, rubric: Rubric) -> ActiveRubric:
    """Write an edited rubric to the team file (TOML) and store it as a new version."""
    path = team_rubric_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(to_toml(rubric), encoding="utf-8")
    tmp.replace(path)
    return store_version(store, rubric)


def to_toml(rubric: Rubric) -> str:
    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string

    lines = [f"name = {q(rubric.name)}", f"pass_threshold = {rubric.pass_threshold}"]
    for c in rubric.criteria:
        lines += [
            "",
            "[[criteria]]",
            f"id = {q(c.id)}",
            f"name = {q(c.name)}",
            f"description = {q(c.description)}",
            "anchors = [" + ", ".join(q(a) for a in c.anchors) + "]",
            "tags = [" + ", ".join(q(t) for t in c.tags) + "]",
        ]
    return "\n".join(lines) + "\n"
