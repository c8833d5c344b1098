"""A review session over the store: scores, decisions, escalation, undo, auto-advance."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from studio.review.rubric import load_active
from studio.review.session import ReasonNeeded, ReviewError, ReviewSession, followed_batch
from studio.store import Store
from tests.helpers import job_values


def ready_jobs(store: Store, n: int) -> list[int]:
    with store.db.write() as tx:
        return [
            store.jobs.insert(tx, job_values(i, model="sim-fast", prompt=f"take {i}"), at=1.0)
            for i in range(n)
        ]


@pytest.fixture
def session(tmp_path: Path) -> ReviewSession:
    store = Store(tmp_path / "s.db")
    ticks = itertools.count(100)
    return ReviewSession(
        store,
        load_active(store),
        ready_jobs(store, 4),
        reviewer="ana",
        clock=lambda: float(next(ticks)),
    )


def test_score_decide_advance_undo(session: ReviewSession) -> None:
    store = session.store
    first = session.take.job_id
    session.score(2)
    session.score(2)
    assert session.criterion == 2  # the selection moves on after each score
    session.toggle_tag("logo")
    session.score(1)
    assert session.passes()
    decision = session.decide("approve")
    assert (decision.scores, decision.tags) == ({"motion": 2, "framing": 2, "brand": 1}, ("logo",))
    assert decision.rubric_id == session.rubric.rubric_id
    assert session.index == 1  # auto-advanced to the next take without a decision
    assert store.verdicts.scores(first) == {"motion": 2, "framing": 2, "brand": 1}

    with pytest.raises(ReviewError, match="needs a note"):
        session.decide("discard", escalate=True)
    assert session.index == 1  # nothing happened
    session.decide("discard", escalate=True, note="a real person's face")
    assert session.index == 2

    undone = session.undo()
    assert undone is not None
    assert session.index == 1
    assert undone.decision is None
    history = session.history()
    assert [h.decision for h in history] == ["discard", "undo"]
    assert history[0].escalate
    assert history[0].note == "a real person's face"


def test_auto_advance_skips_decided_takes_and_can_be_off(session: ReviewSession) -> None:
    session.go(2)
    session.decide("edit")
    assert session.index == 3
    session.decide("approve", note="reviewed by eye")
    assert session.index == 0  # wraps round to the first undecided take
    session.auto_advance = False
    session.decide("approve", note="reviewed by eye")
    assert session.index == 0
    session.decide_many([1, 2], "discard")
    assert [t.decision.decision for t in session.takes if t.decision] == [
        "approve",
        "discard",
        "discard",
        "approve",
    ]
    assert session.next_unreviewed() is None


def test_approving_a_take_that_does_not_pass_needs_a_reason(session: ReviewSession) -> None:
    """2/6 with a criterion at 0 used to be approved silently."""
    first = session.take.job_id
    session.score(0)
    session.score(1)
    session.score(1)
    with pytest.raises(ReasonNeeded, match=rf"#{first} does not pass \(2/6, Motion realism at 0\)"):
        session.decide("approve")
    assert session.take.decision is None
    assert session.index == 0
    made = session.decide("approve", note="client asked for this framing")
    assert (made.decision, made.note) == ("approve", "client asked for this framing")
    assert session.store.verdicts.history(first)[-1].note == "client asked for this framing"


def test_bulk_approve_of_failing_takes_asks_once(session: ReviewSession) -> None:
    session.go(1)
    session.score(2)
    session.score(2)
    session.score(2)  # take 2 passes; takes 3 and 4 are not scored
    with pytest.raises(ReasonNeeded, match=r"\(not scored\).*\(not scored\) do not pass"):
        session.decide_many([1, 2, 3], "approve")
    assert all(t.decision is None for t in session.takes)
    session.decide_many([1, 2, 3], "approve", note="hero set, approved as a group")
    notes = [t.decision.note for t in session.takes[1:] if t.decision]
    assert notes == ["hero set, approved as a group"] * 3


def test_blind_mode_names_takes_neutrally_and_a_decided_take_always_says_so(
    session: ReviewSession,
) -> None:
    earlier = session.takes[1]
    session.go(1)
    session.decide("discard")  # decided before blind mode, in another pass
    again = ReviewSession(
        session.store, session.rubric, [t.job_id for t in session.takes], reviewer="ben", seed=3
    )
    given = [t.job_id for t in again.takes]
    again.go(2)
    in_view = again.take.job_id
    again.blind = True
    # The takes in an order drawn for the pass, by neutral labels in that order; the take
    # in view stays in view.
    assert sorted(t.job_id for t in again.takes) == sorted(given)
    assert [again.label(t) for t in again.takes] == [f"Take {x}" for x in "ABCD"][: len(given)]
    assert again.take.job_id == in_view
    decided = next(t for t in again.takes if t.job_id == earlier.job_id)
    assert decided.decision is not None
    assert again.revealed(decided)  # a decided take says so, whoever decided it, whenever
    assert again.called(decided) == f"#{decided.job_id}"
    undecided = next(t for t in again.takes if t.decision is None and t is not again.take)
    assert not again.revealed(undecided)
    assert again.called(undecided) == again.label(undecided)
    assert not again.in_full(decided)  # the list says no more than "decided" of another
    with pytest.raises(ReviewError, match="Leave blind mode"):
        again.order_by_rank(True)  # the order would tell how the others were judged
    again.blind = False
    assert [t.job_id for t in again.takes] == given  # back in the order given
    assert again.take.job_id == in_view
    assert all(again.revealed(t) and again.in_full(t) for t in again.takes)


def test_bad_actions_are_refused_clearly(session: ReviewSession) -> None:
    with pytest.raises(ReviewError, match="0, 1 or 2"):
        session.score(3)
    with pytest.raises(ReviewError, match="approve, edit or discard"):
        session.decide("maybe")
    with pytest.raises(ReviewError, match="Only a discard"):
        session.decide("approve", escalate=True, note="x")
    with pytest.raises(ReviewError, match="not a defect tag"):
        session.toggle_tag("sparkles")


def test_a_new_session_picks_up_where_the_last_left(session: ReviewSession) -> None:
    session.score(1)
    session.toggle_tag("jitter")
    session.toggle_star()
    session.decide("edit")
    again = ReviewSession(
        session.store, session.rubric, [t.job_id for t in session.takes], reviewer="ben"
    )
    take = again.takes[0]
    assert take.scores == {"motion": 1}
    assert take.tags == {"jitter"}
    assert take.starred
    assert take.decision is not None
    assert take.decision.decision == "edit"


def test_tag_many_puts_a_tag_on_all_then_takes_it_off_all(session: ReviewSession) -> None:
    store = session.store
    session.takes[0].tags.add("jitter")
    assert session.tag_many([0, 1], "jitter") is True  # one lacked it: both have it now
    assert [store.verdicts.tags(t.job_id) for t in session.takes[:2]] == [["jitter"]] * 2
    assert session.tag_many([0, 1], "jitter") is False
    assert [store.verdicts.tags(t.job_id) for t in session.takes[:2]] == [[], []]
    with pytest.raises(ReviewError, match="not a defect tag"):
        session.tag_many([0], "bad focus")


def test_reload_reads_takes_decided_elsewhere(session: ReviewSession) -> None:
    store = session.store
    job_id = session.takes[1].job_id
    store.verdicts.decide(job_id, "discard", reviewer="bo", at=1.0)
    assert session.takes[1].decision is None
    assert session.reload([job_id, 999]) is True
    assert session.takes[1].decision is not None
    assert session.takes[1].decision.decision == "discard"
    assert session.reload([999]) is False


def test_a_take_that_joins_goes_last_and_keeps_every_label(session: ReviewSession) -> None:
    store = session.store
    session.blind = True
    labels = dict(session.labels)
    order = [t.job_id for t in session.takes]
    session.go(2)
    in_view = session.take.job_id
    (late,) = ready_jobs(store, 1)
    assert session.add([late, order[0]]) == [late]  # one already in the pass is left out
    assert [t.job_id for t in session.takes] == [*order, late]
    assert session.take.job_id == in_view
    assert session.labels == {**labels, late: "Take E"}
    session.blind = False  # in the order given too: last
    assert session.takes[-1].job_id == late
    assert session.add([late]) == []


def test_a_pass_over_a_whole_batch_follows_it(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    with store.db.write() as tx:
        batch = tx.execute(
            "INSERT INTO batches (name, project, created_at) VALUES ('b', 'default', 1.0)"
        ).lastrowid
        ids = [
            store.jobs.insert(
                tx,
                job_values(i, batch_id=batch, status="ready" if i < 2 else "running"),
                at=1.0,
            )
            for i in range(3)
        ]
    loose = ready_jobs(store, 1)
    assert followed_batch(store, ids[:2]) == batch  # every finished take of it
    assert followed_batch(store, ids[:1]) is None  # a chosen few
    assert followed_batch(store, [*ids[:2], *loose]) is None  # more than the batch
    assert followed_batch(store, loose) is None  # no batch
