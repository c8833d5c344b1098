"""A whole review from the keyboard: ten takes scored, decided, escalated, undone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from studio.review.keymap import load_keymap
from studio.review.rubric import default_rubric_path, load_active, team_rubric_path
from studio.review.session import ReviewSession
from studio.store import Store
from studio.ui.review.review_panel import ReviewPanel
from tests.ui.frames import Shown
from tests.ui.review_library import make_library


@pytest.fixture(scope="module")
def library_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("review")
    make_library(root, 10).__getitem__(0).close()
    return root


@pytest.fixture
def review(qtbot: QtBot, library_root: Path, tmp_path: Path) -> Iterator[tuple[ReviewPanel, Store]]:
    for name in ("studio.db", "studio.db-wal", "studio.db-shm"):
        source = library_root / name
        if source.exists():
            (tmp_path / name).write_bytes(source.read_bytes())
    store = Store(tmp_path / "studio.db")
    ids = [j.id for j in store.jobs.with_status(*store.jobs.count_by_status())]
    panel = ReviewPanel(load_keymap()[0])
    qtbot.addWidget(panel)
    panel.resize(1280, 720)
    panel.show()
    session = ReviewSession(store, load_active(store), sorted(ids), reviewer="ana")
    panel.open(session, store, library_root / "library")
    panel.setFocus()
    yield panel, store
    panel.player.stop()
    store.close()


def keys(qtbot: QtBot, panel: ReviewPanel, *sequence: str) -> None:
    """Press keys as written in the keymap ("A", "Shift+D", "Up", ",")."""
    for key in sequence:
        combo = QKeySequence(key)[0]
        widget = panel.focusWidget() or panel
        QTest.keyClick(widget, combo.key(), combo.keyboardModifiers())


def test_ten_takes_reviewed_from_the_keyboard(
    qtbot: QtBot, review: tuple[ReviewPanel, Store]
) -> None:
    panel, store = review
    session = panel.session
    assert session is not None
    assert panel.rubric.title.text().count("v1") == 1
    qtbot.waitUntil(lambda: panel.player.deck.ready, timeout=5000)
    decided: list[str] = []
    for number in range(10):
        assert session.index == number  # auto-advance went to the next unreviewed take
        if number == 3:  # an escalated discard needs its note
            keys(qtbot, panel, "2", "2", "0", "Shift+D")
            assert panel.note.hasFocus()
            assert "type what is wrong" in panel.status.text()
            QTest.keyClicks(panel.note, "looks like a real celebrity")
            QTest.keyClick(panel.note, Qt.Key.Key_Return)
            decided.append("discard")
        elif number == 6:
            keys(qtbot, panel, "1", "1", "1", "E")
            decided.append("edit")
        else:
            keys(qtbot, panel, "2", "2", "1", "A")
            decided.append("approve")
    history = {
        job_id: store.verdicts.history(job_id) for job_id in (t.job_id for t in session.takes)
    }
    assert [h[-1].decision for h in history.values()] == decided
    escalated = history[session.takes[3].job_id][-1]
    assert escalated.escalate
    assert escalated.note == "looks like a real celebrity"
    assert escalated.scores == {"motion": 2, "framing": 2, "brand": 0}
    first = history[session.takes[0].job_id][-1]
    assert (first.reviewer, first.rubric_id) == ("ana", session.rubric.rubric_id)
    assert first.scores == {"motion": 2, "framing": 2, "brand": 1}

    # U takes the last decision back as a new entry and returns to that take.
    keys(qtbot, panel, "U")
    last = session.takes[9]
    assert session.index == 9
    assert last.decision is None
    assert [h.decision for h in store.verdicts.history(last.job_id)] == ["approve", "undo"]
    assert panel.history.count() == 2
    assert panel.status.text() == "Decision taken back (kept in history)."
    keys(qtbot, panel, "P", "N")  # away and back: what was said of the take is not left up
    assert session.index == 9
    assert panel.status.text() == ""
    # Criterion keys and arrows pick what 0/1/2 score; S stars; a new decision is history.
    keys(qtbot, panel, "R", "0", "Up", "Up", "2", "S", "D")
    assert last.scores == {"motion": 2, "framing": 2, "brand": 0}
    assert last.starred
    assert [h.decision for h in store.verdicts.history(last.job_id)] == [
        "approve", "undo", "discard",
    ]  # fmt: skip


def test_frame_keys_drive_the_player_and_blind_mode_hides_and_reveals(
    qtbot: QtBot, review: tuple[ReviewPanel, Store]
) -> None:
    panel, _store = review
    qtbot.waitUntil(lambda: panel.player.deck.ready, timeout=5000)
    keys(qtbot, panel, ".", ".", ".")
    assert panel.player.current_frame() == 3
    keys(qtbot, panel, ",")
    assert panel.player.current_frame() == 2
    keys(qtbot, panel, "End")
    assert panel.player.current_frame() == panel.player.frames - 1
    keys(qtbot, panel, "Home")
    assert panel.player.current_frame() == 0
    assert "a red kite" in panel.info.text()
    keys(qtbot, panel, "B")
    assert "blind review" in panel.info.text()
    assert "a red kite" not in panel.info.text()
    assert "sim-fast" not in panel.info.text()
    panel.auto.setChecked(False)
    keys(qtbot, panel, "2", "2", "2", "A")
    assert "a red kite" in panel.info.text()  # revealed once decided


def test_bulk_decision_on_a_selection(qtbot: QtBot, review: tuple[ReviewPanel, Store]) -> None:
    panel, _store = review
    session = panel.session
    assert session is not None
    selection = panel.list.selectionModel()
    selection.clearSelection()
    for row in (4, 5, 6):
        selection.select(panel.takes.index(row), selection.SelectionFlag.Select)
    panel.decide("discard")
    assert [t.decision.decision if t.decision else None for t in session.takes[4:7]] == [
        "discard"
    ] * 3
    assert "3 takes" in panel.status.text()


def test_after_deciding_the_next_take_shows_and_seeks(
    qtbot: QtBot, review: tuple[ReviewPanel, Store]
) -> None:
    panel, _store = review
    qtbot.waitUntil(lambda: panel.player.deck.ready, timeout=5000)
    shown = Shown(panel.player)
    for _ in range(2):
        for _criterion in range(3):  # 2 of 2 on each: it passes, so approving moves on
            panel.score(2)
        before = panel.player.clip
        mark = shown.mark()
        panel.decide("approve")
        assert panel.player.clip != before
        qtbot.waitUntil(lambda: panel.player.deck.ready, timeout=5000)
        shown.reaches(qtbot, 0, since=mark)  # the next take, from its first frame
    panel.score(1)
    panel.player.seek_frame(40)
    shown.reaches(qtbot, 40)
    assert panel.player.clip == panel.asset_path(panel.session.take.job_id, "video")  # type: ignore[union-attr]


def test_a_broken_rubric_file_is_named_and_the_last_good_version_used(
    qtbot: QtBot, review: tuple[ReviewPanel, Store]
) -> None:
    panel, store = review
    team = team_rubric_path()
    team.parent.mkdir(parents=True, exist_ok=True)
    team.write_text(
        default_rubric_path().read_text().replace("pass_threshold = 5", "pass_threshold = 99")
    )
    active = load_active(store)
    session = ReviewSession(store, active, [t.job_id for t in panel.session.takes], reviewer="ana")  # type: ignore[union-attr]
    panel.open(session, store, panel.library)  # type: ignore[arg-type]
    assert str(team) in panel.status.text()
    assert "pass_threshold: must be between 0 and 6" in panel.status.text()
    assert "using the last good version (1)" in panel.status.text()
    assert "v1" in panel.rubric.title.text()
    keys(qtbot, panel, "2")  # scoring goes on under the last good version
    assert store.verdicts.scores(session.takes[0].job_id)["motion"] == 2


def test_defect_tags_by_key_and_the_tag_buttons_stay_put(
    qtbot: QtBot, review: tuple[ReviewPanel, Store]
) -> None:
    """Tags could only be clicked, and their buttons moved under the mouse as the criterion
    changed (the anchors above them wrapped to another height for each criterion)."""
    panel, store = review
    session = panel.session
    assert session is not None
    tags = session.rubric.rubric.tags
    assert len(tags) == 8
    buttons = panel.rubric.tag_buttons

    def measure() -> dict[str, tuple[int, int, int, int]]:
        return {t: (*b.mapTo(panel, QPoint(0, 0)).toTuple(), *b.size().toTuple())
                for t, b in buttons.items()}  # fmt: skip

    def places() -> dict[str, tuple[int, int, int, int]]:
        """Where the buttons are once the layout has settled (a few passes of posted
        layout requests: the scroll area answers the column's new size)."""
        last: dict[str, tuple[int, int, int, int]] = {}
        for _ in range(20):
            QApplication.processEvents()
            now = measure()
            if now == last:
                return now
            last = now
        raise AssertionError("the layout never settled")

    before = places()
    heights = {panel.rubric.anchors.height()}
    for step in ("Down", "Down", "Up", "Up"):  # every criterion, and back
        keys(qtbot, panel, step)
        heights.add(panel.rubric.anchors.height())
        assert places() == before, step
        current = session.rubric.rubric.criteria[session.criterion]
        assert {t for t, b in buttons.items() if b.property("current")} == set(current.tags)
    assert len(heights) > 1  # the anchors did change height: the tags stayed put regardless

    take = session.take
    keys(qtbot, panel, "Shift+1", "Shift+8")
    assert take.tags == {tags[0], tags[7]}
    assert buttons[tags[0]].isChecked()
    assert buttons[tags[7]].isChecked()
    assert store.verdicts.tags(take.job_id) == sorted({tags[0], tags[7]})
    assert places() == before  # a tag checked (in bold) moves no button either
    keys(qtbot, panel, "Shift+1")
    assert take.tags == {tags[7]}
    assert not buttons[tags[0]].isChecked()
    assert panel.status.text() == f"Tag '{tags[0]}' off."
    keys(qtbot, panel, "Shift+9")  # the rubric has eight
    assert "there is no tag 9" in panel.status.text()
    assert take.tags == {tags[7]}
    assert "Shift+1" in buttons[tags[0]].toolTip()
    QTest.keyClick(panel, Qt.Key.Key_Shift)  # let go of Shift: Qt keeps the last modifiers
