"""An export folder nothing can break: a manifest.json or SHA256SUMS already there that is
unreadable, not a regular file, or names a path outside the folder is set aside and
reported, never merged; a killed export's temporary files are removed by the next export,
and only when no other is running; two exports into one folder take it in turn. Real
takes rendered on the simulator into a real library, real files."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from studio.export import Cancelled, export_takes
from studio.export import folder as export_folder
from studio.export.run import ExportReport
from studio.jobs import Engine
from studio.store import JobRow, Store
from tests.export.folder_checks import ROOT, approve, check_consistent, check_sums, render

SHA = "0" * 64


# --- an existing manifest.json or SHA256SUMS ----------------------------------------------


def manifest_with(entry: dict[str, object]) -> bytes:
    return json.dumps({"schema": "studio.manifest/1", "clips": [entry]}).encode()


GOOD = {"take": 1, "sha256": SHA, "sidecar_sha256": SHA, "decision": "approve"}
HOSTILE = {
    "manifest-entry-without-sha256": (
        "manifest.json",
        manifest_with({"take": 1, "file": "passwd.mp4", "sidecar": "passwd.json",
                       "sidecar_sha256": SHA}),
        "unreadable",
        "entry 1 has no sha256",
    ),
    "manifest-naming-etc-passwd": (
        "manifest.json",
        manifest_with({**GOOD, "file": "/etc/passwd", "sidecar": "x.json"}),
        "outside",
        "'/etc/passwd', a path outside the folder",
    ),
    "manifest-naming-dot-dot": (
        "manifest.json",
        manifest_with({**GOOD, "file": "a.mp4", "sidecar": "../../x"}),
        "outside",
        "'../../x', a path outside the folder",
    ),
    "manifest-unreadable-json": (
        "manifest.json",
        b'{"schema": "studio.manifest/1", "clips": [\xff\xfe',
        "unreadable",
        "is not readable JSON",
    ),
    "manifest-nested-too-deep": (
        "manifest.json",
        b"[" * 100_000 + b"]" * 100_000,
        "unreadable",
        "is not readable JSON",
    ),
    "manifest-of-another-tool": (
        "manifest.json",
        b'{"files": ["a.mp4"]}',
        "unreadable",
        "is not a Studio manifest",
    ),
    "sums-naming-etc-passwd": (
        "SHA256SUMS",
        f"{SHA}  /etc/passwd\n".encode(),
        "outside",
        "'/etc/passwd', a path outside the folder",
    ),
    "sums-naming-dot-dot": (
        "SHA256SUMS",
        f"{SHA}  ../../x\n".encode(),
        "outside",
        "'../../x', a path outside the folder",
    ),
    "sums-unreadable": (
        "SHA256SUMS",
        b"\x00\x01not a checksum line\n",
        "unreadable",
        "line 1 is not",
    ),
}  # fmt: skip


@pytest.fixture
async def two_takes(make_engine: Callable[..., Engine], store: Store) -> list[JobRow]:
    takes = await render(make_engine(), ["a red kite", "a paper boat"], "launch")
    approve(store, *takes)
    return takes


@pytest.mark.parametrize("case", sorted(HOSTILE))
async def test_a_hostile_folder_file_is_set_aside_and_reported_never_merged(
    case: str, two_takes: list[JobRow], store: Store, library: Path, tmp_path: Path
) -> None:
    name, content, kind, why = HOSTILE[case]
    out = tmp_path / "handoff"
    out.mkdir()
    (out / name).write_bytes(content)
    report = export_takes(store, library, two_takes, out)
    assert len(report.written) == 2
    (line,) = report.set_aside
    assert line.startswith(f"{name} ")
    assert why in line
    assert "not merged" in line
    (aside,) = out.glob(f"{name}.{kind}-*")
    assert aside.name in line
    assert aside.read_bytes() == content  # kept as it was
    manifest = check_consistent(out)
    assert sorted(c["take"] for c in manifest["clips"]) == [t.id for t in two_takes]  # type: ignore[index]
    assert "passwd" not in (out / "SHA256SUMS").read_text()
    assert [w for w in report.warnings() if aside.name in w]


async def test_a_fifo_named_manifest_is_set_aside_without_being_opened(
    two_takes: list[JobRow], store: Store, library: Path, tmp_path: Path
) -> None:
    out = tmp_path / "handoff"
    out.mkdir()
    os.mkfifo(out / "manifest.json")  # opening it to read would wait for ever
    report = await asyncio.wait_for(
        asyncio.to_thread(export_takes, store, library, two_takes, out), 30
    )
    assert report.set_aside == [
        f"manifest.json is not a regular file: kept as {next(out.glob('manifest.json.*')).name}"
        ", not merged"
    ]
    check_consistent(out)


async def test_a_link_named_manifest_is_set_aside_and_its_target_untouched(
    two_takes: list[JobRow], store: Store, library: Path, tmp_path: Path
) -> None:
    target = tmp_path / "elsewhere.json"
    target.write_text("precious")
    out = tmp_path / "handoff"
    out.mkdir()
    (out / "manifest.json").symlink_to(target)
    report = export_takes(store, library, two_takes, out)
    assert "is a link" in report.set_aside[0]
    assert next(out.glob("manifest.json.outside-*")).is_symlink()
    assert target.read_text() == "precious"
    check_consistent(out)


async def test_sums_listing_files_the_export_does_not_are_set_aside_not_dropped(
    two_takes: list[JobRow], store: Store, library: Path, tmp_path: Path
) -> None:
    out = tmp_path / "handoff"
    out.mkdir()
    (out / "notes.txt").write_text("the client's own file")
    theirs = f"{'1' * 64}  notes.txt\n"
    (out / "SHA256SUMS").write_text(theirs)  # another tool's sums, for their file
    report = export_takes(store, library, two_takes, out)
    (line,) = report.set_aside
    assert "lists 1 file(s) the export does not ('notes.txt' …)" in line
    assert next(out.glob("SHA256SUMS.other-*")).read_text() == theirs
    check_sums(out)


async def test_a_sound_manifest_is_merged_and_entries_for_gone_files_dropped(
    two_takes: list[JobRow], store: Store, library: Path, tmp_path: Path
) -> None:
    out = tmp_path / "handoff"
    first = export_takes(store, library, two_takes[:1], out)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["clips"].append({**GOOD, "take": 99, "file": "gone.mp4", "sidecar": "gone.json"})
    (out / "manifest.json").write_text(json.dumps(manifest))
    second = export_takes(store, library, two_takes[1:], out)
    assert second.set_aside == []
    merged = check_consistent(out)
    assert [c["file"] for c in merged["clips"]] == sorted(first.written + second.written)  # type: ignore[index]


async def test_a_sidecar_never_takes_the_manifests_name(
    two_takes: list[JobRow], store: Store, library: Path, tmp_path: Path
) -> None:
    with store.db.write() as tx:
        tx.execute("UPDATE jobs SET project = 'Manifest' WHERE id = ?", (two_takes[0].id,))
    job = store.jobs.get(two_takes[0].id)
    assert job is not None
    out = tmp_path / "handoff"
    report = export_takes(store, library, [job], out, template="{project}")
    assert report.written == ["Manifest (2).mp4"]  # Manifest.json would be the manifest
    check_consistent(out)


# --- a killed export's leftovers ---------------------------------------------------------


def start_stalled_export(tmp_path: Path, out: Path) -> subprocess.Popen[str]:
    """A real export in a child process, stopped mid-copy (its .part on disk)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.export.export_child", "stall",
         str(tmp_path / "studio.db"), str(tmp_path / "library"), str(out)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None
    assert child.stdout.readline() == "copying\n"  # waits for the child, not for a clock
    return child


async def test_a_killed_exports_part_is_removed_by_the_next_export(
    two_takes: list[JobRow], store: Store, library: Path, tmp_path: Path
) -> None:
    out = tmp_path / "handoff"
    child = await asyncio.to_thread(start_stalled_export, tmp_path, out)
    child.kill()  # SIGKILL: no finally block runs
    await asyncio.to_thread(child.communicate, timeout=30)  # gone, its pipes closed
    (part,) = [p.name for p in out.iterdir() if p.name.endswith(".part")]
    assert part.startswith(".launch_")
    assert ".mp4." in part
    strangers = [".notes.part", "draft.mp4.0123abcd.part", ".x.txt.0123abcd.part", ".y.part"]
    for name in strangers:  # not our pattern: never ours to remove
        (out / name).write_text("keep me")
    report = export_takes(store, library, two_takes, out)
    assert report.removed == [part]
    assert "removed 1 temporary file an interrupted export left" in report.summary()
    assert sorted(p.name for p in out.iterdir() if p.name.endswith(".part")) == sorted(strangers)
    assert not (out / export_folder.LOCK_NAME).exists()
    check_consistent(out)


@pytest.fixture
def held(tmp_path: Path) -> Iterator[Path]:
    """The folder held by an export that is still running (this process holds its lock)."""
    out = tmp_path / "busy"
    out.mkdir()
    with export_folder.take(out):
        yield out


async def test_leftovers_stay_while_another_export_holds_the_folder(
    two_takes: list[JobRow], store: Store, library: Path, held: Path
) -> None:
    live = held / f".launch_1_1_approve.mp4.{'ab12cd34'}.part"
    live.write_bytes(b"being written by the export that holds the folder")
    waited = threading.Event()
    said: list[str] = []

    def waiting(line: str) -> None:
        said.append(line)
        waited.set()

    stop = threading.Event()
    running = asyncio.ensure_future(
        asyncio.to_thread(
            export_takes, store, library, two_takes, held, waiting=waiting,
            cancelled=stop.is_set,
        )
    )  # fmt: skip
    assert await asyncio.to_thread(waited.wait, 30)
    assert said == [f"Waiting for another export (process {os.getpid()}) to finish exporting "
                    f"into {held}…"]  # fmt: skip
    assert live.exists()  # the holder's file: not a leftover while it runs
    assert not list(held.glob("*.mp4"))  # and the waiting export wrote nothing yet
    stop.set()
    with pytest.raises(Cancelled, match="while waiting for another export"):
        await running
    assert live.exists()


async def test_the_folder_is_taken_in_turn_and_the_next_one_cleans_up(
    two_takes: list[JobRow], store: Store, library: Path, tmp_path: Path
) -> None:
    out = tmp_path / "handoff"
    out.mkdir()
    waited = threading.Event()
    with export_folder.take(out):
        stale = out / ".launch_9_9_approve.mp4.0badc0de.part"
        stale.write_bytes(b"its writer was killed while the lock was held")
        running = asyncio.ensure_future(
            asyncio.to_thread(
                export_takes, store, library, two_takes, out, waiting=lambda _: waited.set()
            )
        )
        assert await asyncio.to_thread(waited.wait, 30)
        assert stale.exists()
    report: ExportReport = await running  # the lock let go: the waiting export goes on
    assert report.removed == [stale.name]
    assert len(report.written) == 2
    check_consistent(out)
