"""The pre-screen runner: each clip downloaded from the simulator or imported is screened in
a worker process (never this one) and its flags kept and told as a library change; a run
closed mid-screen stops at once and the next start screens what it left; a worker that
dies is replaced; the sidecar carries the flags and an import screens its clips again."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path

import jsonschema

from studio.config.settings import Settings
from studio.core.files import sha256_file
from studio.export import export_takes
from studio.export.importer import import_folder
from studio.jobs import Engine, EventBus, JobChanged
from studio.library.ops import FLAGS, LibraryChange, ops_for
from studio.media.prescreen.pool import ScreenPool
from studio.services import RunOptions, open_services
from studio.services.prescreen import Prescreener
from studio.store import Store
from tests.helpers import job_values, until
from tests.jobs.conftest import spec
from tests.media import clips

SCHEMA = Path(__file__).resolve().parents[2] / "resources" / "schema" / "sidecar-1.schema.json"


def worker_pids(pool: ScreenPool) -> set[int]:
    executor = pool._executor
    return set(executor._processes or {}) if executor is not None else set()


def take_with_clip(store: Store, library: Path, clip: Path, n: int) -> int:
    """A ready take whose clip is `clip`, copied into the library (as a download leaves it)."""
    with store.db.write() as tx:
        job_id = store.jobs.insert(
            tx,
            job_values(n, model="sim-fast", spec_json='{"seconds": 4, "size": "320x180"}'),
            at=1.0,
        )
    folder = library / "clips" / f"{job_id:07d}"
    folder.mkdir(parents=True)
    shutil.copyfile(clip, folder / "video.mp4")
    with store.db.write() as tx:
        store.assets.add(tx, job_id=job_id, kind="video",
                         path=str((folder / "video.mp4").relative_to(library)),
                         sha256=f"{job_id:064d}", size=clip.stat().st_size, duration=4.0,
                         at=1.0)  # fmt: skip
    return job_id


async def test_each_download_is_screened_in_a_worker_and_told_as_a_change(
    make_engine: Callable[..., Engine], store: Store, library: Path, tmp_path: Path
) -> None:
    engine = make_engine()
    await engine.start()
    heard: list[LibraryChange] = []
    ops_for(store).listen(heard.append)
    runner = Prescreener(store, library, engine.bus)
    runner.start()
    try:
        queued = await engine.submit_batch(
            [spec(f"a paper boat, take {i}") for i in range(2)], name="boats", project="launch"
        )
        ids = [j.id for j in queued.jobs]
        await asyncio.wait_for(engine.wait_finished(ids), 60)
        await until(lambda: all(store.flags.screening(i) for i in ids), 60, "both screened")
        workers = worker_pids(runner.pool)
        assert workers
        assert os.getpid() not in workers  # decoded in a worker process, not here
        for job_id in ids:
            screening = store.flags.screening(job_id)
            assert screening is not None
            assert screening.flags == ()  # the simulator's clips are clean
            assert screening.measured["width"] == 640
            assert screening.measured["fps"] == 24.0
            assert screening.thresholds == runner.thresholds.version
        told = [c for c in heard if FLAGS in c.what]
        assert sorted(t for c in told for t in c.takes) == sorted(ids)

        # the sidecar carries the screening, valid against its schema
        flagged = ids[0]
        video = store.assets.for_job(flagged)["video"]
        clip = clips.write_clip(library / video.path, seconds=4, defect=clips.black(1.0, 2.0))
        with store.db.write() as tx:  # another clip under the take: screened again
            store.assets.add(tx, job_id=flagged, kind="video", path=video.path,
                             sha256=sha256_file(clip), size=clip.stat().st_size, duration=4.0,
                             at=2.0)  # fmt: skip
        runner.enqueue([flagged])
        await asyncio.wait_for(runner.idle(), 60)
        screening = store.flags.screening(flagged)
        assert screening is not None
        assert {f.check for f in screening.flags} >= {"black", "size"}
        side = await asyncio.to_thread(_sidecar_of, store, library, flagged, tmp_path / "out")
        jsonschema.validate(side, json.loads(SCHEMA.read_text()))
        assert side["prescreen"]["thresholds"] == runner.thresholds.version
        black = next(f for f in side["prescreen"]["flags"] if f["check"] == "black")
        assert (black["start"], black["end"], black["first_frame"]) == (1.0, 2.0, 24)
    finally:
        await runner.close()


def _sidecar_of(store: Store, library: Path, job_id: int, out: Path) -> dict[str, object]:
    job = store.jobs.get(job_id)
    assert job is not None
    report = export_takes(store, library, [job], out, reviewer="ana")
    (name,) = report.written
    data: dict[str, object] = json.loads((out / name).with_suffix(".json").read_text())
    return data


async def test_an_import_is_screened_where_it_arrives(store: Store, library: Path,
                                                      tmp_path: Path) -> None:  # fmt: skip
    folder = tmp_path / "incoming"
    folder.mkdir()
    clips.write_clip(folder / "dark.mp4", defect=clips.black(2.0, 3.0))
    clips.write_clip(folder / "fine.mp4", audio="tone")
    runner = Prescreener(store, library, EventBus())
    runner.start()
    try:
        report = await asyncio.to_thread(import_folder, store, library, folder)  # a thread
        assert len(report.added) == 2
        await until(lambda: all(store.flags.screening(i) for i in report.added), 60)
        flagged = {i: store.flags.checks_for([i])[i] for i in report.added}
        assert sorted(flagged.values()) == [(), ("black",)]  # nothing was asked of either
    finally:
        await runner.close()


async def test_a_fresh_download_goes_before_what_the_last_run_left(
    store: Store, library: Path, tmp_path: Path
) -> None:
    clip = clips.write_clip(tmp_path / "clip.mp4")
    fresh, *left = (take_with_clip(store, library, clip, n) for n in range(4))
    order: list[int] = []
    ops_for(store).listen(lambda change: order.extend(change.takes))
    bus = EventBus()
    runner = Prescreener(store, library, bus)
    runner.start()  # finds all four without a result: newest first
    bus.emit(JobChanged(fresh, "ready", frozenset({"status", "assets"})))  # just downloaded
    try:
        await asyncio.wait_for(runner.idle(), 60)
        assert order == [fresh, *reversed(left)]
    finally:
        await runner.close()


async def test_closing_mid_screen_stops_at_once_and_the_next_start_finishes(
    store: Store, library: Path, tmp_path: Path
) -> None:
    long = clips.write_clip(tmp_path / "long.mp4", seconds=12, width=1280, height=720)
    short = clips.write_clip(tmp_path / "short.mp4", defect=clips.frozen(1.0, 2.0))
    second = take_with_clip(store, library, short, 1)
    first = take_with_clip(store, library, long, 2)  # the newest: screened first
    runner = Prescreener(store, library, EventBus())
    runner.start()
    await until(lambda: worker_pids(runner.pool) and runner.pending == 2, 30, "a worker at it")
    workers = worker_pids(runner.pool)
    started = time.monotonic()
    await runner.close()
    assert time.monotonic() - started < 5.0  # never waits for the clip being decoded
    assert not any(_alive(pid) for pid in workers)
    assert store.flags.unscreened() == [first, second]  # nothing recorded half-way

    again = Prescreener(store, library, EventBus())
    again.start()  # a restart: what has no result yet is screened
    try:
        await asyncio.wait_for(again.idle(), 120)
        assert store.flags.unscreened() == []
        assert store.flags.checks_for([first, second]) == {
            first: ("duration", "size"),  # 12 s at 1280x720: not what the take asked
            second: ("frozen",),
        }
    finally:
        await again.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:  # a zombie is gone too
        return fh.read().split()[2] != "Z"


async def test_a_worker_that_dies_is_replaced_and_a_clip_that_kills_it_twice_is_flagged(
    store: Store, library: Path, tmp_path: Path
) -> None:
    clip = clips.write_clip(tmp_path / "clip.mp4", seconds=12, width=1280, height=720)
    job_id = take_with_clip(store, library, clip, 1)
    runner = Prescreener(store, library, EventBus())
    runner.start()
    try:
        killed: list[int] = []
        for _ in range(2):  # the worker dies under the clip twice
            await until(lambda: worker_pids(runner.pool) - set(killed), 30, "a new worker")
            (pid,) = worker_pids(runner.pool) - set(killed)
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        await asyncio.wait_for(runner.idle(), 60)
        screening = store.flags.screening(job_id)
        assert screening is not None
        (flag,) = screening.flags
        assert flag.check == "undecodable"
        assert flag.detail == "the decoder stopped the worker process"

        # once is not the clip's fault: a fresh worker screens it
        other = take_with_clip(store, library, clip, 2)
        runner.enqueue([other])
        await until(lambda: worker_pids(runner.pool) - set(killed), 30, "a new worker")
        (pid,) = worker_pids(runner.pool) - set(killed)
        os.kill(pid, signal.SIGKILL)
        await asyncio.wait_for(runner.idle(), 60)
        assert store.flags.checks_for([other]) == {other: ("duration", "size")}
    finally:
        await runner.close()


async def test_a_clip_that_takes_too_long_is_flagged_and_its_worker_stopped(
    store: Store, library: Path, tmp_path: Path
) -> None:
    clip = clips.write_clip(tmp_path / "clip.mp4")
    job_id = take_with_clip(store, library, clip, 1)
    runner = Prescreener(store, library, EventBus(), timeout=0.05)  # less than a spawn
    runner.start()
    try:
        await asyncio.wait_for(runner.idle(), 60)
        screening = store.flags.screening(job_id)
        assert screening is not None
        assert [f.detail for f in screening.flags] == ["decoding took longer than 0.05 s"]
        assert worker_pids(runner.pool) == set()
    finally:
        await runner.close()


async def test_the_services_screen_and_close_with_the_run(tmp_path: Path) -> None:
    services = await open_services(
        Settings(), RunOptions(db=tmp_path / "studio.db"), needs="library"
    )
    job_id = take_with_clip(
        services.store, services.library, clips.write_clip(tmp_path / "c.mp4", seconds=3), 1
    )
    runner = services.prescreen_clips()
    assert services.prescreen_clips() is runner  # one per run
    await asyncio.wait_for(runner.idle(), 60)
    assert services.store.flags.checks_for([job_id]) == {job_id: ("duration",)}
    started = time.monotonic()
    await services.close()
    assert time.monotonic() - started < 5.0
    assert services.prescreener is None
