"""Which batches a round of job changes finished, on a real store: a batch finishes with its
last job, whatever became of the others; a take queued on its own is its own batch."""

from __future__ import annotations

from studio.jobs.batch_done import BatchDone, finished_batches
from studio.store import JobStatus, Store
from tests.helpers import job_values


def add(store: Store, name: str, status: JobStatus, batch: int | None) -> int:
    with store.db.write() as tx:
        return store.jobs.insert(
            tx, job_values(name, status=status.value, batch_id=batch), at=1_000.0
        )


def test_a_batch_finishes_with_its_last_job(store: Store) -> None:
    batch = store.batches.create("herons", project="default", varied_slot=None, at=1.0)
    first = add(store, "a", JobStatus.READY, batch)
    second = add(store, "b", JobStatus.READY, batch)
    last = add(store, "c", JobStatus.RUNNING, batch)
    assert finished_batches(store, [first, second]) == []  # one still renders
    with store.db.write() as tx:
        store.jobs.transition(tx, last, JobStatus.FAILED, at=2_000.0)
    (done,) = finished_batches(store, [second, last])  # the batch once, however many
    assert done == BatchDone(batch, "herons", ready=2, not_ready=1, review_job=first)
    assert done.sentence() == "Batch 'herons' finished: 2 ready, 1 failed. Click to review it."


def test_a_take_on_its_own_and_a_batch_with_nothing_to_review(store: Store) -> None:
    alone = add(store, "alone", JobStatus.READY, None)
    batch = store.batches.create("kites", project="default", varied_slot=None, at=1.0)
    refused = [add(store, f"r{i}", JobStatus.FAILED, batch) for i in range(2)]
    queued = add(store, "waiting", JobStatus.QUEUED, None)
    done = finished_batches(store, [alone, *refused, queued])
    assert [d.sentence() for d in done] == [
        f"#{alone} finished: 1 ready. Click to review it.",
        "Batch 'kites' finished: 2 failed.",  # nothing to open
    ]
    assert [d.review_job for d in done] == [alone, None]
