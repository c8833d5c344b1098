"""`studio export` from the command line: approved takes (or a search of them), a progress
line, identical files skipped on a second run, a hostile manifest set aside and said."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from studio.sim.server import SimServer
from studio.store import JobStatus, Store
from tests.helpers import job_values
from tests.test_cli import one_clear_line, studio
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
    assert "1 clip exported" in first.stdout
    assert sorted(p.name for p in out.glob("*.mp4")) == [f"launch_{fox:06d}_{fox:06d}_approve.mp4"]
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
    assert "1 clip exported" in every.stdout
    assert "1 already there (identical, skipped)" in every.stdout
    assert not (out / f"launch_{boat:06d}_{boat:06d}_discard.mp4").exists()  # not approved

    refused = studio("export", "--out", str(out), "--db", str(db), "--name", "{colour}")
    assert refused.returncode == 2
    assert "unknown field(s) colour" in refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("fox shot:²", "shot:²: not a take number"),
        ("fox shot:99999999999999999999",
         "shot:99999999999999999999: number too large (at most 9223372036854775807)"),
        ("fox date:0001-01-01", "date:0001-01-01: date out of range (1970-01-01 to 9999-12-31)"),
        ("fox " * 1000, "fox: too many terms (only the first 100 are searched)"),
    ],
)  # fmt: skip
def test_a_query_term_it_cannot_use_is_one_line_and_nothing_is_exported(
    tmp_path: Path, query: str, said: str
) -> None:
    """Left out, the term would widen what is exported: bad input (exit 2), as `--name`."""
    db, out = tmp_path / "data" / "studio.db", tmp_path / "handoff"
    approved(db, "a red fox")
    result = studio("export", "--out", str(out), "--db", str(db), "--query", query)
    assert result.returncode == 2
    assert one_clear_line(result) == f"studio: error: --query: {said}; nothing was exported."
    assert len(result.stderr.splitlines()) == 1
    assert not out.exists()


def test_a_query_with_undecodable_bytes_is_searched(tmp_path: Path) -> None:
    """A command line's undecodable byte (a lone surrogate in Python) could not be bound."""
    db, out = tmp_path / "data" / "studio.db", tmp_path / "handoff"
    approved(db, "a red fox")
    result = studio("export", "--out", str(out), "--db", str(db), "--query", "project:\udcff")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "No approved takes to export.\n"


def approved(db: Path, prompt: str) -> None:
    store = Store(db)
    try:
        with store.db.write() as tx:
            job = store.jobs.insert(tx, job_values(prompt=prompt), at=time.time())
        store.verdicts.decide(job, "approve", reviewer="ana", at=time.time())
    finally:
        store.close()
