"""API keys live in the keyring only; without one, the session keeps them and says so."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from studio.config import secrets
from studio.core.errors import ConfigError
from tests.conftest import MemoryKeyring


def test_store_and_lookup_through_the_keyring(isolated_user: MemoryKeyring) -> None:
    secrets.store("openai", "  sk-live-1234567890  ")
    assert isolated_user.items == {("studio", "openai"): "sk-live-1234567890"}
    secrets._session.clear()
    assert secrets.lookup("openai") == "sk-live-1234567890"
    secrets.forget("openai")
    assert secrets.lookup("openai") is None


def test_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    secrets.store("openai", "sk-stored")
    monkeypatch.setenv(secrets.ENV_VAR, "sk-env")
    assert secrets.lookup("openai") == "sk-env"


def test_no_keyring_keeps_key_for_the_session_and_says_so() -> None:
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(secrets.NoKeyring, match="No secure keyring is available") as info:
        secrets.store("openrouter", "sk-or-abcdef123456")
    assert "sk-or-abcdef123456" not in str(info.value)
    assert secrets.lookup("openrouter") == "sk-or-abcdef123456"  # this session only
    assert not secrets.keyring_available()


def test_empty_key_refused() -> None:
    with pytest.raises(ConfigError, match="empty"):
        secrets.store("openai", "   ")


def test_mask_never_shows_the_key() -> None:
    assert secrets.mask("sk-live-1234567890") == "…7890"
    assert secrets.mask("short") == "••••"
