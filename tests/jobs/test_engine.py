"""The engine end to end against the simulator: queue, submit, poll, download, events."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from studio.core.errors import SpecError
from studio.core.spec import ReferenceImage
from studio.jobs import AssetReady, Engine, JobChanged
from studio.sim.server import SimServer
from studio.store import FailureClass, JobStatus, Store
from tests.helpers import job_values, png_bytes, scheduler_looked
from tests.jobs.conftest import Recorder, spec


async def test_batch_runs_to_ready_with_verified_assets(
    make_engine: Callable[..., Engine], store: Store, library: Path, sim: SimServer
) -> None:
    engine = make_engine()
    seen = Recorder()
    engine.bus.subscribe(seen)
    await engine.start()
    jobs = (await engine.submit_batch([spec(f"take {i}") for i in range(4)], name="herons")).jobs
    assert {j.status for j in jobs} == {JobStatus.QUEUED}
    assert len({j.batch_id for j in jobs}) == 1
    done = await asyncio.wait_for(engine.wait_finished([j.id for j in jobs]), 60)
    assert [j.status for j in done] == [JobStatus.READY] * 4
    for job in done:
        assets = store.assets.for_job(job.id)
        assert set(assets) == {"video", "thumbnail", "spritesheet"}
        video = library / assets["video"].path
        assert hashlib.sha256(video.read_bytes()).hexdigest() == assets["video"].sha256
        assert assets["video"].size == video.stat().st_size
        assert assets["video"].duration == pytest.approx(4.0, abs=0.05)
        statuses = [status for _, status, _ in store.jobs.events(job.id)]
        assert statuses[0] == "queued"
        assert statuses[-1] == "ready"
        assert "submitting" in statuses
        assert "downloading" in statuses
        assert job.remote_id in sim.state.jobs
    assert len(seen.of(AssetReady)) == 12
    assert any("progress" in e.changed for e in seen.of(JobChanged))  # type: ignore[attr-defined]
    assert not list(library.rglob("*.part"))


async def test_a_batch_says_which_takes_already_existed_and_renders_again_on_request(
    make_engine: Callable[..., Engine], store: Store
) -> None:
    """Queuing a prompt identical to an existing take used to reuse it silently (the UI
    said "Queued 1 render."). The batch now names the reused job, charges nothing for it,
    and `again` makes a new take."""
    engine = make_engine()
    first = (await engine.submit_batch([spec("a heron lands")], name="a")).jobs[0]
    store.budgets.set_cap("daily", "*", first.cost)  # full: only the reuse may pass
    queued = await engine.submit_batch([spec("a heron lands")], name="b")
    assert [j.id for j in queued.reused] == [first.id]
    assert queued.new == []
    assert queued.summary() == f"#{first.id} already has this prompt and settings."
    assert len({j.batch_id for j in store.jobs.many(store.jobs.ids())}) == 1  # no empty batch
    store.budgets.set_cap("daily", "*", 10.0)
    again = await engine.submit_batch([spec("a heron lands")], name="c", again=True)
    assert again.reused == []
    assert again.jobs[0].id != first.id
    assert again.summary() == f"Queued #{again.jobs[0].id}."
    mixed = await engine.submit_batch([spec("a heron lands"), spec("a crane")], name="d")
    newest = again.jobs[0].id  # the guard names the latest identical take
    assert mixed.summary() == (
        f"Queued #{mixed.new[0].id}; #{newest} already has this prompt and settings."
    )


async def test_the_guard_is_for_double_clicks_not_for_finished_takes(
    make_engine: Callable[..., Engine], store: Store
) -> None:
    """An identical render is held back while the first is in flight or just queued (30 s);
    a finished take does not block a deliberate new one after that, and a ready job no
    longer counts as alive for the key index."""
    engine = make_engine()
    await engine.start()
    first = await engine.submit(spec("a kite climbs"))
    assert (await engine.submit(spec("a kite climbs"))).id == first.id  # the double click
    (done,) = await asyncio.wait_for(engine.wait_finished([first.id]), 30)
    assert done.status is JobStatus.READY
    assert (await engine.submit(spec("a kite climbs"))).id == first.id  # within 30 s
    with store.db.write() as tx:  # half a minute later
        tx.execute("UPDATE jobs SET created_at = created_at - 31 WHERE id = ?", (first.id,))
    later = await engine.submit(spec("a kite climbs"))
    assert later.id != first.id
    assert later.idem_key != first.idem_key
    assert later.content_hash == first.content_hash


async def test_same_spec_while_alive_returns_the_same_job(
    make_engine: Callable[..., Engine], sim: SimServer
) -> None:
    engine = make_engine()
    first = await engine.submit(spec("one shot"))
    again = await engine.submit(spec("one  shot"))  # same after normalisation
    assert again.id == first.id
    image = ReferenceImage(png_bytes(640, 360))
    with_image = await engine.submit(spec("one shot", reference=image))
    assert with_image.id != first.id
    deliberate = await engine.submit(spec("one shot"), again=True)
    assert deliberate.id != first.id
    await engine.start()
    done = await asyncio.wait_for(
        engine.wait_finished([first.id, with_image.id, deliberate.id]), 60
    )
    assert all(j.status is JobStatus.READY for j in done)
    assert sim.control("GET", "stats")["duplicate_creates"] == 0
    assert sim.state.jobs[done[1].remote_id or ""].has_reference


async def test_invalid_spec_never_reaches_the_network(
    make_engine: Callable[..., Engine], sim: SimServer, store: Store
) -> None:
    engine = make_engine()
    with pytest.raises(SpecError, match="allowed durations"):
        await engine.submit(spec(seconds=7))
    assert store.jobs.count_by_status() == {}
    requests = sim.control("GET", "stats")["requests"]
    assert requests.get("openai.create", 0) == 0  # only the model list was asked for


async def test_priority_pause_and_reorder(make_engine: Callable[..., Engine], store: Store) -> None:
    from tests.jobs.conftest import fast_config

    engine = make_engine(fast_config(max_concurrent=1))
    a, b, c = [await engine.submit(spec(p)) for p in ("a", "b", "c")]
    engine.move([c.id], to_top=True)
    engine.set_priority([b.id], 5)
    order = [j.id for j in store.jobs.queued("sim", 10)]
    assert order == [b.id, c.id, a.id]
    engine.pause()
    await engine.start()
    await scheduler_looked(engine)
    assert store.jobs.count_by_status() == {JobStatus.QUEUED: 3}  # paused: nothing sent
    engine.resume()
    done = await asyncio.wait_for(engine.wait_finished([a.id, b.id, c.id]), 60)
    submitted = sorted(done, key=lambda j: j.submitted_at or 0)
    assert [j.id for j in submitted] == [b.id, c.id, a.id]


async def test_cancel_queued_and_running(
    make_engine: Callable[..., Engine], store: Store, sim: SimServer
) -> None:
    sim.control("POST", "config", {"render_seconds": 30})
    engine = make_engine()
    running = await engine.submit(spec("long render"))
    await engine.start()
    for _ in range(100):
        if store.jobs.get(running.id).status is JobStatus.RUNNING:  # type: ignore[union-attr]
            break
        await asyncio.sleep(0.05)
    engine.pause()
    queued = await engine.submit(spec("never sent"))
    await engine.cancel([running.id, queued.id])
    r, q = store.jobs.many([running.id, queued.id])
    assert r.status is JobStatus.CANCELLED
    assert r.failure_class is FailureClass.CANCELLED
    assert "cancelled at the provider" in (store.jobs.events(r.id)[-1][2] or "")
    assert r.remote_id not in sim.state.jobs  # deleted at the provider
    assert q.status is JobStatus.CANCELLED
    assert q.remote_id is None


async def test_retry_makes_a_linked_new_attempt(
    make_engine: Callable[..., Engine], store: Store
) -> None:
    engine = make_engine()
    await engine.start()
    blocked = await engine.submit(spec("Nike sneakers on a court"))
    (failed,) = await asyncio.wait_for(engine.wait_finished([blocked.id]), 30)
    assert failed.status is JobStatus.FAILED
    assert failed.failure_class is FailureClass.POLICY
    assert failed.failure_code == "moderation_blocked"
    again = await engine.retry(failed.id)
    assert again.id != failed.id
    assert again.retry_of == failed.id  # a retry is linked apart from lineage
    assert again.parent_id == failed.parent_id
    assert again.idem_key != failed.idem_key  # a new submission, under a new key
    assert again.attempt == failed.attempt + 1
    assert again.spec_json == failed.spec_json
    assert again.batch_id == failed.batch_id
    with pytest.raises(Exception, match="Only a failed"):
        await engine.retry(again.id)


async def test_full_text_search_over_prompts(
    make_engine: Callable[..., Engine], store: Store
) -> None:
    engine = make_engine()
    await engine.submit(spec("A golden retriever surfing at sunset"))
    await engine.submit(spec("Neon city street in the rain, tracking shot"))
    assert [j.prompt for j in store.jobs.search("surf")] == ["A golden retriever surfing at sunset"]
    assert len(store.jobs.search("rain tracking")) == 1
    assert store.jobs.search("'\"*") == []


async def test_event_stream_follows_a_job_through_its_lifecycle(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine()
    seen: list[str] = []

    async def follow() -> None:
        async for event in engine.bus.stream():
            if isinstance(event, JobChanged) and "status" in event.changed:
                seen.append(event.status)
                if event.status == "ready":
                    return

    listener = asyncio.create_task(follow())
    await asyncio.sleep(0)
    await engine.start()
    await engine.submit(spec("a lantern on a windowsill"))
    await asyncio.wait_for(listener, 30)
    assert seen[0] == "submitting"
    assert seen[-2:] == ["downloading", "ready"]
    assert "submitted" in seen


async def test_deadline_marks_timeout_and_retry_reconciles(
    make_engine: Callable[..., Engine], sim: SimServer, store: Store
) -> None:
    from tests.jobs.conftest import fast_config

    sim.control("POST", "config", {"render_seconds": 2.0})
    engine = make_engine(fast_config(job_deadline=0.5))
    await engine.start()
    job = await engine.submit(spec("slow pan across a harbour"))
    (timed_out,) = await asyncio.wait_for(engine.wait_finished([job.id]), 30)
    assert timed_out.status is JobStatus.FAILED
    assert timed_out.failure_class is FailureClass.TIMEOUT
    assert "retry checks the provider again" in (timed_out.failure_message or "")
    engine.config.job_deadline = 600
    engine.poller.deadline = 600
    again = await engine.retry(job.id)
    assert again.id == job.id  # the same render, asked about again
    (done,) = await asyncio.wait_for(engine.wait_finished([job.id]), 30)
    assert done.status is JobStatus.READY
    assert len(sim.state.jobs) == 1


async def test_downloads_soonest_expiry_first(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine()
    rows = [await engine.submit(spec(f"clip {i}")) for i in range(3)]
    expiries = [3000.0, 1000.0, 2000.0]
    for row, expires in zip(rows, expiries, strict=True):
        row.expires_at = expires
        engine.downloader.enqueue(row)
    engine.downloader.enqueue(rows[0])  # queued once only
    order = [engine.downloader._queue.get_nowait()[1] for _ in range(3)]
    assert order == [rows[1].id, rows[2].id, rows[0].id]
    assert engine.downloader._queue.empty()


def test_ledger_batch_is_one_transaction_and_announces_after_commit(
    make_engine: Callable[..., Engine], store: Store
) -> None:
    engine = make_engine()
    rows = []
    for i in range(3):
        with store.db.write() as tx:
            rows.append(store.jobs.insert(tx, job_values(i, status="running"), at=1.0))
    heard: list[int] = []
    engine.bus.subscribe(lambda e: heard.append(e.job_id))  # type: ignore[union-attr]
    with engine.ledger.batch():
        for job_id in rows:
            engine.ledger.update(job_id, JobStatus.RUNNING, progress=50)
        assert heard == []  # nothing announced before the commit
    assert heard == rows

    def failing_batch() -> None:
        with engine.ledger.batch():
            engine.ledger.update(rows[0], JobStatus.RUNNING, progress=90)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_batch()
    assert store.jobs.get(rows[0]).progress == 50  # type: ignore[union-attr]
    assert heard == rows  # the rolled-back change was never announced
