"""What the export tests check a folder with, and how they make takes: real renders on the
simulator, approved in a real library; `sha256sum -c SHA256SUMS` done in Python."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from pathlib import Path

from studio.jobs import Engine
from studio.store import JobRow, Store
from tests.jobs.conftest import spec

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "resources" / "schema" / "sidecar-1.schema.json"


async def render(engine: Engine, prompts: list[str], project: str) -> list[JobRow]:
    await engine.start()
    queued = await engine.submit_batch([spec(p) for p in prompts], name="t", project=project)
    return await asyncio.wait_for(engine.wait_finished([j.id for j in queued.jobs]), 60)


def approve(store: Store, *jobs: JobRow) -> None:
    for job in jobs:
        store.verdicts.decide(job.id, "approve", reviewer="ana", at=time.time())


def check_sums(out: Path) -> list[str]:
    """`sha256sum -c SHA256SUMS`, in Python: every line's file is in the folder and has
    that SHA-256. Returns the names listed."""
    names = []
    for line in (out / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        assert "/" not in name, line
        assert name not in (".", ".."), line
        path = out / name
        assert path.is_file(), f"{name}: missing"
        assert not path.is_symlink(), f"{name}: a link"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{name}: FAILED"
        names.append(name)
    return names


def check_consistent(out: Path) -> dict[str, object]:
    """SHA256SUMS passes, and the manifest lists exactly the clips and sidecars on disk."""
    listed = check_sums(out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    clips = manifest["clips"]
    assert sorted(listed) == sorted(n for c in clips for n in (c["file"], c["sidecar"]))
    on_disk = sorted(p.name for p in out.iterdir() if p.suffix in (".mp4", ".json"))
    assert sorted(n for n in on_disk if n != "manifest.json") == sorted(listed)
    for clip in clips:
        assert hashlib.sha256((out / clip["file"]).read_bytes()).hexdigest() == clip["sha256"]
    return manifest  # type: ignore[no-any-return]
