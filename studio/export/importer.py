"""Import clips into the library for review: a folder, recursively, of MP4/MOV/WebM.

Clips are deduplicated by sha256. Where our own sidecar sits beside a clip (an earlier
export), the take comes back as it was: its origin (the library it was made in and its
number there, shown beside its number here: "#6 · #11 from Studio on kestrel"), prompt,
slots, project, render settings, provider and the provider's job id, costs, times, batch,
template version, lineage (parent and retry, linked to the takes here they name), every
score and decision under its own rubric version, tags, star and decision notes, its notes
on the frame, and the blind comparisons it took part in with takes that are here (the ranks
of their groups written again). Importing again merges: a known clip is not copied twice,
scores, decisions, notes and comparisons it lacks are added (a later edit of a note replaces
it), nothing is duplicated. Any other video comes in as a take with its file name as the
prompt.

No file can stop an import: entries are looked at before they are opened (`walk`: FIFOs,
sockets, devices and links leading outside the folder are passed over), every clip is
decoded whole (`clip_check`: one that stops short of its stated length comes in marked
damaged), every sidecar is checked against its schema before a field is used
(`sidecar_read`: a bad one is reported with its field and its clip comes in without the
review), and each problem is listed with its file while the import goes on.

An import is one library operation (`LibraryOps.importing`): its views hear one change
naming every take it brought or added review records to."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core.errors import StorageError
from studio.core.files import ChecksumMismatch, copy_verified, sha256_file
from studio.core.spec import StoredSpec
from studio.core.take_state import millis as _ms  # a decision's time as a sidecar keeps it
from studio.core.words import count
from studio.export.clip_check import Clip, NotPlayable, inspect_clip
from studio.export.sidecar_read import BadSidecar, notes_from_sidecar, read_sidecar
from studio.export.walk import Found, Passed, shown, walk
from studio.library.ops import ops_for
from studio.media import provenance
from studio.media.thumbnail import thumbnail_from_clip
from studio.review.pairwise import stored_ranks
from studio.store import Comparison, Store, Transaction
from studio.store.layout import FILE_NAMES, job_folder
from studio.store.review import Decision, ScoreEntry

VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".m4v")
OURS = ("manifest.json", "SHA256SUMS")  # an export folder's own files: not clips, not errors
IMPORTED = "import"  # the provider column of imported takes (no cost, no latency)


@dataclass
class ImportReport:
    added: list[int] = field(default_factory=list)  # new job ids
    known: list[int] = field(default_factory=list)  # clips already in the library
    decisions_added: int = 0
    notes_added: int = 0  # notes on the frame added or brought up to a later edit
    comparisons_added: int = 0  # blind comparisons restored (or marked taken back)
    damaged: list[str] = field(default_factory=list)  # "file: #id, why" (imported, marked)
    # "file: why": could not or must not be read (a clip that does not decode, a FIFO, a
    # link leading outside the folder, a sidecar refused: its clip came without the review)
    unreadable: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "file: why": not clips (notes.txt)

    def summary(self) -> str:
        """What happened, in one line (the command line and the app say the same)."""
        known = f", {len(self.known)} already in the library" if self.known else ""
        damaged = f" ({len(self.damaged)} damaged)" if self.damaged else ""
        decisions = count(self.decisions_added, "decision")
        restored = f", {decisions} restored" if self.decisions_added else ""
        if self.notes_added:
            restored += f", {count(self.notes_added, 'note')} restored"
        if self.comparisons_added:
            restored += f", {count(self.comparisons_added, 'comparison')} restored"
        unreadable = f", {len(self.unreadable)} unreadable" if self.unreadable else ""
        skipped = f", {len(self.skipped)} skipped" if self.skipped else ""
        added = count(len(self.added), "clip")
        return f"{added} imported{damaged}{known}{restored}{unreadable}{skipped}"


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
    with ops_for(store).importing() as touched:  # one change, naming every take it brought
        _import_found(store, library, found, report, reviewer, touched)
    return report


def _import_found(
    store: Store,
    library: Path,
    found: dict[Path, Found],
    report: ImportReport,
    reviewer: str,
    touched: set[int],
) -> None:
    numbers: dict[tuple[str, int], int] = {}  # (exporting library, its number) → take here
    batches: dict[tuple[str, int], int] = {}  # the same for batches, within this import
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
        side = _sidecar(entry, found, report, clip)
        job_id, side = _import_one(store, library, entry, clip, side, report, batches)
        if job_id is not None and side is not None:
            numbers[(_exporter(side), int(side["take"]["id"]))] = job_id
            lineage.append((job_id, side))
            report.decisions_added += _merge_review(store, job_id, side, reviewer)
            notes = notes_from_sidecar(side, job_id=job_id, **_fit(clip))
            report.notes_added += store.notes.restore(job_id, notes)
            touched.add(job_id)  # its review records merged
        elif job_id in report.added:
            touched.add(job_id)
    _link_lineage(store, lineage, numbers)
    report.comparisons_added += _merge_comparisons(store, lineage, touched)


def _sidecar(
    clip: Found, found: dict[Path, Found], report: ImportReport, facts: Clip
) -> dict[str, Any] | None:
    """The clip's sidecar, checked (its notes against the clip: on its frames, at its
    rate); None when there is none, it is not ours, or it cannot be used (then said, with
    the field at fault: the clip comes in without the review)."""
    entry = found.get(clip.path.with_suffix(".json"))
    if entry is None:
        return None  # none, or one that is not a regular file (listed by the walk)
    try:
        data = read_sidecar(entry.path)
        if data is not None:
            notes_from_sidecar(data, **_fit(facts))
    except BadSidecar as err:
        report.unreadable.append(f"{entry.name}: {err} (its clip comes in without the review)")
        return None
    if data is None:
        report.skipped.append(f"{entry.name}: not a Studio sidecar (not read)")
    return data


def _fit(clip: Clip) -> dict[str, Any]:
    """What a note on this clip must fit: its picture, its frames (as many as it states
    or decodes) and its rate."""
    return {
        "picture": clip.picture,
        "frames": max(clip.frames, clip.stated_frames or 0),
        "fps": clip.fps,
    }


def _import_one(
    store: Store,
    library: Path,
    entry: Found,
    clip: Clip,
    side: dict[str, Any] | None,
    report: ImportReport,
    batches: dict[tuple[str, int], int],
) -> tuple[int | None, dict[str, Any] | None]:
    """The clip's take in this library (a new one, or the one that has these bytes; None
    when the file could not be read whole or changed while it was read, said in `report`),
    and the sidecar still used: not one that describes other bytes (a clip trimmed or
    re-encoded beside its old sidecar must not carry its approval)."""
    path = entry.path
    try:
        digest = sha256_file(path)
    except OSError as err:
        report.unreadable.append(f"{entry.name}: cannot be read ({err.strerror or err})")
        return None, side
    if side is not None and side["clip"]["sha256"] != digest:
        report.unreadable.append(
            f"{shown(path.with_suffix('.json').name)}: describes other bytes than "
            f"{entry.name} (its sha256 differs): the clip comes in without the review"
        )
        side = None
    known = store.assets.take_with_video(digest)
    if known is not None:
        report.known.append(known)
        return known, side
    now = time.time()
    spec, project, created = _spec_of(path, clip.seconds, side)
    values: dict[str, Any] = {
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
    }
    seconds = clip.seconds
    if side is not None:
        values.update(_made(side, now))
        values["template_id"] = _template_id(store, side.get("template"), now)
        stated = side["clip"].get("seconds")
        if clip.damage is None and side["clip"]["sha256"] == digest and stated is not None:
            seconds = float(stated)  # as measured where it was made: the same bytes, whole
    with store.db.write() as tx:
        if side is not None:
            values["batch_id"] = _batch_id(store, tx, side, batches, created or now)
        job_id = store.jobs.insert(tx, values, at=created or now)
        store.jobs.update(tx, job_id, at=now)  # changed now, for other windows to see
    folder = job_folder(library, job_id)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / FILE_NAMES["video"]
        copy_verified(path, final, digest)
        thumb = thumbnail_from_clip(final, folder / FILE_NAMES["thumbnail"])
    except (OSError, ChecksumMismatch) as err:
        with store.db.write() as tx:
            store.jobs.delete(tx, job_id)  # its clip never arrived: no take
        if isinstance(err, ChecksumMismatch):  # the file, not the library: go on
            report.unreadable.append(f"{entry.name}: changed while it was being imported")
            return None, side
        raise StorageError(f"Cannot copy {shown(path.name)} into the library: {err}.") from None
    try:
        found = provenance.read(final)
    except Exception:  # a reader failing on these bytes must not stop the import
        found = {"c2pa": "damaged", "problem": "the manifest could not be read"}
    with store.db.write() as tx:
        provenance.record(store, tx, job_id, found)
        store.assets.add(tx, job_id=job_id, kind="video", path=str(final.relative_to(library)),
                         sha256=digest, size=final.stat().st_size,
                         duration=seconds, at=now)  # fmt: skip
        if thumb is not None:
            store.assets.add(tx, job_id=job_id, kind="thumbnail",
                             path=str(thumb.relative_to(library)), sha256=sha256_file(thumb),
                             size=thumb.stat().st_size, duration=None, at=now)  # fmt: skip
    report.added.append(job_id)
    if clip.damage is not None:
        report.damaged.append(f"{entry.name}: #{job_id}, {clip.damage}")
    return job_id, side


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
        remix_of=render.get("remix_of"),
        slots=dict(prompt.get("slots") or {}),
        variant=take.get("variant"),
    )
    return spec, str(side.get("project") or "default"), _time(side["times"].get("created"))


def _exporter(side: dict[str, Any]) -> str:
    """The id of the library that wrote the sidecar ("" for one older than library ids):
    the take numbers in it are that library's."""
    return str((side.get("library") or {}).get("id") or "")


def _origin(side: dict[str, Any]) -> tuple[str, str, int]:
    """Where the take was made: library id, library name, its number there."""
    take = side["take"]
    made = take.get("origin")
    if made is not None:
        return str(made["library"]), str(made.get("library_name") or ""), int(made["id"])
    exporter = side.get("library") or {}
    return str(exporter.get("id") or ""), str(exporter.get("name") or ""), int(take["id"])


def _made(side: dict[str, Any], now: float) -> dict[str, Any]:
    """The columns that say how and where the take was made, from its sidecar."""
    render, times, cost = side["render"], side["times"], side["cost"]
    library, name, number = _origin(side)
    return {
        "provider": str(render["provider"]),
        "remote_id": render.get("provider_job_id"),
        "estimated_cost": cost.get("estimate_usd"),
        "actual_cost": cost.get("actual_usd"),
        "submitted_at": _time(times.get("submitted")),
        "finished_at": _time(times.get("finished")) or now,
        "origin_library": library,
        "origin_name": name,
        "origin_take": number,
    }


def _template_id(store: Store, template: dict[str, Any] | None, now: float) -> int | None:
    """The template version the take was made from, here: restored under its number (see
    TemplateRepo.restore). A sidecar older than the template's slots cannot restore it."""
    if template is None or template.get("slots") is None:
        return None
    parts: list[object] = [template.get(k) for k in ("campaign", "product", "use_case")]
    if not all(isinstance(p, str) for p in parts):
        parts = list(str(template["name"]).split(" / "))
        if len(parts) != 3:
            return None
    campaign, product, use_case = (str(p) for p in parts)
    return store.templates.restore(
        campaign,
        product,
        use_case,
        int(template["version"]),
        {str(k): str(v) for k, v in template["slots"].items()},
        change_note=str(template.get("change_note") or ""),
        at=now,
    )


def _batch_id(
    store: Store,
    tx: Transaction,
    side: dict[str, Any],
    batches: dict[tuple[str, int], int],
    created: float,
) -> int | None:
    """The take's batch here: the one imported from the same batch before (by its origin),
    or one made now that keeps that origin (its name, project and varied slot with it)."""
    number = side["take"].get("batch")
    batch = side.get("batch")
    if batch is not None:
        key = (str(batch["origin"]["library"]), int(batch["origin"]["id"]))
    elif number is not None:  # a sidecar older than batch origins: the exporter's number
        key = (_exporter(side), int(number))
        batch = {"name": f"batch {number} (imported)", "created": None}
    else:
        return None
    if key in batches:
        return batches[key]
    found = store.origins.batch(tx, *key)
    if found is None:
        found = store.origins.add_batch(
            tx,
            name=str(batch["name"]),
            project=str(batch.get("project") or side.get("project") or "default"),
            varied_slot=batch.get("varied_slot"),
            created_at=_time(batch.get("created")) or created,
            library=key[0],
            number=key[1],
        )
    batches[key] = found
    return found


def _merge_review(store: Store, job_id: int, side: dict[str, Any], reviewer: str) -> int:
    """The sidecar's scores and decisions this take lacks (by time, reviewer and what was
    given), each under its own rubric version (the same name and definition reused), its
    tags and star; returns how many decisions were added."""
    review = side["review"]
    rubrics = _rubric_ids(store, side)
    fallback = rubrics.get(_ref(side.get("rubric")))  # older sidecars name one rubric
    # What the take has already, counted: two entries may share a millisecond (an undo and
    # the decision after it), so each one here stands for one in the sidecar, no more.
    have_scores = Counter(
        (g.criterion, g.score, _ms(g.at), g.reviewer) for g in store.verdicts.score_history(job_id)
    )
    scores: list[ScoreEntry] = []
    for entry in review.get("score_history") or []:
        at = _time(entry["at"])
        rubric_id = rubrics.get(_ref(entry.get("rubric")))
        given = (str(entry["criterion"]), int(entry["score"]), _ms(at or 0.0), entry["reviewer"])
        if at is None or rubric_id is None or _had(have_scores, given):
            continue
        given_tags = tuple(str(t) for t in entry.get("tags") or ())
        scores.append(ScoreEntry(rubric_id, given[0], given[1], given_tags, str(given[3]), at))
    have = Counter((d.decision, _ms(d.at), d.reviewer) for d in store.verdicts.history(job_id))
    decisions: list[Decision] = []
    for entry in review.get("history") or []:
        at = _time(entry.get("at"))
        key = (entry["decision"], _ms(at or 0.0), entry.get("reviewer") or reviewer)
        if at is None or _had(have, key):
            continue
        ref = _ref(entry.get("rubric"))
        decisions.append(
            Decision(
                id=0,
                job_id=job_id,
                decision=str(entry["decision"]),
                escalate=bool(entry.get("escalate")),
                note=str(entry.get("note") or ""),
                reviewer=str(key[2]),
                rubric_id=rubrics.get(ref) if ref is not None else fallback,
                at=at,
                scores={str(k): int(v) for k, v in (entry.get("scores") or {}).items()},
                tags=tuple(str(t) for t in entry.get("tags") or ()),
            )
        )
    tags = list(review["tags"]) if review.get("tags") and not store.verdicts.tags(job_id) else None
    starred = time.time() if review.get("starred") else None
    if scores or decisions or tags is not None or starred is not None:
        store.verdicts.restore(
            job_id, scores=scores, decisions=decisions, tags=tags, starred_at=starred
        )
    return len(decisions)


def _had(have: Counter[Any], key: object) -> bool:
    """Whether the take already has this entry (each one it has answers for one)."""
    if have[key] > 0:
        have[key] -= 1
        return True
    return False


def _ref(rubric: object) -> tuple[str, int] | None:
    if not isinstance(rubric, dict):
        return None
    return str(rubric["name"]), int(rubric["version"])


def _rubric_ids(store: Store, side: dict[str, Any]) -> dict[tuple[str, int] | None, int]:
    """Each rubric version the sidecar names → its id here (see RubricRepo.restore)."""
    found: dict[tuple[str, int] | None, int] = {}
    listed = [*(side.get("rubrics") or []), *([side["rubric"]] if side.get("rubric") else [])]
    for rubric in listed:
        ref = _ref(rubric)
        if ref not in found:
            found[ref] = store.rubrics.restore(
                ref[0] if ref else "default",
                ref[1] if ref else 0,
                rubric["definition"],
                at=time.time(),
            )
    return found


def _link_lineage(
    store: Store, lineage: list[tuple[int, dict[str, Any]]], numbers: dict[tuple[str, int], int]
) -> None:
    """Parents and retries point at this library's takes: one of this import (by the
    exporting library's number), or one already here (by its origin). A take keeps the
    lineage it has here."""
    with store.db.write() as tx:
        for job_id, side in lineage:
            take, exporter = side["take"], _exporter(side)
            for column, field in (("parent_id", "parent"), ("retry_of", "retry_of")):
                number, made = take.get(field), take.get(f"{field}_origin")
                target = numbers.get((exporter, int(number))) if number is not None else None
                if target is None and made is not None:
                    target = store.origins.take(str(made["library"]), int(made["id"]))
                if target is None or target == job_id:  # a take cannot descend from itself
                    continue
                store.jobs.link(tx, job_id, column, target)
        store.jobs.refresh_shots(tx)


def _merge_comparisons(
    store: Store, lineage: list[tuple[int, dict[str, Any]]], touched: set[int]
) -> int:
    """The sidecars' blind comparisons between takes that are both here now (each take is
    found by its origin; one whose other take is not here waits for an import that
    brings it, whose sidecar carries it too), added once however many sidecars carry it,
    and the ranks of their groups written again; returns how many were added or marked
    taken back."""
    entries: list[Comparison] = []
    for _job_id, side in lineage:
        for entry in side["review"].get("comparisons") or []:
            left, right = (_take_here(store, entry[k]) for k in ("left", "right"))
            at = _time(entry["at"])
            if left is None or right is None or left == right or at is None:
                continue
            undone_at = _time(entry.get("undone_at"))
            undone_by = entry.get("undone_by") if undone_at is not None else None
            reviewer = str(entry["reviewer"])
            entries.append(
                Comparison(0, left, right, str(entry["choice"]), reviewer, at, undone_at,
                           None if undone_by is None else str(undone_by))
            )  # fmt: skip
    if not entries:
        return 0
    with store.db.write():
        changed = store.comparisons.restore(entries)
        pairs = {take for c in changed for take in (c.left_id, c.right_id)}
        touched |= store.comparisons.refresh_ranks(pairs, stored_ranks) if pairs else set()
    return len(changed)


def _take_here(store: Store, made: object) -> int | None:
    """The take here that an origin in a sidecar names, if it is here."""
    if not isinstance(made, dict):
        return None
    return store.origins.take(str(made.get("library") or ""), int(made["id"]))


def _time(text: object) -> float | None:
    if not isinstance(text, str):
        return None
    try:
        return dt.datetime.fromisoformat(text).timestamp()
    except (ValueError, OverflowError, OSError):  # not a time, or one out of range
        return None


__all__ = ["IMPORTED", "ImportReport", "import_folder"]
