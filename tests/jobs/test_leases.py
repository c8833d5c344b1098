"""A second engine never touches another live engine's jobs, with the file lock out of the
way (as on a network filesystem that ignores it); a dead engine's jobs are taken over."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from studio.core.clock import SystemClock
from studio.jobs import Engine, EventBus, JobChanged
from studio.jobs.leases import EngineLease, process_alive
from studio.jobs.watch import OutsideChanges
from studio.sim.server import SimServer
from studio.store import JobStatus, Store
from studio.store.layout import job_folder
from tests.helpers import job_values, until
from tests.jobs.conftest import fast_config, spec
from tests.jobs.test_fault_matrix import faults


def second_connection(engine: Engine, store: Store) -> None:
    """The engine reads and writes through its own connection, as a second process does."""
    engine.store = engine.ledger.store = engine.intake.store = store
    engine.lease.store = store


async def test_a_second_engine_leaves_creates_in_flight_alone(
    make_engine: Callable[..., Engine], store: Store, sim: SimServer
) -> None:
    """Creates answered after 3 s; a second engine starts while they are out. Before
    leases its start-up sent them all again (40 renders for 30 jobs)."""
    faults(sim, {"fault": "slow", "route": "create", "delay": 3.0})
    first = make_engine(fast_config(max_concurrent=30), lock=False)
    await first.start()
    jobs = [await first.submit(spec(f"a tram, take {i}"), again=True) for i in range(12)]
    await until(
        lambda: all(store.jobs.get(j.id).status is JobStatus.SUBMITTING for j in jobs),  # type: ignore[union-attr]
        30,
        "every create out",
    )
    other = Store(store.db.path)
    second = make_engine(fast_config(max_concurrent=30), lock=False)
    second_connection(second, other)
    try:
        await second.start()  # its start-up reconcile: the first's creates are live
        done = await asyncio.wait_for(first.wait_finished([j.id for j in jobs]), 90)
    finally:
        await second.stop()
        other.close()
    assert [j.status for j in done] == [JobStatus.READY] * 12
    stats = sim.control("GET", "stats")
    assert stats["requests"]["openai.create"] == 12
    assert stats["duplicate_creates"] == 0
    for job in jobs:
        sends = Counter(status for _, status, _ in store.jobs.events(job.id))
        assert sends["submitting"] == 1, job.id
    assert {j.lease_id for j in done} == {first.lease.id}


async def test_the_jobs_of_an_engine_that_died_are_taken_over(
    make_engine: Callable[..., Engine], store: Store, sim: SimServer
) -> None:
    """Its heartbeat stops; once the lease expires, a live engine polls and downloads its
    jobs (nothing is sent again)."""
    sim.control("POST", "config", {"render_seconds": 2.0})
    config = fast_config(lease_ttl=1.0, lease_beat=0.2)
    dying = make_engine(config, lock=False)
    await dying.start()
    jobs = [await dying.submit(spec(f"a heron, take {i}"), again=True) for i in range(3)]
    await until(
        lambda: all(store.jobs.get(j.id).status is JobStatus.RUNNING for j in jobs),  # type: ignore[union-attr]
        30,
        "every job running",
    )
    for task in dying._loops:  # it dies: no more heartbeats, no goodbye
        task.cancel()
    await dying.tasks.cancel_all()
    dying._loops.clear()
    dying.lease.id = None
    other = Store(store.db.path)
    heir = make_engine(config, lock=False)
    second_connection(heir, other)
    try:
        await heir.start()
        heirs = heir.lease.id
        done = await asyncio.wait_for(heir.wait_finished([j.id for j in jobs]), 60)
    finally:
        await heir.stop()
        other.close()
    assert [j.status for j in done] == [JobStatus.READY] * 3
    assert {j.lease_id for j in done} == {heirs}
    assert sim.control("GET", "stats")["requests"]["openai.create"] == 3


async def test_a_download_another_live_engine_is_writing_is_not_swept(
    make_engine: Callable[..., Engine], store: Store, library: Path
) -> None:
    lease = EngineLease(store, SystemClock(), provider="sim", holder="another engine")
    lease.open()
    with store.db.write() as tx:
        theirs = store.jobs.insert(tx, job_values(1, status="downloading"), at=1.0)
        orphan = store.jobs.insert(tx, job_values(2, status="downloading"), at=1.0)
        store.jobs.update(tx, theirs, at=1.0, lease_id=lease.id)
    parts = []
    for job_id in (theirs, orphan):
        folder = job_folder(library, job_id)
        folder.mkdir(parents=True)
        parts.append(folder / "video.mp4.part")
        parts[-1].write_bytes(b"half a clip")
    engine = make_engine(lock=False)
    await engine.start()
    assert parts[0].exists()  # another live engine is downloading it
    assert not parts[1].exists()  # left by a crash
    theirs_now = store.jobs.get(theirs)
    assert theirs_now is not None
    assert theirs_now.lease_id == lease.id  # not taken over
    orphan_now = store.jobs.get(orphan)
    assert orphan_now is not None
    assert orphan_now.lease_id == engine.lease.id
    lease.end()


def test_a_lease_expires_when_its_heartbeat_stops_or_its_process_is_gone(store: Store) -> None:
    clock = SystemClock()
    mine = EngineLease(store, clock, provider="sim", holder="me", ttl=5.0)
    mine.open()
    other = EngineLease(store, clock, provider="sim", holder="other", ttl=5.0)
    other.open()
    assert mine.live() == {mine.id, other.id}
    with store.db.write() as tx:  # its heartbeat is old
        tx.execute("UPDATE engine_leases SET heartbeat_at = 0 WHERE id = ?", (other.id,))
    assert mine.live() == {mine.id}
    with store.db.write() as tx:  # beating, but its process is gone
        tx.execute(
            "UPDATE engine_leases SET heartbeat_at = ?, pid = ? WHERE id = ?",
            (clock.wall(), 2**22 + 7, other.id),
        )
    assert not process_alive(2**22 + 7)
    assert mine.live() == {mine.id}
    ended = mine.id
    mine.end()
    assert ended not in {lease.id for lease in store.leases.running()}


def test_changes_by_another_process_are_told_to_this_ones_listeners(store: Store) -> None:
    bus = EventBus()
    heard: list[int] = []
    bus.subscribe(lambda e: heard.append(e.job_id) if isinstance(e, JobChanged) else None)
    woken: list[bool] = []
    watch = OutsideChanges(store, bus, wake=lambda: woken.append(True))
    assert watch.look() == 0
    with store.db.write() as tx:  # this connection's own writes are told by its engine
        store.jobs.insert(tx, job_values(1, status="queued"), at=SystemClock().wall())
    assert watch.look() == 0
    other = Store(store.db.path)
    try:
        with other.db.write() as tx:
            job_id = other.jobs.insert(tx, job_values(2, status="queued"), at=SystemClock().wall())
        assert watch.look() >= 1
        assert job_id in heard
        assert woken == [True]
        assert watch.look() == 0  # told once
        with other.db.write() as tx:
            other.jobs.update(tx, job_id, at=SystemClock().wall() + 1, progress=50)
        heard.clear()
        assert watch.look() == 1
        assert heard == [job_id]
    finally:
        other.close()
