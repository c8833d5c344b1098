"""Import clips into the library for review: a folder, recursively, of MP4/MOV/WebM.

Clips are deduplicated by sha256. Where our own sidecar sits beside a clip (an earlier
export), its prompt, slots, project, rubric, scores, decisions with their history, tags,
star and lineage come back (ids remapped to this library); importing again merges: a known
clip is not copied twice, decisions it lacks are added, nothing is duplicated. Any other
video comes in as a take with its file name as the prompt."""

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
from studio.export.sidecar import SCHEMA
from studio.files import ChecksumMismatch, copy_verified, sha256_file
from studio.jobs.download import FILE_NAMES, NotAVideo, job_folder, read_duration
from studio.store import Store

VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".m4v")
OURS = ("manifest.json", "SHA256SUMS")  # an export folder's own files: not clips, not errors
IMPORTED = "import"  # the provider column of imported takes (no cost, no latency)


@dataclass
class ImportReport:
    added: list[int] = field(default_factory=list)  # new job ids
    known: list[int] = field(default_factory=list)  # clips already in the library
    decisions_added: int = 0
    skipped: list[str] = field(default_factory=list)  # "file: why"

    def summary(self) -> str:
        """What happened, in one line (the command line and the app say the same)."""
        known = f", {len(self.known)} already in the library" if self.known else ""
        restored = f", {self.decisions_added} decision(s) restored" if self.decisions_added else ""
        return f"{len(self.added)} clip(s) imported{known}{restored}"


def import_folder(store: Store, library: Path, folder: Path, *, reviewer: str = "") -> ImportReport:
    if not folder.is_dir():
        raise StorageError(f"{folder} is not a folder.")
    report = ImportReport()
    old_to_new: dict[int, int] = {}
    lineage: list[tuple[int, dict[str, Any]]] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.name in OURS or path.name.startswith("."):
            continue
        if path.suffix.lower() == ".json" and _clip_beside(path):
            continue  # a sidecar: read with its clip
        if path.suffix.lower() not in VIDEO_SUFFIXES:
            report.skipped.append(f"{path.relative_to(folder)}: not a video file")
            continue
        seconds = _duration(path)
        if isinstance(seconds, str):
            report.skipped.append(f"{path.relative_to(folder)}: {seconds}")
            continue
        side = _sidecar(path)
        job_id = _import_one(store, library, path, seconds, side, report)
        if side is not None:
            old_to_new[int(side["take"]["id"])] = job_id
            lineage.append((job_id, side))
            report.decisions_added += _merge_review(store, job_id, side, reviewer)
    _link_lineage(store, lineage, old_to_new)
    return report


def _clip_beside(sidecar: Path) -> bool:
    return any(sidecar.with_suffix(s).is_file() for s in VIDEO_SUFFIXES)


def _duration(path: Path) -> float | str:
    """The clip's duration, read once; or why it cannot be imported."""
    if path.stat().st_size == 0:
        return "empty file"
    try:
        return read_duration(path)
    except NotAVideo:
        return "not a readable video"


def _sidecar(clip: Path) -> dict[str, Any] | None:
    path = clip.with_suffix(".json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("schema") == SCHEMA else None


def _import_one(
    store: Store,
    library: Path,
    path: Path,
    seconds: float,
    side: dict[str, Any] | None,
    report: ImportReport,
) -> int:
    digest = sha256_file(path)
    row = store.db.query_one(
        "SELECT job_id FROM assets WHERE kind = 'video' AND sha256 = ? ORDER BY job_id", (digest,)
    )
    if row is not None:
        report.known.append(int(row[0]))
        return int(row[0])
    now = time.time()
    spec, project, created = _spec_of(path, seconds, side)
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
        raise StorageError(f"Cannot copy {path.name} into the library: {err}.") from None
    found = provenance.read(final)
    with store.db.write() as tx:
        provenance.record(tx, job_id, found)
        store.assets.add(tx, job_id=job_id, kind="video", path=str(final.relative_to(library)),
                         sha256=digest, size=final.stat().st_size,
                         duration=seconds, at=now)  # fmt: skip
        if thumb is not None:
            store.assets.add(tx, job_id=job_id, kind="thumbnail",
                             path=str(thumb.relative_to(library)), sha256=sha256_file(thumb),
                             size=thumb.stat().st_size, duration=None, at=now)  # fmt: skip
    report.added.append(job_id)
    return job_id


def _spec_of(
    path: Path, seconds: float, side: dict[str, Any] | None
) -> tuple[StoredSpec, str, float | None]:
    if side is None:
        whole = max(1, round(seconds))
        return StoredSpec(model="imported", prompt=path.stem, seconds=whole), "default", None
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
    except ValueError:
        return None


__all__ = ["IMPORTED", "ImportReport", "import_folder"]
