"""Taking renders into the queue: validate, spot a render that already exists, check the
budget, persist. Nothing here talks to the provider; the scheduler sends what lands here."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from studio.jobs.budget import BudgetGuard
from studio.jobs.events import EventBus, JobChanged
from studio.jobs.ledger import Ledger
from studio.jobs.requests import Queued, RenderRequest
from studio.jobs.specs import reference_path, stored_spec
from studio.providers.clock import Clock
from studio.providers.profiles import ProfileSet
from studio.providers.types import RenderSpec
from studio.store import JobRow, JobStatus, Store


class Intake:
    def __init__(
        self,
        store: Store,
        *,
        provider_key: str,
        library: Path,
        clock: Clock,
        bus: EventBus,
        budget: BudgetGuard,
        ledger: Ledger,
        models: Callable[[], Awaitable[ProfileSet]],
        wake: Callable[[], None],
    ) -> None:
        self.store, self.key, self.library = store, provider_key, library
        self.clock, self.bus, self.budget, self.ledger = clock, bus, budget, ledger
        self.models, self.wake = models, wake

    def create_batch(
        self, name: str, *, project: str = "default", varied_slot: str | None = None
    ) -> int:
        with self.store.db.write() as tx:
            cursor = tx.execute(
                "INSERT INTO batches (name, project, varied_slot, created_at) VALUES (?,?,?,?)",
                (name, project, varied_slot, self.clock.wall()),
            )
            return int(cursor.lastrowid or 0)

    def existing(self, spec: RenderSpec, render_again: int = 0) -> JobRow | None:
        """A job already queued, running or done with the same prompt, settings and image."""
        return self.store.jobs.alive_with_key(spec.idempotency_key(render_again))

    def next_take(self, spec: RenderSpec, start: int = 1) -> int:
        """The `render_again` counter of a deliberate new take of `spec`."""
        attempt = start
        while self.existing(spec, attempt) is not None:
            attempt += 1
        return attempt

    async def submit(
        self,
        request: RenderSpec | RenderRequest,
        *,
        project: str = "default",
        priority: int = 0,
        batch_id: int | None = None,
        parent_id: int | None = None,
        render_again: int = 0,
    ) -> JobRow:
        """Queue a render (persisted before anything is sent). The same spec, image and
        `render_again` while an earlier job is alive returns that job instead."""
        return (
            await self._queue(
                _request(request),
                project=project,
                priority=priority,
                batch_id=batch_id,
                parent_id=parent_id,
                render_again=render_again,
            )
        )[0]

    async def submit_batch(
        self,
        requests: Sequence[RenderSpec | RenderRequest],
        *,
        name: str,
        project: str = "default",
        varied_slot: str | None = None,
        priority: int = 0,
        parent_id: int | None = None,
        again: bool = False,
    ) -> Queued:
        """Queue variants together, as one group; all or none (specs and budget are checked
        for the whole batch before the first is queued). A request that matches a job which
        already exists returns that job (listed in `reused`, and not charged to the budget);
        `again` asks for another take of each instead. `parent_id` links revisions of a take
        (an Edit decision) to it."""
        wanted = [_request(r) for r in requests]
        profiles = await self.models()
        for r in wanted:
            profiles.validate(r.spec)  # SpecError: never reaches the network
        attempts = [self.next_take(r.spec, 1) if again else 0 for r in wanted]
        found = [self.existing(r.spec, a) for r, a in zip(wanted, attempts, strict=True)]
        fresh = [r for r, old in zip(wanted, found, strict=True) if old is None]
        total = sum(profiles.get(r.spec.model).estimate_cost(r.spec) or 0.0 for r in fresh)
        self.budget.check(project, total, self.clock.wall())
        batch_id = (
            self.create_batch(name, project=project, varied_slot=varied_slot) if fresh else None
        )
        jobs, reused = [], []
        for request, attempt, old in zip(wanted, attempts, found, strict=True):
            if old is not None:
                jobs.append(old)
                reused.append(old)
                continue
            job, was_there = await self._queue(
                request,
                project=project,
                priority=priority,
                batch_id=batch_id,
                parent_id=parent_id,
                render_again=attempt,
            )
            jobs.append(job)
            if was_there:
                reused.append(job)
        return Queued(jobs, reused)

    async def _queue(
        self,
        request: RenderRequest,
        *,
        project: str,
        priority: int,
        batch_id: int | None,
        parent_id: int | None,
        render_again: int,
    ) -> tuple[JobRow, bool]:
        """(the job, whether it existed already)."""
        spec = request.spec
        profile = (await self.models()).validate(spec)
        key = spec.idempotency_key(render_again)
        existing = self.store.jobs.alive_with_key(key)
        if existing is not None:
            return existing, True
        now = self.clock.wall()
        estimate = profile.estimate_cost(spec)
        self.budget.check(project, estimate or 0.0, now)
        if spec.reference is not None:
            _write_once(
                reference_path(self.library, spec.reference.sha256, spec.reference.mime),
                spec.reference.data,
            )
        stored = stored_spec(
            spec, request.slots, variant=request.variant, reference_fit=request.reference_fit
        )
        values = {
            "batch_id": batch_id,
            "parent_id": parent_id,
            "provider": self.key,
            "project": project,
            "model": spec.model,
            "prompt": spec.prompt,
            "spec_json": stored.to_json(),
            "idem_key": key,
            "attempt": render_again,
            "status": JobStatus.QUEUED.value,
            "priority": priority,
            "estimated_cost": estimate,
        }
        try:
            with self.store.db.write() as tx:
                job_id = self.store.jobs.insert(tx, values, at=now)
                alerts = self.budget.crossed(tx, project, now)
        except sqlite3.IntegrityError:  # the same key was queued concurrently
            again = self.store.jobs.alive_with_key(key)
            if again is None:
                raise
            return again, True
        self.ledger.emit_alerts(alerts)
        self.bus.emit(JobChanged(job_id, JobStatus.QUEUED.value, frozenset({"created"})))
        self.wake()
        job = self.store.jobs.get(job_id)
        assert job is not None
        return job, False


def _request(value: RenderSpec | RenderRequest) -> RenderRequest:
    return value if isinstance(value, RenderRequest) else RenderRequest(value)


def _write_once(path: Path, data: bytes) -> None:
    if path.exists() and path.stat().st_size == len(data):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
