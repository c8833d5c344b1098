"""Taking renders into the queue: validate, spot a render that already exists, check the
budget, persist. Nothing here talks to the provider; the scheduler sends what lands here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from studio.core.clock import Clock
from studio.core.spec import RenderRequest, RenderSpec
from studio.jobs.budget import BudgetGuard
from studio.jobs.events import EventBus, JobChanged
from studio.jobs.ledger import Ledger
from studio.jobs.requests import Queued
from studio.providers.profiles import ProfileSet
from studio.providers.types import new_idempotency_key
from studio.store import JobRow, JobStatus, Store
from studio.store.layout import reference_path

GUARD_SECONDS = 30.0  # an identical submission this soon after the first is a double click


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
        origin: str = "",
    ) -> None:
        self.store, self.key, self.library = store, provider_key, library
        self.clock, self.bus, self.budget, self.ledger = clock, bus, budget, ledger
        self.models, self.wake = models, wake
        self.origin = origin  # where its jobs are queued from: "" the window, else a command

    def create_batch(
        self, name: str, *, project: str = "default", varied_slot: str | None = None
    ) -> int:
        return self.store.batches.create(
            name, project=project, varied_slot=varied_slot, at=self.clock.wall()
        )

    def existing(self, spec: RenderSpec) -> JobRow | None:
        """The job an identical submission now would duplicate (see `JobRepo.guarded`)."""
        return self.store.jobs.guarded(None, spec.content_hash(), self._guard_since())

    def _attempt(self, retry_of: int | None) -> int:
        """How many renders of this take came before (0 for a new take)."""
        retried = self.store.jobs.get(retry_of) if retry_of is not None else None
        return retried.attempt + 1 if retried is not None else 0

    def _guard_since(self) -> float:
        return self.clock.wall() - GUARD_SECONDS

    async def submit(
        self,
        request: RenderSpec | RenderRequest,
        *,
        project: str = "default",
        priority: int = 0,
        batch_id: int | None = None,
        parent_id: int | None = None,
        again: bool = False,
        retry_of: int | None = None,
        line_key: str | None = None,
    ) -> JobRow:
        """Queue a render (persisted, with its own Idempotency-Key, before anything is sent).
        An identical render still in flight, or queued in the last GUARD_SECONDS, is
        returned instead (a double click) unless `again` asks for another take."""
        wanted = _request(request)
        return (
            await self._queue(
                wanted,
                (await self.models()).price(wanted.spec),
                project=project,
                priority=priority,
                batch_id=batch_id,
                parent_id=parent_id,
                again=again,
                retry_of=retry_of,
                line_key=line_key,
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
        for the whole batch before the first is queued). A request the double-submit guard
        catches returns that job (listed in `reused`, not charged to the budget); `again`
        asks for another take of each instead; a variant batch (`varied_slot`) is queued
        whole unless every one of its renders exists. `parent_id` links revisions of a
        take (an Edit decision) to it."""
        wanted = [_request(r) for r in requests]
        profiles = await self.models()
        prices = [profiles.price(r.spec) for r in wanted]  # SpecError: never sent
        found = [None if again else self.existing(r.spec) for r in wanted]
        # A variant batch is one comparison, rendered whole: a value whose render exists
        # already (often the base value, queued a moment before) is rendered again in it.
        # Only the same batch again (every value found: a double click) is not.
        whole = varied_slot is not None and any(old is None for old in found)
        if whole:
            found = [None] * len(found)
        total = sum(p or 0.0 for p, old in zip(prices, found, strict=True) if old is None)
        self.budget.check(project, total, self.clock.wall())
        batch_id = (
            self.create_batch(name, project=project, varied_slot=varied_slot)
            if any(old is None for old in found)
            else None
        )
        jobs, reused = [], []
        for request, price, old in zip(wanted, prices, found, strict=True):
            if old is not None:
                jobs.append(old)
                reused.append(old)
                continue
            job, was_there = await self._queue(
                request,
                price,
                project=project,
                priority=priority,
                batch_id=batch_id,
                parent_id=parent_id,
                again=again or whole,
            )
            jobs.append(job)
            if was_there:
                reused.append(job)
        return Queued(jobs, reused)

    async def _queue(
        self,
        request: RenderRequest,
        estimate: float | None,
        *,
        project: str,
        priority: int,
        batch_id: int | None,
        parent_id: int | None,
        again: bool,
        retry_of: int | None = None,
        line_key: str | None = None,
    ) -> tuple[JobRow, bool]:
        """(the job, whether it existed already), for a request already validated and
        priced (`estimate`)."""
        spec = request.spec
        content = spec.content_hash()
        now = self.clock.wall()
        # The image sent, and the person's original beside it (so the take can be framed
        # anew when it is opened again), each once per content.
        for image in (spec.reference, request.original if spec.reference else None):
            if image is not None:
                _write_once(reference_path(self.library, image.sha256, image.mime), image.data)
        stored = request.stored()
        values = {
            "batch_id": batch_id,
            "parent_id": parent_id,
            "retry_of": retry_of,
            "line_key": line_key,
            "provider": self.key,
            "project": project,
            "template_id": request.template_id,
            "model": spec.model,
            "prompt": spec.prompt,
            "spec_json": stored.to_json(),
            "idem_key": new_idempotency_key(),
            "attempt": self._attempt(retry_of),
            "content_hash": content,
            "status": JobStatus.QUEUED.value,
            "priority": priority,
            "estimated_cost": estimate,
            "origin": self.origin,
        }
        with self.store.db.write() as tx:  # the guard and the insert in one transaction
            if not again:
                existing = self.store.jobs.guarded(tx, content, now - GUARD_SECONDS)
                if existing is not None:
                    return existing, True
            self.budget.check(project, estimate or 0.0, now)
            job_id = self.store.jobs.insert(tx, values, at=now)
            alerts = self.budget.crossed(tx, project, now)
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
