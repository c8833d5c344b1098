"""Pre-screen each new clip in a worker process and keep its flags.

A clip is screened after its download (the engine's `JobChanged` to ready with its assets,
or another process's, seen through `watch`), after an import (the library's change naming
the takes it brought), and on start for every take whose clip has no screening of its
present bytes yet — so a run closed half-way through loses nothing. The decoding happens in
`ScreenPool`'s worker; this side awaits the worker's future (`asyncio.wrap_future`), and
reads a few rows and records the result (`LibraryOps.record_screening`, whose change the
views follow) in a thread, so the loop is never held up.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from studio.core.flags import Flag, Screening
from studio.export.importer import IMPORTED
from studio.jobs.events import Event, EventBus, JobChanged
from studio.library.ops import TAKES, LibraryChange, ops_for
from studio.media.prescreen.expected import Expected, expected_for
from studio.media.prescreen.pool import ScreenPool
from studio.media.prescreen.thresholds import Thresholds, load_thresholds
from studio.providers.profiles import ModelProfile, ProfileSet, load_profiles
from studio.store import JobStatus, Store

log = logging.getLogger(__name__)

TIMEOUT = 600.0  # seconds one clip may take before its worker is stopped and it is flagged
CRASHES = 2  # a worker dying this often on one clip: the clip is flagged undecodable
NEW, BACKLOG = 0, 1  # the queue's ranks
CHUNK = 500  # backlog takes queued per loop turn


@dataclass(frozen=True)
class _Clip:
    """What a worker needs for one take, read from the library."""

    path: Path
    sha256: str
    expected: Expected


class Prescreener:
    def __init__(
        self,
        store: Store,
        library: Path,
        bus: EventBus,
        *,
        thresholds: Thresholds | None = None,
        pool: ScreenPool | None = None,
        profiles: ProfileSet | None = None,
        timeout: float = TIMEOUT,
    ) -> None:
        self.store, self.library, self.bus = store, library, bus
        self.thresholds = thresholds or load_thresholds()
        self.pool = pool or ScreenPool()
        self.timeout = timeout
        self._profiles = profiles
        # (NEW or BACKLOG, order, take): a fresh clip goes before what the last run left
        self._queue: asyncio.PriorityQueue[tuple[int, int, int]] = asyncio.PriorityQueue()
        self._order = itertools.count()
        self._queued: set[int] = set()
        self._crashes: Counter[int] = Counter()
        self._tasks: list[asyncio.Task[None]] = []
        self._sweep: asyncio.Task[None] | None = None
        self._stop: list[Callable[[], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._busy = 0  # clips in a worker now
        self.screened = 0  # clips screened by this run

    # ---- lifetime ---------------------------------------------------------------------------

    def start(self) -> None:
        """Listen for new clips and screen those without a result (on the loop's thread:
        the window calls it as it attaches, before or while the loop runs)."""
        if self._loop is not None:
            return
        self._loop = asyncio.get_event_loop()
        self._stop = [
            self.bus.subscribe(self._on_event),
            ops_for(self.store).listen(self._on_change),
        ]
        self._sweep = asyncio.ensure_future(self._unscreened())
        self._tasks = [asyncio.ensure_future(self._work()) for _ in range(self.pool.workers)]

    async def close(self) -> None:
        """Stop at once: a clip being screened is abandoned (screened on the next start)."""
        for stop in self._stop:
            stop()
        self._stop = []
        tasks = [t for t in (self._sweep, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks, self._sweep = [], None
        await asyncio.to_thread(self.pool.close)

    async def idle(self) -> None:
        """Return once every clip known so far has been screened (tests, benchmarks)."""
        if self._sweep is not None:
            await asyncio.shield(self._sweep)
        await self._queue.join()

    @property
    def pending(self) -> int:
        """Clips waiting or being screened."""
        return len(self._queued) + self._busy

    # ---- what to screen ---------------------------------------------------------------------

    def enqueue(self, job_ids: list[int], *, backlog: bool = False) -> None:
        """Screen these takes, in this order (on the loop's thread); one already waiting is
        not added twice. The `backlog` (what has no result from before) waits behind new
        clips, so a batch just downloaded is flagged first."""
        rank = BACKLOG if backlog else NEW
        for job_id in job_ids:
            if job_id not in self._queued:
                self._queued.add(job_id)
                self._queue.put_nowait((rank, next(self._order), job_id))

    def _on_event(self, event: Event) -> None:
        if (
            isinstance(event, JobChanged)
            and event.status == JobStatus.READY.value
            and "assets" in event.changed
        ):
            self.enqueue([event.job_id])

    def _on_change(self, change: LibraryChange) -> None:
        """An import's takes; told on whichever thread imported them."""
        if TAKES in change.what and change.takes and self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self._loop.call_soon_threadsafe(self.enqueue, sorted(change.takes))

    async def _unscreened(self) -> None:
        """Every take without a screening of its clip, newest first; queued a chunk per loop
        turn (a first start over a large library has thousands)."""
        found = await asyncio.to_thread(self.store.flags.unscreened)
        for start in range(0, len(found), CHUNK):
            self.enqueue(found[start : start + CHUNK], backlog=True)
            await asyncio.sleep(0)

    # ---- screening --------------------------------------------------------------------------

    async def _work(self) -> None:
        while True:
            _rank, _order, job_id = await self._queue.get()
            self._queued.discard(job_id)
            self._busy += 1
            try:
                await self._screen(job_id)
            except asyncio.CancelledError:
                raise
            except Exception:  # one take's trouble never stops the others
                log.exception("pre-screen of take %s failed", job_id)
            finally:
                self._busy -= 1
                self._queue.task_done()
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                # `close` cancelled it just as a clip's result came: `wait_for` then returns
                # the result and drops the cancel (Python 3.11), and the next `get` would
                # wait for ever, and `close` with it
                raise asyncio.CancelledError

    async def _screen(self, job_id: int) -> None:
        clip = await asyncio.to_thread(self._clip, job_id)
        if clip is None:
            return
        future = self.pool.submit(str(clip.path), clip.expected, self.thresholds)
        try:
            plain = await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except TimeoutError:  # (an OSError too: caught before the next)
            await asyncio.to_thread(self.pool.close)  # the worker is stuck in this file
            screening = self._undecodable(f"decoding took longer than {self.timeout:g} s")
        except OSError:
            return  # the file went away while it waited: nothing to say about it
        except BrokenProcessPool:  # the worker died: on this file, or on another's
            self._crashes[job_id] += 1
            if self._crashes[job_id] < CRASHES:
                self.enqueue([job_id])  # once more, in a fresh worker
                return
            screening = self._undecodable("the decoder stopped the worker process")
        else:
            screening = Screening.from_json(plain)
        self._crashes.pop(job_id, None)
        if await asyncio.to_thread(self._record, job_id, clip.sha256, screening):
            self.screened += 1

    def _clip(self, job_id: int) -> _Clip | None:
        """The take's clip if it has one not yet screened (in a thread: reads and a stat)."""
        job = self.store.jobs.get(job_id)
        video = self.store.assets.for_job(job_id).get("video")
        if job is None or video is None or self.store.assets.deleted_on_purpose(job_id):
            return None
        if self.store.flags.screened_bytes(job_id) == video.sha256:
            return None
        path = self.library / video.path
        if not path.is_file():
            return None
        # An import without a sidecar asked for nothing: its spec is made up from the file.
        expected = (
            Expected()
            if job.provider == IMPORTED
            else expected_for(job.spec, self._profile(job.model))
        )
        return _Clip(path, video.sha256, expected)

    def _record(self, job_id: int, sha256: str, screening: Screening) -> bool:
        """Keep the screening if the take still has the clip that was screened (not replaced
        or deleted since). In a thread: the write never holds the loop up, and the views
        hear of it on their own thread (see studio.ui.shell.library_events)."""
        video = self.store.assets.for_job(job_id).get("video")
        if video is None or video.sha256 != sha256:
            return False
        ops_for(self.store).record_screening(job_id, sha256, screening, source=self)
        return True

    def _profile(self, model: str) -> ModelProfile | None:
        if self._profiles is None:
            self._profiles = load_profiles()
        return self._profiles.get(model) if model in self._profiles else None

    def _undecodable(self, why: str) -> Screening:
        flag = Flag("undecodable", 0.0, 0.0, 0, 0, None, None, why)
        return Screening((flag,), self.thresholds.version, {}, screened_at=time.time())
