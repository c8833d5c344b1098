"""The worker process the app pre-screens in: never the GUI thread or the asyncio loop.

A `ProcessPoolExecutor` with the *spawn* start method (the app has Qt and threads: a fork
would copy them half-way), one worker by default, started with the first clip and kept for
the next. The worker runs at a lower priority (nice), so decoding never competes with the
window for a core; `cores` pins it (the benchmark measures on one core). Jobs go in as a
path and two small dataclasses; screenings come back as plain data.

`close` never waits for a clip being decoded: the worker is stopped, and the clip, having
no result yet, is screened again on the next start.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from studio.media.prescreen.expected import Expected
from studio.media.prescreen.screen import screen_plain
from studio.media.prescreen.thresholds import Thresholds

NICE = 10  # how much lower than the app the worker runs
STOP_WAIT = 5.0  # seconds a stopped worker gets before it is killed
T = TypeVar("T")


class ScreenPool:
    def __init__(
        self, workers: int = 1, *, cores: set[int] | None = None, nice: int = NICE
    ) -> None:
        self.workers = max(1, workers)
        self.cores = cores
        self.nice = nice
        self._executor: ProcessPoolExecutor | None = None

    def submit(
        self, path: str, expected: Expected, thresholds: Thresholds
    ) -> Future[dict[str, Any]]:
        """Screen `path` in a worker (started now if none runs)."""
        return self.call(screen_plain, path, expected, thresholds)

    def peak_memory(self) -> Future[int]:
        """A worker's peak resident memory in bytes (the benchmark quotes it)."""
        return self.call(peak_rss)

    def call(self, function: Callable[..., T], *args: Any) -> Future[T]:
        """Run a module-level function in a worker."""
        return self._pool().submit(function, *args)

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is not None and getattr(self._executor, "_broken", False):
            self.close()  # a worker died (a decoder crashed on a file): start afresh
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(self.nice, self.cores),
            )
        return self._executor

    def close(self) -> None:
        """Stop the workers now: queued jobs are cancelled, one in progress is abandoned
        (its future fails with `BrokenProcessPool`)."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        # The pool's own parts, to stop its workers now rather than after their job.
        processes = list((executor._processes or {}).values())
        manager = getattr(executor, "_executor_manager_thread", None)
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(STOP_WAIT)
            if process.is_alive():
                process.kill()
                process.join(STOP_WAIT)
        if isinstance(manager, threading.Thread):
            manager.join(STOP_WAIT)  # it ends once it has seen its workers go


def _start_worker(nice: int, cores: set[int] | None) -> None:
    """In the worker: Ctrl+C is the app's to handle; run below the app; on `cores`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if nice and hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(nice)
    if cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, cores)


def peak_rss() -> int:
    """This process's peak resident memory in bytes: Linux's high-water mark of this
    program's own memory (getrusage would count the app's memory at the fork before
    exec), else getrusage's (macOS counts bytes); 0 where the platform says neither."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import resource
    except ImportError:
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)
