"""The job engine: queue → submit → poll → download, persisted at every step.

Every state lives in the store; the engine keeps only timers and in-flight task handles, so a
crash at any moment loses nothing. On start it sweeps partial downloads, restarts downloads,
resumes polling, and reconciles jobs caught mid-submit (looks for them at the provider before
anything is sent again), so no render is paid for twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from studio.errors import LibraryBusy, SpecError, StorageError, StudioError
from studio.jobs.budget import BudgetGuard, Usage
from studio.jobs.download import sweep_parts
from studio.jobs.downloader import Downloader
from studio.jobs.events import EventBus, JobChanged, QueueState
from studio.jobs.intake import Intake
from studio.jobs.ledger import Ledger, Tasks, wait_event
from studio.jobs.poller import Poller
from studio.jobs.polling import PollSchedule
from studio.jobs.requests import Queued, RenderRequest
from studio.jobs.specs import render_spec
from studio.jobs.storage_guard import StorageGuard
from studio.providers.base import Provider
from studio.providers.clock import Clock, SystemClock
from studio.providers.errors import (
    AuthError,
    ProviderError,
    RequestError,
    TransportError,
    Unsupported,
)
from studio.providers.profiles import ProfileSet
from studio.providers.types import RemoteJob, RenderSpec
from studio.store import FailureClass, JobRow, JobStatus, Store
from studio.store.lock import Holder, LibraryLock

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
    storage_wait: float = 2.0  # first wait before probing a library that could not be written


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
        lock: bool = True,
    ) -> None:
        self.store = store
        # One engine per library (see store/lock.py); tests of the claim itself turn it off.
        self.library_lock = LibraryLock(store.db.path) if lock else None
        self.provider = provider
        self.key = provider_key
        self.library = library
        self.config = config or EngineConfig()
        self.clock = clock or SystemClock()
        self.bus = bus or EventBus()
        self.budget = budget or BudgetGuard(store)
        self.paused = False
        self.pause_reason = ""
        self.auth_error: AuthError | None = None  # the provider refused the key (paused)
        self.ledger = Ledger(store, self.bus, self.clock, self.budget, provider_key)
        self.storage = StorageGuard(
            self._probe_storage, self._storage_changed, first_wait=self.config.storage_wait
        )
        self._paused_for_storage = False
        self.tasks = Tasks(on_error=self._task_failed)
        self.downloader = Downloader(
            self.ledger,
            provider,
            library,
            self.tasks,
            rounds=self.config.download_rounds,
            pause=self.config.outage_pause,
            on_auth_failure=self._on_auth_failure,
            on_storage_failure=self.storage.failed,
        )
        self.poller = Poller(
            self.ledger,
            provider,
            self.downloader,
            schedule=self.config.poll,
            deadline=self.config.job_deadline,
            outage_pause=self.config.outage_pause,
            models=self.models,
            on_auth_failure=self._on_auth_failure,
        )
        self.ledger.on_finished.append(lambda _job_id: self._wake_submit.set())
        self._profiles: ProfileSet | None = None
        self._wake_submit = asyncio.Event()
        self._submitting: set[int] = set()
        self._outages: Counter[int] = Counter()
        self._loops: list[asyncio.Task[None]] = []
        self.intake = Intake(
            store,
            provider_key=provider_key,
            library=library,
            clock=self.clock,
            bus=self.bus,
            budget=self.budget,
            ledger=self.ledger,
            models=self.models,
            wake=self._wake_submit.set,
        )

    # ---- lifecycle -----------------------------------------------------------------------

    def claim_library(self) -> Holder | None:
        """Take the library for this engine; None when taken, else who has it."""
        return self.library_lock.try_acquire() if self.library_lock is not None else None

    async def start(self) -> None:
        """Pick up where the last run stopped, then run the scheduler, poller, downloaders."""
        holder = self.claim_library()
        if holder is not None:
            raise LibraryBusy(
                f"The library {self.store.db.path.parent} is in use by {holder}; it can be "
                "reviewed, and rendering here waits until that finishes."
            )
        swept = sweep_parts(self.library)
        if swept:
            log.info("removed %d partial download(s) left by a crash", swept)
        self._pick_up()
        keep = self.storage.keep_running
        self._loops = [
            asyncio.create_task(keep(self._scheduler), name="scheduler"),
            asyncio.create_task(keep(self.poller.run), name="poller"),
            *(
                asyncio.create_task(keep(self.downloader.run), name=f"download-{i}")
                for i in range(self.config.download_workers)
            ),
        ]

    def _pick_up(self) -> None:
        """Carry on with what was under way: downloads (a clip already saved is adopted, not
        fetched again) and submits whose outcome is unknown (looked up before any resend)."""
        for job in self.store.jobs.with_status(JobStatus.DOWNLOADING, provider=self.key):
            self.downloader.enqueue(job)
        lost = [
            job
            for job in self.store.jobs.with_status(JobStatus.SUBMITTING, provider=self.key)
            if job.id not in self._submitting
        ]
        if lost:
            self.tasks.spawn(self._reconcile(lost))

    async def stop(self) -> None:
        for task in self._loops:
            task.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        self._loops.clear()
        await self.tasks.cancel_all()
        self.storage.stop()
        if self.library_lock is not None:
            self.library_lock.release()

    async def models(self) -> ProfileSet:
        if self._profiles is not None:
            return self._profiles
        profiles = await self.provider.models()
        if not profiles.provisional:  # a stand-in while offline is asked again next time
            self._profiles = profiles
        return profiles

    # ---- queueing ------------------------------------------------------------------------

    def create_batch(
        self, name: str, *, project: str = "default", varied_slot: str | None = None
    ) -> int:
        return self.intake.create_batch(name, project=project, varied_slot=varied_slot)

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
        """Queue one render (see `Intake.submit`)."""
        return await self.intake.submit(
            request,
            project=project,
            priority=priority,
            batch_id=batch_id,
            parent_id=parent_id,
            again=again,
            retry_of=retry_of,
            line_key=line_key,
        )

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
        """Queue a group of renders, all or none (see `Intake.submit_batch`)."""
        return await self.intake.submit_batch(
            requests,
            name=name,
            project=project,
            varied_slot=varied_slot,
            priority=priority,
            parent_id=parent_id,
            again=again,
        )

    # ---- queue control -------------------------------------------------------------------

    def wake(self) -> None:
        """Look at the queue now (a limit changed, a key was fixed)."""
        self._wake_submit.set()

    def pause(self, reason: str = "paused by you", *, storage: bool = False) -> None:
        self.paused, self.pause_reason = True, reason
        self._paused_for_storage = storage
        self.bus.emit(QueueState(True, reason, storage))

    def resume(self) -> None:
        self.paused, self.pause_reason = False, ""
        self._paused_for_storage = False
        self.auth_error = None
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
            self.ledger.finish(job.id, JobStatus.CANCELLED, FailureClass.CANCELLED, None, detail)

    async def retry(self, job_id: int) -> JobRow:
        """Retry a finished job that did not give a clip:
        - a clip that failed to save, or a job that timed out, while the provider still has
          it: the download or the poll again (the same job);
        - a create whose reply was lost (no remote id): looked up at the provider, adopted
          if it is there, else sent again with the same Idempotency-Key (the same job);
        - a render that failed, was refused, expired or was cancelled: a new submission with
          a new key, linked to this one by `retry_of` (not lineage: it is the same take)."""
        job = self.store.jobs.get(job_id)
        if job is None or job.status is JobStatus.READY or not job.status.finished:
            raise StudioError("Only a failed, cancelled or expired job can be retried.")
        if job.remote_id and job.failure_class in (FailureClass.STORAGE, FailureClass.TIMEOUT):
            return await self.reconcile(job_id)
        if job.failure_class is FailureClass.TRANSPORT and job.remote_id is None:
            found = await self._find_lost([job])  # the create may have arrived after all
            if job.id in found:
                self.ledger.reopen(job.id, JobStatus.SUBMITTING, "retry: found at the provider")
                fresh = self.store.jobs.get(job.id)
                assert fresh is not None
                self._adopt(fresh, found[job.id], "found at the provider on retry")
            else:  # never arrived: the same submission again, under the same key
                self.ledger.reopen(job.id, JobStatus.QUEUED, "retry: sending again, same key")
                self._wake_submit.set()
            return self.store.jobs.get(job.id) or job
        spec = render_spec(job.spec, self.library)
        return await self.submit(
            RenderRequest(spec, job.spec.slots, job.spec.variant, job.spec.reference_fit),
            project=job.project,
            priority=job.priority,
            batch_id=job.batch_id,
            parent_id=job.parent_id,
            again=True,
            retry_of=job.id,
            line_key=job.line_key,
        )

    def refetch(self, job_id: int) -> JobRow | None:
        """A ready take whose clip is gone from the library is downloaded again while the
        provider still has it — unless a person deleted it on purpose."""
        job = self.store.jobs.get(job_id)
        if (
            job is None
            or job.status is not JobStatus.READY
            or not job.remote_id
            or self.store.assets.deleted_on_purpose(job.id)
        ):
            return job
        self.ledger.reopen(
            job.id, JobStatus.DOWNLOADING, "the clip is missing from the library: fetching it"
        )
        fresh = self.store.jobs.get(job.id)
        if fresh is not None:
            self.downloader.enqueue(fresh)
        return fresh

    async def reconcile(self, job_id: int) -> JobRow:
        """Ask the provider about a job again (after a timeout or a failed save)."""
        job = self.store.jobs.get(job_id)
        assert job is not None
        assert job.remote_id is not None
        remote = await self.provider.retrieve(job.remote_id)
        now = self.clock.wall()
        self.ledger.reopen(
            job.id, JobStatus.RUNNING, "reconciled", deadline_at=now + self.config.job_deadline
        )
        fresh = self.store.jobs.get(job.id)
        assert fresh is not None
        self.poller.apply(fresh, remote)
        self.poller.wakeup.set()
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
            await wait_event(self._wake_submit, 1.0)
            if self.paused:
                continue
            free = self.config.max_concurrent - self.store.jobs.count(*ACTIVE, provider=self.key)
            if free <= 0:
                continue
            going: list[tuple[str, float]] = []  # on their way out, not yet claimed
            sent: dict[str, list[Usage]] = {}  # per project: read once a pass, not per job
            now = self.clock.wall()
            for job in self.store.jobs.queued(self.key, free):
                if job.id in self._submitting:
                    going.append((job.project, job.estimated_cost or 0.0))
                    continue
                if job.project not in sent:
                    sent[job.project] = self.budget.usages(job.project, now, sent_only=True)
                if self._held(job, sent[job.project], going):
                    continue
                self._submitting.add(job.id)
                going.append((job.project, job.estimated_cost or 0.0))
                self.tasks.spawn(self._submit_one(job))

    def _held(self, job: JobRow, sent: list[Usage], going: list[tuple[str, float]]) -> bool:
        """The budget checked again as the job would go out; its row says why it waits."""
        reason = self.budget.hold_reason(sent, job.project, job.estimated_cost or 0.0, going)
        if reason != job.failure_message and (reason or job.failure_message or "").startswith(
            "held: "
        ):
            self.ledger.update(job.id, JobStatus.QUEUED, failure_message=reason)
        return reason is not None

    async def _submit_one(self, job: JobRow) -> None:
        try:
            now = self.clock.wall()
            # Compare-and-set: only a row still queued is claimed, so two engines (or a
            # cancel in between) can never send one job twice.
            if not self.ledger.claim(
                job.id,
                submitted_at=now,
                deadline_at=now + self.config.job_deadline,
                failure_message=None,  # a "held: budget" note no longer applies
            ):
                return
            try:
                spec = render_spec(job.spec, self.library)
            except OSError as err:
                self.ledger.finish(
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
                self.ledger.set(job.id, JobStatus.QUEUED, detail="waiting for a valid API key")
                self._on_auth_failure(err)
            except (RequestError, SpecError) as err:
                code = err.code if isinstance(err, ProviderError) else None
                self.ledger.finish(job.id, JobStatus.FAILED, FailureClass.REQUEST, code, str(err))
            except TransportError as err:  # the create may have arrived: look before resending
                self.ledger.health(False, str(err))
                self._outages[job.id] += 1
                self.tasks.spawn(
                    self._reconcile([job], delay=self.config.outage_pause, last_error=err)
                )
            else:
                self.ledger.health(True, "")
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
            self.tasks.spawn(self._reconcile(jobs, delay=self.config.outage_pause))
            return
        except TransportError as err:  # cannot look: count it as another failed round
            self.ledger.health(False, str(err))
            for job in jobs:
                self._outages[job.id] += 1
            jobs = [j for j in jobs if not self._give_up_submit(j.id, err)]
            if jobs:
                self.tasks.spawn(
                    self._reconcile(jobs, delay=self.config.outage_pause, last_error=err)
                )
            return
        for job in jobs:
            current = self.store.jobs.get(job.id)
            if current is None or current.status is not JobStatus.SUBMITTING:
                continue
            if job.id in found:
                self._adopt(current, found[job.id], "found at the provider after an interruption")
            elif last_error is None or not self._give_up_submit(job.id, last_error):
                self.ledger.set(job.id, JobStatus.QUEUED, detail="not at the provider; will resend")
        self._wake_submit.set()

    def _give_up_submit(self, job_id: int, err: TransportError) -> bool:
        if self._outages[job_id] < self.config.submit_rounds:
            return False
        self._outages.pop(job_id, None)
        self.ledger.finish(
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
            spec = render_spec(job.spec, self.library)
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
            self.tasks.spawn(self._cancel_remote(remote.id))  # cancelled while the create was out
            return
        self._outages.pop(job.id, None)
        self.ledger.set(job.id, JobStatus.SUBMITTED, detail=detail, remote_id=remote.id)
        fresh = self.store.jobs.get(job.id)
        assert fresh is not None
        self.poller.apply(fresh, remote)
        self.poller.wakeup.set()

    @property
    def storage_error(self) -> StorageError | None:
        """Why the library cannot be written now (rendering waits), if it cannot."""
        return self.storage.error

    def _task_failed(self, err: BaseException) -> bool:
        if isinstance(err, StorageError):
            self.storage.failed(err)
            return True
        return False

    def _storage_changed(self, err: StorageError | None) -> None:
        if err is not None:
            if not self.paused:  # a pause of the person's own is left as it is
                self.pause(str(err), storage=True)
            return
        if self._paused_for_storage:
            self.resume()
        self._pick_up()

    def _probe_storage(self) -> None:
        """Raise while the library cannot take a little more: the database (a write that is
        rolled back) and the clips folder (1 MiB written, synced and removed)."""
        self.store.db.probe_space()
        folder = self.library / "clips"
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".space-probe"
        try:
            with probe.open("wb") as fh:
                fh.write(bytes(1 << 20))
                fh.flush()
                os.fsync(fh.fileno())
        finally:
            probe.unlink(missing_ok=True)

    def _on_auth_failure(self, err: AuthError) -> None:
        """A refused key stops new submissions until the user fixes it; nothing fails."""
        self.auth_error = err
        self.ledger.health(False, str(err))
        if not self.paused:
            self.pause(f"The provider refused the API key: {err}")

    async def _cancel_remote(self, remote_id: str) -> None:
        try:
            await self.provider.cancel(remote_id)
        except ProviderError as err:
            log.info("could not cancel %s at the provider: %s", remote_id, err)
