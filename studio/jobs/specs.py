"""Render specs as stored in the job row, with the fitted reference image kept in the library."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from studio.providers.types import ReferenceImage, RenderSpec

REFERENCE_DIR = "refs"


def spec_to_json(spec: RenderSpec, slots: Mapping[str, str] | None = None) -> str:
    """The spec as stored; `slots` (the editor's fields) let a take be reopened for edits."""
    data: dict[str, Any] = spec.normalized()
    data["prompt"] = spec.prompt  # keep the text exactly as written
    if spec.reference is not None:
        data["reference_mime"] = spec.reference.mime
    if slots:
        data["slots"] = dict(slots)
    return json.dumps(data, sort_keys=True)


def slots_of(spec_json: str) -> dict[str, str] | None:
    slots = json.loads(spec_json).get("slots")
    return dict(slots) if isinstance(slots, dict) else None


def slots_or_prompt(spec_json: str, prompt: str) -> dict[str, str]:
    """A take's slots; a job queued without them (CLI, batch files) is all subject."""
    return slots_of(spec_json) or {"subject": prompt}


def reference_path(library: Path, sha256: str, mime: str = "image/png") -> Path:
    ext = ReferenceImage(b"", mime).filename.rsplit(".", 1)[1]
    return library / REFERENCE_DIR / f"{sha256}.{ext}"


def spec_from_json(text: str, library: Path) -> RenderSpec:
    data = json.loads(text)
    reference = None
    if data.get("reference_sha256"):
        mime = data.get("reference_mime", "image/png")
        reference = ReferenceImage(
            reference_path(library, data["reference_sha256"], mime).read_bytes(), mime
        )
    return RenderSpec(
        model=data["model"],
        prompt=data["prompt"],
        seconds=int(data["seconds"]),
        size=data.get("size"),
        resolution=data.get("resolution"),
        aspect_ratio=data.get("aspect_ratio"),
        seed=data.get("seed"),
        generate_audio=data.get("generate_audio"),
        reference=reference,
    )
