"""Budget caps: daily (in the user's time zone) and per project.

Spend counts what is paid or committed: actual cost where the provider reported it, the
estimate for live jobs (queued to downloading); failed and cancelled jobs without a reported
cost count nothing. A cap blocks new submissions, never jobs already running.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from studio.core.errors import StudioError
from studio.store import Store, Transaction

THRESHOLDS = (50, 80, 100)


class BudgetExceeded(StudioError):
    """Queuing this render would pass a budget cap; the message says which and what is left."""

    exit_code = 6


@dataclass(frozen=True)
class Usage:
    scope: str
    key: str
    spent: float
    cap: float

    @property
    def left(self) -> float:
        return max(0.0, self.cap - self.spent)


@dataclass(frozen=True)
class Standing:
    """What is left to spend, in the one form the editor's cost line and the status bar both
    show (they disagreed: one said what was spent, the other what was left, each read at its
    own moment). Spend is `usages`' committed spend: reported cost, else the estimate of jobs
    queued or in flight."""

    spent_today: float
    daily: Usage | None  # None: no daily cap
    project: Usage | None = None  # the cap of the project asked about, if it has one

    def today(self) -> str:
        if self.daily is None:
            return f"${self.spent_today:.2f} spent today · no daily cap"
        return f"${self.daily.left:.2f} left today of ${self.daily.cap:.2f}"

    def hint(self, cost: float) -> str:
        """Today's figure, the project's cap when it has one, and, first, the cap `cost`
        would pass if it would pass one."""
        parts = {"daily": self.today()}
        if self.project is not None:
            parts["project"] = f"${self.project.left:.2f} left in the {self.project.key} budget"
        caps = [u for u in (self.daily, self.project) if u is not None]
        tight = min(caps, key=lambda u: u.left, default=None)
        if tight is None or cost <= tight.left + 1e-9:
            return " · ".join(parts.values())
        first = parts.pop(tight.scope)
        return " · ".join([f"over the cap: {first}", *parts.values()])


class BudgetGuard:
    def __init__(self, store: Store, tz: dt.tzinfo | None = None) -> None:
        self.store = store
        self.tz = tz

    def day_bounds(self, now: float) -> tuple[str, float, float]:
        """(YYYY-MM-DD, start, end) of the local day containing `now`."""
        tz = self.tz or dt.datetime.now().astimezone().tzinfo
        local = dt.datetime.fromtimestamp(now, tz)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        end = (start + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        if isinstance(tz, ZoneInfo):  # re-anchor after DST changes
            end = dt.datetime(end.year, end.month, end.day, tzinfo=tz)
        return start.date().isoformat(), start.timestamp(), end.timestamp()

    def usages(self, project: str, now: float, *, sent_only: bool = False) -> list[Usage]:
        """The caps a render of `project` counts against, with what is spent under each."""
        standing = self.standing(now, project, sent_only=sent_only)
        return [u for u in (standing.daily, standing.project) if u is not None]

    def standing(
        self, now: float, project: str | None = None, *, sent_only: bool = False
    ) -> Standing:
        """Today's spend and the daily cap, and `project`'s cap if one is asked about."""
        day, start, end = self.day_bounds(now)
        spent = self.store.budgets.spent(created_from=start, created_to=end, sent_only=sent_only)
        daily_cap = self.store.budgets.cap("daily", "*")
        daily = Usage("daily", day, spent, daily_cap) if daily_cap is not None else None
        mine = self.project_usage(project, sent_only=sent_only) if project is not None else None
        return Standing(spent, daily, mine)

    def project_usage(self, project: str, *, sent_only: bool = False) -> Usage | None:
        """What `project` has spent against its cap (None: it has none)."""
        cap = self.store.budgets.cap("project", project)
        if cap is None:
            return None
        return Usage(
            "project", project, self.store.budgets.spent(project=project, sent_only=sent_only), cap
        )

    @staticmethod
    def hold_reason(
        sent: Sequence[Usage],
        project: str,
        estimate: float,
        going: Sequence[tuple[str, float]] = (),
    ) -> str | None:
        """Why a queued job must not be sent now, if it must not: what has been `sent` (the
        project's `usages(..., sent_only=True)`: not what is merely queued, this job
        included), what is `going` out just before it (project, estimate), plus this job
        would pass a cap. A cap lowered while jobs waited is honoured when they would go
        out."""
        for usage in sent:
            ahead = sum(e for p, e in going if usage.scope == "daily" or p == project)
            if usage.spent + ahead + estimate > usage.cap + 1e-9:
                what = "daily budget" if usage.scope == "daily" else f"budget for '{usage.key}'"
                return (
                    f"held: the {what} has ${usage.left:.2f} left of ${usage.cap:.2f}; "
                    f"this render needs ${estimate:.2f}"
                )
        return None

    def check(self, project: str, estimate: float, now: float) -> None:
        """Raise `BudgetExceeded` if queuing `estimate` more would pass a cap."""
        for usage in self.usages(project, now):
            if usage.spent + estimate > usage.cap + 1e-9:
                what = "Daily budget" if usage.scope == "daily" else f"Budget for '{usage.key}'"
                state = "reached" if usage.left <= 1e-9 else "too small for this render"
                raise BudgetExceeded(
                    f"{what} {state}: ${usage.spent:.2f} of ${usage.cap:.2f} spent or committed; "
                    f"this render needs ${estimate:.2f} and ${usage.left:.2f} is left."
                )

    def crossed(self, tx: Transaction, project: str, now: float) -> list[tuple[Usage, int]]:
        """Thresholds newly reached (each reported once per day or project)."""
        out = []
        for usage in self.usages(project, now):
            if usage.cap <= 0:
                continue
            percent = 100.0 * usage.spent / usage.cap
            for threshold in THRESHOLDS:
                if percent + 1e-9 >= threshold and self.store.budgets.mark_alert(
                    tx,
                    usage.scope,
                    usage.key if usage.scope == "project" else "*",
                    usage.key,
                    threshold,
                    now,
                ):
                    out.append((usage, threshold))
        return out
