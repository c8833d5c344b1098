"""Budget caps at their boundaries: exactly at the cap, reached by running jobs, day rollover."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest

from studio.jobs import BudgetExceeded, BudgetGuard, BudgetThreshold, Engine
from studio.store import JobStatus, Store
from tests.helpers import scheduler_looked
from tests.jobs.conftest import Recorder, spec

NY = ZoneInfo("America/New_York")


def add_job(
    store: Store,
    created_at: float,
    cost: float,
    *,
    status: str = "ready",
    project: str = "default",
    actual: float | None = None,
) -> None:
    with store.db.write() as tx:
        store.jobs.insert(
            tx,
            {
                "provider": "sim",
                "project": project,
                "model": "sim-fast",
                "prompt": "p",
                "spec_json": "{}",
                "idem_key": f"k{created_at}{cost}{status}",
                "status": status,
                "estimated_cost": cost,
                "actual_cost": actual,
            },
            at=created_at,
        )


async def test_exactly_at_the_cap_is_allowed_one_cent_more_is_not(
    make_engine: Callable[..., Engine], store: Store
) -> None:
    store.budgets.set_cap("daily", "*", 1.00)
    engine = make_engine()
    seen = Recorder()
    engine.bus.subscribe(seen)
    for i in range(5):  # 5 × $0.20 = $1.00, exactly the cap
        await engine.submit(spec(f"take {i}"))
    with pytest.raises(BudgetExceeded) as info:
        await engine.submit(spec("one too many"))
    assert str(info.value) == (
        "Daily budget reached: $1.00 of $1.00 spent or committed; this render needs $0.20 and "
        "$0.00 is left."
    )
    assert store.jobs.count_by_status() == {JobStatus.QUEUED: 5}
    alerts = [(e.scope, e.threshold) for e in seen.of(BudgetThreshold)]  # type: ignore[attr-defined]
    assert alerts == [("daily", 50), ("daily", 80), ("daily", 100)]


async def test_running_jobs_finish_when_the_cap_is_reached(
    make_engine: Callable[..., Engine], store: Store
) -> None:
    store.budgets.set_cap("project", "launch", 0.40)
    engine = make_engine()
    jobs = [await engine.submit(spec(f"shot {i}"), project="launch") for i in range(2)]
    await engine.start()
    with pytest.raises(BudgetExceeded, match=r"Budget for 'launch' reached: \$0\.40 of \$0\.40"):
        await engine.submit(spec("third"), project="launch")
    other = await engine.submit(spec("other project"), project="other")  # unaffected
    # Every job waited for: the engine is not closed with a request in flight.
    done = await asyncio.wait_for(engine.wait_finished([j.id for j in [*jobs, other]]), 60)
    assert [j.status for j in done] == [JobStatus.READY] * 3


def test_failed_jobs_free_their_estimate(store: Store) -> None:
    store.budgets.set_cap("daily", "*", 1.0)
    guard = BudgetGuard(store, tz=NY)
    now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=NY).timestamp()
    add_job(store, now - 60, 0.8, status="failed")
    add_job(store, now - 50, 0.5, status="failed", actual=0.1)  # billed despite failing
    guard.check("default", 0.9, now)
    with pytest.raises(BudgetExceeded, match=r"\$0\.10 of \$1\.00"):
        guard.check("default", 0.91, now)


def test_day_rolls_over_at_local_midnight(store: Store) -> None:
    store.budgets.set_cap("daily", "*", 1.0)
    guard = BudgetGuard(store, tz=NY)
    late = dt.datetime(2026, 11, 23, 23, 50, tzinfo=NY).timestamp()
    add_job(store, late, 1.0)
    with pytest.raises(BudgetExceeded):
        guard.check("default", 0.1, late + 5 * 60)  # 23:55, same day
    guard.check("default", 1.0, late + 11 * 60)  # 00:01 the next day: a fresh budget
    utc_guard = BudgetGuard(store, tz=dt.UTC)  # in UTC both moments fall on the 24th
    with pytest.raises(BudgetExceeded):
        utc_guard.check("default", 0.1, late + 11 * 60)


def test_day_bounds_across_daylight_saving(store: Store) -> None:
    guard = BudgetGuard(store, tz=NY)
    noon = dt.datetime(2026, 11, 1, 12, 0, tzinfo=NY).timestamp()  # clocks went back at 02:00
    day, start, end = guard.day_bounds(noon)
    assert day == "2026-11-01"
    assert end - start == 25 * 3600


async def test_a_cap_lowered_while_jobs_wait_holds_them_at_send_time(
    make_engine: Callable[..., Engine], store: Store
) -> None:
    """Jobs queued while paused, then the cap lowered: they must not go out past it. What is
    merely queued (the job itself included) is not counted against it twice."""
    engine = make_engine()
    engine.pause()
    jobs = [await engine.submit(spec(f"lantern {i}")) for i in range(3)]  # $0.20 each
    store.budgets.set_cap("daily", "*", 0.40)  # room for two of the three
    await engine.start()
    engine.resume()
    done = await asyncio.wait_for(engine.wait_finished([j.id for j in jobs[:2]]), 60)
    assert [j.status for j in done] == [JobStatus.READY, JobStatus.READY]
    await scheduler_looked(engine)  # it looks again: the third stays held
    held = store.jobs.get(jobs[2].id)
    assert held is not None
    assert held.status is JobStatus.QUEUED
    assert held.failure_message == (
        "held: the daily budget has $0.00 left of $0.40; this render needs $0.20"
    )
    store.budgets.set_cap("daily", "*", 1.00)  # raised: it goes, and the note goes with it
    engine.wake()
    (sent,) = await asyncio.wait_for(engine.wait_finished([jobs[2].id]), 60)
    assert sent.status is JobStatus.READY
    assert sent.failure_message is None


async def test_an_identical_live_spec_near_the_cap_returns_the_existing_job(
    make_engine: Callable[..., Engine], store: Store
) -> None:
    store.budgets.set_cap("daily", "*", 0.20)
    engine = make_engine()
    engine.pause()
    first = await engine.submit(spec("a kite"))
    again = await engine.submit_batch([spec("a kite")], name="again")  # would pass the cap
    assert [j.id for j in again.jobs] == [first.id]
    assert again.reused == again.jobs


def test_what_is_left_today_counts_jobs_in_flight_and_reads_one_way(store: Store) -> None:
    """One figure for the editor's cost line and the status bar: reported cost where there
    is one, the estimate of every job queued or in flight, nothing for a failure."""
    now = dt.datetime(2026, 3, 2, 15, 0, tzinfo=NY).timestamp()
    guard = BudgetGuard(store, tz=NY)
    add_job(store, now - 60, 0.40, status="queued")
    add_job(store, now - 50, 0.80, status="running")
    add_job(store, now - 40, 0.40, status="ready", actual=0.25)  # as billed
    add_job(store, now - 30, 0.40, status="failed")  # not billed
    add_job(store, now - 86_400, 3.00)  # yesterday's
    assert guard.standing(now).today() == "$1.45 spent today · no daily cap"
    store.budgets.set_cap("daily", "*", 5.0)
    standing = guard.standing(now)
    assert standing.today() == "$3.55 left today of $5.00"
    assert standing.hint(1.0) == "$3.55 left today of $5.00"
    assert standing.hint(4.0) == "over the cap: $3.55 left today of $5.00"
    add_job(store, now - 20, 0.50, status="queued", project="launch")
    store.budgets.set_cap("project", "launch", 1.0)
    launch = guard.standing(now, "launch")
    assert launch.today() == "$3.05 left today of $5.00"  # the same figure, whatever project
    assert launch.hint(0.2) == "$3.05 left today of $5.00 · $0.50 left in the launch budget"
    assert launch.hint(0.8) == (
        "over the cap: $0.50 left in the launch budget · $3.05 left today of $5.00"
    )
    assert [u.left for u in guard.usages("launch", now)] == [pytest.approx(3.05), 0.5]
