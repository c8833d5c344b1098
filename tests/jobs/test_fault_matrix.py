"""Every fault class through the whole engine, over real sockets: right state, right class,
right message, and nothing lost (rows kept, no partial files, no double renders)."""

from __future__ import annotations

import asyncio
import errno
import io
from collections.abc import Callable
from pathlib import Path
from typing import IO

import httpx
import pytest

import studio.jobs.clip_files as download
from studio.core.files import sha256_file
from studio.jobs import Engine, ProviderHealth, QueueState
from studio.sim.server import SimServer
from studio.store import FailureClass, JobRow, JobStatus, Store
from tests.jobs.conftest import Recorder, fast_config, spec


def faults(sim: SimServer, *rules: dict[str, object]) -> None:
    sim.control("POST", "faults", {"rules": list(rules)})


async def run_one(engine: Engine, prompt: str = "a tram crosses a bridge") -> JobRow:
    await engine.start()
    job = await engine.submit(spec(prompt))
    (done,) = await asyncio.wait_for(engine.wait_finished([job.id]), 60)
    return done


def assert_nothing_lost(store: Store, library: Path, sim: SimServer) -> None:
    assert not list(library.rglob("*.part"))
    assert all(p.stat().st_size > 0 for p in library.rglob("*") if p.is_file())
    assert sim.control("GET", "stats")["duplicate_creates"] == 0
    assert store.db.integrity_check() == "ok"


@pytest.mark.parametrize(
    "rule",
    [
        {"fault": "429", "route": "create", "count": 2, "retry_after": 0.2},
        {"fault": "429", "route": "list", "count": 3, "retry_after_ms": 100},
        {"fault": "500", "route": "create", "count": 1},
        {"fault": "502", "route": "list", "count": 2},
        {"fault": "503", "route": "content", "count": 2},
        {"fault": "reset", "route": "list", "count": 2},
        {"fault": "reset", "route": "content", "count": 1},
        {"fault": "truncate", "route": "content", "count": 2},
        {"fault": "malformed", "route": "list", "count": 2},
        {"fault": "malformed", "route": "create", "count": 1},
    ],
    ids=lambda r: f"{r['fault']}-{r['route']}",
)
async def test_transient_faults_end_ready(
    make_engine: Callable[..., Engine],
    store: Store,
    library: Path,
    sim: SimServer,
    rule: dict[str, object],
) -> None:
    faults(sim, rule)
    engine = make_engine()
    await engine.start()
    jobs = [await engine.submit(spec(f"a tram crosses a bridge, take {i}")) for i in range(3)]
    done = await asyncio.wait_for(engine.wait_finished([j.id for j in jobs]), 60)
    assert [j.status for j in done] == [JobStatus.READY] * 3, [j.failure_message for j in done]
    assert sim.control("GET", "stats")["faults"] == {rule["fault"]: rule["count"]}
    for job in done:
        video = store.assets.for_job(job.id)["video"]
        assert video.sha256 == sha256_file(library / video.path)
    assert_nothing_lost(store, library, sim)


async def test_lost_create_reply_is_adopted_not_resent(
    make_engine: Callable[..., Engine], store: Store, library: Path, sim: SimServer
) -> None:
    """The create lands but its reply is lost (3 times): found by list, never sent again."""
    faults(sim, {"fault": "reset", "route": "create", "count": 3, "phase": "after"})
    done = await run_one(make_engine())
    assert done.status is JobStatus.READY
    stats = sim.control("GET", "stats")
    assert len(sim.state.jobs) == 1
    assert stats["jobs_created_by_key"] == {done.idem_key: 1}
    events = [detail for _, _, detail in store.jobs.events(done.id)]
    assert "found at the provider after an interruption" in events
    assert_nothing_lost(store, library, sim)


async def test_read_timeout_then_recovery(
    make_engine: Callable[..., Engine], store: Store, library: Path, sim: SimServer
) -> None:
    faults(sim, {"fault": "slow", "route": "retrieve", "count": 2, "delay": 1.0})
    engine = make_engine(timeout=httpx.Timeout(0.3, connect=2.0))
    done = await run_one(engine)
    assert done.status is JobStatus.READY
    assert_nothing_lost(store, library, sim)


async def test_expired_content(
    make_engine: Callable[..., Engine], store: Store, library: Path, sim: SimServer
) -> None:
    sim.control("POST", "config", {"expiry_seconds": 0})
    done = await run_one(make_engine())
    assert done.status is JobStatus.EXPIRED
    assert done.failure_class is FailureClass.EXPIRED
    assert "expired" in (done.failure_message or "")
    assert "before it was downloaded" in (done.failure_message or "")
    assert store.assets.for_job(done.id) == {}
    assert_nothing_lost(store, library, sim)


async def test_moderation_block(
    make_engine: Callable[..., Engine], store: Store, library: Path, sim: SimServer
) -> None:
    done = await run_one(make_engine(), "Beyonce dancing on a rooftop")
    assert done.status is JobStatus.FAILED
    assert done.failure_class is FailureClass.POLICY
    assert done.failure_code == "moderation_blocked"
    assert done.failure_message == "Your request was blocked by our moderation system."
    assert store.jobs.failures(FailureClass.POLICY) == [done]


async def test_failed_render(
    make_engine: Callable[..., Engine], store: Store, library: Path, sim: SimServer
) -> None:
    faults(sim, {"fault": "render_failed", "route": "create", "count": 1})
    done = await run_one(make_engine())
    assert done.status is JobStatus.FAILED
    assert done.failure_class is FailureClass.RENDER
    assert done.failure_code == "video_generation_failed"
    assert store.jobs.failures(FailureClass.RENDER) == [done]


async def wait_paused(engine: Engine) -> None:
    for _ in range(200):
        if engine.paused:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the queue did not pause")


@pytest.mark.parametrize("route", ["create", "retrieve"])
async def test_401_mid_run_pauses_the_queue_and_loses_nothing(
    make_engine: Callable[..., Engine], store: Store, library: Path, sim: SimServer, route: str
) -> None:
    sim.control("POST", "config", {"render_seconds": 1.5})
    engine = make_engine()
    seen = Recorder()
    engine.bus.subscribe(seen)
    await engine.start()
    first = await engine.submit(spec("first"))
    await asyncio.wait_for(engine.wait_finished([first.id]), 30)
    if route == "retrieve":  # the key is revoked while the job renders
        second = await engine.submit(spec("second"))
        for _ in range(500):
            if store.jobs.get(second.id).status is JobStatus.RUNNING:  # type: ignore[union-attr]
                break
            await asyncio.sleep(0.02)
        faults(sim, {"fault": "401", "route": route, "count": 1})
    else:
        faults(sim, {"fault": "401", "route": route, "count": 1})
        second = await engine.submit(spec("second"))
    await wait_paused(engine)
    assert "refused the API key" in engine.pause_reason
    assert "Incorrect API key provided" in engine.pause_reason
    assert seen.of(ProviderHealth)[-1].ok is False  # type: ignore[attr-defined]
    assert seen.of(QueueState)[-1].paused  # type: ignore[attr-defined]
    row = store.jobs.get(second.id)
    assert row is not None
    assert row.failure_class is None  # kept, not failed
    if route == "create":
        assert row.status is JobStatus.QUEUED  # nothing was created: it waits for the key
    else:
        assert row.status in (JobStatus.RUNNING, JobStatus.DOWNLOADING, JobStatus.READY)
    engine.resume()  # the key works again
    (done,) = await asyncio.wait_for(engine.wait_finished([second.id]), 30)
    assert done.status is JobStatus.READY
    assert seen.of(ProviderHealth)[-1].ok is True  # type: ignore[attr-defined]
    assert_nothing_lost(store, library, sim)


class DiskFull(io.BytesIO):
    """A file that fills up after `after` bytes, as a full disk does."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.tell() + len(data) > self.after:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)

    def fileno(self) -> int:
        raise io.UnsupportedOperation("fileno")


async def test_disk_full_during_download_then_retry_without_rerender(
    make_engine: Callable[..., Engine],
    store: Store,
    library: Path,
    sim: SimServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_open = download.open_part

    def failing_open(path: Path) -> IO[bytes]:
        real_open(path).close()  # the .part exists, as with a real disk
        return DiskFull(after=10_000)  # type: ignore[return-value]

    monkeypatch.setattr(download, "open_part", failing_open)
    engine = make_engine()
    done = await run_one(engine)
    assert done.status is JobStatus.FAILED
    assert done.failure_class is FailureClass.STORAGE
    assert "No space left on device" in (done.failure_message or "")
    assert "retry downloads it again without a new render" in (done.failure_message or "")
    assert not list(library.rglob("*.part"))
    monkeypatch.setattr(download, "open_part", real_open)  # space freed
    again = await engine.retry(done.id)
    assert again.id == done.id
    (ready,) = await asyncio.wait_for(engine.wait_finished([done.id]), 30)
    assert ready.status is JobStatus.READY
    assert len(sim.state.jobs) == 1  # downloaded again, not rendered again
    assert_nothing_lost(store, library, sim)


async def test_provider_unreachable(
    store: Store, library: Path, sim: SimServer, refusing_port: int
) -> None:
    from studio.providers.openai_shape import OpenAIShapeProvider
    from tests.conftest import fast_retry

    port = refusing_port  # nobody listens there
    provider = OpenAIShapeProvider(
        f"http://127.0.0.1:{port}/v1", "k", retry=fast_retry(max_attempts=2)
    )
    engine = Engine(
        store, provider, provider_key="sim", library=library, config=fast_config(submit_rounds=2)
    )
    seen = Recorder()
    engine.bus.subscribe(seen)
    try:
        done = await run_one(engine)
    finally:
        await engine.stop()
        await provider.aclose()
    assert done.status is JobStatus.FAILED
    assert done.failure_class is FailureClass.TRANSPORT
    assert "Cannot reach" in (done.failure_message or "")
    assert seen.of(ProviderHealth)[0].ok is False  # type: ignore[attr-defined]
    assert store.jobs.get(done.id) is not None
