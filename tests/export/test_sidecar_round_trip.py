"""Export → import into a fresh library → export: the two sidecars of every take are equal
field by field, except the fields that belong to the export itself, listed in `EXPORT_OWN`
with why (and those that are numbers in the exporting library are compared through the
origins they stand for). The takes are rich: a variant batch made from a template, a
revision of one of them, scores under two rubric versions, decisions with notes, undos and
an escalation, tags, a star, costs, the provider's job ids, and notes on the frame (on a
frame and on a range, with text over several lines, drawings of every kind and colour, an
edit) compared note by note and shape by shape, and blind comparisons by two reviewers (one
taken back) and the ranks they give."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from studio.core.notes import PALETTE, SHAPES, Shape
from studio.core.spec import RenderRequest
from studio.export import export_takes, takes_to_export
from studio.export.importer import import_folder
from studio.jobs import Engine
from studio.jobs.remix import RemixSource
from studio.library.ops import ops_for
from studio.review.pairwise import stored_ranks
from studio.review.rubric import Criterion, load_active, store_version
from studio.review.session import ReviewSession
from studio.store import JobStatus, Store
from studio.store.search import verdicts
from tests.jobs.conftest import spec

# What may differ between the first export and the second, and why. Every other field of
# the sidecar, at any depth, must be equal.
EXPORT_OWN = {
    "library": "the library that wrote the sidecar (its id and name)",
    "clip.file": "the file's name, made from the exporting library's take numbers",
    "take.id": "a number in the exporting library (compared through take.origin)",
    "take.shot": "a number in the exporting library (compared through the origin it names)",
    "take.parent": "a number in the exporting library (compared through take.parent_origin)",
    "take.retry_of": "a number in the exporting library (compared through its origin)",
    "take.retries": "numbers in the exporting library (compared through their origins)",
    "take.batch": "a number in the exporting library (compared through batch.origin)",
    "template.id": "the template's row in the exporting library (its version is compared)",
    "review.history[].rubric_id": "the rubric's row in the exporting library (the version "
    "it names, review.history[].rubric, is compared)",
}
LISTS = ("history", "notes", "notes[].drawing")  # compared item by item, field by field
NUMBERS = ("take.id", "take.shot", "take.parent", "take.retry_of", "take.retries")
AUDIO = Criterion("audio", "Audio", "Sound fits.", ("off", "fine", "spot on"), ())


def by_number(store: Store) -> dict[int, int]:
    """The imported takes of a library by their number where they were made."""
    return {j.origin_take: j.id for j in store.jobs.with_status(JobStatus.READY) if j.origin_take}


def sidecars(folder: Path) -> dict[str, dict[str, Any]]:
    """Each clip's sidecar in an export folder, by the clip's sha256."""
    found = {}
    for path in folder.glob("*.json"):
        if path.name == "manifest.json":
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        found[data["clip"]["sha256"]] = data
    return found


def origins(export: dict[str, dict[str, Any]]) -> dict[int, tuple[str, int]]:
    """An export's take numbers → the origin each stands for (every take is exported)."""
    return {
        side["take"]["id"]: (side["take"]["origin"]["library"], side["take"]["origin"]["id"])
        for side in export.values()
    }


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Every field (dotted, list items as []) where `a` and `b` differ, outside EXPORT_OWN."""
    if path in EXPORT_OWN:
        return []
    if isinstance(a, dict) and isinstance(b, dict):
        found = [f"{path}: only in one ({k})" for k in sorted(set(a) ^ set(b))]
        for key in sorted(set(a) & set(b)):
            found += differences(a[key], b[key], f"{path}.{key}" if path else key)
        return found
    if isinstance(a, list) and isinstance(b, list) and path.endswith(LISTS):
        if len(a) != len(b):
            return [f"{path}: {len(a)} entries against {len(b)}"]
        return [d for x, y in zip(a, b, strict=True) for d in differences(x, y, path + "[]")]
    return [] if a == b else [f"{path}: {a!r} against {b!r}"]


async def test_export_import_export_keeps_every_field_but_the_exports_own(
    make_engine: Callable[..., Engine], store: Store, library: Path, tmp_path: Path
) -> None:
    engine = make_engine()
    await engine.start()
    template = store.templates.save("spring", "kite", "social ad", {"subject": "a red kite"},
                                    change_note="first cut", at=1_700_000_000.5)  # fmt: skip
    requests = [
        RenderRequest(
            spec(f"a red kite at {light}"),
            slots={"subject": "a red kite", "lighting": light},
            variant=f"Lighting: {light}",
            template_id=template.id,
        )
        for light in ("dawn", "dusk")
    ]
    queued = await engine.submit_batch(requests, name="kites", project="launch",
                                       varied_slot="lighting")  # fmt: skip
    dawn, dusk = await asyncio.wait_for(engine.wait_finished([j.id for j in queued.jobs]), 60)
    revision = await engine.submit(
        RenderRequest(
            spec("a red kite at dawn, slower"),
            slots={"subject": "a red kite"},
            template_id=template.id,
        ),
        project="launch",
        parent_id=dawn.id,
    )
    (revision,) = await asyncio.wait_for(engine.wait_finished([revision.id]), 60)
    remix = RemixSource.of(dusk, "sim").request("a red kite at night", {"subject": "a red kite"})
    queued_remix = await engine.submit_batch([remix], name="remix", parent_id=dusk.id,
                                             project="launch")  # fmt: skip
    (remixed,) = await asyncio.wait_for(engine.wait_finished([queued_remix.jobs[0].id]), 60)
    assert remixed.lineage_kind == "remix"
    with store.db.write() as tx:  # as a provider that reports its price would have it
        for job, cost in ((dawn, 0.41), (dusk, 0.43), (revision, 0.47)):
            store.jobs.update(tx, job.id, at=job.updated_at, actual_cost=cost)

    v1 = load_active(store)
    session = ReviewSession(store, v1, [dawn.id, dusk.id, revision.id], reviewer="ana")
    session.auto_advance = False
    for value in (2, 1, 2):
        session.score(value)
    session.toggle_tag("jitter")
    session.decide("edit", note="push in slower")
    session.go(1)
    session.score(1)  # dusk: one criterion scored, undecided
    session.go(2)
    for value in (2, 2, 2):
        session.score(value)
    session.decide("approve")
    session.undo()
    session.decide("discard", escalate=True, note="a logo in the corner")
    session.undo()
    session.decide("approve", note="the client's pick")
    session.toggle_star()
    rubric = v1.rubric
    with_audio = replace(rubric, criteria=(*rubric.criteria, AUDIO), pass_threshold=7)
    session.rubric = store_version(store, with_audio)
    session.select_criterion(3)
    session.score(2)  # the revision's audio, under v2: scores under two versions

    ops = ops_for(store)
    drawing = []  # every kind of shape and every colour of the palette
    for i, (kind, colour) in enumerate(zip(SHAPES * 2, PALETTE, strict=False)):
        points = ((10.5 + 40 * i, 20.25), (60.0 + 40 * i, 90.0), (75.0, 100.0))
        drawing.append(Shape(kind, points[: 3 if kind == "pen" else 2], colour, 2.0 + i))
    ops.add_note(dawn.id, 12, fps=24.0, picture=(640, 360), author="ana",
                 text="the kite's tail warps\nhere, left of the sun", shapes=drawing[:4],
                 at=1_700_000_100.123)  # fmt: skip
    ranged = ops.add_note(revision.id, 30, end_frame=47, fps=24.0, picture=(640, 360),
                          author="bo", shapes=drawing[4:], at=1_700_000_200.5)  # fmt: skip
    ops.edit_note(replace(ranged, text="logo | flickers"), picture=(640, 360),
                  at=1_700_000_300.25)  # fmt: skip
    ops = ops_for(store)  # blind comparisons: two reviewers, a tie, one taken back
    for left, right, choice, who, at in (
        (dawn.id, dusk.id, "left", "ana", 1_700_000_100.2504),
        (dusk.id, revision.id, "tie", "ana", 1_700_000_101.5),
        (revision.id, dawn.id, "right", "bo", 1_700_000_102.0009),
        (dusk.id, dawn.id, "left", "bo", 1_700_000_103.75),
    ):
        made = ops.compare(left, right, choice, reviewer=who, ranker=stored_ranks, at=at)
    ops.take_back_comparison(made.id, reviewer="bo", ranker=stored_ranks, at=1_700_000_104.5)
    ranks = store.comparisons.ranks([dawn.id, dusk.id, revision.id])

    first_out, second_out = tmp_path / "first", tmp_path / "second"
    export_takes(store, library, takes_to_export(store, everything=True), first_out)
    fresh = Store(tmp_path / "fresh" / "studio.db")
    try:
        fresh_library = tmp_path / "fresh" / "library"
        report = await asyncio.to_thread(import_folder, fresh, fresh_library, first_out)
        assert len(report.added) == 4
        assert report.unreadable == report.skipped == []
        export_takes(fresh, fresh_library, takes_to_export(fresh, everything=True), second_out)

        first, second = sidecars(first_out), sidecars(second_out)
        assert sorted(first) == sorted(second)
        here, there = origins(first), origins(second)
        for sha, a in first.items():
            b = second[sha]
            assert differences(a, b) == [], sha
            for field in NUMBERS:  # the exporting library's numbers: the same takes
                part, key = field.split(".")
                ours, theirs = a[part][key], b[part][key]
                if isinstance(ours, list):
                    assert [here[n] for n in ours] == [there[n] for n in theirs], field
                else:
                    assert (here.get(ours) if ours else None) == (
                        there.get(theirs) if theirs else None
                    ), field
            assert a["library"] != b["library"]
            assert (a["batch"] is None) == (b["take"]["batch"] is None)
            assert [h.get("rubric") for h in a["review"]["history"]] == [
                h.get("rubric") for h in b["review"]["history"]
            ]

        noted = first[store.assets.for_job(dawn.id)["video"].sha256]["notes"]
        assert [n["drawing"] for n in noted] == [
            [{"shape": s.kind, "points": [list(p) for p in s.points], "colour": s.colour,
              "width": s.width} for s in drawing[:4]]
        ]  # fmt: skip
        assert (noted[0]["frame"], noted[0]["timecode"], noted[0]["edited"]) == (
            12, "00:00:00:12", None
        )  # fmt: skip
        ranged_out = first[store.assets.for_job(revision.id)["video"].sha256]["notes"]
        assert [(n["frame"], n["end_frame"], n["text"], n["author"]) for n in ranged_out] == [
            (30, 47, "logo | flickers", "bo")
        ]
        assert ranged_out[0]["edited"] == "2023-11-14T22:18:20.250+00:00"
        assert first[store.assets.for_job(dusk.id)["video"].sha256]["notes"] == []
        assert {len(n) for side in second.values() for n in side["notes"]} == {9}  # all fields
        assert fresh.notes.counts(list(by_number(fresh).values())) == {
            by_number(fresh)[dawn.id]: 1, by_number(fresh)[revision.id]: 1
        }  # fmt: skip

        remix_side = first[store.assets.for_job(remixed.id)["video"].sha256]
        assert remix_side["take"]["made_as"] == "remix"
        assert remix_side["render"]["remix_of"] == dusk.remote_id  # the provider's video
        assert fresh.jobs.get(by_number(fresh)[remixed.id]).lineage_kind == "remix"  # type: ignore[union-attr]

        side = first[store.assets.for_job(revision.id)["video"].sha256]
        assert (side["take"]["version"], side["take"]["parent"]) == (1, dawn.id)
        assert (side["take"]["made_as"], side["render"]["remix_of"]) == ("revision", None)
        assert side["batch"] is None
        assert first[store.assets.for_job(dawn.id)["video"].sha256]["batch"]["name"] == "kites"
        assert revision.remote_id is not None
        assert side["render"]["provider_job_id"] == revision.remote_id
        assert side["times"]["submitted"] is not None
        assert side["cost"] == {"estimate_usd": revision.estimated_cost, "actual_usd": 0.47}
        assert {(r["name"], r["version"]) for r in side["rubrics"]} == {("default", 1),
                                                                       ("default", 2)}  # fmt: skip
        assert side["review"]["total"] == {
            "score": 8, "max": 8, "complete": True, "passes": True,
            "rubric": {"name": "default", "version": 2},
        }  # fmt: skip
        assert "via import" not in side["disclosure"]
        compared = side["review"]["comparisons"]
        assert [(c["choice"], c["reviewer"], c["undone_by"]) for c in compared] == [
            ("tie", "ana", None),
            ("right", "bo", None),
        ]
        dawn_side = first[store.assets.for_job(dawn.id)["video"].sha256]["review"]
        assert len(dawn_side["comparisons"]) == 3  # with the one taken back, marked
        assert dawn_side["comparisons"][-1]["undone_by"] == "bo"
        assert dawn_side["rank"] == {
            "rank": ranks[dawn.id].rank, "of": 3, "settled": False, "comparisons": 2,
        }  # fmt: skip

        # the comparisons came over once each (three sidecars carry them), joined to the
        # takes here, the one taken back still marked; the ranks are the same
        copies = {j.origin_take: j.id for j in fresh.jobs.with_status(JobStatus.READY)}
        assert report.comparisons_added == 4
        kept = fresh.comparisons.among(copies.values(), live=False)
        assert [(c.left_id, c.right_id, c.choice, c.live) for c in kept] == [
            (copies[dawn.id], copies[dusk.id], "left", True),
            (copies[dusk.id], copies[revision.id], "tie", True),
            (copies[revision.id], copies[dawn.id], "right", True),
            (copies[dusk.id], copies[dawn.id], "left", False),
        ]
        there_ranks = fresh.comparisons.ranks(copies.values())
        compared = (dawn.id, dusk.id, revision.id)  # the remix took part in none
        assert {n: there_ranks[copies[n]].shown() for n in compared} == {
            n: ranks[n].shown() for n in compared
        }
        again = await asyncio.to_thread(import_folder, fresh, fresh_library, first_out)
        assert again.comparisons_added == 0  # imported again: nothing twice
        assert len(fresh.comparisons.among(copies.values(), live=False)) == 4

        # here, the imported revision is named with its origin, and every view of its
        # total agrees: the Library's search, the review session (the panel), the sidecar
        a_name = store.origins.library().name
        jobs = fresh.jobs.with_status(JobStatus.READY)
        by_origin = {j.origin_take: j for j in jobs}
        copy = by_origin[revision.id]
        assert copy.name == f"#{copy.id} · #{revision.id} from {a_name}"
        assert copy.imported
        assert fresh.budgets.spent() == 0  # paid where it was made, not here
        ids = [j.id for j in jobs]
        library_totals = {i: v.total for i, v in verdicts(fresh.db, ids).items()}
        review = ReviewSession(fresh, load_active(fresh), ids, reviewer="bo")
        panel_totals = {t.job_id: t.tally.total if t.tally else None for t in review.takes}
        assert library_totals == panel_totals
        assert library_totals[copy.id] == 8
        assert library_totals[by_origin[dusk.id].id] == 1
        assert review.takes[ids.index(copy.id)].rubric_version == 2
    finally:
        fresh.close()
