"""The lineage shows each take's notes: how many in its row, each note (time code, text,
author) in the row's tooltip and, for the take selected, under the tree; a note written
while the lineage is open shows at once. Blind, no note is shown. On real clips in a real
library, through the review stage as the window has it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from studio.library.ops import ops_for
from studio.review.keymap import load_keymap
from studio.store import Store
from studio.ui.review.review_stage import ReviewStage
from tests.ui.review_library import make_library
from tests.ui.test_blind_review import press
from tests.ui.visible import visible_strings

TAIL = "the kite's tail flickers <b>twice</b>"  # read as written, not as markup
SKY = "sky banding at the horizon"


@pytest.fixture
def stage(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[ReviewStage, Store, list[int]]]:
    """Three takes: the first, a re-render of it, and another; two notes on the first."""
    store, folder, ids = make_library(tmp_path, 3, distinct=2)
    with store.db.write() as tx:
        tx.execute("UPDATE jobs SET parent_id = ? WHERE id = ?", (ids[0], ids[1]))
    ops = ops_for(store)
    for frame, text in ((30, SKY), (6, TAIL)):
        ops.add_note(ids[0], frame, fps=24.0, picture=(640, 360), text=text, author="ana")
    view = ReviewStage(load_keymap()[0])
    view.attach(store, folder, reviewer="ana")
    qtbot.addWidget(view)
    view.resize(1600, 900)
    view.show()
    qtbot.waitExposed(view)
    stop = ops.listen(view.lineage.on_library_change)  # as the window's library events do
    view.review_takes(ids)
    yield view, store, ids
    stop()
    view.stop()
    store.close()


def test_a_takes_notes_show_in_its_lineage(
    qtbot: QtBot, stage: tuple[ReviewStage, Store, list[int]]
) -> None:
    view, store, ids = stage
    first, revision = ids[0], ids[1]
    view.open_lineage(first)
    lineage = view.lineage
    assert lineage.job_ids() == [first, revision]
    assert not lineage.tree.isColumnHidden(5)
    shown = lineage.notes_text()
    count, tip = shown[first]
    assert count == "2"
    assert tip.index("00:00:00:06") < tip.index("00:00:01:06")  # in frame order
    assert "the kite&#x27;s tail flickers &lt;b&gt;twice&lt;/b&gt; (ana)" in tip  # escaped
    assert f"{SKY} (ana)" in tip
    assert shown[revision] == ("—", "")
    assert lineage.current_job() == first
    assert lineage.notes.text() == (
        f"Notes on #{first} (2):\n00:00:00:06  {TAIL} (ana)\n00:00:01:06  {SKY} (ana)"
    )
    assert lineage.notes.isVisible()

    # Another take selected: its notes (none) under the tree.
    lineage.tree.setCurrentIndex(lineage.model.index(0, 0, lineage.model.index(0, 0)))
    assert lineage.current_job() == revision
    assert lineage.notes.text() == f"No notes on #{revision}."

    # A note written meanwhile (in the review, by the notes command): its row says so at
    # once, and the selection stays on the take it was on.
    ops_for(store).add_note(
        revision, 12, fps=24.0, picture=(640, 360), text="horizon fixed", author="bo"
    )
    assert lineage.notes_text()[revision][0] == "1"
    assert lineage.current_job() == revision
    assert lineage.notes.text() == f"Notes on #{revision} (1):\n00:00:00:12  horizon fixed (bo)"


def test_blind_the_lineage_shows_no_note(
    qtbot: QtBot, stage: tuple[ReviewStage, Store, list[int]]
) -> None:
    view, store, ids = stage
    review = view.review
    qtbot.waitUntil(lambda: QApplication.focusWidget() is review, timeout=5000)
    press(view, "B")
    assert review.session is not None
    assert review.session.blind
    view.open_lineage(ids[0])
    lineage = view.lineage
    assert lineage.tree.isColumnHidden(5)
    assert set(lineage.notes_text().values()) == {("", "")}
    assert lineage.notes.text() == "Blind review: notes are not shown."
    seen = " ".join(visible_strings(lineage))
    for said in ("tail flickers", SKY, "00:00:00:06", "00:00:01:06", "Notes on"):
        assert said not in seen
    ops_for(store).add_note(ids[1], 12, fps=24.0, picture=(640, 360), text="horizon fixed")
    assert "horizon fixed" not in " ".join(visible_strings(lineage))  # nor one written now

    # Blind mode off: the lineage shown again, with the notes.
    press(view, "Esc")
    qtbot.waitUntil(lambda: view.currentWidget() is review, timeout=5000)
    review.blind.setChecked(False)
    assert lineage.notes_text()[ids[0]][0] == "2"
    assert lineage.notes_text()[ids[1]][0] == "1"
