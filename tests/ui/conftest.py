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


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    yield loop
    loop.run_until_complete(asyncio.sleep(0))
    loop.close()
    asyncio.set_event_loop(None)


from tests.ui.test_day_one import open_window  # noqa: E402  (the window fixtures, shared)
from tests.ui.test_main_window import window  # noqa: E402

__all__ = ["open_window", "window"]
