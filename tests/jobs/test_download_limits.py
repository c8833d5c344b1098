"""Through the whole engine: a status reply that trickles is cut and the clip still
arrives; a clip over the size cap is refused (announced) or cut (unannounced), not fetched
again, and says so on the job; a 404 for a clip reads "expired" only after its expiry."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from studio.jobs import Engine
from studio.providers.errors import NotFound
from studio.sim.server import SimServer
from studio.store import FailureClass, JobStatus, Store
from tests.helpers import job_values
from tests.jobs.conftest import fast_config, spec
from tests.jobs.test_fault_matrix import faults


def contents(sim: SimServer) -> int:
    return int(sim.control("GET", "stats")["requests"].get("openai.content", 0))


async def test_a_status_reply_trickling_a_byte_every_15_s_is_cut_and_the_clip_arrives(
    make_engine: Callable[..., Engine], sim: SimServer
) -> None:
    faults(
        sim,
        {"fault": "trickle", "route": "list", "count": 1, "delay": 15},
        {"fault": "trickle", "route": "retrieve", "count": 1, "delay": 15},
    )
    engine = make_engine(deadline=1.0)
    await engine.start()
    started = time.monotonic()
    jobs = [await engine.submit(spec(f"a tide pool, take {i}")) for i in range(2)]
    done = await asyncio.wait_for(engine.wait_finished([j.id for j in jobs]), 60)
    assert [j.status for j in done] == [JobStatus.READY] * 2
    assert time.monotonic() - started < 15  # not held by a byte every 15 s
    assert sim.control("GET", "stats")["faults"]["trickle"] >= 1


async def test_a_3_gib_clip_is_refused_unread_and_not_fetched_again(
    make_engine: Callable[..., Engine], sim: SimServer, store: Store
) -> None:
    faults(sim, {"fault": "huge", "route": "content", "size": 3 * 1024**3})
    engine = make_engine()
    await engine.start()
    job = await engine.submit(spec("a glacier calving"))
    (done,) = await asyncio.wait_for(engine.wait_finished([job.id]), 60)
    assert done.status is JobStatus.FAILED
    assert done.failure_class is FailureClass.STORAGE
    assert done.failure_code == "too_large"
    assert "3.0 GiB, over the 2.0 GiB cap" in (done.failure_message or "")
    assert "Retry downloads it again" in (done.failure_message or "")
    assert contents(sim) == 1  # asked once, and no byte kept
    assert sim.control("GET", "stats")["fault_bytes"] < 64 * 1024**2
    assert not engine.paused  # a big clip is not a full disk


async def test_an_unsized_clip_is_cut_at_the_cap_and_not_fetched_again(
    make_engine: Callable[..., Engine], sim: SimServer
) -> None:
    faults(sim, {"fault": "unsized", "route": "content", "size": 64 * 1024**2})
    engine = make_engine(fast_config(max_download_bytes=4 * 1024**2))
    await engine.start()
    job = await engine.submit(spec("a glacier calving, unsized"))
    (done,) = await asyncio.wait_for(engine.wait_finished([job.id]), 60)
    assert done.status is JobStatus.FAILED
    assert done.failure_code == "too_large"
    assert "passed the 4.0 MiB cap" in (done.failure_message or "")
    assert contents(sim) == 1


async def test_a_404_before_the_expiry_says_not_found_and_retry_fetches_it(
    make_engine: Callable[..., Engine], sim: SimServer
) -> None:
    faults(sim, {"fault": "404", "route": "content", "count": 1})
    engine = make_engine()
    await engine.start()
    job = await engine.submit(spec("a lighthouse, lost and found"))
    (lost,) = await asyncio.wait_for(engine.wait_finished([job.id]), 60)
    assert lost.status is JobStatus.FAILED
    assert lost.failure_code == "not_found"
    assert "not found at the provider" in (lost.failure_message or "")
    assert "expired" not in (lost.failure_message or "")
    await engine.retry(lost.id)  # the same render, fetched again
    (found,) = await asyncio.wait_for(engine.wait_finished([job.id]), 60)
    assert found.status is JobStatus.READY
    assert len(sim.state.jobs) == 1


async def test_a_404_after_the_expiry_says_expired(
    make_engine: Callable[..., Engine], store: Store
) -> None:
    engine = make_engine()
    now = engine.clock.wall()
    with store.db.write() as tx:
        past = store.jobs.insert(tx, job_values(1, status="downloading"), at=now)
        store.jobs.update(tx, past, at=now, expires_at=now - 60, remote_id="video_gone")
    job = store.jobs.get(past)
    assert job is not None
    engine.downloader._not_found(job, NotFound("gone", status=404))
    expired = store.jobs.get(past)
    assert expired is not None
    assert expired.status is JobStatus.EXPIRED
    assert "expired at" in (expired.failure_message or "")
