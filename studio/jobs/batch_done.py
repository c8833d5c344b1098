"""Which batches a round of job changes finished (no Qt): the window tells the desktop when
one finishes while it is not in front, and a click opens the batch in Review."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from studio.store import JobRow, JobStatus, Store


@dataclass(frozen=True)
class BatchDone:
    batch_id: int | None  # None: a take queued on its own
    name: str  # the batch's name, or the take's ("#42")
    ready: int
    not_ready: int  # failed, cancelled or expired
    review_job: int | None  # a ready take to open the batch with (None: nothing to review)

    def sentence(self) -> str:
        """ "Batch 'herons' finished: 5 ready, 1 failed."""
        what = f"Batch '{self.name}'" if self.batch_id is not None else self.name
        counts = [f"{self.ready} ready"] if self.ready else []
        if self.not_ready:
            counts.append(f"{self.not_ready} failed")
        tail = " Click to review it." if self.review_job is not None else ""
        return f"{what} finished: {', '.join(counts)}.{tail}"


def finished_batches(store: Store, job_ids: Iterable[int]) -> list[BatchDone]:
    """The batches of `job_ids` (jobs that have just finished) in which every job is now
    finished; each batch once, in the order of its first job."""
    done: list[BatchDone] = []
    seen: set[int | None] = set()
    for job in store.jobs.many(job_ids):
        if not job.status.finished or (job.batch_id is not None and job.batch_id in seen):
            continue
        seen.add(job.batch_id)
        if job.batch_id is not None and store.jobs.unfinished_in_batch(job.batch_id):
            continue  # one count per batch each round: a big batch is read whole only once done
        members = store.jobs.in_batch(job.batch_id) if job.batch_id is not None else [job]
        done.append(_summary(store, job, members))
    return done


def _summary(store: Store, job: JobRow, members: list[JobRow]) -> BatchDone:
    ready = [m.id for m in members if m.status is JobStatus.READY]
    name = (store.batches.name(job.batch_id) if job.batch_id is not None else None) or job.name
    return BatchDone(
        job.batch_id, name, len(ready), len(members) - len(ready), ready[0] if ready else None
    )
