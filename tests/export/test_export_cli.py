"""`studio export` from the command line: approved takes (or a search of them), a progress
line, identical files skipped on a second run, a hostile manifest set aside and said."""

from __future__ import annotations

import time
from pathlib import Path

from studio.sim.server import SimServer
from studio.store import JobStatus, Store
from tests.test_cli import studio
from tests.test_cli_batch import write_lines


def test_export_the_approved_takes_then_a_search_of_them(tmp_path: Path, sim: SimServer) -> None:
    specs, db = tmp_path / "specs.jsonl", tmp_path / "data" / "studio.db"
    write_lines(
        specs,
        [
            {"prompt": "a red fox in snow", "model": "sim-fast", "project": "launch"},
            {"prompt": "a paper boat", "model": "sim-fast", "project": "launch"},
            {"prompt": "a red kite", "model": "sim-fast", "project": "holiday"},
        ],
    )
    made = studio("batch", str(specs), "--provider", "sim", "--base-url", sim.openai_base_url,
                  "--db", str(db))  # fmt: skip
    assert made.returncode == 0, made.stderr
    store = Store(db)
    try:
        fox, boat, kite = sorted(j.id for j in store.jobs.with_status(JobStatus.READY))
        for job_id in (fox, kite):
            store.verdicts.decide(job_id, "approve", reviewer="ana", at=time.time())
        store.verdicts.decide(boat, "discard", reviewer="ana", at=time.time())
    finally:
        store.close()

    out = tmp_path / "handoff"
    first = studio("export", "--out", str(out), "--db", str(db), "--query", "red project:launch")
    assert first.returncode == 0, first.stderr
    assert "1 clip(s) exported" in first.stdout
    assert sorted(p.name for p in out.glob("*.mp4")) == [f"launch_{fox}_{fox}_approve.mp4"]
    assert "exporting 100%" in first.stderr

    hostile = '{"schema": "studio.manifest/1", "clips": [{"file": "/etc/passwd"}]}'
    (out / "manifest.json").write_text(hostile)  # never merged: set aside, and said
    every = studio("export", "--out", str(out), "--db", str(db))
    assert every.returncode == 0, every.stderr
    (aside,) = out.glob("manifest.json.outside-*")
    assert aside.read_text() == hostile
    assert (
        "studio: set aside: manifest.json entry 1's file names '/etc/passwd', a path outside "
        f"the folder: kept as {aside.name}, not merged"
    ) in every.stderr
    assert "1 clip(s) exported" in every.stdout
    assert "1 already there (identical, skipped)" in every.stdout
    assert not (out / f"launch_{boat}_{boat}_discard.mp4").exists()  # not approved

    refused = studio("export", "--out", str(out), "--db", str(db), "--name", "{colour}")
    assert refused.returncode == 2
    assert "unknown field(s) colour" in refused.stderr
    assert "Traceback" not in refused.stderr
