"""One render from spec to file: validate, create, poll, download. Used by `studio generate`."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from studio.errors import StudioError
from studio.providers.base import Provider
from studio.providers.clock import Clock, SystemClock
from studio.providers.errors import TransportError
from studio.providers.types import RemoteJob, RemoteStatus, RenderSpec

MP4_BRANDS = (b"ftyp",)


class RenderFailed(StudioError):
    """The provider finished the job without a clip (policy refusal, failed render, expiry)."""

    def __init__(self, message: str, job: RemoteJob) -> None:
        super().__init__(message)
        self.job = job


@dataclass
class PollPlan:
    """Poll often at first and near the end, less in the long middle."""

    first: float = 2.0
    longest: float = 15.0
    timeout: float = 3600.0

    @classmethod
    def for_render_time(cls, typical_seconds: float, timeout: float = 3600.0) -> PollPlan:
        return cls(
            first=max(0.5, min(5.0, typical_seconds / 20)),
            longest=max(2.0, min(20.0, typical_seconds / 6)),
            timeout=timeout,
        )

    def interval(self, elapsed: float, progress: int | None) -> float:
        if progress is not None and progress >= 85:
            return self.first
        return min(self.longest, self.first * (1.0 + elapsed / 30.0))


async def render_to_file(
    provider: Provider,
    spec: RenderSpec,
    out: Path,
    *,
    plan: PollPlan | None = None,
    on_update: Callable[[RemoteJob, float], None] | None = None,
    clock: Clock | None = None,
) -> RemoteJob:
    """Create the job, poll until it ends, and stream the clip to `out` via `out.part`."""
    clock = clock or SystemClock()
    profiles = await provider.models()
    profile = profiles.validate(spec)  # before any create request
    plan = plan or PollPlan.for_render_time(profile.typical_render_seconds)
    job = await provider.create(spec, spec.idempotency_key())
    started = clock.monotonic()
    while True:
        elapsed = clock.monotonic() - started
        if on_update is not None:
            on_update(job, elapsed)
        if job.status.terminal:
            break
        if elapsed > plan.timeout:
            raise StudioError(
                f"Job {job.id} did not finish within {plan.timeout:.0f} s; it may still complete "
                "on the provider."
            )
        await clock.sleep(plan.interval(elapsed, job.progress))
        try:
            job = await provider.retrieve(job.id)
        except TransportError:
            continue  # already retried inside; keep polling until the deadline
    if job.status is not RemoteStatus.COMPLETED:
        raise RenderFailed(_failure_text(job), job)
    await download_verified(provider, job.id, out)
    return job


def _failure_text(job: RemoteJob) -> str:
    if job.status is RemoteStatus.FAILED and job.error is not None:
        return f"Render failed ({job.error.kind.value}): {job.error.message}"
    if job.status is RemoteStatus.EXPIRED:
        return f"Job {job.id} expired before its clip was downloaded."
    return f"Job {job.id} ended as {job.status.value} without a clip."


async def download_verified(provider: Provider, job_id: str, out: Path) -> None:
    """Stream to `<out>.part`, fsync, check it is an MP4, then rename atomically."""
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    try:
        with part.open("wb") as fh:
            await provider.download(job_id, "video", fh)
            fh.flush()
            await asyncio.to_thread(os.fsync, fh.fileno())  # can take long; keep the loop free
        with part.open("rb") as fh:
            head = fh.read(12)
        if len(head) < 12 or head[4:8] not in MP4_BRANDS:
            raise StudioError(f"The downloaded file for {job_id} is not an MP4 video.")
        os.replace(part, out)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
