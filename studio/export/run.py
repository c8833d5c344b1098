"""Export takes: each MP4 copied byte for byte (no transcode, so provenance such as a C2PA
manifest survives), fsynced, verified by re-reading the destination against the library's
sha256, then renamed into place; a JSON sidecar beside it; a manifest and a SHA256SUMS file
(`sha256sum -c SHA256SUMS` accepts it) for the folder. Files are written under a temporary
name, so an interrupted or failed export never leaves a half-written file under a final
name; re-running into the same folder skips identical clips and says so. One export at a
time holds the folder (studio/export/folder.py): names are chosen, files written and the
manifest merged under its lock, so exports into one folder never overwrite each other."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core.errors import StorageError
from studio.core.files import (
    ChecksumMismatch,
    copy_verified,
    is_regular,
    sha256_file,
    write_atomic,
)
from studio.core.words import count
from studio.export import folder as place
from studio.export import sidecar
from studio.export.folder import Cancelled
from studio.export.names import DEFAULT_TEMPLATE, NameBook, check_template, render, sidecar_name
from studio.media import provenance
from studio.store import JobRow, JobStatus, Store

__all__ = ["Cancelled", "ExportReport", "export_takes", "takes_to_export"]

Progress = Callable[[int, int, str], None]  # bytes done, bytes in all, current file
# Names a clip's sidecar may never take: the folder's own files.
_FOLDER_FILES = {place.MANIFEST.casefold(), place.SUMS.casefold()}


@dataclass
class ExportReport:
    folder: Path
    written: list[str] = field(default_factory=list)  # clip file names copied this time
    identical: list[str] = field(default_factory=list)  # already there, byte for byte
    missing: list[str] = field(default_factory=list)  # "#42: why" — not exported
    removed: list[str] = field(default_factory=list)  # temporary files a killed export left
    set_aside: list[str] = field(default_factory=list)  # a manifest or sums not merged: why
    unlocked: bool = False  # the folder's filesystem has no locks: exports could clash

    @property
    def exported(self) -> int:
        return len(self.written) + len(self.identical)

    def summary(self) -> str:
        """What happened, in one line (the command line and the dialog say the same)."""
        same = (
            f", {len(self.identical)} already there (identical, skipped)" if self.identical else ""
        )
        left = (
            f"; removed {count(len(self.removed), 'temporary file')} an interrupted export left"
            if self.removed
            else ""
        )
        return f"{count(len(self.written), 'clip')} exported to {self.folder}{same}{left}"

    def warnings(self) -> list[str]:
        """What a person should know besides the summary (the missing takes apart)."""
        lines = [f"set aside: {line}" for line in self.set_aside]
        if self.unlocked:
            lines.append(
                f"{self.folder} cannot be locked (its filesystem has no locks): another "
                "export into it at the same time could clash"
            )
        return lines


def takes_to_export(store: Store, *, everything: bool = False) -> list[JobRow]:
    """Approved takes (their decision in force, so an undo counts), or with `everything`
    every ready take, decided or not; oldest first."""
    ready = store.jobs.with_status(JobStatus.READY)
    if everything:
        return sorted(ready, key=lambda j: j.id)
    current = store.verdicts.current([j.id for j in ready])
    return sorted(
        (j for j in ready if (d := current.get(j.id)) is not None and d.decision == "approve"),
        key=lambda j: j.id,
    )


def export_takes(
    store: Store,
    library: Path,
    jobs: Iterable[JobRow],
    folder: Path,
    *,
    template: str = DEFAULT_TEMPLATE,
    reviewer: str = "",
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    waiting: Callable[[str], None] | None = None,
) -> ExportReport:
    """Export `jobs` into `folder`, holding its lock throughout (`waiting` hears, once, whom
    this export waits for when another holds it; `cancelled` is heard then too)."""
    check_template(template)
    jobs = list(jobs)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _probe(folder)
    except OSError as err:
        raise StorageError(f"Cannot write to {folder}: {err.strerror or err}.") from None
    report = ExportReport(folder)
    with place.take(folder, cancelled=cancelled, waiting=waiting) as held:
        report.removed, report.unlocked = held.removed, not held.locked
        _export_all(store, library, jobs, folder, template, reviewer, progress, cancelled, report)
    return report


def _export_all(
    store: Store,
    library: Path,
    jobs: list[JobRow],
    folder: Path,
    template: str,
    reviewer: str,
    progress: Progress | None,
    cancelled: Callable[[], bool],
    report: ExportReport,
) -> None:
    """The clips, then the folder's manifest and sums; the caller holds the folder."""
    videos = {j.id: store.assets.for_job(j.id).get("video") for j in jobs}
    total = sum(v.size for v in videos.values() if v is not None)
    done = 0
    book = NameBook()
    hashes: dict[Path, str] = {}  # files already in the folder, hashed once per export
    entries: list[dict[str, Any]] = []
    finished = False
    try:
        for job in jobs:
            if cancelled():
                raise Cancelled(f"Export stopped; {count(report.exported, 'clip')} in {folder}.")
            video = videos[job.id]
            source = library / video.path if video is not None else None
            if video is None or source is None or not source.is_file():
                report.missing.append(f"{job.name}: its clip is not in the library")
                continue
            name = _free_name(book, folder, template, _fields(store, job), video.sha256, hashes)
            dest = folder / name
            try:
                entry = _export_one(store, job, video.sha256, video.size, source, dest, report,
                                    cancelled, progress, done, total)  # fmt: skip
            except ChecksumMismatch:
                why = "its clip in the library no longer matches its recorded sha256"
                report.missing.append(f"{job.name}: {why}")
                continue
            except OSError as err:
                raise StorageError(
                    f"Cannot write {dest.name} in {folder}: {err.strerror or err}. The clips "
                    "exported before it are complete; nothing is half-written."
                ) from None
            done += video.size
            entries.append(entry)
            store.exports.record(job.id, str(dest), video.sha256, at=time.time(), reviewer=reviewer)
        finished = True
    finally:  # the folder's manifest and sums cover what is complete, even after a failure
        if entries:
            try:
                report.set_aside = place.write_folder_files(folder, entries)
            except (OSError, StorageError) as err:
                if finished:  # else the error that stopped the export is the one to tell
                    cause = (err.strerror if isinstance(err, OSError) else None) or str(err)
                    raise StorageError(
                        f"The clips are in {folder}, but its manifest.json and SHA256SUMS "
                        f"could not be written: {cause}."
                    ) from None


def _export_one(
    store: Store,
    job: JobRow,
    sha256: str,
    size: int,
    source: Path,
    dest: Path,
    report: ExportReport,
    cancelled: Callable[[], bool],
    progress: Progress | None,
    done: int,
    total: int,
) -> dict[str, Any]:
    """One clip (unless the same bytes are there already) and its sidecar."""
    if dest.exists():  # the same bytes, from an earlier run into this folder
        report.identical.append(dest.name)
    else:
        copied = done

        def chunk(n: int) -> None:
            nonlocal copied
            if cancelled():
                raise Cancelled("Export stopped; nothing is half-written.")
            copied += n
            if progress is not None:
                progress(copied, total, dest.name)

        copy_verified(source, dest, sha256, on_chunk=chunk)
        report.written.append(dest.name)
    found = provenance.recorded(store, job.id) or provenance.read(dest)  # the copy: same bytes
    side = sidecar.build(store, job, file=dest.name, sha256=sha256, size=size, provenance=found)
    side_name = sidecar_name(dest.name)
    side_bytes = (json.dumps(side, indent=2, ensure_ascii=False) + "\n").encode()
    write_atomic(dest.with_name(side_name), side_bytes)
    return {
        "take": job.id,
        "file": dest.name,
        "sha256": sha256,
        "sidecar": side_name,
        "sidecar_sha256": hashlib.sha256(side_bytes).hexdigest(),
        "decision": side["review"]["decision"],
    }


def _fields(store: Store, job: JobRow) -> dict[str, object]:
    current = store.verdicts.current([job.id]).get(job.id)
    day = dt.datetime.fromtimestamp(job.submitted_at or job.created_at).astimezone()
    return {
        "project": job.project,
        "shot": sidecar.shot(job),
        "take": job.id,
        "version": sidecar.revision_depth(store, job),
        "decision": current.decision if current else "undecided",
        "model": job.model,
        "date": day.strftime("%Y-%m-%d"),
    }


def _free_name(
    book: NameBook,
    folder: Path,
    template: str,
    fields: dict[str, object],
    sha256: str,
    hashes: dict[Path, str],
) -> str:
    """The take's name in this folder: its template name, unless a file there holds other
    bytes, or its sidecar's name is taken without it (then the next suffix: nothing is
    overwritten); the same bytes are the same clip, and its sidecar is ours to rewrite."""
    wanted = render(template, fields)
    passed: list[str] = []  # names this take cannot have; a later take may (same bytes)
    try:
        while True:
            name = book.claim(wanted, ".mp4")
            clip, side = folder / name, folder / sidecar_name(name)
            if side.name.casefold() in _FOLDER_FILES:
                continue
            if os.path.lexists(clip):
                if is_regular(clip) and _hash(clip, hashes) == sha256:
                    return name
            elif not os.path.lexists(side):
                return name
            passed.append(name)
    finally:
        for name in passed:
            book.release(name)


def _hash(path: Path, hashes: dict[Path, str]) -> str:
    """A file already in the folder, hashed once per export (with a shared name template,
    every take would otherwise hash every clip before it again: 45,000 hashes for 300)."""
    if path not in hashes:
        hashes[path] = sha256_file(path)
    return hashes[path]


def _probe(folder: Path) -> None:
    probe = folder / f".studio-write-test-{uuid.uuid4().hex[:8]}"
    probe.write_bytes(b"")
    probe.unlink(missing_ok=True)  # an export taking the folder may have swept it
