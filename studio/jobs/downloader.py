"""Downloads finished clips into the library, soonest-expiring first."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from studio.core.errors import StorageError
from studio.jobs.clip_files import (
    NotAVideo,
    Saved,
    StorageFailed,
    save_variant,
    verify,
)
from studio.jobs.events import AssetReady, JobChanged
from studio.jobs.ledger import Ledger, Tasks, clock_time
from studio.media import provenance
from studio.media.thumbnail import thumbnail_from_clip
from studio.providers.base import Provider
from studio.providers.errors import (
    AuthError,
    NotFound,
    ProviderError,
    TooLarge,
    TransportError,
)
from studio.providers.types import MAX_DOWNLOAD_BYTES, Variant
from studio.store import FailureClass, JobRow, JobStatus
from studio.store.layout import FILE_NAMES, job_folder

log = logging.getLogger(__name__)


class Downloader:
    def __init__(
        self,
        ledger: Ledger,
        provider: Provider,
        library: Path,
        tasks: Tasks,
        *,
        rounds: int,
        pause: float,
        on_auth_failure: Callable[[AuthError], None],
        on_storage_failure: Callable[[StorageError], None] = lambda _err: None,
        max_bytes: Callable[[], int] = lambda: MAX_DOWNLOAD_BYTES,
        lease: Callable[[], int] | None = None,
    ) -> None:
        self.ledger = ledger
        self.provider = provider
        self.library = library
        self.tasks = tasks
        self.rounds = rounds  # transport failures before giving up
        self.pause = pause  # wait before trying again
        self.on_auth_failure = on_auth_failure
        self.on_storage_failure = on_storage_failure
        self.max_bytes = max_bytes  # a clip over this is refused (Settings › Largest download)
        self.lease = lease  # only this engine's jobs are downloaded (None: any)
        self._queue: asyncio.PriorityQueue[tuple[float, int]] = asyncio.PriorityQueue()
        self._queued: set[int] = set()
        self._active: set[int] = set()  # being downloaded now: not queued a second time
        self._failures: Counter[int] = Counter()

    def enqueue(self, job: JobRow) -> None:
        if job.id in self._queued or job.id in self._active:
            return
        self._queued.add(job.id)
        # Soonest expiry first: a clip about to vanish at the provider jumps the queue.
        self._queue.put_nowait((job.expires_at or float("inf"), job.id))

    async def run(self) -> None:
        while True:
            _, job_id = await self._queue.get()
            self._queued.discard(job_id)
            job = self.ledger.store.jobs.get(job_id)
            if self.lease is not None and job is not None and job.lease_id != self.lease():
                continue  # another engine took it over meanwhile
            if job is not None and job.status is JobStatus.DOWNLOADING and job.remote_id:
                self._active.add(job_id)
                try:
                    await self._download(job, job.remote_id)
                finally:
                    self._active.discard(job_id)

    async def _requeue(self, job_id: int) -> None:
        job = self.ledger.store.jobs.get(job_id)
        if job is not None and job.status is JobStatus.DOWNLOADING:
            self.enqueue(job)

    async def _download(self, job: JobRow, remote_id: str) -> None:
        if job.expires_at is not None and job.expires_at <= self.ledger.clock.wall():
            self.ledger.expired(job.id, job.expires_at)
            return
        folder = job_folder(self.library, job.id)
        try:
            video = await self._save(remote_id, "video", folder / FILE_NAMES["video"])
        except NotFound as err:
            self._not_found(job, err)
            return
        except TooLarge as err:  # fetching it again would move it all again
            self._failures.pop(job.id, None)
            self.ledger.finish(
                job.id,
                JobStatus.FAILED,
                FailureClass.STORAGE,
                "too_large",
                f"{err}. Retry downloads it again, without a new render.",
            )
            return
        except StorageFailed as err:
            until = f" until {clock_time(job.expires_at)}" if job.expires_at else ""
            self.ledger.finish(
                job.id,
                JobStatus.FAILED,
                FailureClass.STORAGE,
                "storage",
                f"{err} The clip stays at the provider{until}; retry downloads "
                "it again without a new render.",
            )
            self.on_storage_failure(err)  # no more renders until there is room for them
            return
        except AuthError as err:
            self.on_auth_failure(err)
            self.tasks.later(self.pause, lambda: self._requeue(job.id))
            return
        except (TransportError, NotAVideo) as err:
            self._failures[job.id] += 1
            if self._failures[job.id] >= self.rounds:
                self._failures.pop(job.id)
                self.ledger.finish(
                    job.id,
                    JobStatus.FAILED,
                    FailureClass.TRANSPORT,
                    None,
                    f"Download failed: {err}",
                )
            else:
                self.tasks.later(self.pause, lambda: self._requeue(job.id))
            return
        extras = await self._extras(remote_id, folder, job.id)
        if not any(kind == "thumbnail" for kind, _ in extras):
            extras += await self._own_thumbnail(video.path, folder, job.id)
        saved = [("video", video), *extras]
        self._failures.pop(job.id, None)
        found = await asyncio.to_thread(provenance.read, video.path)  # C2PA: none/present/…
        self._record(job.id, saved, found)

    def _not_found(self, job: JobRow, err: NotFound) -> None:
        """A 404 for the clip: expired if the provider's expiry has passed, else the
        provider lost it (or never had it) — saying "expired" then would be untrue."""
        now = self.ledger.clock.wall()
        if job.expires_at is not None and job.expires_at <= now:
            self.ledger.expired(job.id, job.expires_at)
            return
        until = f", though it said it keeps it until {clock_time(job.expires_at)}"
        self.ledger.finish(
            job.id,
            JobStatus.FAILED,
            FailureClass.TRANSPORT,
            "not_found",
            f"The clip was not found at the provider (HTTP {err.status or 404})"
            f"{until if job.expires_at else ''}. Retry asks the provider again.",
        )

    async def _extras(self, remote_id: str, folder: Path, job_id: int) -> list[tuple[str, Saved]]:
        """Thumbnail and spritesheet where the provider has them; their absence is no error."""
        saved: list[tuple[str, Saved]] = []
        for variant in self.provider.variants:
            if variant == "video":
                continue
            try:
                saved.append(
                    (variant, await self._save(remote_id, variant, folder / FILE_NAMES[variant]))
                )
            except (ProviderError, NotAVideo, StorageFailed) as err:
                log.info("job %s: no %s (%s)", job_id, variant, err)
        return saved

    async def _own_thumbnail(
        self, video: Path, folder: Path, job_id: int
    ) -> list[tuple[str, Saved]]:
        """None from the provider (OpenRouter's shape has no thumbnail variant): one made from
        the clip, as an import makes it, so the queue and the review show the take."""
        made = await asyncio.to_thread(thumbnail_from_clip, video, folder / FILE_NAMES["thumbnail"])
        if made is None:
            log.info("job %s: no frame of its clip decodes for a thumbnail", job_id)
            return []
        try:
            return [("thumbnail", await asyncio.to_thread(verify, made, "thumbnail"))]
        except NotAVideo as err:
            log.info("job %s: no thumbnail from its clip (%s)", job_id, err)
            return []

    async def _save(self, remote_id: str, variant: Variant, final: Path) -> Saved:
        """The variant in the library. One already there under its final name was saved and
        verified before a store write failed: it is adopted (checked again), never fetched or
        deleted (it was paid for)."""
        if await asyncio.to_thread(final.is_file):
            try:
                return await asyncio.to_thread(verify, final, variant)
            except NotAVideo as err:
                log.warning("%s does not check out (%s): fetching it again", final, err)
        return await save_variant(
            self.provider, remote_id, variant, final, max_bytes=self.max_bytes()
        )

    def _record(self, job_id: int, saved: list[tuple[str, Saved]], found: dict[str, Any]) -> None:
        store, now = self.ledger.store, self.ledger.clock.wall()
        current = store.jobs.get(job_id)
        if current is None or current.status is not JobStatus.DOWNLOADING:
            return  # cancelled meanwhile: no rows for it
        with store.db.write() as tx:
            for kind, item in saved:
                store.assets.add(
                    tx,
                    job_id=job_id,
                    kind=kind,
                    path=str(item.path.relative_to(self.library)),
                    sha256=item.sha256,
                    size=item.size,
                    duration=item.duration,
                    at=now,
                )
            provenance.record(store, tx, job_id, found)
            store.jobs.transition(tx, job_id, JobStatus.READY, at=now, detail="downloaded")
        bus = self.ledger.bus
        bus.emit(JobChanged(job_id, JobStatus.READY.value, frozenset({"status", "assets"})))
        for kind, item in saved:
            bus.emit(AssetReady(job_id, kind, str(item.path)))
