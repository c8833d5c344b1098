"""Comparisons stored by the library operations (one transaction and one change naming the
takes), undo kept as a mark, the ranks stored per group of compared takes, every
reviewer's comparisons combined with each one's own available, and all of it surviving a
restart — on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.library.ops import COMPARISONS, REVIEW, LibraryChange, ops_for
from studio.review.pairwise import PairwiseSession, ranking_of, stored_ranks
from studio.review.session import ReviewError
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


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        self.now += 1.5
        return self.now


def prefer(session: PairwiseSession, best_first: list[int]) -> str:
    """Choose as a reviewer who ranks the takes in this order would."""
    left, right = session.pair
    choice = "left" if best_first.index(left) < best_first.index(right) else "right"
    session.choose(choice)
    return choice


def test_a_choice_is_one_operation_naming_the_pair_and_its_group(store: Store) -> None:
    a, b, c = seed(store, 3)
    told: list[LibraryChange] = []
    ops_for(store).listen(told.append)
    ops_for(store).compare(a, b, "left", reviewer="ana", ranker=stored_ranks, at=10.0)
    assert told[-1].what == {COMPARISONS}
    assert told[-1].takes == {a, b}
    assert told[-1].about(REVIEW)  # views that follow review records follow ranks too
    ops_for(store).compare(c, b, "right", reviewer="ana", ranker=stored_ranks, at=11.0)
    assert told[-1].takes == {a, b, c}  # a's rank moved with the group
    ranks = store.comparisons.ranks([a, b, c])
    assert {t: r.shown() for t, r in ranks.items()} == {a: "1 of 3", b: "2 of 3", c: "3 of 3"}
    assert {r.group_id for r in ranks.values()} == {a}
    assert ranks[b].comparisons == 2
    assert ranks[a].comparisons == 1
    assert "Rank 1 of 3 compared takes (not settled yet)" in ranks[a].detail()


def test_a_comparison_that_fails_writes_nothing_and_tells_nothing(store: Store) -> None:
    a, b = seed(store, 2)
    told: list[LibraryChange] = []
    ops_for(store).listen(told.append)

    def broken(_takes: list[int], _comparisons: list[object]) -> list[object]:
        raise RuntimeError("the fit failed")

    with pytest.raises(RuntimeError):
        ops_for(store).compare(a, b, "left", reviewer="ana", ranker=broken)  # type: ignore[arg-type]
    assert store.comparisons.among([a, b], live=False) == []
    assert told == []
    with pytest.raises(ValueError, match="left, right or tie"):
        store.comparisons.add(a, b, "both", reviewer="ana", at=1.0)
    with pytest.raises(sqlite3.IntegrityError), store.db.write() as tx:  # the schema too
        tx.execute(
            "INSERT INTO comparisons (left_id, right_id, choice, reviewer, at) "
            "VALUES (?, ?, 'left', 'ana', 1)",
            (a, a),
        )


def test_undo_marks_the_comparison_and_splits_the_group(store: Store) -> None:
    a, b, c = seed(store, 3)
    ops = ops_for(store)
    ops.compare(a, b, "left", reviewer="ana", ranker=stored_ranks, at=10.0)
    joined = ops.compare(b, c, "tie", reviewer="ana", ranker=stored_ranks, at=11.0)
    told: list[LibraryChange] = []
    ops.listen(told.append)
    undone = ops.take_back_comparison(joined.id, reviewer="bo", ranker=stored_ranks, at=12.0)
    assert undone is not None
    assert (undone.undone_at, undone.undone_by) == (12.0, "bo")
    assert told[-1].takes == {a, b, c}
    assert set(store.comparisons.ranks([a, b, c])) == {a, b}  # c is compared with nothing now
    assert store.comparisons.ranks([a])[a].takes == 2
    kept = store.comparisons.among([a, b, c], live=False)
    assert [(x.choice, x.live) for x in kept] == [("left", True), ("tie", False)]  # kept
    assert ops.take_back_comparison(joined.id, reviewer="bo", ranker=stored_ranks) is None


def test_a_pass_ranks_by_keys_worth_of_choices_undoes_and_survives_a_restart(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lib.db"
    store = Store(path)
    takes = seed(store, 6)
    truth = [takes[3], takes[0], takes[5], takes[1], takes[4], takes[2]]  # best first
    session = PairwiseSession(store, takes, reviewer="ana", seed=5, clock=Clock())
    assert sorted(session.labels.values()) == [f"Take {x}" for x in "ABCDEF"]
    assert session.ranking.comparisons == 0
    for _ in range(14):
        prefer(session, truth)
    assert session.ranking.comparisons == session.made_here == 14
    leader = session.ranking.leader
    assert leader is not None
    assert leader.take == truth[0]
    shown = session.pair
    undone = session.undo()
    assert undone is not None
    assert session.pair == (undone.left_id, undone.right_id) != shown
    assert session.ranking.comparisons == 13
    stored = store.comparisons.ranks(takes)
    assert stored[truth[0]].rank == 1
    assert stored[truth[0]].comparisons == sum(
        truth[0] in (c.left_id, c.right_id) for c in store.comparisons.among(takes)
    )
    store.close()

    again = Store(path)  # a restart: every comparison and rank is still there
    try:
        assert len(again.comparisons.among(takes)) == 13
        assert len(again.comparisons.among(takes, live=False)) == 14
        assert again.comparisons.ranks(takes) == stored
        resumed = PairwiseSession(again, takes, reviewer="ana", seed=6)
        assert resumed.ranking.comparisons == 13
        assert resumed.undo() is None  # a new pass takes back only its own
    finally:
        again.close()


def test_reviewers_combine_into_one_ranking_and_each_has_their_own(store: Store) -> None:
    a, b, c = seed(store, 3)
    ana = PairwiseSession(store, [a, b, c], reviewer="ana", seed=1, clock=Clock())
    bo = PairwiseSession(store, [a, b, c], reviewer="bo", seed=2, clock=Clock())
    for _ in range(6):
        prefer(ana, [a, b, c])  # ana likes a best
        prefer(bo, [c, b, a])  # bo likes c best
    prefer(bo, [c, b, a])
    ana.reload()
    assert ana.ranking.comparisons == 13  # both reviewers' comparisons count
    assert ana.reviewers() == ["ana", "bo"]
    ana.only = "ana"
    mine = ana.shown()
    assert mine.comparisons == 6
    assert mine.leader is not None
    assert mine.leader.take == a
    ana.only = "bo"
    theirs = ana.shown()
    assert theirs.leader is not None
    assert theirs.leader.take == c
    combined = ranking_of(store, [a, b, c])
    assert combined == ana.ranking
    assert store.comparisons.ranks([a, b, c])[a].comparisons == sum(
        a in (x.left_id, x.right_id) for x in store.comparisons.among([a, b, c])
    )


def test_a_comparison_joining_two_groups_ranks_them_as_one(store: Store) -> None:
    a, b, c, d = seed(store, 4)
    ops = ops_for(store)
    ops.compare(a, b, "left", reviewer="ana", ranker=stored_ranks, at=1.0)
    ops.compare(c, d, "left", reviewer="ana", ranker=stored_ranks, at=2.0)
    assert {r.group_id for r in store.comparisons.ranks([a, b, c, d]).values()} == {a, c}
    ops.compare(b, c, "tie", reviewer="ana", ranker=stored_ranks, at=3.0)
    ranks = store.comparisons.ranks([a, b, c, d])
    assert {r.group_id for r in ranks.values()} == {a}
    assert sorted(r.rank for r in ranks.values()) == [1, 2, 3, 4]
    assert (ranks[a].rank, ranks[d].rank) == (1, 4)
    assert {r.takes for r in ranks.values()} == {4}


def test_a_pass_needs_two_takes_and_a_known_choice(store: Store) -> None:
    (a,) = seed(store, 1)
    with pytest.raises(ReviewError, match="at least two takes"):
        PairwiseSession(store, [a, a], reviewer="ana")
    b = seed(store, 1)[0]
    session = PairwiseSession(store, [a, b], reviewer="ana", seed=1)
    with pytest.raises(ReviewError, match="left, right or tie"):
        session.choose("both")
    assert store.comparisons.among([a, b], live=False) == []
