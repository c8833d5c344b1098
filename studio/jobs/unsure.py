"""Creates whose outcome is unknown: never resent blindly.

A create is *unsure* when the provider may have made the job although no proper answer came
back: a reset or timeout once it was sent, a cut or unreadable reply, any 5xx, an HTML page,
or Studio stopping while it was out. Sending it again could render (and bill) twice, so:

1. where the provider lists its jobs (and says in the list what each one is), look first:
   adopt the job if it is there; if it is not, and its create can no longer be under way
   (the request's deadline has passed since it was sent), nothing was made, and it is
   sent again under the same key;
2. where the provider honours `Idempotency-Key` (capability data) — or a person chose
   "resend unsure creates automatically (may pay twice)" — send it again under the same key;
3. otherwise park it as `unsure`: counted as possibly spent, and left for a person to send
   again or forget.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from studio.jobs.ledger import moment
from studio.providers.errors import AuthError, TransportError, Unsupported
from studio.providers.types import RemoteJob
from studio.store import FailureClass, JobRow, JobStatus
from studio.store.layout import read_reference

if TYPE_CHECKING:
    from studio.jobs.engine import Engine

log = logging.getLogger(__name__)

PARKED = "The provider may be rendering this"


class UnsureCreates:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.looking: set[int] = set()  # jobs being looked up at the provider now
        self._failed_looks: Counter[int] = Counter()
        self._one_look = asyncio.Lock()

    @property
    def may_resend(self) -> bool:
        """Whether an unsure create may be sent again under its key without a person."""
        return self.engine.provider.honours_idempotency or self.engine.config.resend_unsure

    @staticmethod
    def cause(err: TransportError) -> str:
        return f"its create went out and no clear answer came back — {err}"

    def handle(self, jobs: list[JobRow], cause: str, *, delay: float | None = None) -> None:
        """Jobs in `submitting` whose create may have been made (see the module doc); one
        cancelled meanwhile stays cancelled."""
        engine = self.engine
        jobs = self._still_mine(jobs)
        if not jobs:
            return
        if engine.provider.supports_list:
            self.looking.update(j.id for j in jobs)
            wait = engine.config.outage_pause if delay is None else delay
            settled_at = engine.clock.wall() + engine.config.create_window
            engine.tasks.spawn(self._look(jobs, cause, wait, settled_at))
            return
        for job in jobs:
            self._without_lookup(job, cause)

    def _without_lookup(self, job: JobRow, cause: str) -> None:
        if self.may_resend:
            self._resend(job, cause)
        else:
            self.park(job, cause)

    def _resend(self, job: JobRow, cause: str) -> None:
        why = (
            "the provider honours keys: no second render"
            if self.engine.provider.honours_idempotency
            else "you chose to resend unsure creates: it may be paid twice"
        )
        self.engine.send_later(
            job,
            detail=f"{cause}; sending again under the same key ({why})",
            gave_up=f"{cause[0].upper()}{cause[1:]}. Retry sends it again under the same key "
            f"({why}).",
        )

    def park(self, job: JobRow, cause: str) -> None:
        now = self.engine.clock.wall()
        self.engine.ledger.set(
            job.id,
            JobStatus.UNSURE,
            detail=cause,
            failure_message=(
                f"{PARKED}: {cause} ({moment(now, now)}). Send it again (it may be paid "
                "twice) or forget it."
            ),
        )

    async def _look(self, jobs: list[JobRow], cause: str, delay: float, settled_at: float) -> None:
        """Look for the jobs at the provider (one look at a time, so two jobs never take
        the same provider job): adopt each that is there; one that is not is sent again
        only after `settled_at`, once its create can no longer be under way (it is
        looked for again then)."""
        engine = self.engine
        if delay:
            await asyncio.sleep(delay)
        async with self._one_look:
            asked = {j.id for j in jobs}
            jobs = self._still_mine(jobs)
            self.looking.difference_update(asked - {j.id for j in jobs})  # cancelled meanwhile
            if not jobs:
                return
            try:
                found = await self.find(jobs)
            except AuthError as err:
                engine.on_auth_failure(err)
                pause = engine.config.outage_pause
                engine.tasks.spawn(self._look(jobs, cause, pause, settled_at))
                return
            except Unsupported as err:  # no usable list (gone, or says too little)
                self._done_looking(jobs)
                for job in jobs:
                    self._without_lookup(job, f"{cause}; {err}")
                return
            except TransportError as err:  # could not ask: later, then a person decides
                self._ask_later(jobs, cause, err, settled_at)
                return
            except Exception as err:  # whatever it was, the jobs must not stay stuck
                log.exception("looking up jobs %s failed", [j.id for j in jobs])
                self._done_looking(jobs)
                for job in jobs:
                    self.park(job, f"{cause}; looking for it failed ({err})")
                return
            now = engine.clock.wall()
            later = [j for j in jobs if j.id not in found and now < settled_at]
            waiting = {j.id for j in later}
            for job in jobs:
                if job.id in waiting:
                    continue
                self._done_looking([job])
                if job.id in found:
                    engine.adopt(job, found[job.id], "found at the provider after an interruption")
                else:  # not there, and it can no longer appear: nothing was made
                    engine.send_later(
                        job,
                        detail=f"{cause}; not at the provider: sending again under the same key",
                        gave_up=f"{cause[0].upper()}{cause[1:]}; it was not at the provider. "
                        "Retry looks again, then sends it under the same key.",
                    )
        if later:  # a create that may still be under way: look again once it cannot be
            wait = max(engine.config.outage_pause, settled_at - now)
            engine.tasks.spawn(self._look(later, cause, wait, settled_at))

    def _ask_later(
        self, jobs: list[JobRow], cause: str, err: TransportError, settled_at: float
    ) -> None:
        again = []
        for job in jobs:
            self._failed_looks[job.id] += 1
            if self._failed_looks[job.id] >= self.engine.config.submit_rounds:
                self._done_looking([job])
                self.park(job, f"{cause}; the provider could not be asked about it ({err})")
            else:
                again.append(job)
        if again:
            pause = self.engine.config.outage_pause
            self.engine.tasks.spawn(self._look(again, cause, pause, settled_at))

    def _done_looking(self, jobs: Iterable[JobRow]) -> None:
        for job in jobs:
            self.looking.discard(job.id)
            self._failed_looks.pop(job.id, None)
        self.engine.wake()

    def _still_mine(self, jobs: Iterable[JobRow]) -> list[JobRow]:
        """Those still caught mid-send and held by this engine (not cancelled meanwhile)."""
        lease = self.engine.lease.id
        return [
            job
            for job in self.engine.store.jobs.many(j.id for j in jobs)
            if job.status is JobStatus.SUBMITTING and job.lease_id == lease
        ]

    async def find(self, jobs: list[JobRow]) -> dict[int, RemoteJob]:
        """Each job's provider job, where the provider's list has one made for the same
        prompt, model, duration and size around when it was sent and not yet claimed by
        another job. `Unsupported` where the provider lists nothing, or lists jobs without
        saying what they are (a match could not be told from a miss)."""
        engine = self.engine
        since = min(j.submitted_at or j.created_at for j in jobs) - engine.config.reconcile_window
        listed = await engine.provider.recent(since)
        if any(not r.extra.get("prompt") or not r.extra.get("size") for r in listed):
            raise Unsupported("the provider's list does not say what each job is")
        claimed = engine.store.jobs.claimed_remote_ids(engine.key)  # read after the wait
        candidates = [r for r in listed if r.id not in claimed]
        candidates.sort(key=lambda r: r.created_at or 0.0)
        profiles = await engine.models()
        found: dict[int, RemoteJob] = {}
        for job in sorted(jobs, key=lambda j: j.submitted_at or j.created_at):
            spec = job.spec.request(read_reference(engine.library, job.spec)).spec
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

    def send_again(self, job_ids: Iterable[int]) -> list[int]:
        sent = []
        for job in self.engine.store.jobs.many(job_ids):
            if job.status is JobStatus.UNSURE:
                self.engine.ledger.set(
                    job.id,
                    JobStatus.QUEUED,
                    detail="sent again by a person, under the same key (it may be paid twice)",
                    failure_message=None,
                    lease_id=None,
                )
                sent.append(job.id)
        self.engine.wake()
        return sent

    def forget(self, job_ids: Iterable[int]) -> list[int]:
        forgotten = []
        for job in self.engine.store.jobs.many(job_ids):
            if job.status is JobStatus.UNSURE:
                self.engine.ledger.finish(
                    job.id,
                    JobStatus.CANCELLED,
                    FailureClass.CANCELLED,
                    "forgotten",
                    "Forgotten: the provider may have rendered it; Studio no longer asks.",
                )
                forgotten.append(job.id)
        return forgotten
