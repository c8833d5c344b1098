"""What a new reviewer hits on day one, one fix each: work kept across restarts, the last
layout reopened only when it has something to show, keys back after dialogs, the wheel,
the reference panel, the checks box, the variant values, and what queuing says."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import qasync
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QScrollArea, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from studio.config.settings import ConnectionSettings, Settings
from studio.prompts import Linter, PromptSlots, load_presets
from studio.prompts.draft import Draft
from studio.services import RunOptions, Services, open_services
from studio.sim.state import SimConfig
from studio.store import FailureClass, JobStatus
from studio.ui.shell.main_window import MainWindow
from studio.ui.shell.settings_dialog import SettingsDialog
from studio.ui.shell.wheel import install as install_wheel_guard
from studio.ui.write.editor import PromptEditor
from tests.jobs.conftest import FAST_POLL

Opened = tuple[MainWindow, Services]


async def until(check: Callable[[], object], seconds: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not check():
        if loop.time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


@pytest.fixture
def open_window(qtbot: QtBot, qloop: qasync.QEventLoop) -> Iterator[Callable[[], Opened]]:
    """Open a window on the simulator (again and again: a restart on the same profile)."""
    opened: list[Opened] = []

    def open_one() -> Opened:
        win = MainWindow()
        qtbot.addWidget(win)
        win.resize(1280, 800)
        win.show()
        services = qloop.run_until_complete(
            open_services(
                Settings(),
                RunOptions(
                    sim_config=SimConfig(render_seconds=0.3), poll=FAST_POLL, prescreen=False
                ),
            )
        )
        win.attach(services)
        qloop.run_until_complete(until(lambda: win.editor.model_box.count() > 0, 10))
        opened.append((win, services))
        return win, services

    yield open_one
    for win, _ in opened:
        closing = win.detach()
        if closing is not None:
            qloop.run_until_complete(closing.close())


def close(qloop: qasync.QEventLoop, win: MainWindow) -> None:
    win.close()  # writes the layout and the draft, as quitting does
    services = win.detach()
    if services is not None:
        qloop.run_until_complete(services.close())


def picture(path: Path, size: tuple[int, int]) -> Path:
    Image.new("RGB", size, (200, 90, 30)).save(path)
    return path


def test_the_unsent_prompt_survives_a_restart(
    qloop: qasync.QEventLoop, open_window: Callable[[], Opened], tmp_path: Path
) -> None:
    win, _ = open_window()
    editor = win.editor
    editor.set_slots(PromptSlots(subject="a heron", action="lands on a post"))
    editor.size_box.setCurrentIndex(editor.size_box.findData("1280x720"))
    editor.seconds_box.setCurrentIndex(editor.seconds_box.findData(8))
    editor.variant_slot.setCurrentIndex(editor.variant_slot.findData("lighting"))
    editor.variant_values.setPlainText("dawn\ndusk")
    editor.variant_slot.setCurrentIndex(editor.variant_slot.findData("camera"))
    editor.variant_values.setPlainText("slow push\nstatic")
    image = picture(tmp_path / "heron reference.png", (1600, 900))
    qloop.run_until_complete(editor.reference.load(image))
    close(qloop, win)
    image.unlink()  # the draft keeps its own copy

    again, _ = open_window()
    editor = again.editor
    qloop.run_until_complete(until(lambda: editor.reference.fitted is not None, 10))
    assert editor.slots().subject == "a heron"
    assert editor.slots().action == "lands on a post"
    assert (editor.size_box.currentData(), editor.seconds_box.currentData()) == ("1280x720", 8)
    assert editor.variant_slot.currentData() == "camera"
    assert editor.variant_values.toPlainText() == "slow push\nstatic"
    editor.variant_slot.setCurrentIndex(editor.variant_slot.findData("lighting"))
    assert editor.variant_values.toPlainText() == "dawn\ndusk"  # each slot kept its own
    assert editor.reference.source_name == "heron reference.png"


def test_typing_before_the_draft_image_loads_keeps_both(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened], tmp_path: Path
) -> None:
    """At start-up the editor takes keys before the event loop runs, so before the draft's
    reference image can load: quitting then must keep the image and the new text."""
    win, _ = open_window()
    qloop.run_until_complete(win.editor.reference.load(picture(tmp_path / "owl.png", (1280, 720))))
    close(qloop, win)

    early = MainWindow(staged=True)  # as ui/shell/app.py starts: the editor only, no loop yet
    qtbot.addWidget(early)
    early.show()
    early.build_editor()
    assert early.editor.reference.source is None  # the image waits for the loop
    qtbot.keyClicks(early.editor.fields["subject"], "an owl")
    early.close()

    again, _ = open_window()
    qloop.run_until_complete(until(lambda: again.editor.reference.fitted is not None, 10))
    assert again.editor.slots().subject == "an owl"
    assert again.editor.reference.source_name == "owl.png"


def test_typing_after_a_restart_continues_the_draft(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    """The restored draft's cursor is at the end of its text, so typing goes on from there."""
    win, _ = open_window()
    qtbot.keyClicks(win.editor.fields["subject"], "a red fox")
    close(qloop, win)
    again, _ = open_window()
    qtbot.keyClicks(again.editor.fields["subject"], " at dusk")
    assert again.editor.slots().subject == "a red fox at dusk"


def test_restart_reopens_the_review_only_when_it_has_takes(
    qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, _ = open_window()
    win.set_review_layout(True)  # reviewing, but nothing opened
    close(qloop, win)
    again, _ = open_window()
    again.restore_review()
    assert not again.reviewing  # an empty review would be a dead end: writing instead
    assert again.editor.isVisible()
    assert again.queue.isVisible()

    async def render() -> list[int]:
        queued = await again.services.engine.submit_batch(  # type: ignore[union-attr]
            [again.editor._base_spec(PromptSlots(subject="a kite", action="climbs"))],  # type: ignore[list-item]
            name="kite",
        )
        ids = [j.id for j in queued.jobs]
        store = again.services.store  # type: ignore[union-attr]
        await until(lambda: all(j.status is JobStatus.READY for j in store.jobs.many(ids)))
        return ids

    ids = qloop.run_until_complete(render())
    again.open_job(ids[0])
    assert again.reviewing
    close(qloop, again)
    third, _ = open_window()
    third.restore_review()
    assert third.reviewing
    assert third.review.session is not None
    assert [t.job_id for t in third.review.session.takes] == ids

    # Left while writing: the next run opens on Write, and Review (Ctrl+2) brings the last
    # pass back — it showed an empty stage whose only hint named the queue it had hidden.
    third.show_workspace("write")
    close(qloop, third)
    fourth, _ = open_window()
    fourth.restore_review()
    assert fourth.workspace.name == "write"
    fourth.show_workspace("library")  # another workspace first: the pass is kept meanwhile
    fourth.show_workspace("review")
    assert fourth.review.session is not None
    assert [t.job_id for t in fourth.review.session.takes] == ids


def test_the_keys_come_back_after_a_dialog(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, _ = open_window()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)
    win.set_review_layout(True)
    assert win.review.hasFocus()
    dialog = QDialog(win)
    QTimer.singleShot(50, dialog.reject)
    win._modal(dialog)  # a dialog takes the focus while it is open
    # The window's own focus widget: where the keys go once the window manager gives the
    # window back its activation (the offscreen platform does not).
    assert win.focusWidget() is win.review
    win.set_review_layout(False)
    win.editor.fields["setting"].setFocus()
    win.set_review_layout(True)
    win.set_review_layout(False)
    assert win.focusWidget() is win.editor.fields["setting"]  # writing: where it was
    other = QDialog(win)
    QTimer.singleShot(50, other.reject)
    win._modal(other)
    assert win.focusWidget() is win.editor.fields["setting"]

    def in_front() -> str:
        bottom = (win.queue_dock, win.templates_dock)
        return next(d.objectName() for d in bottom if not d.visibleRegion().isEmpty())

    win.templates_dock.raise_()
    qtbot.waitUntil(lambda: in_front() == "templatesDock", timeout=3000)
    win.set_review_layout(True)
    win.set_review_layout(False)  # F6 twice: the tab that was in front, not the queue
    qtbot.waitUntil(lambda: in_front() == "templatesDock", timeout=3000)


def test_the_wheel_scrolls_and_leaves_unfocused_controls_alone(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_wheel_guard(app)
    area = QScrollArea()
    qtbot.addWidget(area)
    body = QWidget()
    column = QVBoxLayout(body)
    boxes = []
    for _ in range(12):
        box = QComboBox()
        box.addItems(["one", "two", "three"])
        column.addWidget(box)
        boxes.append(box)
    body.setMinimumHeight(1200)
    area.setWidget(body)
    area.resize(300, 200)
    area.show()
    target = boxes[2]

    def turn() -> None:
        centre = QPointF(target.rect().center())
        QApplication.sendEvent(
            target,
            QWheelEvent(
                centre,
                QPointF(target.mapToGlobal(centre.toPoint())),
                QPoint(),
                QPoint(0, -120),
                Qt.MouseButton.NoButton,
                Qt.KeyboardModifier.NoModifier,
                Qt.ScrollPhase.NoScrollPhase,
                False,
            ),
        )

    turn()
    assert target.currentIndex() == 0
    assert area.verticalScrollBar().value() > 0
    assert target.focusPolicy() == Qt.FocusPolicy.StrongFocus  # a turn does not focus it
    target.setFocus()
    qtbot.waitUntil(target.hasFocus, timeout=2000)
    turn()
    assert target.currentIndex() == 1  # chosen on purpose: the wheel works on it


def test_the_reference_panel_names_the_file_shows_the_crop_and_warns_of_upscaling(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    editor = PromptEditor(load_presets(), Linter())
    qtbot.addWidget(editor)
    editor.resize(460, 900)
    editor.show()
    box = editor.reference
    box.set_output_size((1280, 720))
    long_name = "campaign-" + "x" * 64 + ".png"
    qloop.run_until_complete(box.load(picture(tmp_path / long_name, (2000, 2000))))
    assert box.name.toolTip() == long_name
    assert "…" in box.name.text()  # elided, not pushing the fields out
    assert editor.width() == 460
    crop = box.preview.box()
    assert crop is not None  # drawn over the original
    assert crop.width() == pytest.approx(crop.height() * 16 / 9, rel=0.02)
    assert "upscaled" not in box.info.text()
    qloop.run_until_complete(box.load(picture(tmp_path / "small.png", (800, 600))))
    assert "upscaled" in box.info.text()
    fit = box.fit()
    assert fit is not None
    assert (fit.name, fit.mode, fit.source_size) == ("small.png", "crop", (800, 600))


def test_checks_show_whole_and_a_click_goes_to_the_slot(qtbot: QtBot) -> None:
    editor = PromptEditor(load_presets(), Linter())
    qtbot.addWidget(editor)
    editor.resize(460, 700)
    editor.show()
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor, timeout=3000)
    editor.set_slots(
        PromptSlots(
            subject="something cool",
            action="jumps, spins and waves then cut to a beach",
            constraints="no logos, Nike shoes in view",
        )
    )
    checks = editor.lint_list
    assert checks.count() >= 3
    assert checks.verticalScrollBar().maximum() == 0  # every check is in view, none hidden
    row = next(i for i in range(checks.count()) if checks.item(i).text().startswith("Constraints:"))
    checks.itemClicked.emit(checks.item(row))
    assert editor.fields["constraints"].hasFocus()


def test_queuing_a_finished_prompt_says_so_and_offers_another_take(
    qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, services = open_window()
    editor = win.editor
    editor.set_slots(PromptSlots(subject="a lighthouse", action="blinks at dusk"))

    async def scenario() -> None:
        editor.request_submit()
        await until(lambda: len(services.store.jobs.ids()) == 1, 10)
        first = services.store.jobs.ids()[0]
        await until(lambda: services.store.jobs.get(first).status is JobStatus.READY)  # type: ignore[union-attr]
        editor.request_submit()  # the same prompt and settings again
        await until(lambda: "already has" in editor.status.text(), 10)
        assert editor.status.text() == f"#{first} already has this prompt and settings."
        assert editor.again.isVisible()
        assert services.store.jobs.ids() == [first]
        editor.project.setEditText("harbour")  # another project: the offer no longer holds
        await until(lambda: not editor.again.isVisible(), 5)
        editor.project.setEditText("default")
        editor.request_submit()
        await until(lambda: editor.again.isVisible(), 10)
        editor.again.click()
        await until(lambda: len(services.store.jobs.ids()) == 2, 10)
        assert editor.status.text() == f"Queued #{services.store.jobs.ids()[0]}."
        assert not editor.again.isVisible()

    qloop.run_until_complete(scenario())


def test_retrying_a_refused_request_opens_it_to_fix(
    qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, services = open_window()
    store = services.store
    with store.db.write() as tx:
        job_id = store.jobs.insert(
            tx,
            {
                "provider": "sim",
                "model": "sim-fast",
                "prompt": "a crane takes off",
                "spec_json": '{"model": "sim-fast", "prompt": "a crane takes off", "seconds": 8,'
                ' "size": "1280x720", "slots": {"subject": "a crane", "action": "takes off"}}',
                "idem_key": "refused",
                "status": JobStatus.FAILED.value,
                "failure_class": FailureClass.REQUEST.value,
                "failure_message": "The model does not allow 8 s.",
            },
            at=1.0,
        )
    win.queue.model.reload()  # type: ignore[union-attr]
    win.queue.view.selectRow(0)
    qloop.run_until_complete(win.queue_actions.retry())
    editor = win.editor
    assert editor.slots().subject == "a crane"
    assert (editor.size_box.currentData(), editor.seconds_box.currentData()) == ("1280x720", 8)
    assert "The model does not allow 8 s." in editor.status.text()
    assert store.jobs.ids() == [job_id]  # nothing was resent


def test_a_saved_model_the_provider_does_not_serve_falls_back_with_a_note(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, services = open_window()
    editor = win.editor
    editor.apply_draft(Draft(slots={"subject": "a fox"}, model="sora-2", seconds=8), None)
    editor.set_profiles(qloop.run_until_complete(services.engine.models()))
    assert editor.model_box.currentData() == "sim-fast"
    assert "sora-2 is not offered by this provider; using Simulator (fast)" in (
        editor.status.text()
    )
    assert [editor.model_box.itemData(i) for i in range(editor.model_box.count())] == [
        "sim-fast",
        "sim-pro",
    ]


def test_saving_settings_reconnects_only_when_the_connection_changed(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    """Every save used to reconnect, cancelling submits in flight."""
    win, services = open_window()
    engine = services.engine
    limits = dataclasses.replace(
        services.settings,
        connections={"sim": ConnectionSettings(rpm=20, max_concurrent=3)},
        daily_cap=7.0,
        reviewer="Ana",
    )

    def save_with(settings: Settings) -> None:
        def accept() -> None:
            dialog = QApplication.activeModalWidget()
            assert isinstance(dialog, SettingsDialog)
            dialog.original = settings
            dialog._connections = dict(settings.connections)
            dialog.daily_cap.setValue(settings.daily_cap or 0)
            dialog.reviewer.setText(settings.reviewer)
            dialog._show_connection(settings.provider)
            dialog.save()

        QTimer.singleShot(100, accept)
        win.open_settings()

    save_with(limits)
    assert win.services is services  # applied in place
    assert engine.config.max_concurrent == 3
    assert services.store.budgets.cap("daily", "*") == 7.0
    assert "$7.00 left today" in win.editor.cost.text()  # the editor's cost line follows
    services.store.budgets.set_cap("project", "launch", 0.0)
    win.editor.project.setEditText("launch")  # the tighter cap, of the project typed
    over = "over the cap: $0.00 left in the launch budget"
    qtbot.waitUntil(lambda: over in win.editor.cost.text(), timeout=3000)
    win.editor.project.setEditText("default")
    qtbot.waitUntil(lambda: "$7.00 left today" in win.editor.cost.text(), timeout=3000)
    assert win.stage.reviewer == "Ana"
    save_with(dataclasses.replace(limits, daily_cap=None))
    assert services.store.budgets.cap("daily", "*") is None  # clearing the cap clears it
    assert "no daily cap" in win.editor.cost.text()


def test_the_cap_shown_in_settings_is_the_librarys(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    """Caps lived in settings.json and the database, which disagreed: one set by `studio
    batch --daily-cap` did not show in Settings, and clearing it there did not clear it."""
    win, services = open_window()
    services.store.budgets.set_cap("daily", "*", 12.0)  # as `studio batch --daily-cap 12`
    shown: list[float] = []

    def clear() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SettingsDialog)
        shown.append(dialog.daily_cap.value())
        dialog.daily_cap.setValue(0)  # "no cap"
        dialog.save()

    QTimer.singleShot(100, clear)
    win.open_settings()
    assert shown == [12.0]
    assert services.store.budgets.cap("daily", "*") is None
    assert "of $" not in win.status.spend.text()  # the status bar no longer shows a cap
    close(qloop, win)
    _again, reopened = open_window()
    assert reopened.store.budgets.cap("daily", "*") is None  # and it stays cleared


def test_a_library_rendered_by_another_process_opens_for_review_only(
    qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    from studio.core import paths
    from studio.store.lock import LibraryLock

    held = LibraryLock(paths.data_dir() / "studio.db")
    assert held.try_acquire() is None  # as `studio batch` would hold it
    win, services = open_window()
    assert "in use by process" in win._notice.text.text()
    assert "review only" in win.health.text()
    win.editor.set_slots(PromptSlots(subject="a heron", action="lands"))

    async def scenario() -> None:
        win.editor.request_submit()
        await until(lambda: "Your prompt is kept" in win.editor.status.text(), 10)
        assert services.store.jobs.ids() == []  # nothing queued behind the batch's back
        held.release()
        await until(lambda: not services.busy, 10)
        await until(lambda: "free again" in win.statusBar().currentMessage(), 5)
        win.editor.request_submit()
        await until(lambda: len(services.store.jobs.ids()) == 1, 10)

    qloop.run_until_complete(scenario())


def test_a_library_that_cannot_be_written_shows_a_banner_until_there_is_room(
    qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    from studio.jobs.events import QueueState

    win, _ = open_window()
    reason = "The library database /x/studio.db could not be written: the disk is full."
    win.status.on_event(QueueState(True, reason, storage=True))
    assert win._notice.isVisible()
    assert win._notice.text.text().startswith(reason)
    assert "carries on by itself when there is room" in win._notice.text.text()
    assert "cannot be written" in win.status.paused.text()
    win.status.on_event(QueueState(False, ""))
    assert not win._notice.isVisible()
    assert win.status.paused.text() == ""


def test_a_budget_alert_is_shown_without_a_dialog(
    qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    from studio.jobs.events import BudgetThreshold

    win, _ = open_window()
    win.status.on_event(BudgetThreshold("daily", "2026-11-24", 80, 16.0, 20.0))
    assert win._notice.isVisible()
    assert win._notice.text.text() == "Today's budget is 80 % used: $16.00 of $20.00."
    assert QApplication.activeModalWidget() is None


def test_the_project_typed_in_the_editor_goes_with_every_job(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    """Every job used to be queued under "default"."""
    win, services = open_window()
    win.editor.set_slots(PromptSlots(subject="a heron", action="lands on a jetty"))
    win.editor.project.setEditText("launch")
    win.editor.request_submit()
    qloop.run_until_complete(until(lambda: services.store.jobs.count_by_status(), 10))
    (job,) = services.store.jobs.with_status(*JobStatus)
    assert job.project == "launch"
    close(qloop, win)
    again, reopened = open_window()
    assert again.editor.project.currentText() == "launch"  # kept with the draft
    assert again.editor.project.itemText(0) == "launch"  # and offered as a recent project
    assert reopened.store.jobs.recent_projects() == ["launch"]
