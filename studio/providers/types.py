"""Provider-neutral data: what we ask for (`RenderSpec`) and what a provider says (`RemoteJob`)."""

from __future__ import annotations

import enum
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

# The default cap on one download (Settings › Largest download can change it).
MAX_DOWNLOAD_BYTES = 2 * 1024**3

Variant = Literal["video", "thumbnail", "spritesheet"]
VARIANTS: tuple[Variant, ...] = ("video", "thumbnail", "spritesheet")


class RemoteStatus(enum.StrEnum):
    """A provider job's state, normalized across API shapes."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def terminal(self) -> bool:
        return self not in (RemoteStatus.QUEUED, RemoteStatus.RUNNING)


class FailureKind(enum.StrEnum):
    """Why a job did not produce a clip. Transport and request failures are exceptions instead."""

    POLICY = "policy"  # moderation / content policy: revise the prompt
    RENDER = "render"  # the model failed: retrying the same spec may work


# Error codes (OpenAI `error.code`, OpenRouter error strings) that mean a policy refusal.
_POLICY_MARKERS = ("moderation", "content_policy", "policy_violation", "safety", "blocked")


def classify_failure(code: str | None, message: str | None) -> FailureKind:
    text = f"{code or ''} {message or ''}".lower()
    return FailureKind.POLICY if any(m in text for m in _POLICY_MARKERS) else FailureKind.RENDER


@dataclass(frozen=True)
class ReferenceImage:
    """Image bytes as they will be sent (already fitted to the output size)."""

    data: bytes
    mime: str = "image/png"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def filename(self) -> str:
        ext = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}.get(self.mime, "bin")
        return f"reference.{ext}"


@dataclass(frozen=True)
class RenderSpec:
    """One render request. Frame is either `size` ("1280x720") or `resolution` + `aspect_ratio`."""

    model: str
    prompt: str
    seconds: int
    size: str | None = None
    resolution: str | None = None
    aspect_ratio: str | None = None
    seed: int | None = None
    generate_audio: bool | None = None
    reference: ReferenceImage | None = None

    def normalized(self) -> dict[str, Any]:
        """Canonical, JSON-able form (reference image by hash) for hashing and storage."""
        return {
            "model": self.model,
            "prompt": " ".join(self.prompt.split()),
            "seconds": self.seconds,
            "size": self.size,
            "resolution": self.resolution,
            "aspect_ratio": self.aspect_ratio,
            "seed": self.seed,
            "generate_audio": self.generate_audio,
            "reference_sha256": self.reference.sha256 if self.reference else None,
        }

    def content_hash(self) -> str:
        """What the render is: same parameters and same fitted image → same hash. Used by
        the local double-submit guard only, never sent: a provider's Idempotency-Key names
        one submission (`new_idempotency_key`), not the content."""
        payload = json.dumps(self.normalized(), sort_keys=True)
        return "sha256:" + hashlib.sha256(payload.encode()).hexdigest()


def new_idempotency_key() -> str:
    """A key for one submission: made once, stored with the job before any request, and
    reused by every retry and restart of that job only."""
    return "studio-" + uuid.uuid4().hex


@dataclass(frozen=True)
class RemoteError:
    code: str | None
    message: str
    kind: FailureKind


@dataclass(frozen=True)
class RemoteJob:
    """A provider's view of one render job."""

    id: str
    status: RemoteStatus
    progress: int | None = None
    model: str | None = None
    created_at: float | None = None
    completed_at: float | None = None
    expires_at: float | None = None
    error: RemoteError | None = None
    cost: float | None = None
    remixed_from: str | None = None
    raw_status: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Page:
    """One page of a cursor-paginated list."""

    jobs: list[RemoteJob]
    has_more: bool
    last_id: str | None
