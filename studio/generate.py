"""One render from spec to file: validate, create, poll, download. Used by `studio generate`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from studio.errors import StudioError
from studio.jobs.download import save_variant
from studio.jobs.polling import PollSchedule
from studio.providers.base import Provider
from studio.providers.clock import Clock, SystemClock
from studio.providers.errors import TransportError
from studio.providers.types import RemoteJob, RemoteStatus, RenderSpec, new_idempotency_key


class RenderFailed(StudioError):
    """The provider finished the job without a clip (policy refusal, failed render, expiry)."""

    def __init__(self, message: str, job: RemoteJob) -> None:
        super().__init__(message)
        self.job = job


async def render_to_file(
    provider: Provider,
    spec: RenderSpec,
    out: Path,
    *,
    schedule: PollSchedule | None = None,
    give_up_after: float = 3600.0,
    on_update: Callable[[RemoteJob, float], None] | None = None,
    clock: Clock | None = None,
) -> RemoteJob:
    """Create the job, poll it (the engine's adaptive schedule) until it ends, and save the
    clip to `out` the same way the library does (`.part`, fsync, verify, rename)."""
    clock = clock or SystemClock()
    schedule = schedule or PollSchedule()
    profiles = await provider.models()
    profile = profiles.validate(spec)  # before any create request
    job = await provider.create(spec, new_idempotency_key())
    started = clock.monotonic()
    while True:
        elapsed = clock.monotonic() - started
        if on_update is not None:
            on_update(job, elapsed)
        if job.status.terminal:
            break
        if elapsed > give_up_after:
            raise StudioError(
                f"Job {job.id} did not finish within {give_up_after:.0f} s; it may still complete "
                "on the provider."
            )
        await clock.sleep(schedule.interval(elapsed, job.progress, profile.typical_render_seconds))
        try:
            job = await provider.retrieve(job.id)
        except TransportError:
            continue  # already retried inside; keep polling until the deadline
    if job.status is not RemoteStatus.COMPLETED:
        raise RenderFailed(_failure_text(job), job)
    await save_variant(provider, job.id, "video", out)
    return job


def _failure_text(job: RemoteJob) -> str:
    if job.status is RemoteStatus.FAILED and job.error is not None:
        return f"Render failed ({job.error.kind.value}): {job.error.message}"
    if job.status is RemoteStatus.EXPIRED:
        return f"Job {job.id} expired before its clip was downloaded."
    return f"Job {job.id} ended as {job.status.value} without a clip."
