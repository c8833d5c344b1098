"""Adapter for the OpenAI-shape Videos API (`/v1/videos`): gateways, Azure v1, LiteLLM, the sim."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any, Unpack

import httpx

from studio.core.spec import RenderSpec
from studio.providers.base import Fields
from studio.providers.errors import (
    BadResponse,
    NotFound,
    RequestError,
    TransportError,
    Unsupported,
)
from studio.providers.http import HttpCore, HttpOptions, job_path
from studio.providers.profiles import ModelProfile, ProfileSet, load_profiles
from studio.providers.types import (
    MAX_DOWNLOAD_BYTES,
    Page,
    RemoteError,
    RemoteJob,
    RemoteStatus,
    Variant,
    classify_failure,
)

_STATUS = {
    "queued": RemoteStatus.QUEUED,
    "in_progress": RemoteStatus.RUNNING,
    "completed": RemoteStatus.COMPLETED,
    "failed": RemoteStatus.FAILED,
    "cancelled": RemoteStatus.CANCELLED,
    "expired": RemoteStatus.EXPIRED,
}
LIST_PAGE_SIZE = 100
MAX_LIST_PAGES = 10  # beyond ~1,000 recent jobs, ask for the rest one by one


def parse_video(data: Any, *, now: float) -> RemoteJob:
    """A Video object → `RemoteJob`. Completed jobs whose assets expired read as EXPIRED."""
    f = Fields(data, "video object")
    raw = f.text("status")
    status = _STATUS.get(raw)
    if status is None:
        raise BadResponse(f"video object: unknown status '{raw}'")
    expires_at = f.opt_num("expires_at")
    if status is RemoteStatus.COMPLETED and expires_at is not None and expires_at <= now:
        status = RemoteStatus.EXPIRED
    error = None
    err = data.get("error")
    if isinstance(err, dict) and (err.get("message") or err.get("code")):
        code = str(err["code"]) if err.get("code") is not None else None
        message = str(err.get("message") or code)
        error = RemoteError(code=code, message=message, kind=classify_failure(code, message))
    return RemoteJob(
        id=f.job_id(),
        status=status,
        progress=f.opt_int("progress"),
        model=f.opt_text("model"),
        created_at=f.opt_num("created_at"),
        completed_at=f.opt_num("completed_at"),
        expires_at=expires_at,
        error=error,
        remixed_from=f.opt_text("remixed_from_video_id"),
        raw_status=raw,
        extra={k: data[k] for k in ("seconds", "size", "prompt") if k in data},
    )


class OpenAIShapeProvider:
    """`POST /videos`, `GET /videos[/{id}]`, content variants, remix, delete."""

    name = "openai"
    variants: tuple[Variant, ...] = ("video", "thumbnail", "spritesheet")

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        profiles: ProfileSet | None = None,
        label: str | None = None,
        enabled_models: Sequence[str] = (),
        honours_idempotency: bool = False,
        **options: Unpack[HttpOptions],
    ) -> None:
        self.http = HttpCore(
            base_url,
            api_key,
            label=label or f"the provider at {httpx.URL(base_url.strip()).host or base_url}",
            **options,
        )
        all_profiles = profiles or load_profiles()
        self._profiles = ProfileSet(p for p in all_profiles if "openai" in p.apis)
        self._served: ProfileSet | None = None
        self.enabled_models = tuple(enabled_models)  # Settings' list, for a server without /models
        self.supports_list = True  # until the server answers 404 to GET /videos
        self.honours_idempotency = honours_idempotency

    async def aclose(self) -> None:
        await self.http.aclose()

    async def models(self) -> ProfileSet:
        """The profiles of the models this server serves (`GET /models`, answered by the
        OpenAI API, LiteLLM and most gateways). Offering a model it does not serve would
        make every render fail with a 400."""
        if self._served is None:
            try:
                self._served = await self._discover()
            except TransportError as err:  # offline: queue now, ask again next time
                return ProfileSet(
                    self._fallback_profiles(),
                    f"Could not ask {self.http.label} which models it serves ({err}); "
                    "the models it was set up with are offered meanwhile.",
                    provisional=True,
                )
        return self._served

    async def _discover(self) -> ProfileSet:
        label = self.http.label
        try:
            body = Fields(await self.http.json("GET", "models"), "model list")
        except RequestError as err:
            if err.status not in (404, 405, 501):
                raise
            return self._without_model_list(label)
        data = body.data.get("data")
        if not isinstance(data, list):
            raise BadResponse("model list: field 'data' is missing or not a list")
        served = {item["id"] for item in data if isinstance(item, dict) and item.get("id")}
        offered = ProfileSet(p for p in self._profiles if p.id in served)
        if not len(offered):
            known = ", ".join(sorted(str(s) for s in served)[:8]) or "none"
            return ProfileSet(
                (),
                f"{label} serves no model Studio has a profile for (it serves: {known}). "
                "Add a profile in resources/models.",
            )
        return offered

    def _fallback_profiles(self) -> list[ModelProfile]:
        chosen = [p for p in self._profiles if p.id in self.enabled_models]
        return chosen or list(self._profiles)

    def _without_model_list(self, label: str) -> ProfileSet:
        if self.enabled_models and any(p.id in self.enabled_models for p in self._profiles):
            return ProfileSet(self._fallback_profiles())
        return ProfileSet(
            self._profiles,
            f"{label} does not list the models it serves, so every known model is offered; "
            "choose the ones it serves in Settings (Models served).",
        )

    def _video(self, body: Any) -> RemoteJob:
        return parse_video(body, now=self.http.clock.wall())

    async def create(
        self, spec: RenderSpec, idem_key: str, *, retry_unsure: bool = False
    ) -> RemoteJob:
        profile = self._profiles.validate(spec)  # raises SpecError before any request
        width, height = profile.output_size(spec)
        fields = {
            "prompt": spec.prompt,
            "model": spec.model,
            "seconds": str(spec.seconds),
            "size": f"{width}x{height}",
        }
        headers = {"Idempotency-Key": idem_key}
        if spec.reference is not None:
            ref = spec.reference
            files = {"input_reference": (ref.filename, ref.data, ref.mime)}
            body = await self.http.json(
                "POST",
                "videos",
                data=fields,
                files=files,
                headers=headers,
                retry_unsure=retry_unsure,
                fresh_connection=True,
            )
        else:
            body = await self.http.json(
                "POST",
                "videos",
                json_body=fields,
                headers=headers,
                retry_unsure=retry_unsure,
                fresh_connection=True,
            )
        return self._video(body)

    async def retrieve(self, job_id: str) -> RemoteJob:
        return self._video(await self.http.json("GET", job_path(job_id)))

    async def list_page(
        self, *, after: str | None = None, limit: int = LIST_PAGE_SIZE, order: str = "desc"
    ) -> Page:
        params: dict[str, str | int] = {"limit": limit, "order": order}
        if after:
            params["after"] = after
        try:
            reply = await self.http.json("GET", "videos", params=params)
        except RequestError as err:
            if err.status not in (404, 405, 501):
                raise
            self.supports_list = False  # a gateway without the list endpoint
            raise Unsupported(f"{self.http.label} does not list its jobs ({err})") from None
        body = Fields(reply, "video list")
        data = body.data.get("data")
        if not isinstance(data, list):
            raise BadResponse("video list: field 'data' is missing or not a list")
        jobs = [self._video(item) for item in data]
        return Page(
            jobs=jobs,
            has_more=bool(body.data.get("has_more")),
            last_id=body.opt_text("last_id") or (jobs[-1].id if jobs else None),
        )

    async def recent(self, since: float, *, max_pages: int = MAX_LIST_PAGES) -> list[RemoteJob]:
        """Jobs created at or after `since` (newest first), from the list endpoint."""
        found: list[RemoteJob] = []
        after: str | None = None
        for _ in range(max_pages):
            page = await self.list_page(after=after)
            for job in page.jobs:
                if job.created_at is not None and job.created_at < since:
                    return found
                found.append(job)
            if not page.has_more or not page.last_id:
                break
            after = page.last_id
        return found

    async def status(self, job_ids: Sequence[str]) -> dict[str, RemoteJob]:
        """Newest-first list pages until every id is seen; stragglers one by one."""
        wanted = set(job_ids)
        found: dict[str, RemoteJob] = {}
        if self.supports_list and len(wanted) > 1:
            after: str | None = None
            for _ in range(MAX_LIST_PAGES):
                try:
                    page = await self.list_page(after=after)
                except Unsupported:
                    break
                found.update((j.id, j) for j in page.jobs if j.id in wanted)
                if wanted <= found.keys() or not page.has_more or not page.last_id:
                    break
                after = page.last_id
        for job_id in job_ids:
            if job_id not in found:
                try:
                    found[job_id] = await self.retrieve(job_id)
                except NotFound:
                    continue
        return found

    async def download(
        self, job_id: str, variant: Variant, dest: IO[bytes], *, max_bytes: int = MAX_DOWNLOAD_BYTES
    ) -> str:
        return await self.http.download(
            job_path(job_id, "content"), dest, params={"variant": variant}, max_bytes=max_bytes
        )

    async def remix(
        self, job_id: str, prompt: str, idem_key: str, *, retry_unsure: bool = False
    ) -> RemoteJob:
        body = await self.http.json(
            "POST",
            job_path(job_id, "remix"),
            json_body={"prompt": prompt},
            headers={"Idempotency-Key": idem_key},
            retry_unsure=retry_unsure,  # a create: never resent blindly (see `create`)
            fresh_connection=True,
        )
        return self._video(body)

    async def delete(self, job_id: str) -> bool:
        body = Fields(await self.http.json("DELETE", job_path(job_id)), "delete reply")
        return bool(body.data.get("deleted"))

    async def cancel(self, job_id: str) -> None:
        """The shape has no cancel; deleting the job stops it and frees its assets."""
        await self.delete(job_id)
