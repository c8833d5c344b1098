"""Settings are validated with clear messages; a damaged file is kept aside, never lost."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from studio.config.settings import (
    ConnectionSettings,
    Settings,
    load_settings,
    needs_reconnect,
    save_settings,
    settings_path,
)
from studio.core.errors import ConfigError


def test_round_trip_in_the_config_dir() -> None:
    s = Settings.for_provider(
        "openai",
        base_url="https://gw.example.com/v1",
        rpm=30,
        enabled_models=("sora-2",),
        daily_cap=25.0,
        reviewer="Ana",
        theme="light",
    )
    save_settings(s)
    assert settings_path().is_file()
    assert "key" not in settings_path().read_text()
    assert load_settings() == (s, None)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (Settings(provider="sora"), "Provider must be one of sim, openai, openrouter"),
        (Settings(provider="openai"), "needs a base URL"),
        (
            Settings.for_provider("openai", base_url="https://gw.exmaple .com/v1"),
            "contains a space",
        ),
        (Settings.for_provider("openai", base_url="http://gw.example.com/v1"), "not encrypted"),
        (Settings.for_provider("sim", rpm=0), "Requests per minute"),
        (Settings.for_provider("sim", max_concurrent=1000), "Concurrent renders"),
        (Settings(theme="neon"), "Theme must be one of dark, light"),
        (Settings(logo_safe_percent=40), "logo-safe margin"),
        (Settings(daily_cap=-1), "cannot be negative"),
        (Settings(library="relative/folder"), "absolute path"),
    ],
)
def test_bad_settings_are_refused_clearly(settings: Settings, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        save_settings(settings)


def test_damaged_file_is_kept_aside(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{ not json")
    settings, message = load_settings(path)
    assert settings == Settings()
    assert message is not None
    assert "could not be used" in message
    kept = list(tmp_path.glob("settings.json.bad-*"))
    assert len(kept) == 1
    assert kept[0].read_text() == "{ not json"


def test_invalid_values_in_file_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"provider": "openai", "base_url": "ftp://x"}))
    settings, message = load_settings(path)
    assert settings == Settings()
    assert message is not None
    assert "must start with https://" in message


def test_a_settings_file_from_before_per_provider_fields_keeps_its_values(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    flat = {"provider": "openai", "base_url": "https://gw.example.com/v1", "rpm": 40}
    path.write_text(json.dumps({**flat, "max_concurrent": 6, "daily_cap": 9.0}))
    settings, message = load_settings(path)
    assert message is None
    assert settings.connection_for("openai") == ConnectionSettings(
        base_url="https://gw.example.com/v1", rpm=40, max_concurrent=6
    )
    assert (settings.base_url, settings.daily_cap) == ("https://gw.example.com/v1", 9.0)


def test_each_provider_keeps_its_own_connection() -> None:
    """Switching to a gateway and back to the simulator kept the gateway's URL."""
    both = Settings(
        provider="sim",
        connections={
            "openai": ConnectionSettings(base_url="https://gw.example.com/v1", rpm=30),
            "sim": ConnectionSettings(max_concurrent=8),
        },
    )
    assert both.base_url == ""  # the simulator's own (none)
    assert both.max_concurrent == 8
    back = dataclasses.replace(both, provider="openai")
    assert (back.base_url, back.rpm, back.max_concurrent) == ("https://gw.example.com/v1", 30, None)


@pytest.mark.parametrize(
    ("change", "key_changed", "reconnect"),
    [
        ({"daily_cap": 3.0}, False, False),
        ({"reviewer": "Ben"}, False, False),
        ({"theme": "light"}, False, False),
        ({"connections": {"sim": ConnectionSettings(rpm=10, max_concurrent=2)}}, False, False),
        ({}, True, True),
        ({"provider": "openrouter"}, False, True),
        ({"library": "/tmp/elsewhere"}, False, True),
    ],
)
def test_saving_reconnects_only_when_the_connection_changed(
    change: dict[str, object], key_changed: bool, reconnect: bool
) -> None:
    old = Settings()
    new = dataclasses.replace(old, **change)  # type: ignore[arg-type]
    assert needs_reconnect(old, new, key_changed=key_changed) is reconnect
