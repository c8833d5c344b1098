"""Errors a person can act on.

Every error Studio raises for bad input or a failing provider derives from `StudioError` and
carries a one-line message meant for the user: the CLI prints it, the UI shows it. Secrets never
appear in these messages (see `redact`).
"""

from __future__ import annotations

from collections.abc import Iterable


class StudioError(Exception):
    """Base class: `str(err)` is a complete, user-facing sentence."""


class ConfigError(StudioError):
    """A setting (base URL, key, provider choice) is unusable."""


class SpecError(StudioError):
    """A render spec that the chosen model does not allow; raised before any request."""


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every occurrence of a secret (API key) with a fixed mask."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return text
