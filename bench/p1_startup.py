"""P1, window path (studio.ui.shell.app, offscreen; bench/p1_launcher.py measures the console
script as people start it): process start → main window shown and responsive, with 10,000
jobs in the library,
against a bare QMainWindow with a QVideoWidget measured in the same run. Goal ≤ 1.5×.

Each sample is a fresh process (offscreen Qt). "Responsive" is the first timer the event
loop runs after the window is shown. Studio shows its shell first and builds the panels
a turn of the event loop each; the time until every panel is built, and until the queue
shows all 10,000 jobs (store, provider and engine opened after that), are reported too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = r"""
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow(); w.setCentralWidget(QVideoWidget()); w.resize(1280, 800); w.show()
def ready():
    print("shown", time.time(), flush=True); app.quit()
QTimer.singleShot(0, ready)
app.exec()
"""

STUDIO = r"""
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
from studio.ui.shell import app as studio_app
from studio.ui.shell.main_window import MainWindow
def shown():
    print("shown", time.time(), flush=True)
    wait_for_library()
panels = []
def wait_for_library():
    wins = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
    if wins and wins[0].panels_built and not panels:
        panels.append(1)
        print("panels", time.time(), flush=True)
    model = wins[0].queue.model if panels else None
    if model is not None and model.rowCount() >= 10000:
        print("library", time.time(), flush=True)
        wins[0].close()
    else:
        QTimer.singleShot(5, wait_for_library)
QTimer.singleShot(0, shown)
studio_app.main()
"""


def seed_library(data_home: Path, jobs: int) -> None:
    os.environ["XDG_DATA_HOME"] = str(data_home)
    from studio.store import Store

    store = Store()
    with store.db.write() as tx:
        for i in range(jobs):
            store.jobs.insert(
                tx,
                {
                    "provider": "sim",
                    "model": "sim-fast",
                    "prompt": f"A red kite over dunes at dusk, take {i}, slow pan",
                    "spec_json": '{"model": "sim-fast", "seconds": 4, "size": "640x360"}',
                    "idem_key": f"seed-{i}",
                    "status": "ready",
                    "estimated_cost": 0.2,
                },
                at=1_700_000_000.0 + i,
            )
    store.close()


def sample(code: str, env: dict[str, str]) -> dict[str, float]:
    started = time.time()
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    ).stdout
    marks = {}
    for line in out.splitlines():
        name, _, stamp = line.partition(" ")
        if name in ("shown", "panels", "library"):
            marks[name] = float(stamp) - started
    return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="studio-p1-"))
    seed_library(home / "data", args.jobs)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    bare, studio, built, library = [], [], [], []
    sample(BARE, env)  # warm the disk cache for both
    sample(STUDIO, env)
    for _ in range(args.runs):
        bare.append(sample(BARE, env)["shown"])
        marks = sample(STUDIO, env)
        studio.append(marks["shown"])
        built.append(marks["panels"])
        library.append(marks["library"])
    b, s, p, lib = (statistics.median(x) for x in (bare, studio, built, library))
    print(
        f"P1 (window path: studio.ui.shell.app in-process, offscreen; the launcher's path is "
        f"p1_launcher): start → window shown and responsive, {args.jobs:,} jobs in the "
        f"library (median of {args.runs})"
    )
    print(f"  bare QMainWindow + QVideoWidget: {b * 1000:.0f} ms")
    print(f"  Studio:                          {s * 1000:.0f} ms  ->  {s / b:.2f}x (goal <= 1.5x)")
    print(f"  Studio with every panel built:   {p * 1000:.0f} ms  ->  {p / b:.2f}x")
    print(f"  Studio queue showing all jobs:   {lib * 1000:.0f} ms")


if __name__ == "__main__":
    main()
