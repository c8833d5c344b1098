"""GUI tests run a qasync loop on the test's QApplication."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import qasync
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from studio.ui.shell.gc import GuiThreadCollector
from studio.ui.shell.theme import apply_theme


@pytest.fixture(scope="session", autouse=True)
def themed(qapp: QApplication) -> None:
    """As in the app: the dark theme (so a stylesheet the widgets trip over fails a test)."""
    problem = apply_theme(qapp, "dark")
    assert not problem, problem


@pytest.fixture(autouse=True)
def gui_thread_gc(qapp: QApplication) -> Iterator[None]:
    """As in the app: garbage holding Qt objects is collected on the GUI thread only. After
    the test, the widgets pytest-qt closed are deleted (it only asks for a later deletion,
    which no event loop may carry out before the next test): a window left alive would hear
    the next test's theme change and read a library already closed."""
    collector = GuiThreadCollector(qapp)
    yield
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    collector.stop()


class AlwaysRunning(qasync.QEventLoop):
    """A qasync loop that counts as running from the test's start to its end, as the app's
    does from start to quit. qasync marks its loop running only inside `run_until_complete`
    — not in the pass it makes after stopping, nor while pytest-qt, `qtbot.waitUntil` or a
    dialog process Qt events — so a task stepped there failed with "no running event loop"
    (a create dying half sent, an image check said to have failed)."""

    def run_forever(self) -> None:
        try:
            super().run_forever()
        finally:
            asyncio.events._set_running_loop(self)  # qasync has just cleared it


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    loop = AlwaysRunning(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    try:
        yield loop
        loop.run_until_complete(asyncio.sleep(0))
    finally:
        asyncio.events._set_running_loop(None)
        loop.close()
        asyncio.set_event_loop(None)


from tests.ui.test_day_one import open_window  # noqa: E402  (the window fixtures, shared)
from tests.ui.test_main_window import window  # noqa: E402

__all__ = ["open_window", "window"]
