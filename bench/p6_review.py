"""P6: from the decision key press to the next take's first frame on screen.

50 finished takes (1280x720, rendered by the simulator), each with notes on the frame,
reviewed in the real studio window (the Library's grid, the notes list and the scrub bar's
marks in place) on offscreen Qt: for each, press D (discard; auto-advance moves on) and time
until the player's video sink receives the next take's first frame. Run twice in the same
process: with the next clip preloaded (as the app does) and without, as the baseline.
Goal: p95 <= 16 ms (issue 20; 150 ms before).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ[var] = tempfile.mkdtemp(prefix="studio-p6-")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the shared test library

from _gui import run_window, until  # noqa: E402  (a sibling module: run as a script)
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from studio.config.settings import Settings  # noqa: E402
from studio.core.notes import Shape  # noqa: E402
from studio.library.ops import ops_for  # noqa: E402
from studio.services import RunOptions, open_services  # noqa: E402
from studio.ui.shell.gc import GuiThreadCollector  # noqa: E402
from studio.ui.shell.main_window import MainWindow  # noqa: E402
from tests.ui.review_library import make_library  # noqa: E402


def seeded(root: Path, takes: int) -> tuple[Path, list[int]]:
    """A library of `takes` ready takes, two notes on each (one drawn on, one a range)."""
    store, _library, ids = make_library(root, takes, distinct=5, size=(1280, 720))
    ops = ops_for(store)
    arrow = Shape("arrow", ((200.0, 150.0), (420.0, 300.0)), "red", 4.0)
    for job_id in ids:
        ops.add_note(job_id, 12, fps=24.0, picture=(1280, 720), text="the tail warps",
                     shapes=[arrow], author="bench")  # fmt: skip
        ops.add_note(job_id, 30, end_frame=40, fps=24.0, picture=(1280, 720),
                     text="flicker on the left", author="bench")  # fmt: skip
    store.close()
    return root / "studio.db", ids


async def review(window: MainWindow, root: Path, takes: int, preload: bool) -> list[float]:
    db, ids = seeded(root, takes)
    # Pre-screening is left off: in use, each clip is screened as it arrives, long before
    # it is reviewed (here 50 unscreened clips would be screened at once, mid-measure).
    services = await open_services(Settings(reviewer="bench"), RunOptions(db=db, prescreen=False))
    window.attach(services)
    window.show_workspace("library")  # the grid is built and painted, as in use
    grid = window.library.panel
    await until(lambda: grid.model is not None and grid.model.rowCount() > 0, 30)
    window.review_takes(ids)
    panel = window.review
    if not preload:
        panel._preload_next = lambda: None  # type: ignore[method-assign]
    session = panel.session
    assert session is not None
    arrived: list[float] = []
    expected: list[Path | None] = [None]

    def presented(frame: object) -> None:
        # Only the next take's own first picture counts (not a repaint of the last one).
        if panel.player.clip == expected[0] and frame.startTime() < 1000 * 1000 / 24:  # type: ignore[attr-defined]
            arrived.append(time.perf_counter())

    panel.player.frame_presented.connect(presented)
    latencies = []
    for _ in range(takes - 1):
        await until(lambda: panel.player.deck.ready and panel.player.deck.pictures > 0, 10)
        assert panel.notes.list.count() == 2, "the take's notes are listed"
        await asyncio.sleep(0.15)  # let the preload finish, as a reviewer would
        arrived.clear()
        following = session.next_unreviewed()
        assert following is not None
        expected[0] = panel.asset_path(session.takes[following].job_id, "video")
        assert expected[0] != panel.player.clip
        pressed = time.perf_counter()
        QTest.keyClick(panel, Qt.Key.Key_D)  # discard: no reason asked (approve would ask)
        await until(lambda: bool(arrived), 10)
        latencies.append((arrived[0] - pressed) * 1000)
    panel.player.frame_presented.disconnect(presented)
    window.detach()
    await services.close()
    return latencies


def p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))]


def summary(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.1f} ms, p95 {p95(values):.1f} ms, "
        f"max {max(values):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--takes", type=int, default=50)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="studio-p6-lib-"))

    async def scenario(
        _app: QApplication, window: MainWindow, collector: GuiThreadCollector
    ) -> tuple[list[float], list[float]]:
        window.resize(1280, 800)
        collector.freeze()  # as the app does once started
        with_preload = await review(window, root / "on", args.takes, preload=True)
        without = await review(window, root / "off", args.takes, preload=False)
        return with_preload, without

    with_preload, without = run_window(scenario)
    print(f"P6: decision key → next take's first frame, {len(with_preload)} takes, 1280x720,")
    print("  in the studio window (grid, notes list and scrub marks in place)")
    print(f"  next clip preloaded (the app): {summary(with_preload)}  (goal p95 <= 16 ms)")
    print(f"  without preloading (baseline): {summary(without)}")
    print(f"  p95 ratio: {p95(with_preload) / p95(without):.2f}x of the baseline")


if __name__ == "__main__":
    main()
