"""The machine pre-screen's flags in the window: a clip with a black second, imported, is
screened in the worker; its take then shows the flag as a badge in the queue, the Library's
grid (painted on the tile) and the review's take list, as a mark on the scrub bar over the
black frames, and Alt+Right / Alt+Left jump there, the status line saying which flag and
what was measured. The Library's facet for it is titled "Pre-screen"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from studio.config.settings import Settings
from studio.core.flags import CHECKS
from studio.services import RunOptions, open_services
from studio.sim.state import SimConfig
from studio.ui.library.library_model import FlagsRole, JobIdRole
from studio.ui.player.flags import COLOURS
from studio.ui.review.flag_marks import KIND
from studio.ui.shell.main_window import MainWindow
from studio.ui.write.queue_model import STATUS
from tests.jobs.conftest import FAST_POLL
from tests.media import clips
from tests.ui.test_day_one import Opened, until

BLACK = (24, 47)  # the frames of the clip's second second, at 24 fps


def test_every_check_has_its_colour() -> None:
    assert set(COLOURS) == set(CHECKS)


@pytest.fixture
def screening_window(qtbot: QtBot, qloop: qasync.QEventLoop) -> Iterator[Opened]:
    """The window on the simulator, with its pre-screen worker (as the app runs it)."""
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    options = RunOptions(sim_config=SimConfig(render_seconds=0.3), poll=FAST_POLL)
    services = qloop.run_until_complete(open_services(Settings(), options))
    win.attach(services)
    qloop.run_until_complete(until(lambda: win.editor.model_box.count() > 0, 10))
    yield win, services
    closing = win.detach()
    if closing is not None:
        qloop.run_until_complete(closing.close())


def test_a_black_second_shows_in_the_queue_grid_list_and_scrub_bar_and_is_jumped_to(
    qtbot: QtBot, qloop: qasync.QEventLoop, screening_window: Opened, tmp_path: Path
) -> None:
    win, services = screening_window
    assert services.prescreener is not None  # the window started it
    store = services.store
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    clips.write_clip(incoming / "dunes.mp4", seconds=4.0, defect=clips.black(1.0, 2.0))
    win.library.import_folder(str(incoming))  # as File › Import does, after the folder

    def screened() -> int | None:
        ids = store.jobs.ids(None)
        return ids[0] if ids and store.flags.screening(ids[0]) is not None else None

    qloop.run_until_complete(until(lambda: screened() is not None, 90))  # in the worker
    take = screened()
    assert take is not None
    screening = store.flags.screening(take)
    assert screening is not None
    (black,) = screening.flags  # the one defect, where it was made
    assert (black.check, black.first_frame, black.last_frame) == ("black", *BLACK)

    # the queue: the take's row (it arrived with the import) says what was flagged
    queue = win.queue.view.model()

    def status() -> str:
        rows = [r for r in range(queue.rowCount()) if queue.job_id(r) == take]
        return str(queue.index(rows[0], STATUS).data()) if rows else ""

    qloop.run_until_complete(until(lambda: "⚑ black" in status(), 10))
    assert status().startswith("ready · ⚑ black")

    # the Library's grid: the tile carries the badge, painted in the check's colour
    win.show_workspace("library")
    panel = win.library.panel
    qloop.run_until_complete(until(lambda: panel.model is not None, 10))
    assert panel.gridded
    panel.query.setText("flag:black")
    panel.run_search()
    assert panel.hits == [take]
    model = panel.grid.model()
    index = model.index(0, 0)
    assert index.data(JobIdRole) == take
    assert "black" in index.data(FlagsRole)
    rect = panel.grid.visualRect(index)
    image = panel.grid.viewport().grab(rect).toImage()
    colour = QColor(COLOURS["black"]).rgb()
    painted = sum(
        image.pixel(x, y) == colour for x in range(image.width()) for y in range(image.height())
    )
    assert painted > 50  # the badge's fill
    titles = [panel.facets.topLevelItem(i).text(0) for i in range(panel.facets.topLevelItemCount())]
    assert "Pre-screen" in titles

    # the review: the take list's line, the scrub bar's mark over the black frames
    win.review_takes([take])
    review, player = win.review, win.review.player
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5000)
    qloop.run_until_complete(until(lambda: player.frames > 0, 20))
    line = str(review.takes.index(0).data(Qt.ItemDataRole.DisplayRole))
    assert "⚑ black" in line.splitlines()[-1]
    marks = player.slider.marks[KIND]
    assert (marks[0].frame, marks[0].end, marks[0].colour) == (*BLACK, COLOURS["black"])
    assert player.slider.mark_rects()

    # Alt+Right from the start: to the flag, the status line saying which and what it measured
    review.setFocus()
    player.pause()
    player.seek_frame(0)
    qloop.run_until_complete(until(lambda: player.current_frame() == 0, 10))
    qtbot.keyClick(review, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    qloop.run_until_complete(until(lambda: player.current_frame() == BLACK[0], 10))
    said = review.status.text()
    assert said.startswith("Flag 1 of 1: black · 00:00:01:00–00:00:02:00 (frames 24–47)")
    assert said.endswith(black.detail)  # the measurement against its threshold
    qtbot.keyClick(review, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert review.status.text() == "No later flag."
    assert player.current_frame() == BLACK[0]
    # Alt+Left from past it: back to its first frame
    player.seek_frame(80)
    qloop.run_until_complete(until(lambda: player.current_frame() == 80, 10))
    qtbot.keyClick(review, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    qloop.run_until_complete(until(lambda: player.current_frame() == BLACK[0], 10))
    assert review.status.text() == said
