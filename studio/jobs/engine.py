"""The job engine: queue → submit → poll → download, persisted at every step.

Every state lives in the store; the engine keeps only timers and in-flight task handles, so a
crash at any moment loses nothing. It holds a lease in the library (see `leases.py`) and
touches only the jobs that name it; on start, and as it runs, it takes over the jobs of
engines that died: downloads restart, polls resume, and creates caught mid-send take the
unsure path (see `unsure.py`), so no render is paid for twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core.clock import Clock, SystemClock
from studio.core.errors import LibraryBusy, SpecError, StorageError, StudioError
from studio.jobs.budget import BudgetGuard, Usage
from studio.jobs.clip_files import sweep_parts
from studio.jobs.downloader import Downloader
from studio.jobs.events import EventBus, JobChanged, QueueState
from studio.jobs.intake import Intake
from studio.jobs.leases import BEAT, TTL, EngineLease, held_by_others
from studio.jobs.ledger import Ledger, Tasks, wait_event
from studio.jobs.poll_schedule import PollSchedule
from studio.jobs.poller import Poller
from studio.jobs.storage_guard import StorageGuard
from studio.jobs.unsure import UnsureCreates
from studio.providers.base import Provider
from studio.providers.errors import (
    AuthError,
    KeyMissing,
    ProviderError,
    RequestError,
    TransportError,
    Unsupported,
)
from studio.providers.profiles import ProfileSet
from studio.providers.types import MAX_DOWNLOAD_BYTES, RemoteJob
from studio.store import FailureClass, JobRow, JobStatus, Store
from studio.store.layout import read_reference
from studio.store.lock import Holder, LibraryLock, command_line

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
    # A person chose "resend unsure creates automatically (may pay twice)" for this provider.
    resend_unsure: bool = False
    max_download_bytes: int = MAX_DOWNLOAD_BYTES
    lease_beat: float = BEAT
    lease_ttl: float = TTL
    stop_grace: float = 15.0  # how long `stop` lets creates in flight be answered
    # After a create's reply was lost, how long the job it may have made can take to show
    # in the provider's list: missing before then it may yet appear, so it is not sent
    # again. (STUDIO_CREATE_WINDOW overrides it: the benchmarks' simulator lists a job
    # the moment it is made.)
    create_window: float = field(default_factory=lambda: _seconds("STUDIO_CREATE_WINDOW", 30.0))


def _seconds(variable: str, default: float) -> float:
    try:
        value = float(os.environ.get(variable, default))
    except ValueError:
        return default
    return value if 0 <= value < 86_400 else default


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
        lock: bool | LibraryLock = True,
        holder: str = "",
        origin: str = "",
    ) -> None:
        self.store = store
        # One engine per library (see store/lock.py): its own lock, or one the caller holds
        # already; tests of the lease itself turn it off.
        self.library_lock = (
            lock if isinstance(lock, LibraryLock) else LibraryLock(store.db.path) if lock else None
        )
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
        self.lease = EngineLease(
            store,
            self.clock,
            provider=provider_key,
            holder=holder or command_line(),
            ttl=self.config.lease_ttl,
        )
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
            on_auth_failure=self.on_auth_failure,
            on_storage_failure=self.storage.failed,
            max_bytes=lambda: self.config.max_download_bytes,
            lease=lambda: self.lease.id or -1,
        )
        self.poller = Poller(
            self.ledger,
            provider,
            self.downloader,
            schedule=self.config.poll,
            deadline=self.config.job_deadline,
            outage_pause=self.config.outage_pause,
            models=self.models,
            on_auth_failure=self.on_auth_failure,
            lease=lambda: self.lease.id or -1,
        )
        self.unsure = UnsureCreates(self)
        self.ledger.on_finished.append(self._finished)
        self._profiles: ProfileSet | None = None
        self._wake_submit = asyncio.Event()
        self._submitting: set[int] = set()
        self._creates: set[asyncio.Future[Any]] = set()
        self._cooling: dict[int, float] = {}  # job id → not sent again before (monotonic)
        self.outages: dict[int, int] = {}  # job id → provider outages while sending it
        self._hold_until = 0.0  # monotonic: no new sends before (after a failed create)
        self._loops: list[asyncio.Task[None]] = []
        self._scheduling: asyncio.Task[None] | None = None
        self.scheduler_passes = 0  # looks at the queue so far (a test can wait for one)
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
            origin=origin,
        )
        # Queueing is the intake's (one signature, one place): what is queued is persisted
        # before anything is sent, and the scheduler woken.
        self.submit = self.intake.submit
        self.submit_batch = self.intake.submit_batch
        self.create_batch = self.intake.create_batch

    def _finished(self, job_id: int) -> None:
        self._cooling.pop(job_id, None)
        self._wake_submit.set()

    # ---- lifecycle -----------------------------------------------------------------------

    def claim_library(self) -> Holder | None:
        """Take the library for this engine; None when taken, else who has it."""
        if self.library_lock is None:
            return None
        return self.library_lock.try_acquire(
            provider=self.key, library=str(self.library), takes_jobs=True
        )

    @property
    def running(self) -> bool:
        return bool(self._loops)

    async def start(self) -> None:
        """Pick up where the last run stopped, then run the scheduler, poller, downloaders."""
        if self.running:
            return
        holder = self.claim_library()
        if holder is not None:
            raise LibraryBusy(
                f"The library {self.store.db.path.parent} is in use by {holder}; it can be "
                "reviewed, and rendering here waits until that finishes."
            )
        self.lease.open()
        if self.library_lock is not None:
            self.library_lock.note(lease=self.lease.id)
        others = held_by_others(self.lease.live(), self.lease.id)
        busy = [j.id for j in self.store.jobs.with_status(JobStatus.DOWNLOADING)]
        keep = [j for j in busy if self._held_by(j, others)]
        swept = sweep_parts(self.library, keep=keep)
        if swept:
            log.info("removed %d partial download(s) left by a crash", swept)
        self.take_over()
        keep_running = self.storage.keep_running
        self._scheduling = asyncio.create_task(keep_running(self._scheduler), name="scheduler")
        self._loops = [
            self._scheduling,
            asyncio.create_task(keep_running(self.poller.run), name="poller"),
            asyncio.create_task(self._heartbeat(), name="lease"),
            *(
                asyncio.create_task(keep_running(self.downloader.run), name=f"download-{i}")
                for i in range(self.config.download_workers)
            ),
        ]

    def _held_by(self, job_id: int, leases: set[int]) -> bool:
        job = self.store.jobs.get(job_id)
        return job is not None and job.lease_id in leases

    def take_over(self) -> None:
        """Take the jobs of engines that are gone (their lease expired) and carry on with
        them: downloads (a clip already saved is adopted, not fetched again), polls, and
        creates caught mid-send, whose outcome is unknown (the unsure path: looked up, or
        resent under the same key where keys are honoured, or parked for a person). Jobs of
        a live lease are left alone, whoever holds it."""
        if self.lease.id is None:
            return
        statuses = [
            s.value
            for s in (
                JobStatus.DOWNLOADING,
                JobStatus.SUBMITTED,
                JobStatus.RUNNING,
                JobStatus.SUBMITTING,
            )
        ]
        taken: list[int] = []
        with self.store.db.write() as tx:  # who is alive, read where no one can change it
            live = self.lease.live()
            for job_id in self.store.leases.orphans(self.key, statuses, live):
                if self.store.leases.take(tx, job_id, self.lease.id, live):
                    taken.append(job_id)
        if not taken:
            return
        caught: list[JobRow] = []
        for job in self.store.jobs.many(taken):
            if job.status is JobStatus.DOWNLOADING:
                self.downloader.enqueue(job)
            elif job.status is JobStatus.SUBMITTING:
                caught.append(job)
        if caught:
            self.unsure.handle(caught, "Studio stopped while sending it", delay=0.0)
        self.poller.wakeup.set()

    async def _heartbeat(self) -> None:
        """Keep the lease alive, say what state this engine is in (a command following its
        jobs from another process reads it), and take over jobs of engines that died."""
        while True:
            await asyncio.sleep(self.config.lease_beat)
            try:
                self.lease.beat(*self.state())
                self.take_over()
            except StorageError as err:
                self.storage.failed(err)
            except Exception:  # a locked database (say): the next beat tries again
                log.exception("the lease heartbeat failed; trying again")

    def state(self) -> tuple[str, str]:
        """("", "") while sending; else why not ("auth", "storage" or "paused") and the
        words a person reads."""
        if self.auth_error is not None:
            return "auth", str(self.auth_error)
        if self.storage.error is not None:
            return "storage", str(self.storage.error)
        if self.paused:
            return "paused", self.pause_reason
        return "", ""

    async def stop(self) -> None:
        """Stop sending; let creates already out be answered (each has a deadline) for up to
        `stop_grace` seconds, so their outcome is known; then stop everything and hand the
        library and the lease back."""
        if self._scheduling is not None:
            self._scheduling.cancel()
            await asyncio.gather(self._scheduling, return_exceptions=True)
            self._scheduling = None
        if self._creates:
            await asyncio.wait(list(self._creates), timeout=self.config.stop_grace)
        for task in self._loops:
            task.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        self._loops.clear()
        await self.tasks.cancel_all()
        self.storage.stop()
        try:
            self.lease.end()
        except StorageError as err:  # the jobs wait out the lease instead
            log.warning("could not end the lease: %s", err)
        if self.library_lock is not None:
            self.library_lock.release()

    async def models(self) -> ProfileSet:
        if self._profiles is not None:
            return self._profiles
        profiles = await self.provider.models()
        if not profiles.provisional:  # a stand-in while offline is asked again next time
            self._profiles = profiles
        return profiles

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
            changed = frozenset({"queue_pos", "priority"})
            self.bus.emit(JobChanged(job_id, JobStatus.QUEUED.value, changed))

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
            elif job.status is JobStatus.UNSURE:
                detail = "cancelled; the provider may have rendered it (it is not looked for)"
            elif job.status is not JobStatus.QUEUED:
                detail = "cancelled"
            self.ledger.finish(job.id, JobStatus.CANCELLED, FailureClass.CANCELLED, None, detail)

    def send_again(self, job_ids: Iterable[int]) -> list[int]:
        """A person's answer to unsure creates: send each again, under its own key (a
        provider that made it and honours keys returns it; one that does not may render,
        and bill, twice). Returns the jobs queued again."""
        return self.unsure.send_again(job_ids)

    def forget(self, job_ids: Iterable[int]) -> list[int]:
        """A person's other answer: stop waiting for unsure creates (cancelled; nothing is
        sent, and a render the provider may have made is not looked for)."""
        return self.unsure.forget(job_ids)

    async def retry(self, job_id: int) -> JobRow:
        """Retry a finished job that did not give a clip:
        - a clip the provider made but that could not be saved or fetched (storage, too
          large, not found, a download that failed), or a job that timed out: asked about
          and downloaded again (the same job, no new render);
        - a create that never got through (no remote id): looked up at the provider where
          it lists its jobs, adopted if it is there, else sent again with the same
          Idempotency-Key (the same job);
        - a render that failed, was refused, expired or was cancelled: a new submission with
          a new key, linked to this one by `retry_of` (not lineage: it is the same take).
        Unsure jobs are not retried: a person sends them again or forgets them."""
        job = self.store.jobs.get(job_id)
        if job is None or job.status is JobStatus.READY or not job.status.finished:
            if job is not None and job.status is JobStatus.UNSURE:
                raise StudioError(
                    f"{job.name} may be rendering at the provider: send it again (it may be "
                    "paid twice) or forget it."
                )
            raise StudioError("Only a failed, cancelled or expired job can be retried.")
        fetched_again = job.failure_class in (FailureClass.STORAGE, FailureClass.TIMEOUT) or (
            job.failure_class is FailureClass.TRANSPORT and job.remote_done_at is not None
        )
        if job.remote_id and fetched_again:
            return await self.reconcile(job_id)
        if job.failure_class is FailureClass.TRANSPORT and job.remote_id is None:
            found = await self.unsure.find([job]) if self.provider.supports_list else {}
            if found and job.id in found:
                self.ledger.reopen(
                    job.id,
                    JobStatus.SUBMITTING,
                    "retry: found at the provider",
                    lease_id=self.lease.id,
                )
                self.adopt(job, found[job.id], "found at the provider on retry")
            else:  # it never arrived: the same submission again, under the same key
                self.ledger.reopen(job.id, JobStatus.QUEUED, "retry: sending again, same key")
                self._wake_submit.set()
            return self.store.jobs.get(job.id) or job
        return await self.submit(
            job.spec.request(read_reference(self.library, job.spec)),
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
            job.id,
            JobStatus.DOWNLOADING,
            "the clip is missing from the library: fetching it",
            lease_id=self.lease.id,
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
            job.id,
            JobStatus.RUNNING,
            "reconciled",
            deadline_at=now + self.config.job_deadline,
            lease_id=self.lease.id,
        )
        fresh = self.store.jobs.get(job.id)
        assert fresh is not None
        self.poller.apply(fresh, remote)
        self.poller.wakeup.set()
        result = self.store.jobs.get(job.id)
        assert result is not None
        return result

    async def wait_finished(self, job_ids: Iterable[int]) -> list[JobRow]:
        """Return once every job has settled: finished (ready, failed, cancelled, expired)
        or parked unsure, waiting for a person."""
        ids = list(job_ids)
        while True:
            jobs = self.store.jobs.many(ids)
            if all(j.status.settled for j in jobs):
                return jobs
            await asyncio.sleep(0.2)

    # ---- submitting ----------------------------------------------------------------------

    async def _scheduler(self) -> None:
        while True:
            await wait_event(self._wake_submit, 1.0)
            self.scheduler_passes += 1
            if self.paused:
                continue
            if self.clock.monotonic() < self._hold_until:
                continue  # the provider just failed a create: give it a moment
            free = self.config.max_concurrent - self.store.jobs.count(*ACTIVE, provider=self.key)
            if free <= 0:
                continue
            going: list[tuple[str, float]] = []  # on their way out, not yet claimed
            sent: dict[str, list[Usage]] = {}  # per project: read once a pass, not per job
            now = self.clock.wall()
            for job in self.store.jobs.queued(self.key, free + len(self._cooling)):
                if job.id in self._submitting:
                    going.append((job.project, job.estimated_cost or 0.0))
                    continue
                if self._cooling.get(job.id, 0.0) > self.clock.monotonic():
                    continue  # the provider was down a moment ago
                self._cooling.pop(job.id, None)
                if job.project not in sent:
                    sent[job.project] = self.budget.usages(job.project, now, sent_only=True)
                if self._held(job, sent[job.project], going):
                    continue
                self._submitting.add(job.id)
                going.append((job.project, job.estimated_cost or 0.0))
                create = self.tasks.spawn(self._submit_one(job))
                self._creates.add(create)
                create.add_done_callback(self._creates.discard)

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
                lease_id=self.lease.id,
            ):
                return
            try:
                spec = job.spec.request(read_reference(self.library, job.spec)).spec
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
                # Resent within the call only where the provider honours keys; a person's
                # "resend unsure creates" is applied once per round (see unsure.py).
                retry_unsure = self.provider.honours_idempotency
                if spec.remix_of is not None:  # a remix of a finished take: the prompt only
                    remote = await self.provider.remix(
                        spec.remix_of, spec.prompt, job.idem_key, retry_unsure=retry_unsure
                    )
                else:
                    remote = await self.provider.create(
                        spec, job.idem_key, retry_unsure=retry_unsure
                    )
            except (ProviderError, SpecError) as err:
                self._create_failed(job, err)
            except Exception as err:  # a bug, or a failure no one foresaw
                # The create may have gone out: the job is looked for (or parked) as for a
                # lost reply, not left claimed with nothing to move it on.
                log.exception("sending job %s failed unexpectedly", job.id)
                if self.sending(job.id):
                    self.unsure.handle([job], f"sending it failed unexpectedly — {err}")
            else:
                self.ledger.health(True, "")
                self.adopt(job, remote, "submitted")
        finally:
            self._submitting.discard(job.id)
            self._wake_submit.set()

    def _create_failed(self, job: JobRow, err: ProviderError | SpecError) -> None:
        """What a failed create means for its job — unless it is no longer this engine's
        to send (cancelled meanwhile, or taken over): then nothing is written."""
        if isinstance(err, TransportError):
            self.ledger.health(False, str(err))
            self._hold_until = self.clock.monotonic() + self.config.outage_pause
        if not self.sending(job.id):
            return
        if isinstance(err, AuthError):  # nothing was created; the key must be fixed first
            self.ledger.set(job.id, JobStatus.QUEUED, detail="waiting for a valid API key")
            self.on_auth_failure(err)
        elif isinstance(err, TransportError) and err.unsure:  # never resent blindly
            self.unsure.handle([job], self.unsure.cause(err))
        elif isinstance(err, TransportError):  # nothing reached it (refused, 429): later
            self.not_sent(job, err)
        elif isinstance(err, RequestError | SpecError | Unsupported):
            code = err.code if isinstance(err, ProviderError) else None
            self.ledger.finish(job.id, JobStatus.FAILED, FailureClass.REQUEST, code, str(err))

    def sending(self, job_id: int) -> bool:
        """Whether the job is still caught mid-send by this engine (not cancelled, not
        taken over by another): only then may what its create did be written."""
        current = self.store.jobs.get(job_id)
        return (
            current is not None
            and current.status is JobStatus.SUBMITTING
            and current.lease_id == self.lease.id
        )

    def not_sent(self, job: JobRow, err: TransportError) -> None:
        """A create that surely made nothing (refused connection, 429): sent again later."""
        self.send_later(
            job,
            detail=f"not sent ({err}); trying again",
            gave_up=f"{err}. Nothing was made; Retry sends it again.",
            code=str(err.status) if err.status else None,
        )

    def send_later(
        self, job: JobRow, *, detail: str, gave_up: str, code: str | None = None
    ) -> None:
        """Queued again under the same key, sent after `outage_pause`; after `submit_rounds`
        such rounds the job fails saying `gave_up` (Retry sends it again, same key)."""
        rounds = self.outages[job.id] = self.outages.get(job.id, 0) + 1
        if rounds >= self.config.submit_rounds:
            self.outages.pop(job.id, None)
            self.ledger.finish(job.id, JobStatus.FAILED, FailureClass.TRANSPORT, code, gave_up)
            return
        self._cooling[job.id] = self.clock.monotonic() + self.config.outage_pause
        self.ledger.set(job.id, JobStatus.QUEUED, detail=detail)
        self.wake()

    def adopt(self, job: JobRow, remote: RemoteJob, detail: str) -> None:
        current = self.store.jobs.get(job.id)
        if current is not None and current.status is JobStatus.CANCELLED:
            self.tasks.spawn(self._cancel_remote(remote.id))  # cancelled while the create was out
            return
        if current is None or current.lease_id not in (self.lease.id, None):
            log.warning(
                "job %s was taken over by another engine while its create was out; "
                "the provider's job %s is left to it",
                job.id,
                remote.id,
            )
            return
        self.outages.pop(job.id, None)
        self.ledger.set(
            job.id, JobStatus.SUBMITTED, detail=detail, remote_id=remote.id, lease_id=self.lease.id
        )
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
        self._carry_on()

    def _carry_on(self) -> None:
        """After the library could be written again: this engine's own downloads, and its
        creates whose bookkeeping failed mid-send, go on (then anyone else's, as ever)."""
        for job in self.store.jobs.with_status(
            JobStatus.DOWNLOADING, JobStatus.SUBMITTING, provider=self.key, lease=self.lease.id
        ):
            if job.status is JobStatus.DOWNLOADING:
                self.downloader.enqueue(job)
            elif job.id not in self._submitting and job.id not in self.unsure.looking:
                self.unsure.handle([job], "the library could not be written while sending it")
        self.take_over()

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

    def on_auth_failure(self, err: AuthError) -> None:
        """A refused key stops new submissions until the user fixes it; nothing fails."""
        self.auth_error = err
        self.ledger.health(False, str(err))
        if not self.paused:
            self.pause(
                str(err)
                if isinstance(err, KeyMissing)
                else f"The provider refused the API key: {err}"
            )

    async def _cancel_remote(self, remote_id: str) -> None:
        try:
            await self.provider.cancel(remote_id)
        except ProviderError as err:
            log.info("could not cancel %s at the provider: %s", remote_id, err)
