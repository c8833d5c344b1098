"""Remixing a take: the provider renders its finished video again with a revised prompt
(OpenAI shape, `POST /videos/{id}/remix`). What a take needs to be remixed, why one cannot
be, and the request that asks for it. No engine imports: the editor uses this."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from studio.core.spec import RenderRequest, RenderSpec, StoredSpec
from studio.providers.profiles import ProfileSet
from studio.store import JobRow, JobStatus


@dataclass(frozen=True)
class RemixSource:
    """A take as a remix needs it: its job (the parent of the remix), the provider's id for
    it, its spec (a remix keeps the model, duration and frame), and why it cannot be
    remixed whatever the model allows (None if it can)."""

    job_id: int
    name: str
    remote_id: str | None
    spec: StoredSpec
    blocked: str | None = None

    @classmethod
    def of(cls, job: JobRow, provider_key: str) -> RemixSource:
        blocked = None
        if job.imported:
            blocked = f"{job.name} was imported: the provider that made it is not known here."
        elif job.provider != provider_key:
            blocked = f"{job.name} was made by another provider ({job.provider})."
        elif job.status is not JobStatus.READY or not job.remote_id:
            blocked = f"Only a finished take can be remixed; {job.name} is {job.status.value}."
        return cls(job.id, job.name, job.remote_id, job.spec, blocked)

    def why_not(self, profiles: ProfileSet | None) -> str | None:
        """Why this take cannot be remixed now (None: it can)."""
        if self.blocked:
            return self.blocked
        if profiles is None:
            return "The models are still loading."
        if self.spec.model not in profiles:
            return f"{self.spec.model} is not offered by this provider."
        profile = profiles.get(self.spec.model)
        if not profile.remix:
            apis = " / ".join(profile.apis)
            return (
                f"{profile.name} cannot remix: its provider's API ({apis}) has no remix "
                "endpoint. Queue a new render instead."
            )
        return None

    def request(self, prompt: str, slots: Mapping[str, str]) -> RenderRequest:
        """The remix of this take with `prompt`: the take's model, duration and frame, no
        reference image (a remix starts from the take's video)."""
        spec = self.spec
        return RenderRequest(
            RenderSpec(
                model=spec.model,
                prompt=prompt,
                seconds=spec.seconds,
                size=spec.size,
                resolution=spec.resolution,
                aspect_ratio=spec.aspect_ratio,
                remix_of=self.remote_id,
            ),
            slots=dict(slots),
        )
