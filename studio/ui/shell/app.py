"""Application wiring, in one place: QApplication, the qasync loop, settings, services, window.

The window is shown before anything slow happens; the store, the provider (the built-in
simulator by default) and the engine open afterwards, off the UI thread.
"""

from __future__ import annotations

import contextlib
import importlib
import signal
import sys

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from studio import __version__
from studio.config.settings import Settings, load_settings
from studio.core import startup_trace
from studio.core.errors import StudioError
from studio.ui.shell.gc import GuiThreadCollector
from studio.ui.shell.main_window import MainWindow
from studio.ui.shell.startup_marks import mark_first
from studio.ui.shell.theme import apply_theme


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Studio")
    app.setApplicationVersion(__version__)
    collector = GuiThreadCollector(app)
    # Settings are a small JSON file and the theme a few ms: both before the first paint,
    # so the window never flashes unstyled.
    settings, settings_problem = load_settings()
    theme_problem = apply_theme(app, settings.theme)

    window = MainWindow(staged=True)
    theme = settings.theme

    def use_theme(saved: Settings) -> None:
        """Settings saved: the theme changes only if it was changed (restyling every
        widget takes a moment)."""
        nonlocal theme
        if saved.theme != theme:
            theme = saved.theme
            problem = apply_theme(app, theme)
            if problem:
                window.notify(problem, error=True)

    window.settings_changed.connect(use_theme)
    # Shut down when the last window closes, while the loop still runs, so the engine,
    # connections and the simulator close cleanly before run_until_complete returns.
    app.setQuitOnLastWindowClosed(False)
    mark_first(window, QEvent.Type.Paint, "window_painted")
    window.show()  # the shell's first paint comes before the panels and any I/O
    window.activateWindow()  # the keys work at once (without a window manager too)
    startup_trace.mark("window_shown")
    app.sync()  # map and paint it now (sync handles the window system's events)
    window.build_editor()  # then the panel typed into first ...
    app.processEvents()  # ... painted, and given the keys typed meanwhile

    # The event loop's modules, asyncio (with ssl, socket, logging) and qasync, take ~50 ms
    # to import: after the window and its editor are on screen (bench/p1_launcher.py).
    import asyncio

    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    closing = asyncio.Event()
    app.lastWindowClosed.connect(closing.set)
    if not window.isVisible():  # closed while the editor was built
        closing.set()
    # Logging out or `kill` asks politely: close as Quit does (layout, draft, services).
    for name in ("SIGTERM", "SIGHUP"):  # SIGHUP does not exist on Windows
        sig = getattr(signal, name, None)
        # Loops without signal support (Windows, a loop outside the main thread) raise:
        # there the window's own close (Quit, the window manager) is the only way out.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            if sig is not None:
                loop.add_signal_handler(sig, window.close)

    async def run() -> None:
        await window.build_panels_async()
        startup_trace.mark("panels_built")
        if closing.is_set():  # closed while the panels were built
            return
        # Imported after the first paint and in a worker thread, so the window keeps
        # handling input meanwhile: the engine brings httpx, PyAV and the simulator.
        await asyncio.to_thread(importlib.import_module, "studio.services")
        from studio.services import Services, open_services

        for problem in (settings_problem, theme_problem):
            if problem:
                window.notify(problem, error=True)
        services: Services | None = None
        try:
            services = await open_services(settings)
        except StudioError as err:  # a damaged library, a bad key: say so, keep the window
            window.editor.show_message(str(err), error=True)
            window.health.setText("Provider: not connected")
        if services is not None:
            window.attach(services)
            startup_trace.mark("services_attached")
            window.restore_review()  # the last run's review, if its takes are still here
        collector.freeze()  # start-up's objects live as long as the app
        try:
            await closing.wait()
        finally:
            current = window.detach()  # settings may have replaced the first services
            await window.stop_background()  # nothing of the window's runs on what closes
            if current is not None:
                await current.close()

    with loop:
        loop.run_until_complete(run())
    collector.stop()
    return 0
