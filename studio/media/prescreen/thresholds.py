"""The pre-screen's thresholds, as data: `resources/prescreen.toml` (or a file given to
`studio prescreen --thresholds`), checked field by field with the file and field named.

The file is the one home of every value: each check's dataclass below says which keys its
table must have and of what type, never their values.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.core.errors import ConfigError
from studio.core.resources import read_toml, resources_dir


class ThresholdsError(ConfigError):
    """The thresholds file cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Black:
    enabled: bool
    max_luma: float
    min_seconds: float


@dataclass(frozen=True)
class Frozen:
    enabled: bool
    max_change: float
    min_seconds: float


@dataclass(frozen=True)
class Flicker:
    enabled: bool
    min_jump: float
    min_reversals: int
    window_seconds: float


@dataclass(frozen=True)
class Blur:
    enabled: bool
    min_sharpness: float
    min_seconds: float


@dataclass(frozen=True)
class Silence:
    enabled: bool
    max_dbfs: float
    min_seconds: float


@dataclass(frozen=True)
class Duration:
    enabled: bool
    tolerance_seconds: float


@dataclass(frozen=True)
class Size:
    enabled: bool
    tolerance_pixels: int


@dataclass(frozen=True)
class FrameRate:
    enabled: bool
    tolerance_fps: float


@dataclass(frozen=True)
class Thresholds:
    version: str  # the file's `version` and a hash of its values: "1-3fa2c19e"
    width: int  # luma is scaled to this width before the checks
    black: Black
    frozen: Frozen
    flicker: Flicker
    blur: Blur
    silence: Silence
    duration: Duration
    size: Size
    frame_rate: FrameRate


_CHECKS: dict[str, type[Any]] = {
    "black": Black,
    "frozen": Frozen,
    "flicker": Flicker,
    "blur": Blur,
    "silence": Silence,
    "duration": Duration,
    "size": Size,
    "frame_rate": FrameRate,
}
# Values that may be below zero (a loudness in dB below full scale).
_SIGNED = frozenset({"max_dbfs"})


def default_path() -> Path:
    return resources_dir() / "prescreen.toml"


def load_thresholds(path: Path | None = None) -> Thresholds:
    """The thresholds in `path` (default: the shipped file), or `ThresholdsError`."""
    path = path or default_path()
    return thresholds_from(read_toml(path, ThresholdsError), source=str(path))


def thresholds_from(data: dict[str, Any], *, source: str) -> Thresholds:
    unknown = sorted(set(data) - {"version", "analysis", *_CHECKS})
    if unknown:
        raise ThresholdsError(f"{source}: unknown table or key '{unknown[0]}'")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ThresholdsError(f"{source}: 'version' must be a whole number from 1")
    analysis = _table(data, "analysis", source)
    width = analysis.get("width")
    if set(analysis) != {"width"} or not isinstance(width, int) or not 16 <= width <= 4096:
        raise ThresholdsError(f"{source}: [analysis] must have width, a whole number 16-4096")
    checks = {name: _check(kind, _table(data, name, source), name, source)
              for name, kind in _CHECKS.items()}  # fmt: skip
    values = json.dumps({"width": width, **{k: dataclasses.asdict(v) for k, v in checks.items()}},
                        sort_keys=True)  # fmt: skip
    digest = hashlib.sha256(values.encode()).hexdigest()[:8]
    return Thresholds(version=f"{version}-{digest}", width=width, **checks)


def _table(data: dict[str, Any], name: str, source: str) -> dict[str, Any]:
    table = data.get(name)
    if not isinstance(table, dict):
        raise ThresholdsError(f"{source}: [{name}] is missing")
    return table


def _check(kind: type[Any], table: dict[str, Any], name: str, source: str) -> Any:
    fields = {f.name: f.type for f in dataclasses.fields(kind)}
    extra = sorted(set(table) - set(fields))
    if extra:
        raise ThresholdsError(f"{source}: [{name}] has an unknown key '{extra[0]}'")
    values: dict[str, Any] = {}
    for key, typed in fields.items():
        if key not in table:
            raise ThresholdsError(f"{source}: [{name}] lacks '{key}'")
        values[key] = _value(table[key], str(typed), f"{source}: {name}.{key}", key in _SIGNED)
    return kind(**values)


def _value(value: object, typed: str, where: str, signed: bool) -> bool | int | float:
    if typed == "bool":
        if not isinstance(value, bool):
            raise ThresholdsError(f"{where} must be true or false")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ThresholdsError(f"{where} must be a number")
    if not math.isfinite(value) or (value < 0 and not signed):
        raise ThresholdsError(f"{where} must be a finite number" + ("" if signed else " ≥ 0"))
    if typed == "int":
        if not isinstance(value, int):
            raise ThresholdsError(f"{where} must be a whole number")
        return value
    return float(value)
