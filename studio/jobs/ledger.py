"""Shared plumbing of the engine's parts: the ledger that writes each job change and tells
listeners about it (the one place both happen), background task tracking, and waiting."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from studio.core.clock import Clock
from studio.jobs.budget import BudgetGuard, Usage
from studio.jobs.events import BudgetThreshold, Event, EventBus, JobChanged, ProviderHealth
from studio.store import FailureClass, JobRow, JobStatus, Store, Transaction

log = logging.getLogger(__name__)


class Ledger:
    def __init__(
        self, store: Store, bus: EventBus, clock: Clock, budget: BudgetGuard, provider_key: str
    ) -> None:
        self.store = store
        self.bus = bus
        self.clock = clock
        self.budget = budget
        self.provider_key = provider_key
        self.on_finished: list[Callable[[int], None]] = []
        self._healthy: bool | None = None
        self._tx: Transaction | None = None
        self._pending: list[Event] = []

    def job(self, job_id: int) -> JobRow:
        job = self.store.jobs.get(job_id)
        if job is None:
            raise KeyError(f"job {job_id} is not in the library")
        return job

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Apply many changes in one transaction and tell listeners after it commits
        (a poll of 200 jobs is one write, not 200)."""
        if self._tx is not None:
            yield
            return
        try:
            with self.store.db.write() as tx:
                self._tx = tx
                try:
                    yield
                finally:
                    self._tx = None
        except BaseException:
            self._pending.clear()  # rolled back: nothing to announce
            raise
        pending, self._pending = self._pending, []
        for event in pending:
            self.bus.emit(event)

    def _write(self, change: Callable[[Transaction], None], event: JobChanged) -> None:
        if self._tx is not None:
            change(self._tx)
            self._pending.append(event)
            return
        with self.store.db.write() as tx:
            change(tx)
        self.bus.emit(event)

    def set(
        self, job_id: int, status: JobStatus, *, detail: str | None = None, **values: Any
    ) -> None:
        """Change a job's status (and columns), record the transition, tell listeners."""
        at = self.clock.wall()
        self._write(
            lambda tx: self.store.jobs.transition(
                tx, job_id, status, at=at, detail=detail, **values
            ),
            JobChanged(job_id, status.value, frozenset({"status", *values})),
        )

    def claim(self, job_id: int, **values: Any) -> bool:
        """queued → submitting, only if the row is still queued (a compare-and-set)."""
        with self.store.db.write() as tx:
            claimed = self.store.jobs.claim(tx, job_id, at=self.clock.wall(), **values)
        if claimed:
            self.bus.emit(
                JobChanged(job_id, JobStatus.SUBMITTING.value, frozenset({"status", *values}))
            )
        return claimed

    def update(self, job_id: int, status: JobStatus, **values: Any) -> None:
        """Change columns without a transition (progress, queue order)."""
        at = self.clock.wall()
        self._write(
            lambda tx: self.store.jobs.update(tx, job_id, at=at, **values),
            JobChanged(job_id, status.value, frozenset(values)),
        )

    def finish(
        self,
        job_id: int,
        status: JobStatus,
        failure: FailureClass | None,
        code: str | None,
        message: str,
        *,
        cost: float | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "failure_class": failure.value if failure else None,
            "failure_code": code,
            "failure_message": message,
        }
        if cost is not None:
            values["actual_cost"] = cost
        self.set(job_id, status, detail=message, **values)
        for hook in self.on_finished:
            hook(job_id)

    def reopen(self, job_id: int, status: JobStatus, detail: str, **values: Any) -> None:
        """Bring a finished job back into play (retry), clearing its failure."""
        self.set(
            job_id,
            status,
            detail=detail,
            failure_class=None,
            failure_code=None,
            failure_message=None,
            finished_at=None,
            **values,
        )

    def expired(self, job_id: int, expires_at: float | None) -> None:
        when = f" at {clock_time(expires_at)}" if expires_at else ""
        self.finish(
            job_id,
            JobStatus.EXPIRED,
            FailureClass.EXPIRED,
            "expired",
            f"The provider's copy expired{when} before it was downloaded.",
        )

    def check_budget(self, project: str) -> None:
        if self._tx is not None:
            self._pending += self._alert_events(
                self.budget.crossed(self._tx, project, self.clock.wall())
            )
            return
        with self.store.db.write() as tx:
            alerts = self.budget.crossed(tx, project, self.clock.wall())
        self.emit_alerts(alerts)

    def _alert_events(self, alerts: list[tuple[Usage, int]]) -> list[Event]:
        return [
            BudgetThreshold(u.scope, u.key, threshold, u.spent, u.cap) for u, threshold in alerts
        ]

    def emit_alerts(self, alerts: list[tuple[Usage, int]]) -> None:
        for event in self._alert_events(alerts):
            self.bus.emit(event)

    def health(self, ok: bool, message: str) -> None:
        """Tell listeners when the provider starts or stops answering (not every success)."""
        if ok and self._healthy is True:
            return
        self._healthy = ok
        self.bus.emit(ProviderHealth(self.provider_key, ok, message))


class Tasks:
    """Background tasks the engine owns: tracked, logged if they fail, cancelled on stop."""

    def __init__(self, on_error: Callable[[BaseException], bool] | None = None) -> None:
        self._tasks: set[asyncio.Future[Any]] = set()
        self.on_error = on_error  # returns True when it dealt with the failure itself

    def spawn(self, coro: Awaitable[Any]) -> asyncio.Future[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def later(self, delay: float, coro: Callable[[], Awaitable[Any]]) -> None:
        async def run() -> None:
            await asyncio.sleep(delay)
            await coro()

        self.spawn(run())

    async def cancel_all(self) -> None:
        pending = list(self._tasks)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        self._tasks.clear()

    def _done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        err = task.exception()
        if err is not None and not (self.on_error is not None and self.on_error(err)):
            log.error("engine task failed", exc_info=err)


async def wait_event(event: asyncio.Event, seconds: float) -> None:
    """Wait for `event` or `seconds`, then clear it. (Not `wait_for`: on Python 3.11 it can
    swallow a cancellation, and a loop using it would outlive `stop()`.)"""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
    event.clear()


def clock_time(ts: float | None) -> str:
    if ts is None:
        return "?"
    return dt.datetime.fromtimestamp(ts).astimezone().strftime("%Y-%m-%d %H:%M")


def moment(ts: float, now: float) -> str:
    """When something happened, as a person reads it: "14:02:11" today, else with the day."""
    when = dt.datetime.fromtimestamp(ts).astimezone()
    today = dt.datetime.fromtimestamp(now).astimezone().date()
    return when.strftime("%H:%M:%S" if when.date() == today else "%Y-%m-%d %H:%M:%S")
