"""Provider-neutral data: what a provider says (`RemoteJob`). What we ask for is the render
spec (`studio.core.spec`)."""

from __future__ import annotations

import enum
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
