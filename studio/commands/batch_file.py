"""Specs from people and files (CLI flags, JSONL lines) into `RenderSpec`s, every field
checked with a plain message that names it.

A batch file has one JSON object per line: `prompt` (required), and optionally `model`,
`seconds`, `size` or `resolution` + `aspect`, `seed`, `audio`, `image` (a path, relative to
the file), `fit` (crop|pad, with an image), `priority`, `project`, `render_again`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.core.errors import SpecError
from studio.core.spec import ReferenceImage, RenderSpec, project_name
from studio.media.images import check_image, fit_image
from studio.providers.profiles import ProfileSet

KNOWN_FIELDS = {
    "prompt",
    "model",
    "seconds",
    "size",
    "resolution",
    "aspect",
    "seed",
    "audio",
    "image",
    "fit",
    "priority",
    "project",
    "render_again",
}
MAX_PRIORITY = 1_000


def _text(fields: Mapping[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"'{name}' must be text, not {_shown(value)}.")
    return value.strip()


def _whole(
    fields: Mapping[str, Any], name: str, low: int, high: int, *, text_ok: bool = False
) -> int | None:
    """A whole number in [low, high]; "4" too where the API itself types it as text."""
    value = fields.get(name)
    if value is None:
        return None
    if text_ok and isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SpecError(
            f"'{name}' must be a whole number from {low:,} to {high:,}, not {_shown(value)}."
        )
    return value


def _shown(value: object) -> str:
    """A value as a person would read it in an error (never a Python repr of a list)."""
    if isinstance(value, str):
        return f'"{value[:40]}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"{value:g}" if isinstance(value, float) else str(value)


def build_spec(fields: Mapping[str, Any], profiles: ProfileSet, base_dir: Path) -> RenderSpec:
    """A validated spec; unset duration and frame default to the model's first allowed ones."""
    prompt = fields.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise SpecError("The prompt is empty: describe at least a subject and an action.")
    model = _text(fields, "model")
    profile = profiles.get(model) if model else next(iter(profiles))
    seconds = _whole(fields, "seconds", 1, 600, text_ok=True) or profile.durations[0]
    size, resolution = _text(fields, "size"), _text(fields, "resolution")
    aspect = _text(fields, "aspect")
    if not (size or resolution or aspect):
        if profile.sizes:
            size = profile.sizes[0]
        else:
            resolution, aspect = profile.resolutions[0], profile.aspect_ratios[0]
    audio = fields.get("audio")
    if audio is not None and not isinstance(audio, bool):
        raise SpecError(f"'audio' must be true or false, not {_shown(audio)}.")
    spec = RenderSpec(
        model=profile.id,
        prompt=prompt,
        seconds=seconds,
        size=size,
        resolution=resolution,
        aspect_ratio=aspect,
        seed=_whole(fields, "seed", 0, 2**32 - 1),
        generate_audio=audio,
    )
    image, fit = fields.get("image"), fields.get("fit")
    if fit is not None and fit not in ("crop", "pad"):
        raise SpecError(f"'fit' must be crop or pad, not {_shown(fit)}.")
    if isinstance(image, Path):  # from the command line
        image = str(image)
    if image is not None:
        if not isinstance(image, str) or not image.strip():
            raise SpecError(f"'image' must be a file path, not {_shown(image)}.")
        checked = check_image(base_dir / image)
        fitted = fit_image(
            checked.data, profile.output_size(spec), "pad" if fit == "pad" else "crop"
        )
        spec = dataclasses.replace(spec, reference=ReferenceImage(fitted))
    elif fit is not None:
        raise SpecError("'fit' needs an 'image' to fit.")
    profile.validate(spec)
    return spec


@dataclass(frozen=True)
class BatchLine:
    number: int
    spec: RenderSpec
    priority: int = 0
    project: str = "default"
    render_again: int = 0


def parse_line(raw: str, number: int, profiles: ProfileSet, base_dir: Path) -> BatchLine:
    """One line of a batch file, or `SpecError` saying what is wrong with it."""
    try:
        fields = json.loads(raw)
    except json.JSONDecodeError as err:
        raise SpecError(f"not valid JSON ({err.msg} at column {err.colno}).") from None
    except RecursionError:
        raise SpecError("not valid JSON (nested too deeply).") from None
    if not isinstance(fields, dict):
        raise SpecError('expected a JSON object like {"prompt": "..."}.')
    unknown = set(fields) - KNOWN_FIELDS
    if unknown:
        raise SpecError(f"unknown field(s) {', '.join(sorted(map(str, unknown)))}.")
    try:
        project = project_name(fields.get("project", "default"))
    except ValueError as err:
        raise SpecError(f"'project' {err}.") from None
    return BatchLine(
        number,
        build_spec(fields, profiles, base_dir),
        _whole(fields, "priority", -MAX_PRIORITY, MAX_PRIORITY) or 0,
        project,
        _whole(fields, "render_again", 0, 1_000) or 0,
    )


def line_key(path: Path, line: BatchLine, occurrence: int) -> str:
    """A line's identity: the file, what it renders, which of the identical lines it is,
    and which extra take (`render_again`) — so a re-run never queues it twice, and three
    identical lines are three takes."""
    payload = {
        "file": str(path.resolve()),
        "spec": line.spec.normalized(),
        "occurrence": occurrence,
        "render_again": line.render_again,
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    return f"line:{digest}"
