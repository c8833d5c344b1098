"""What the engine tells its listeners (UI, CLI, tests). Plain asyncio; no Qt."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobChanged:
    job_id: int
    status: str
    changed: frozenset[str]  # column names, so a view redraws only what changed


@dataclass(frozen=True)
class AssetReady:
    job_id: int
    kind: str
    path: str


@dataclass(frozen=True)
class BudgetThreshold:
    scope: str  # daily | project
    key: str  # the day (YYYY-MM-DD) or the project name
    threshold: int  # 50, 80 or 100 (percent)
    spent: float
    cap: float

    def sentence(self) -> str:
        what = "Today's budget" if self.scope == "daily" else f"The budget for '{self.key}'"
        return f"{what} is {self.threshold} % used: ${self.spent:.2f} of ${self.cap:.2f}" + (
            " — new renders are refused until it is raised." if self.threshold >= 100 else "."
        )


@dataclass(frozen=True)
class ProviderHealth:
    provider: str
    ok: bool
    message: str


@dataclass(frozen=True)
class QueueState:
    paused: bool
    reason: str
    storage: bool = False  # paused because the library cannot be written


Event = JobChanged | AssetReady | BudgetThreshold | ProviderHealth | QueueState
Listener = Callable[[Event], None]


class EventBus:
    """Synchronous fan-out on the event loop's thread; a failing listener is logged, not fatal."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with each event; returns what stops it (harmless once the bus
        was cleared: the window clears it before the services close)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def clear(self) -> None:
        self._listeners.clear()

    def emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("event listener failed on %r", event)

    async def stream(self) -> AsyncIterator[Event]:
        """Every event from now on, as an async iterator."""
        queue: asyncio.Queue[Event] = asyncio.Queue()
        unsubscribe = self.subscribe(queue.put_nowait)
        try:
            while True:
                yield await queue.get()
        finally:
            unsubscribe()
