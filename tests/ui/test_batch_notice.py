"""A batch that finishes while the window is not in front is told to the desktop (the system
tray's message), and a click on it opens the batch in Review. Real renders on the built-in
simulator; under the offscreen platform there is no tray, so the notice decided on is read
from `notified` (what a tray would show) and the click is the slot the tray would call.
The test is one coroutine on the qasync loop: the engine's tasks need that loop running."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import qasync
from PySide6.QtWidgets import QSystemTrayIcon, QWidget
from pytestqt.qtbot import QtBot

from studio.services import Services
from studio.store import JobStatus
from studio.ui.shell.batch_notice import BatchNotice
from studio.ui.shell.main_window import MainWindow
from tests.jobs.conftest import spec

Opened = tuple[MainWindow, Services]


async def until(check: Callable[[], object], seconds: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not check():
        if loop.time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


def test_a_batch_finished_behind_another_window_is_told_and_opens_in_review(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, services = open_window()
    notifier = win.batch_notice
    assert notifier is not None
    told: list[BatchNotice] = []
    notifier.notified.connect(told.append)
    tray = QSystemTrayIcon.isSystemTrayAvailable()  # offscreen: no tray, and no error
    other = QWidget()  # another application's window in front
    qtbot.addWidget(other)

    async def render(name: str, prompts: list[str]) -> list[int]:
        queued = await services.engine.submit_batch([spec(p) for p in prompts], name=name)
        ids = [job.id for job in queued.jobs]
        ready = lambda: all(j.status.finished for j in services.store.jobs.many(ids))  # noqa: E731
        await until(lambda: ready() and notifier.idle)
        return ids

    async def scenario() -> None:  # one run of the loop: the engine's tasks need it running
        other.show()
        other.activateWindow()
        await until(lambda: not win.isActiveWindow(), 10)
        herons = await render("herons", ["a heron lands", "a heron takes off"])
        assert [n.text for n in told] == ["Batch 'herons' finished: 2 ready. Click to review it."]
        assert told[0].review_job == herons[0]
        assert (notifier.tray is not None) == tray  # in the tray only where there is one

        notifier.clicked()  # what the tray calls when its message is clicked
        await until(lambda: win.reviewing, 10)  # the Review layout, up front
        session = win.review.session
        assert session is not None
        assert [t.job_id for t in session.takes] == herons  # the whole batch
        assert session.take.job_id == herons[0]

        win.activateWindow()  # in front: the queue says it already; the desktop is left alone
        await until(win.isActiveWindow, 10)
        kites = await render("kites", ["a kite over dunes"])
        assert len(told) == 1
        assert services.store.jobs.get(kites[0]).status is JobStatus.READY  # type: ignore[union-attr]

    qloop.run_until_complete(scenario())
