"""Run a coroutine against the real studio window on a qasync loop (bench scripts)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import qasync
from PySide6.QtWidgets import QApplication

from studio.ui.shell.gc import GuiThreadCollector
from studio.ui.shell.main_window import MainWindow
from studio.ui.shell.theme import apply_theme

T = TypeVar("T")


async def until(check: Callable[[], object], seconds: float = 120) -> None:
    """Wait, letting the loop run, until `check()` holds (screenshot and GUI benches)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not check():
        if loop.time() > deadline:
            raise TimeoutError("timed out")
        await asyncio.sleep(0.2)


def shot(app: QApplication, out: Path, name: str, size: str) -> None:
    """The whole virtual screen (QWidget.grab() misses a QVideoWidget's picture)."""
    app.primaryScreen().grabWindow(0).save(str(out / f"{name}-{size}.png"))


def run_window(
    scenario: Callable[[QApplication, MainWindow, GuiThreadCollector], Coroutine[Any, Any, T]],
    theme: str = "dark",
) -> T:
    """As the app does: the theme applied, garbage collected on the GUI thread; the scenario
    calls `collector.freeze()` once its start-up is over, as the app does after attaching."""
    app = QApplication(sys.argv)
    problem = apply_theme(app, theme)
    if problem:
        raise SystemExit(problem)
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    collector = GuiThreadCollector(app)
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    window.activateWindow()  # as a window manager would: the focused panel is marked
    with loop:
        result = loop.run_until_complete(scenario(app, window, collector))
    collector.stop()
    return result
