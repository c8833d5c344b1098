"""The library never depends on the provider. With no API key stored, or with the provider
down, the window opens on the library: the grid, review, metrics and export work, the
editor offers the models and says why nothing is sent (with the way to fix it), a render
queued waits instead of failing, and Settings show what is stored."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from studio.config import secrets
from studio.config.settings import ConnectionSettings, Settings
from studio.prompts import PromptSlots
from studio.services import RunOptions, Services, open_services
from studio.sim.state import SimConfig
from studio.store import JobStatus
from studio.ui.library.export_dialog import ExportDialog
from studio.ui.shell.main_window import MainWindow
from studio.ui.shell.settings_dialog import SettingsDialog
from tests.jobs.conftest import FAST_POLL
from tests.ui.test_day_one import close, until
from tests.ui.test_library import render

Open = Callable[[Settings], tuple[MainWindow, Services]]


@pytest.fixture
def window_on(qtbot: QtBot, qloop: qasync.QEventLoop) -> Iterator[Open]:
    """A window on the library, with the provider `settings` name (as the app opens it)."""
    opened: list[MainWindow] = []

    def open_one(settings: Settings) -> tuple[MainWindow, Services]:
        win = MainWindow()
        qtbot.addWidget(win)
        win.resize(1280, 800)
        win.show()
        options = RunOptions(
            sim_config=SimConfig(render_seconds=0.3), poll=FAST_POLL, prescreen=False
        )
        services = qloop.run_until_complete(open_services(settings, options))
        win.attach(services)
        win.restore_review()
        opened.append(win)
        return win, services

    yield open_one
    for win in opened:
        closing = win.detach()
        if closing is not None:
            qloop.run_until_complete(closing.close())


def a_library(qloop: qasync.QEventLoop, open_on: Open) -> list[int]:
    """Two takes rendered on the simulator, a daily cap of $30, the window closed."""
    win, services = open_on(Settings())
    takes = render(qloop, services, ["a heron lands", "an owl turns"], "birds")
    services.set_daily_cap(30.0)
    close(qloop, win)
    return sorted(t.id for t in takes)


def works_without_the_provider(
    qtbot: QtBot, qloop: qasync.QEventLoop, win: MainWindow, services: Services, ids: list[int],
    out: Path,
) -> None:  # fmt: skip
    """Grid, review, metrics and export, as a reviewer uses them. (Every wait runs the
    event loop: Qt events handled outside it would run the engine's socket callbacks where
    asyncio has no running loop.)"""

    def wait(check: Callable[[], object], seconds: float = 20) -> None:
        qloop.run_until_complete(until(check, seconds))

    win.activateWindow()
    wait(lambda: QApplication.activeWindow() is win, 5)
    qtbot.keyClick(win, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)  # the Library
    panel = win.library.panel
    qloop.run_until_complete(until(lambda: panel.model is not None, 10))
    panel.query.setText("status:ready")  # the takes (a render queued meanwhile waits)
    panel.run_search()
    assert panel.count.text() == "2 takes"
    panel.grid.setFocus()
    wait(panel.grid.hasFocus, 3)
    win.library.ask_reason = lambda question: "the client's pick"
    qtbot.keyClick(panel.grid, Qt.Key.Key_Home)
    qtbot.keyClick(panel.grid, Qt.Key.Key_A)  # approve the newest
    assert services.store.verdicts.current([ids[1]])[ids[1]].decision == "approve"
    qtbot.keyClick(panel.grid, Qt.Key.Key_Return)  # and review it
    assert win.workspace.name == "review"
    session = win.review.session
    assert session is not None
    assert session.take.job_id == ids[1]  # with its batch, as from the queue
    wait(lambda: win.review.player.frames > 0)  # it plays

    win.library.show_tab(metrics=True)
    qloop.run_until_complete(until(lambda: win.library.metrics is not None, 10))
    table = win.library.metrics.table  # type: ignore[attr-defined]
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert table.item(0, headers.index("approved")).text() == "1"

    win.commands["library.export"].trigger()
    dialog = win.library.dialog
    assert isinstance(dialog, ExportDialog)
    dialog.folder.setText(str(out))
    running = dialog.begin()
    assert running is not None
    qloop.run_until_complete(running)
    wait(lambda: "1 clip exported to" in dialog.status.text())
    dialog.reject()
    assert sorted(p.suffix for p in out.iterdir() if p.suffix in (".mp4", ".json")) == [
        ".json",
        ".json",  # the sidecar and the manifest
        ".mp4",
    ]


def settings_seen_from_the_editor(qtbot: QtBot, win: MainWindow) -> SettingsDialog:
    """Click "Enter API key…": Settings open with the cursor in the key field; what the
    dialog showed is returned once it is closed."""
    seen: list[SettingsDialog] = []
    deadline = time.monotonic() + 20  # never left open: a dialog nobody closes hangs the run

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, SettingsDialog) and (
            dialog.focusWidget() is dialog.key or time.monotonic() > deadline
        ):
            seen.append(dialog)
            dialog.reject()
        elif dialog is not None and time.monotonic() > deadline:
            dialog.reject()
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)
    qtbot.mouseClick(win.editor.enter_key, Qt.MouseButton.LeftButton)
    assert seen, "Settings did not open"
    assert seen[0].focusWidget() is seen[0].key  # seen with the cursor in the key field
    return seen[0]


def test_with_no_key_the_library_works_and_renders_wait(
    qtbot: QtBot, qloop: qasync.QEventLoop, window_on: Open, tmp_path: Path
) -> None:
    ids = a_library(qloop, window_on)
    assert secrets.lookup("openai") is None
    win, services = window_on(Settings(provider="openai"))
    editor = win.editor
    assert editor.offline_row.isVisible()
    assert "No API key for openai" in editor.offline.text()
    assert win.health.text().endswith("no API key")
    qloop.run_until_complete(until(lambda: editor.model_box.count() > 0, 10))
    models = [editor.model_box.itemData(i) for i in range(editor.model_box.count())]
    assert "sora-2" in models  # what the provider kind is known to serve

    dialog = settings_seen_from_the_editor(qtbot, win)
    assert dialog.at_key  # it was seen with the cursor in the key field
    assert dialog.daily_cap.value() == pytest.approx(30.0)  # stored values shown regardless

    editor.model_box.setCurrentIndex(editor.model_box.findData("sim-fast"))
    editor.set_slots(PromptSlots(subject="a kite", action="climbs over dunes"))
    editor.request_submit()
    store = services.store
    qloop.run_until_complete(until(lambda: len(store.jobs.ids()) == 3, 10))
    (queued,) = [j for j in store.jobs.many(store.jobs.ids()) if j.id not in ids]
    qloop.run_until_complete(asyncio.sleep(0.5))  # the engine has had its chances to send
    assert store.jobs.get(queued.id).status is JobStatus.QUEUED  # waits; never failed
    assert services.engine.paused
    assert "No API key" in services.engine.pause_reason

    works_without_the_provider(qtbot, qloop, win, services, ids, tmp_path / "out")


def test_with_the_provider_down_the_library_works_and_renders_wait(
    qtbot: QtBot, qloop: qasync.QEventLoop, window_on: Open, tmp_path: Path, refusing_port: int
) -> None:
    ids = a_library(qloop, window_on)
    secrets.store("openai", "sk-test-not-sent-anywhere")
    down = ConnectionSettings(base_url=f"http://127.0.0.1:{refusing_port}/v1")
    win, services = window_on(Settings(provider="openai", connections={"openai": down}))
    editor = win.editor
    assert not editor.offline_row.isVisible()  # a key is stored: the provider is just down
    qloop.run_until_complete(until(lambda: editor.model_box.count() > 0, 10))  # provisional
    editor.model_box.setCurrentIndex(editor.model_box.findData("sim-fast"))
    editor.set_slots(PromptSlots(subject="a kite", action="climbs over dunes"))
    editor.request_submit()
    store = services.store
    qloop.run_until_complete(until(lambda: len(store.jobs.ids()) == 3, 10))
    (queued,) = [j for j in store.jobs.many(store.jobs.ids()) if j.id not in ids]

    works_without_the_provider(qtbot, qloop, win, services, ids, tmp_path / "out")
    # meanwhile the engine has tried to send it (retrying a refused connection takes a
    # while): it waits to be sent again, nothing failed
    assert store.jobs.get(queued.id).status in (JobStatus.QUEUED, JobStatus.SUBMITTING)
