"""Where the library keeps its files (one home for the folder layout)."""

from __future__ import annotations

from pathlib import Path

from studio.core.spec import ReferenceFit, ReferenceImage, StoredSpec

REFERENCE_DIR = "refs"
CLIPS_DIR = "clips"
FILE_NAMES: dict[str, str] = {  # a take's files in its folder, by variant
    "video": "video.mp4",
    "thumbnail": "thumbnail.webp",
    "spritesheet": "spritesheet.jpg",
}


def job_folder(library: Path, job_id: int) -> Path:
    """Where a take's clip, thumbnail and spritesheet are kept."""
    return library / CLIPS_DIR / f"{job_id:07d}"


def reference_path(library: Path, sha256: str, mime: str = "image/png") -> Path:
    """A reference image kept once per content: the fitted one a take was sent with, and
    the person's original it was fitted from."""
    return library / REFERENCE_DIR / f"{sha256}.{ReferenceImage(b'', mime).extension}"


def stored_reference(library: Path, spec: StoredSpec) -> Path | None:
    """Where a take's fitted reference image is kept (None if it had none)."""
    if not spec.reference_sha256:
        return None
    return reference_path(library, spec.reference_sha256, spec.reference_mime)


def read_reference(library: Path, spec: StoredSpec) -> ReferenceImage | None:
    """A take's reference image read back from the library, to send it again."""
    path = stored_reference(library, spec)
    return ReferenceImage(path.read_bytes(), spec.reference_mime) if path else None


def original_reference(library: Path, fit: ReferenceFit | None) -> Path | None:
    """Where the person's original image of a take is kept (None for a take queued before
    originals were kept, or with no image)."""
    if fit is None or not fit.original_sha256:
        return None
    return reference_path(library, fit.original_sha256, fit.original_mime)
