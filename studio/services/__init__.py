"""One path for the app and every command: what a run needs, opened in one order.

settings → the library (database and clips folder) → the provider connection → the engine.
The window and `studio generate | batch | export | import | report | models` all open them
here, so a fact such as where the clips live, or which provider a job belongs to, has one
home. A command says how much it needs (`needs`): the library only, or also a provider, or
also the engine; command-line flags (`RunOptions`) override Settings for that run.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from studio.config.settings import Settings, load_settings
from studio.core import paths
from studio.core.errors import LibraryBusy, StudioError
from studio.jobs import Engine, EngineConfig, PollSchedule
from studio.jobs.budget import Standing
from studio.jobs.events import EventBus
from studio.jobs.watch import OutsideChanges
from studio.library.ops import ops_for
from studio.services.connect import Connection, open_provider, provider_key
from studio.sim.state import SimConfig
from studio.store import DB_NAME, Store
from studio.store.lock import Holder, LibraryLock

if TYPE_CHECKING:
    from studio.services.prescreen import Prescreener

SIM_DEMO_RENDER = SimConfig(render_range=(10.0, 30.0))  # feels like a real provider
GIB = 1024**3

Needs = Literal["library", "provider", "engine"]


@dataclass(frozen=True)
class RunOptions:
    """What a command line may set over Settings for one run (None: Settings decide)."""

    db: Path | None = None
    library: Path | None = None
    provider: str | None = None
    base_url: str | None = None
    rpm: int | None = None
    max_concurrent: int | None = None
    sim_config: SimConfig | None = None
    poll: PollSchedule | None = None  # how often to ask about running jobs (tests, benches)
    # Where jobs queued in this run come from: "" the window, else the command
    # ("studio batch specs.jsonl"); the queue shows it.
    origin: str = ""
    # Whether the window's run pre-screens clips in a worker process (tests about other
    # things leave it off: a worker per window costs a second of CPU each).
    prescreen: bool = True


def default_db() -> Path:
    return paths.data_dir() / DB_NAME


def library_folder(settings: Settings, db: Path) -> Path:
    """Where a library's clips live: for the library in the data folder, the folder chosen
    in Settings (default `library/` beside the database); for any other database,
    `library/` beside it (two databases never share a clips folder)."""
    if db.resolve() == default_db().resolve():
        return settings.library_dir()
    return db.parent / "library"


@dataclass
class Services:
    """What a run works with. `connection` and `engine` exist when the run needs them."""

    settings: Settings
    store_: Store | None  # None for a run that needs only the provider (`studio models`)
    library: Path
    options: RunOptions = field(default_factory=RunOptions)
    bus: EventBus = field(default_factory=EventBus)
    connection_: Connection | None = None
    engine_: Engine | None = None
    lock: LibraryLock | None = None
    holder: Holder | None = None  # who holds the library, while another process does
    busy: str = ""  # another process drives this library: why nothing renders here
    outside: OutsideChanges | None = None
    prescreener: Prescreener | None = None
    _watching: asyncio.Task[None] | None = None

    @property
    def store(self) -> Store:
        if self.store_ is None:
            raise StudioError("This run has no library open.")
        return self.store_

    @property
    def connection(self) -> Connection:
        if self.connection_ is None:
            raise StudioError("This run has no provider connection.")
        return self.connection_

    @property
    def engine(self) -> Engine:
        if self.engine_ is None:
            raise StudioError("This run has no engine.")
        return self.engine_

    @property
    def provider_key(self) -> str:
        kind, url = provider_choice(self.settings, self.options)
        return provider_key(kind, url)

    def standing(self, project: str | None = None) -> Standing:
        """What is left to spend today (and under `project`'s cap, if asked), as the status
        bar and the editor's cost line both show it."""
        return self.engine.budget.standing(self.engine.clock.wall(), project)

    def apply(self, settings: Settings) -> None:
        """New settings that need no reconnect (see `needs_reconnect`): limits and the
        reviewer's name take effect in the running services (caps: `set_daily_cap`)."""
        self.settings = settings
        engine = self.engine
        for name, value in _tuning(settings, self.options, self.connection).items():
            setattr(engine.config, name, value)
        http = getattr(self.connection.provider, "http", None)
        if http is not None:
            http.limiter.set_rpm(settings.rpm)
        engine.wake()

    def set_daily_cap(self, cap: float | None) -> None:
        """Set or clear (None) the library's daily cap; it applies to the next send. A cap
        set below what is already spent raises its 50/80/100 % alerts now."""
        self._set_cap("daily", "*", cap, project="default")

    def set_project_cap(self, project: str, cap: float | None) -> None:
        """Set or clear (None) a project's cap, as `set_daily_cap`."""
        self._set_cap("project", project, cap, project=project)

    def _set_cap(self, scope: str, key: str, cap: float | None, *, project: str) -> None:
        ops_for(self.store).set_cap(scope, key, cap)
        self.engine.ledger.check_budget(project)  # the caps `project`'s renders count against
        self.engine.wake()

    # ---- the library's engine ------------------------------------------------------------

    @property
    def sends_here(self) -> bool:
        """Whether what is queued here gets sent: by this run's engine, or by the engine of
        the process holding the library (same provider, same clips folder)."""
        if not self.busy:
            return True
        holder = self.holder
        return holder is not None and holder.sends_for(self.provider_key, str(self.library))

    async def try_start(self) -> bool:
        """Start the engine if the library is free now (it was busy when opened). A
        simulator opened without its state file (while another process held the library)
        is opened again with it first."""
        if self.engine_ is None or self.lock is None:
            return False
        if self.engine.running:
            return True
        holder = self.lock.try_acquire(**_about(self))
        if holder is not None:
            self._busy(holder)
            return False
        if self.connection.stateless:
            await self._reconnect_with_state()
        try:
            await self.engine.start()
        except LibraryBusy as err:  # pragma: no cover - the lock is held by this run
            self.busy = str(err)
            return False
        self.busy, self.holder = "", None
        return True

    async def take_library(self, *, wait: bool, stream: TextIO = sys.stderr) -> bool:
        """For a command: run the engine here (True), or, when another Studio process holds
        the library and sends for the same provider and folder, queue for it (False). A
        holder that cannot take jobs (an older Studio, another provider) is waited for,
        saying for whom, or with `wait=False` (--no-wait) refused at once (exit 7)."""
        announced = False
        while True:
            if await self.try_start():
                return True
            if self.sends_here:
                print(
                    f"studio: the library is in use by {self.holder}: its engine sends these "
                    "jobs; following them here.",
                    file=stream,
                    flush=True,
                )
                return False
            if not wait:
                raise LibraryBusy(
                    f"The library is in use by {self.holder}. Run again when it finishes, or "
                    "without --no-wait to wait for it."
                )
            if not announced:
                print(f"Waiting for {self.holder} to finish with this library…", file=stream)
                stream.flush()
                announced = True
            await asyncio.sleep(1.0)

    def holder_state(self) -> tuple[str, str]:
        """What the engine sending our jobs says of itself: ("", "") while it sends, else
        ("auth" | "storage" | "paused", why). This run's own engine, or the holder's."""
        if self.engine_ is not None and self.engine.running:
            return self.engine.state()
        lease_id = self.holder.lease if self.holder is not None else None
        lease = self.store.leases.get(lease_id) if lease_id is not None else None
        return (lease.state, lease.message) if lease is not None else ("", "")

    def _busy(self, holder: Holder) -> None:
        self.holder = holder
        where = self.store.db.path.parent
        self.busy = (
            f"The library {where} is in use by {holder}; it can be reviewed, and rendering "
            "here waits until that finishes."
        )
        if self.sends_here:
            self.busy = (
                f"The library {where} is in use by {holder}: renders queued here are sent by it."
            )

    async def _reconnect_with_state(self) -> None:
        old = self.engine
        await self.connection.aclose()
        self.connection_ = await asyncio.to_thread(_connect, self.settings, self.options, True)
        self.engine_ = _engine(self, old.library_lock)

    # ---- lifetime ------------------------------------------------------------------------

    def watch_outside(self) -> None:
        """Tell this run's listeners about jobs other processes change (a `studio batch`
        queuing beside the window, or another process's engine sending them)."""
        if self._watching is None:
            self.outside = OutsideChanges(self.store, self.bus, wake=self._wake)
            self._watching = asyncio.ensure_future(self.outside.run())

    def prescreen_clips(self) -> Prescreener | None:
        """Pre-screen in a worker process each clip downloaded or imported from now on, and
        every clip without a result yet (what the last run left); flags are told as library
        changes (`studio.library.ops.FLAGS`)."""
        if self.prescreener is None and self.options.prescreen:
            from studio.services.prescreen import Prescreener  # numpy and the pool: when used

            self.prescreener = Prescreener(self.store, self.library, self.bus)
            self.prescreener.start()
        return self.prescreener  # None where this run does not pre-screen

    def _wake(self) -> None:
        if self.engine_ is not None:
            self.engine_.wake()

    async def close(self) -> None:
        if self.prescreener is not None:  # its worker is stopped, never waited for
            await self.prescreener.close()
            self.prescreener = None
        if self._watching is not None:
            self._watching.cancel()
            await asyncio.gather(self._watching, return_exceptions=True)
            self._watching = None
        if self.engine_ is not None:
            await self.engine_.stop()
        elif self.lock is not None:
            self.lock.release()
        if self.connection_ is not None:
            await self.connection_.aclose()
        if self.store_ is not None:
            self.store_.close()


def provider_choice(settings: Settings, options: RunOptions) -> tuple[str, str]:
    """(kind, base URL) of the provider a run uses: the command line's, else Settings'."""
    kind = options.provider or settings.provider
    if options.base_url is not None:
        return kind, options.base_url
    return kind, settings.connection_for(kind).base_url


def _tuning(settings: Settings, options: RunOptions, connection: Connection) -> dict[str, Any]:
    """The engine settings a person can change while it runs (see `Services.apply`)."""
    conn = settings.connection_for(provider_choice(settings, options)[0])
    return {
        "max_concurrent": options.max_concurrent
        or conn.max_concurrent
        or connection.max_concurrent,
        "resend_unsure": conn.resend_unsure,
        "max_download_bytes": int(settings.largest_download_gib * GIB),
    }


def _connect(settings: Settings, options: RunOptions, holds_library: bool) -> Connection:
    kind, url = provider_choice(settings, options)
    conn = settings.connection_for(kind)
    sim_state = (options.db or default_db()).parent / "simulator" / "state.json"
    return open_provider(
        kind,
        base_url=url or None,
        rpm=options.rpm if options.rpm is not None else conn.rpm,
        enabled_models=conn.enabled_models,
        sim_config=options.sim_config or SIM_DEMO_RENDER,
        # Only the process that holds the library keeps the simulator's jobs.
        sim_state=sim_state if holds_library else None,
    )


def _about(services: Services) -> dict[str, object]:
    return {"provider": services.provider_key, "library": str(services.library), "takes_jobs": True}


def _engine(services: Services, lock: LibraryLock | None) -> Engine:
    settings, options, connection = services.settings, services.options, services.connection
    return Engine(
        services.store,
        connection.provider,
        provider_key=connection.key,
        library=services.library,
        config=EngineConfig(
            **_tuning(settings, options, connection), poll=options.poll or PollSchedule()
        ),
        bus=services.bus,
        lock=lock if lock is not None else False,
        holder=options.origin or "the Studio window",
        origin=options.origin,
    )


async def open_services(
    settings: Settings | None = None,
    options: RunOptions | None = None,
    *,
    needs: Needs = "engine",
) -> Services:
    """Open what a run needs, in order. With `needs="engine"` the engine is started when
    the library is free; when another process holds it, `busy` says so (review only, or
    queue for it: `sends_here`)."""
    options = options or RunOptions()
    if settings is None:
        settings = load_settings()[0]
    if needs == "provider":  # the library is not opened: a locked or damaged one is no bar
        folder = options.library or library_folder(settings, options.db or default_db())
        services = Services(settings, None, folder, options)
        services.connection_ = await asyncio.to_thread(_connect, settings, options, False)
        return services
    store = await asyncio.to_thread(Store, options.db)
    if settings.daily_cap is not None and not store.budgets.ever_set("daily", "*"):
        # an older settings file held the cap: it moves into the library, once
        ops_for(store).set_cap("daily", "*", settings.daily_cap)
    library = (options.library or library_folder(settings, store.db.path)).expanduser()
    services = Services(settings, store, library.resolve(), options)
    try:
        if needs == "library":
            return services
        services.lock = LibraryLock(store.db.path)
        holder = services.lock.try_acquire(**_about(services))
        holds = holder is None
        services.connection_ = await asyncio.to_thread(_connect, settings, options, holds)
        services.engine_ = _engine(services, services.lock)
        if holder is not None:
            services._busy(holder)
        else:
            await services.engine.start()
        if services.connection.problem:  # no key: what is queued waits, nothing is tried
            services.engine.pause(services.connection.problem)
        return services
    except BaseException:
        await services.close()
        raise
