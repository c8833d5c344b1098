"""The kinds of provider Studio can talk to, and how people read a provider's key — light
(no httpx, no simulator), so the launcher and the settings can use it before the window."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

ProviderKind = Literal["sim", "openai", "openrouter"]
KINDS: tuple[ProviderKind, ...] = ("sim", "openai", "openrouter")

# How many renders each kind of provider runs at once unless the user says otherwise.
DEFAULT_CONCURRENCY = {"sim": 20, "openai": 4, "openrouter": 4}

NAMES = {
    "sim": "the built-in simulator",
    "openai": "the OpenAI-shape API",
    "openrouter": "OpenRouter",
}


def describe_provider_key(key: str) -> str:
    """A job's provider as people read it: "sim" → "the built-in simulator",
    "openai:https://gw.example.com/v1" → "the OpenAI-shape API at gw.example.com"."""
    kind, _, url = key.partition(":")
    name = NAMES.get(kind, kind or "another provider")
    host = urlsplit(url).hostname if url else None
    if kind == "sim" and host:
        return f"the simulator at {host}:{urlsplit(url).port}"
    return f"{name} at {host}" if host else name
