"""`studio batch` re-runs: identical lines are separate takes, a missing clip is fetched
again (unless a person deleted it on purpose), a storage failure is retried, and a refused
key stops the run with exit 4 instead of waiting forever."""

from __future__ import annotations

import time
from pathlib import Path

from studio.sim.server import SimServer
from studio.store import FailureClass, JobStatus, Store
from studio.store.layout import job_folder
from tests.test_cli import studio
from tests.test_cli_batch import write_lines


def batch(sim: SimServer, specs: Path, db: Path, *extra: str):  # type: ignore[no-untyped-def]
    return studio(
        "batch", str(specs), "--provider", "sim", "--base-url", sim.openai_base_url,
        "--db", str(db), *extra,
    )  # fmt: skip


def creates(sim: SimServer) -> int:
    return int(sim.control("GET", "stats")["requests"].get("openai.create", 0))


def contents(sim: SimServer) -> int:
    return int(sim.control("GET", "stats")["requests"].get("openai.content", 0))


def test_identical_lines_are_separate_takes_and_render_again_adds_one(
    tmp_path: Path, sim: SimServer
) -> None:
    specs, db = tmp_path / "specs.jsonl", tmp_path / "data" / "studio.db"
    line = {"prompt": "a kite over dunes", "model": "sim-fast", "size": "640x360"}
    write_lines(specs, [line, line, line])
    first = batch(sim, specs, db)
    assert first.returncode == 0, first.stderr
    assert "3 of 3 ready" in first.stdout
    assert creates(sim) == 3
    again = batch(sim, specs, db)
    assert "3 of 3 ready" in again.stdout
    assert creates(sim) == 3  # nothing queued twice
    write_lines(specs, [line, line, line, {**line, "render_again": 1}])
    more = batch(sim, specs, db)
    assert "4 of 4 ready" in more.stdout
    assert creates(sim) == 4  # only the extra take


def test_a_missing_clip_is_fetched_again_unless_deleted_on_purpose(
    tmp_path: Path, sim: SimServer
) -> None:
    specs, db = tmp_path / "specs.jsonl", tmp_path / "data" / "studio.db"
    write_lines(
        specs,
        [{"prompt": f"a heron, take {i}", "model": "sim-fast", "size": "640x360"} for i in (1, 2)],
    )
    assert batch(sim, specs, db).returncode == 0
    library = db.parent / "library"
    store = Store(db)
    try:
        lost, removed = sorted(j.id for j in store.jobs.with_status(JobStatus.READY))
        with store.db.write() as tx:
            store.assets.record_deletion(tx, removed, "video", at=time.time(), by="ana")
    finally:
        store.close()
    (job_folder(library, lost) / "video.mp4").unlink()
    (job_folder(library, removed) / "video.mp4").unlink()
    renders, downloads = creates(sim), contents(sim)

    again = batch(sim, specs, db)
    assert again.returncode == 0, again.stderr
    assert (job_folder(library, lost) / "video.mp4").is_file()  # fetched again, not re-rendered
    assert not (job_folder(library, removed) / "video.mp4").exists()  # a person's choice holds
    assert creates(sim) == renders
    assert contents(sim) > downloads
    assert "1 of 2 ready" in again.stdout  # a clip deleted on purpose is not counted
    assert "(1 deleted on purpose)" in again.stdout


def test_a_storage_failure_is_retried_by_the_next_run(tmp_path: Path, sim: SimServer) -> None:
    specs, db = tmp_path / "specs.jsonl", tmp_path / "data" / "studio.db"
    write_lines(specs, [{"prompt": "an owl blinks", "model": "sim-fast", "size": "640x360"}])
    assert batch(sim, specs, db).returncode == 0
    store = Store(db)
    try:  # as a full disk leaves it: failed for storage, the file never written
        (job,) = store.jobs.with_status(JobStatus.READY)
        with store.db.write() as tx:
            tx.execute(
                "UPDATE jobs SET status = 'failed', failure_class = ? WHERE id = ?",
                (FailureClass.STORAGE.value, job.id),
            )
            tx.execute("DELETE FROM assets WHERE job_id = ?", (job.id,))
    finally:
        store.close()
    (job_folder(db.parent / "library", job.id) / "video.mp4").unlink()
    again = batch(sim, specs, db)
    assert again.returncode == 0, again.stderr
    assert "1 of 1 ready" in again.stdout


def test_a_refused_key_mid_batch_stops_with_exit_4_and_keeps_the_jobs(
    tmp_path: Path, sim: SimServer
) -> None:
    sim.control("POST", "config", {"render_seconds": 30})
    specs, db = tmp_path / "specs.jsonl", tmp_path / "data" / "studio.db"
    write_lines(specs, [{"prompt": f"a lantern {i}", "model": "sim-fast"} for i in range(3)])
    sim.control(
        "POST",
        "faults",
        {"rules": [{"fault": "401", "route": "retrieve"}, {"fault": "401", "route": "list"}]},
    )
    started = time.monotonic()
    refused = batch(sim, specs, db)
    assert refused.returncode == 4, refused.stderr
    assert "The batch stopped; its jobs are kept for the next run." in refused.stderr
    assert "Traceback" not in refused.stderr
    assert time.monotonic() - started < 60
    store = Store(db)
    try:
        assert len(store.jobs.with_status(*JobStatus)) == 3
    finally:
        store.close()


def test_budget_alerts_are_a_line_each(tmp_path: Path, sim: SimServer) -> None:
    specs, db = tmp_path / "specs.jsonl", tmp_path / "data" / "studio.db"
    write_lines(specs, [{"prompt": f"a kite, take {i}", "model": "sim-fast"} for i in range(3)])
    run = batch(sim, specs, db, "--daily-cap", "0.50")  # $0.20 each: 40 %, 80 %, then refused
    # the second take crosses 50 % and 80 % at once: each is said, once
    assert "studio: Today's budget is 50 % used: $0.40 of $0.50." in run.stderr
    assert "studio: Today's budget is 80 % used: $0.40 of $0.50." in run.stderr
    assert run.stderr.count("% used") == 2
    assert run.returncode == 6, run.stderr
