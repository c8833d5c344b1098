"""A provider Studio cannot talk to yet (no API key stored): it sends nothing.

The library never depends on the provider: with this stand-in the window, the review, the
metrics and the exports work as ever, the editor offers the models the provider kind is
known to serve (provisional), and a render that is queued waits — every call that would
reach the provider raises `KeyMissing` with what to do, which the engine takes as "wait for
a key" (the queue pauses, nothing fails)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, NoReturn

from studio.core.spec import RenderSpec
from studio.providers.errors import KeyMissing
from studio.providers.profiles import ProfileSet
from studio.providers.types import RemoteJob, Variant


class NotConnected:
    supports_list = False
    honours_idempotency = False
    variants: tuple[Variant, ...] = ("video",)

    def __init__(self, name: str, reason: str, profiles: ProfileSet) -> None:
        self.name, self.reason = name, reason
        self._profiles = profiles

    def _refuse(self) -> NoReturn:
        raise KeyMissing(self.reason)

    async def models(self) -> ProfileSet:
        return ProfileSet(self._profiles, self.reason, provisional=True)

    async def create(
        self, spec: RenderSpec, idem_key: str, *, retry_unsure: bool = False
    ) -> RemoteJob:
        self._refuse()

    async def retrieve(self, job_id: str) -> RemoteJob:
        self._refuse()

    async def recent(self, since: float) -> list[RemoteJob]:
        self._refuse()

    async def status(self, job_ids: Sequence[str]) -> dict[str, RemoteJob]:
        self._refuse()

    async def download(
        self, job_id: str, variant: Variant, dest: IO[bytes], *, max_bytes: int = 0
    ) -> str:
        self._refuse()

    async def remix(
        self, job_id: str, prompt: str, idem_key: str, *, retry_unsure: bool = False
    ) -> RemoteJob:
        self._refuse()

    async def cancel(self, job_id: str) -> None:
        self._refuse()

    async def aclose(self) -> None:
        return None
