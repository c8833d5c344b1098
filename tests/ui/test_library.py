"""The Library tab, the export dialog and File › Import, driven as a reviewer would."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QItemSelectionModel, QSize, Qt
from pytestqt.qtbot import QtBot

from studio.core.spec import RenderRequest, RenderSpec
from studio.store import JobRow, JobStatus
from studio.store.search import MAX_TERMS, SORT_KEYS, save_search
from studio.ui.library import library_panel
from studio.ui.library.export_dialog import ExportDialog
from studio.ui.library.library_model import COLUMNS
from studio.ui.library.library_panel import LibraryPanel
from studio.ui.shell.main_window import MainWindow
from tests.helpers import scheduler_looked
from tests.ui.test_day_one import Opened, until


def render(
    qloop: qasync.QEventLoop, services: object, prompts: list[str], project: str
) -> list[JobRow]:
    engine = services.engine  # type: ignore[attr-defined]

    async def go() -> list[JobRow]:
        queued = await engine.submit_batch(
            [RenderSpec(model="sim-fast", prompt=p, seconds=4, size="640x360") for p in prompts],
            name=project,
            project=project,
        )
        return await asyncio.wait_for(engine.wait_finished([j.id for j in queued.jobs]), 60)

    return qloop.run_until_complete(go())


def open_library(qloop: qasync.QEventLoop, win: MainWindow) -> LibraryPanel:
    """The Library tab brought to the front, its search run once."""
    win.library.show_tab(metrics=False)
    panel = win.library.panel
    panel.mode.setCurrentIndex(0)  # the table: a row per take
    qloop.run_until_complete(until(lambda: panel.model is not None, 10))
    return panel


def test_search_facets_and_opening_a_take(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, services = open_window()
    fox, kite = render(qloop, services, ["a red fox in snow", "a red kite over dunes"], "launch")
    (boat,) = render(qloop, services, ["a paper boat"], "holiday")
    services.store.verdicts.decide(fox.id, "approve", reviewer="ana", at=time.time())
    assert win.library.panel.model is None  # behind the Queue tab: nothing read at start-up
    win.library.show_tab(metrics=False)
    panel = win.library.panel
    panel.mode.setCurrentIndex(0)  # the table: a row per take
    panel.run_search()
    assert panel.count.text() == "3 takes"
    facets = {
        panel.facets.topLevelItem(i).text(0): [
            panel.facets.topLevelItem(i).child(c).text(0)
            for c in range(panel.facets.topLevelItem(i).childCount())
        ]
        for i in range(panel.facets.topLevelItemCount())
    }
    assert facets["Project"] == ["launch  (2)", "holiday  (1)"]
    assert "approve  (1)" in facets["Decision"]
    groups = {
        panel.facets.topLevelItem(i).text(0): panel.facets.topLevelItem(i)
        for i in range(panel.facets.topLevelItemCount())
    }
    assert {"Template", "Size", "Duration", "Failure class", "Total score", "Star",
            "Reviewer", "Date"} <= set(groups)  # fmt: skip
    duration = groups["Duration"]
    assert not duration.isExpanded()
    assert duration.childCount() == 0  # not counted until opened
    duration.setExpanded(True)
    seconds = {s.seconds for s in (fox.spec, kite.spec, boat.spec)}
    assert [duration.child(c).text(0) for c in range(duration.childCount())] == [
        f"{n} s  (3)" for n in seconds
    ]
    groups["Failure class"].setExpanded(True)
    assert groups["Failure class"].child(0).text(0) == "none among these takes"

    qtbot.keyClicks(panel.query, "red")
    panel.run_search()
    assert panel.count.text() == "2 takes"
    opened = next(
        panel.facets.topLevelItem(i)
        for i in range(panel.facets.topLevelItemCount())
        if panel.facets.topLevelItem(i).text(0) == "Duration"
    )
    assert opened.isExpanded()  # an opened facet stays open and follows the search
    assert opened.child(0).text(0).endswith("(2)")
    launch = panel.facets.topLevelItem(0).child(0)  # Project › launch (2)
    panel._facet_clicked(launch)
    assert panel.query.text() == "red project:launch"
    panel.query.setText("red decision:approve")
    panel.run_search()
    assert panel.count.text() == "1 take"
    index = panel.view.model().index(0, 0)
    assert index.data() == f"#{fox.id}"
    panel.view.setFocus()
    panel.view.setCurrentIndex(index)
    qtbot.keyClick(panel.view, Qt.Key.Key_Return)  # opening a take goes to review
    qloop.run_until_complete(until(lambda: win.reviewing, 10))
    session = win.stage.review.session
    assert session is not None
    assert fox.id in [t.job_id for t in session.takes]
    # the provenance read when the clip was downloaded shows beside the player
    assert "Provenance: no C2PA manifest" in win.stage.review.info.text()

    panel.query.setText("")
    panel.run_search()
    services.store.verdicts.decide(kite.id, "discard", reviewer="ana", at=time.time(),
                                   scores={"m": 1})  # fmt: skip
    services.store.verdicts.decide(boat.id, "edit", reviewer="ana", at=time.time(),
                                   scores={"m": 2, "f": 2})  # fmt: skip
    panel.run_search()
    panel.view.sortByColumn(COLUMNS.index("Score"), Qt.SortOrder.DescendingOrder)
    column = [panel.view.model().index(r, COLUMNS.index("Score")).data() for r in range(3)]
    assert column == ["4", "1", "—"]  # the fox has no score: last either way
    panel.view.sortByColumn(COLUMNS.index("Prompt"), Qt.SortOrder.AscendingOrder)
    first = panel.view.model().index(0, COLUMNS.index("Prompt")).data()
    assert first.startswith("a paper boat")
    panel.run_search()  # a new search keeps the chosen order
    assert panel.view.model().index(0, COLUMNS.index("Prompt")).data() == first
    services.store.verdicts.set_tags(kite.id, ["jitter"], at=time.time())
    services.store.verdicts.set_tags(boat.id, ["blur", "logo"], at=time.time())
    panel.run_search()
    panel.view.sortByColumn(COLUMNS.index("Tags"), Qt.SortOrder.AscendingOrder)
    take = [panel.view.model().index(r, 0).data() for r in range(3)]
    assert take == [f"#{boat.id}", f"#{kite.id}", f"#{fox.id}"]  # by first tag; none: last
    for c in range(len(COLUMNS)):  # every column sorts, and keeps every take
        panel.view.sortByColumn(c, Qt.SortOrder.DescendingOrder)
        shown = {panel.view.model().index(r, 0).data() for r in range(3)}
        assert shown == {f"#{t.id}" for t in (fox, kite, boat)}, COLUMNS[c]
    assert {c.lower() for c in COLUMNS} <= set(SORT_KEYS)

    panel.query.setText('"unbalanced -( * project:')  # odd input is a search, never an error
    panel.run_search()
    assert panel.count.text() == "0 takes"
    assert kite.id != boat.id


def test_a_term_the_search_cannot_use_is_told_and_the_text_kept(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    open_window: Callable[[], Opened],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    win, services = open_window()
    render(qloop, services, ["a red fox in snow", "a red kite over dunes"], "launch")
    panel = open_library(qloop, win)
    assert panel.problem.isHidden()

    def search(text: str) -> None:  # typed, then Enter
        panel.query.setFocus()  # as a click in the field puts it there
        panel.query.clear()
        qtbot.keyClicks(panel.query, text)
        qtbot.keyClick(panel.query, Qt.Key.Key_Return)

    search("red shot:99999999999999999999")
    assert panel.problem.isVisible()
    assert panel.problem.text() == (
        "shot:99999999999999999999: number too large (at most 9223372036854775807)"
    )
    assert panel.query.text() == "red shot:99999999999999999999"  # kept, to be corrected
    assert panel.count.text() == "2 takes"  # the rest of the search answers
    search("red date:9999-12-31")  # the last day there is: searched
    assert panel.problem.isHidden()
    assert panel.count.text() == "0 takes"
    many = "red " * 1000
    panel.query.setText(many)  # pasted
    qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    assert panel.problem.text() == "red: too many terms (only the first 100 are searched)"
    assert panel.query.text() == many
    assert panel.count.text() == "2 takes"
    search("fox")
    assert panel.problem.isHidden()
    assert panel.count.text() == "1 take"

    def unreadable(*_: object) -> list[int]:  # the library, not the text
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(library_panel, "search_hits", unreadable)
    search("kite date:0001-01-01")
    assert panel.problem.text() == (
        "date:0001-01-01: date out of range (1970-01-01 to 9999-12-31); "
        "The search could not run: database is locked."
    )
    assert panel.query.text() == "kite date:0001-01-01"
    assert panel.count.text() == "1 take"  # what was shown stays


def test_export_dialog_shows_progress_and_writes_the_folder(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened], tmp_path: Path
) -> None:
    win, services = open_window()
    takes = render(qloop, services, ["a heron", "an owl", "a crane"], "birds")
    for job in takes[:2]:
        services.store.verdicts.decide(job.id, "approve", reviewer="ana", at=time.time())
    save_search(services.store.db, "owls", "owl", at=time.time())
    save_search(services.store.db, "then", "birds date:0001-01-01", at=time.time())
    win.commands["library.export"].trigger()
    dialog = win.library.dialog
    assert isinstance(dialog, ExportDialog)
    scopes = [dialog.scope.itemText(i) for i in range(dialog.scope.count())]
    assert scopes == [
        "The whole library — 2 approved",
        "Saved search “owls”",  # run if chosen
        "Saved search “then”, not usable: "  # its date left out, it would export more
        "date:0001-01-01: date out of range (1970-01-01 to 9999-12-31) — 0 approved",
    ]
    dialog.scope.setCurrentIndex(1)
    assert [j.id for j in dialog.jobs] == [takes[1].id]
    assert dialog.scope.itemText(1) == "Saved search “owls” — 1 approved"
    dialog.scope.setCurrentIndex(0)
    assert len(dialog.jobs) == 2  # the approved ones
    dialog.begin()
    assert "Choose a folder" in dialog.status.text()  # nothing typed: said, nothing lost
    qtbot.keyClicks(dialog.folder, "/")
    assert dialog.status.text() == ""  # being corrected: the complaint goes
    dialog.folder.clear()
    dialog.template.setText("{project}_{colour}")
    dialog.folder.setText(str(tmp_path / "out"))
    dialog.begin()
    assert "unknown field(s) colour" in dialog.status.text()
    assert dialog.folder.text() == str(tmp_path / "out")  # what was typed is kept
    dialog.template.setText("{project}_{take}")
    running = dialog.begin()
    assert running is not None
    qloop.run_until_complete(running)
    qtbot.waitUntil(lambda: "2 clips exported to" in dialog.status.text(), timeout=10_000)
    assert dialog.progress.value() == 1000
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [
        "SHA256SUMS",
        f"birds_{takes[0].id:06d}.json",
        f"birds_{takes[0].id:06d}.mp4",
        f"birds_{takes[1].id:06d}.json",
        f"birds_{takes[1].id:06d}.mp4",
        "manifest.json",
    ]
    again = dialog.begin()
    assert again is not None
    qloop.run_until_complete(again)
    qtbot.waitUntil(lambda: "2 already there (identical, skipped)" in dialog.status.text())
    dialog.reject()
    win.commands["library.export"].trigger()  # the folder last exported to is offered
    assert win.library.dialog.folder.text() == str(tmp_path / "out")  # type: ignore[union-attr]
    win.library.dialog.reject()  # type: ignore[union-attr]

    win.library.show_tab(metrics=False)  # from the Library: the selection comes first
    win.library.panel.mode.setCurrentIndex(0)  # the table
    panel = win.library.panel
    qloop.run_until_complete(until(lambda: panel.model is not None, 10))
    panel.query.setText("heron")
    panel.run_search()
    panel.view.selectRow(0)
    qtbot.mouseClick(panel.export, Qt.MouseButton.LeftButton)
    dialog = win.library.dialog
    assert isinstance(dialog, ExportDialog)
    assert dialog.scope.itemText(0) == "The takes selected in the Library — 1 approved"
    assert [j.id for j in dialog.jobs] == [takes[0].id]
    panel.query.setText("crane")  # not approved: said, and nothing to start
    panel.run_search()
    dialog.reject()
    qtbot.mouseClick(panel.export, Qt.MouseButton.LeftButton)
    dialog = win.library.dialog
    assert isinstance(dialog, ExportDialog)
    assert "None of these takes is approved" in dialog.what.text()
    assert dialog.scope.itemText(0) == "The takes found by the search in the Library — 0 approved"
    assert not dialog.start.isEnabled()
    dialog.reject()


def test_import_from_the_file_menu_restores_an_export(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened], tmp_path: Path
) -> None:
    from studio.export import export_takes, takes_to_export

    win, services = open_window()
    (take,) = render(qloop, services, ["a lantern"], "night")
    services.store.verdicts.decide(take.id, "approve", reviewer="ana", at=time.time())
    out = tmp_path / "handoff"
    export_takes(services.store, services.library, takes_to_export(services.store), out)
    (out / "notes.txt").write_text("not a clip")
    sidecar = json.loads((out / f"night_{take.id:06d}_{take.id:06d}_approve.json").read_text())
    assert sidecar["review"]["decision"] == "approve"
    win.library.import_folder(str(out))
    qloop.run_until_complete(until(lambda: "Skipped" in win._notice.text.text(), 20))
    text = win._notice.text.text()
    assert "0 clips imported, 1 already in the library" in text
    assert "notes.txt: not a video file" in text
    assert services.store.jobs.count_by_status() == {JobStatus.READY: 1}
    win.library.import_folder(str(tmp_path / "gone"))  # a failure is said, as an error
    qloop.run_until_complete(until(lambda: "is not a folder" in win._notice.text.text(), 20))
    assert win._notice.property("error") is True


def test_metrics_tab_shows_the_table_a_chart_and_alerts(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened], tmp_path: Path
) -> None:
    win, services = open_window()
    assert win.library.metrics is None  # built when first shown, not at start-up
    takes = render(qloop, services, ["a heron", "an owl"], "birds")
    services.store.verdicts.decide(takes[0].id, "approve", reviewer="ana", at=time.time())
    services.store.verdicts.decide(takes[1].id, "discard", reviewer="ana", at=time.time())
    services.set_daily_cap(2.0)
    services.store.budgets.set_cap("project", "birds", 0.80)
    win.library.show_tab(metrics=True)
    qloop.run_until_complete(until(lambda: win.library.metrics is not None, 10))
    panel = win.library.metrics
    table = panel.table  # type: ignore[attr-defined]
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    row = {h: table.item(0, c).text() for c, h in enumerate(headers)}
    assert row["group"] == "birds"
    assert (row["takes"], row["reviewed"], row["approved"], row["approval %"]) == (
        "2",
        "2",
        "1",
        "50",
    )
    assert row["spend $"] == "0.40"
    assert len(panel.chart.getPlotItem().listDataItems()) == 2  # type: ignore[attr-defined]
    assert row["top defect tags"] == "—"
    trend = panel.trend  # type: ignore[attr-defined]
    trend.setCurrentIndex(trend.findText("Cost per approved clip"))
    (line,) = panel.chart.getPlotItem().listDataItems()  # type: ignore[attr-defined]
    assert list(line.yData) == [pytest.approx(0.40)]  # $0.40 spent, one approved
    trend.setCurrentIndex(trend.findText("Latency"))
    assert len(panel.chart.getPlotItem().listDataItems()) == 2  # type: ignore[attr-defined]
    assert panel.alerts.item(0).text() == "No budget alerts."  # type: ignore[attr-defined]
    today = panel.spend[-1]  # type: ignore[attr-defined]
    assert (today.day, today.spent, today.cap) == (dt.date.today(), pytest.approx(0.40), 2.0)
    spend_items = panel.spend_chart.getPlotItem().items  # type: ignore[attr-defined]
    assert {type(i).__name__ for i in spend_items} >= {"BarGraphItem", "PlotDataItem"}
    for chart in (panel.chart, panel.spend_chart):  # type: ignore[attr-defined]
        assert not chart.getAxis("left").autoSIPrefix  # $0.40 is not "400 (x0.001)"
    services.set_daily_cap(None)
    panel.refresh()  # type: ignore[attr-defined]
    spend_items = panel.spend_chart.getPlotItem().items  # type: ignore[attr-defined]
    assert [type(i).__name__ for i in spend_items] == ["BarGraphItem"]  # no cap: no line
    caps = panel.caps  # type: ignore[attr-defined]
    assert [caps.item(0, c).text() for c in range(4)] == ["birds", "0.40", "0.80", "50 %"]
    out = tmp_path / "metrics.csv"
    panel.export_csv(str(out))  # type: ignore[attr-defined]
    assert out.read_text().splitlines()[1].startswith("birds,2,2,1,0.5,")


def test_bulk_star_and_delete_local_clips(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, services = open_window()
    takes = render(qloop, services, ["a heron", "an owl"], "birds")
    panel = open_library(qloop, win)
    panel.run_search()
    panel.view.selectAll()
    assert panel.star.text() == "Star"
    qtbot.mouseClick(panel.star, Qt.MouseButton.LeftButton)
    assert services.store.verdicts.starred() == {t.id for t in takes}
    assert panel.star.text() == "Unstar"  # says what the next click does
    assert win.statusBar().currentMessage() == "Starred 2 takes."
    qtbot.mouseClick(panel.star, Qt.MouseButton.LeftButton)  # all starred: unstar
    assert services.store.verdicts.starred() == set()
    assert panel.star.text() == "Star"
    assert win.statusBar().currentMessage() == "Unstarred 2 takes."

    asked: list[str] = []
    win.library.confirm = lambda question: asked.append(question) is None and False
    panel.view.selectRow(0)
    qtbot.mouseClick(panel.delete, Qt.MouseButton.LeftButton)
    newest = max(t.id for t in takes)
    video = services.store.assets.file(services.library, newest, "video")
    assert video is not None
    assert video.is_file()  # the person said no: nothing deleted
    assert "cannot be fetched again" in asked[0]
    win.library.confirm = lambda question: True
    qtbot.mouseClick(panel.delete, Qt.MouseButton.LeftButton)
    assert not video.exists()
    assert services.store.assets.deleted_on_purpose(newest)
    assert services.store.jobs.get(newest) is not None  # the row and its history stay
    again = services.engine.refetch(newest)  # and nothing fetches it again
    assert again is not None
    assert again.status is JobStatus.READY
    qloop.run_until_complete(scheduler_looked(services.engine))
    assert not video.exists()


def test_saved_searches_live_in_the_library_menu(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, services = open_window()
    render(qloop, services, ["a red fox", "a red kite"], "launch")
    actions = win.library
    actions.panel.query.setText("kite project:launch")
    actions.ask_name = lambda: "launch kites"
    actions.save_search()
    actions.menu.aboutToShow.emit()
    entry = next(a for a in actions.menu.actions() if a.text() == "launch kites")
    actions.panel.query.setText("")
    entry.trigger()
    assert actions.panel.query.text() == "kite project:launch"
    assert actions.panel.count.text() == "1 take"
    assert win.library.library_in_view()  # the Library workspace, its library in front
    actions.forget("launch kites")
    actions.menu.aboutToShow.emit()
    assert "launch kites" not in [a.text() for a in actions.menu.actions()]
    assert "&Library" in [a.text() for a in win.menuBar().actions()]


def test_project_caps_are_set_and_seen_in_the_metrics_tab(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, services = open_window()
    render(qloop, services, ["a heron"], "birds")
    win.library.show_tab(metrics=True)
    qloop.run_until_complete(until(lambda: win.library.metrics is not None, 10))
    panel = win.library.metrics
    services.set_daily_cap(None)
    panel.refresh()  # type: ignore[attr-defined]
    spend_items = panel.spend_chart.getPlotItem().items  # type: ignore[attr-defined]
    assert [type(i).__name__ for i in spend_items] == ["BarGraphItem"]  # no cap: no line
    caps = panel.caps  # type: ignore[attr-defined]
    assert [caps.item(0, c).text() for c in range(3)] == ["birds", "0.20", ""]
    caps.item(0, 2).setText("abc")
    said = panel.cap_problem.text()  # type: ignore[attr-defined]
    assert said == "'abc' is not an amount in dollars (e.g. 50 or 12.50): birds keeps no cap."
    assert services.store.budgets.cap("project", "birds") is None
    assert caps.item(0, 2).text() == ""  # the cell shows the cap in force, not the typo
    caps.item(0, 2).setText("5")
    assert services.store.budgets.cap("project", "birds") == 5.0
    assert caps.item(0, 2).text() == "5.00"
    assert panel.cap_problem.text() == "birds: cap $5.00."  # type: ignore[attr-defined]
    caps.item(0, 2).setText("0.30")  # $0.20 of it spent, past 50 %: the alert comes at once
    alerts = panel.alerts  # type: ignore[attr-defined]
    shown = [alerts.item(i).text() for i in range(alerts.count())]
    assert any("birds budget reached 50 %" in t for t in shown), shown
    assert panel.budgets.tabText(1) == "Budget alerts (1)"  # type: ignore[attr-defined]
    caps.item(0, 2).setText("")
    assert services.store.budgets.cap("project", "birds") is None  # cleared at once


def test_the_grid_stacks_a_shots_takes_and_opens_a_stack(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, services = open_window()
    (first,) = render(qloop, services, ["a heron lands"], "birds")

    async def revise() -> list[JobRow]:
        engine = services.engine
        spec = RenderSpec(model="sim-fast", prompt="a heron lands at dawn", seconds=4,
                          size="640x360")  # fmt: skip
        job = await engine.submit(spec, project="birds", parent_id=first.id)
        return await asyncio.wait_for(engine.wait_finished([job.id]), 60)

    (revision,) = qloop.run_until_complete(revise())
    (other,) = render(qloop, services, ["an owl"], "birds")

    async def variants() -> list[JobRow]:
        queued = await services.engine.submit_batch(
            [RenderRequest(RenderSpec(model="sim-fast", prompt=f"a crane, {c}", seconds=4,
                                      size="640x360"), variant=f"Camera: {c}")
             for c in ("slow push", "static wide")],
            name="crane", project="birds", varied_slot="camera",
        )  # fmt: skip
        return await asyncio.wait_for(
            services.engine.wait_finished([j.id for j in queued.jobs]), 60
        )

    cranes = qloop.run_until_complete(variants())
    panel = open_library(qloop, win)
    panel.mode.setCurrentIndex(2)  # Grid
    assert panel.gridded
    assert panel.count.text() == "5 takes"
    tiles = [panel.grid.model().index(r, 0).data() for r in range(panel.grid.model().rowCount())]
    # one tile per stack: the variant batch, the owl, the heron and its revision
    assert tiles == [f"#{cranes[-1].id} · 2 takes", f"#{other.id}", f"#{revision.id} · 2 takes"]
    assert panel.grid.iconSize() == QSize(176, 132)  # a 4:3 box: either aspect fits
    every = sorted([*(c.id for c in cranes), first.id, revision.id, other.id])
    assert sorted(panel.selected_or_all()) == every  # nothing selected: every take, not tiles
    panel.grid.selectionModel().select(
        panel.grid.model().index(2, 0), QItemSelectionModel.SelectionFlag.Select
    )
    assert sorted(panel.selected()) == [first.id, revision.id]  # a stack stands for its takes
    panel.query.setText(" ".join(["project:birds"] * MAX_TERMS))  # a search at the bound
    panel.run_search()
    panel.grid.selectionModel().select(
        panel.grid.model().index(2, 0), QItemSelectionModel.SelectionFlag.Select
    )
    assert sorted(panel.selected()) == [first.id, revision.id]  # still only its own takes
    panel.query.setText("")
    panel.run_search()
    panel._open(panel.grid.model().index(2, 0))  # opening a stack shows its takes
    assert panel.query.text() == f"shot:{first.id}"
    assert panel.gridded  # still the grid: a tile each
    assert panel.count.text() == "2 takes"
    tiles = [panel.grid.model().index(r, 0).data() for r in range(panel.grid.model().rowCount())]
    assert tiles == [f"#{revision.id}", f"#{first.id}"]
    panel.query.setText("")
    panel.run_search()  # stacked again
    panel._open(panel.grid.model().index(0, 0))  # the variant batch opens into its variants
    assert panel.query.text() == f"batch:{cranes[0].batch_id}"
    assert panel.count.text() == "2 takes"
    prompts = [panel.view.model().index(r, COLUMNS.index("Prompt")).data() for r in range(2)]
    assert sorted(prompts) == [  # what tells the variants apart comes first, as in the queue
        "Camera: slow push · a crane, slow push",
        "Camera: static wide · a crane, static wide",
    ]


def test_bulk_decide_and_tag_from_the_selection(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    open_window: Callable[[], Opened],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    win, services = open_window()
    takes = render(qloop, services, ["a heron", "an owl", "a crane"], "birds")
    ids = sorted(t.id for t in takes)
    win.review_takes(ids)  # a review pass is open over the same takes
    panel = open_library(qloop, win)
    panel.run_search()
    panel.view.selectAll()

    asked: list[str] = []
    approve = next(a for a in panel.decide_menu.actions() if a.objectName().endswith("approve"))
    monkeypatch.setattr("studio.ui.library.library_actions.MANY", 2)  # many takes: asked first
    win.library.confirm = lambda question: asked.append(question) is None and False
    approve.trigger()
    assert asked == ["Approve 3 takes at once? Each gets the decision in its history "
                     "(Undo in the review takes one back at a time)."]  # fmt: skip
    assert services.store.verdicts.current(ids) == {}  # the person said no
    monkeypatch.setattr("studio.ui.library.library_actions.MANY", 200)
    asked.clear()
    win.library.ask_reason = lambda question: asked.append(question) is None and ""
    approve.trigger()  # none is scored, so none passes: a reason is asked, the person gives none
    assert "do not pass" in asked[0]
    assert "(not scored)" in asked[0]
    assert services.store.verdicts.current(ids) == {}  # nothing decided without the reason

    win.library.ask_reason = lambda question: "client picked these for the mood board"
    approve.trigger()
    current = services.store.verdicts.current(ids)
    assert {current[i].decision for i in ids} == {"approve"}
    assert {current[i].note for i in ids} == {"client picked these for the mood board"}
    assert panel.count.text() == "3 takes"
    assert any(
        panel.facets.topLevelItem(i).child(j).text(0).startswith("approve")
        for i in range(panel.facets.topLevelItemCount())
        for j in range(panel.facets.topLevelItem(i).childCount())
    )  # the decision facet follows at once
    assert {t.decision.decision for t in win.review.session.takes if t.decision} == {"approve"}

    panel.tag_menu.aboutToShow.emit()  # the rubric's defect tags, as the menu opens
    names = [a.text() for a in panel.tag_menu.actions()]
    assert "jitter\t1" in names  # with its key in the grid
    panel.view.selectRow(0)
    first = panel.selected()[0]
    next(a for a in panel.tag_menu.actions() if a.text().split("\t")[0] == "jitter").trigger()
    assert services.store.verdicts.tags(first) == ["jitter"]
    panel.view.selectAll()
    jitter = next(a for a in panel.tag_menu.actions() if a.text().split("\t")[0] == "jitter")
    assert sorted(panel.selected()) == ids
    jitter.trigger()  # not all have it: all get it
    assert [services.store.verdicts.tags(i) for i in ids] == [["jitter"]] * 3
    jitter.trigger()  # all have it: it comes off all
    assert all(services.store.verdicts.tags(i) == [] for i in ids)
    panel.query.setText("tag:jitter")
    panel.run_search()
    assert panel.count.text() == "0 takes"

    panel.query.setText("")  # Enter on a selection of two reviews those two, not a batch
    panel.run_search()
    model = panel.view.model()
    panel.view.setFocus()
    panel.view.clearSelection()
    for row in (0, 2):
        panel.view.selectionModel().select(
            model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    panel.view.selectionModel().setCurrentIndex(
        model.index(2, 0), QItemSelectionModel.SelectionFlag.NoUpdate
    )
    chosen = sorted(panel.selected())
    assert len(chosen) == 2
    qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    qloop.run_until_complete(until(lambda: win.reviewing, 10))
    assert sorted(t.job_id for t in win.review.session.takes) == chosen


def test_takes_rendered_while_the_library_is_in_view_appear_with_thumbnails(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    """A take shown while it ran (no thumbnail yet) used to stay without one, and the
    Status facet said 'running' until the tab was left and shown again."""
    win, services = open_window()
    panel = open_library(qloop, win)
    assert panel.count.text() == "0 takes"
    (take,) = render(qloop, services, ["a heron"], "birds")

    def statuses() -> list[str]:
        group = next(
            panel.facets.topLevelItem(i)
            for i in range(panel.facets.topLevelItemCount())
            if panel.facets.topLevelItem(i).text(0) == "Status"
        )
        return [group.child(c).text(0) for c in range(group.childCount())]

    qloop.run_until_complete(until(lambda: statuses() == ["ready  (1)"], 10))  # ~1 s behind
    assert panel.count.text() == "1 take"
    index = panel.view.model().index(0, 0)
    assert index.data() == f"#{take.id}"
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None

    panel.view.setCurrentIndex(index)  # the keyboard's place stays on its take
    render(qloop, services, ["an owl"], "birds")
    qloop.run_until_complete(until(lambda: panel.count.text() == "2 takes", 10))
    current = panel.view.currentIndex()
    assert current.row() == 1  # the new take is first (newest first)
    assert current.siblingAtColumn(0).data() == f"#{take.id}"


def test_a_tab_left_in_front_is_filled_after_a_restart(
    qtbot: QtBot, qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    """A restart brings the Library workspace back with its Metrics tab in front, before the
    library is open: it used to come back empty, as it was shown before there was anything
    to read."""
    from tests.ui.test_day_one import close

    win, _ = open_window()
    win.library.show_tab(metrics=True)
    qloop.run_until_complete(until(lambda: win.library.metrics is not None, 10))
    close(qloop, win)
    again, _ = open_window()
    again.restore_review()  # as the app does once the library is open
    qloop.run_until_complete(until(lambda: again.library.metrics is not None, 10))
    assert again.library.page.widget(1) is again.library.metrics
    assert again.library.metrics_in_view()  # still the tab in front
