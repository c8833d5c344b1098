"""Application wiring: QApplication, the qasync event loop, the provider, the window."""

from __future__ import annotations

import asyncio
import sys

import qasync
from PySide6.QtWidgets import QApplication

from studio import __version__
from studio.connect import Connection, open_provider
from studio.sim.state import SimConfig
from studio.ui.quick_render import QuickRenderWindow


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Studio")
    app.setApplicationVersion(__version__)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    window = QuickRenderWindow()
    window.show()  # first paint before any network or server start-up

    # Close down on the last window closing, while the loop still runs, so that connections
    # and the simulator shut down cleanly; only then does run_until_complete return.
    app.setQuitOnLastWindowClosed(False)
    closing = asyncio.Event()
    app.lastWindowClosed.connect(closing.set)

    async def run() -> None:
        # Starting the simulator binds a socket and a thread: off the UI thread, after show.
        connection: Connection = await loop.run_in_executor(
            None, lambda: open_provider("sim", sim_config=SimConfig(render_seconds=12.0))
        )
        window.attach(connection.provider, connection.description)
        try:
            await closing.wait()
        finally:
            await connection.aclose()

    with loop:
        loop.run_until_complete(run())
    return 0
