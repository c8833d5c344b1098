"""The pre-screen stops when told to, even when the stop lands just as a clip's result
arrives: `asyncio.wait_for` then returns the result and drops the cancel (Python 3.11), so
the worker task must see the cancel still asked for and end, or `close` (and the window's
close with it) would wait for ever."""

from __future__ import annotations

import asyncio
import concurrent.futures
from pathlib import Path
from typing import Any

from studio.core.flags import Screening
from studio.jobs import EventBus
from studio.services.prescreen import Prescreener
from studio.store import Store
from tests.helpers import until
from tests.media import clips
from tests.services.test_prescreen_runner import take_with_clip


class HeldPool:
    """A pool whose screenings the test finishes by hand (so it chooses the moment)."""

    workers = 1

    def __init__(self) -> None:
        self.futures: list[concurrent.futures.Future[Any]] = []
        self.closed = False

    def submit(self, *_args: object) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self.futures.append(future)
        return future

    def close(self) -> None:
        self.closed = True


async def test_close_ends_even_as_a_result_arrives(
    store: Store, library: Path, tmp_path: Path
) -> None:
    clip = clips.write_clip(tmp_path / "clip.mp4", seconds=1.0)
    take_with_clip(store, library, clip, 1)
    pool = HeldPool()
    runner = Prescreener(store, library, EventBus(), pool=pool)  # type: ignore[arg-type]
    runner.start()
    await until(lambda: pool.futures, 10, "the clip sent to the worker")
    pool.futures[0].set_result(Screening((), "test").as_json())  # its result, and at once:
    await asyncio.wait_for(runner.close(), 10)  # the stop (it timed out before the fix)
    assert pool.closed
