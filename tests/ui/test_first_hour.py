"""A reviewer's first hour, scripted: the real main window on the built-in simulator with a
fresh profile. Write a prompt, scroll the editor with the wheel over every picker (nothing
changes), queue a four-variant batch with the defaults, review it — F6 away and back, the
key overlay open and closed — and then press every review key where the keys actually go
(`QApplication.focusWidget()`), checking what each one did."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest
import qasync
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QKeySequence, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractSlider, QAbstractSpinBox, QApplication, QComboBox, QWidget
from pytestqt.qtbot import QtBot

from studio.config.settings import Settings
from studio.services import RunOptions, Services, open_services
from studio.sim.state import SimConfig
from studio.store import JobStatus
from studio.ui.shell.main_window import MainWindow
from tests.jobs.conftest import FAST_POLL


@pytest.fixture
def window(qtbot: QtBot, qloop: qasync.QEventLoop) -> Iterator[tuple[MainWindow, Services]]:
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)
    services = qloop.run_until_complete(
        open_services(
            Settings(),
            RunOptions(sim_config=SimConfig(render_seconds=0.4), poll=FAST_POLL, prescreen=False),
        )
    )
    win.attach(services)
    qloop.run_until_complete(until(lambda: win.editor.model_box.count() > 0, 10))
    yield win, services
    win.stage.stop()
    current = win.detach()
    if current is not None:
        qloop.run_until_complete(current.close())


async def until(check: Callable[[], object], seconds: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not check():
        if loop.time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


def press(key: str) -> QWidget:
    """A key as written in the keymap, sent where the keyboard focus is now."""
    widget = QApplication.focusWidget()
    assert widget is not None, f"no widget has the keyboard focus for {key!r}"
    combo = QKeySequence(key)[0]
    QTest.keyClick(widget, combo.key(), combo.keyboardModifiers())
    return widget


def wheel(widget: QWidget, notches: int = -1) -> None:
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def picker_state(widget: QWidget) -> object:
    if isinstance(widget, QComboBox):
        return widget.currentIndex()
    if isinstance(widget, QAbstractSpinBox):
        return widget.text()
    assert isinstance(widget, QAbstractSlider)
    return widget.value()


def test_a_reviewers_first_hour(
    qtbot: QtBot, qloop: qasync.QEventLoop, window: tuple[MainWindow, Services]
) -> None:
    win, services = window
    editor, store = win.editor, services.store

    async def scenario() -> None:  # Qt events and engine tasks all run inside the loop

        # 1. Write a prompt, as typed.
        QTest.keyClicks(editor.fields["subject"], "a red fox")
        QTest.keyClicks(editor.fields["action"], "trots through fresh snow")
        assert editor.slots().subject == "a red fox"

        # 2. The wheel over every picker scrolls the editor and changes no setting.
        pickers = [
            w
            for w in editor.findChildren(QWidget)
            if isinstance(w, QComboBox | QAbstractSpinBox | QAbstractSlider)
            and not w.inherits("QScrollBar")
        ]
        assert len(pickers) >= 8  # starter, three presets, model, duration, size, variants, …
        before = [picker_state(w) for w in pickers]
        bar = editor.slots_area.verticalScrollBar()
        assert bar.maximum() > 0  # the slots are taller than the panel at 1280x800
        scrolled = 0
        for w in pickers:
            if editor.slots_area.isAncestorOf(w):
                bar.setValue(0)
                wheel(w)
                scrolled += bar.value() > 0
            else:
                wheel(w)
        assert [picker_state(w) for w in pickers] == before
        assert scrolled == sum(editor.slots_area.isAncestorOf(w) for w in pickers)
        render_pickers = [editor.model_box, editor.seconds_box, editor.size_box]
        assert all(not editor.slots_area.isAncestorOf(w) for w in render_pickers)
        assert editor.submit.isVisible()  # the Render group and Queue stay in view

        # 3. A four-variant batch with the defaults: all four become ready.
        editor.variant_slot.setCurrentIndex(editor.variant_slot.findData("camera"))
        editor.variant_values.setPlainText(
            "slow push\noverhead top-down\nlow tracking\nstatic wide"
        )
        editor.refresh()
        assert editor.submit.text().startswith("Queue 4 variants")
        qtbot.mouseClick(editor.submit, Qt.MouseButton.LeftButton)

        def jobs() -> list[int]:
            return store.jobs.ids()

        await until(lambda: len(jobs()) == 4, 10)
        await until(lambda: all(j.status is JobStatus.READY for j in store.jobs.many(jobs())), 60)
        assert "Queued #1–#4." in editor.status.text()
        model = win.queue.view.model()
        labels = {model.index(r, 4).data() for r in range(model.rowCount())}
        assert (
            "Camera: overhead top-down · a red fox trots through fresh snow. Overhead top-down."
            in (labels)
        )

        # 4. Open the review by double-clicking the first take in the queue.
        view = win.queue.view
        row = next(r for r in range(model.rowCount()) if model.index(r, 0).data().startswith("#1"))
        rect = view.visualRect(model.index(row, 4))
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        review = win.review
        session = review.session
        assert session is not None
        assert win.reviewing
        await until(lambda: review.player.deck.ready, 10)
        assert "#1 · 1 of 4" in review.info.text()
        assert review.takes.data(review.takes.index(0)).startswith("#1 · 1 of 4\nCamera: slow push")

        # 5. F6 away and back, the key overlay open and closed: the keys still land.
        press("F6")
        assert not win.reviewing
        assert QApplication.focusWidget() is view  # back where it was before reviewing
        press("F6")
        assert win.reviewing
        press("?")
        overlay = review.keys_overlay
        assert overlay is not None
        await until(lambda: QApplication.activeWindow() is overlay, 2)
        QTest.keyClick(QApplication.focusWidget() or overlay, Qt.Key.Key_Escape)
        await until(lambda: QApplication.activeWindow() is win, 2)

        # 6. Every review key, sent to the focus widget.
        first = session.take.job_id
        for key, criterion in (("W", 1), ("R", 2), ("Q", 0), ("Down", 1), ("Up", 0)):
            press(key)
            assert session.criterion == criterion, key
        for key, criterion_id, value in (
            ("2", "motion", 2),
            ("1", "framing", 1),
            ("0", "brand", 0),
        ):
            press(key)
            assert store.verdicts.scores(first)[criterion_id] == value, key
        press("A")  # 3/6 with brand at 0: approving asks why
        assert review.note.hasFocus()
        assert "does not pass (3/6, Brand alignment at 0)" in review.status.text()
        QTest.keyClicks(review.note, "client picked this one")
        QTest.keyClick(review.note, Qt.Key.Key_Return)
        approved = store.verdicts.current([first])[first]
        assert (approved.decision, approved.note) == ("approve", "client picked this one")
        assert session.take.job_id != first  # auto-advanced
        second = session.take.job_id
        press("S")
        assert session.take.starred
        for key in ("B", "B"):
            blind = session.blind
            press(key)
            assert session.blind is not blind
        for key in ("Shift+A", "Shift+A"):
            auto = session.auto_advance
            press(key)
            assert session.auto_advance is not auto
        for key, delta in (("Right", 1), ("Left", -1), ("N", 1), ("P", -1)):
            index = session.index
            press(key)
            assert session.index == index + delta, key
        assert session.take.job_id == second
        press("D")
        assert store.verdicts.current([second])[second].decision == "discard"
        press("U")
        assert [h.decision for h in store.verdicts.history(second)] == ["discard", "undo"]
        assert session.take.job_id == second
        press("Shift+D")
        assert review.note.hasFocus()
        QTest.keyClicks(review.note, "a real person's face")
        QTest.keyClick(review.note, Qt.Key.Key_Return)
        escalated = store.verdicts.current([second])[second]
        assert (escalated.decision, escalated.escalate) == ("discard", True)

        player = review.player
        await until(lambda: player.deck.ready, 10)
        press("End")
        await until(lambda: player.shown_frame() == player.frames - 1, 5)
        press("Home")
        await until(lambda: player.shown_frame() == 0, 5)
        press(".")
        await until(lambda: player.shown_frame() == 1, 5)
        press(".")
        await until(lambda: player.shown_frame() == 2, 5)
        press(",")
        await until(lambda: player.shown_frame() == 1, 5)
        press("I")
        assert player.loop_range is not None
        assert player.loop_range[0] == 1
        press("End")
        await until(lambda: player.shown_frame() == player.frames - 1, 5)
        press("O")
        assert player.loop_range == (1, player.frames - 1)
        looping = player.looping
        press("Ctrl+L")
        assert player.looping is not looping
        speed = player.speed.currentIndex()
        press("]")
        assert player.speed.currentIndex() == speed + 1
        press("[")
        assert player.speed.currentIndex() == speed
        muted = player.mute.isChecked()
        press("M")
        assert player.mute.isChecked() is not muted
        press("Space")
        await until(player.is_playing, 5)
        press("K")
        await until(lambda: not player.is_playing(), 5)
        press("L")
        await until(player.is_playing, 5)
        press("K")
        press("J")
        assert player._reverse.isActive()
        press("K")
        assert not player._reverse.isActive()

        for key, button in (("Z", player.zoom_button), ("G", player.guides_button)):
            before = button.isChecked()
            press(key)
            assert button.isChecked() is not before, key
        press("F11")  # the picture on the whole screen, the keys still work
        assert win.isFullScreen()
        assert not win.menuBar().isVisible()
        assert not review.list.isVisible()
        index = session.index
        press("Right")
        assert session.index == index + 1
        press("Left")
        press("Esc")
        assert not win.isFullScreen()
        assert win.menuBar().isVisible()
        assert win.reviewing

        press("C")  # compare with the previous take, flip, and back
        assert win.stage.currentWidget() is win.compare
        flipped = win.compare.b_on_top
        press("F")
        assert win.compare.b_on_top is not flipped
        press("Esc")
        assert win.stage.currentWidget() is review
        press("T")
        assert win.stage.currentWidget() is win.lineage
        press("Esc")
        assert win.stage.currentWidget() is review

        # Edit: the editor gets the take; F6 back to the review and the keys work at once.
        edited = session.take.job_id
        press("E")
        assert not win.reviewing
        assert editor.parent_job == edited
        press("F6")
        assert win.reviewing
        press("Q")
        press("2")
        assert store.verdicts.scores(session.take.job_id)["motion"] == 2

    qloop.run_until_complete(scenario())
