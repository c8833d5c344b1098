"""The whole window on the built-in simulator: queue five variants, watch them finish."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from studio.config.settings import Settings
from studio.prompts import PromptSlots
from studio.services import RunOptions, Services, open_services
from studio.sim.state import SimConfig
from studio.ui.shell.main_window import MainWindow
from studio.ui.write.queue_model import COLUMNS
from studio.ui.write.templates import SaveTemplateDialog
from tests.jobs.conftest import FAST_POLL

STATUS = next(i for i, c in enumerate(COLUMNS) if c.key == "status")


@pytest.fixture
def window(qtbot: QtBot, qloop: qasync.QEventLoop) -> Iterator[tuple[MainWindow, Services]]:
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    services = qloop.run_until_complete(
        open_services(
            Settings(daily_cap=5.0),
            RunOptions(sim_config=SimConfig(render_seconds=0.4), poll=FAST_POLL, prescreen=False),
        )
    )
    win.attach(services)
    qloop.run_until_complete(until(lambda: win.editor.model_box.count() > 0, 10))  # models
    yield win, services
    if win.panels_built:
        win.review.player.stop()
    current = win.detach()
    if current is not None:
        qloop.run_until_complete(current.close())


def statuses(win: MainWindow) -> list[str]:
    model = win.queue.view.model()
    return [model.index(r, STATUS).data() for r in range(model.rowCount())]


async def until(check: object, seconds: float = 60) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not check():  # type: ignore[operator]
        if loop.time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.1)


def test_five_variants_reach_ready_in_the_queue(
    qloop: qasync.QEventLoop, window: tuple[MainWindow, Services]
) -> None:
    win, services = window
    editor = win.editor

    async def scenario() -> None:  # Qt events and tasks all run inside the qasync loop
        editor.starter.setCurrentIndex(editor.starter.findData("background-loop"))
        editor.starter.activated.emit(editor.starter.currentIndex())
        editor.size_box.setCurrentIndex(editor.size_box.findData("640x360"))
        editor.variant_slot.setCurrentIndex(editor.variant_slot.findData("style"))
        editor.variant_values.setPlainText("calm\nmoody\nplayful\nretro\nmuted pastel")
        editor.refresh()
        assert editor.submit.text().startswith("Queue 5 variants")
        assert "left today" in editor.cost.text()
        editor.submit.click()
        await until(lambda: len(statuses(win)) == 5, 10)
        await until(lambda: statuses(win) == ["ready"] * 5)

    qloop.run_until_complete(scenario())
    jobs = services.store.jobs.with_status(*services.store.jobs.count_by_status())
    assert len({j.batch_id for j in jobs}) == 1  # one group
    assert win.spend.text() == "$4.00 left today of $5.00"
    win.queue.view.selectRow(0)
    win.open_job(win.queue.selected_ids()[0])
    assert win.review.player.clip is not None
    assert win.review.player.clip.is_file()
    session = win.review.session
    assert session is not None
    assert len(session.takes) == 5  # the whole batch is up for review

    # Edit → the editor gets the take's slots; the revision is its child, in the lineage.
    take = session.take.job_id
    win.review.decide("edit")
    assert editor.parent_job == take
    assert "Revising take" in editor.status.text()
    stored = services.store.jobs.get(take)
    assert stored is not None
    assert stored.spec.slots is not None
    assert editor.slots().style == stored.spec.slots["style"]
    editor.variant_slot.setCurrentIndex(0)
    editor.fields["action"].setPlainText("drifts slowly left to right")

    async def revision() -> None:
        editor.request_submit()
        await until(lambda: services.store.jobs.children(take), 10)
        child = services.store.jobs.children(take)[0]
        await until(lambda: services.store.jobs.get(child.id).status.value == "ready")  # type: ignore[union-attr]

    qloop.run_until_complete(revision())
    child = services.store.jobs.children(take)[0]
    assert child.parent_id == take
    assert editor.parent_job is None  # the next render is a fresh one
    win.open_lineage(child.id)
    assert win.lineage.job_ids() == [take, child.id]
    assert win.stage.currentWidget() is win.lineage


def test_budget_cap_refusal_is_shown_and_nothing_is_lost(
    qloop: qasync.QEventLoop, window: tuple[MainWindow, Services]
) -> None:
    win, services = window
    services.store.budgets.set_cap("daily", "*", 0.10)
    editor = win.editor
    editor.starter.setCurrentIndex(editor.starter.findData("explainer"))
    editor.starter.activated.emit(editor.starter.currentIndex())
    editor.size_box.setCurrentIndex(editor.size_box.findData("640x360"))
    typed = editor.slots()
    editor.request_submit()
    said = "Daily budget too small for this render: $0.00 of $0.10"
    qloop.run_until_complete(until(lambda: said in editor.status.text(), 5))
    assert editor.slots() == typed
    assert statuses(win) == []
    editor.size_box.setCurrentIndex(editor.size_box.count() - 1)  # something changes: the
    assert editor.status.text() == ""  # complaint was about the render as it was


def test_save_a_template_version_then_load_it_back(
    qtbot: QtBot, window: tuple[MainWindow, Services]
) -> None:
    win, services = window
    editor = win.editor
    editor.set_slots(PromptSlots(subject="a ceramic mug", setting="a sunny kitchen"))

    def fill_and_save(campaign: str, note: str) -> None:
        dialog = next(
            w for w in QApplication.topLevelWidgets() if isinstance(w, SaveTemplateDialog)
        )
        dialog.boxes["campaign"].setCurrentText(campaign)
        dialog.boxes["product"].setCurrentText("mug")
        dialog.boxes["use_case"].setCurrentText("product demo")
        dialog.note.setText(note)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    QTimer.singleShot(0, lambda: fill_and_save("winter", ""))
    win.commands["render.save_template"].trigger()  # Ctrl+S; the dialog runs modally
    assert editor.status.text() == "Saved template winter / mug / product demo v1."
    editor.fields["setting"].setPlainText("a snowy cabin")
    QTimer.singleShot(0, lambda: fill_and_save("winter", "snow instead of sun"))
    win.commands["render.save_template"].trigger()
    versions = services.store.templates.versions("winter", "mug", "product demo")
    assert [(t.version, t.change_note) for t in versions] == [(1, ""), (2, "snow instead of sun")]

    win.commands["render.templates"].trigger()  # Ctrl+Shift+F: search the library
    assert win.templates.search.hasFocus() or not win.isActiveWindow()
    win.templates.all_versions.setChecked(True)
    qtbot.keyClicks(win.templates.search, "sunny")
    assert win.templates.model.rowCount() == 1
    editor.set_slots(PromptSlots(subject="something else"))
    win.templates.view.selectRow(0)
    win.templates.load.click()
    assert editor.slots() == PromptSlots(subject="a ceramic mug", setting="a sunny kitchen")
    assert "v1" in editor.status.text()
