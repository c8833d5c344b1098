"""One path for the app and every command: the library folder set in Settings, a refused
key, a batch beside the open app, batch files as people write them, and the unsure exit."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from studio.config.settings import Settings, needs_reconnect, save_settings
from studio.jobs.events import Event, JobChanged
from studio.services import RunOptions, open_services
from studio.sim.render import ClipRequest, render_clip
from studio.sim.server import SimServer
from studio.store import JobStatus, Store
from tests.helpers import until
from tests.jobs.conftest import spec
from tests.test_cli import one_clear_line, studio
from tests.test_cli_batch import write_lines


def creates(sim: SimServer) -> int:
    return int(sim.control("GET", "stats")["requests"].get("openai.create", 0))


def via(sim: SimServer) -> list[str]:
    return ["--provider", "sim", "--base-url", sim.openai_base_url]


def test_every_command_uses_the_library_folder_set_in_settings(
    tmp_path: Path, sim: SimServer
) -> None:
    custom = tmp_path / "my clips"
    save_settings(Settings.for_provider("sim", base_url=sim.openai_base_url, library=str(custom)))
    specs = tmp_path / "specs.jsonl"
    write_lines(specs, [{"prompt": "a kite over dunes", "size": "640x360"}])
    # No --db, --library or --provider: the commands take what Settings say, as the app does.
    ran = studio("batch", str(specs))
    assert ran.returncode == 0, ran.stderr
    assert f"1 of 1 ready in {custom}" in ran.stdout
    made = studio("generate", "--prompt", "a heron lands", "--size", "640x360",
                  "--out", str(tmp_path / "heron.mp4"))  # fmt: skip
    assert made.returncode == 0, made.stderr
    clips = sorted(custom.glob("clips/*/video.mp4"))
    assert len(clips) == 2
    out = tmp_path / "export"
    exported = studio("export", "--out", str(out), "--all")
    assert exported.returncode == 0, exported.stderr
    assert len(list(out.glob("*.mp4"))) == 2
    incoming = tmp_path / "incoming"
    render_clip(ClipRequest("an owl blinks", 320, 180, 1), incoming)
    imported = studio("import", str(incoming))
    assert imported.returncode == 0, imported.stderr
    assert len(sorted(custom.glob("clips/*/video.mp4"))) == 3
    default = Path(os.environ["XDG_DATA_HOME"]) / "Studio" / "library"
    assert not list(default.glob("clips/*"))  # nothing went to the default folder


def test_generate_with_a_refused_key_exits_4_within_seconds(tmp_path: Path, sim: SimServer) -> None:
    started = time.monotonic()
    refused = studio(
        "generate", "--prompt", "a fox", "--model", "sim-fast", "--size", "640x360",
        "--out", str(tmp_path / "a.mp4"), "--provider", "openai",
        "--base-url", sim.openai_base_url, "--db", str(tmp_path / "a" / "studio.db"),
        env={"STUDIO_API_KEY": "sk-wrong"},
    )  # fmt: skip
    assert refused.returncode == 4, refused.stderr
    assert "Incorrect API key" in one_clear_line(refused)
    assert "sk-wrong" not in refused.stderr
    # The key passes the model list and is refused by the create itself.
    sim.control("POST", "faults", {"rules": [{"fault": "401", "route": "create"}]})
    at_create = studio(
        "generate", "--prompt", "a fox", "--size", "640x360", "--out", str(tmp_path / "b.mp4"),
        "--db", str(tmp_path / "b" / "studio.db"), *via(sim),
    )  # fmt: skip
    assert at_create.returncode == 4, at_create.stderr
    assert "The provider refused the API key" in one_clear_line(at_create)
    assert time.monotonic() - started < 40  # seconds, not "queued 0%" forever
    store = Store(tmp_path / "b" / "studio.db")
    try:
        (job,) = store.jobs.with_status(*JobStatus)
        assert job.status is JobStatus.QUEUED  # kept for the next run
    finally:
        store.close()


async def test_a_batch_beside_the_open_app_is_sent_by_the_apps_engine(
    tmp_path: Path, sim: SimServer
) -> None:
    db = tmp_path / "lib" / "studio.db"
    settings = Settings.for_provider("sim", base_url=sim.openai_base_url)
    app = await open_services(settings, RunOptions(db=db))
    seen: dict[int, float] = {}

    def note(event: Event) -> None:
        if isinstance(event, JobChanged):
            seen.setdefault(event.job_id, time.time())

    app.bus.subscribe(note)
    app.watch_outside()
    specs = tmp_path / "specs.jsonl"
    write_lines(specs, [{"prompt": f"a tram crosses a bridge, take {i}", "size": "640x360"}
                        for i in range(3)])  # fmt: skip
    try:
        assert app.engine.running
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "studio", "batch", str(specs), "--db", str(db), *via(sim),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 120)
    finally:
        await app.close()
    assert proc.returncode == 0, err.decode()
    assert "its engine sends these jobs" in err.decode()
    assert "3 of 3 ready" in out.decode()
    assert creates(sim) == 3
    store = Store(db)
    try:
        jobs = store.jobs.with_status(*JobStatus)
        assert {j.origin for j in jobs} == {"studio batch specs.jsonl"}
        assert len(store.leases.running()) == 0  # the app's lease ended; no other was opened
        leases = store.db.query("SELECT COUNT(*) FROM engine_leases")[0][0]
        assert leases == 1  # one engine, the app's
        for job in jobs:  # the app heard of each job soon after the command queued it
            assert seen[job.id] - job.created_at < 3.0
    finally:
        store.close()


def test_batch_files_as_people_write_them(tmp_path: Path, sim: SimServer) -> None:
    """A byte-order mark and CRLF line ends are fine; a line that is not UTF-8 is refused
    by its number and the others run."""
    lines = [
        json.dumps({"prompt": "a kite over dunes", "size": "640x360"}).encode(),
        b'{"prompt": "caf\xe9 at dawn", "size": "640x360"}',
        json.dumps({"prompt": "a heron at dusk", "size": "640x360"}).encode(),
    ]
    specs = tmp_path / "specs.jsonl"
    specs.write_bytes(b"\xef\xbb\xbf" + b"\r\n".join(lines) + b"\r\n")
    ran = studio("batch", str(specs), "--db", str(tmp_path / "studio.db"), *via(sim))
    assert ran.returncode == 2, ran.stderr  # a refused line
    assert "specs.jsonl:2: not UTF-8 text (the byte 0xe9 at column 16)" in ran.stderr
    assert "specs.jsonl:1" not in ran.stderr
    assert "2 of 2 ready" in ran.stdout
    assert creates(sim) == 2


def test_an_unsure_create_ends_the_batch_with_exit_1_and_waits_for_a_person(
    tmp_path: Path, sim: SimServer
) -> None:
    """The OpenRouter shape cannot be asked and does not honour keys: a lost create reply
    is parked; the run says so (exit 1), a re-run sends nothing for it, and
    --resend-unsure sends it again."""
    specs, db = tmp_path / "specs.jsonl", tmp_path / "lib" / "studio.db"
    write_lines(specs, [{"prompt": "a kite over dunes", "size": "640x360"}])
    sim.control("POST", "faults", {"rules": [
        {"fault": "502", "phase": "after", "route": "create", "shape": "openrouter", "count": 1},
    ]})  # fmt: skip
    args = ["batch", str(specs), "--db", str(db), "--provider", "openrouter",
            "--base-url", sim.openrouter_base_url]  # fmt: skip
    key = {"STUDIO_API_KEY": sim.api_key}
    first = studio(*args, env=key)
    assert first.returncode == 1, first.stderr
    assert "unsure: The provider may be rendering this" in first.stderr
    assert "#1 may be rendering at the provider" in first.stderr
    assert "--resend-unsure" in first.stderr
    sent = sim.control("GET", "stats")["requests"]["openrouter.create"]
    again = studio(*args, env=key)
    assert again.returncode == 1
    assert sim.control("GET", "stats")["requests"]["openrouter.create"] == sent  # nothing
    resent = studio(*args, "--resend-unsure", env=key)
    assert resent.returncode == 0, resent.stderr
    assert "1 of 1 ready" in resent.stdout
    assert sim.control("GET", "stats")["requests"]["openrouter.create"] == sent + 1


def test_ctrl_c_exits_130_and_leaves_every_job_resumable(tmp_path: Path, sim: SimServer) -> None:
    sim.control("POST", "config", {"render_seconds": 3.0})
    specs, db = tmp_path / "specs.jsonl", tmp_path / "lib" / "studio.db"
    write_lines(specs, [{"prompt": f"a slow tide, take {i}", "size": "640x360"} for i in range(3)])
    proc = subprocess.Popen(
        [sys.executable, "-m", "studio", "batch", str(specs), "--db", str(db), *via(sim)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As from a terminal: a shell running this suite in the background passes
        # SIGINT on as ignored, and Ctrl+C is then rightly ignored too.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while creates(sim) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    resumed = studio("batch", str(specs), "--db", str(db), *via(sim))
    assert resumed.returncode == 0, resumed.stderr
    assert "3 of 3 ready" in resumed.stdout
    assert creates(sim) == 3  # picked up where it stopped: nothing sent twice
    assert sim.control("GET", "stats")["duplicate_creates"] == 0


async def test_the_app_queues_for_a_batch_that_holds_the_library(
    tmp_path: Path, sim: SimServer
) -> None:
    """The other way round: a `studio batch` holds the library; the app opened beside it
    queues renders for the batch's engine to send, and takes the library over when the
    batch ends."""
    sim.control("POST", "config", {"render_seconds": 2.0})
    db = tmp_path / "lib" / "studio.db"
    specs = tmp_path / "specs.jsonl"
    write_lines(specs, [{"prompt": "a tram crosses a bridge", "size": "640x360"}])
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "studio", "batch", str(specs), "--db", str(db), *via(sim),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    await until(lambda: creates(sim) >= 1, 60, "the batch's first create")
    settings = Settings.for_provider("sim", base_url=sim.openai_base_url)
    app = await open_services(settings, RunOptions(db=db))
    try:
        assert app.busy
        assert app.sends_here
        job = await app.engine.submit(spec("a heron lands on a jetty"))
        await asyncio.wait_for(proc.communicate(), 120)
        assert proc.returncode == 0
        async with asyncio.timeout(60):  # as the window does: take the library once free
            while not (current := app.store.jobs.get(job.id)) or not current.status.settled:
                await app.try_start()
                await asyncio.sleep(0.2)
        assert current.status is JobStatus.READY
        assert await app.try_start()  # the batch has ended: the library is the app's now
    finally:
        await app.close()


async def test_limits_saved_in_settings_apply_to_the_running_engine(
    tmp_path: Path, sim: SimServer
) -> None:
    settings = Settings.for_provider("sim", base_url=sim.openai_base_url)
    services = await open_services(settings, RunOptions(db=tmp_path / "lib" / "studio.db"))
    try:
        assert services.engine.config.resend_unsure is False  # off unless a person says so
        assert services.engine.config.max_download_bytes == 2 * 1024**3
        conn = dataclasses.replace(settings.connection, resend_unsure=True, max_concurrent=3)
        changed = dataclasses.replace(settings, largest_download_gib=0.5, connections={"sim": conn})
        assert not needs_reconnect(settings, changed, key_changed=False)
        services.apply(changed)
        config = services.engine.config
        assert (config.max_concurrent, config.resend_unsure) == (3, True)
        assert config.max_download_bytes == 512 * 1024**2
    finally:
        await services.close()
