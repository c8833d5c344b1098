"""Two `studio export` processes into one folder at the same moment, 20 times: the names
they both want (`--name {project}`: every take is "launch", "launch (2)" …) are taken in
turn, no clip is overwritten, both exit 0, and SHA256SUMS and manifest.json hold exactly
what is on disk every time."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from studio.jobs import Engine
from studio.store import JobRow, Store
from tests.export.folder_checks import ROOT, check_consistent
from tests.jobs.conftest import spec

ROUNDS = 20
PER_SIDE = 4


def start(args: list[str]) -> subprocess.Popen[str]:
    """`studio ARGS` in a child that has imported everything and waits for "go"."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.export.export_child", "go", *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"
    return child


def race(db: Path, out: Path) -> list[tuple[int, str, str]]:
    """One round: both children started, both told to go at once; their exit and output."""
    sides = [
        start(["export", "--out", str(out), "--db", str(db), "--name", "{project}",
               "--query", word])
        for word in ("alpha", "beta")
    ]  # fmt: skip
    for child in sides:
        assert child.stdin is not None
        child.stdin.write("go\n")
    for child in sides:
        assert child.stdin is not None
        child.stdin.flush()
    results = []
    for child in sides:
        stdout, stderr = child.communicate(timeout=60)
        results.append((child.returncode, stdout, stderr))
    return results


@pytest.mark.slow
@pytest.mark.timeout(600)  # 40 processes: about 55 s alone on 2 cores, more beside others
async def test_two_exports_racing_into_one_folder_never_overwrite_each_other(
    make_engine: Callable[..., Engine], store: Store, library: Path, tmp_path: Path
) -> None:
    engine = make_engine()
    await engine.start()
    prompts = [f"{word} take {i}" for word in ("alpha", "beta") for i in range(PER_SIDE)]
    queued = await engine.submit_batch([spec(p) for p in prompts], name="r", project="launch")
    takes: list[JobRow] = await asyncio.wait_for(
        engine.wait_finished([j.id for j in queued.jobs]), 60
    )
    for job in takes:
        store.verdicts.decide(job.id, "approve", reviewer="ana", at=time.time())
    clips = {store.assets.for_job(j.id)["video"].sha256: j.id for j in takes}
    assert len(clips) == len(takes)  # every take is different bytes

    for round_ in range(ROUNDS):
        out = tmp_path / f"handoff-{round_}"
        results = await asyncio.to_thread(race, tmp_path / "studio.db", out)
        for code, stdout, stderr in results:
            assert code == 0, f"round {round_}: {stderr}"
            assert f"{PER_SIDE} clips exported" in stdout, f"round {round_}: {stdout}"
            assert "Traceback" not in stderr
        manifest = check_consistent(out)  # SHA256SUMS passes; the manifest is the disk
        on_disk = {hashlib.sha256(p.read_bytes()).hexdigest(): p.name for p in out.glob("*.mp4")}
        assert set(on_disk) == set(clips), f"round {round_}: a clip was overwritten"
        assert len(list(out.glob("*.mp4"))) == len(takes)
        assert sorted(c["take"] for c in manifest["clips"]) == sorted(clips.values())  # type: ignore[index]
        for entry in manifest["clips"]:  # type: ignore[index]
            assert clips[entry["sha256"]] == entry["take"]
        assert not list(out.glob(".*")), f"round {round_}: temporary files left"
