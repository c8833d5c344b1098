"""Choose and open a provider: the built-in simulator, an OpenAI-shape URL, or OpenRouter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from studio import secrets
from studio.errors import ConfigError
from studio.kinds import DEFAULT_CONCURRENCY, KINDS
from studio.providers.base import Provider
from studio.providers.http import validate_base_url
from studio.providers.openai_shape import OpenAIShapeProvider
from studio.providers.openrouter import DEFAULT_BASE_URL as OPENROUTER_URL
from studio.providers.openrouter import OpenRouterProvider
from studio.sim.server import SimServer
from studio.sim.state import SimConfig

OPENAI_URL = "https://api.openai.com/v1"


@dataclass
class Connection:
    provider: Provider
    sim: SimServer | None = None
    description: str = ""
    key: str = "sim"  # which jobs in the library belong to this provider
    max_concurrent: int = 4

    async def aclose(self) -> None:
        await self.provider.aclose()
        if self.sim is not None:
            self.sim.stop()


def open_provider(
    kind: str,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    rpm: int | None = None,
    enabled_models: Sequence[str] = (),
    sim_config: SimConfig | None = None,
    sim_state: Path | None = None,
) -> Connection:
    """Build the provider; for `sim`, start the simulator in this process first.

    `sim_state` keeps the built-in simulator's jobs in a file, so that a restarted Studio
    still finds the renders it started (as it would at a real provider)."""
    if kind not in KINDS:
        raise ConfigError(f"Unknown provider '{kind}'; choose one of: {', '.join(KINDS)}.")
    concurrency = DEFAULT_CONCURRENCY[kind]
    if kind == "sim":
        if base_url:
            url = validate_base_url(base_url)
            provider = OpenAIShapeProvider(
                url,
                api_key or SimServer.api_key,
                rpm=rpm,
                label="the simulator",
                enabled_models=enabled_models,
            )
            return Connection(provider, None, f"simulator at {url}", f"sim:{url}", concurrency)
        sim = SimServer(sim_config, state_file=sim_state).start()
        provider = OpenAIShapeProvider(
            sim.openai_base_url, sim.api_key, rpm=rpm, label="the built-in simulator"
        )
        return Connection(provider, sim, f"built-in simulator ({sim.url})", "sim", concurrency)
    url = validate_base_url(base_url or (OPENAI_URL if kind == "openai" else OPENROUTER_URL))
    key = api_key or secrets.lookup(kind)
    if not key:
        raise ConfigError(
            f"No API key for {kind}. Save one with 'studio key set {kind}' (stored in the OS "
            f"keyring) or set {secrets.ENV_VAR} for this shell."
        )
    if kind == "openai":
        provider = OpenAIShapeProvider(url, key, rpm=rpm, enabled_models=enabled_models)
        return Connection(
            provider, None, f"OpenAI-shape API at {url}", f"openai:{url}", concurrency
        )
    return Connection(
        OpenRouterProvider(url, key, rpm=rpm),
        None,
        f"OpenRouter at {url}",
        f"openrouter:{url}",
        concurrency,
    )
