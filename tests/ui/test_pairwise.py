"""The blind pairwise mode, driven by keys only: pick, tie, undo, the ranking following every
choice, and nothing of a take's prompt, model, cost or number visible anywhere until the
pass is ended — on real clips in a real library."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from studio.core.errors import StudioError
from studio.library.ops import ops_for
from studio.review.pairwise import stored_ranks
from studio.store import Store
from studio.ui.review.pairwise import PairwiseMode, RankingModel
from tests.ui.review_library import make_library
from tests.ui.visible import visible_strings

TAKES = 6


@pytest.fixture
def library(tmp_path: Path) -> Iterator[tuple[Store, Path, list[int]]]:
    store, library, ids = make_library(tmp_path, TAKES, distinct=2)
    with store.db.write() as tx:  # costs and a second model, to be sure neither shows
        for n, job_id in enumerate(ids):
            tx.execute(
                "UPDATE jobs SET actual_cost = ?, model = ? WHERE id = ?",
                (0.37 + n / 100, "sim-pro" if n % 2 else "sim-fast", job_id),
            )
    yield store, library, ids
    store.close()


@pytest.fixture
def mode(
    qtbot: QtBot, library: tuple[Store, Path, list[int]]
) -> Iterator[tuple[PairwiseMode, Store, list[int]]]:
    store, folder, ids = library
    view = PairwiseMode.open(store, folder, ids, "ana", seed=11)
    qtbot.addWidget(view)
    view.resize(1280, 720)
    view.activateWindow()
    qtbot.waitExposed(view)
    qtbot.waitUntil(view.compare.ready, timeout=10_000)
    yield view, store, ids
    view.close()


def press(view: PairwiseMode, *sequence: str) -> None:
    """Keys as the keymap writes them ("Left", "Down", "U", "Esc")."""
    for key in sequence:
        combo = QKeySequence(key)[0]
        QTest.keyClick(view.focusWidget() or view, combo.key(), combo.keyboardModifiers())


def key_for(view: PairwiseMode, take: int) -> str:
    """The key that says `take` is better, on whichever side it is shown."""
    left, _right = view.session.pair
    return "Left" if left == take else "Right"


def table(view: PairwiseMode) -> list[list[str]]:
    model = view.table.model()
    return [
        [str(model.index(r, c).data()) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_keys_pick_tie_undo_and_the_ranking_follows(
    qtbot: QtBot, mode: tuple[PairwiseMode, Store, list[int]]
) -> None:
    view, store, ids = mode
    assert len(table(view)) == TAKES
    assert view.status.text().startswith("0 comparisons · not settled yet")
    first = view.session.pair
    press(view, "Left")
    (picked,) = store.comparisons.among(ids)
    assert (picked.left_id, picked.right_id, picked.choice, picked.reviewer) == (
        *first, "left", "ana",
    )  # fmt: skip
    assert view.status.text().startswith("1 comparison ·")
    assert view.said.text() == "Left is better."
    assert sum(int(row[4]) for row in table(view)) == 2  # two takes compared once each
    second = view.session.pair
    assert set(second) != set(first)  # never the same pair twice in a row
    press(view, "Down")
    assert [c.choice for c in store.comparisons.among(ids)] == ["left", "tie"]
    assert view.status.text().startswith("2 comparisons ·")
    press(view, "U")  # the tie taken back: kept, marked, and its pair shown again
    assert view.session.pair == second
    assert [(c.choice, c.live) for c in store.comparisons.among(ids, live=False)] == [
        ("left", True),
        ("tie", False),
    ]
    assert view.status.text().startswith("1 comparison ·")
    assert view.said.text() == "Taken back: that pair again."
    qtbot.waitUntil(view.compare.ready, timeout=10_000)  # the pair's clips, loaded again

    favourite = ids[4]  # a reviewer who always prefers this take, and else the left one
    for _ in range(14):
        left, right = view.session.pair
        press(view, key_for(view, favourite) if favourite in (left, right) else "Left")
        # the table is the session's ranking, row by row, after every key
        standings = view.session.ranking.standings
        assert [row[1] for row in table(view)] == [view.session.label(s.take) for s in standings]
        assert [row[0] for row in table(view)] == [str(s.rank) for s in standings]
    assert table(view)[0][1] == view.session.label(favourite)  # on top
    assert view.status.text().startswith("15 comparisons ·")
    stored = store.comparisons.ranks(ids)
    assert stored[favourite].rank == 1  # the Library's rank, written by the operation
    assert re.fullmatch(r"[+-]\d\.\d\d to [+-]\d\.\d\d", table(view)[0][3])

    # another reviewer's comparisons, made elsewhere, count once the library says so
    others = [i for i in ids if i != favourite]
    ops = ops_for(store)
    ops.listen(view.on_library_change)
    ops.compare(others[0], others[1], "right", reviewer="bo", ranker=stored_ranks)
    assert view.status.text().startswith("16 comparisons ·")
    assert [view.whose.itemText(i) for i in range(view.whose.count())] == [
        "Everyone's comparisons",
        "ana's own",
        "bo's own",
    ]
    view.whose.setCurrentIndex(2)
    assert view.status.text().startswith("16 comparisons (1 by bo)")
    assert sum(int(row[4]) for row in table(view)) == 2
    view.whose.setCurrentIndex(0)

    view.close()  # a new pass over the same takes starts where this one left off
    again = PairwiseMode.open(store, view.library, ids, "cy", seed=12)
    qtbot.addWidget(again)
    assert again.status.text().startswith("16 comparisons ·")
    again.close()


def test_nothing_of_the_prompt_model_cost_or_number_shows_until_the_end(
    qtbot: QtBot, mode: tuple[PairwiseMode, Store, list[int]]
) -> None:
    view, store, ids = mode
    jobs = store.jobs.many(ids)
    secrets = {"sim-fast", "sim-pro", "$", "0.37", "0.38", "cost", "prompt", "model", "job #"}
    for job in jobs:
        secrets |= {job.prompt, job.name, *job.spec.slots_or_prompt().values()}
        secrets.add(f"{job.actual_cost:.2f}")
    secrets.discard("")  # slots left empty
    for key in ("Left", "Down", "Right", "Left", "U", "Right", "Left"):
        press(view, key)
        seen = visible_strings(view)
        leaks = sorted({s for s in secrets for text in seen if s.lower() in text.lower()})
        assert leaks == [], (key, leaks)
        numbers = {n for text in seen for n in re.findall(r"#\d+", text)}
        assert numbers == set()  # no take number anywhere
    assert {row[1] for row in table(view)} == {f"Take {x}" for x in "ABCDEF"}

    ended: list[list[int]] = []
    view.ended.connect(ended.append)
    press(view, "Esc")  # the pass ends: the numbers show beside the neutral labels
    assert view.finished
    assert ended == [[s.take for s in view.session.ranking.standings]]
    names = {row[1] for row in table(view)}
    assert names == {f"{view.session.label(j.id)} = {j.name}" for j in jobs}
    before = len(store.comparisons.among(ids))
    press(view, "Left", "U")  # no more choices
    assert len(store.comparisons.among(ids)) == before
    assert view.end_button.text() == "Close"


def test_the_ranking_model_passes_qtmodeltester(
    qtmodeltester: ModelTester, mode: tuple[PairwiseMode, Store, list[int]]
) -> None:
    view, _store, _ids = mode
    press(view, "Left", "Right")
    model = view.model
    assert isinstance(model, RankingModel)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.index(0, 0).parent() == QModelIndex()


def test_takes_without_a_clip_are_left_out_and_said(
    qtbot: QtBot, library: tuple[Store, Path, list[int]]
) -> None:
    store, folder, ids = library
    with pytest.raises(StudioError, match="at least two takes"):
        PairwiseMode.open(store, folder, ids[:1], "ana")
    (folder / store.assets.for_job(ids[1])["video"].path).unlink()
    with pytest.raises(StudioError, match="at least two takes"):
        PairwiseMode.open(store, folder, ids[:2], "ana")
    view = PairwiseMode.open(store, folder, ids[:3], "ana")
    qtbot.addWidget(view)
    assert view.said.text() == "1 take without a clip left out."
    assert set(view.session.takes) == {ids[0], ids[2]}
    view.close()
