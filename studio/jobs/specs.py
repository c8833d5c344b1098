"""Render specs as stored in the job row, with the fitted reference image kept in the library."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from studio.providers.types import ReferenceImage, RenderSpec
from studio.store.specs import ReferenceFit, StoredSpec

REFERENCE_DIR = "refs"


def stored_spec(
    spec: RenderSpec,
    slots: Mapping[str, str] | None = None,
    *,
    variant: str | None = None,
    reference_fit: ReferenceFit | None = None,
) -> StoredSpec:
    """The spec as stored; `slots` (the editor's fields) let a take be reopened for edits,
    `variant` names what this take varies, `reference_fit` how its image was made."""
    return StoredSpec(
        model=spec.model,
        prompt=spec.prompt,  # exactly as written
        seconds=spec.seconds,
        size=spec.size,
        resolution=spec.resolution,
        aspect_ratio=spec.aspect_ratio,
        seed=spec.seed,
        generate_audio=spec.generate_audio,
        reference_sha256=spec.reference.sha256 if spec.reference else None,
        reference_mime=spec.reference.mime if spec.reference else "image/png",
        reference_fit=reference_fit if spec.reference else None,
        slots=dict(slots) if slots else None,
        variant=variant,
    )


def reference_path(library: Path, sha256: str, mime: str = "image/png") -> Path:
    ext = ReferenceImage(b"", mime).filename.rsplit(".", 1)[1]
    return library / REFERENCE_DIR / f"{sha256}.{ext}"


def stored_reference(library: Path, spec: StoredSpec) -> Path | None:
    """Where a take's fitted reference image is kept (None if it had none)."""
    if not spec.reference_sha256:
        return None
    return reference_path(library, spec.reference_sha256, spec.reference_mime)


def render_spec(spec: StoredSpec, library: Path) -> RenderSpec:
    """What is sent again for a stored spec (the image read back from the library)."""
    path = stored_reference(library, spec)
    reference = ReferenceImage(path.read_bytes(), spec.reference_mime) if path else None
    return RenderSpec(
        model=spec.model,
        prompt=spec.prompt,
        seconds=spec.seconds,
        size=spec.size,
        resolution=spec.resolution,
        aspect_ratio=spec.aspect_ratio,
        seed=spec.seed,
        generate_audio=spec.generate_audio,
        reference=reference,
    )
