"""`studio batch`: bad lines reported by number while the rest run, re-runs continue."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from studio.sim.server import SimServer
from studio.store import JobStatus, Store
from studio.store.migrations import LATEST
from tests.helpers import png_bytes
from tests.test_cli import one_clear_line, studio


def write_lines(path: Path, lines: list[object]) -> None:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")


def test_batch_reports_bad_lines_runs_the_rest_and_resumes(tmp_path: Path, sim: SimServer) -> None:
    (tmp_path / "ref.png").write_bytes(png_bytes(200, 100))
    specs = tmp_path / "specs.jsonl"
    write_lines(
        specs,
        [
            {"prompt": "a fox in snow", "size": "640x360"},
            "{not json",
            {"prompt": "a heron", "seconds": 5},
            {"prompt": "a kite", "size": "640x360", "image": "ref.png", "fit": "pad"},
            {"prompt": "a kite", "colour": "red"},
            "",
            {"prompt": "Pikachu surfing", "size": "640x360"},
        ],
    )
    db = tmp_path / "data" / "studio.db"
    args = [
        "batch",
        str(specs),
        "--provider",
        "sim",
        "--base-url",
        sim.openai_base_url,
        "--db",
        str(db),
    ]
    first = studio(*args)
    assert first.returncode == 1, first.stderr  # one policy failure
    assert "specs.jsonl:2: not valid JSON" in first.stderr
    assert (
        "specs.jsonl:3: sim-fast does not allow 5 s; allowed durations: 4 s, 8 s, 12 s."
        in first.stderr
    )
    assert "specs.jsonl:5: unknown field(s) colour." in first.stderr
    assert "policy: Your request was blocked" in first.stderr
    assert "2 of 3 ready" in first.stdout
    assert "Traceback" not in first.stderr
    creates = sim.control("GET", "stats")["requests"]["openai.create"]
    again = studio(*args)
    assert "2 of 3 ready" in again.stdout
    assert sim.control("GET", "stats")["requests"]["openai.create"] == creates  # nothing resent
    store = Store(db)
    try:
        jobs = store.jobs.with_status(*JobStatus)
        assert len(jobs) == 3
        assert len({j.batch_id for j in jobs}) == 1
    finally:
        store.close()


def test_batch_refuses_a_database_from_a_newer_studio(tmp_path: Path) -> None:
    db = tmp_path / "studio.db"
    Store(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 3}")
    specs = tmp_path / "s.jsonl"
    write_lines(specs, [{"prompt": "x"}])
    result = studio("batch", str(specs), "--db", str(db))
    assert result.returncode == 2
    assert "written by a newer Studio" in one_clear_line(result)


def test_batch_with_no_runnable_lines(tmp_path: Path) -> None:
    specs = tmp_path / "s.jsonl"
    write_lines(specs, ["[1, 2]", {"prompt": ""}])
    result = studio(
        "batch", str(specs), "--db", str(tmp_path / "d.db"), "--sim-render-seconds", "0.2"
    )
    assert result.returncode == 2
    assert "s.jsonl:1: expected a JSON object" in result.stderr
    assert "s.jsonl:2: The prompt is empty" in result.stderr
    assert "No runnable lines in s.jsonl" in one_clear_line(result)
