"""Each view follows the library's change events: what one view changes, the others show,
with no call wired from one to another."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import qasync
from pytestqt.qtbot import QtBot

from studio.library.ops import ops_for
from tests.ui.test_day_one import Opened, until
from tests.ui.test_library import open_library, render


def test_a_decision_from_the_library_reaches_review_queue_and_metrics(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    open_window: Callable[[], Opened],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    win, services = open_window()
    takes = render(qloop, services, ["a heron", "an owl"], "birds")
    ids = sorted(t.id for t in takes)
    win.review_takes(ids)  # a review pass over the same takes
    win.library.show_tab(metrics=True)
    qloop.run_until_complete(until(lambda: win.library.metrics is not None, 10))
    table = win.library.metrics.table  # type: ignore[attr-defined]

    def metrics_row() -> dict[str, str]:
        headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
        return {h: table.item(0, c).text() for c, h in enumerate(headers)}

    assert metrics_row()["approved"] == "0"
    panel = open_library(qloop, win)
    panel.run_search()
    panel.view.selectAll()
    win.library.ask_reason = lambda question: "the client chose them"
    approve = next(a for a in panel.decide_menu.actions() if a.objectName().endswith("approve"))
    approve.trigger()

    # The review pass and the metrics show it: each listened to the change.
    assert {t.decision.decision for t in win.review.session.takes if t.decision} == {"approve"}
    win.library.show_tab(metrics=True)
    assert metrics_row()["approved"] == "2"

    # A star from the Library: the queue's "starred" filter follows.
    model = win.queue.model
    assert model is not None
    model.set_filter("starred")
    assert model.rowCount() == 0
    panel.view.selectAll()
    win.library.star(panel.selected())
    assert model.rowCount() == 2


def test_a_change_made_by_another_part_of_the_app_reaches_the_library_tab(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    """The Library tab searches again when the library changes under it (here a star made
    outside the tab, as a review pass or a command would)."""
    win, services = open_window()
    takes = render(qloop, services, ["a kite", "a gull"], "sky")
    panel = open_library(qloop, win)
    panel.query.setText("is:starred")
    panel.run_search()
    assert panel.count.text() == "0 takes"
    ops_for(services.store).star([takes[0].id], True)
    assert panel.count.text() == "1 take"
