"""Compare from the Library: the selection's takes side by side in the Review workspace (2 to
9 of them); more than nine, or fewer than two, refused with a message that says so."""

from __future__ import annotations

from collections.abc import Callable

import qasync
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from tests.ui.test_culling_grid import culling, render_sizes
from tests.ui.test_day_one import Opened


def test_the_library_compares_two_to_nine_selected_takes(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, services = open_window()
    takes = render_sizes(qloop, services, ["640x360"] * 10)
    panel = culling(qtbot, qloop, win, takes[0].batch_id)
    grid = panel.grid
    assert panel.compare.isVisible()

    qtbot.keyClick(grid, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # all ten
    assert len(panel.selected()) == 10
    panel.compare.click()
    assert "Compare shows 2 to 9 takes at once: 10 are selected" in win._notice.text.text()
    assert win.workspace.name == "library"  # nothing opened
    assert win.compare.jobs == []

    selection = grid.selectionModel()
    selection.clear()
    selection.select(grid.model().index(0, 0), QItemSelectionModel.SelectionFlag.Select)
    panel.compare.click()
    assert "only one is selected" in win._notice.text.text()

    for row in (2, 5, 7):
        selection.select(grid.model().index(row, 0), QItemSelectionModel.SelectionFlag.Select)
    chosen = sorted(panel.selected())
    assert len(chosen) == 4
    panel.compare.click()
    assert win.workspace.name == "review"
    assert win.stage.currentWidget() is win.compare
    assert [j.id for j in win.compare.jobs] == chosen  # oldest first: "A" is the first queued
    assert win.compare.count == 4
    qtbot.waitUntil(win.compare.ready, timeout=20_000)
    assert win.compare.diff.text().count("against A") == 3
