"""Shared fixtures: an isolated user world per test, and one simulator for the session."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import keyring
import keyring.backend
import pytest

from studio.config import secrets
from studio.core.clock import SystemClock
from studio.providers.openai_shape import OpenAIShapeProvider
from studio.providers.openrouter import OpenRouterProvider
from studio.providers.retry import RetryPolicy
from studio.sim.server import SimServer
from studio.sim.state import SimConfig

TEST_RENDER_SECONDS = 0.3


class MemoryKeyring(keyring.backend.KeyringBackend):
    """An in-memory keyring so tests never touch (or need) the OS one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture(autouse=True)
def isolated_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """Data, config, cache and keyring point at this test's own temporary places."""
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        folder = tmp_path / "user" / var.lower()
        folder.mkdir(parents=True)
        monkeypatch.setenv(var, str(folder))
    monkeypatch.delenv(secrets.ENV_VAR, raising=False)
    ring = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(ring)
    secrets._session.clear()
    yield ring
    keyring.set_keyring(previous)
    secrets._session.clear()


@pytest.fixture
def refusing_port() -> Iterator[int]:
    """A loopback port where nothing listens, held by this test: a socket bound to it (so
    no other test can take it) that never listens, so every connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def sim_server() -> Iterator[SimServer]:
    with SimServer(SimConfig(render_seconds=TEST_RENDER_SECONDS)) as server:
        yield server


@pytest.fixture
def sim(sim_server: SimServer) -> SimServer:
    """The session simulator, reset to no jobs, no faults and fast renders."""
    sim_server.control("POST", "reset")
    sim_server.control(
        "POST",
        "config",
        {
            "render_seconds": TEST_RENDER_SECONDS,
            "render_range": None,
            "expiry_seconds": 3600,
            "honour_idempotency": False,
            "list_endpoint": True,
        },
    )
    return sim_server


class InstantClock(SystemClock):
    """Real time for reading, but sleeps return at once and are recorded (fast retry tests)."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.offset = 0.0  # follows the simulator's clock when a test advances it

    def wall(self) -> float:
        return super().wall() + self.offset

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def fast_retry(**kw: float) -> RetryPolicy:
    return RetryPolicy(**{"base_delay": 0.01, "max_delay": 0.05, **kw})  # type: ignore[arg-type]


@pytest.fixture
def clock() -> InstantClock:
    return InstantClock()


@pytest.fixture
async def openai_client(sim: SimServer, clock: InstantClock) -> AsyncIterator[OpenAIShapeProvider]:
    provider = OpenAIShapeProvider(
        sim.openai_base_url, sim.api_key, retry=fast_retry(), clock=clock, label="the simulator"
    )
    yield provider
    await provider.aclose()


@pytest.fixture
async def openrouter_client(
    sim: SimServer, clock: InstantClock
) -> AsyncIterator[OpenRouterProvider]:
    provider = OpenRouterProvider(
        sim.openrouter_base_url, sim.api_key, retry=fast_retry(), clock=clock
    )
    yield provider
    await provider.aclose()
