"""The job engine: queue → submit → poll → download, persisted at every step.

Every state lives in the store; the engine keeps only timers and in-flight task handles, so a
crash at any moment loses nothing. On start it sweeps partial downloads, restarts downloads,
resumes polling, and reconciles jobs caught mid-submit (looks for them at the provider before
anything is sent again), so no render is paid for twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.errors import SpecError, StudioError
from studio.jobs.budget import BudgetGuard
from studio.jobs.download import (
    FILE_NAMES,
    NotAVideo,
    StorageFailed,
    job_folder,
    save_variant,
    sweep_parts,
)
from studio.jobs.events import (
    AssetReady,
    BudgetThreshold,
    EventBus,
    JobChanged,
    ProviderHealth,
    QueueState,
)
from studio.jobs.polling import PollSchedule
from studio.jobs.specs import reference_path, spec_from_json, spec_to_json
from studio.providers.base import Provider
from studio.providers.clock import Clock, SystemClock
from studio.providers.errors import (
    AuthError,
    NotFound,
    ProviderError,
    RequestError,
    TransportError,
    Unsupported,
)
from studio.providers.profiles import ProfileSet
from studio.providers.types import FailureKind, RemoteJob, RemoteStatus, RenderSpec
from studio.store import FailureClass, JobRow, JobStatus, Store

log = logging.getLogger(__name__)

ACTIVE = (JobStatus.SUBMITTING, JobStatus.SUBMITTED, JobStatus.RUNNING)


@dataclass
class EngineConfig:
    max_concurrent: int = 10  # renders at the provider at once
    poll: PollSchedule = field(default_factory=PollSchedule)
    job_deadline: float = 4 * 3600.0  # from submit; then the job is marked timed out
    download_workers: int = 2
    download_rounds: int = 3  # transport failures while downloading before giving up
    submit_rounds: int = 3  # provider outages while submitting before the job fails
    outage_pause: float = 10.0  # wait after an outage before trying the provider again
    reconcile_window: float = 900.0  # how far before a lost submit to look for its job


class Engine:
    """Runs the jobs of one provider (`provider_key`) from the shared store."""

    def __init__(
        self,
        store: Store,
        provider: Provider,
        *,
        provider_key: str,
        library: Path,
        config: EngineConfig | None = None,
        clock: Clock | None = None,
        bus: EventBus | None = None,
        budget: BudgetGuard | None = None,
    ) -> None:
        self.store = store
        self.provider = provider
        self.key = provider_key
        self.library = library
        self.config = config or EngineConfig()
        self.clock = clock or SystemClock()
        self.bus = bus or EventBus()
        self.budget = budget or BudgetGuard(store)
        self.paused = False
        self.pause_reason = ""
        self._profiles: ProfileSet | None = None
        self._wake_submit = asyncio.Event()
        self._wake_poll = asyncio.Event()
        self._downloads: asyncio.PriorityQueue[tuple[float, int]] = asyncio.PriorityQueue()
        self._queued_downloads: set[int] = set()
        self._submitting: set[int] = set()
        self._next_poll: dict[int, float] = {}
        self._outages: Counter[int] = Counter()
        self._healthy: bool | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._loops: list[asyncio.Task[None]] = []

    # ---- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        swept = sweep_parts(self.library)
        if swept:
            log.info("removed %d partial download(s) left by a crash", swept)
        for job in self.store.jobs.with_status(JobStatus.DOWNLOADING, provider=self.key):
            self._enqueue_download(job)
        lost = self.store.jobs.with_status(JobStatus.SUBMITTING, provider=self.key)
        if lost:
            self._spawn(self._reconcile(lost))
        self._loops = [
            asyncio.create_task(self._scheduler(), name="scheduler"),
            asyncio.create_task(self._poller(), name="poller"),
        ]
        self._loops += [
            asyncio.create_task(self._downloader(), name=f"download-{i}")
            for i in range(self.config.download_workers)
        ]

    async def stop(self) -> None:
        pending = self._loops + list(self._tasks)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        self._loops.clear()
        self._tasks.clear()

    async def models(self) -> ProfileSet:
        if self._profiles is None:
            self._profiles = await self.provider.models()
        return self._profiles

    # ---- queueing ------------------------------------------------------------------------

    def create_batch(
        self, name: str, *, project: str = "default", varied_slot: str | None = None
    ) -> int:
        with self.store.db.write() as tx:
            cursor = tx.execute(
                "INSERT INTO batches (name, project, varied_slot, created_at) VALUES (?,?,?,?)",
                (name, project, varied_slot, self.clock.wall()),
            )
            return int(cursor.lastrowid or 0)

    async def submit(
        self,
        spec: RenderSpec,
        *,
        project: str = "default",
        priority: int = 0,
        batch_id: int | None = None,
        parent_id: int | None = None,
        render_again: int = 0,
    ) -> JobRow:
        """Queue a render (persisted before anything is sent). The same spec, image and
        `render_again` while an earlier job is alive returns that job instead."""
        profile = (await self.models()).validate(spec)  # SpecError: never reaches the network
        key = spec.idempotency_key(render_again)
        existing = self.store.jobs.alive_with_key(key)
        if existing is not None:
            return existing
        now = self.clock.wall()
        estimate = profile.estimate_cost(spec)
        self.budget.check(project, estimate or 0.0, now)
        if spec.reference is not None:
            _write_once(
                reference_path(self.library, spec.reference.sha256, spec.reference.mime),
                spec.reference.data,
            )
        values = {
            "batch_id": batch_id,
            "parent_id": parent_id,
            "provider": self.key,
            "project": project,
            "model": spec.model,
            "prompt": spec.prompt,
            "spec_json": spec_to_json(spec),
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
            return again
        self._emit_alerts(alerts)
        self.bus.emit(JobChanged(job_id, JobStatus.QUEUED.value, frozenset({"created"})))
        self._wake_submit.set()
        job = self.store.jobs.get(job_id)
        assert job is not None
        return job

    async def submit_batch(
        self,
        specs: Sequence[RenderSpec],
        *,
        name: str,
        project: str = "default",
        varied_slot: str | None = None,
        priority: int = 0,
    ) -> list[JobRow]:
        batch_id = self.create_batch(name, project=project, varied_slot=varied_slot)
        return [
            await self.submit(s, project=project, priority=priority, batch_id=batch_id)
            for s in specs
        ]

    # ---- queue control -------------------------------------------------------------------

    def pause(self, reason: str = "paused by you") -> None:
        self.paused, self.pause_reason = True, reason
        self.bus.emit(QueueState(True, reason))

    def resume(self) -> None:
        self.paused, self.pause_reason = False, ""
        self.bus.emit(QueueState(False, ""))
        self._wake_submit.set()

    def move(self, job_ids: Sequence[int], *, to_top: bool) -> None:
        with self.store.db.write() as tx:
            self.store.jobs.move(tx, job_ids, to_top=to_top, at=self.clock.wall())
        for job_id in job_ids:
            self.bus.emit(JobChanged(job_id, JobStatus.QUEUED.value, frozenset({"queue_pos"})))

    def set_priority(self, job_ids: Sequence[int], priority: int) -> None:
        with self.store.db.write() as tx:
            for job_id in job_ids:
                self.store.jobs.update(tx, job_id, at=self.clock.wall(), priority=priority)
        for job_id in job_ids:
            self.bus.emit(JobChanged(job_id, JobStatus.QUEUED.value, frozenset({"priority"})))

    async def cancel(self, job_ids: Iterable[int]) -> None:
        for job in self.store.jobs.many(job_ids):
            if job.status.finished:
                continue
            detail = "removed from the queue"
            if job.remote_id and job.status in ACTIVE:
                try:
                    await self.provider.cancel(job.remote_id)
                    detail = "cancelled at the provider"
                except Unsupported:
                    detail = "the provider cannot cancel; polling stopped (it may still bill)"
                except ProviderError as err:
                    detail = f"cancel at the provider failed ({err}); polling stopped"
            elif job.status is not JobStatus.QUEUED:
                detail = "cancelled"
            self._finish(job.id, JobStatus.CANCELLED, FailureClass.CANCELLED, None, detail)

    async def retry(self, job_id: int) -> JobRow:
        """A new attempt of a failed job (same spec, linked to it), or for a clip that failed
        to save or timed out while the provider still has it, the download or poll again."""
        job = self.store.jobs.get(job_id)
        if job is None or job.status in (JobStatus.READY,) or not job.status.finished:
            raise StudioError("Only a failed, cancelled or expired job can be retried.")
        if job.remote_id and job.failure_class in (FailureClass.STORAGE, FailureClass.TIMEOUT):
            return await self.reconcile(job_id)
        if job.failure_class is FailureClass.TRANSPORT and job.remote_id is None:
            found = await self._find_lost([job])  # the create may have arrived after all
            if job.id in found:
                self._set(
                    job.id,
                    JobStatus.SUBMITTING,
                    detail="retry: checking the provider",
                    failure_class=None,
                    failure_code=None,
                    failure_message=None,
                    finished_at=None,
                )
                fresh = self.store.jobs.get(job.id)
                assert fresh is not None
                self._adopt(fresh, found[job.id], "found at the provider on retry")
                return self.store.jobs.get(job.id) or fresh
        spec = spec_from_json(job.spec_json, self.library)
        attempt = job.attempt + 1
        while self.store.jobs.alive_with_key(spec.idempotency_key(attempt)) is not None:
            attempt += 1
        return await self.submit(
            spec,
            project=job.project,
            priority=job.priority,
            batch_id=job.batch_id,
            parent_id=job.id,
            render_again=attempt,
        )

    async def reconcile(self, job_id: int) -> JobRow:
        """Ask the provider about a job again (after a timeout or a failed save)."""
        job = self.store.jobs.get(job_id)
        assert job is not None
        assert job.remote_id is not None
        remote = await self.provider.retrieve(job.remote_id)
        now = self.clock.wall()
        self._set(
            job.id,
            JobStatus.RUNNING,
            detail="reconciled",
            failure_class=None,
            failure_code=None,
            failure_message=None,
            finished_at=None,
            deadline_at=now + self.config.job_deadline,
        )
        fresh = self.store.jobs.get(job.id)
        assert fresh is not None
        self._apply(fresh, remote)
        self._wake_poll.set()
        result = self.store.jobs.get(job.id)
        assert result is not None
        return result

    async def wait_finished(self, job_ids: Iterable[int]) -> list[JobRow]:
        """Return once every job has finished (ready, failed, cancelled or expired)."""
        ids = list(job_ids)
        while True:
            jobs = self.store.jobs.many(ids)
            if all(j.status.finished for j in jobs):
                return jobs
            await asyncio.sleep(0.2)

    # ---- submitting ----------------------------------------------------------------------

    async def _scheduler(self) -> None:
        while True:
            await _wait(self._wake_submit, 1.0)
            if self.paused:
                continue
            free = self.config.max_concurrent - self.store.jobs.count(*ACTIVE, provider=self.key)
            if free <= 0:
                continue
            for job in self.store.jobs.queued(self.key, free):
                if job.id not in self._submitting:
                    self._submitting.add(job.id)
                    self._spawn(self._submit_one(job))

    async def _submit_one(self, job: JobRow) -> None:
        try:
            now = self.clock.wall()
            self._set(
                job.id,
                JobStatus.SUBMITTING,
                submitted_at=now,
                deadline_at=now + self.config.job_deadline,
            )
            try:
                spec = spec_from_json(job.spec_json, self.library)
            except OSError as err:
                self._finish(
                    job.id,
                    JobStatus.FAILED,
                    FailureClass.STORAGE,
                    None,
                    f"The reference image is missing from the library: {err}",
                )
                return
            try:
                # Where lost creates can be looked up, never resend one blindly.
                remote = await self.provider.create(
                    spec, job.idem_key, retry_unsure=not self.provider.supports_list
                )
            except AuthError as err:  # nothing was created; the key must be fixed first
                self._set(job.id, JobStatus.QUEUED, detail="waiting for a valid API key")
                self._on_auth_failure(err)
            except (RequestError, SpecError) as err:
                code = err.code if isinstance(err, ProviderError) else None
                self._finish(job.id, JobStatus.FAILED, FailureClass.REQUEST, code, str(err))
            except TransportError as err:  # the create may have arrived: look before resending
                self._health(False, str(err))
                self._outages[job.id] += 1
                self._spawn(self._reconcile([job], delay=self.config.outage_pause, last_error=err))
            else:
                self._health(True, "")
                self._adopt(job, remote, "submitted")
        finally:
            self._submitting.discard(job.id)
            self._wake_submit.set()

    async def _reconcile(
        self,
        jobs: list[JobRow],
        *,
        delay: float = 0.0,
        last_error: TransportError | None = None,
    ) -> None:
        """Jobs stuck in `submitting`: adopt the provider's job if it exists, else resend."""
        if delay:
            await asyncio.sleep(delay)
        try:
            found = await self._find_lost(jobs)
        except AuthError as err:
            self._on_auth_failure(err)
            self._spawn(self._reconcile(jobs, delay=self.config.outage_pause))
            return
        except TransportError as err:  # cannot look: count it as another failed round
            self._health(False, str(err))
            for job in jobs:
                self._outages[job.id] += 1
            jobs = [j for j in jobs if not self._give_up_submit(j.id, err)]
            if jobs:
                self._spawn(self._reconcile(jobs, delay=self.config.outage_pause, last_error=err))
            return
        for job in jobs:
            current = self.store.jobs.get(job.id)
            if current is None or current.status is not JobStatus.SUBMITTING:
                continue
            if job.id in found:
                self._adopt(current, found[job.id], "found at the provider after an interruption")
            elif last_error is None or not self._give_up_submit(job.id, last_error):
                self._set(job.id, JobStatus.QUEUED, detail="not at the provider; will resend")
        self._wake_submit.set()

    def _give_up_submit(self, job_id: int, err: TransportError) -> bool:
        if self._outages[job_id] < self.config.submit_rounds:
            return False
        self._outages.pop(job_id, None)
        self._finish(
            job_id,
            JobStatus.FAILED,
            FailureClass.TRANSPORT,
            str(err.status) if err.status else None,
            f"{err}. Retry checks the provider for this job before sending it again.",
        )
        return True

    async def _find_lost(self, jobs: list[JobRow]) -> dict[int, RemoteJob]:
        if not self.provider.supports_list:
            return {}
        since = min(j.submitted_at or j.created_at for j in jobs) - self.config.reconcile_window
        claimed = self.store.jobs.claimed_remote_ids(self.key)
        candidates = [r for r in await self.provider.recent(since) if r.id not in claimed]
        candidates.sort(key=lambda r: r.created_at or 0.0)
        profiles = await self.models()
        found: dict[int, RemoteJob] = {}
        for job in sorted(jobs, key=lambda j: j.submitted_at or j.created_at):
            spec = spec_from_json(job.spec_json, self.library)
            width, height = profiles.get(spec.model).output_size(spec)
            want = (
                spec.model,
                " ".join(spec.prompt.split()),
                str(spec.seconds),
                f"{width}x{height}",
            )
            for remote in candidates:
                have = (
                    remote.model,
                    " ".join(str(remote.extra.get("prompt", "")).split()),
                    str(remote.extra.get("seconds")),
                    str(remote.extra.get("size")),
                )
                if have == want:
                    found[job.id] = remote
                    candidates.remove(remote)
                    break
        return found

    def _adopt(self, job: JobRow, remote: RemoteJob, detail: str) -> None:
        current = self.store.jobs.get(job.id)
        if current is not None and current.status is JobStatus.CANCELLED:
            self._spawn(self._cancel_remote(remote.id))  # cancelled while the create was out
            return
        self._outages.pop(job.id, None)
        self._set(job.id, JobStatus.SUBMITTED, detail=detail, remote_id=remote.id)
        fresh = self.store.jobs.get(job.id)
        assert fresh is not None
        self._apply(fresh, remote)
        self._wake_poll.set()

    async def _cancel_remote(self, remote_id: str) -> None:
        try:
            await self.provider.cancel(remote_id)
        except ProviderError as err:
            log.info("could not cancel %s at the provider: %s", remote_id, err)

    # ---- polling -------------------------------------------------------------------------

    async def _poller(self) -> None:
        while True:
            jobs = self.store.jobs.with_status(
                JobStatus.SUBMITTED, JobStatus.RUNNING, provider=self.key
            )
            now = self.clock.wall()
            live = []
            for job in jobs:
                if job.deadline_at is not None and now > job.deadline_at:
                    self._finish(
                        job.id,
                        JobStatus.FAILED,
                        FailureClass.TIMEOUT,
                        None,
                        f"No result within {self.config.job_deadline / 60:.0f} min; "
                        "retry checks the provider again.",
                    )
                else:
                    live.append(job)
            if not live:
                await _wait(self._wake_poll, 5.0)
                continue
            due = [j for j in live if self._next_poll.get(j.id, 0.0) <= now]
            if not due:
                wait = min(self._next_poll.get(j.id, now) for j in live) - now
                await _wait(self._wake_poll, max(0.05, wait))
                continue
            asked = live if self.provider.supports_list else due  # one list covers them all
            wait_after = await self._poll(asked)
            if wait_after:
                await _wait(self._wake_poll, wait_after)

    async def _poll(self, jobs: list[JobRow]) -> float:
        ids = [j.remote_id for j in jobs if j.remote_id]
        try:
            states = await self.provider.status(ids)
        except AuthError as err:
            self._on_auth_failure(err)
            return self.config.poll.slowest
        except TransportError as err:
            self._health(False, str(err))
            return err.retry_after or self.config.outage_pause
        self._health(True, "")
        profiles = await self.models()
        now = self.clock.wall()
        for job in jobs:
            remote = states.get(job.remote_id or "")
            if remote is None:
                self._finish(
                    job.id,
                    JobStatus.FAILED,
                    FailureClass.REQUEST,
                    "not_found",
                    f"The provider no longer knows job {job.remote_id} (deleted?).",
                )
                continue
            self._apply(job, remote)
            typical = (
                profiles.get(job.model).typical_render_seconds if job.model in profiles else 60.0
            )
            elapsed = now - (job.submitted_at or now)
            self._next_poll[job.id] = now + self.config.poll.interval(
                elapsed, remote.progress, typical
            )
        return 0.0

    def _apply(self, job: JobRow, remote: RemoteJob) -> None:
        """Bring the row in line with what the provider says."""
        now = self.clock.wall()
        if remote.status in (RemoteStatus.QUEUED, RemoteStatus.RUNNING):
            status = JobStatus.RUNNING if remote.status is RemoteStatus.RUNNING else job.status
            if status is not job.status:
                self._set(job.id, status, progress=remote.progress)
            elif remote.progress != job.progress:
                self._update(job.id, progress=remote.progress)
        elif remote.status is RemoteStatus.COMPLETED:
            self._set(
                job.id,
                JobStatus.DOWNLOADING,
                progress=100,
                remote_done_at=remote.completed_at or now,
                expires_at=remote.expires_at,
                actual_cost=remote.cost if remote.cost is not None else job.actual_cost,
            )
            self._next_poll.pop(job.id, None)
            fresh = self.store.jobs.get(job.id)
            if fresh is not None:
                self._enqueue_download(fresh)
            self._check_budget(job.project)
        elif remote.status is RemoteStatus.FAILED:
            error = remote.error
            kind = (
                FailureClass.POLICY
                if error and error.kind is FailureKind.POLICY
                else FailureClass.RENDER
            )
            self._finish(
                job.id,
                JobStatus.FAILED,
                kind,
                error.code if error else None,
                error.message if error else "The render failed.",
                cost=remote.cost,
            )
        elif remote.status is RemoteStatus.CANCELLED:
            self._finish(
                job.id,
                JobStatus.CANCELLED,
                FailureClass.CANCELLED,
                None,
                "Cancelled by the provider.",
            )
        elif remote.status is RemoteStatus.EXPIRED:
            self._expired(job.id, remote.expires_at)

    # ---- downloading ---------------------------------------------------------------------

    def _enqueue_download(self, job: JobRow) -> None:
        if job.id in self._queued_downloads:
            return
        self._queued_downloads.add(job.id)
        # Soonest expiry first: a clip about to vanish jumps the queue.
        self._downloads.put_nowait((job.expires_at or float("inf"), job.id))

    async def _downloader(self) -> None:
        while True:
            _, job_id = await self._downloads.get()
            self._queued_downloads.discard(job_id)
            job = self.store.jobs.get(job_id)
            if job is not None and job.status is JobStatus.DOWNLOADING and job.remote_id:
                await self._download(job)

    async def _download(self, job: JobRow) -> None:
        assert job.remote_id is not None
        now = self.clock.wall()
        if job.expires_at is not None and job.expires_at <= now:
            self._expired(job.id, job.expires_at)
            return
        folder = job_folder(self.library, job.id)
        try:
            video = await save_variant(
                self.provider, job.remote_id, "video", folder / FILE_NAMES["video"]
            )
        except NotFound:
            self._expired(job.id, job.expires_at)
            return
        except StorageFailed as err:
            until = f" until {_clock_time(job.expires_at)}" if job.expires_at else ""
            self._finish(
                job.id,
                JobStatus.FAILED,
                FailureClass.STORAGE,
                "storage",
                f"{err} The clip stays at the provider{until}; retry downloads it "
                "again without a new render.",
            )
            return
        except AuthError as err:
            self._on_auth_failure(err)
            self._spawn(self._later(self.config.outage_pause, self._requeue(job.id)))
            return
        except (TransportError, NotAVideo) as err:
            self._outages[job.id] += 1
            if self._outages[job.id] >= self.config.download_rounds:
                self._finish(
                    job.id,
                    JobStatus.FAILED,
                    FailureClass.TRANSPORT,
                    None,
                    f"Download failed: {err}",
                )
            else:
                self._spawn(self._later(self.config.outage_pause, self._requeue(job.id)))
            return
        saved = [("video", video)]
        for variant in self.provider.variants:
            if variant == "video":
                continue
            try:
                extra = await save_variant(
                    self.provider, job.remote_id, variant, folder / FILE_NAMES[variant]
                )
            except (ProviderError, NotAVideo, StorageFailed) as err:
                log.info("job %s: no %s (%s)", job.id, variant, err)
                continue
            saved.append((variant, extra))
        current = self.store.jobs.get(job.id)
        if current is None or current.status is not JobStatus.DOWNLOADING:
            return  # cancelled meanwhile; the files stay, unreferenced rows are not made
        now = self.clock.wall()
        with self.store.db.write() as tx:
            for kind, item in saved:
                self.store.assets.add(
                    tx,
                    job_id=job.id,
                    kind=kind,
                    path=str(item.path.relative_to(self.library)),
                    sha256=item.sha256,
                    size=item.size,
                    duration=item.duration,
                    at=now,
                )
            self.store.jobs.transition(tx, job.id, JobStatus.READY, at=now, detail="downloaded")
        self._outages.pop(job.id, None)
        self.bus.emit(JobChanged(job.id, JobStatus.READY.value, frozenset({"status", "assets"})))
        for kind, item in saved:
            self.bus.emit(AssetReady(job.id, kind, str(item.path)))

    async def _requeue(self, job_id: int) -> None:
        job = self.store.jobs.get(job_id)
        if job is not None and job.status is JobStatus.DOWNLOADING:
            self._enqueue_download(job)

    async def _later(self, delay: float, then: Awaitable[None]) -> None:
        await asyncio.sleep(delay)
        await then

    def _expired(self, job_id: int, expires_at: float | None) -> None:
        when = f" at {_clock_time(expires_at)}" if expires_at else ""
        self._finish(
            job_id,
            JobStatus.EXPIRED,
            FailureClass.EXPIRED,
            "expired",
            f"The provider's copy expired{when} before it was downloaded.",
        )

    # ---- bookkeeping ---------------------------------------------------------------------

    def _set(
        self, job_id: int, status: JobStatus, *, detail: str | None = None, **values: Any
    ) -> None:
        with self.store.db.write() as tx:
            self.store.jobs.transition(
                tx, job_id, status, at=self.clock.wall(), detail=detail, **values
            )
        self.bus.emit(JobChanged(job_id, status.value, frozenset({"status", *values})))

    def _update(self, job_id: int, **values: Any) -> None:
        with self.store.db.write() as tx:
            self.store.jobs.update(tx, job_id, at=self.clock.wall(), **values)
        job = self.store.jobs.get(job_id)
        status = job.status.value if job else ""
        self.bus.emit(JobChanged(job_id, status, frozenset(values)))

    def _finish(
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
        self._next_poll.pop(job_id, None)
        self._set(job_id, status, detail=message, **values)
        self._wake_submit.set()

    def _check_budget(self, project: str) -> None:
        with self.store.db.write() as tx:
            alerts = self.budget.crossed(tx, project, self.clock.wall())
        self._emit_alerts(alerts)

    def _emit_alerts(self, alerts: list[Any]) -> None:
        for usage, threshold in alerts:
            self.bus.emit(
                BudgetThreshold(usage.scope, usage.key, threshold, usage.spent, usage.cap)
            )

    def _on_auth_failure(self, err: AuthError) -> None:
        self._health(False, str(err))
        if not self.paused:
            self.pause(f"The provider refused the API key: {err}")

    def _health(self, ok: bool, message: str) -> None:
        if ok and self._healthy is True:
            return
        self._healthy = ok
        self.bus.emit(ProviderHealth(self.key, ok, message))

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("engine task failed", exc_info=task.exception())


async def _wait(event: asyncio.Event, seconds: float) -> None:
    """Wait for `event` or `seconds`. (Not `wait_for`: on 3.11 it can swallow a cancel.)"""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
    event.clear()


def _write_once(path: Path, data: bytes) -> None:
    if path.exists() and path.stat().st_size == len(data):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


def _clock_time(ts: float | None) -> str:
    import datetime as dt

    if ts is None:
        return "?"
    return dt.datetime.fromtimestamp(ts).astimezone().strftime("%Y-%m-%d %H:%M")
