"""Presets from `resources/presets/*.toml`: one slot's text, or a starter filling several."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from studio.core.errors import ConfigError
from studio.core.resources import read_toml, resources_dir
from studio.prompts.slots import SLOTS


class PresetFileError(ConfigError):
    """A preset file is unreadable or has a bad field; the message names both."""


@dataclass(frozen=True)
class Preset:
    id: str
    name: str
    group: str  # camera | lighting | style | starter
    slots: dict[str, str] = field(default_factory=dict)


def load_presets(folder: Path | None = None) -> dict[str, list[Preset]]:
    """Presets by group, in file order."""
    folder = folder or resources_dir() / "presets"
    groups: dict[str, list[Preset]] = {}
    for path in sorted(folder.glob("*.toml")):
        for preset in _load_file(path):
            groups.setdefault(preset.group, []).append(preset)
    return groups


def _load_file(path: Path) -> list[Preset]:
    data = read_toml(path, PresetFileError)
    group = data.get("group")
    if not isinstance(group, str) or not group:
        raise PresetFileError(f"{path}: field 'group' must be a non-empty string")
    entries = data.get("preset")
    if not isinstance(entries, list) or not entries:
        raise PresetFileError(f"{path}: needs at least one [[preset]] table")
    presets, seen = [], set()
    for i, entry in enumerate(entries, start=1):
        where = f"{path}: preset {i}"
        pid, name, slots = entry.get("id"), entry.get("name"), entry.get("slots")
        if not isinstance(pid, str) or not pid or pid in seen:
            raise PresetFileError(f"{where}: field 'id' must be a unique non-empty string")
        if not isinstance(name, str) or not name:
            raise PresetFileError(f"{where}: field 'name' must be a non-empty string")
        if not isinstance(slots, dict) or not slots:
            raise PresetFileError(f"{where}: field 'slots' must be a table of slot = text")
        bad = [k for k, v in slots.items() if k not in SLOTS or not isinstance(v, str)]
        if bad:
            raise PresetFileError(
                f"{where}: field 'slots.{bad[0]}' is not one of {', '.join(SLOTS)} with text"
            )
        seen.add(pid)
        presets.append(Preset(pid, name, group, dict(slots)))
    return presets
