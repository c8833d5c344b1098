"""The one background-operation helper: results, failures in words, progress on the Qt
thread, latest wins, and nothing left running once its owner closes or is gone."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest
import qasync
import shiboken6
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from studio.core.errors import StudioError
from studio.ui.shell.background import Background, Failure
from tests.ui.test_day_one import until


@pytest.fixture
def owner(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_a_thread_and_a_coroutine_report_their_results(
    qloop: qasync.QEventLoop, owner: QWidget
) -> None:
    background = Background(owner)
    results: list[object] = []
    on_thread: list[int] = []

    def work() -> int:
        on_thread.append(threading.get_ident())
        return 42

    async def coroutine() -> str:
        await asyncio.sleep(0)
        return "fitted"

    background.run_in_thread(work, "add up", done=results.append)
    background.run(coroutine(), "fit", done=results.append)
    qloop.run_until_complete(until(lambda: len(results) == 2, 10))
    assert sorted(map(str, results)) == ["42", "fitted"]
    assert on_thread != [threading.get_ident()]  # the blocking work left the Qt thread
    assert not background._running  # nothing kept once ended


def test_a_failure_is_told_in_words_and_logged(
    qloop: qasync.QEventLoop, owner: QWidget, caplog: pytest.LogCaptureFixture
) -> None:
    told: list[Failure] = []
    background = Background(owner, report=told.append)  # the owner's default sink

    def broken() -> None:
        raise ValueError("no such crop")

    async def refused() -> None:
        raise StudioError("The folder is not writable.")

    caplog.set_level(logging.INFO, logger="studio.ui.shell.background")
    own: list[Failure] = []
    background.run_in_thread(broken, "fit the image", failed=own.append)
    background.run(refused(), "export the takes")
    qloop.run_until_complete(until(lambda: own and told, 10))
    assert own[0].message == "Could not fit the image: ValueError: no such crop"
    assert told[0].message == "The folder is not writable."  # a StudioError's own words
    unexpected = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in unexpected] == ["could not fit the image"]
    assert unexpected[0].exc_info is not None  # with its traceback
    assert "could not export the takes: The folder is not writable." in caplog.text


def test_a_failure_nobody_is_told_of_is_still_logged(
    qloop: qasync.QEventLoop, owner: QWidget, caplog: pytest.LogCaptureFixture
) -> None:
    background = Background(owner)
    background.run_in_thread(lambda: 1 / 0, "divide")
    qloop.run_until_complete(until(lambda: "could not divide" in caplog.text, 10))
    assert caplog.records[-1].levelno == logging.ERROR
    assert Failure("divide", ZeroDivisionError()).message == "Could not divide: ZeroDivisionError"


def test_progress_reaches_the_qt_thread_in_order(qloop: qasync.QEventLoop, owner: QWidget) -> None:
    background = Background(owner)
    seen: list[tuple[int, str, int]] = []

    def moved(done: int, name: str) -> None:
        seen.append((done, name, threading.get_ident()))

    progress = background.relay(moved)

    def work() -> int:
        for i in range(5):
            progress(i, name=f"clip {i}")
        return 5

    task = background.run_in_thread(work, "copy")
    qloop.run_until_complete(until(lambda: len(seen) == 5, 10))
    assert task.result() == 5
    assert [(d, n) for d, n, _ in seen] == [(i, f"clip {i}") for i in range(5)]
    assert {ident for *_, ident in seen} == {threading.get_ident()}


def test_latest_wins_cancels_the_earlier_operation_with_its_key(
    qloop: qasync.QEventLoop, owner: QWidget
) -> None:
    background = Background(owner)
    results: list[str] = []
    release = threading.Event()
    stopped: list[str] = []

    def slow_fit() -> str:
        release.wait(10)
        return "old crop"

    first = background.run_in_thread(
        slow_fit, "fit", key="fit", done=results.append, stop=lambda: stopped.append("old")
    )
    assert background.busy("fit")
    second = background.run_in_thread(lambda: "new crop", "fit", key="fit", done=results.append)
    qloop.run_until_complete(until(second.done, 10))
    release.set()  # the earlier thread ends on its own; its result goes nowhere
    qloop.run_until_complete(until(lambda: results, 10))
    assert first.cancelled()
    assert stopped == ["old"]  # asked to stop
    assert results == ["new crop"]
    assert not background.busy("fit")
    other = background.run(asyncio.sleep(0, "unkeyed"), "wait", done=results.append)
    background.run(asyncio.sleep(0, "keyed"), "wait", key="fit", done=results.append)
    qloop.run_until_complete(until(lambda: len(results) == 3, 10))
    assert not other.cancelled()  # another key, or none: left alone


def test_shutdown_cancels_running_work_and_waits_for_it(
    qloop: qasync.QEventLoop, owner: QWidget
) -> None:
    background = Background(owner)
    stop = threading.Event()
    heard: list[object] = []

    def copying() -> str:
        stop.wait(10)
        return "stopped"

    async def polling() -> None:
        await asyncio.sleep(3600)

    thread = background.run_in_thread(copying, "export", stop=stop.set, done=heard.append)
    loop_task = background.run(polling(), "poll", failed=heard.append)
    qloop.run_until_complete(asyncio.sleep(0))  # both under way
    qloop.run_until_complete(asyncio.wait_for(background.shutdown(), 10))
    assert thread.cancelled()
    assert loop_task.cancelled()
    assert stop.is_set()  # the worker was asked to stop between its steps
    assert heard == []  # a cancelled operation reports nothing
    assert not background._running


def test_an_owner_destroyed_cancels_its_work_and_hears_nothing(
    qloop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    owner = QWidget()
    background = Background(owner)
    heard: list[object] = []
    started, release, relayed = threading.Event(), threading.Event(), threading.Event()

    async def forever() -> None:
        await asyncio.sleep(3600)

    waiting = background.run(forever(), "wait", done=heard.append)
    progress = background.relay(heard.append)

    def work() -> str:
        started.set()
        release.wait(10)
        progress("late")  # after its owner is gone: dropped
        relayed.set()
        return "late"

    thread = background.run_in_thread(work, "read", done=heard.append)
    qloop.run_until_complete(until(started.is_set, 10))
    shiboken6.delete(owner)  # the owner's runner goes with it
    qloop.run_until_complete(until(lambda: waiting.cancelled() and thread.cancelled(), 10))
    release.set()
    qloop.run_until_complete(until(relayed.is_set, 10))
    after: list[bool] = []
    qloop.call_soon_threadsafe(after.append, True)  # queued behind the late progress
    qloop.run_until_complete(until(lambda: after, 10))
    assert heard == []


def test_the_window_cancels_its_work_on_detach_and_everything_on_close(
    qloop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    from studio.ui.shell.main_window import MainWindow

    win = MainWindow(staged=True)
    qtbot.addWidget(win)
    panel = QWidget(win)  # a widget of the window's with work of its own
    own = Background(panel)

    async def forever() -> None:
        await asyncio.sleep(3600)

    on_services = win.background.run(forever(), "load the models")
    fitting = own.run(forever(), "fit")
    win.detach()  # the services are about to close: what runs on them stops
    qloop.run_until_complete(until(on_services.cancelled, 10))
    assert not fitting.done()  # not on the services: it goes on
    closing = win.background.run(forever(), "wait for the library")
    win.close()
    qloop.run_until_complete(asyncio.wait_for(win.stop_background(), 10))
    assert fitting.cancelled()
    assert closing.cancelled()
