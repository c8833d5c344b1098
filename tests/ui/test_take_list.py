"""The take list updates the rows that changed, never resets under the reviewer: a decision
is its row's change, a decision or star made elsewhere leaves the selection, the current take
and the scroll position where they were, blind mode moves the rows with the selection, and
a batch's takes that finish while it is reviewed are inserted as rows. On real clips in a
real library, and on the simulator for the takes that arrive."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QPersistentModelIndex, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from studio.config.settings import Settings
from studio.library.ops import DecisionEntry, ops_for
from studio.review.keymap import load_keymap
from studio.review.rubric import load_active
from studio.review.session import ReviewSession
from studio.services import RunOptions, Services, open_services
from studio.sim.state import SimConfig
from studio.store import JobStatus, Store
from studio.ui.review.review_panel import ReviewPanel
from studio.ui.review.take_list import JobIdRole, TakeListModel
from studio.ui.shell.main_window import MainWindow
from tests.jobs.conftest import FAST_POLL
from tests.ui.review_library import make_library
from tests.ui.test_day_one import until

TAKES = 12


@pytest.fixture(scope="module")
def library_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("take_list")
    make_library(root, TAKES, variants=True)[0].close()
    return root


@pytest.fixture
def review(qtbot: QtBot, library_root: Path, tmp_path: Path) -> Iterator[tuple[ReviewPanel, Store]]:
    """The panel over a copy of the library, short enough that the take list scrolls; the
    library's changes reach it as they reach the window's (every listener of the store)."""
    for name in ("studio.db", "studio.db-wal", "studio.db-shm"):
        source = library_root / name
        if source.exists():
            (tmp_path / name).write_bytes(source.read_bytes())
    shutil.copytree(library_root / "library", tmp_path / "library")
    store = Store(tmp_path / "studio.db")
    ids = sorted(j.id for j in store.jobs.with_status(JobStatus.READY))
    panel = ReviewPanel(load_keymap()[0])
    qtbot.addWidget(panel)
    panel.resize(1280, 420)
    panel.show()
    qtbot.waitExposed(panel)
    stop = ops_for(store).listen(panel.on_library_change)
    panel.open(ReviewSession(store, load_active(store), ids, reviewer="ana"), store,
               tmp_path / "library")  # fmt: skip
    panel.setFocus()
    yield panel, store
    stop()
    panel.player.stop()
    store.close()


class Told:
    """What the take list told its views: dataChanged row ranges, resets, inserted rows."""

    def __init__(self, model: TakeListModel) -> None:
        self.changed: list[tuple[int, int]] = []
        self.resets = 0
        self.inserted: list[tuple[int, int]] = []
        model.dataChanged.connect(lambda a, b, _roles=(): self.changed.append((a.row(), b.row())))
        model.modelReset.connect(self._reset)
        model.rowsInserted.connect(lambda _p, a, b: self.inserted.append((a, b)))

    def _reset(self) -> None:
        self.resets += 1

    def rows(self) -> set[int]:
        return {r for first, last in self.changed for r in range(first, last + 1)}

    def clear(self) -> None:
        self.changed.clear()


def decided_elsewhere(store: Store, session: ReviewSession, row: int, decision: str) -> None:
    """A decision made in the Library (or another pass) on the take at `row`."""
    ops_for(store).decide(
        [DecisionEntry(session.takes[row].job_id, decision)],
        reviewer="bo",
        rubric_id=session.rubric.rubric_id,
    )


def keys(panel: ReviewPanel, *sequence: str) -> None:
    for key in sequence:
        combo = QKeySequence(key)[0]
        QTest.keyClick(panel.focusWidget() or panel, combo.key(), combo.keyboardModifiers())


def selected_rows(panel: ReviewPanel) -> list[int]:
    return sorted({i.row() for i in panel.list.selectionModel().selectedIndexes()})


def select(panel: ReviewPanel, rows: list[int], current: int) -> None:
    """As a person does: click one take, Ctrl-click the others (the current one last)."""
    selection = panel.list.selectionModel()
    selection.clear()
    flag = selection.SelectionFlag
    for row in rows:
        selection.select(panel.takes.index(row), flag.Select)
    selection.setCurrentIndex(panel.takes.index(current), flag.NoUpdate)


def test_the_take_list_passes_qtmodeltester(
    qtmodeltester: ModelTester, review: tuple[ReviewPanel, Store]
) -> None:
    panel, _store = review
    qtmodeltester.check(panel.takes, force_py=True)
    keys(panel, "B")  # blind: the rows move (a layout change), every row reads differently
    keys(panel, "B")
    assert panel.takes.rowCount() == TAKES


def test_a_decision_changes_that_row_only(qtbot: QtBot, review: tuple[ReviewPanel, Store]) -> None:
    panel, store = review
    session = panel.session
    assert session is not None
    told = Told(panel.takes)
    panel.list.setCurrentIndex(panel.takes.index(4))
    assert session.index == 4
    keys(panel, "2", "2", "2")  # scored: the take's row says its total
    assert told.rows() == {4}
    told.clear()
    keys(panel, "A")  # decided; auto-advance goes to the next take not decided
    assert session.takes[4].decision is not None
    assert session.index == 5
    assert told.changed == [(4, 4)]
    assert "approved" in panel.takes.index(4).data()
    assert told.resets == 0

    # Decided elsewhere (the Library, another pass): that take's row, no other.
    told.clear()
    decided_elsewhere(store, session, 9, "discard")
    assert told.changed == [(9, 9)]
    assert "discarded" in panel.takes.index(9).data()
    told.clear()
    ops_for(store).star([session.takes[2].job_id, session.takes[3].job_id], True)
    assert told.changed == [(2, 3)]  # one run of adjacent rows
    assert told.resets == 0


def test_selection_current_and_scroll_survive_changes_to_other_takes(
    qtbot: QtBot, review: tuple[ReviewPanel, Store]
) -> None:
    panel, store = review
    session = panel.session
    assert session is not None
    told = Told(panel.takes)
    bar = panel.list.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)  # the list scrolls
    select(panel, [7, 8, 10], current=8)
    panel.list.scrollTo(panel.takes.index(10))
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=5000)
    place = bar.value()
    current = panel.list.currentIndex()
    assert current.row() == 8

    decided_elsewhere(store, session, 1, "approve")
    ops_for(store).star([session.takes[2].job_id], True)
    decided_elsewhere(store, session, 8, "edit")  # the take in view
    keys(panel, "S")  # a star here, on the take in view, with several selected
    assert session.takes[8].starred
    # What the change posted (a relayout, a scroll) is delivered now, before the checks
    QApplication.sendPostedEvents()
    QApplication.processEvents()
    assert selected_rows(panel) == [7, 8, 10]
    assert panel.list.currentIndex() == current
    assert bar.value() == place
    assert told.resets == 0
    assert told.rows() == {1, 2, 8}

    # Blind mode draws another order: the rows move and the selection goes with its takes.
    chosen = {session.takes[r].job_id for r in (7, 8, 10)}
    keys(panel, "B")
    assert session.blind
    now = {panel.takes.index(r).data(JobIdRole) for r in selected_rows(panel)}
    assert now == chosen
    assert panel.list.currentIndex().data(JobIdRole) == session.take.job_id
    assert told.resets == 0


def test_a_thumbnail_is_read_again_only_for_a_take_whose_clip_changed(
    review: tuple[ReviewPanel, Store],
) -> None:
    panel, store = review
    session = panel.session
    assert session is not None
    model = panel.takes
    icon = Qt.ItemDataRole.DecorationRole
    assert all(model.index(r).data(icon) is not None for r in range(TAKES))  # all cached
    read: list[int] = []  # the takes whose thumbnail file was looked up
    resolve = panel.asset_path

    def asset_path(job_id: int, kind: str) -> Path | None:
        if kind == "thumbnail":
            read.append(job_id)
        return resolve(job_id, kind)

    panel.asset_path = asset_path  # type: ignore[method-assign]
    told = Told(model)
    ops_for(store).star([session.takes[0].job_id], True)  # a star: no new thumbnail
    decided_elsewhere(store, session, 1, "discard")
    assert [model.index(r).data(icon) is not None for r in range(TAKES)] == [True] * TAKES
    assert read == []
    target = session.takes[3].job_id
    assert panel.library is not None
    ops_for(store).delete_local_clips(panel.library, [target])  # its files are gone
    assert told.rows() == {0, 1, 3}
    assert [model.index(r).data(icon) is None for r in range(TAKES)] == [
        r == 3 for r in range(TAKES)
    ]
    assert read == [target]  # read again for that take only


# ---- takes that arrive ----------------------------------------------------------------------


@pytest.fixture
def window(qtbot: QtBot, qloop: qasync.QEventLoop) -> Iterator[tuple[MainWindow, Services]]:
    """The window on the simulator, its renders taking 0.3 to 4 s each, drawn from a fixed
    seed: of three, the first is ready in 0.8 s, the other two about 2.3 s after it."""
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1400, 800)
    win.show()
    sim = SimConfig(render_range=(0.3, 4.0), seed=1)
    services = qloop.run_until_complete(
        open_services(
            Settings(daily_cap=5.0), RunOptions(sim_config=sim, poll=FAST_POLL, prescreen=False)
        )
    )
    win.attach(services)
    qloop.run_until_complete(until(lambda: win.editor.model_box.count() > 0, 10))
    yield win, services
    if win.panels_built:
        win.review.player.stop()
    current = win.detach()
    if current is not None:
        qloop.run_until_complete(current.close())


def test_takes_of_the_batch_under_review_are_inserted_as_they_finish(
    qloop: qasync.QEventLoop, window: tuple[MainWindow, Services]
) -> None:
    win, services = window
    editor, store = win.editor, services.store

    def ready() -> list[int]:
        return sorted(j.id for j in store.jobs.with_status(JobStatus.READY))

    async def scenario() -> None:
        editor.starter.setCurrentIndex(editor.starter.findData("background-loop"))
        editor.starter.activated.emit(editor.starter.currentIndex())
        editor.size_box.setCurrentIndex(editor.size_box.findData("640x360"))
        editor.variant_slot.setCurrentIndex(editor.variant_slot.findData("style"))
        editor.variant_values.setPlainText("calm\nmoody\nretro")
        editor.refresh()
        editor.submit.click()
        await until(ready, 20)
        first = ready()[0]
        win.open_job(first)  # the batch, with what has finished of it so far
        review = win.review
        model = review.takes
        assert model.rowCount() < 3
        told = Told(model)
        kept = QPersistentModelIndex(review.list.currentIndex())
        await until(lambda: model.rowCount() == 3, 30)
        assert told.resets == 0
        assert told.inserted
        assert all(first_row >= 1 for first_row, _ in told.inserted)  # after the first take
        rows = [model.index(r).data(JobIdRole) for r in range(3)]
        assert rows[0] == first
        assert set(rows) == set(ready())
        assert kept.isValid()
        assert kept.row() == 0  # the take in view stayed in view
        assert review.session is not None
        assert review.session.take.job_id == first
        assert all(model.index(r).data() for r in range(3))  # each says what it is

    qloop.run_until_complete(scenario())
