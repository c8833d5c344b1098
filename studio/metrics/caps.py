"""Spend against the daily cap over time: each local day's committed spend (the figure the
scheduler holds against the cap) beside the cap that applied that day, read from the cap
history, so lowering a cap today does not rewrite last week."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from studio.store import Store
from studio.store.search import local_midnight

DAILY = ("daily", "*")


@dataclass(frozen=True)
class CapDay:
    day: dt.date
    spent: float
    cap: float | None  # the daily cap in force at the end of that day; None: no cap

    @property
    def used(self) -> float | None:
        return share_used(self.spent, self.cap)


def share_used(spent: float, cap: float | None) -> float | None:
    """Spend as a share of a cap (1.0: the cap reached); no figure without a cap. A cap of
    $0 is reached at once, and passed by any spend."""
    if cap is None:
        return None
    if cap == 0:
        return float("inf") if spent > 0 else 1.0
    return spent / cap


def daily_spend(store: Store, start: dt.date, end: dt.date) -> list[CapDay]:
    """One entry per local day from `start` to `end` inclusive, days without spend too."""
    one = dt.timedelta(days=1)
    spent = store.budgets.spent_per_day(local_midnight(start), local_midnight(end + one))
    days: list[CapDay] = []
    day = start
    while day <= end:
        close = local_midnight(day + one) - 1e-3  # the cap the day ended with
        cap = store.budgets.cap_at(*DAILY, close)
        days.append(CapDay(day, spent.get(day.isoformat(), 0.0), cap))
        day += one
    return days
