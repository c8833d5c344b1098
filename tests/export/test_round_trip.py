"""Render → score and approve → export → import into a fresh library: the same clips,
prompts, slots, project, rubric, scores, decisions, history and lineage come back; importing
again changes nothing. And a folder of broken, empty and non-video files is summarised."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from studio.export import export_takes, takes_to_export
from studio.export.importer import _ms, import_folder
from studio.jobs import Engine
from studio.store import JobRow, JobStatus, Store
from tests.jobs.conftest import spec

# A body Studio can use (an import refuses a rubric it could not load later).
RUBRIC = {
    "name": "default",
    "criteria": [{"id": "motion", "name": "Motion", "anchors": ["bad", "ok", "good"]}],
    "pass_threshold": 2,
}


def review_of(store: Store, job: JobRow) -> dict[str, Any]:
    """Everything the round trip must keep, keyed by the clip's bytes (ids differ)."""
    video = store.assets.for_job(job.id)["video"]
    current = store.verdicts.current([job.id]).get(job.id)
    rubric = store.rubrics.get(current.rubric_id) if current and current.rubric_id else None
    parent = store.jobs.get(job.parent_id) if job.parent_id else None
    return {
        "sha256": video.sha256,
        "prompt": job.prompt,
        "slots": job.spec.slots_or_prompt(),
        "project": job.project,
        "rubric": (rubric[0], rubric[2]) if rubric else None,
        "decision": current.decision if current else None,
        "scores": current.scores if current else None,
        "history": [
            (d.decision, _ms(d.at), d.reviewer, d.note, d.scores, d.tags)
            for d in store.verdicts.history(job.id)
        ],
        "tags": store.verdicts.tags(job.id),
        "parent": store.assets.for_job(parent.id)["video"].sha256 if parent else None,
    }


def everything(store: Store) -> dict[str, dict[str, Any]]:
    jobs = store.jobs.with_status(*JobStatus)
    return {r["sha256"]: r for r in (review_of(store, j) for j in jobs)}


async def test_export_then_import_restores_the_review(
    make_engine: Callable[..., Engine], store: Store, library: Path, tmp_path: Path
) -> None:
    engine = make_engine()
    await engine.start()
    first = await engine.submit(spec("a heron lands on a jetty"), project="launch")
    (first,) = await asyncio.wait_for(engine.wait_finished([first.id]), 60)
    revision = await engine.submit(spec("a heron lands on a jetty at dawn"), project="launch",
                                   parent_id=first.id)  # fmt: skip
    (revision,) = await asyncio.wait_for(engine.wait_finished([revision.id]), 60)
    rubric_id, _ = store.rubrics.save("default", RUBRIC, at=time.time())
    now = time.time()
    store.verdicts.decide(first.id, "edit", reviewer="ana", at=now, rubric_id=rubric_id,
                          scores={"motion": 1}, tags=("jitter",))  # fmt: skip
    store.verdicts.decide(revision.id, "discard", reviewer="ana", at=now + 1, rubric_id=rubric_id)
    store.verdicts.decide(revision.id, "undo", reviewer="ana", at=now + 2)
    store.verdicts.decide(revision.id, "approve", reviewer="bo", at=now + 3, rubric_id=rubric_id,
                          note="fine for the mood board", scores={"motion": 0})  # fmt: skip
    store.verdicts.set_tags(first.id, ["jitter"], at=now)
    before = everything(store)

    out = tmp_path / "handoff"
    export_takes(store, library, takes_to_export(store, everything=True), out)

    home = await asyncio.to_thread(import_folder, store, library, out)  # back where it came from
    assert home.added == []
    assert home.decisions_added == 0
    assert everything(store) == before

    fresh = Store(tmp_path / "fresh" / "studio.db")
    try:
        fresh_library = tmp_path / "fresh" / "library"
        report = await asyncio.to_thread(import_folder, fresh, fresh_library, out)
        assert len(report.added) == 2
        assert report.skipped == []
        after = everything(fresh)
        for sha, row in before.items():
            for key, value in row.items():
                assert after[sha][key] == value, (key, after[sha][key], value)

        again = await asyncio.to_thread(import_folder, fresh, fresh_library, out)
        assert again.added == []
        assert sorted(again.known) == sorted(report.added)
        assert again.decisions_added == 0
        assert everything(fresh) == before  # nothing duplicated
        assert fresh.db.query("SELECT count(*) FROM jobs")[0][0] == 2
    finally:
        fresh.close()


def test_a_folder_of_odd_files_is_summarised_and_the_rest_imported(
    store: Store, library: Path, tmp_path: Path
) -> None:
    from studio.sim.render import ClipRequest, render_clip

    folder = tmp_path / "drop"
    (folder / "nested").mkdir(parents=True)
    render_clip(
        ClipRequest(prompt="a kite", width=320, height=180, seconds=1, take="video_x"),
        folder / "nested",
    )
    (folder / "nested" / "video.mp4").rename(folder / "nested" / "kite over dunes.mp4")
    (folder / "empty.mp4").write_bytes(b"")
    (folder / "broken.mov").write_bytes(b"\x00\x00\x00\x18ftypqt  " + b"\x00" * 100)
    (folder / "notes.txt").write_text("not a clip")
    report = import_folder(store, library, folder)
    assert len(report.added) == 1
    job = store.jobs.get(report.added[0])
    assert job is not None
    assert job.prompt == "kite over dunes"  # its file name
    assert store.assets.for_job(job.id)["thumbnail"].size > 0
    assert sorted(report.unreadable) == [
        "broken.mov: not a readable video",
        "empty.mp4: empty file",
    ]
    assert sorted(report.skipped) == [
        "nested/spritesheet.jpg: not a video file",
        "nested/thumbnail.webp: not a video file",
        "notes.txt: not a video file",
    ]
