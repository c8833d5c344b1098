"""The asyncio job engine (no Qt): scheduler, poller, downloader, budget, events."""

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
from studio.jobs.polling import PollSchedule

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
]
