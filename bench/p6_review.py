"""P6: from the decision key press to the next take's first frame on screen.

50 finished takes (1280x720, rendered by the simulator) reviewed in the real review panel
on offscreen Qt: for each, press D (discard; auto-advance moves on) and time until the
player's video sink receives the next take's first frame. Run twice in the same process:
with the next clip preloaded (as the app does) and without, as the baseline. Goal: p95 ≤ 150 ms.
"""

from __future__ import annotations

import argparse
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

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from studio.review.keymap import load_keymap  # noqa: E402
from studio.review.rubric import load_active  # noqa: E402
from studio.review.session import ReviewSession  # noqa: E402
from studio.ui.review.review_panel import ReviewPanel  # noqa: E402
from tests.ui.review_library import make_library  # noqa: E402


def wait(app: QApplication, until: object, timeout: float = 10.0) -> None:
    deadline = time.perf_counter() + timeout
    while not until():  # type: ignore[operator]
        if time.perf_counter() > deadline:
            raise TimeoutError("the player did not show the take")
        app.processEvents()
        time.sleep(0.001)


def run(app: QApplication, root: Path, takes: int, preload: bool) -> list[float]:
    store, library, ids = make_library(
        root / ("on" if preload else "off"), takes, distinct=5, size=(1280, 720)
    )
    panel = ReviewPanel(load_keymap()[0])
    panel.resize(1280, 800)
    panel.show()
    if not preload:
        panel._preload_next = lambda: None  # type: ignore[method-assign]
    session = ReviewSession(store, load_active(store), ids, reviewer="bench")
    panel.open(session, store, library)
    panel.setFocus()
    arrived: list[float] = []
    expected: list[Path | None] = [None]

    def presented(frame: object) -> None:
        # Only the next take's own first picture counts (not a repaint of the last one).
        if panel.player.clip == expected[0] and frame.startTime() < 1000 * 1000 / 24:  # type: ignore[attr-defined]
            arrived.append(time.perf_counter())

    panel.player.frame_presented.connect(presented)
    latencies = []
    for _ in range(takes - 1):
        wait(app, lambda: panel.player.deck.ready and panel.player.deck.pictures > 0)
        settle = time.perf_counter() + 0.15  # let the preload finish, as a reviewer would
        while time.perf_counter() < settle:
            app.processEvents()
        arrived.clear()
        following = session.next_unreviewed()
        assert following is not None
        expected[0] = panel.asset_path(session.takes[following].job_id, "video")
        assert expected[0] != panel.player.clip
        pressed = time.perf_counter()
        QTest.keyClick(panel, Qt.Key.Key_D)  # discard: no reason asked (approve would ask)
        wait(app, lambda: bool(arrived))
        latencies.append((arrived[0] - pressed) * 1000)
    panel.player.stop()
    panel.close()
    store.close()
    return latencies


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"median {statistics.median(values):.0f} ms, p95 {p95:.0f} ms, max {max(values):.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--takes", type=int, default=50)
    args = parser.parse_args()
    app = QApplication(sys.argv)
    root = Path(tempfile.mkdtemp(prefix="studio-p6-lib-"))
    with_preload = run(app, root, args.takes, preload=True)
    without = run(app, root, args.takes, preload=False)
    p95 = sorted(with_preload)[int(0.95 * (len(with_preload) - 1))]
    base = sorted(without)[int(0.95 * (len(without) - 1))]
    print(f"P6: decision key → next take's first frame, {len(with_preload)} takes, 1280x720")
    print(f"  next clip preloaded (the app): {summary(with_preload)}  (goal p95 <= 150 ms)")
    print(f"  without preloading (baseline): {summary(without)}")
    print(f"  p95 ratio: {p95 / base:.2f}x of the baseline")


if __name__ == "__main__":
    main()
