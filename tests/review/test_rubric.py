"""The rubric: the default file, the pass rule, versions, and a broken file's fallback."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from studio.review.rubric import (
    RubricError,
    default_rubric_path,
    load_active,
    parse_rubric,
    save_team_rubric,
    team_rubric_path,
    to_toml,
)
from studio.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "s.db")


def test_default_rubric_and_pass_rule(store: Store) -> None:
    active = load_active(store)
    rubric = active.rubric
    assert [c.name for c in rubric.criteria] == [
        "Motion realism",
        "Framing accuracy",
        "Brand alignment",
    ]
    assert (rubric.pass_threshold, rubric.max_total, active.version) == (5, 6, 1)
    assert all(len(c.anchors) == 3 for c in rubric.criteria)
    assert set(rubric.tags) == {
        "jitter", "limb error", "teleport", "off-frame", "wrong camera move",
        "off-brand colour", "text artefact", "logo",
    }  # fmt: skip
    assert rubric.passes({"motion": 2, "framing": 2, "brand": 1})
    assert not rubric.passes({"motion": 2, "framing": 2, "brand": 0})  # no criterion at 0
    assert not rubric.passes({"motion": 1, "framing": 1, "brand": 2})  # 4 < 5
    assert not rubric.passes({"motion": 2, "framing": 2})  # not finished
    # Loading the same body again does not make a new version.
    assert load_active(store).version == 1


def test_an_edited_rubric_is_a_new_version_in_the_team_file(store: Store) -> None:
    first = load_active(store)
    edited = parse_rubric({**first.rubric.to_body(), "pass_threshold": 4}, "edit")
    saved = save_team_rubric(store, edited)
    assert saved.version == 2
    assert team_rubric_path().is_file()
    again = load_active(store)
    assert (again.rubric.pass_threshold, again.version, again.problem) == (4, 2, "")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"criteria": []}, "criteria"),
        ({"pass_threshold": 9}, "pass_threshold"),
        ({"pass_threshold": "five"}, "pass_threshold"),
        (
            {"criteria": [{"id": "m", "name": "Motion", "anchors": ["a", "b"]}]},
            "criteria[1].anchors",
        ),
        (
            {"criteria": [{"id": "", "name": "Motion", "anchors": ["a", "b", "c"]}]},
            "criteria[1].id",
        ),
    ],
)
def test_errors_name_the_field(change: dict[str, object], field: str) -> None:
    body = tomllib.loads(default_rubric_path().read_text())
    with pytest.raises(RubricError) as info:
        parse_rubric({**body, **change}, "team.toml")
    assert str(info.value).startswith(f"team.toml: {field}: ")


def test_a_broken_team_file_falls_back_to_the_last_good_version(store: Store) -> None:
    good = load_active(store)
    edited = parse_rubric({**good.rubric.to_body(), "pass_threshold": 3}, "edit")
    save_team_rubric(store, edited)
    path = team_rubric_path()
    path.write_text(path.read_text().replace("pass_threshold = 3", "pass_threshold = -1"))
    active = load_active(store)
    assert str(path) in active.problem
    assert "pass_threshold" in active.problem
    assert "last good version (2)" in active.problem
    assert (active.version, active.rubric.pass_threshold) == (2, 3)
    path.write_text("name = [unclosed")
    assert "not valid TOML" in load_active(store).problem


def test_toml_round_trip_keeps_quotes_and_accents(store: Store) -> None:
    rubric = load_active(store).rubric
    body = rubric.to_body()
    body["criteria"][0]["anchors"][2] = 'Natural "café" motion\\ throughout'
    tricky = parse_rubric(body, "edit")
    assert parse_rubric(tomllib.loads(to_toml(tricky)), "again") == tricky
