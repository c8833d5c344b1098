"""Adapter for OpenRouter's video API (`/api/v1/videos`): 202 + polling, discovery, cost."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, Unpack

from studio.core.errors import ConfigError
from studio.core.spec import RenderSpec
from studio.providers.base import Fields
from studio.providers.errors import (
    BadResponse,
    ConnectFailed,
    NotFound,
    TransportError,
    Unsupported,
)
from studio.providers.http import HttpCore, HttpOptions, job_path
from studio.providers.profiles import ModelProfile, ProfileSet, profile_from_openrouter
from studio.providers.types import (
    MAX_DOWNLOAD_BYTES,
    RemoteError,
    RemoteJob,
    RemoteStatus,
    Variant,
    classify_failure,
)

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"


def _profiles(entries: list[Any]) -> list[ModelProfile]:
    """The model list's video models (a malformed entry is skipped and logged)."""
    profiles = []
    for entry in entries:
        try:
            profiles.append(profile_from_openrouter(entry))
        except ConfigError as err:
            log.warning("skipping a video model: %s", err)
    return profiles


_STATUS = {
    "pending": RemoteStatus.QUEUED,
    "queued": RemoteStatus.QUEUED,
    "in_progress": RemoteStatus.RUNNING,
    "processing": RemoteStatus.RUNNING,
    "completed": RemoteStatus.COMPLETED,
    "failed": RemoteStatus.FAILED,
    "cancelled": RemoteStatus.CANCELLED,
    "expired": RemoteStatus.EXPIRED,
}
POLL_CONCURRENCY = 8


def parse_job(data: Any) -> RemoteJob:
    f = Fields(data, "video job")
    raw = f.text("status")
    status = _STATUS.get(raw)
    if status is None:
        raise BadResponse(f"video job: unknown status '{raw}'")
    error = None
    message = data.get("error")
    if status is RemoteStatus.FAILED or message:
        text = str(message or "the render failed without a reason")
        code = text.split(":", 1)[0].strip() if ":" in text else None
        error = RemoteError(code=code, message=text, kind=classify_failure(code, text))
    usage = data.get("usage")
    cost = Fields(usage, "usage").opt_num("cost") if isinstance(usage, dict) else None
    urls = data.get("unsigned_urls")
    return RemoteJob(
        id=f.job_id(),
        status=status,
        error=error,
        cost=cost,
        raw_status=raw,
        extra={
            "polling_url": f.opt_text("polling_url"),
            "unsigned_urls": urls if isinstance(urls, list) else [],
            "generation_id": f.opt_text("generation_id"),
        },
    )


class OpenRouterProvider:
    """Create (202), poll per job, download by index, discover models."""

    name = "openrouter"
    supports_list = False
    variants: tuple[Variant, ...] = ("video",)

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str | None = None,
        *,
        label: str | None = None,
        honours_idempotency: bool = False,
        models_cache: Path | None = None,
        **options: Unpack[HttpOptions],
    ) -> None:
        self.honours_idempotency = honours_idempotency  # not documented by OpenRouter
        # The model list last served, kept so the editor can offer the models while
        # OpenRouter cannot be reached (queued renders then wait for it).
        self.models_cache = models_cache
        self.http = HttpCore(
            base_url,
            api_key,
            label=label or "OpenRouter",
            **options,
        )
        self._profiles: ProfileSet | None = None
        self._lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self.http.aclose()

    async def models(self) -> ProfileSet:
        """Discovered once per session from `GET /videos/models`; malformed entries skipped."""
        async with self._lock:
            if self._profiles is None:
                try:
                    body = Fields(await self.http.json("GET", "videos/models"), "model list")
                except TransportError as err:
                    last = self._last_served()
                    if last is None:
                        raise
                    return ProfileSet(
                        _profiles(last),
                        f"Could not ask {self.http.label} which models it serves ({err}); "
                        "the ones it served last are offered meanwhile.",
                        provisional=True,
                    )
                entries = body.data.get("data")
                if not isinstance(entries, list):
                    raise BadResponse("model list: field 'data' is missing or not a list")
                self._profiles = ProfileSet(_profiles(entries))
                self._keep_served(entries)
            return self._profiles

    def _last_served(self) -> list[Any] | None:
        if self.models_cache is None:
            return None
        try:
            entries = json.loads(self.models_cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # none kept yet, or not readable: as if none
        return entries if isinstance(entries, list) else None

    def _keep_served(self, entries: list[Any]) -> None:
        if self.models_cache is None:
            return
        try:
            self.models_cache.parent.mkdir(parents=True, exist_ok=True)
            part = self.models_cache.with_suffix(".part")
            part.write_text(json.dumps(entries), encoding="utf-8")
            part.replace(self.models_cache)
        except OSError as err:  # a cache: the next start asks again
            log.info("could not keep the model list: %s", err)

    async def create(
        self, spec: RenderSpec, idem_key: str, *, retry_unsure: bool = False
    ) -> RemoteJob:
        try:
            profiles = await self.models()
        except TransportError as err:  # the create was never sent: a sure failure
            raise ConnectFailed(f"{err}; the render was not sent") from None
        profiles.validate(spec)  # raises SpecError before the create request
        body: dict[str, Any] = {
            "model": spec.model,
            "prompt": spec.prompt,
            "duration": spec.seconds,
        }
        if spec.size:
            body["size"] = spec.size
        else:
            body["resolution"] = spec.resolution
            body["aspect_ratio"] = spec.aspect_ratio
        if spec.seed is not None:
            body["seed"] = spec.seed
        if spec.generate_audio is not None:
            body["generate_audio"] = spec.generate_audio
        if spec.reference is not None:
            encoded = base64.b64encode(spec.reference.data).decode("ascii")
            url = f"data:{spec.reference.mime};base64,{encoded}"
            body["frame_images"] = [
                {"type": "image_url", "image_url": {"url": url}, "frame_type": "first_frame"}
            ]
        reply = await self.http.json(
            "POST",
            "videos",
            json_body=body,
            headers={"Idempotency-Key": idem_key},
            retry_unsure=retry_unsure,
            fresh_connection=True,
        )
        return parse_job(reply)

    async def retrieve(self, job_id: str) -> RemoteJob:
        return parse_job(await self.http.json("GET", job_path(job_id)))

    async def recent(self, since: float) -> list[RemoteJob]:
        """No list endpoint: a job whose create reply was lost cannot be looked up."""
        raise Unsupported("OpenRouter's video API does not list jobs.")

    async def status(self, job_ids: Sequence[str]) -> dict[str, RemoteJob]:
        """No list endpoint: one poll per job, a few at a time."""
        gate = asyncio.Semaphore(POLL_CONCURRENCY)

        async def one(job_id: str) -> RemoteJob | None:
            async with gate:
                try:
                    return await self.retrieve(job_id)
                except NotFound:
                    return None

        results = await asyncio.gather(*(one(j) for j in job_ids))
        return {job.id: job for job in results if job is not None}

    async def download(
        self, job_id: str, variant: Variant, dest: IO[bytes], *, max_bytes: int = MAX_DOWNLOAD_BYTES
    ) -> str:
        if variant != "video":
            raise Unsupported(f"OpenRouter does not provide a {variant} for a video job.")
        return await self.http.download(
            job_path(job_id, "content"),
            dest,
            params={"index": 0},
            accept="video/mp4",
            max_bytes=max_bytes,
        )

    async def remix(
        self, job_id: str, prompt: str, idem_key: str, *, retry_unsure: bool = False
    ) -> RemoteJob:
        raise Unsupported("OpenRouter's video API has no remix; queue a new render instead.")

    async def cancel(self, job_id: str) -> None:
        raise Unsupported("OpenRouter's video API cannot cancel a job; it will finish or expire.")
