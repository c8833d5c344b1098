"""A library that cannot be written (SQLite reports a full disk as OperationalError, tested
with `PRAGMA max_page_count`): one message, a pause, no spinning, and when there is room
again everything carries on with rows and files consistent; a clip saved before its row
could be written is adopted, never fetched again or deleted."""

from __future__ import annotations

import asyncio
import io
import itertools
import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from studio.commands.batch_run import run_batch
from studio.core.errors import StorageError
from studio.core.files import sha256_file
from studio.jobs import Engine
from studio.jobs.events import QueueState
from studio.jobs.storage_guard import StorageGuard
from studio.sim.server import SimServer
from studio.store import JobStatus, Store, StoreFull
from studio.store.layout import job_folder
from tests.helpers import scheduler_looked
from tests.jobs.conftest import Recorder, fast_config, services_around, spec


def fill_up(store: Store, table: str = "batches", row: tuple[object, ...] = ("", 0.0)) -> None:
    """As full as a full disk makes it: no page can be added, and `table`'s last page is
    filled with the smallest rows it takes, so the next real row there cannot fit."""
    store.db.query("VACUUM")
    pages = store.db.query("PRAGMA page_count")[0][0]
    store.db.query(f"PRAGMA max_page_count = {pages}")
    columns = {"batches": "(name, created_at)", "job_events": "(job_id, at, status)"}[table]
    marks = ", ".join("?" * len(row))
    for _ in range(10_000):
        try:
            with store.db.write() as tx:
                tx.execute(f"INSERT INTO {table} {columns} VALUES ({marks})", row)
        except StoreFull:
            return
    raise AssertionError(f"{table} never filled up")


def make_room(store: Store) -> None:
    store.db.query("PRAGMA max_page_count = 1073741823")


async def until(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


def assert_consistent(store: Store, library: Path) -> None:
    """Every ready row has its verified file; every clip file belongs to a ready row."""
    ready = {j.id for j in store.jobs.with_status(JobStatus.READY)}
    for job_id in ready:
        asset = store.assets.for_job(job_id)["video"]
        assert sha256_file(library / asset.path) == asset.sha256
    on_disk = {int(p.parent.name) for p in (library / "clips").glob("*/video.mp4")}
    assert on_disk == ready
    assert not list(library.rglob("*.part"))
    assert store.db.integrity_check() == "ok"


def test_a_full_database_says_so_in_one_line_and_changes_nothing(store: Store) -> None:
    batches = store.db.query("SELECT count(*) FROM batches")[0][0]
    fill_up(store)
    filled = store.db.query("SELECT count(*) FROM batches")[0][0]
    assert filled > batches

    def add_rows() -> None:
        with store.db.write() as tx:
            for _ in range(200):
                tx.execute("INSERT INTO batches (name, created_at) VALUES (?, 0)", ("x" * 2000,))

    with pytest.raises(StoreFull, match="could not be written: the disk is full") as full:
        add_rows()
    assert full.value.exit_code == 5
    assert store.db.query("SELECT count(*) FROM batches")[0][0] == filled  # rolled back whole
    with pytest.raises(StoreFull):
        store.db.probe_space()
    make_room(store)
    store.db.probe_space()  # room again, and the probe leaves nothing behind
    assert store.db.query("SELECT count(*) FROM batches")[0][0] == filled


async def test_database_full_mid_batch_pauses_backs_off_and_carries_on(
    make_engine: Callable[..., Engine],
    store: Store,
    library: Path,
    sim: SimServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    engine = make_engine(fast_config(storage_wait=0.3))
    seen = Recorder()
    engine.bus.subscribe(seen)
    await engine.start()
    queued = await engine.submit_batch([spec(f"a heron, take {i}") for i in range(6)], name="b")
    ids = [j.id for j in queued.jobs]
    await until(lambda: any(j.status is JobStatus.RUNNING for j in store.jobs.many(ids)), 30)
    fill_up(store, "job_events", (ids[0], 0.0, ""))  # every transition writes an event

    await until(lambda: engine.storage_error is not None, 30)
    assert engine.paused
    assert "the disk is full" in engine.pause_reason
    assert any(e.storage and e.paused for e in seen.of(QueueState))  # type: ignore[attr-defined]

    def probes() -> list[logging.LogRecord]:
        return [r for r in caplog.records if "still cannot be written" in r.getMessage()]

    await until(lambda: len(probes()) >= 3, 30)  # still full: probes go on, backing off
    assert engine.storage.failures == 1  # one episode, not one per task
    assert "engine task failed" not in caplog.text
    said = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in said if "could not be written" in r.getMessage()] == [
        engine.pause_reason
    ]  # said once
    times = [r.created for r in probes()[:3]]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Each wait doubles (0.3, 0.6, 1.2 s ...): no gap shorter than its wait (timers never
    # fire early), however busy the machine: backing off, not spinning.
    assert gaps[0] >= 0.6 * 0.95
    assert gaps[1] >= 1.2 * 0.95

    make_room(store)
    done = await asyncio.wait_for(engine.wait_finished(ids), 60)
    assert all(j.status is JobStatus.READY for j in done), [j.status for j in done]
    assert not engine.paused
    assert len(sim.state.jobs) == 6  # nothing rendered twice
    assert sim.control("GET", "stats")["duplicate_creates"] == 0
    assert_consistent(store, library)


async def test_a_clip_saved_before_its_row_was_written_is_adopted(
    make_engine: Callable[..., Engine],
    store: Store,
    library: Path,
    sim: SimServer,
) -> None:
    first = make_engine()
    await first.start()
    job = await first.submit(spec("an owl blinks"))
    (ready,) = await asyncio.wait_for(first.wait_finished([job.id]), 60)
    assert ready.status is JobStatus.READY
    await first.stop()
    # As a failed store write leaves it: the files are saved under their final names, the
    # row still says downloading and has no assets.
    folder = job_folder(library, job.id)
    kept = {p.name: sha256_file(p) for p in folder.iterdir()}
    with store.db.write() as tx:
        tx.execute("DELETE FROM assets WHERE job_id = ?", (job.id,))
        tx.execute("UPDATE jobs SET status = 'downloading' WHERE id = ?", (job.id,))
    downloads = sim.control("GET", "stats")["requests"]["openai.content"]
    sim.control("POST", "faults", {"rules": [{"fault": "500", "route": "content"}]})

    second = make_engine()
    await second.start()
    (adopted,) = await asyncio.wait_for(second.wait_finished([job.id]), 30)
    assert adopted.status is JobStatus.READY
    assert sim.control("GET", "stats")["requests"]["openai.content"] == downloads  # not fetched
    assert {p.name: sha256_file(p) for p in folder.iterdir()} == kept  # nor deleted
    assert_consistent(store, library)


async def test_a_batch_stops_with_the_storage_code_and_keeps_its_jobs(
    make_engine: Callable[..., Engine], store: Store, tmp_path: Path
) -> None:
    lines = tmp_path / "specs.jsonl"
    lines.write_text('{"prompt": "a kite over dunes", "model": "sim-fast"}\n' * 3)
    engine = make_engine(fast_config(storage_wait=0.3))
    fill_up(store)
    started = time.monotonic()
    progress = io.StringIO()
    with pytest.raises(StorageError) as stopped:
        await run_batch(await services_around(engine), lines, stream=progress)
    assert stopped.value.exit_code == 5
    assert "the disk is full" in str(stopped.value)
    assert "The batch stopped; its jobs are kept for the next run." in str(stopped.value)
    assert time.monotonic() - started < 10
    assert "specs.jsonl:" not in progress.getvalue()  # no line is blamed for it


async def test_the_clips_folder_full_pauses_new_renders_until_there_is_room(
    make_engine: Callable[..., Engine],
    store: Store,
    library: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The library folder full (a size-capped writer): the clip's job fails as storage,
    to be fetched again by retry or the next run, and no new render is sent until a probe
    write succeeds."""
    from studio.jobs import clip_files
    from tests.jobs.test_fault_matrix import DiskFull

    real_open = clip_files.open_part
    monkeypatch.setattr(clip_files, "open_part", lambda path: DiskFull(after=10_000))
    probe_ok = [False]

    def probe() -> None:
        if not probe_ok[0]:
            raise OSError(28, "No space left on device")

    engine = make_engine(fast_config(storage_wait=0.2, max_concurrent=1))
    engine.storage._probe = probe  # the folder stays full until the test says otherwise
    await engine.start()
    first = await engine.submit(spec("a tram crosses a bridge"))
    (failed,) = await asyncio.wait_for(engine.wait_finished([first.id]), 60)
    assert failed.failure_class is not None
    assert failed.failure_class.value == "storage"
    await until(lambda: engine.storage_error is not None, 10)
    second = await engine.submit(spec("a second tram"))
    await scheduler_looked(engine)
    assert store.jobs.get(second.id).status is JobStatus.QUEUED  # type: ignore[union-attr]

    monkeypatch.setattr(clip_files, "open_part", real_open)
    probe_ok[0] = True
    (ready,) = await asyncio.wait_for(engine.wait_finished([second.id]), 60)
    assert ready.status is JobStatus.READY
    assert not engine.paused


async def test_an_engine_loop_that_fails_otherwise_is_logged_and_started_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A loop that raised anything but a storage error used to end silently, and the queue
    stood still with nothing to say why."""
    guard = StorageGuard(lambda: None, lambda _err: None)
    runs: list[int] = []

    async def loop() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("one pass went wrong")

    with caplog.at_level(logging.ERROR, logger="studio.jobs.storage_guard"):
        await asyncio.wait_for(guard.keep_running(loop), 10)
    assert runs == [0, 1]  # started again, then ended as a loop ends
    assert "an engine loop failed; starting it again" in caplog.text
    assert "one pass went wrong" in caplog.text
    assert guard.failures == 0  # not a storage failure: nothing paused
