"""P1, the way a person starts Studio: the `studio` console script (what `make run` runs),
timed from outside on a virtual screen (Xvfb), against a bare Qt window in the same run.

(a) process start → the top-level window mapped (seen by xdotool on the X server);
(b) process start → the editor accepting a typed character (xdotool types into the focused
    window until the app's start-up trace records the key arriving in the editor).
The baseline is a bare QMainWindow with a QVideoWidget (and, for (b), a focused QLineEdit)
started by the same Python, measured the same way, alternating with Studio. Fresh profile
every run. Floor for (a): 1.5x, goal 1.3x.

Run: `python bench/p1_launcher.py [--runs 9]` (needs Xvfb and xdotool).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BARE = r"""
import json, os, sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow, QVBoxLayout, QWidget
app = QApplication(sys.argv)
w = QMainWindow(); w.setWindowTitle("Bare")
body = QWidget(); column = QVBoxLayout(body)
edit = QLineEdit(); column.addWidget(edit); column.addWidget(QVideoWidget(), 1)
w.setCentralWidget(body); w.resize(1280, 800); w.show(); w.activateWindow(); edit.setFocus()
class First(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.KeyPress and obj is edit:
            with open(os.environ["BARE_TRACE"], "a") as out:
                out.write(json.dumps({"event": "first_key", "t": time.time()}) + "\n")
            app.removeEventFilter(self)
        return False
first = First(); app.installEventFilter(first)
app.exec()
"""


def free_display() -> int:
    for n in range(140, 400):
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists():
            return n
    raise SystemExit("no free X display number")


@contextmanager
def xvfb() -> Iterator[dict[str, str]]:
    if not shutil.which("Xvfb") or not shutil.which("xdotool"):
        raise SystemExit("P1 launcher bench needs Xvfb and xdotool (apt-get install xvfb xdotool)")
    display = f":{free_display()}"
    server = subprocess.Popen(
        ["Xvfb", display, "-nolisten", "tcp", "-screen", "0", "1280x800x24"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    socket = Path(f"/tmp/.X11-unix/X{display[1:]}")
    deadline = time.time() + 15
    while not socket.exists():  # a busy machine can take seconds to bring Xvfb up
        if server.poll() is not None or time.time() > deadline:
            raise SystemExit(f"Xvfb did not start on {display}")
        time.sleep(0.05)
    time.sleep(0.2)
    try:
        yield {"DISPLAY": display}
    finally:
        server.terminate()
        server.wait(10)


def window_id(env: dict[str, str], title: str) -> str | None:
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", f"^{title}$"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    ).stdout.split()
    return found[0] if found else None


def first_key_time(trace: Path) -> float | None:
    if not trace.exists():
        return None
    for line in trace.read_text().splitlines():
        event = json.loads(line)
        if event["event"] == "first_key":
            return float(event["t"])
    return None


def one_run(command: list[str], title: str, base_env: dict[str, str]) -> tuple[float, float]:
    """(seconds to the window mapped, seconds to a typed key arriving)."""
    home = Path(tempfile.mkdtemp(prefix="p1-"))
    trace = home / "trace.jsonl"
    env = {
        **os.environ,
        **base_env,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "STUDIO_TRACE_STARTUP": str(trace),
        "BARE_TRACE": str(trace),
    }
    env.pop("QT_QPA_PLATFORM", None)
    started = time.time()
    errors = home / "stderr.txt"
    with errors.open("wb") as err:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)
    try:
        window = None
        while window is None:
            window = window_id(env, title)
            if process.poll() is not None or time.time() - started > 60:
                tail = errors.read_text(errors="replace")[-600:]
                raise SystemExit(f"{title} never mapped a window:\n{tail}")
            # xdotool asked back to back took every client slot of the X server: the app
            # under test could not connect. 10 ms between asks (the same for both).
            time.sleep(0.01)
        mapped = time.time() - started
        keyed = None
        while keyed is None:
            subprocess.run(
                ["xdotool", "windowfocus", window, "key", "x"],
                env=env,
                check=False,
                stderr=subprocess.DEVNULL,
            )
            at = first_key_time(trace)
            keyed = at - started if at is not None else None
            if time.time() - started > 90:
                raise SystemExit(f"{title} never took a key")
        return mapped, keyed
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    launcher = Path(sys.executable).parent / "studio"
    if not launcher.exists():
        raise SystemExit(f"{launcher} is missing: install the project (make run does)")
    subprocess.run([sys.executable, "-m", "compileall", "-q", "studio"], check=False)
    bare_script = Path(tempfile.mkdtemp()) / "bare.py"
    bare_script.write_text(BARE)
    results: dict[str, list[tuple[float, float]]] = {"bare": [], "studio": []}
    with xvfb() as display:
        one_run([sys.executable, str(bare_script)], "Bare", display)  # warm the caches
        one_run([str(launcher)], "Studio", display)
        for _ in range(args.runs):  # alternating, so drift hits both alike
            results["bare"].append(one_run([sys.executable, str(bare_script)], "Bare", display))
            results["studio"].append(one_run([str(launcher)], "Studio", display))
    bare_map = statistics.median(r[0] for r in results["bare"])
    bare_key = statistics.median(r[1] for r in results["bare"])
    studio_map = statistics.median(r[0] for r in results["studio"])
    studio_key = statistics.median(r[1] for r in results["studio"])
    print(f"P1 from the launcher (`studio` console script on Xvfb), {args.runs} runs each, medians")
    print(
        f"  (a) window mapped:   bare {bare_map * 1000:.0f} ms, studio {studio_map * 1000:.0f} ms"
        f" → {studio_map / bare_map:.2f}x  (floor 1.5x, goal 1.3x)"
    )
    print(
        f"  (b) editor takes a key: bare {bare_key * 1000:.0f} ms, studio "
        f"{studio_key * 1000:.0f} ms → {studio_key / bare_key:.2f}x"
    )


if __name__ == "__main__":
    main()
