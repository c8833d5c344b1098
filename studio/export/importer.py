"""Import clips into the library for review: a folder, recursively, of MP4/MOV/WebM.

Clips are deduplicated by sha256. Where our own sidecar sits beside a clip (an earlier
export), its prompt, slots, project, rubric, scores, decisions with their history, tags,
star and lineage come back (ids remapped to this library); importing again merges: a known
clip is not copied twice, decisions it lacks are added, nothing is duplicated. Any other
video comes in as a take with its file name as the prompt.

No file can stop an import: entries are looked at before they are opened (`walk`: FIFOs,
sockets, devices and links leading outside the folder are passed over), every clip is
decoded whole (`clip_check`: one that stops short of its stated length comes in marked
damaged), every sidecar is checked against its schema before a field is used
(`sidecar_read`: a bad one is reported with its field and its clip comes in without the
review), and each problem is listed with its file while the import goes on."""

from __future__ import annotations

import datetime as dt
import json
import math
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av

from studio import provenance
from studio.core.spec import StoredSpec
from studio.errors import StorageError
from studio.export.clip_check import Clip, NotPlayable, inspect_clip
from studio.export.sidecar_read import BadSidecar, read_sidecar
from studio.export.walk import Found, Passed, shown, walk
from studio.files import ChecksumMismatch, copy_verified, sha256_file
from studio.jobs.download import FILE_NAMES, job_folder
from studio.store import Store

VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".m4v")
OURS = ("manifest.json", "SHA256SUMS")  # an export folder's own files: not clips, not errors
IMPORTED = "import"  # the provider column of imported takes (no cost, no latency)


@dataclass
class ImportReport:
    added: list[int] = field(default_factory=list)  # new job ids
    known: list[int] = field(default_factory=list)  # clips already in the library
    decisions_added: int = 0
    damaged: list[str] = field(default_factory=list)  # "file: #id, why" (imported, marked)
    # "file: why": could not or must not be read (a clip that does not decode, a FIFO, a
    # link leading outside the folder, a sidecar refused: its clip came without the review)
    unreadable: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "file: why": not clips (notes.txt)

    def summary(self) -> str:
        """What happened, in one line (the command line and the app say the same)."""
        known = f", {len(self.known)} already in the library" if self.known else ""
        damaged = f" ({len(self.damaged)} damaged)" if self.damaged else ""
        restored = f", {self.decisions_added} decision(s) restored" if self.decisions_added else ""
        unreadable = f", {len(self.unreadable)} unreadable" if self.unreadable else ""
        skipped = f", {len(self.skipped)} skipped" if self.skipped else ""
        return f"{len(self.added)} clip(s) imported{damaged}{known}{restored}{unreadable}{skipped}"


def import_folder(store: Store, library: Path, folder: Path, *, reviewer: str = "") -> ImportReport:
    if not folder.is_dir():
        raise StorageError(f"{shown(folder)} is not a folder.")
    report = ImportReport()
    found: dict[Path, Found] = {}
    for entry in walk(folder, folders_named_like=VIDEO_SUFFIXES):
        if isinstance(entry, Passed):
            listed = report.unreadable if entry.unreadable else report.skipped
            listed.append(f"{entry.name}: {entry.reason}")
        else:
            found[entry.path] = entry
    old_to_new: dict[int, int] = {}
    lineage: list[tuple[int, dict[str, Any]]] = []
    for entry in found.values():
        path = entry.path
        if path.name in OURS:
            continue
        suffix = path.suffix.lower()
        if suffix == ".json" and any(path.with_suffix(s) in found for s in VIDEO_SUFFIXES):
            continue  # a sidecar: read with its clip
        if suffix not in VIDEO_SUFFIXES:
            report.skipped.append(f"{entry.name}: not a video file")
            continue
        try:
            clip = inspect_clip(path)
        except (NotPlayable, OSError) as err:
            why = err.strerror if isinstance(err, OSError) else str(err)
            report.unreadable.append(f"{entry.name}: {why}")
            continue
        side = _sidecar(entry, found, report)
        job_id = _import_one(store, library, entry, clip, side, report)
        if job_id is not None and side is not None:
            old_to_new[int(side["take"]["id"])] = job_id
            lineage.append((job_id, side))
            report.decisions_added += _merge_review(store, job_id, side, reviewer)
    _link_lineage(store, lineage, old_to_new)
    return report


def _sidecar(clip: Found, found: dict[Path, Found], report: ImportReport) -> dict[str, Any] | None:
    """The clip's sidecar, checked; None when there is none, it is not ours, or it cannot be
    used (then said, with the field at fault: the clip comes in without the review)."""
    entry = found.get(clip.path.with_suffix(".json"))
    if entry is None:
        return None  # none, or one that is not a regular file (listed by the walk)
    try:
        data = read_sidecar(entry.path)
    except BadSidecar as err:
        report.unreadable.append(f"{entry.name}: {err} (its clip comes in without the review)")
        return None
    if data is None:
        report.skipped.append(f"{entry.name}: not a Studio sidecar (not read)")
    return data


def _import_one(
    store: Store,
    library: Path,
    entry: Found,
    clip: Clip,
    side: dict[str, Any] | None,
    report: ImportReport,
) -> int | None:
    """The clip's take in this library (a new one, or the one that has these bytes); None
    when the file could not be read whole or changed while it was read (said in `report`)."""
    path = entry.path
    try:
        digest = sha256_file(path)
    except OSError as err:
        report.unreadable.append(f"{entry.name}: cannot be read ({err.strerror or err})")
        return None
    row = store.db.query_one(
        "SELECT job_id FROM assets WHERE kind = 'video' AND sha256 = ? ORDER BY job_id", (digest,)
    )
    if row is not None:
        report.known.append(int(row[0]))
        return int(row[0])
    now = time.time()
    spec, project, created = _spec_of(path, clip.seconds, side)
    with store.db.write() as tx:
        job_id = store.jobs.insert(
            tx,
            {
                "provider": IMPORTED,
                "project": project,
                "model": spec.model,
                "prompt": spec.prompt,
                "spec_json": spec.to_json(),
                "idem_key": uuid.uuid4().hex,
                "status": "ready",
                "finished_at": now,
                "damage": clip.damage,
                "imported_at": now,
            },
            at=created or now,
        )
    folder = job_folder(library, job_id)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / FILE_NAMES["video"]
        copy_verified(path, final, digest)
        thumb = _thumbnail(final, folder / FILE_NAMES["thumbnail"])
    except (OSError, ChecksumMismatch) as err:
        with store.db.write() as tx:
            tx.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
        if isinstance(err, ChecksumMismatch):  # the file, not the library: go on
            report.unreadable.append(f"{entry.name}: changed while it was being imported")
            return None
        raise StorageError(f"Cannot copy {shown(path.name)} into the library: {err}.") from None
    try:
        found = provenance.read(final)
    except Exception:  # a reader failing on these bytes must not stop the import
        found = {"c2pa": "damaged", "problem": "the manifest could not be read"}
    with store.db.write() as tx:
        provenance.record(tx, job_id, found)
        store.assets.add(tx, job_id=job_id, kind="video", path=str(final.relative_to(library)),
                         sha256=digest, size=final.stat().st_size,
                         duration=clip.seconds, at=now)  # fmt: skip
        if thumb is not None:
            store.assets.add(tx, job_id=job_id, kind="thumbnail",
                             path=str(thumb.relative_to(library)), sha256=sha256_file(thumb),
                             size=thumb.stat().st_size, duration=None, at=now)  # fmt: skip
    report.added.append(job_id)
    if clip.damage is not None:
        report.damaged.append(f"{entry.name}: #{job_id}, {clip.damage}")
    return job_id


def _spec_of(
    path: Path, seconds: float, side: dict[str, Any] | None
) -> tuple[StoredSpec, str, float | None]:
    if side is None:
        whole = max(1, round(seconds))
        return StoredSpec(model="imported", prompt=shown(path.stem), seconds=whole), "default", None
    render, prompt, take = side["render"], side["prompt"], side["take"]
    spec = StoredSpec(
        model=str(render["model"]),
        prompt=str(prompt["text"]),
        seconds=int(render["seconds"]),
        size=render.get("size"),
        resolution=render.get("resolution"),
        aspect_ratio=render.get("aspect_ratio"),
        seed=render.get("seed"),
        generate_audio=render.get("audio"),
        reference_sha256=render.get("reference_image_sha256"),
        slots=dict(prompt.get("slots") or {}),
        variant=take.get("variant"),
    )
    return spec, str(side.get("project") or "default"), _time(side["times"].get("created"))


def _thumbnail(video: Path, dest: Path) -> Path | None:
    """The first frame, small, as WebP (what the queue and the library show)."""
    try:
        with av.open(str(video)) as container:
            frame = next(container.decode(video=0))
        image = frame.to_image()  # type: ignore[no-untyped-call]
        image.thumbnail((320, 320))
        image.save(dest, "WEBP", quality=80)
    except (av.FFmpegError, StopIteration, OSError, ValueError):
        return None
    return dest


def _merge_review(store: Store, job_id: int, side: dict[str, Any], reviewer: str) -> int:
    """The sidecar's decisions this take lacks (by time, reviewer and decision), its
    rubric (the same name and definition reused), tags and star."""
    review, rubric = side["review"], side.get("rubric")
    rubric_id = _rubric_id(store, rubric) if rubric else None
    have = {(d.decision, _ms(d.at), d.reviewer) for d in store.verdicts.history(job_id)}
    added = 0
    for entry in review.get("history") or []:
        at = _time(entry.get("at"))
        key = (entry["decision"], _ms(at or 0.0), entry.get("reviewer") or reviewer)
        if at is None or key in have:
            continue
        store.verdicts.decide(
            job_id,
            entry["decision"],
            reviewer=key[2],
            at=at,
            rubric_id=rubric_id,
            note=entry.get("note") or "",
            escalate=bool(entry.get("escalate")),
            scores={str(k): int(v) for k, v in (entry.get("scores") or {}).items()},
            tags=tuple(entry.get("tags") or ()),
        )
        have.add(key)
        added += 1
    if review.get("tags") and not store.verdicts.tags(job_id):
        store.verdicts.set_tags(job_id, list(review["tags"]), at=time.time())
    if review.get("starred"):
        store.verdicts.star(job_id, True, at=time.time())
    return added


def _rubric_id(store: Store, rubric: dict[str, Any]) -> int:
    definition = rubric["definition"]
    rows = store.db.query("SELECT id, body_json FROM rubrics WHERE name = ?", (rubric["name"],))
    for row in rows:
        if json.loads(row[1]) == definition:
            return int(row[0])
    rubric_id, _ = store.rubrics.save(str(rubric["name"]), definition, at=time.time())
    return rubric_id


def _link_lineage(
    store: Store, lineage: list[tuple[int, dict[str, Any]]], old_to_new: dict[int, int]
) -> None:
    """Parents and retries point at this library's ids (where the other take came too)."""
    with store.db.write() as tx:
        for job_id, side in lineage:
            take = side["take"]
            parent = old_to_new.get(take.get("parent") or -1)
            retry_of = old_to_new.get(take.get("retry_of") or -1)
            if job_id in (parent, retry_of):  # a take cannot descend from itself
                continue
            if parent is not None or retry_of is not None:
                tx.execute(
                    "UPDATE jobs SET parent_id = COALESCE(?, parent_id), "
                    "retry_of = COALESCE(?, retry_of) WHERE id = ?",
                    (parent, retry_of, job_id),
                )
        store.jobs.refresh_shots(tx)


def _ms(at: float) -> int:
    """A decision's time as the sidecar keeps it: whole milliseconds (cut, not rounded)."""
    return math.floor(at * 1000 + 1e-4)


def _time(text: object) -> float | None:
    if not isinstance(text, str):
        return None
    try:
        return dt.datetime.fromisoformat(text).timestamp()
    except (ValueError, OverflowError, OSError):  # not a time, or one out of range
        return None


__all__ = ["IMPORTED", "ImportReport", "import_folder"]
