"""The render spec, in one home: what is asked for (`RenderSpec` and its `Frame`), what the
editor knows about a take besides (`RenderRequest`: slots, variant, how the reference image
was fitted, the template), and the form kept on a job row (`StoredSpec`).

The spec's fields are listed once (`WIRE_FIELDS`); every conversion between the forms goes
through them, so a new field cannot be dropped by one copy and kept by another. The frame
has one parser and one formatter ("1280x720", or "720p 16:9"), used by the editor, the
commands, the queue, the review and the sidecars alike.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_PROJECT = 100  # characters in a project name (editor, batch lines, generate)
NO_FRAME = "—"
_SIZE = re.compile(r"[1-9]\d{1,4}x[1-9]\d{1,4}")
_RESOLUTION = re.compile(r"[^\s:]{1,16}")  # a provider's word for it: 720p, 1080p, 4k…
_ASPECT = re.compile(r"[1-9]\d{0,2}:[1-9]\d{0,2}")


def project_name(text: object) -> str:
    """A project name as typed (trimmed), or ValueError saying what a name may be."""
    name = text.strip() if isinstance(text, str) else ""
    if not name or len(name) > MAX_PROJECT:
        raise ValueError(f"must be a name of 1 to {MAX_PROJECT} characters")
    return name


@dataclass(frozen=True)
class Frame:
    """The output frame: a pixel `size`, or a `resolution` with an `aspect_ratio`."""

    size: str | None = None
    resolution: str | None = None
    aspect_ratio: str | None = None

    @classmethod
    def parse(cls, text: str) -> Frame:
        """ "1280x720" → a size; "720p 16:9" → a resolution and an aspect (either alone
        too). Anything else is a ValueError that says how a frame is written."""
        words = text.split()
        if len(words) == 1 and _SIZE.fullmatch(words[0]):
            return cls(size=words[0])
        aspect = next((w for w in words if _ASPECT.fullmatch(w)), None)
        resolution = next(
            (
                w
                for w in words
                if w != aspect and _RESOLUTION.fullmatch(w) and not _SIZE.fullmatch(w)
            ),
            None,
        )
        if not words or len(words) != (resolution is not None) + (aspect is not None):
            raise ValueError(
                f'"{text[:40]}" is not a frame: write a size like 1280x720, or a resolution '
                "and an aspect like 720p 16:9"
            )
        return cls(resolution=resolution, aspect_ratio=aspect)

    def __str__(self) -> str:
        if self.size:
            return self.size
        return " ".join(v for v in (self.resolution, self.aspect_ratio) if v) or NO_FRAME

    def __bool__(self) -> bool:
        return bool(self.size or self.resolution or self.aspect_ratio)


@dataclass(frozen=True)
class ReferenceImage:
    """Image bytes as they will be sent (already fitted to the output size)."""

    data: bytes
    mime: str = "image/png"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def extension(self) -> str:
        return {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}.get(self.mime, "bin")

    @property
    def filename(self) -> str:
        return f"reference.{self.extension}"


@dataclass(frozen=True)
class SpecFields:
    """The fields a render is made of, written once: every form of the spec has them."""

    model: str
    prompt: str  # exactly as written
    seconds: int
    size: str | None = None
    resolution: str | None = None
    aspect_ratio: str | None = None
    seed: int | None = None
    generate_audio: bool | None = None

    @property
    def frame(self) -> Frame:
        return Frame(self.size, self.resolution, self.aspect_ratio)


# Every conversion between the forms goes through these names.
WIRE_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(SpecFields))


def wire_fields(spec: SpecFields) -> dict[str, Any]:
    return {name: getattr(spec, name) for name in WIRE_FIELDS}


@dataclass(frozen=True)
class RenderSpec(SpecFields):
    """One render as the provider is asked for it. `remix_of` (the provider's job id of a
    finished take) makes it a remix of that take: only the prompt is sent, and the model,
    duration and frame are the take's."""

    reference: ReferenceImage | None = None
    remix_of: str | None = None

    def with_frame(self, frame: Frame) -> RenderSpec:
        return dataclasses.replace(
            self, size=frame.size, resolution=frame.resolution, aspect_ratio=frame.aspect_ratio
        )

    def normalized(self) -> dict[str, Any]:
        """Canonical, JSON-able form (reference image by hash) for hashing and storage."""
        data = wire_fields(self)
        data["prompt"] = " ".join(self.prompt.split())
        data["reference_sha256"] = self.reference.sha256 if self.reference else None
        if self.remix_of:  # only when set: the hash of every render that is not a remix stays
            data["remix_of"] = self.remix_of
        return data

    def content_hash(self) -> str:
        """What the render is: same parameters and same fitted image → same hash. Used by
        the local double-submit guard only, never sent: a provider's Idempotency-Key names
        one submission, not the content."""
        payload = json.dumps(self.normalized(), sort_keys=True)
        return "sha256:" + hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class ReferenceFit:
    """How the reference image was made: the person's file and how it was fitted."""

    name: str  # the original file name, e.g. "fox in snow.jpg"
    mode: str = "crop"  # crop | pad
    focus: tuple[float, float] = (0.5, 0.5)  # crop centre, fractions of the free space
    pad_color: str = "#000000"
    source_size: tuple[int, int] | None = None  # the original's pixels
    # The original image, kept in the library beside the fitted one (by its hash), so a take
    # opened again can be framed anew. None for takes queued before originals were kept.
    original_sha256: str | None = None
    original_mime: str = "image/png"

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "mode": self.mode,
            "focus": list(self.focus),
            "pad_color": self.pad_color,
            "source_size": list(self.source_size) if self.source_size else None,
        }
        if self.original_sha256:
            data["original_sha256"] = self.original_sha256
            data["original_mime"] = self.original_mime
        return data

    def framing(self) -> tuple[object, ...]:
        """What a person chose about the image: which one, and how it is fitted (its pixel
        size and where it is kept are facts about the file, not choices)."""
        return (self.name, self.mode, tuple(self.focus), self.pad_color.lower())

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
            original_sha256=_sha256(data.get("original_sha256")),
            original_mime=_text(data.get("original_mime")) or "image/png",
        )


@dataclass(frozen=True)
class RenderRequest:
    """One take to queue: the spec and what the editor knows about it."""

    spec: RenderSpec
    slots: Mapping[str, str] | None = field(default=None, hash=False)
    variant: str | None = None  # e.g. "Camera: slow push" in a variant batch
    reference_fit: ReferenceFit | None = None
    template_id: int | None = None  # the template version the prompt came from
    # The person's image before fitting (kept in the library, named by `reference_fit`).
    original: ReferenceImage | None = field(default=None, compare=False, repr=False)

    def stored(self) -> StoredSpec:
        """The form kept on the job row: the image by its hash (the file is kept in the
        library), the slots so the take can be reopened for edits."""
        reference = self.spec.reference
        return StoredSpec(
            **wire_fields(self.spec),
            reference_sha256=reference.sha256 if reference else None,
            reference_mime=reference.mime if reference else "image/png",
            reference_fit=self.reference_fit if reference else None,
            slots=dict(self.slots) if self.slots else None,
            variant=self.variant,
            remix_of=self.spec.remix_of,
        )


@dataclass(frozen=True)
class StoredSpec(SpecFields):
    """The spec as kept on a job row, parsed once into typed fields. Reading is lenient: a
    row written by an older version (or damaged) still shows, with defaults for what it
    lacks."""

    reference_sha256: str | None = None
    reference_mime: str = "image/png"
    reference_fit: ReferenceFit | None = None
    slots: Mapping[str, str] | None = field(default=None, hash=False)  # the editor's fields
    variant: str | None = None  # what this take varies, e.g. "Camera: slow push"
    remix_of: str | None = None  # the provider's job id of the take this remixes

    def slots_or_prompt(self) -> dict[str, str]:
        """The take's slots; a job queued without them (CLI, batch files) is all subject."""
        return dict(self.slots) if self.slots else {"subject": self.prompt}

    def request(self, reference: ReferenceImage | None) -> RenderRequest:
        """What is sent again for this take, with its image read back from the library."""
        return RenderRequest(
            RenderSpec(**wire_fields(self), reference=reference, remix_of=self.remix_of),
            self.slots,
            self.variant,
            self.reference_fit,
        )

    def to_json(self) -> str:
        data: dict[str, Any] = wire_fields(self)
        data["reference_sha256"] = self.reference_sha256
        if self.reference_sha256:
            data["reference_mime"] = self.reference_mime
        if self.reference_fit is not None:
            data["reference_fit"] = self.reference_fit.as_json()
        if self.slots:
            data["slots"] = dict(self.slots)
        if self.variant:
            data["variant"] = self.variant
        if self.remix_of:
            data["remix_of"] = self.remix_of
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
        audio = data.get("generate_audio")
        return cls(
            model=_text(data.get("model")) or model,
            prompt=data["prompt"] if isinstance(data.get("prompt"), str) else prompt,
            seconds=_int(data.get("seconds")) or 0,
            size=_text(data.get("size")),
            resolution=_text(data.get("resolution")),
            aspect_ratio=_text(data.get("aspect_ratio")),
            seed=_int(data.get("seed")),
            generate_audio=audio if isinstance(audio, bool) else None,
            reference_sha256=_text(data.get("reference_sha256")),
            reference_mime=_text(data.get("reference_mime")) or "image/png",
            reference_fit=ReferenceFit.from_json(data.get("reference_fit")),
            slots={str(k): str(v) for k, v in slots.items()} if isinstance(slots, dict) else None,
            variant=_text(data.get("variant")),
            remix_of=_text(data.get("remix_of")),
        )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _sha256(value: object) -> str | None:
    """A hex digest, or None: it names a file in the library, so nothing else is taken."""
    if isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return value
    return None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
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
