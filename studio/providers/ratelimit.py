"""A client-wide requests-per-minute limiter (sliding 60 s window)."""

from __future__ import annotations

import asyncio
from collections import deque

from studio.core.clock import Clock, SystemClock

WINDOW = 60.0


class RpmLimiter:
    """`await acquire()` before each request; at most `rpm` requests start in any 60 s window."""

    def __init__(self, rpm: int | None, clock: Clock | None = None) -> None:
        if rpm is not None and rpm <= 0:
            raise ValueError("requests per minute must be positive")
        self.rpm = rpm
        self._clock = clock or SystemClock()
        self._starts: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        if self.rpm is None:
            return
        async with self._lock:  # FIFO: waiters are served in arrival order
            while True:
                now = self._clock.monotonic()
                while self._starts and now - self._starts[0] >= WINDOW:
                    self._starts.popleft()
                if len(self._starts) < self.rpm:
                    self._starts.append(now)
                    return
                await self._clock.sleep(WINDOW - (now - self._starts[0]))

    def set_rpm(self, rpm: int | None) -> None:
        """A new limit, from the next request on (requests already started still count)."""
        if rpm is not None and rpm <= 0:
            raise ValueError("requests per minute must be positive")
        self.rpm = rpm

    def in_window(self) -> int:
        now = self._clock.monotonic()
        return sum(1 for t in self._starts if now - t < WINDOW)
