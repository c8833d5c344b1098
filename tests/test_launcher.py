"""The `studio` launcher is light (the window's path loads none of the headless commands'
machinery), and `studio generate` checks where it will save before it pays, records its
render in the library, and is bounded by --timeout."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studio.sim.server import SimServer
from studio.store import JobStatus, Store
from tests.test_cli import one_clear_line, studio

HEAVY = ("av", "numpy", "PIL", "httpx", "uvicorn", "starlette", "studio.jobs", "studio.sim")


def test_importing_the_launcher_loads_none_of_the_heavy_machinery() -> None:
    code = (
        "import sys, studio.cli\n"
        f"heavy = {HEAVY!r}\n"
        "print(sorted(m for m in sys.modules if any(m == h or m.startswith(h + '.') "
        "for h in heavy)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.strip() == "[]"


def test_help_lists_the_exit_codes() -> None:
    result = studio("--help")
    assert result.returncode == 0
    for line in ("0  done", "5  storage (disk full, unwritable)", "7  library busy", "130"):
        assert line in result.stdout
    assert "130, 5, 4, 3, 6, 7, 1, 2" in result.stdout


def sim_args(sim: SimServer, db: Path) -> list[str]:
    return ["--provider", "sim", "--base-url", sim.openai_base_url, "--db", str(db)]


def test_generate_checks_the_destination_before_sending(tmp_path: Path, sim: SimServer) -> None:
    """It used to create (and pay for) the render, then fail to save with a traceback."""
    db = tmp_path / "lib" / "studio.db"
    nowhere = studio(
        "generate", "--prompt", "a fox", "--out", "/dev/null/x.mp4", *sim_args(sim, db)
    )
    assert nowhere.returncode == 2
    assert "/dev/null is not a folder" in one_clear_line(nowhere)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        if os.access(locked, os.W_OK):  # root writes anywhere: make the folder a file instead
            locked.rmdir()
            locked.write_text("a file, not a folder")
        refused = studio(
            "generate", "--prompt", "a fox", "--out", str(locked / "x.mp4"), *sim_args(sim, db)
        )
    finally:
        if locked.is_dir():
            locked.chmod(0o755)
    assert refused.returncode in (2, 5)
    assert "Cannot" in one_clear_line(refused)
    assert sim.control("GET", "stats")["requests"].get("openai.create", 0) == 0  # nothing paid


def test_generate_records_its_render_in_the_library_and_saves_into_a_folder(
    tmp_path: Path, sim: SimServer
) -> None:
    db = tmp_path / "lib" / "studio.db"
    folder = tmp_path / "out"
    folder.mkdir()
    first = studio(
        "generate", "--prompt", "a red kite climbs", "--out", str(folder) + "/", *sim_args(sim, db)
    )
    assert first.returncode == 0, first.stderr
    saved = Path(first.stdout.strip())
    assert saved.parent == folder.resolve()
    assert saved.name == "a-red-kite-climbs.mp4"
    sim.control("POST", "config", {"honour_idempotency": True})
    again = studio(
        "generate",
        "--prompt",
        "a red kite climbs",
        "--again",
        "--out",
        str(folder) + "/",
        *sim_args(sim, db),
    )
    assert again.returncode == 0, again.stderr
    second = Path(again.stdout.strip())
    assert second.name == "a-red-kite-climbs-2.mp4"
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (saved, second)}
    assert len(digests) == 2  # two takes, two different videos
    store = Store(db)
    try:
        jobs = store.jobs.many(store.jobs.ids())
        assert [j.status for j in jobs] == [JobStatus.READY, JobStatus.READY]
        assert jobs[0].idem_key != jobs[1].idem_key
        assert store.budgets.spent(created_from=0, created_to=time.time() + 1) == pytest.approx(
            sum(j.cost for j in jobs)
        )
    finally:
        store.close()


def test_generate_is_bounded_by_its_timeout(tmp_path: Path, sim: SimServer) -> None:
    sim.control("POST", "config", {"render_seconds": 60})
    started = time.monotonic()
    result = studio(
        "generate",
        "--prompt",
        "a slow render",
        "--timeout",
        "3",
        "--out",
        str(tmp_path / "slow.mp4"),
        *sim_args(sim, tmp_path / "lib" / "studio.db"),
    )
    assert time.monotonic() - started < 30
    assert result.returncode == 1
    assert "Did not finish within 3 s" in one_clear_line(result)
