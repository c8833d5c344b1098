"""The one interface the rest of Studio uses to talk to a video provider."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import IO, Any, Protocol

from studio.core.spec import RenderSpec
from studio.providers.errors import BadResponse
from studio.providers.profiles import ProfileSet
from studio.providers.types import MAX_DOWNLOAD_BYTES, RemoteJob, Variant


class Provider(Protocol):
    name: str
    # True when the provider lists its jobs: `status` covers many jobs with one request,
    # and a job whose create reply was lost can be found with `recent`.
    supports_list: bool
    # True when a repeated Idempotency-Key returns the job already made (capability data,
    # see `capabilities.py`): only then may an unsure create be resent automatically.
    honours_idempotency: bool
    # Content variants this provider can download.
    variants: tuple[Variant, ...]

    async def models(self) -> ProfileSet: ...

    async def create(
        self, spec: RenderSpec, idem_key: str, *, retry_unsure: bool = False
    ) -> RemoteJob:
        """Start a render. After a reply that leaves its outcome unknown (`err.unsure`) the
        create is not sent again: the `TransportError` is raised for the caller to look
        the job up or park it. `retry_unsure=True` resends under the same key (where the
        provider honours keys, or a person accepted paying twice)."""
        ...

    async def retrieve(self, job_id: str) -> RemoteJob: ...

    async def recent(self, since: float) -> list[RemoteJob]:
        """Jobs created since `since` (to find lost creates); `Unsupported` without a list."""
        ...

    async def status(self, job_ids: Sequence[str]) -> dict[str, RemoteJob]:
        """Current state of each job the provider still knows; unknown ids are left out."""
        ...

    async def download(
        self, job_id: str, variant: Variant, dest: IO[bytes], *, max_bytes: int = MAX_DOWNLOAD_BYTES
    ) -> str:
        """Stream one content variant into `dest`; returns its Content-Type. `TooLarge`
        past `max_bytes`."""
        ...

    async def remix(
        self, job_id: str, prompt: str, idem_key: str, *, retry_unsure: bool = False
    ) -> RemoteJob:
        """Render the finished job `job_id` again with a revised prompt (a new job). A
        create like any other: not resent after an unsure reply unless `retry_unsure`;
        `Unsupported` where the shape has no remix."""
        ...

    async def cancel(self, job_id: str) -> None: ...

    async def aclose(self) -> None: ...


MAX_ID = 256
_ID_FORBIDDEN = frozenset("/\\?#%&=+<>\"'`;")


class Fields:
    """Typed reads from a decoded JSON object; a wrong shape is a `BadResponse` (retryable)."""

    def __init__(self, data: Any, what: str) -> None:
        if not isinstance(data, Mapping):
            raise BadResponse(f"{what}: expected a JSON object, got {type(data).__name__}")
        self.data: Mapping[str, Any] = data
        self.what = what

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or not value:
            raise BadResponse(f"{self.what}: field '{key}' is missing or not a string")
        return value

    def job_id(self, key: str = "id") -> str:
        """A provider's job id: it goes into URL paths of authenticated requests, so one
        that could reach another path ("../x", "x?y=1") is refused, not sent."""
        value = self.text(key)
        if (
            len(value) > MAX_ID
            or value in (".", "..")
            or any(ch in _ID_FORBIDDEN or not ch.isprintable() or ch.isspace() for ch in value)
        ):
            raise BadResponse(f"{self.what}: '{key}' is not a usable job id: {value[:80]!r}")
        return value

    def opt_text(self, key: str) -> str | None:
        value = self.data.get(key)
        return value if isinstance(value, str) and value else None

    def opt_num(self, key: str) -> float | None:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value)

    def opt_int(self, key: str) -> int | None:
        value = self.opt_num(key)
        return None if value is None else int(value)
