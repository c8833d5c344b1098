"""The asyncio job engine (no Qt): scheduler, poller, downloader, budget, events.

Names are imported on first use, so a module that needs only the event types (the UI at
start-up) does not pay for the engine's imports (PyAV, httpx).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studio.core.lazy import lazy_exports

if TYPE_CHECKING:
    from studio.jobs.budget import BudgetExceeded, BudgetGuard
    from studio.jobs.engine import Engine, EngineConfig
    from studio.jobs.events import (
        AssetReady,
        BudgetThreshold,
        Event,
        EventBus,
        JobChanged,
        ProviderHealth,
        QueueState,
    )
    from studio.jobs.poll_schedule import PollSchedule
    from studio.jobs.requests import Queued

_HOME = {
    "BudgetExceeded": "budget",
    "BudgetGuard": "budget",
    "Engine": "engine",
    "EngineConfig": "engine",
    "AssetReady": "events",
    "BudgetThreshold": "events",
    "Event": "events",
    "EventBus": "events",
    "JobChanged": "events",
    "ProviderHealth": "events",
    "QueueState": "events",
    "PollSchedule": "poll_schedule",
    "Queued": "requests",
}


__getattr__ = lazy_exports("studio.jobs", _HOME)

__all__ = [
    "AssetReady",
    "BudgetExceeded",
    "BudgetGuard",
    "BudgetThreshold",
    "Engine",
    "EngineConfig",
    "Event",
    "EventBus",
    "JobChanged",
    "PollSchedule",
    "ProviderHealth",
    "QueueState",
    "Queued",
]
