"""Engine fixtures: a real store file, a real library folder, the session simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from studio.config.settings import Settings
from studio.core.spec import RenderSpec
from studio.jobs import Engine, EngineConfig, Event, PollSchedule
from studio.providers.openai_shape import OpenAIShapeProvider
from studio.services import Services
from studio.sim.server import SimServer
from studio.store import Store
from tests.conftest import fast_retry

FAST_POLL = PollSchedule(fastest=0.1, start=0.2, slowest=0.5, jitter=0.1)


def fast_config(**kw: object) -> EngineConfig:
    base: dict[str, object] = {
        "poll": FAST_POLL,
        "outage_pause": 0.2,
        "max_concurrent": 10,
        "create_window": 0.5,  # the simulator lists a job the moment it makes it
    }
    return EngineConfig(**{**base, **kw})  # type: ignore[arg-type]


def spec(prompt: str = "a heron lands on a jetty", **kw: object) -> RenderSpec:
    base: dict[str, object] = {"model": "sim-fast", "prompt": prompt, "seconds": 4}
    base["size"] = "640x360"
    return RenderSpec(**{**base, **kw})  # type: ignore[arg-type]


async def services_around(engine: Engine) -> Services:
    """A run around an engine built by a test: started, as `take_library` leaves it."""
    await engine.start()
    return Services(Settings(), engine.store, engine.library, engine_=engine)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "studio.db")
    yield s
    s.close()


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    return folder


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list[Event]:
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
async def make_engine(
    sim: SimServer, store: Store, library: Path
) -> AsyncIterator[Callable[..., Engine]]:
    engines: list[Engine] = []
    providers: list[OpenAIShapeProvider] = []

    def make(
        config: EngineConfig | None = None, *, lock: bool = True, **provider_kw: object
    ) -> Engine:
        provider = OpenAIShapeProvider(
            str(provider_kw.pop("base_url", sim.openai_base_url)),
            str(provider_kw.pop("api_key", sim.api_key)),
            retry=fast_retry(max_attempts=2),
            label="the simulator",
            **provider_kw,  # type: ignore[arg-type]
        )
        providers.append(provider)
        engine = Engine(
            store,
            provider,
            provider_key="sim",
            library=library,
            config=config or fast_config(),
            lock=lock,
        )
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.stop()
    for provider in providers:
        await provider.aclose()
