"""The library's operations: one transaction and one change event each, nothing told for
what was rolled back, and every caller of a store reaching the same listeners."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.library.ops import (
    DECISIONS,
    RUBRICS,
    STARS,
    DecisionEntry,
    LibraryChange,
    ops_for,
)
from studio.store import Store
from tests.helpers import job_values


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "s.db")
    yield store
    store.close()


def seed(store: Store, n: int) -> list[int]:
    with store.db.write() as tx:
        return [store.jobs.insert(tx, job_values(i), at=float(i)) for i in range(n)]


def transactions(store: Store) -> list[str]:
    """Each BEGIN the store's connection runs from now on (a unit-level look inside)."""
    begun: list[str] = []
    store.db._conn.set_trace_callback(
        lambda sql: begun.append(sql) if sql.startswith("BEGIN") else None
    )
    return begun


def test_a_bulk_decision_over_20000_takes_is_one_transaction_and_one_change(
    store: Store,
) -> None:
    ids = seed(store, 20_000)
    ops = ops_for(store)
    told: list[LibraryChange] = []
    ops.listen(told.append)
    begun = transactions(store)
    made = ops.decide(
        [DecisionEntry(i, "approve", note="mood board") for i in ids],
        reviewer="ana",
        rubric_id=None,
        at=100.0,
    )
    assert len(made) == 20_000
    assert begun == ["BEGIN IMMEDIATE"]  # one transaction for all of them
    assert told == [LibraryChange(frozenset({DECISIONS}), frozenset(ids))]
    current = store.verdicts.current(ids)
    assert {d.decision for d in current.values()} == {"approve"}
    assert len(current) == 20_000


def test_a_failed_operation_keeps_nothing_and_tells_nothing(store: Store) -> None:
    (first,) = seed(store, 1)
    ops = ops_for(store)
    told: list[LibraryChange] = []
    ops.listen(told.append)
    with pytest.raises(sqlite3.IntegrityError):  # the second take does not exist
        ops.decide(
            [DecisionEntry(first, "approve"), DecisionEntry(first + 99, "approve")],
            reviewer="ana",
            rubric_id=None,
        )
    assert store.verdicts.current([first]) == {}  # the first one was rolled back too
    assert told == []


def test_each_operation_names_what_changed_and_which_takes(store: Store) -> None:
    ids = seed(store, 3)
    ops = ops_for(store)
    told: list[LibraryChange] = []
    stop = ops.listen(told.append)
    ops.star(ids[:2], True)
    ops.set_tags({ids[2]: ["jitter"]})
    ops.save_search("birds", "project:birds")
    ops.set_cap("daily", "*", 5.0)
    assert [(sorted(c.what), sorted(c.takes)) for c in told] == [
        (["stars"], ids[:2]),
        (["tags"], [ids[2]]),
        (["searches"], []),
        (["caps"], []),
    ]
    assert told[0].about({STARS})
    assert not told[0].about({DECISIONS})
    stop()
    ops.star(ids, False)
    assert len(told) == 4  # no longer listening
    assert store.verdicts.starred() == set()


def test_every_caller_of_a_store_reaches_the_same_listeners(store: Store) -> None:
    told: list[LibraryChange] = []
    ops_for(store).listen(told.append)
    (job,) = seed(store, 1)
    ops_for(store).star([job], True, source="the library tab")
    assert ops_for(store) is ops_for(store)
    assert [c.source for c in told] == ["the library tab"]


def test_a_write_inside_a_write_joins_it(store: Store) -> None:
    begun = transactions(store)
    with store.db.write():
        seed(store, 2)  # its own write joins this one
        store.verdicts.star(1, True, at=1.0)
    assert begun == ["BEGIN IMMEDIATE"]

    def fails_after_a_write() -> None:
        with store.db.write():
            seed(store, 1)
            raise RuntimeError("and then something failed")

    with pytest.raises(RuntimeError):
        fails_after_a_write()
    assert len(store.jobs.ids(None)) == 2  # the inner write was rolled back with the outer


def test_a_rubric_body_already_stored_is_reused_and_a_new_one_is_told_once(
    store: Store,
) -> None:
    ops = ops_for(store)
    told: list[LibraryChange] = []
    ops.listen(told.append)
    first = ops.keep_rubric("default", {"pass_threshold": 5})
    assert ops.keep_rubric("default", {"pass_threshold": 5}) == first  # the same body
    assert told == [LibraryChange(frozenset({RUBRICS}))]
    second = ops.keep_rubric("default", {"pass_threshold": 4})
    assert second[1] == first[1] + 1
    assert len(told) == 2
