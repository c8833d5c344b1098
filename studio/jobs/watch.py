"""Jobs changed by other processes, told to this process's listeners like its own changes.

A `studio batch` beside the open window queues its lines into the library, and the window's
engine sends them; or the window is open for review while a batch's engine renders. Either
way the window's queue must show what the other process did, within a second. SQLite says
when another connection has committed (`PRAGMA data_version`); the jobs changed since the
last look are then read by their `updated_at` and announced as `JobChanged`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from studio.jobs.events import EventBus, JobChanged
from studio.store import Store

EVERY = 0.5  # seconds between looks
# A change is committed a moment after it is stamped: look this far back each time, and
# announce only what differs from what was seen.
OVERLAP = 10.0
# What a change by another process may have touched, for the views to redraw.
ANY_COLUMN = frozenset(
    {
        "created",
        "status",
        "progress",
        "priority",
        "queue_pos",
        "failure_class",
        "actual_cost",
        "estimated_cost",
        "submitted_at",
        "batch_id",
        "assets",
    }
)


class OutsideChanges:
    def __init__(self, store: Store, bus: EventBus, *, wake: Callable[[], None]) -> None:
        self.store, self.bus, self.wake = store, bus, wake
        self._version = store.db.data_version()
        self._since = time.time() - OVERLAP
        self._seen: dict[int, float] = {}  # job id → updated_at announced (within OVERLAP)

    async def run(self, every: float = EVERY) -> None:
        while True:
            await asyncio.sleep(every)
            self.look()

    def look(self) -> int:
        """Announce the jobs others changed since the last look; returns how many."""
        version = self.store.db.data_version()
        if version == self._version:
            return 0
        self._version = version
        now = time.time()
        changed: list[tuple[int, str]] = []
        for job_id, status, at in self.store.jobs.changed_since(self._since):
            if self._seen.get(job_id) != at:
                self._seen[job_id] = at
                changed.append((job_id, status))
        self._since = now - OVERLAP
        self._seen = {k: v for k, v in self._seen.items() if v >= self._since}
        for job_id, status in changed:
            self.bus.emit(JobChanged(job_id, status, ANY_COLUMN))
        if changed:
            self.wake()  # queued by another process: the engine here may send them
        return len(changed)
