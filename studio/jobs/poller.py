"""Polls the provider for running jobs: one list request for all where the API has one,
each job on its own adaptive schedule otherwise; applies what the provider says."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from studio.jobs.downloader import Downloader
from studio.jobs.ledger import Ledger, wait_event
from studio.jobs.poll_schedule import PollSchedule
from studio.providers.base import Provider
from studio.providers.errors import AuthError, TransportError
from studio.providers.profiles import ProfileSet
from studio.providers.types import FailureKind, RemoteJob, RemoteStatus
from studio.store import FailureClass, JobRow, JobStatus


class Poller:
    def __init__(
        self,
        ledger: Ledger,
        provider: Provider,
        downloader: Downloader,
        *,
        schedule: PollSchedule,
        deadline: float,
        outage_pause: float,
        models: Callable[[], Awaitable[ProfileSet]],
        on_auth_failure: Callable[[AuthError], None],
        lease: Callable[[], int],
    ) -> None:
        self.ledger = ledger
        self.provider = provider
        self.downloader = downloader
        self.schedule = schedule
        self.deadline = deadline
        self.outage_pause = outage_pause
        self.models = models
        self.on_auth_failure = on_auth_failure
        self.lease = lease  # only the jobs this engine holds are polled (see jobs/leases.py)
        self.wakeup = asyncio.Event()
        self._next: dict[int, float] = {}
        ledger.on_finished.append(self.forget)

    def forget(self, job_id: int) -> None:
        self._next.pop(job_id, None)

    async def run(self) -> None:
        store, key = self.ledger.store, self.ledger.provider_key
        while True:
            now = self.ledger.clock.wall()
            live = [
                j
                for j in store.jobs.with_status(
                    JobStatus.SUBMITTED, JobStatus.RUNNING, provider=key, lease=self.lease()
                )
                if not self._past_deadline(j, now)
            ]
            if not live:
                await wait_event(self.wakeup, 5.0)
                continue
            due = [j for j in live if self._next.get(j.id, 0.0) <= now]
            if not due:
                soonest = min(self._next.get(j.id, now) for j in live)
                await wait_event(self.wakeup, max(0.05, soonest - now))
                continue
            # Where one list request covers every job, ask about all of them at once.
            pause = await self._poll(live if self.provider.supports_list else due)
            if pause:
                await wait_event(self.wakeup, pause)

    def _past_deadline(self, job: JobRow, now: float) -> bool:
        if job.deadline_at is None or now <= job.deadline_at:
            return False
        self.ledger.finish(
            job.id,
            JobStatus.FAILED,
            FailureClass.TIMEOUT,
            None,
            f"No result within {self.deadline / 60:.0f} min; retry checks the provider again.",
        )
        return True

    async def _poll(self, jobs: list[JobRow]) -> float:
        """Poll `jobs`; returns how long to hold off (after an outage), else 0."""
        try:
            states = await self.provider.status([j.remote_id for j in jobs if j.remote_id])
        except AuthError as err:
            self.on_auth_failure(err)
            return self.schedule.slowest
        except TransportError as err:
            self.ledger.health(False, str(err))
            return err.retry_after or self.outage_pause
        self.ledger.health(True, "")
        profiles = await self.models()
        now = self.ledger.clock.wall()
        with self.ledger.batch():
            self._apply_all(jobs, states, profiles, now)
        return 0.0

    def _apply_all(
        self, jobs: list[JobRow], states: dict[str, RemoteJob], profiles: ProfileSet, now: float
    ) -> None:
        for job in jobs:
            remote = states.get(job.remote_id or "")
            if remote is None:
                self.ledger.finish(
                    job.id,
                    JobStatus.FAILED,
                    FailureClass.REQUEST,
                    "not_found",
                    f"The provider no longer knows job {job.remote_id} (deleted?).",
                )
                continue
            self.apply(job, remote)
            if not remote.status.terminal:
                typical = (
                    profiles.get(job.model).typical_render_seconds
                    if job.model in profiles
                    else 60.0
                )
                elapsed = now - (job.submitted_at or now)
                self._next[job.id] = now + self.schedule.interval(elapsed, remote.progress, typical)

    def apply(self, job: JobRow, remote: RemoteJob) -> None:
        """Bring the job's row in line with what the provider says about it."""
        ledger, now = self.ledger, self.ledger.clock.wall()
        if remote.status in (RemoteStatus.QUEUED, RemoteStatus.RUNNING):
            status = JobStatus.RUNNING if remote.status is RemoteStatus.RUNNING else job.status
            if status is not job.status:
                ledger.set(job.id, status, progress=remote.progress)
            elif remote.progress != job.progress:
                ledger.update(job.id, status, progress=remote.progress)
        elif remote.status is RemoteStatus.COMPLETED:
            ledger.set(
                job.id,
                JobStatus.DOWNLOADING,
                progress=100,
                remote_done_at=remote.completed_at or now,
                expires_at=remote.expires_at,
                actual_cost=remote.cost if remote.cost is not None else job.actual_cost,
            )
            self.forget(job.id)
            self.downloader.enqueue(ledger.job(job.id))
            ledger.check_budget(job.project)
        elif remote.status is RemoteStatus.FAILED:
            error = remote.error
            policy = error is not None and error.kind is FailureKind.POLICY
            ledger.finish(
                job.id,
                JobStatus.FAILED,
                FailureClass.POLICY if policy else FailureClass.RENDER,
                error.code if error else None,
                error.message if error else "The render failed.",
                cost=remote.cost,
            )
        elif remote.status is RemoteStatus.CANCELLED:
            ledger.finish(
                job.id,
                JobStatus.CANCELLED,
                FailureClass.CANCELLED,
                None,
                "Cancelled by the provider.",
            )
        elif remote.status is RemoteStatus.EXPIRED:
            ledger.expired(job.id, remote.expires_at)
