"""Application wiring, in one place: QApplication, the qasync loop, settings, services, window.

The window is shown before anything slow happens; the store, the provider (the built-in
simulator by default) and the engine open afterwards, off the UI thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import signal
import sys

import qasync
from PySide6.QtWidgets import QApplication

from studio import __version__
from studio.errors import StudioError
from studio.ui.gc import GuiThreadCollector
from studio.ui.main_window import MainWindow
from studio.ui.theme import apply_theme, last_theme, remember_theme

log = logging.getLogger(__name__)


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Studio")
    app.setApplicationVersion(__version__)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    collector = GuiThreadCollector(app)
    # The first paint is in the theme the last run used (about a millisecond to load);
    # the settings, read once the services' modules are in, may change it.
    theme = last_theme()
    theme_problem = apply_theme(app, theme)

    window = MainWindow(staged=True)
    window.show()  # the shell's first paint comes before the panels and any I/O
    if theme_problem:
        window.notify(theme_problem, error=True)

    def use_theme(settings: object) -> None:
        nonlocal theme
        name = str(getattr(settings, "theme", "dark"))
        if name != theme:
            theme = name
            problem = apply_theme(app, name)
            remember_theme(name)
            if problem:
                window.notify(problem, error=True)

    window.settings_changed.connect(use_theme)

    # Shut down when the last window closes, while the loop still runs, so the engine,
    # connections and the simulator close cleanly before run_until_complete returns.
    app.setQuitOnLastWindowClosed(False)
    closing = asyncio.Event()
    app.lastWindowClosed.connect(closing.set)
    # Logging out or `kill` asks politely: close as Quit does (layout, draft, services).
    for sig in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, window.close)

    async def run() -> None:
        await window.build_panels_async()
        if closing.is_set():  # closed while the panels were built
            return
        # Imported after the first paint and in a worker thread, so the window keeps
        # handling input meanwhile: the engine brings httpx, PyAV and the simulator.
        await asyncio.to_thread(importlib.import_module, "studio.services")
        from studio.services import Services, open_services
        from studio.settings import load_settings

        settings, problem = load_settings()
        if problem:
            window.statusBar().showMessage(problem)
        use_theme(settings)
        services: Services | None = None
        try:
            services = await open_services(settings)
        except StudioError as err:  # a damaged library, a bad key: say so, keep the window
            window.editor.show_message(str(err), error=True)
            window.health.setText("Provider: not connected")
        if services is not None:
            window.attach(services)
            window.restore_review()  # the last run's review, if its takes are still here
        collector.freeze()  # start-up's objects live as long as the app
        try:
            await closing.wait()
        finally:
            current = window.detach()  # settings may have replaced the first services
            if current is not None:
                await current.close()

    with loop:
        loop.run_until_complete(run())
    collector.stop()
    return 0
