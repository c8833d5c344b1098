"""When the library cannot be written (disk full, read-only folder): say so once, pause,
back off, and carry on by itself when a probe write succeeds again.

Without it every engine task that writes would fail and be retried at once: a disk full
during a batch printed hundreds of thousands of tracebacks and never stopped.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable

from studio.core.errors import StorageError

log = logging.getLogger(__name__)

FIRST_WAIT = 2.0  # seconds before the first probe
LONGEST_WAIT = 60.0  # the wait doubles after each failed probe, up to this
CALM = 300.0  # healthy this long after a recovery, the next trouble starts the waits anew
RESTART_PAUSE = 1.0  # seconds before an engine loop that failed otherwise starts again


class StorageGuard:
    def __init__(
        self,
        probe: Callable[[], None],
        on_change: Callable[[StorageError | None], None],
        *,
        first_wait: float = FIRST_WAIT,
    ) -> None:
        """`probe` raises `StorageError` or `OSError` while writing is still impossible;
        `on_change` hears the trouble begin (with the error) and end (with None)."""
        self.error: StorageError | None = None
        self.failures = 0  # times trouble began: a test can see it never spins
        self.writable = asyncio.Event()
        self.writable.set()
        self._probe = probe
        self._on_change = on_change
        self._first_wait = first_wait
        self._wait = first_wait
        self._recovered_at = -math.inf
        self._recovery: asyncio.Task[None] | None = None

    def failed(self, err: StorageError) -> None:
        """A write failed for want of space or access (called by whoever saw it)."""
        if self.error is not None:
            return  # already known: one message, one recovery
        if time.monotonic() - self._recovered_at > CALM:
            self._wait = self._first_wait
        self.error = err
        self.failures += 1
        self.writable.clear()
        log.warning("%s", err)
        self._on_change(err)
        self._recovery = asyncio.ensure_future(self._recover())

    async def keep_running(self, run: Callable[[], Awaitable[None]]) -> None:
        """Run an engine loop; if a write fails, report it and start the loop again once
        the library can be written. Any other failure is logged and the loop starts again
        a moment later: a loop that died silently left the queue standing still (a busy
        database, a bug in one pass), with nothing to say why."""
        while True:
            try:
                await run()
                return
            except StorageError as err:
                self.failed(err)
                await self.writable.wait()
            except Exception:
                log.exception("an engine loop failed; starting it again")
                await asyncio.sleep(RESTART_PAUSE)

    def stop(self) -> None:
        if self._recovery is not None:
            self._recovery.cancel()

    async def _recover(self) -> None:
        while True:
            await asyncio.sleep(self._wait)
            self._wait = min(LONGEST_WAIT, self._wait * 2)
            try:
                self._probe()
            except (StorageError, OSError) as err:
                log.info("the library still cannot be written: %s", err)
                continue
            break
        log.warning("the library can be written again; carrying on")
        self.error = None
        self._recovered_at = time.monotonic()
        self.writable.set()
        self._on_change(None)
