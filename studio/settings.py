"""User settings (no secrets): a small JSON file in the platform config dir, validated.

A damaged settings file is not overwritten: it is renamed aside and defaults are used, with
a message saying so. API keys never live here (see `secrets.py`).
"""

from __future__ import annotations

import dataclasses
import getpass
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio import paths
from studio.connect import KINDS
from studio.errors import ConfigError
from studio.providers.http import validate_base_url

FILE_NAME = "settings.json"


@dataclass(frozen=True)
class Settings:
    provider: str = "sim"
    base_url: str = ""
    rpm: int | None = None
    max_concurrent: int | None = None
    daily_cap: float | None = None
    library: str = ""  # empty: the default folder in the data dir
    reviewer: str = ""

    def problems(self) -> list[str]:
        """What is wrong, one clear sentence each (empty when valid)."""
        out = []
        if self.provider not in KINDS:
            out.append(f"Provider must be one of {', '.join(KINDS)}.")
        if self.provider == "openai" and not self.base_url.strip():
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
        if self.daily_cap is not None and self.daily_cap < 0:
            out.append("The daily budget cannot be negative.")
        if self.library and not Path(self.library).expanduser().is_absolute():
            out.append("The library folder must be an absolute path.")
        return out

    @property
    def reviewer_name(self) -> str:
        return self.reviewer.strip() or _login()

    def library_dir(self) -> Path:
        return Path(self.library).expanduser() if self.library else paths.data_dir() / "library"


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
        known = {f.name for f in dataclasses.fields(Settings)}
        settings = Settings(**{k: v for k, v in data.items() if k in known})
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
    tmp.write_text(json.dumps(dataclasses.asdict(settings), indent=2), encoding="utf-8")
    os.replace(tmp, path)


def updated(settings: Settings, **changes: Any) -> Settings:
    return dataclasses.replace(settings, **changes)
