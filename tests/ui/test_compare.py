"""Compare: two takes on one clock, and what differs between them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from studio.store import Store
from studio.ui.compare import CompareView
from studio.ui.theme import colour
from tests.ui.frames import Shown
from tests.ui.review_library import make_library


@pytest.fixture
def compare(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[CompareView, Store, Path]]:
    store, library, ids = make_library(tmp_path, 2, distinct=2)
    view = CompareView()
    qtbot.addWidget(view)
    view.resize(1280, 600)
    view.show()
    a, b = store.jobs.many(ids)
    clip = lambda job_id: library / store.assets.for_job(job_id)["video"].path  # noqa: E731
    view.open((a, clip(a.id)), (b, clip(b.id)))
    qtbot.waitUntil(view.ready, timeout=5000)
    yield view, store, library
    view.stop()
    store.close()


def apart(view: CompareView) -> int:
    """How many frames apart the two pictures on screen are."""
    return abs(view.left.shown_frame() - view.right.shown_frame())


def test_play_seek_step_keep_both_within_a_frame(
    qtbot: QtBot, compare: tuple[CompareView, Store, Path]
) -> None:
    view, _store, _library = compare
    left, right = Shown(view.left), Shown(view.right)
    view.play()
    for _ in range(20):  # sampled while both play
        qtbot.wait(50)
        assert apart(view) <= 1
    assert view.left.shown_frame() > 10  # they did play
    view.pause()
    qtbot.wait(150)
    assert apart(view) <= 1
    view.seek_frame(20)
    assert (left.settle(qtbot), right.settle(qtbot)) == (20, 20)  # the pictures, not just clocks
    for delta, expected in ((1, 21), (1, 22), (-1, 21)):
        view.step(delta)
        assert (left.settle(qtbot), right.settle(qtbot)) == (expected, expected)
    view.set_loop_range(5, 9)
    view.seek_frame(5)
    view.play()
    qtbot.wait(700)
    assert apart(view) <= 1
    assert 5 <= view.left.current_frame() <= 10
    view.pause()


def test_flip_shows_one_take_at_a_time_both_decoded(
    qtbot: QtBot, compare: tuple[CompareView, Store, Path]
) -> None:
    view, _store, _library = compare
    view.seek_frame(12)
    view.flip()
    assert view.flip_box.isChecked()
    assert view.right.isVisibleTo(view)
    assert not view.left.isVisibleTo(view)
    right = Shown(view.right)
    view.step(1)
    assert right.settle(qtbot) == 13
    view.flip()
    assert view.left.isVisibleTo(view)
    assert view.left.current_frame() == 13  # the hidden one kept step
    assert view.left.deck.pictures > 0


def test_prompt_diff_highlights_changed_words_and_parameters(
    compare: tuple[CompareView, Store, Path],
) -> None:
    view, _store, _library = compare
    text = view.diff.text()
    assert "<b>Lighting</b><br>A: " in text
    assert f'background:{colour("diff_removed")}">golden' in text  # the theme's colours
    assert f'background:{colour("diff_added")}">neon' in text
    assert "<b>Subject</b> (same)" in text
    assert "<td><b>Seed</b></td><td>0</td><td>1</td>" in text
