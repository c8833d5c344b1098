"""The pre-screen's storage: a screening is written by the library operations (one change
naming the take), read back whole, replaced by the next, found again for the takes still to
screen, and gone with its take."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.core.flags import Flag, Screening
from studio.library.ops import FLAGS, LibraryChange, ops_for
from studio.store import Store
from tests.helpers import job_values

BLACK = Flag("black", 2.0, 3.0, 48, 71, 3.25, 20.0, "mean luma 3.2 (≤ 20) for 1.00 s")
SIZE = Flag("size", 0.0, 4.0, 0, 95, "320x240", "320x180", "320x240, 320x180 asked")
SHA_A, SHA_B = "a" * 64, "b" * 64


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "studio.db")
    yield s
    s.close()


def take_with_clip(store: Store, n: int, sha256: str = SHA_A) -> int:
    with store.db.write() as tx:
        job_id = store.jobs.insert(tx, job_values(n), at=1.0)
        store.assets.add(tx, job_id=job_id, kind="video", path=f"clips/{n}/video.mp4",
                         sha256=sha256, size=10, duration=4.0, at=1.0)  # fmt: skip
    return job_id


def test_a_screening_is_one_change_naming_its_take_and_reads_back_whole(store: Store) -> None:
    job_id = take_with_clip(store, 1)
    heard: list[LibraryChange] = []
    ops_for(store).listen(heard.append)
    screening = Screening((SIZE, BLACK), "1-abcdef12", {"seconds": 4.0, "fps": 24.0}, 5.5)
    ops_for(store).record_screening(job_id, SHA_A, screening, source="worker")
    assert heard == [LibraryChange(frozenset({FLAGS}), frozenset({job_id}))]
    assert heard[0].source == "worker"
    assert store.flags.screening(job_id) == screening  # measured numbers and sizes kept as given
    assert store.flags.checks_for([job_id]) == {job_id: ("black", "size")}


def test_the_next_screening_replaces_the_last(store: Store) -> None:
    job_id = take_with_clip(store, 1)
    ops = ops_for(store)
    ops.record_screening(job_id, SHA_A, Screening((BLACK, SIZE), "1-a", {}, 1.0))
    ops.record_screening(job_id, SHA_A, Screening((), "2-b", {"seconds": 4.0}, 2.0))
    again = store.flags.screening(job_id)
    assert again == Screening((), "2-b", {"seconds": 4.0}, 2.0)
    assert store.flags.checks_for([job_id]) == {job_id: ()}  # screened, nothing flagged
    assert store.db.query("SELECT count(*) FROM flags")[0][0] == 0


def test_takes_still_to_screen_are_found_newest_first(store: Store) -> None:
    screened, unscreened, replaced, deleted = (take_with_clip(store, n) for n in range(4))
    with store.db.write() as tx:
        no_clip = store.jobs.insert(tx, job_values("x", status="queued"), at=1.0)
    ops = ops_for(store)
    for job_id in (screened, replaced):
        ops.record_screening(job_id, SHA_A, Screening((), "1-a", {}, 1.0))
    with store.db.write() as tx:  # the clip was fetched again: other bytes
        store.assets.add(tx, job_id=replaced, kind="video", path="clips/2/video.mp4",
                         sha256=SHA_B, size=11, duration=4.0, at=2.0)  # fmt: skip
    ops.delete_local_clips(store.db.path.parent, [deleted])
    assert store.flags.unscreened() == [replaced, unscreened]
    assert no_clip not in store.flags.unscreened()
    assert store.flags.screened_bytes(replaced) == SHA_A
    assert store.flags.screened_bytes(unscreened) is None
    assert store.flags.checks_for([unscreened, screened]) == {screened: ()}


def test_a_deleted_take_takes_its_flags_with_it(store: Store) -> None:
    job_id = take_with_clip(store, 1)
    ops_for(store).record_screening(job_id, SHA_A, Screening((BLACK,), "1-a", {}, 1.0))
    with store.db.write() as tx:
        store.jobs.delete(tx, job_id)
    assert store.flags.screening(job_id) is None
    assert store.db.query("SELECT count(*) FROM flags")[0][0] == 0
