"""The rank from blind comparisons as a column and a sort: in the Library (a stored
look-up, unranked takes last either way) and in the review take list (a line of each
take, hidden in blind mode, and a key that orders the list by rank)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from studio.library.ops import ops_for
from studio.review.keymap import load_keymap
from studio.review.pairwise import stored_ranks
from studio.review.rubric import load_active
from studio.review.session import ReviewSession
from studio.store import Store
from studio.store.search import search_hits, sorted_hits
from studio.ui.library.library_model import COLUMNS, LibraryModel
from studio.ui.review.review_panel import ReviewPanel
from studio.ui.review.take_list import take_text
from tests.helpers import job_values

RANK = COLUMNS.index("Rank")


@pytest.fixture
def ranked(tmp_path: Path) -> Iterator[tuple[Store, list[int]]]:
    """Five takes: the first three compared (the third best, then the first, then the
    second), the last two never."""
    store = Store(tmp_path / "studio.db")
    with store.db.write() as tx:
        ids = [store.jobs.insert(tx, job_values(i), at=float(i)) for i in range(5)]
    a, b, c = ids[:3]
    ops = ops_for(store)
    for left, right, choice in ((c, a, "left"), (a, b, "left"), (b, c, "right"), (c, a, "left")):
        ops.compare(left, right, choice, reviewer="ana", ranker=stored_ranks)
    yield store, ids
    store.close()


def test_the_library_shows_and_sorts_by_rank(
    qtbot: QtBot, ranked: tuple[Store, list[int]], tmp_path: Path
) -> None:
    store, ids = ranked
    a, b, c, d, e = ids
    model = LibraryModel(store, tmp_path / "library")
    model.show("", search_hits(store.db, ""))
    rows = {model.job_id(r): r for r in range(model.rowCount())}
    assert model.index(rows[c], RANK).data() == "1 of 3"
    assert model.index(rows[b], RANK).data() == "3 of 3"
    assert model.index(rows[d], RANK).data() == "—"  # never compared
    tip = model.index(rows[c], RANK).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Rank 1 of 3 compared takes (not settled yet): strength +")
    assert "3 comparisons" in tip
    model.sort(RANK, Qt.SortOrder.AscendingOrder)
    assert [model.job_id(r) for r in range(5)] == [c, a, b, e, d]  # unranked last, newest first
    model.sort(RANK, Qt.SortOrder.DescendingOrder)
    assert [model.job_id(r) for r in range(5)] == [b, a, c, e, d]  # unranked last either way
    assert sorted_hits(store.db, "rank", descending=False)[:3] == [c, a, b]


def test_the_take_list_shows_the_rank_and_orders_by_it(
    qtbot: QtBot, ranked: tuple[Store, list[int]], tmp_path: Path
) -> None:
    store, ids = ranked
    a, b, c, d, e = ids
    session = ReviewSession(store, load_active(store), ids, reviewer="ana")
    assert take_text(session, session.takes[2], None, None).endswith("— · rank 1 of 3")
    assert "rank" not in take_text(session, session.takes[3], None, None)
    session.blind = True  # blind: other takes' ranks are hidden like their verdicts
    assert "rank" not in take_text(session, session.takes[2], None, None)
    session.blind = False

    panel = ReviewPanel(load_keymap()[0])
    qtbot.addWidget(panel)
    panel.resize(1280, 720)
    panel.show()
    panel.activateWindow()
    qtbot.waitExposed(panel)
    panel.open(session, store, tmp_path / "library", start_job=d)
    panel.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel, timeout=5000)
    combo = QKeySequence("Shift+R")[0]
    QTest.keyClick(panel.focusWidget() or panel, combo.key(), combo.keyboardModifiers())
    assert session.by_rank
    assert [t.job_id for t in session.takes] == [c, a, b, d, e]
    assert session.take.job_id == d  # the take in view stays in view
    first = panel.takes.index(0).data()
    assert first.endswith("rank 1 of 3")
    assert panel.status.text() == "Takes by rank (ranked first, best first)."
    QTest.keyClick(panel.focusWidget() or panel, combo.key(), combo.keyboardModifiers())
    assert [t.job_id for t in session.takes] == ids
    assert session.take.job_id == d
    panel.player.stop()
