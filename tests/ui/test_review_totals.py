"""A take's total has one rule and one home (take_state): after the rubric is edited —
a criterion added, then one removed — the Library's Score column, the review panel's total,
its take list and the lineage all say the same, each under the rubric version the scores
were given with."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from studio.library.ops import ops_for
from studio.review.keymap import load_keymap
from studio.review.rubric import ActiveRubric, Criterion, Rubric, load_active, save_team_rubric
from studio.review.session import ReviewSession
from studio.store import Store
from studio.store.search import verdicts
from studio.ui.library.library_model import COLUMNS, LibraryModel
from studio.ui.review.review_panel import ReviewPanel
from tests.ui.review_library import make_library

AUDIO = Criterion("audio", "Audio", "Sound fits the picture.", ("off", "fine", "spot on"), ())


@pytest.fixture
def review(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[ReviewPanel, Store, Path]]:
    store, library, ids = make_library(tmp_path, 2, distinct=1, size=(320, 180))
    panel = ReviewPanel(load_keymap()[0])
    qtbot.addWidget(panel)
    panel.resize(1280, 720)
    panel.show()
    session = ReviewSession(store, load_active(store), ids, reviewer="ana")
    panel.open(session, store, library)
    stop = ops_for(store).listen(panel.on_library_change)  # as the window connects it
    yield panel, store, library
    stop()
    panel.player.stop()
    store.close()


def library_scores(store: Store, library: Path) -> list[str]:
    """The Library's Score column for every take, as the table shows it."""
    model = LibraryModel(store, library)
    ids = sorted(j.id for j in store.jobs.many(range(1, 10)))
    model.show("", ids)
    column = COLUMNS.index("Score")
    return [model.index(row, column).data() for row in range(len(ids))]


def total_line(panel: ReviewPanel) -> str:
    """The review panel's total line for its current take, as read ("Total 6/6 — …")."""
    return re.sub(r"<[^>]+>", "", panel.rubric.total.text())


def panel_total(panel: ReviewPanel) -> str:
    """The total the review panel shows for its current take ("6" of "Total 6/6 — …")."""
    found = re.search(r"Total (—|\d+)", total_line(panel))
    assert found, total_line(panel)
    return found.group(1)


def take_list_total(panel: ReviewPanel, row: int) -> str:
    text = panel.takes.index(row).data()
    found = re.search(r"· (—|\d+)(/\d+)?$", text)
    assert found, text
    return found.group(1)


def edited(active: ActiveRubric, *, add: Criterion | None = None, drop: str = "") -> Rubric:
    rubric = active.rubric
    criteria = tuple(c for c in rubric.criteria if c.id != drop) + ((add,) if add else ())
    return replace(rubric, criteria=criteria, pass_threshold=2 * len(criteria) - 1)


def test_after_a_rubric_edit_the_library_and_the_review_show_the_same_total(
    review: tuple[ReviewPanel, Store, Path],
) -> None:
    panel, store, library = review
    session = panel.session
    assert session is not None
    panel.auto.setChecked(False)
    for value in (2, 2, 2):
        panel.score(value)
    panel.decide("approve")  # 6/6 under v1
    session.go(1)
    panel.score(2)
    panel.score(1)  # 3 of v1's 6, two criteria scored
    first, second = (t.job_id for t in session.takes)
    assert library_scores(store, library) == ["6", "3"]

    # v2 adds a criterion: nothing was judged on it, so nothing changes
    v2 = save_team_rubric(store, edited(session.rubric, add=AUDIO))
    assert v2.version == 2
    assert session.rubric.rubric_id == v2.rubric_id  # the panel heard of the new version
    session.go(0)
    panel.go_relative(0)
    assert library_scores(store, library) == ["6", "3"]
    assert panel_total(panel) == "6"
    assert "Total 6/6" in total_line(panel)
    assert "passes · scored under v1" in total_line(panel)
    assert [take_list_total(panel, 0), take_list_total(panel, 1)] == ["6", "3"]

    # scoring the new criterion brings the take under v2: 7 of 8, in both places
    panel._select_criterion_named("audio")
    panel.score(1)
    assert library_scores(store, library) == ["7", "3"]
    assert panel_total(panel) == "7"
    assert "Total 7/8 — passes" in total_line(panel)
    state = store.verdicts.states([first])[first]
    assert state.tally is not None
    assert (state.rubric_version, state.tally.total, state.tally.max_total) == (2, 7, 8)

    # v3 drops brand: a score under v3 counts v3's criteria only (motion, framing, audio)
    v3 = save_team_rubric(store, edited(v2, drop="brand"))
    assert session.rubric.rubric_id == v3.rubric_id
    session.go(1)
    panel.go_relative(0)
    assert panel_total(panel) == "3"  # still v1's: motion 2 + framing 1
    panel._select_criterion_named("audio")
    panel.score(2)  # motion 2 + framing 1 + audio 2 under v3
    assert library_scores(store, library) == ["7", "5"]
    assert panel_total(panel) == "5"
    assert "Total 5/6 — passes" in total_line(panel)
    assert [take_list_total(panel, 0), take_list_total(panel, 1)] == ["7", "5"]

    # the search the Library runs, and the lineage, read the same row
    assert {i: v.total for i, v in verdicts(store.db, [first, second]).items()} == {
        first: 7,
        second: 5,
    }


def test_deciding_after_a_rubric_edit_keeps_the_total_its_scores_were_given_under(
    review: tuple[ReviewPanel, Store, Path],
) -> None:
    """A take scored 6/6 under v1 and approved again once v2 added a criterion stays 6/6
    under v1 and passes: a decision records the version its scores were given with, not
    the rubric in use now (it read "6/8 — not fully scored" and asked for a reason)."""
    panel, store, library = review
    session = panel.session
    assert session is not None
    panel.auto.setChecked(False)
    for value in (2, 2, 2):
        panel.score(value)
    v2 = save_team_rubric(store, edited(session.rubric, add=AUDIO))
    assert session.rubric.rubric_id == v2.rubric_id  # the panel heard of the new version
    session.go(0)
    panel.go_relative(0)
    assert session.passes()  # by its own version's rule
    made = session.decide("approve")  # no reason asked
    assert made.rubric_id != v2.rubric_id
    assert library_scores(store, library)[0] == "6"
    assert panel_total(panel) == "6"
    assert "passes · scored under v1" in total_line(panel)
