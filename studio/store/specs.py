"""The render spec as stored on a job row, parsed once into typed fields.

Every reader (engine, queue, review, compare, export) goes through `StoredSpec`, so a renamed
field fails in mypy rather than silently in a column. Reading is lenient: a row written by an
older version (or damaged) still shows, with defaults for what it lacks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_PROJECT = 100  # characters in a project name (editor, batch lines)


@dataclass(frozen=True)
class ReferenceFit:
    """How the reference image was made: the person's file and how it was fitted."""

    name: str  # the original file name, e.g. "fox in snow.jpg"
    mode: str = "crop"  # crop | pad
    focus: tuple[float, float] = (0.5, 0.5)  # crop centre, fractions of the free space
    pad_color: str = "#000000"
    source_size: tuple[int, int] | None = None  # the original's pixels

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "mode": self.mode,
            "focus": list(self.focus),
            "pad_color": self.pad_color,
            "source_size": list(self.source_size) if self.source_size else None,
        }

    @classmethod
    def from_json(cls, data: object) -> ReferenceFit | None:
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            return None
        focus = _pair(data.get("focus"), float) or (0.5, 0.5)
        mode = data.get("mode")
        return cls(
            name=data["name"],
            mode=mode if isinstance(mode, str) and mode in ("crop", "pad") else "crop",
            focus=(float(focus[0]), float(focus[1])),
            pad_color=str(data.get("pad_color") or "#000000"),
            source_size=_pair(data.get("source_size"), int),
        )


@dataclass(frozen=True)
class StoredSpec:
    model: str
    prompt: str  # exactly as written
    seconds: int
    size: str | None = None
    resolution: str | None = None
    aspect_ratio: str | None = None
    seed: int | None = None
    generate_audio: bool | None = None
    reference_sha256: str | None = None
    reference_mime: str = "image/png"
    reference_fit: ReferenceFit | None = None
    slots: Mapping[str, str] | None = field(default=None, hash=False)  # the editor's fields
    variant: str | None = None  # what this take varies, e.g. "Camera: slow push"

    @property
    def frame(self) -> str:
        """The output frame as people read it: "1280x720" or "720p 16:9"."""
        if self.size:
            return self.size
        return " ".join(v for v in (self.resolution, self.aspect_ratio) if v) or "—"

    def slots_or_prompt(self) -> dict[str, str]:
        """The take's slots; a job queued without them (CLI, batch files) is all subject."""
        return dict(self.slots) if self.slots else {"subject": self.prompt}

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "model": self.model,
            "prompt": self.prompt,
            "seconds": self.seconds,
            "size": self.size,
            "resolution": self.resolution,
            "aspect_ratio": self.aspect_ratio,
            "seed": self.seed,
            "generate_audio": self.generate_audio,
            "reference_sha256": self.reference_sha256,
        }
        if self.reference_sha256:
            data["reference_mime"] = self.reference_mime
        if self.reference_fit is not None:
            data["reference_fit"] = self.reference_fit.as_json()
        if self.slots:
            data["slots"] = dict(self.slots)
        if self.variant:
            data["variant"] = self.variant
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, *, model: str = "", prompt: str = "") -> StoredSpec:
        """Parse a stored spec; `model` and `prompt` (the row's columns) fill in for a spec
        that lacks them."""
        try:
            data = json.loads(text or "{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        slots = data.get("slots")
        return cls(
            model=_text(data.get("model")) or model,
            prompt=data["prompt"] if isinstance(data.get("prompt"), str) else prompt,
            seconds=_int(data.get("seconds")) or 0,
            size=_text(data.get("size")),
            resolution=_text(data.get("resolution")),
            aspect_ratio=_text(data.get("aspect_ratio")),
            seed=_int(data.get("seed")),
            generate_audio=data["generate_audio"]
            if isinstance(data.get("generate_audio"), bool)
            else None,
            reference_sha256=_text(data.get("reference_sha256")),
            reference_mime=_text(data.get("reference_mime")) or "image/png",
            reference_fit=ReferenceFit.from_json(data.get("reference_fit")),
            slots={str(k): str(v) for k, v in slots.items()} if isinstance(slots, dict) else None,
            variant=_text(data.get("variant")),
        )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _pair(value: object, kind: type[int] | type[float]) -> tuple[Any, Any] | None:
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        return kind(value[0]), kind(value[1])
    return None
