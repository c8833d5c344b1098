"""Spend against the daily cap over time, on a fixture computed by hand: each day's spend is
compared with the cap that applied that day, not with today's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from studio.metrics.caps import daily_spend
from studio.store import Store
from tests.helpers import job_values

DAY1 = dt.date(2026, 11, 16)


def at(day: int, hour: int, minute: int = 0) -> float:
    """Local time on day `day` of the fixture (1: DAY1)."""
    when = dt.datetime.combine(DAY1 + dt.timedelta(days=day - 1), dt.time(hour, minute))
    return when.astimezone().timestamp()


def test_each_day_against_the_cap_in_force_that_day(tmp_path: Path) -> None:
    store = Store(tmp_path / "studio.db")
    n = 0

    def job(when: float, **values: object) -> None:
        nonlocal n
        n += 1
        with store.db.write() as tx:
            store.jobs.insert(tx, job_values(n, **values), at=when)

    job(at(1, 10), status="ready", estimated_cost=0.40)
    job(at(1, 11), status="failed", estimated_cost=0.40)  # failed, unbilled: 0
    job(at(1, 12), status="ready", estimated_cost=0.40, actual_cost=0.50)
    job(at(2, 9), status="queued", estimated_cost=1.20)  # committed while queued
    job(at(2, 9), status="cancelled", estimated_cost=3.00)  # 0
    job(at(3, 23, 30), status="ready", estimated_cost=2.00)  # late evening: still day 3
    job(at(5, 0, 30), status="ready", estimated_cost=0.70)  # just after midnight: day 5

    caps = store.budgets
    caps.set_cap("daily", "*", 10.0, at=at(1, 9))
    caps.set_cap("daily", "*", 7.0, at=at(2, 10))
    caps.set_cap("daily", "*", 2.5, at=at(2, 15))  # the day ends with the last change
    caps.set_cap("daily", "*", None, at=at(4, 8))  # cleared
    caps.set_cap("daily", "*", 1.0, at=at(6, 8))  # after the range: changes nothing in it

    days = daily_spend(store, DAY1 - dt.timedelta(days=1), DAY1 + dt.timedelta(days=4))
    store.close()

    assert [d.day for d in days] == [DAY1 + dt.timedelta(days=i) for i in range(-1, 5)]
    assert [d.spent for d in days] == pytest.approx([0.0, 0.90, 1.20, 2.00, 0.0, 0.70])
    assert [d.cap for d in days] == [None, 10.0, 2.5, 2.5, None, None]
    assert [d.used for d in days] == pytest.approx([None, 0.09, 0.48, 0.80, None, None])


def test_a_zero_cap_is_reached_at_once_and_passed_by_any_spend() -> None:
    from studio.metrics.caps import CapDay

    assert CapDay(DAY1, 0.0, 0.0).used == 1.0
    assert CapDay(DAY1, 0.2, 0.0).used == float("inf")
    assert CapDay(DAY1, 0.2, None).used is None


def test_a_range_with_nothing_in_it(tmp_path: Path) -> None:
    store = Store(tmp_path / "studio.db")
    days = daily_spend(store, DAY1, DAY1)
    store.close()
    assert [(d.spent, d.cap, d.used) for d in days] == [(0.0, None, None)]
