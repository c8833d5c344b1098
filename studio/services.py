"""What the window (or any front end) works with: store, provider, engine — opened off the
UI thread after the window is up, closed in order."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from studio import paths
from studio.connect import Connection, open_provider
from studio.errors import LibraryBusy
from studio.jobs import Engine, EngineConfig
from studio.jobs.budget import Usage
from studio.settings import Settings
from studio.sim.state import SimConfig
from studio.store import Store

SIM_DEMO_RENDER = SimConfig(render_range=(10.0, 30.0))  # feels like a real provider


@dataclass
class Services:
    settings: Settings
    store: Store
    connection: Connection
    engine: Engine
    library: Path
    busy: str = ""  # another process drives this library: review only (see try_start)

    def today(self) -> Usage | None:
        """Today's spend against the daily cap, if one is set."""
        usages = self.engine.budget.usages("default", self.engine.clock.wall())
        return next((u for u in usages if u.scope == "daily"), None)

    def spent_today(self) -> float:
        _, start, end = self.engine.budget.day_bounds(self.engine.clock.wall())
        return self.store.budgets.spent(created_from=start, created_to=end)

    def apply(self, settings: Settings) -> None:
        """New settings that need no reconnect (see `needs_reconnect`): limits and the
        reviewer's name take effect in the running services (caps: `set_daily_cap`)."""
        self.settings = settings
        self.engine.config.max_concurrent = (
            settings.max_concurrent or self.connection.max_concurrent
        )
        http = getattr(self.connection.provider, "http", None)
        if http is not None:
            http.limiter.set_rpm(settings.rpm)
        self.engine.wake()

    def set_daily_cap(self, cap: float | None) -> None:
        """Set or clear (None) the library's daily cap; it applies to the next send. A cap
        set below what is already spent raises its 50/80/100 % alerts now."""
        self._set_cap("daily", "*", cap, project="default")

    def set_project_cap(self, project: str, cap: float | None) -> None:
        """Set or clear (None) a project's cap, as `set_daily_cap`."""
        self._set_cap("project", project, cap, project=project)

    def _set_cap(self, scope: str, key: str, cap: float | None, *, project: str) -> None:
        self.store.budgets.set_cap(scope, key, cap)
        self.engine.ledger.check_budget(project)  # the caps `project`'s renders count against
        self.engine.wake()

    async def try_start(self) -> bool:
        """Start the engine if the library is free now (it was busy when opened)."""
        if not self.busy:
            return True
        try:
            await self.engine.start()
        except LibraryBusy as err:
            self.busy = str(err)
            return False
        self.busy = ""
        return True

    async def close(self) -> None:
        await self.engine.stop()
        await self.connection.aclose()
        self.store.close()


async def open_services(
    settings: Settings, *, sim_config: SimConfig | None = None, store_path: Path | None = None
) -> Services:
    store = await asyncio.to_thread(Store, store_path)
    if settings.daily_cap is not None and not store.budgets.ever_set("daily", "*"):
        # an older settings file held the cap: it moves into the library, once
        store.budgets.set_cap("daily", "*", settings.daily_cap)
    connection = await asyncio.to_thread(
        lambda: open_provider(
            settings.provider,
            base_url=settings.base_url or None,
            rpm=settings.rpm,
            enabled_models=settings.connection.enabled_models,
            sim_config=sim_config or SIM_DEMO_RENDER,
            sim_state=paths.data_dir() / "simulator" / "state.json",
        )
    )
    library = settings.library_dir()
    engine = Engine(
        store,
        connection.provider,
        provider_key=connection.key,
        library=library,
        config=EngineConfig(max_concurrent=settings.max_concurrent or connection.max_concurrent),
    )
    services = Services(settings, store, connection, engine, library)
    try:
        await engine.start()
    except LibraryBusy as err:  # a batch renders here: open for review until it is done
        services.busy = str(err)
    return services
