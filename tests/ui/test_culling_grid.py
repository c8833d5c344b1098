"""The Library workspace's culling grid: tiles keep each clip's aspect, carry badges, scrub
on hover, and a selection is decided, starred, tagged and opened in Review by keys alone;
enough tiles show at the sizes people work at."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import qasync
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QMouseEvent, QPainter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from studio.core.spec import RenderSpec
from studio.store import JobRow
from studio.ui.library.library_model import TileRole
from studio.ui.library.library_panel import GRID, LibraryPanel
from studio.ui.shell.main_window import MainWindow
from tests.ui.test_day_one import Opened, until


def render_sizes(qloop: qasync.QEventLoop, services: object, sizes: list[str]) -> list[JobRow]:
    engine = services.engine  # type: ignore[attr-defined]

    async def go() -> list[JobRow]:
        specs = [
            RenderSpec(model="sim-fast", prompt=f"a heron, take {n}", seconds=4, size=size)
            for n, size in enumerate(sizes)
        ]
        queued = await engine.submit_batch(specs, name="herons", project="birds")
        return await asyncio.wait_for(engine.wait_finished([j.id for j in queued.jobs]), 60)

    return qloop.run_until_complete(go())


def culling(
    qtbot: QtBot, qloop: qasync.QEventLoop, win: MainWindow, batch: int | None
) -> LibraryPanel:
    """Ctrl+3: the Library workspace, in the grid, keys in the grid."""
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5000)
    qtbot.keyClick(win, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    panel = win.library.panel
    qloop.run_until_complete(until(lambda: panel.model is not None, 10))
    assert win.workspace.name == "library"
    assert panel.gridded  # the grid is what the Library opens with
    panel.query.setFocus()
    qtbot.keyClicks(panel.query, f"project:birds batch:{batch}")  # a batch: a tile a take
    qtbot.keyClick(panel.query, Qt.Key.Key_Return)  # Enter: the keys go to the tiles found
    qtbot.waitUntil(lambda: panel.grid.hasFocus(), timeout=3000)
    return panel


def test_a_range_is_approved_starred_tagged_and_opened_by_keys_alone(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, services = open_window()
    takes = render_sizes(qloop, services, ["640x360", "640x360", "360x640", "640x360"])
    panel = culling(qtbot, qloop, win, takes[0].batch_id)
    assert panel.count.text() == "4 takes"
    win.library.ask_reason = lambda question: "client picked these"  # unscored: a reason
    grid = panel.grid

    def key(k: Qt.Key, mod: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        qtbot.keyClick(grid, k, mod)

    key(Qt.Key.Key_Home)
    key(Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    key(Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)  # three tiles: the newest three
    chosen = sorted(panel.selected())
    newest = sorted(t.id for t in takes)[1:]
    assert chosen == newest
    key(Qt.Key.Key_A)
    assert {
        i: d.decision for i, d in services.store.verdicts.current(chosen).items()
    } == dict.fromkeys(chosen, "approve")
    key(Qt.Key.Key_S)
    assert services.store.verdicts.starred() >= set(chosen)
    key(Qt.Key.Key_1)  # the rubric's first defect tag
    first_tag = win.library._tag_choices()[0]
    assert all(services.store.verdicts.tags(i) == [first_tag] for i in chosen)
    # the badges say so: the tiles' data is read again after each change
    qloop.run_until_complete(
        until(lambda: all(_tile(panel, i)[1].decision == "approve" for i in chosen), 10)
    )
    assert all(_tile(panel, i)[1].starred for i in chosen)
    key(Qt.Key.Key_9)  # a tag the rubric does not have: said, nothing changed
    assert "defect tag" in panel.problem.text()
    key(Qt.Key.Key_Return)  # Enter: the selection in Review
    assert win.workspace.name == "review"
    assert win.review.session is not None
    assert sorted(t.job_id for t in win.review.session.takes) == chosen


def _tile(panel: LibraryPanel, job_id: int) -> tuple[JobRow, object]:
    model = panel.grid.model()
    for row in range(model.rowCount()):
        found = model.index(row, 0).data(TileRole)
        if found[0].id == job_id:
            return found  # type: ignore[no-any-return]
    raise AssertionError(f"no tile for #{job_id}")


def test_tiles_keep_the_clip_aspect_and_scrub_on_hover(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, services = open_window()
    wide, tall = render_sizes(qloop, services, ["640x360", "360x640"])
    panel = culling(qtbot, qloop, win, wide.batch_id)
    model = panel.grid.model()
    pictures = {}
    for row in range(model.rowCount()):
        job, _ = model.index(row, 0).data(TileRole)
        pictures[job.id] = model.index(row, 0).data(Qt.ItemDataRole.DecorationRole)
    assert pictures[wide.id].width() > pictures[wide.id].height()
    assert pictures[tall.id].height() > pictures[tall.id].width()  # portrait stays portrait
    # the painted tile: the portrait picture's sides are the box's background, not picture
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data(TileRole)[0] == tall)
    rect = panel.grid.visualRect(model.index(row, 0))
    image = QImage(rect.size(), QImage.Format.Format_RGB32)
    painter = QPainter(image)
    painter.translate(-rect.topLeft())
    panel.grid.render(painter, QPoint(0, 0), rect)
    painter.end()
    box = panel.tiles.box
    side = image.pixelColor(8, 6 + box.height() // 2)  # the box's left edge, mid-height
    centre = image.pixelColor(6 + box.width() // 2, 6 + box.height() // 2)
    assert side.name() == "#101010"  # letterbox: the clip is narrower than the box
    assert centre.name() != "#101010"

    # hovering scrubs: the left of the tile is the first spritesheet tile, the right the last
    first = panel.tiles.scrub_frame(tall.id, 0.0)
    last = panel.tiles.scrub_frame(tall.id, 0.99)
    assert first is not None
    assert last is not None
    assert first.toImage() != last.toImage()
    viewport = panel.grid.viewport()
    at = QPointF(rect.left() + rect.width() * 0.9, rect.center().y())
    move = QMouseEvent(
        QMouseEvent.Type.MouseMove,
        at,
        viewport.mapToGlobal(at),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, move)
    assert panel.tiles.hover is not None
    assert panel.tiles.hover[0] == row
    assert panel.tiles.hover[1] > 0.7


def test_enough_tiles_show_at_1280x800_and_1920x1080(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, services = open_window()
    store = services.store
    now = time.time()
    from tests.helpers import job_values  # a library of finished takes (no clips needed)

    with store.db.write() as tx:
        for n in range(60):
            store.jobs.insert(tx, job_values(n), at=now - n)
    qtbot.keyClick(win, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    panel = win.library.panel
    qloop.run_until_complete(until(lambda: panel.model is not None, 10))
    assert panel.mode.currentIndex() == GRID  # the medium grid

    def whole_tiles() -> int:
        view = panel.grid.viewport().rect()
        model = panel.grid.model()
        return sum(
            view.contains(panel.grid.visualRect(model.index(r, 0))) for r in range(model.rowCount())
        )

    for (w, h), least in (((1280, 800), 12), ((1920, 1080), 24)):
        win.resize(w, h)
        qloop.run_until_complete(until(lambda w=w: win.width() == w, 5))
        panel.run_search()
        qloop.run_until_complete(until(lambda least=least: whole_tiles() >= least, 5))
