"""Errors a person can act on.

Every error Studio raises for bad input or a failing provider derives from `StudioError` and
carries a one-line message meant for the user: the CLI prints it, the UI shows it. Secrets never
appear in these messages (see `redact`).
"""

from __future__ import annotations

from collections.abc import Iterable


class StudioError(Exception):
    """Base class: `str(err)` is a complete, user-facing sentence; `exit_code` is what the
    command line exits with (see EXIT_CODES)."""

    exit_code = 2  # bad input, unless a subclass says otherwise


class ConfigError(StudioError):
    """A setting (base URL, key, provider choice) is unusable."""


class SpecError(StudioError):
    """A render spec that the chosen model does not allow; raised before any request."""


class StorageError(StudioError):
    """A file or the library could not be written (disk full, not writable)."""

    exit_code = 5


class TimeUp(StudioError):
    """`--timeout` ran out before the command's jobs finished (they go on next time)."""

    exit_code = 1


class LibraryBusy(StudioError):
    """Another Studio process drives this library's engine (and `--no-wait` was given)."""

    exit_code = 7


# What the command line exits with; when several apply, the first in PRIORITY wins.
EXIT_CODES = {
    0: "done",
    1: "a render failed or was refused by policy, its outcome is unsure, or time ran out",
    2: "bad input (refused batch lines, a --query term the search cannot use, files an "
    "import or prescreen could not read, a take or frame the library does not have)",
    3: "provider unreachable",
    4: "the provider refused the request or the key (400/401/403)",
    5: "storage (disk full, unwritable)",
    6: "budget cap reached",
    7: "library busy (--no-wait)",
    130: "interrupted",
}
PRIORITY = (130, 5, 4, 3, 6, 7, 1, 2)


def worst(codes: set[int]) -> int:
    """The one exit code for several outcomes (0 if there is nothing to report)."""
    return next((code for code in PRIORITY if code in codes), 0)


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every occurrence of a secret (API key) with a fixed mask."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return text
