"""The linter's shipped word lists (`resources/lint/terms.toml`)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from studio.core.resources import resources_dir


@dataclass(frozen=True)
class Conflict:
    a: tuple[str, ...]
    b: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class Terms:
    likely_blocked: tuple[str, ...]
    vague: tuple[str, ...]
    scene_breaks: tuple[str, ...]
    on_screen_text: tuple[str, ...]
    conflicts: tuple[Conflict, ...]
    not_names: tuple[str, ...] = ()  # film words a refusal never teaches as names ("HDR")

    @classmethod
    def load(cls, path: Path | None = None) -> Terms:
        path = path or resources_dir() / "lint" / "terms.toml"
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(
            likely_blocked=tuple(data["likely_blocked"]),
            vague=tuple(data["vague"]),
            scene_breaks=tuple(data["scene_breaks"]),
            on_screen_text=tuple(data["on_screen_text"]),
            conflicts=tuple(
                Conflict(tuple(c["a"]), tuple(c["b"]), c["message"]) for c in data["conflict"]
            ),
            not_names=tuple(data.get("not_names", ())),
        )
