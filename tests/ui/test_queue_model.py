"""The queue model over a real store, checked by qtmodeltester and by engine-like events."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from studio.jobs.events import JobChanged
from studio.store import FailureClass, JobStatus, Store
from studio.ui.write.queue_model import COLUMNS, JobIdRole, JobTableModel, ProgressRole
from tests.helpers import job_values


def add(store: Store, prompt: str, status: JobStatus = JobStatus.QUEUED, **values: object) -> int:
    with store.db.write() as tx:
        return store.jobs.insert(
            tx,
            {
                "provider": "sim",
                "model": "sim-fast",
                "prompt": prompt,
                "spec_json": '{"seconds": 4, "size": "640x360", "model": "sim-fast"}',
                "idem_key": f"key-{prompt}",
                "status": status.value,
                "estimated_cost": 0.2,
                **values,
            },
            at=1_000.0,
        )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "s.db")


def column(key: str) -> int:
    return next(i for i, c in enumerate(COLUMNS) if c.key == key)


def test_model_passes_qtmodeltester(qtmodeltester: ModelTester, store: Store) -> None:
    for i in range(30):
        add(store, f"take {i}", JobStatus.READY if i % 3 else JobStatus.QUEUED)
    model = JobTableModel(store, now=lambda: 1_100.0)
    qtmodeltester.check(model, force_py=True)
    model.set_filter("finished")
    qtmodeltester.check(model, force_py=True)


def test_rows_show_the_store(store: Store) -> None:
    first = add(store, "a fox in snow")  # queued: the waiting rows come first
    add(
        store,
        "a heron",
        JobStatus.FAILED,
        failure_class=FailureClass.POLICY.value,
        failure_message="blocked",
    )
    model = JobTableModel(store, now=lambda: 1_100.0)
    assert model.rowCount() == 2
    assert model.index(1, column("status")).data() == "failed (policy)"
    assert model.index(1, column("status")).data(Qt.ItemDataRole.ToolTipRole) == (
        "#2 · failed (policy) — blocked"
    )
    assert model.index(1, column("take")).data() == "#2"
    assert model.index(0, column("prompt")).data() == "a fox in snow"
    assert model.index(0, column("output")).data() == "640x360 · 4 s"
    assert model.index(0, column("cost")).data() == "$0.20"
    assert model.index(0, 0).data(JobIdRole) == first


def test_events_update_only_what_changed(qtbot: object, store: Store) -> None:
    job_id = add(store, "a kite")
    model = JobTableModel(store, now=lambda: 1_100.0)
    changes: list[tuple[int, int, int]] = []
    model.dataChanged.connect(
        lambda a, b, roles=None: changes.append((a.row(), a.column(), b.column()))
    )
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    with store.db.write() as tx:
        store.jobs.update(tx, job_id, at=1_050.0, progress=40)
    model.job_changed(job_id, frozenset({"progress"}))
    assert changes == [(0, column("progress"), column("time"))]
    assert model.index(0, column("progress")).data() == "40%"
    assert resets == []


def test_new_jobs_arrive_at_their_place_and_filters_drop_rows(store: Store) -> None:
    """Waiting jobs first, in the order they will be sent; the others newest first."""
    old = add(store, "old")
    model = JobTableModel(store)
    model.set_filter("active")
    inserted: list[int] = []
    model.rowsInserted.connect(lambda parent, first, last: inserted.append(first))
    new = add(store, "new")
    model.job_changed(new, frozenset({"created"}))
    assert inserted == [1]  # queued after "old": sent after it
    running = add(store, "running", JobStatus.RUNNING)
    model.job_changed(running, frozenset({"created"}))
    assert inserted == [1, 2]  # under the waiting jobs, on top of the rest
    assert [model.job_id(r) for r in range(model.rowCount())] == [old, new, running]
    with store.db.write() as tx:
        store.jobs.transition(tx, old, JobStatus.READY, at=1_200.0)
    model.job_changed(old, frozenset({"status"}))
    assert [model.job_id(r) for r in range(model.rowCount())] == [new, running]
    with pytest.raises(ValueError, match="unknown filter"):
        model.set_filter("sparkly")


def test_the_starred_filter_shows_starred_takes_only(store: Store) -> None:
    kept = add(store, "kept", JobStatus.READY)
    add(store, "other", JobStatus.READY)
    store.verdicts.star(kept, True, at=1.0)
    model = JobTableModel(store)
    model.set_filter("starred")
    assert [model.job_id(r) for r in range(model.rowCount())] == [kept]
    later = add(store, "later")
    model.job_changed(later, frozenset({"created"}))  # not starred: it stays out
    assert model.rowCount() == 1


def test_engine_events_are_applied_together(
    qtbot: QtBot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A poll's worth of events costs one store read and one insertion, on the next turn."""
    old = add(store, "old")
    model = JobTableModel(store)
    reads: list[int] = []
    many = store.jobs.many
    monkeypatch.setattr(store.jobs, "many", lambda ids: reads.append(len(ids)) or many(ids))
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda parent, first, last: inserted.append((first, last)))
    changed: list[int] = []
    model.dataChanged.connect(
        lambda a, b, roles=None: b.column() != column("order") and changed.append(a.row())
    )
    new = [add(store, f"take {i}") for i in range(3)]
    with store.db.write() as tx:
        store.jobs.update(tx, old, at=1_050.0, progress=40)
    for job_id in new:
        model.on_event(JobChanged(job_id, "queued", frozenset({"created"})))
    model.on_event(JobChanged(old, "running", frozenset({"progress"})))
    model.on_event(JobChanged(old, "running", frozenset({"status"})))
    assert model.rowCount() == 1  # nothing applied yet: the UI thread is not held up
    qtbot.waitUntil(lambda: model.rowCount() == 4, timeout=2000)
    assert reads == [4]
    assert inserted == [(1, 3)]  # queued after the old one, in one insertion
    assert [model.job_id(r) for r in range(4)] == [old, *new]
    assert changed == [0]  # the old row, updated
    assert model.index(0, column("progress")).data() == "40%"


def test_large_library_reads_rows_lazily(store: Store) -> None:
    with store.db.write() as tx:
        for i in range(1500):
            store.jobs.insert(tx, job_values(i), at=1.0)
    model = JobTableModel(store)
    assert model.rowCount() == 1500
    assert model._cache == {}
    assert model.index(1499, column("prompt")).data() == "p0"
    assert len(model._cache) <= 200


def test_finished_jobs_show_their_thumbnail(store: Store, tmp_path: Path) -> None:
    from PIL import Image

    library = tmp_path / "library"
    (library / "clips" / "1").mkdir(parents=True)
    Image.new("RGB", (1280, 720), (10, 120, 200)).save(library / "clips/1/thumbnail.webp")
    job_id = add(store, "done", JobStatus.READY)
    with store.db.write() as tx:
        store.assets.add(
            tx,
            job_id=job_id,
            kind="thumbnail",
            path="clips/1/thumbnail.webp",
            sha256="x",
            size=1,
            duration=None,
            at=1.0,
        )
    queued = add(store, "waiting")
    model = JobTableModel(store, library=library)
    icon = model.index(model.row_of(job_id) or 0, column("prompt")).data(
        Qt.ItemDataRole.DecorationRole
    )
    assert icon is not None
    assert (icon.width(), icon.height()) == (48, 27)
    assert (
        model.index(model.row_of(queued) or 0, column("prompt")).data(
            Qt.ItemDataRole.DecorationRole
        )
        is None
    )


def test_take_names_batch_places_variants_and_run_order(store: Store) -> None:
    """A take is named by its job number everywhere, with its place in the batch beside it;
    variant takes show what they vary; queued rows show the order they will be sent in."""
    with store.db.write() as tx:
        batch = int(
            tx.execute(
                "INSERT INTO batches (name, project, created_at) VALUES ('b', 'default', 1)"
            ).lastrowid
            or 0
        )
    spec = '{{"model": "sim-fast", "seconds": 4, "size": "640x360", "variant": "Camera: {}"}}'
    ids = [
        add(store, f"fox {cam}", batch_id=batch, spec_json=spec.format(cam))
        for cam in ("slow push", "overhead")
    ]
    urgent = add(store, "urgent", priority=5)
    model = JobTableModel(store, now=lambda: 1_100.0)

    def shown(job_id: int, key: str) -> object:
        return model.index(model.row_of(job_id) or 0, column(key)).data()

    assert [shown(i, "take") for i in ids] == [f"#{ids[0]} · 1 of 2", f"#{ids[1]} · 2 of 2"]
    assert shown(urgent, "take") == f"#{urgent}"  # alone: no "1 of 1"
    assert shown(ids[1], "prompt") == "Camera: overhead · fox overhead"
    assert [shown(i, "order") for i in (urgent, *ids)] == ["1", "2", "3"]
    with store.db.write() as tx:  # "move to top" puts the second take first
        store.jobs.move(tx, [ids[1]], to_top=True, at=1_050.0)
        store.jobs.update(tx, urgent, at=1_050.0, priority=0)
    model.jobs_changed({ids[1]: frozenset({"queue_pos"}), urgent: frozenset({"priority"})})
    assert [shown(i, "order") for i in (ids[1], ids[0], urgent)] == ["1", "2", "3"]


def test_move_to_top_moves_the_row_and_the_selection_with_it(
    qtbot: QtBot, qtmodeltester: ModelTester, store: Store
) -> None:
    """'Move to top' changed the order number but left the row where it was (rows were
    newest first): the waiting rows now stand in the order they will be sent, at once."""
    done = add(store, "done", JobStatus.READY)
    urgent = add(store, "urgent", priority=5)
    a, b, c = (add(store, name) for name in ("a", "b", "c"))
    model = JobTableModel(store, now=lambda: 1_100.0)
    qtmodeltester.check(model, force_py=True)
    view = QTableView()
    view.setModel(model)
    qtbot.addWidget(view)
    rows = lambda: [model.job_id(r) for r in range(model.rowCount())]  # noqa: E731
    assert rows() == [urgent, a, b, c, done]
    rows_flag = (
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    view.selectionModel().select(model.index(model.row_of(c) or 0, 0), rows_flag)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    with store.db.write() as tx:  # what the engine does for queue.top, then its event
        store.jobs.move(tx, [c], to_top=True, at=1_050.0)
    model.on_event(JobChanged(c, "queued", frozenset({"queue_pos", "priority"})))
    qtbot.waitUntil(lambda: rows()[0] == c, timeout=2000)  # the next turn of the loop
    assert rows() == [c, urgent, a, b, done]  # sent first, even before a higher priority
    assert model.index(0, column("order")).data() == "1"
    assert view.selectionModel().selectedRows()[0].row() == 0  # the selection moved with it
    assert resets == []
    with store.db.write() as tx:
        store.jobs.move(tx, [urgent, a], to_top=False, at=1_060.0)
    model.jobs_changed({urgent: frozenset({"queue_pos"}), a: frozenset({"queue_pos"})})
    assert rows() == [c, b, urgent, a, done]
    assert [model.index(r, column("order")).data() for r in range(5)] == ["1", "2", "3", "4", ""]
    qtmodeltester.check(model, force_py=True)


def test_rows_queued_for_another_provider_say_so(store: Store) -> None:
    mine = add(store, "here")
    theirs = add(store, "there", provider="openai:https://gw.example/v1")
    model = JobTableModel(
        store, provider_key="sim", describe_provider=lambda key: f"<{key.split(':')[0]}>"
    )
    assert model.index(model.row_of(theirs) or 0, column("status")).data() == "waiting for <openai>"
    assert model.index(model.row_of(theirs) or 0, column("order")).data() == ""
    assert model.index(model.row_of(mine) or 0, column("status")).data() == "queued"


def test_failure_reason_is_readable_and_unsent_jobs_have_no_elapsed_time(store: Store) -> None:
    refused = add(
        store,
        "bad",
        JobStatus.FAILED,
        failure_class=FailureClass.REQUEST.value,
        failure_message="The model refused 4 s.",
        submitted_at=1_010.0,
        finished_at=1_020.0,
    )
    never_ran = add(store, "gone", JobStatus.CANCELLED, finished_at=1_090.0)
    model = JobTableModel(store, now=lambda: 1_100.0)
    details = model.details(model.job(model.row_of(refused) or 0))
    assert "The model refused 4 s." in details
    assert "Retry opens it in the editor to fix" in details
    assert model.index(model.row_of(refused) or 0, column("time")).data() == "0:10"
    assert model.index(model.row_of(never_ran) or 0, column("time")).data() == "—"


def test_time_left_counts_down_between_polls_and_says_estimating_first(
    qtbot: QtBot, store: Store
) -> None:
    """It counted up between polls (elapsed × (100 − p) / p with p standing still): "0:16
    left", then "0:27" at the same 26 %. A render of 100 s, polled every 5 s or so."""
    from studio.ui.write.queue_panel import PROGRESS, ProgressDelegate

    clock = [1_000.0]
    job = add(store, "a fox", JobStatus.RUNNING, submitted_at=1_000.0, progress=0)
    model = JobTableModel(store, now=lambda: clock[0])
    cell = model.index(model.row_of(job) or 0, column("time"))
    shown: list[str] = []
    for at, progress in ((1_005.0, 5), (1_010.0, 10), (1_016.0, 16), (1_021.0, 21),
                         (1_026.0, 26), (1_032.0, 32), (1_037.0, 37)):  # fmt: skip
        with store.db.write() as tx:
            store.jobs.update(tx, job, at=at, progress=progress)
        model.job_changed(job, frozenset({"progress"}))
        for second in range(5):  # the view's once-a-second refresh until the next poll
            clock[0] = at + second
            shown.append(cell.data())
    assert shown[0] == "0:05 · estimating"  # one report: no rate yet
    lefts = [t.split(" · ")[1].removesuffix(" left").split(":") for t in shown if "left" in t]
    figures = [int(m) * 60 + int(s) for m, s in lefts]
    assert len(figures) >= 20
    assert all(b <= a for a, b in itertools.pairwise(figures)), shown
    assert 60 <= figures[-1] <= 72, shown  # 100 s render, 42 s in: 58 s left, a little over
    assert model.index(model.row_of(job) or 0, column("progress")).data(ProgressRole) == 37

    # A provider that reports no progress (OpenRouter's shape): a busy bar and the elapsed
    # time, no "left" and no "estimating" that would never end.
    quiet = add(store, "a heron", JobStatus.RUNNING, submitted_at=1_000.0)
    model.job_changed(quiet, frozenset({"created"}))
    row = model.row_of(quiet) or 0
    assert model.index(row, column("progress")).data(ProgressRole) is None
    assert model.index(row, column("progress")).data() == ""
    assert model.index(row, column("time")).data() == "0:41"  # 1,041 − 1,000
    view = QTableView()
    view.setModel(model)
    view.setItemDelegateForColumn(PROGRESS, ProgressDelegate(view))
    qtbot.addWidget(view)
    view.resize(900, 200)
    assert not view.grab().isNull()  # both kinds of bar painted


def test_rows_keep_their_order_through_any_mix_of_changes(store: Store) -> None:
    """The rows moved one by one as jobs arrive, are sent, move, finish or wait again always
    stand where a model read afresh from the store puts them."""
    rng = random.Random(20)
    ids = [add(store, f"start {i}") for i in range(6)]
    model = JobTableModel(store)
    for step in range(120):
        jobs = {j.id: j for j in store.jobs.many(ids)}
        queued = [i for i, j in jobs.items() if j.status is JobStatus.QUEUED]
        sent = [i for i, j in jobs.items() if j.status is JobStatus.SUBMITTING]
        changes: dict[int, frozenset[str]] = {}
        with store.db.write() as tx:
            match rng.choice(["add", "send", "top", "bottom", "priority", "finish", "again"]):
                case "add":
                    values = job_values(f"s{step}", provider="sim", status="queued")
                    new = store.jobs.insert(tx, values, at=1_000.0)
                    ids.append(new)
                    changes[new] = frozenset({"created"})
                case "send" if queued:
                    job = rng.choice(queued)
                    store.jobs.transition(tx, job, JobStatus.SUBMITTING, at=1_000.0)
                    changes[job] = frozenset({"status"})
                case "top" | "bottom" as where if queued:
                    chosen = rng.sample(queued, min(2, len(queued)))
                    store.jobs.move(tx, chosen, to_top=where == "top", at=1_000.0)
                    changes.update((j, frozenset({"queue_pos", "priority"})) for j in chosen)
                case "priority" if queued:
                    job = rng.choice(queued)
                    store.jobs.update(tx, job, at=1_000.0, priority=rng.randint(0, 3))
                    changes[job] = frozenset({"priority"})
                case "finish" if sent:
                    job = rng.choice(sent)
                    store.jobs.transition(tx, job, JobStatus.READY, at=1_000.0)
                    changes[job] = frozenset({"status"})
                case "again" if sent:  # a lost create, queued again
                    job = rng.choice(sent)
                    store.jobs.transition(tx, job, JobStatus.QUEUED, at=1_000.0)
                    changes[job] = frozenset({"status"})
        model.jobs_changed(changes)
        shown = [model.job_id(r) for r in range(model.rowCount())]
        fresh = JobTableModel(store)
        assert shown == [fresh.job_id(r) for r in range(fresh.rowCount())], step
        assert [model.row_of(j) for j in shown] == list(range(len(shown)))  # its index too
