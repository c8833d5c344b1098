"""Settings are validated with clear messages; a damaged file is kept aside, never lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.errors import ConfigError
from studio.settings import Settings, load_settings, save_settings, settings_path


def test_round_trip_in_the_config_dir() -> None:
    s = Settings(
        provider="openai",
        base_url="https://gw.example.com/v1",
        rpm=30,
        daily_cap=25.0,
        reviewer="Ana",
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
        (Settings(provider="openai", base_url="https://gw.exmaple .com/v1"), "contains a space"),
        (Settings(provider="openai", base_url="http://gw.example.com/v1"), "not encrypted"),
        (Settings(rpm=0), "Requests per minute"),
        (Settings(max_concurrent=1000), "Concurrent renders"),
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
