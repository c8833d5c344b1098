"""User settings (no secrets): a small JSON file in the platform config dir, validated.

Each kind of provider keeps its own connection fields (base URL, limits, models it serves),
so switching to a gateway and back to the simulator leaves each as it was. A damaged file is
not overwritten: it is renamed aside and defaults are used, with a message saying so. API
keys never live here (see `secrets.py`).
"""

from __future__ import annotations

import dataclasses
import getpass
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core import paths
from studio.core.errors import ConfigError
from studio.providers.kinds import KINDS

FILE_NAME = "settings.json"
THEMES = ("dark", "light")


@dataclass(frozen=True)
class ConnectionSettings:
    """How to reach one kind of provider."""

    base_url: str = ""
    rpm: int | None = None
    max_concurrent: int | None = None
    # For a server with no `GET /models`: the models it serves (ids of Studio's profiles).
    enabled_models: tuple[str, ...] = ()
    # Send a create whose reply was lost again by itself, although the provider may then
    # render (and bill) it twice. Off: such a create waits for a person (see jobs/unsure.py).
    resend_unsure: bool = False

    def problems(self, kind: str) -> list[str]:
        from studio.providers.http import validate_base_url  # httpx: only when checking

        out = []
        if kind == "openai" and not self.base_url.strip():
            out.append("An OpenAI-shape provider needs a base URL (e.g. https://…/v1).")
        if self.base_url.strip():
            try:
                validate_base_url(self.base_url)
            except ConfigError as err:
                out.append(str(err))
        if self.rpm is not None and not 1 <= self.rpm <= 10_000:
            out.append("Requests per minute must be between 1 and 10,000.")
        if self.max_concurrent is not None and not 1 <= self.max_concurrent <= 500:
            out.append("Concurrent renders must be between 1 and 500.")
        if any(not m.strip() or len(m) > 200 for m in self.enabled_models):
            out.append("Each enabled model is a model id, e.g. sora-2.")
        return out


@dataclass(frozen=True)
class Settings:
    provider: str = "sim"
    connections: Mapping[str, ConnectionSettings] = field(default_factory=dict)
    daily_cap: float | None = None
    library: str = ""  # empty: the default folder in the data dir
    reviewer: str = ""
    theme: str = "dark"
    logo_safe_percent: float = 5.0  # the player's logo-safe guide, % of the frame
    largest_download_gib: float = 2.0  # a clip larger than this is not downloaded

    @classmethod
    def for_provider(cls, kind: str, **values: Any) -> Settings:
        """Settings with one provider's connection filled in (connection fields by name)."""
        names = {f.name for f in dataclasses.fields(ConnectionSettings)}
        conn = ConnectionSettings(**{k: v for k, v in values.items() if k in names})
        rest = {k: v for k, v in values.items() if k not in names}
        return cls(provider=kind, connections={kind: conn}, **rest)

    @property
    def connection(self) -> ConnectionSettings:
        """The current provider's connection fields."""
        return self.connection_for(self.provider)

    def connection_for(self, kind: str) -> ConnectionSettings:
        return self.connections.get(kind) or ConnectionSettings()

    @property
    def base_url(self) -> str:
        return self.connection.base_url

    @property
    def rpm(self) -> int | None:
        return self.connection.rpm

    @property
    def max_concurrent(self) -> int | None:
        return self.connection.max_concurrent

    def problems(self) -> list[str]:
        """What is wrong, one clear sentence each (empty when valid)."""
        out = []
        if self.provider not in KINDS:
            out.append(f"Provider must be one of {', '.join(KINDS)}.")
        for kind, conn in self.connections.items():
            if kind in KINDS and (kind == self.provider or conn.base_url):
                out += conn.problems(kind)
        if self.provider not in self.connections:
            out += ConnectionSettings().problems(self.provider)
        if self.daily_cap is not None and self.daily_cap < 0:
            out.append("The daily budget cannot be negative.")
        if self.library and not Path(self.library).expanduser().is_absolute():
            out.append("The library folder must be an absolute path.")
        if self.theme not in THEMES:
            out.append(f"Theme must be one of {', '.join(THEMES)}.")
        if not 0 <= self.logo_safe_percent <= 20:
            out.append("The logo-safe margin must be between 0 and 20 % of the frame.")
        if not 0.01 <= self.largest_download_gib <= 1024:
            out.append("The largest download must be between 0.01 and 1,024 GiB.")
        return out

    @property
    def reviewer_name(self) -> str:
        return self.reviewer.strip() or _login()

    def library_dir(self) -> Path:
        return Path(self.library).expanduser() if self.library else paths.data_dir() / "library"

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["connections"] = {
            kind: {**dataclasses.asdict(conn), "enabled_models": list(conn.enabled_models)}
            for kind, conn in self.connections.items()
        }
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Settings:
        """From the file; a file from before per-provider connections (flat `base_url`,
        `rpm`, `max_concurrent`) keeps its values under its provider."""
        known = {f.name for f in dataclasses.fields(cls)} - {"connections"}
        values = {k: v for k, v in data.items() if k in known}
        conn_names = {f.name for f in dataclasses.fields(ConnectionSettings)}
        connections: dict[str, ConnectionSettings] = {}
        raw = data.get("connections") or {}
        if not isinstance(raw, dict):
            raise ValueError("'connections' must be an object")
        for kind, conn in raw.items():
            if not isinstance(conn, dict):
                raise ValueError(f"'connections.{kind}' must be an object")
            fields = {k: v for k, v in conn.items() if k in conn_names}
            fields["enabled_models"] = tuple(fields.get("enabled_models") or ())
            connections[str(kind)] = ConnectionSettings(**fields)
        flat = {k: data[k] for k in ("base_url", "rpm", "max_concurrent") if k in data}
        if flat and not connections:
            connections[str(data.get("provider", "sim"))] = ConnectionSettings(**flat)
        return cls(connections=connections, **values)


def needs_reconnect(old: Settings, new: Settings, *, key_changed: bool) -> bool:
    """Whether saving must close the provider and engine and open them again (which stops
    submits in flight): only when where or how Studio connects changed. Limits, the budget,
    the reviewer's name, the theme and the guides apply to the running services."""
    return (
        key_changed
        or old.provider != new.provider
        or old.base_url != new.base_url
        or old.connection.enabled_models != new.connection.enabled_models
        or old.library_dir() != new.library_dir()
    )


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "reviewer"


def settings_path() -> Path:
    return paths.config_dir() / FILE_NAME


def load_settings(path: Path | None = None) -> tuple[Settings, str | None]:
    """(settings, message): defaults and a message if the file is missing parts or damaged."""
    path = path or settings_path()
    if not path.exists():
        return Settings(), None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        settings = Settings.from_json(data)
        problems = settings.problems()
        if problems:
            raise ValueError(problems[0])
    except (OSError, UnicodeDecodeError, ValueError, TypeError) as err:
        aside = path.with_name(f"{path.name}.bad-{time.strftime('%Y%m%d-%H%M%S')}")
        os.replace(path, aside)
        return Settings(), (
            f"Settings in {path} could not be used ({err}); it was kept as "
            f"{aside.name} and defaults are in use."
        )
    return settings, None


def save_settings(settings: Settings, path: Path | None = None) -> None:
    problems = settings.problems()
    if problems:
        raise ConfigError(problems[0])
    path = path or settings_path()
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(settings.to_json(), indent=2), encoding="utf-8")
    os.replace(tmp, path)


def updated(settings: Settings, **changes: Any) -> Settings:
    return dataclasses.replace(settings, **changes)
