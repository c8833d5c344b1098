"""An export folder nothing can break: a killed export's temporary files are removed by the
next export, and only when no other is running; two exports into one folder take it in
turn. Real takes rendered on the simulator into a real library, real files."""

from __future__ import annotations

import asyncio
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
from tests.export.folder_checks import ROOT, approve, check_consistent, render


@pytest.fixture
async def two_takes(make_engine: Callable[..., Engine], store: Store) -> list[JobRow]:
    takes = await render(make_engine(), ["a red kite", "a paper boat"], "launch")
    approve(store, *takes)
    return takes


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
    assert "removed 1 temporary file(s) an interrupted export left" in report.summary()
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
