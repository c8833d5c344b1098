"""Export of approved takes rendered on the simulator: byte-exact copies verified against the
library, sidecars, manifest, SHA256SUMS that `sha256sum -c` accepts, re-runs that skip
identical files, and failures that leave nothing half-written."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from studio.core.errors import StorageError
from studio.export import Cancelled, export_takes, takes_to_export
from studio.jobs import Engine
from studio.store import JobRow, Store
from tests.jobs.conftest import spec

SCHEMA = Path(__file__).resolve().parents[2] / "resources" / "schema" / "sidecar-1.schema.json"


async def render(engine: Engine, count: int) -> list[JobRow]:
    await engine.start()
    queued = await engine.submit_batch(
        [spec(f"a paper boat, take {i}") for i in range(count)], name="boats", project="launch"
    )
    return await asyncio.wait_for(engine.wait_finished([j.id for j in queued.jobs]), 60)


def decide(store: Store, job_id: int, decision: str, note: str = "") -> None:
    rubric_id, _ = store.rubrics.save("default", {"criteria": ["motion"]}, at=time.time())
    store.verdicts.decide(
        job_id, decision, reviewer="ana", at=time.time(), rubric_id=rubric_id, note=note,
        scores={"motion": 2}, tags=("jitter",),
    )  # fmt: skip


@pytest.fixture
async def takes(make_engine: Callable[..., Engine], store: Store) -> list[JobRow]:
    jobs = await render(make_engine(), 3)
    decide(store, jobs[0].id, "approve")
    decide(store, jobs[1].id, "approve", note="fine for the mood board")
    decide(store, jobs[2].id, "approve")
    decide(store, jobs[2].id, "undo")  # taken back: not approved any more
    return jobs


async def test_approved_takes_are_copied_byte_for_byte_with_sidecars_and_sums(
    takes: list[JobRow], store: Store, library: Path, tmp_path: Path
) -> None:
    out = tmp_path / "handoff"
    chosen = takes_to_export(store)
    assert [j.id for j in chosen] == [takes[0].id, takes[1].id]
    report = export_takes(store, library, chosen, out, reviewer="ana")
    assert report.written == [f"launch_{j.id:06d}_{j.id:06d}_approve.mp4" for j in chosen]
    for job, name in zip(chosen, report.written, strict=True):
        video = store.assets.for_job(job.id)["video"]
        assert (out / name).read_bytes() == (library / video.path).read_bytes()
        side = json.loads((out / name.replace(".mp4", ".json")).read_text())
        assert side["schema"] == "studio.sidecar/1"
        assert side["clip"]["sha256"] == video.sha256
        assert side["project"] == "launch"
        assert side["prompt"]["text"] == job.prompt
        assert side["review"]["decision"] == "approve"
        assert side["review"]["scores"] == {"motion": 2}
        assert side["review"]["tags"] == ["jitter"]
        assert side["rubric"]["name"] == "default"
        assert "AI model" in side["disclosure"]
        assert side["render"]["provider_job_id"] == job.remote_id
    schema = json.loads(SCHEMA.read_text())
    for name in report.written:
        jsonschema.validate(json.loads((out / name.replace(".mp4", ".json")).read_text()), schema)
    second = json.loads((out / report.written[1].replace(".mp4", ".json")).read_text())
    assert second["review"]["reason"] == "fine for the mood board"
    checked = await asyncio.to_thread(
        subprocess.run,
        ["sha256sum", "-c", "SHA256SUMS"],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK") == 4  # two clips and two sidecars
    manifest = json.loads((out / "manifest.json").read_text())
    assert [c["take"] for c in manifest["clips"]] == [j.id for j in chosen]
    rows = store.db.query("SELECT job_id, reviewer FROM exports ORDER BY id")
    assert [(r[0], r[1]) for r in rows] == [(j.id, "ana") for j in chosen]
    assert not list(out.glob(".*"))  # no temporary files left

    again = export_takes(store, library, chosen, out)
    assert again.written == []
    assert again.identical == report.written  # skipped, and said so


async def test_a_name_held_by_another_file_gets_a_suffix_and_nothing_is_overwritten(
    takes: list[JobRow], store: Store, library: Path, tmp_path: Path
) -> None:
    out = tmp_path / "handoff"
    out.mkdir()
    first = takes[0]
    squatter = out / f"launch_{first.id:06d}_{first.id:06d}_approve.mp4"
    squatter.write_bytes(b"someone else's file")
    report = export_takes(store, library, [first], out)
    assert report.written == [f"launch_{first.id:06d}_{first.id:06d}_approve (2).mp4"]
    assert squatter.read_bytes() == b"someone else's file"


async def test_a_clip_missing_from_disk_is_named_and_the_rest_exported(
    takes: list[JobRow], store: Store, library: Path, tmp_path: Path
) -> None:
    gone = store.assets.for_job(takes[0].id)["video"]
    (library / gone.path).unlink()
    report = export_takes(store, library, takes_to_export(store), tmp_path / "out")
    assert report.missing == [f"#{takes[0].id}: its clip is not in the library"]
    assert len(report.written) == 1


async def test_a_changed_clip_is_not_exported(
    takes: list[JobRow], store: Store, library: Path, tmp_path: Path
) -> None:
    video = store.assets.for_job(takes[0].id)["video"]
    data = bytearray((library / video.path).read_bytes())
    data[-1] ^= 0xFF  # bit rot
    (library / video.path).write_bytes(bytes(data))
    report = export_takes(store, library, [takes[0]], tmp_path / "out")
    assert report.missing == [
        f"#{takes[0].id}: its clip in the library no longer matches its recorded sha256"
    ]
    assert not [p for p in (tmp_path / "out").iterdir() if p.suffix == ".mp4"]


async def test_an_unwritable_target_says_so_and_touches_nothing(
    takes: list[JobRow], store: Store, library: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    before = sorted(p.name for p in library.rglob("*"))
    with pytest.raises(StorageError, match="Cannot write to"):
        export_takes(store, library, takes_to_export(store), blocker / "out")
    assert sorted(p.name for p in library.rglob("*")) == before
    assert store.db.query("SELECT count(*) FROM exports")[0][0] == 0


async def test_a_full_target_leaves_no_half_written_clip(
    takes: list[JobRow],
    store: Store,
    library: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from studio.export import run as export_run

    real = export_run.os.fsync
    parts: list[str] = []

    def full(fd: int) -> None:
        path = os.readlink(f"/proc/self/fd/{fd}")
        if path.endswith(".part") and ".mp4." in path:
            parts.append(path)
            if len(parts) == 2:  # the second clip: the disk fills up
                raise OSError(28, "No space left on device")
        real(fd)

    monkeypatch.setattr(export_run.os, "fsync", full)
    out = tmp_path / "out"
    with pytest.raises(StorageError, match="No space left on device"):
        export_takes(store, library, takes_to_export(store), out)
    first = f"launch_{takes[0].id:06d}_{takes[0].id:06d}_approve"
    names = sorted(p.name for p in out.iterdir())
    assert names == ["SHA256SUMS", f"{first}.json", f"{first}.mp4", "manifest.json"]
    assert not Path(parts[1]).exists()  # the half-written copy is gone


async def test_cancel_keeps_finished_clips_and_leaves_no_part(
    takes: list[JobRow], store: Store, library: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    seen: list[str] = []

    def progress(done: int, total: int, name: str) -> None:
        seen.append(name)

    with pytest.raises(Cancelled):
        export_takes(
            store, library, takes_to_export(store), out, progress=progress,
            cancelled=lambda: len(seen) > 0,  # stop once the first clip is under way
        )  # fmt: skip
    assert not list(out.glob(".*"))
    assert len(list(out.glob("*.mp4"))) == 1


def test_sha256sum_is_there() -> None:
    assert shutil.which("sha256sum"), "coreutils' sha256sum checks the SHA256SUMS file"
