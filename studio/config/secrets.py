"""API keys: in the OS keyring only; for this session only where no keyring exists.

A key is never written to the database, settings, logs or exports. Where the platform has no
secure keyring (keyring's `fail` or `null` backends), `store` refuses with a message that
says so and how to proceed; the caller may keep the key in memory for the session.
"""

from __future__ import annotations

import contextlib
import os

import keyring
import keyring.errors

from studio.core.errors import ConfigError

SERVICE = "studio"
ENV_VAR = "STUDIO_API_KEY"
_session: dict[str, str] = {}


class NoKeyring(ConfigError):
    """No secure keyring is available on this system."""


def keyring_available() -> bool:
    backend = keyring.get_keyring()
    name = type(backend).__module__ + "." + type(backend).__name__
    return not any(bad in name for bad in ("keyring.backends.fail", "keyring.backends.null"))


def _no_keyring_message() -> str:
    return (
        "No secure keyring is available on this system, so the key cannot be saved. "
        f"It is kept for this session only; set {ENV_VAR} to provide it to commands, or install "
        "a keyring service (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Locker)."
    )


def store(provider: str, key: str) -> None:
    """Save `key` for `provider` in the OS keyring (and for this session)."""
    key = key.strip()
    if not key:
        raise ConfigError("The API key is empty.")
    _session[provider] = key
    if not keyring_available():
        raise NoKeyring(_no_keyring_message())
    try:
        keyring.set_password(SERVICE, provider, key)
    except keyring.errors.KeyringError as err:
        raise NoKeyring(f"The keyring refused to save the key ({type(err).__name__}).") from None


def kept_for_session(provider: str) -> bool:
    """The key is only in this process (there is no keyring to save it in)."""
    return provider in _session and not keyring_available() and not os.environ.get(ENV_VAR)


def forget(provider: str) -> None:
    _session.pop(provider, None)
    if keyring_available():
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(SERVICE, provider)


def lookup(provider: str) -> str | None:
    """The key for `provider`: environment, then this session, then the OS keyring."""
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR].strip()
    if provider in _session:
        return _session[provider]
    if not keyring_available():
        return None
    try:
        return keyring.get_password(SERVICE, provider)
    except keyring.errors.KeyringError:
        return None


def mask(key: str) -> str:
    """How a stored key is shown back: never in full."""
    return "…" + key[-4:] if len(key) > 8 else "••••"
