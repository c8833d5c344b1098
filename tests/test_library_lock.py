"""One engine drives a library at a time: a second process names the holder and waits,
or with --no-wait exits 7; the app opens a busy library for review only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from studio.config.settings import Settings
from studio.services import RunOptions, open_services
from studio.sim.server import SimServer
from studio.sim.state import SimConfig
from studio.store import Store
from studio.store.lock import LibraryLock
from tests.test_cli import one_clear_line, studio


def specs(tmp_path: Path) -> Path:
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"prompt": "a heron lands", "size": "640x360"}) + "\n")
    return path


def batch_args(sim: SimServer, db: Path, path: Path, *extra: str) -> list[str]:
    return [
        "batch",
        str(path),
        "--provider",
        "sim",
        "--base-url",
        sim.openai_base_url,
        "--db",
        str(db),
        *extra,
    ]


def test_a_second_process_names_the_holder_and_waits_or_exits_7(
    tmp_path: Path, sim: SimServer
) -> None:
    db = tmp_path / "lib" / "studio.db"
    Store(db).close()
    held = LibraryLock(db)
    assert held.try_acquire() is None
    busy = studio(*batch_args(sim, db, specs(tmp_path), "--no-wait"))
    assert busy.returncode == 7
    assert f"in use by process {os.getpid()}" in one_clear_line(busy)
    assert sim.control("GET", "stats")["requests"].get("openai.create", 0) == 0
    said = tmp_path / "stderr.txt"
    with said.open("w") as sink:
        waiting = subprocess.Popen(
            [sys.executable, "-m", "studio", *batch_args(sim, db, specs(tmp_path))],
            stdout=subprocess.PIPE,
            stderr=sink,
            text=True,
        )
    deadline = time.monotonic() + 60
    while f"Waiting for process {os.getpid()}" not in said.read_text():
        assert waiting.poll() is None, said.read_text()  # it waits, it does not give up
        assert time.monotonic() < deadline, "it never said whom it waits for"
        time.sleep(0.05)
    assert waiting.poll() is None  # still waiting for the lock
    held.release()
    out, _ = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, said.read_text()
    assert "1 of 1 ready" in out


def test_a_second_holder_is_refused_and_a_dead_holder_frees_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "studio.db"
    first = LibraryLock(db)
    assert first.try_acquire() is None
    holder = LibraryLock(db).try_acquire()
    assert holder is not None
    assert holder.pid == os.getpid()
    first.release()
    code = (
        "from pathlib import Path; from studio.store.lock import LibraryLock; "
        f"LibraryLock(Path({str(db)!r})).try_acquire(); import os; os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)  # dies holding it
    after = LibraryLock(db)
    assert after.try_acquire() is None  # the OS let go of it
    after.release()


async def test_the_app_opens_a_busy_library_for_review_only(tmp_path: Path) -> None:
    db = tmp_path / "studio.db"
    Store(db).close()
    held = LibraryLock(db)
    held.try_acquire()
    services = await open_services(
        Settings(), RunOptions(sim_config=SimConfig(render_seconds=0.3), db=db)
    )
    try:
        assert "in use by process" in services.busy
        assert not await services.try_start()
        held.release()
        assert await services.try_start()
        assert services.busy == ""
    finally:
        await services.close()
