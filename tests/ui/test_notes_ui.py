"""Notes on the frame in the review, as a reviewer makes them: Shift+N on a paused frame, a
box dragged on the picture, a line of text, Enter. The note survives a restart, shows as a
mark on the scrub bar and over the picture at its frame, is jumped to by key, goes into the
editor with Edit, and out as an OpenTimelineIO file and a Resolve marker EDL; the frame is
saved as a PNG with and without it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import opentimelineio as otio
import qasync
from PIL import Image
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from studio.core.notes import PALETTE
from studio.core.spec import RenderSpec
from studio.core.timecode import timecode
from studio.store import JobRow
from studio.ui.shell.main_window import MainWindow
from tests.ui.test_day_one import Opened, close, until

FRAME = 30


def one_take(qloop: qasync.QEventLoop, services: object) -> JobRow:
    engine = services.engine  # type: ignore[attr-defined]

    async def go() -> JobRow:
        spec = RenderSpec(model="sim-fast", prompt="a kite over dunes", seconds=4, size="640x360")
        job = await engine.submit(spec, project="kites")
        (done,) = await asyncio.wait_for(engine.wait_finished([job.id]), 60)
        return done  # type: ignore[no-any-return]

    return qloop.run_until_complete(go())


def reviewing(qtbot: QtBot, qloop: qasync.QEventLoop, win: MainWindow, job_id: int) -> None:
    win.review_takes([job_id])
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5000)
    player = win.review.player
    qloop.run_until_complete(until(lambda: player.frames > 0, 20))
    qloop.run_until_complete(until(lambda: player.sketch.picture() is not None, 20))
    win.review.setFocus()


def at_frame(qloop: qasync.QEventLoop, win: MainWindow, frame: int) -> None:
    player = win.review.player
    player.pause()
    player.seek_frame(frame)
    qloop.run_until_complete(until(lambda: player.current_frame() == frame, 10))
    qloop.run_until_complete(until(lambda: player.shown_frame() == frame, 10))  # its picture


def drag_box(
    qtbot: QtBot, win: MainWindow, start: tuple[float, float], end: tuple[float, float]
) -> None:
    """A drag on the picture, from and to fractions of its width and height."""
    view = win.review.player.deck.video
    shown = view.picture_rect()

    def point(at: tuple[float, float]) -> QPoint:
        return QPoint(
            round(shown.x() + at[0] * shown.width()), round(shown.y() + at[1] * shown.height())
        )

    viewport = view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=point(start))
    qtbot.mouseMove(viewport, point(((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)))
    qtbot.mouseMove(viewport, point(end))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=point(end))


def test_a_drawn_note_is_kept_shown_jumped_to_revised_and_exported(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened], tmp_path: Path
) -> None:
    win, services = open_window()
    take = one_take(qloop, services)
    reviewing(qtbot, qloop, win, take.id)
    review, player = win.review, win.review.player
    at_frame(qloop, win, FRAME)

    qtbot.keyClick(review, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)  # a note here
    notes = review.notes
    assert notes.writing == (FRAME, None)
    assert notes.editor.isVisible()
    assert notes.text.hasFocus()
    box_tool = next(b for b in notes.tools.buttons() if b.objectName() == "noteTool_rect")
    qtbot.mouseClick(box_tool, Qt.MouseButton.LeftButton)
    drag_box(qtbot, win, (0.25, 0.25), (0.6, 0.6))
    (drawn,) = player.sketch.draft
    assert drawn.kind == "rect"
    (x0, y0), (x1, y1) = drawn.points[0], drawn.points[-1]
    assert abs(x0 - 160) <= 3
    assert abs(y0 - 90) <= 3
    assert abs(x1 - 384) <= 3
    assert abs(y1 - 216) <= 3
    qtbot.keyClicks(notes.text, "logo flickers")
    qtbot.keyClick(notes.text, Qt.Key.Key_Return)
    (note,) = services.store.notes.for_take(take.id)
    assert (note.frame, note.text) == (FRAME, "logo flickers")
    assert note.author == review.session.reviewer != ""  # type: ignore[union-attr]
    assert [s.kind for s in note.shapes] == ["rect"]
    assert not notes.editor.isVisible()
    assert review.hasFocus()  # the review's keys again

    # a mark on the scrub bar; the drawing over the picture at its frame, not elsewhere
    (mark,) = player.slider.marks["note"]
    assert (mark.frame, mark.end) == (FRAME, None)
    assert player.slider.mark_rects()
    assert [s.kind for s in player.sketch.shown] == ["rect"]
    at_frame(qloop, win, 0)
    assert player.sketch.shown == []

    # jumped to by key, from either side
    qtbot.keyClick(review, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qloop.run_until_complete(until(lambda: player.current_frame() == FRAME, 10))
    at_frame(qloop, win, 60)
    qtbot.keyClick(review, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    qloop.run_until_complete(until(lambda: player.current_frame() == FRAME, 10))

    # the PNG still, with and without the note drawn on it
    plain = win.save_still(with_notes=False, dest=tmp_path / "plain.png")
    marked = win.save_still(with_notes=True, dest=tmp_path / "marked.png")
    assert plain is not None
    assert marked is not None
    with Image.open(plain) as a, Image.open(marked) as b:
        assert a.size == b.size == (640, 360)
        edge = (160, 150)  # on the box's left side
        assert b.getpixel(edge)[:3] == PALETTE["red"]
        assert a.getpixel(edge)[:3] != PALETTE["red"]

    # out to an editor: OTIO (read back) and the Resolve EDL, from the Library's menu
    win.show_workspace("library")
    panel = win.library.panel
    qloop.run_until_complete(until(lambda: panel.model is not None, 10))
    written = win.library.export_notes("otio", tmp_path / "notes.otio")
    assert written == 1
    timeline = otio.adapters.read_from_file(str(tmp_path / "notes.otio"))
    (clip,) = list(timeline.find_clips())
    (marker,) = clip.markers
    assert marker.marked_range.start_time.to_frames() == FRAME
    assert "logo flickers" in (marker.name + str(marker.metadata))
    assert win.library.export_notes("edl", tmp_path / "notes.edl") == 1
    edl = (tmp_path / "notes.edl").read_text()
    assert "|M:logo flickers" in edl
    assert f"01{timecode(FRAME, player.fps)[2:]}" in edl  # record time from 01:00:00:00

    # Edit carries the notes into the editor as what to fix
    win.revise(take.id)
    assert win.workspace.name == "write"
    assert win.editor.to_fix.isVisible()
    assert "logo flickers" in win.editor.to_fix.text()
    assert timecode(FRAME, player.fps) in win.editor.to_fix.text()

    # after a restart: still there, with its mark
    close(qloop, win)
    again, _ = open_window()
    reviewing(qtbot, qloop, again, take.id)
    assert again.review.notes.list.count() == 1
    assert "logo flickers" in again.review.notes.list.item(0).text()
    (mark,) = again.review.player.slider.marks["note"]
    assert mark.frame == FRAME


def test_a_range_note_and_a_note_that_cannot_be_kept(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, services = open_window()
    take = one_take(qloop, services)
    reviewing(qtbot, qloop, win, take.id)
    review, player = win.review, win.review.player
    notes = review.notes

    # an empty note is refused, said, and stays open to be written
    at_frame(qloop, win, 10)
    qtbot.keyClick(review, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(notes.text, Qt.Key.Key_Return)
    assert notes.writing is not None
    assert "empty" in review.status.text().lower() or "text or a drawing" in review.status.text()
    assert services.store.notes.for_take(take.id) == []
    qtbot.keyClick(notes.text, Qt.Key.Key_Escape)  # dropped
    assert notes.writing is None

    # in/out marks: a note on the range
    at_frame(qloop, win, 12)
    qtbot.keyClick(review, Qt.Key.Key_I)
    at_frame(qloop, win, 40)
    qtbot.keyClick(review, Qt.Key.Key_O)
    at_frame(qloop, win, 20)
    qtbot.keyClick(review, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    assert notes.writing == (12, 40)
    qtbot.keyClicks(notes.text, "the tail warps")
    qtbot.keyClick(notes.text, Qt.Key.Key_Return)
    (note,) = services.store.notes.for_take(take.id)
    assert (note.frame, note.end_frame) == (12, 40)
    (mark,) = player.slider.marks["note"]
    assert (mark.frame, mark.end) == (12, 40)


def test_the_notes_editor_is_brought_into_view_on_a_small_screen(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    """At 1280x800 the note's tools (shapes, colours, Keep) lay below the screen's edge:
    the side panel scrolls to them while a note is written, then back to the rubric."""
    win, services = open_window()  # 1280x800
    take = one_take(qloop, services)
    reviewing(qtbot, qloop, win, take.id)
    review, notes = win.review, win.review.notes
    side = review.side
    at_frame(qloop, win, 10)
    qtbot.keyClick(review, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    assert notes.writing is not None

    def in_view() -> bool:
        viewport = side.viewport()
        top_left = notes.editor.mapTo(viewport, QPoint(0, 0))
        return viewport.rect().contains(QRect(top_left, notes.editor.size()))

    qtbot.waitUntil(in_view, timeout=5000)
    qtbot.keyClick(notes.text, Qt.Key.Key_Escape)  # dropped: the rubric is in view again
    assert side.verticalScrollBar().value() == 0
