"""Choose and open a provider: the built-in simulator, an OpenAI-shape URL, or OpenRouter."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from studio.config import secrets
from studio.core import paths
from studio.core.errors import ConfigError
from studio.providers import capabilities
from studio.providers.base import Provider
from studio.providers.http import validate_base_url
from studio.providers.kinds import DEFAULT_CONCURRENCY, KINDS
from studio.providers.openai_shape import OpenAIShapeProvider
from studio.providers.openrouter import DEFAULT_BASE_URL as OPENROUTER_URL
from studio.providers.openrouter import OpenRouterProvider
from studio.providers.profiles import ProfileSet, load_profiles
from studio.providers.unconnected import NotConnected
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
    # The built-in simulator keeps its jobs in a file, used only by the process that holds
    # the library; a simulator without one (`stateless`) only answers what models it has.
    stateless: bool = False
    problem: str = ""  # why nothing can be sent yet (no key): the library works regardless

    async def aclose(self) -> None:
        await self.provider.aclose()
        if self.sim is not None:
            self.sim.stop()


def provider_key(kind: str, base_url: str | None) -> str:
    """Which jobs in the library belong to a provider: "sim" for the built-in simulator,
    else the kind and its base URL ("openai:https://gw.example.com/v1")."""
    if kind == "sim" and not base_url:
        return "sim"
    default = OPENAI_URL if kind == "openai" else OPENROUTER_URL
    return f"{kind}:{validate_base_url(base_url or default)}"


def _models_cache(key: str) -> Path:
    """Where a provider's last model list is kept (one file per provider and address)."""
    return paths.cache_dir() / "models" / f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"


def _simulator_honours_keys(url: str) -> bool:
    """What a simulator says of itself (its control API): started with
    --honour-idempotency or not. Its own documentation, as it were."""
    root = url.rsplit("/v1", 1)[0].rsplit("/api", 1)[0]
    try:
        config = httpx.get(root + "/_sim/config", timeout=2.0).json()
    except (httpx.HTTPError, ValueError):
        return False
    return isinstance(config, dict) and config.get("honour_idempotency") is True


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
    still finds the renders it started (as it would at a real provider); only the process
    that holds the library may use it. Whether the provider honours Idempotency-Key comes
    from its capability data (`resources/providers`)."""
    if kind not in KINDS:
        raise ConfigError(f"Unknown provider '{kind}'; choose one of: {', '.join(KINDS)}.")
    concurrency = DEFAULT_CONCURRENCY[kind]
    key = provider_key(kind, base_url)
    caps = capabilities.for_kind(kind)
    connection = _open(kind, base_url, key, caps.idempotency_key, concurrency, api_key=api_key,
                       rpm=rpm, enabled_models=enabled_models, sim_config=sim_config,
                       sim_state=sim_state)  # fmt: skip
    if caps.lookup == "none":  # documented: no list to find a lost job in (or poll with)
        connection.provider.supports_list = False
    return connection


def _open(
    kind: str,
    base_url: str | None,
    key: str,
    honours: bool,
    concurrency: int,
    *,
    api_key: str | None,
    rpm: int | None,
    enabled_models: Sequence[str],
    sim_config: SimConfig | None,
    sim_state: Path | None,
) -> Connection:
    if kind == "sim":
        if base_url:
            url = validate_base_url(base_url)
            provider = OpenAIShapeProvider(
                url,
                api_key or SimServer.api_key,
                rpm=rpm,
                label="the simulator",
                enabled_models=enabled_models,
                honours_idempotency=honours or _simulator_honours_keys(url),
            )
            return Connection(provider, None, f"simulator at {url}", key, concurrency)
        sim = SimServer(sim_config, state_file=sim_state).start()
        provider = OpenAIShapeProvider(
            sim.openai_base_url,
            sim.api_key,
            rpm=rpm,
            label="the built-in simulator",
            honours_idempotency=honours or sim.state.config.honour_idempotency,
        )
        description = f"built-in simulator ({sim.url})"
        return Connection(provider, sim, description, key, concurrency, stateless=sim_state is None)
    url = validate_base_url(base_url or (OPENAI_URL if kind == "openai" else OPENROUTER_URL))
    secret = api_key or secrets.lookup(kind)
    if not secret:  # the library still opens: renders wait for a key (see NotConnected)
        label = "OpenAI-shape API" if kind == "openai" else "OpenRouter"
        reason = (
            f"No API key for {kind}: nothing can be sent until one is saved (in Settings, or "
            f"with 'studio key set {kind}'; {secrets.ENV_VAR} for one shell)."
        )
        known = ProfileSet(
            p
            for p in load_profiles()
            if kind in p.apis and (not enabled_models or p.id in enabled_models)
        )
        return Connection(
            NotConnected(kind, reason, known),
            None,
            f"{label} (no API key)",
            key,
            concurrency,
            problem=reason,
        )
    if kind == "openai":
        provider = OpenAIShapeProvider(
            url, secret, rpm=rpm, enabled_models=enabled_models, honours_idempotency=honours
        )
        return Connection(provider, None, f"OpenAI-shape API at {url}", key, concurrency)
    return Connection(
        OpenRouterProvider(
            url, secret, rpm=rpm, honours_idempotency=honours, models_cache=_models_cache(key)
        ),
        None,
        f"OpenRouter at {url}",
        key,
        concurrency,
    )
