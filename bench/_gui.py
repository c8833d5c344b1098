"""Run a coroutine against the real studio window on a qasync loop (bench scripts)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import qasync
from PySide6.QtWidgets import QApplication

from studio.config.settings import Settings
from studio.services import RunOptions, Services, open_services
from studio.sim.state import SimConfig
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


async def attach_sim(
    window: MainWindow, size: str, settings: Settings, render_seconds: float
) -> Services:
    """The window at `size` in the screen's corner, attached to the studio's services on the
    built-in simulator (renders taking `render_seconds`), once the provider's models are in."""
    width, height = (int(v) for v in size.split("x"))
    window.resize(width, height)
    window.move(0, 0)
    services = await open_services(
        settings, RunOptions(sim_config=SimConfig(render_seconds=render_seconds))
    )
    window.attach(services)
    await until(lambda: window.editor.model_box.count() > 0)
    return services


async def detach(window: MainWindow, services: Services) -> None:
    window.detach()
    await services.close()


Shots = Callable[[QApplication, MainWindow, Path, str], Coroutine[Any, Any, None]]


def shots_main(scenario: Shots) -> None:
    """A screenshot script's command line: `OUT [WIDTHxHEIGHT [dark|light]]`."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    size = sys.argv[2] if len(sys.argv) > 2 else "1280x800"
    theme = sys.argv[3] if len(sys.argv) > 3 else "dark"
    out.mkdir(parents=True, exist_ok=True)
    run_window(lambda app, window, _collector: scenario(app, window, out, size), theme)
