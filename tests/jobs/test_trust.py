"""Nothing paid for twice, nothing silently reused: claims, keys and retries against the
simulator, counting creates where they land."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

from studio.jobs import Engine
from studio.sim.server import SimServer
from studio.store import FailureClass, JobStatus, Store
from tests.helpers import job_values, until
from tests.jobs.conftest import fast_config, spec
from tests.jobs.test_fault_matrix import faults


async def test_two_engines_on_one_library_never_claim_one_job(
    make_engine: Callable[..., Engine], store: Store, sim: SimServer, tmp_path: Path
) -> None:
    """With the library lock out of the way, the compare-and-set claim alone keeps two
    engines (two processes' worth: two connections to one file) from sending a job twice."""
    sim.control("POST", "config", {"render_seconds": 1.0})
    first = make_engine(fast_config(max_concurrent=30), lock=False)
    jobs = [await first.submit(spec(f"a tram, take {i}"), again=True) for i in range(12)]
    other_store = Store(store.db.path)  # a second connection, as a second process has
    second = make_engine(fast_config(max_concurrent=30), lock=False)
    second.store = other_store
    second.ledger.store = other_store
    second.intake.store = other_store
    second._wake_submit.set()  # both schedulers look at the queue in the same instant
    try:
        await asyncio.gather(first.start(), second.start())
        await asyncio.wait_for(first.wait_finished([j.id for j in jobs]), 90)
    finally:
        await second.stop()
        other_store.close()
    stats = sim.control("GET", "stats")
    assert stats["requests"]["openai.create"] == 12
    assert stats["duplicate_creates"] == 0
    for job in jobs:
        sends = Counter(status for _, status, _ in store.jobs.events(job.id))
        assert sends["submitting"] == 1, job.id


def status(store: Store, job_id: int) -> JobStatus:
    job = store.jobs.get(job_id)
    assert job is not None
    return job.status


def test_a_claim_is_a_compare_and_set(store: Store) -> None:
    with store.db.write() as tx:
        job_id = store.jobs.insert(tx, job_values(status="queued"), at=1.0)
    with store.db.write() as tx:
        assert store.jobs.claim(tx, job_id, at=2.0, submitted_at=2.0)
    with store.db.write() as tx:
        assert not store.jobs.claim(tx, job_id, at=3.0, submitted_at=3.0)  # taken already
    assert [s for _, s, _ in store.jobs.events(job_id)] == ["queued", "submitting"]


async def test_a_create_that_never_arrived_is_resent_with_the_same_key(
    make_engine: Callable[..., Engine], store: Store, sim: SimServer
) -> None:
    """The reply was lost (reset before the provider took it): the engine looks the job up,
    finds nothing, and sends the same submission again under the same Idempotency-Key."""
    faults(sim, {"fault": "reset", "route": "create", "count": 1})
    engine = make_engine()
    await engine.start()
    job = await engine.submit(spec("a lighthouse at dusk"))
    (done,) = await asyncio.wait_for(engine.wait_finished([job.id]), 60)
    assert done.status is JobStatus.READY
    assert done.idem_key == job.idem_key
    by_key = sim.control("GET", "stats")["create_requests_by_key"]
    assert by_key == {job.idem_key: 2}  # once lost, once taken: the same key both times
    assert sim.control("GET", "stats")["duplicate_creates"] == 0


async def test_a_failed_render_is_retried_as_a_new_submission(
    make_engine: Callable[..., Engine], store: Store, sim: SimServer
) -> None:
    """A render that failed used to come back failed on every retry (the key named the
    content, so a provider honouring keys returned the same failed job)."""
    sim.control("POST", "config", {"honour_idempotency": True})
    faults(sim, {"fault": "render_failed", "route": "create", "count": 1})
    engine = make_engine()
    await engine.start()
    job = await engine.submit(spec("a paper boat on a pond"))
    (failed,) = await asyncio.wait_for(engine.wait_finished([job.id]), 60)
    assert failed.failure_class is FailureClass.RENDER
    retry = await engine.retry(failed.id)
    (done,) = await asyncio.wait_for(engine.wait_finished([retry.id]), 60)
    assert done.status is JobStatus.READY
    assert (done.retry_of, done.parent_id) == (failed.id, failed.parent_id)
    assert done.idem_key != failed.idem_key
    assert done.remote_id != failed.remote_id
    assert store.jobs.retries_of(failed.id)[0].id == done.id


async def test_stopping_lets_a_create_in_flight_land(
    make_engine: Callable[..., Engine], store: Store, sim: SimServer
) -> None:
    """A reconnect (or Ctrl+C) waits a moment for the creates already out, so their outcome
    is known and nothing is left unsure for the next run to sort out."""
    faults(sim, {"fault": "slow", "route": "create", "count": 1, "delay": 0.5})
    first = make_engine()
    await first.start()
    job = await first.submit(spec("a heron lifts off"))
    await until(lambda: status(store, job.id) is JobStatus.SUBMITTING)
    await first.stop()
    stopped = store.jobs.get(job.id)
    assert stopped is not None
    assert stopped.status in (JobStatus.SUBMITTED, JobStatus.RUNNING), stopped.status
    assert stopped.remote_id in sim.state.jobs


def test_a_reused_key_with_another_body_is_refused(sim: SimServer) -> None:
    """As Stripe-style providers do; the client never sends one key with two bodies."""
    sim.control("POST", "config", {"honour_idempotency": True})
    body = {"prompt": "a fox", "model": "sim-fast", "seconds": "4", "size": "640x360"}
    headers = {"Authorization": f"Bearer {sim.api_key}", "Idempotency-Key": "studio-k1"}
    with httpx.Client(base_url=sim.openai_base_url, headers=headers) as client:
        first = client.post("videos", json=body).json()["id"]
        assert client.post("videos", json=body).json()["id"] == first  # same key, same body
        changed = client.post("videos", json={**body, "prompt": "a wolf"})
    assert changed.status_code == 422
    assert changed.json()["error"]["code"] == "idempotency_key_reused"


async def test_a_submit_cut_off_by_a_reconnect_comes_back_by_itself(
    make_engine: Callable[..., Engine], store: Store, sim: SimServer
) -> None:
    """Saving settings restarted the engine mid-create; the job stayed 'submitting' until
    cancelled. The next engine for the same provider looks it up and carries on."""
    # The provider takes the create at once; its reply comes a byte a second.
    faults(sim, {"fault": "trickle", "route": "create", "count": 1, "delay": 1.0})
    first = make_engine(fast_config(stop_grace=0.0))  # no time for the reply
    await first.start()
    job = await first.submit(spec("a swan takes off"))
    await until(lambda: status(store, job.id) is JobStatus.SUBMITTING)
    await until(lambda: any(j.prompt == "a swan takes off" for j in sim.state.jobs.values()))
    await first.stop()  # as a reconnect does, with the reply still coming
    assert status(store, job.id) is JobStatus.SUBMITTING
    second = make_engine()
    await second.start()
    (done,) = await asyncio.wait_for(second.wait_finished([job.id]), 60)
    assert done.status is JobStatus.READY
    rendered = [j for j in sim.state.jobs.values() if j.prompt == "a swan takes off"]
    assert len(rendered) == 1  # one render at the provider, whichever way the create went
    assert rendered[0].id == done.remote_id
    assert sim.control("GET", "stats")["duplicate_creates"] == 0
