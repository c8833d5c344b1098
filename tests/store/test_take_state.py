"""take_state is the one home of a take's decision in force and its total: written by the
one rule on every score and decision, rebuilt after the migration that added its columns,
and what `current`, `scores`, `states` and the Library's search read. And the library's
identity: an id made once, a name."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from studio.store import Store
from studio.store.db import Database
from studio.store.migrations import MIGRATIONS
from studio.store.search import verdicts
from tests.helpers import job_values


def rubric(*criteria: str) -> dict[str, object]:
    return {
        "name": "default",
        "pass_threshold": 2 * len(criteria) - 1,
        "criteria": [{"id": c, "name": c, "anchors": ["0", "1", "2"]} for c in criteria],
    }


V1, V2 = rubric("m", "f", "b"), rubric("m", "f", "b", "a")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "s.db")


def take(store: Store, n: int = 1) -> int:
    with store.db.write() as tx:
        return store.jobs.insert(tx, job_values(n), at=1.0)


def test_a_rubric_edit_after_scoring_changes_no_total_until_the_take_is_scored_again(
    store: Store,
) -> None:
    job = take(store)
    v1, _ = store.rubrics.save("default", V1, at=1.0)
    for i, criterion in enumerate(("m", "f", "b")):
        store.verdicts.score(job, v1, criterion, 2, reviewer="ana", at=2.0 + i)
    store.verdicts.decide(job, "approve", reviewer="ana", at=5.0, rubric_id=v1,
                          scores={"m": 2, "f": 2, "b": 2})  # fmt: skip
    v2, _ = store.rubrics.save("default", V2, at=6.0)  # adds a criterion
    state = store.verdicts.states([job])[job]
    assert state.tally is not None
    assert (state.tally.total, state.tally.max_total, state.rubric_version) == (6, 6, 1)
    assert verdicts(store.db, [job])[job].total == 6  # the Library reads the same row
    store.verdicts.score(job, v2, "a", 1, reviewer="ana", at=7.0)
    state = store.verdicts.states([job])[job]
    assert state.tally is not None
    assert (state.tally.total, state.tally.max_total, state.rubric_version) == (7, 8, 2)
    assert state.tally.passes
    assert verdicts(store.db, [job])[job].total == 7
    assert store.verdicts.scores(job) == {"m": 2, "f": 2, "b": 2, "a": 1}


def test_the_decision_in_force_is_read_from_take_state(store: Store) -> None:
    job = take(store)
    first = store.verdicts.decide(job, "edit", reviewer="ana", at=1.0)
    store.verdicts.decide(job, "approve", reviewer="bo", at=2.0)
    store.verdicts.decide(job, "undo", reviewer="bo", at=2.0)  # the same millisecond
    assert store.verdicts.current([job]) == {job: first}
    row = store.db.query_one("SELECT decision_id, decision FROM take_state WHERE job_id = ?",
                             (job,))  # fmt: skip
    assert row is not None
    assert (row[0], row[1]) == (first.id, "edit")
    store.verdicts.decide(job, "undo", reviewer="ana", at=3.0)
    assert store.verdicts.current([job]) == {}


def test_one_past_decision_is_counted_under_its_own_rubric_version(store: Store) -> None:
    job = take(store)
    v1, _ = store.rubrics.save("default", V1, at=1.0)
    made = store.verdicts.decide(job, "approve", reviewer="ana", at=2.0, rubric_id=v1,
                                 scores={"m": 2, "f": 2, "b": 1, "gone": 2})  # fmt: skip
    counted = store.verdicts.tally_of(made)
    assert counted is not None
    assert counted.shown() == "5/6"  # "gone" is not a criterion of v1


def test_after_the_migration_every_take_state_is_rebuilt_by_the_one_rule(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    old = Database(path, migrations=MIGRATIONS[:13])
    with old.write() as tx:
        tx.execute(
            "INSERT INTO jobs (provider, model, prompt, spec_json, idem_key, status, queue_pos, "
            "created_at, updated_at) VALUES ('import', 'm', 'p', '{}', 'k', 'ready', 1, 1, 1)"
        )
        tx.execute(
            "INSERT INTO rubrics (name, version, body_json, created_at) "
            "VALUES ('default', 1, ?, 1)",
            (json.dumps(V1),),
        )
        tx.execute("INSERT INTO scores (job_id, rubric_id, criterion, score, reviewer, at) "
                   "VALUES (1, 1, 'm', 2, 'ana', 1), (1, 1, 'gone', 2, 'ana', 2)")  # fmt: skip
        # the state as the old rule left it: every criterion ever scored summed
        tx.execute("INSERT INTO take_state (job_id, total) VALUES (1, 4)")
    old.close()
    store = Store(path)
    state = store.verdicts.states([1])[1]
    assert state.tally is not None
    assert (state.tally.total, state.tally.max_total, state.tally.complete) == (2, 6, False)
    job = store.jobs.get(1)
    assert job is not None
    assert job.imported  # an earlier import, known by its provider column
    assert job.imported_from is None  # from no library it knew
    store.close()


def test_a_library_has_an_id_made_once_and_a_name(tmp_path: Path) -> None:
    first = Store(tmp_path / "kites" / "studio.db")
    made = first.origins.library()
    assert re.fullmatch(r"[0-9a-f]{32}", made.id)
    assert made.name.startswith("kites on ")
    first.close()
    again = Store(tmp_path / "kites" / "studio.db")
    assert again.origins.library() == made
    other = Store(tmp_path / "other" / "studio.db")
    assert other.origins.library().id != made.id
    again.close()
    other.close()


def test_an_imported_version_keeps_its_number_where_it_is_free(store: Store) -> None:
    v3 = store.rubrics.restore("default", 3, V1, at=1.0)
    assert store.rubrics.get(v3) == ("default", 3, V1)  # free here: kept as v3
    assert store.rubrics.restore("default", 3, V1, at=2.0) == v3  # the same again: reused
    assert store.rubrics.restore("default", 7, V1, at=2.0) == v3  # the same body: reused
    other = store.rubrics.restore("default", 3, V2, at=3.0)  # v3 is taken by another body
    assert store.rubrics.get(other) == ("default", 4, V2)
    slots = {"subject": "a kite"}
    first = store.templates.restore("spring", "kite", "ad", 2, slots, change_note="", at=1.0)
    assert store.templates.get(first).version == 2
    second = store.templates.restore("spring", "kite", "ad", 2, {"subject": "a red kite"},
                                     change_note="", at=1.0)  # fmt: skip
    assert store.templates.get(second).version == 3
