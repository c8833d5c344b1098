"""Blind mode that is blind: a variant batch reviewed blind from the keyboard, every string a
person could read in the take list, compare, the lineage and the status line searched for
prompt text, variant values, models, costs and other takes' verdicts — none found; takes
by neutral labels until decided; a decided take always says so (also after the lineage);
leaving blind mode shows everything again. On real clips in a real library."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from studio.review.keymap import load_keymap
from studio.review.session import ReviewError
from studio.store import JobRow, Store
from studio.ui.review.review_stage import ReviewStage
from studio.ui.review.take_list import JobIdRole
from tests.ui.review_library import LIGHTS, make_library
from tests.ui.visible import visible_strings

TAKES = 6
VERDICTS = ("✓", "✗", "✎", "approved", "discarded", "→ approve", "→ discard", "rank")


@pytest.fixture
def stage(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[ReviewStage, Store, list[int]]]:
    store, folder, ids = make_library(tmp_path, TAKES, distinct=2, variants=True)
    with store.db.write() as tx:  # costs, two models, and a revision (for the lineage)
        for n, job_id in enumerate(ids):
            tx.execute(
                "UPDATE jobs SET actual_cost = ?, model = ? WHERE id = ?",
                (0.37 + n / 100, "sim-pro" if n % 2 else "sim-fast", job_id),
            )
        tx.execute("UPDATE jobs SET parent_id = ? WHERE id = ?", (ids[0], ids[4]))
    view = ReviewStage(load_keymap()[0])
    view.attach(store, folder, reviewer="ana")
    qtbot.addWidget(view)
    view.resize(1600, 900)
    view.show()
    view.activateWindow()
    qtbot.waitExposed(view)
    view.review_takes(ids)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.review, timeout=5000)
    yield view, store, ids
    view.stop()
    store.close()


def press(stage: ReviewStage, *sequence: str) -> None:
    """Keys as the keymap writes them, to whatever has the focus in the stage."""
    for key in sequence:
        combo = QKeySequence(key)[0]
        widget = QApplication.focusWidget() or stage.currentWidget()
        QTest.keyClick(widget, combo.key(), combo.keyboardModifiers())


def secrets_of(jobs: list[JobRow]) -> set[str]:
    """What blind mode must not show: prompts and their slots, variant labels and values,
    models, costs."""
    found = {"sim-fast", "sim-pro", "$"}
    for job in jobs:
        found |= {job.prompt, *job.spec.slots_or_prompt().values(), f"{job.actual_cost:.2f}"}
        found.add(job.spec.variant or "")
    found |= set(LIGHTS)
    found.discard("")
    return found


def leaks(page: QWidget, secrets: set[str], decided: dict[int, str], undecided: set[int]) -> list:
    """What a person could read on `page` that blind mode hides: secrets, another take's
    verdict or total, an undecided take's number."""
    seen = visible_strings(page)
    found = sorted({s for s in secrets for text in seen if s.lower() in text.lower()})
    found += sorted({v for v in VERDICTS for text in seen if v in text})
    found += sorted({t for t in decided.values() for text in seen if t in text})
    numbers = {int(n) for text in seen for n in re.findall(r"#(\d+)", text)}
    found += sorted(f"#{n}" for n in numbers & undecided)
    return found


def row_texts(stage: ReviewStage) -> dict[int, str]:
    model = stage.review.takes
    return {model.index(r).data(JobIdRole): model.index(r).data() for r in range(model.rowCount())}


def test_a_variant_batch_reviewed_blind_shows_nothing_it_should_not(
    qtbot: QtBot, stage: tuple[ReviewStage, Store, list[int]]
) -> None:
    view, store, ids = stage
    review = view.review
    session = review.session
    assert session is not None
    secrets = secrets_of(store.jobs.many(ids))
    assert "Lighting: golden hour" in secrets
    assert "a red kite" in review.info.text()  # not blind yet: all shows

    press(view, "B")
    assert session.blind
    labels = [session.label(t) for t in session.takes]
    assert labels == [f"Take {x}" for x in "ABCDEF"]  # in the order shown, drawn for the pass
    assert [row.split("\n")[0] for row in row_texts(view).values()] == labels
    decided: dict[int, str] = {}  # job id → its total, which no other take may show
    undecided = set(ids)
    scores = {0: ("2", "2", "2", "A"), 1: ("1", "0", "0", "D"), 3: ("2", "1", "1", "D")}
    for step in range(TAKES):
        take = session.take
        assert take.decision is None  # auto-advance: the next one not decided yet
        assert leaks(view.review, secrets, decided, undecided - {take.job_id}) == []
        assert f"#{take.job_id}" not in " ".join(visible_strings(view.review))  # neutral
        assert review.info.text().startswith(f"<b>{session.label(take)}</b>")
        if step in scores:
            press(view, *scores[step])
            assert take.decision is not None
            assert review.status.text() == f"{session.label(take)} decided."  # no verdict
            decided[take.job_id] = take.tally.shown() if take.tally else "?"
            undecided.discard(take.job_id)
        elif step == 2:  # compare three takes, two of them decided, by C on a selection
            rows = sorted(
                [i for i, t in enumerate(session.takes) if t.decision is not None] + [session.index]
            )
            selection = review.list.selectionModel()
            for row in rows:
                selection.select(review.takes.index(row), selection.SelectionFlag.Select)
            press(view, "C")
            assert view.currentWidget() is view.compare
            qtbot.waitUntil(view.compare.ready, timeout=20_000)
            titles = [t.text() for t in view.compare.titles]
            assert titles == [f"<b>{session.label(session.takes[r])}" + (
                f" = #{session.takes[r].job_id}</b>" if session.takes[r].decision else "</b>"
            ) for r in rows]  # fmt: skip
            assert not view.compare.side.isVisible()  # no prompt diff
            assert leaks(view.compare, secrets, decided, undecided) == []
            assert leaks(view, secrets, decided, undecided) == []  # the tabs, the window
            press(view, "Esc")
            assert view.currentWidget() is view.review
            selection.clear()
        if take.decision is None:  # on to the next take not decided yet, as a click does
            following = session.next_unreviewed()
            assert following is not None
            review.list.setCurrentIndex(review.takes.index(following))
    assert set(decided) == {t.job_id for t in session.takes if t.decision}

    # A decided take in view says what it is: its verdict, total and history.
    first = next(t for t in session.takes if t.job_id in decided)
    review.list.setCurrentIndex(review.takes.index(session.takes.index(first)))
    assert session.take is first
    text = row_texts(view)[first.job_id]
    assert text.startswith(f"{session.label(first)} = #{first.job_id}")
    assert "approved" in text or "discarded" in text
    assert decided[first.job_id] in text
    assert review.history.count() == 1
    # …and the other decided takes still say only "decided".
    for job_id, row in row_texts(view).items():
        if job_id in decided and job_id != first.job_id:
            assert row.endswith("\ndecided")
        elif job_id not in decided:
            assert row.endswith("\nnot decided yet")

    # Leaving blind mode reveals everything, in the batch's order.
    press(view, "B")
    assert not session.blind
    assert [t.job_id for t in session.takes] == ids
    seen = " ".join(visible_strings(view.review))
    assert "Lighting: neon night" in seen  # variants in the list
    job = store.jobs.get(session.take.job_id)
    assert job is not None
    assert job.model in review.info.text()  # the take's model, cost and prompt
    assert f"${job.actual_cost:.2f}" in review.info.text()
    assert all(f"#{i}" in seen for i in ids)
    assert any(v in seen for v in ("✓ approved", "✗ discarded"))


def test_a_decided_take_reads_decided_after_visiting_the_lineage(
    qtbot: QtBot, stage: tuple[ReviewStage, Store, list[int]]
) -> None:
    view, store, ids = stage
    review = view.review
    press(view, "B")
    session = review.session
    assert session is not None
    root = next(t for t in session.takes if t.job_id == ids[0])
    review.list.setCurrentIndex(review.takes.index(session.takes.index(root)))
    press(view, "2", "2", "2", "A")
    assert root.decision is not None
    review.list.setCurrentIndex(review.takes.index(session.takes.index(root)))
    assert review.history.count() == 1

    press(view, "T")  # the lineage, blind: names only, no score, decision or prompt
    assert view.currentWidget() is view.lineage
    undecided = {i for i in ids if i != root.job_id}
    assert leaks(view.lineage, secrets_of(store.jobs.many(ids)), {}, undecided) == []
    names = {r[0] for r in _tree_rows(view)}
    assert f"{session.label(root)} = #{root.job_id}" in names
    revision = next(t for t in session.takes if t.job_id == ids[4])
    assert session.label(revision) in names  # the revision, by its label

    # Back to the review from the lineage: a new pass over the shot, still blind.
    view.lineage.job_activated.emit(root.job_id)
    assert view.currentWidget() is view.review
    again = review.session
    assert again is not None
    assert again is not session
    assert again.blind
    assert again.take.job_id == root.job_id
    text = row_texts(view)[root.job_id]
    assert "not decided yet" not in text
    assert "✓ approved · 6/6" in text  # decided, with its total
    assert review.history.count() == 1  # its history, not an empty one
    assert "approve" in review.history.item(0).text()
    assert "blind review" not in review.info.text()  # revealed: it is decided


def test_compare_from_a_selection_takes_two_to_nine(
    qtbot: QtBot, stage: tuple[ReviewStage, Store, list[int]]
) -> None:
    view, _store, ids = stage
    review = view.review
    selection = review.list.selectionModel()
    for row in (0, 2, 5):
        selection.select(review.takes.index(row), selection.SelectionFlag.Select)
    press(view, "C")
    assert view.currentWidget() is view.compare
    assert [j.id for j in view.compare.jobs] == [ids[0], ids[2], ids[5]]
    assert view.compare.diff.text().count("against A") == 2
    press(view, "Esc")
    selection.clear()
    review.list.setCurrentIndex(review.takes.index(3))
    press(view, "C")  # one selected: this take beside the previous one
    assert [j.id for j in view.compare.jobs] == [ids[2], ids[3]]
    press(view, "Esc")
    with pytest.raises(ReviewError, match="2 to 9 takes at once: 10 are selected"):
        view.open_compare([*ids, *ids[:4]])


def _tree_rows(view: ReviewStage) -> list[list[str]]:
    model = view.lineage.model
    rows: list[list[str]] = []

    def walk(item: object) -> None:
        for r in range(item.rowCount()):  # type: ignore[attr-defined]
            rows.append([item.child(r, c).text() for c in range(model.columnCount())])  # type: ignore[attr-defined]
            walk(item.child(r))  # type: ignore[attr-defined]

    walk(model.invisibleRootItem())
    return rows
