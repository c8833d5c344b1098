"""Learned names in the real window on the simulator (issue 20): a policy refusal teaches its
names to the editor's linter at once (no restart), only names ("Warm" and "Cinematic" never),
a learned name also on the shipped list warns once, and "Not a name" on a learned name's check
dismisses it for the loaded template — stored in the library, gone for every version of that
template and only for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QPoint, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from studio.config.settings import Settings
from studio.jobs.events import JobChanged
from studio.library.ops import ops_for
from studio.prompts import Linter, PromptSlots, load_presets
from studio.services import RunOptions, Services, open_services
from studio.sim.state import SimConfig
from studio.store import Store
from studio.ui.shell.main_window import MainWindow
from studio.ui.write.checks import TERM
from studio.ui.write.editor import PromptEditor
from studio.ui.write.names import NameLearning
from tests.helpers import job_values
from tests.jobs.conftest import FAST_POLL
from tests.ui.test_main_window import statuses, until

REFUSED = PromptSlots(
    subject="Taylor Swift meets Zorblax Quinn",
    action="on stage",
    lighting="Warm backlight",
    style="Cinematic",
)
LEARNED = "was in a prompt of yours that moderation refused"


@pytest.fixture
def refusing(qtbot: QtBot, qloop: qasync.QEventLoop) -> Iterator[tuple[MainWindow, Services]]:
    """The window on a simulator whose moderation refuses Zorblax Quinn (on no shipped list)
    and Taylor Swift (on the shipped one)."""
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    sim = SimConfig(render_seconds=0.3, moderation_terms=["zorblax quinn", "taylor swift"])
    services = qloop.run_until_complete(
        open_services(Settings(), RunOptions(sim_config=sim, poll=FAST_POLL))
    )
    win.attach(services)
    qloop.run_until_complete(until(lambda: win.editor.model_box.count() > 0, 10))
    yield win, services
    current = win.detach()
    if current is not None:
        qloop.run_until_complete(current.close())


def checks(editor: PromptEditor) -> list[str]:
    return [editor.lint_list.item(i).text() for i in range(editor.lint_list.count())]


def blocked(editor: PromptEditor) -> list[str]:
    return [c for c in checks(editor) if "moderation" in c]


def write(editor: PromptEditor, slots: PromptSlots) -> None:
    """Type into each slot (the lint runs on its timer, as when a person types)."""
    for slot, value in slots.as_dict().items():
        editor.fields[slot].setPlainText(value)


def test_a_refusal_teaches_its_names_at_once_and_not_a_name_dismisses_one(
    qloop: qasync.QEventLoop, refusing: tuple[MainWindow, Services]
) -> None:
    win, services = refusing
    editor = win.editor
    ops = ops_for(services.store)
    template = ops.save_template("spring", "speaker", "demo", {"subject": "x"}, note="")
    other = ops.save_template("spring", "speaker", "social", {"subject": "x"}, note="")
    zorblax = PromptSlots(subject="a portrait of Zorblax Quinn", action="smiling")

    async def scenario() -> None:
        write(editor, zorblax)
        await until(lambda: "smiling" in editor.composed.toPlainText(), 5)
        assert blocked(editor) == []  # on no list yet

        write(editor, REFUSED)
        editor.submit.click()
        await until(lambda: statuses(win) == ["failed (policy)"], 30)
        # the checks of the refused prompt itself, redone at once: both names, each once
        await until(lambda: any(LEARNED in c for c in checks(editor)), 5)
        assert blocked(editor) == [
            "Subject: “Taylor Swift” is likely blocked by moderation (real people, brands, "
            "characters), and a prompt of yours with it was refused before.",
            "Subject: “Zorblax Quinn” was in a prompt of yours that moderation refused: "
            "likely a real person, brand or character.",
        ]
        assert set(editor.linter.learned) == {"taylor swift", "zorblax quinn"}  # no "warm"

        write(editor, PromptSlots(subject="a red fox", action="trots", lighting="warm light",
                                  style="cinematic"))  # fmt: skip
        await until(lambda: "trots" in editor.composed.toPlainText(), 5)
        assert blocked(editor) == []  # "Warm" and "Cinematic" were never learned

        # "Not a name", for the loaded template
        win.load_template(template)
        write(editor, zorblax)
        await until(lambda: any(LEARNED in c for c in checks(editor)), 5)
        row = next(i for i, c in enumerate(checks(editor)) if LEARNED in c)
        item = editor.lint_list.item(row)
        assert item.data(TERM) == "zorblax quinn"
        menu = editor.lint_list.menu_for(item)
        assert menu is not None
        (action,) = menu.actions()
        assert action.text() == "Not a name (in template spring / speaker / demo)"
        action.trigger()
        await until(lambda: blocked(editor) == [], 5)
        assert services.store.not_names.for_template(template.id) == {"zorblax quinn"}
        assert "no longer flagged in template spring / speaker / demo" in editor.status.text()

        # a new version of it: still dismissed; another template: flagged again
        newer = ops.save_template("spring", "speaker", "demo", {"subject": "y"}, note="v2")
        win.load_template(newer)
        write(editor, zorblax)
        await until(lambda: "smiling" in editor.composed.toPlainText(), 5)  # checked then too
        assert blocked(editor) == []
        win.load_template(other)
        write(editor, zorblax)
        await until(lambda: len(blocked(editor)) == 1, 5)
        # a shipped name is not offered "Not a name"
        write(editor, PromptSlots(subject="Taylor Swift", action="waves"))
        await until(lambda: any("Taylor" in c for c in blocked(editor)), 5)
        row = next(i for i, c in enumerate(checks(editor)) if "Taylor" in c)
        assert editor.lint_list.menu_for(editor.lint_list.item(row)) is None

    qloop.run_until_complete(scenario())


@pytest.fixture
def editor(qtbot: QtBot) -> PromptEditor:
    widget = PromptEditor(load_presets(), Linter(learned_blocked=["Zorblax"]))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def open_menu_and(qtbot: QtBot, editor: PromptEditor, act: str) -> str:
    """Right-click the first check, then `act` on its menu ("trigger" its entry, or just
    close it); says the entry's text and whether it was enabled."""
    seen: list[str] = []

    def on_menu() -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(20, on_menu)  # not shown yet
            return
        (action,) = menu.actions()
        seen.append(f"{action.text()} · {'enabled' if action.isEnabled() else 'disabled'}")
        if act == "trigger" and action.isEnabled():
            action.trigger()
        menu.close()

    QTimer.singleShot(0, on_menu)
    view = editor.lint_list
    where = view.visualItemRect(view.item(0)).center()
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, where, view.viewport().mapToGlobal(where)
    )
    QApplication.sendEvent(view.viewport(), event)  # returns once the menu is closed
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    return seen[0]


# A popup menu on the offscreen platform: its notes on what it cannot do, not faults.
POPUP_NOTES = pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")


@POPUP_NOTES
def test_not_a_name_by_the_context_menu(qtbot: QtBot, editor: PromptEditor) -> None:
    write(editor, PromptSlots(subject="Zorblax", action="waves"))
    qtbot.waitUntil(lambda: "Zorblax" in editor.lint_list.item(0).text(), timeout=2000)
    # no template loaded: said why, nothing sent
    with qtbot.assertNotEmitted(editor.name_dismissed):
        said = open_menu_and(qtbot, editor, "trigger")
    assert said == "Not a name — load or save a template to say so · disabled"

    editor.set_template("spring / speaker / demo", frozenset())
    with qtbot.waitSignal(editor.name_dismissed, timeout=5000) as dismissed:
        said = open_menu_and(qtbot, editor, "trigger")
    assert said == "Not a name (in template spring / speaker / demo) · enabled"
    assert dismissed.args == ["zorblax"]
    editor.set_template("spring / speaker / demo", frozenset({"zorblax"}))  # as the store says
    assert not any("Zorblax" in editor.lint_list.item(i).text()
                   for i in range(editor.lint_list.count()))  # fmt: skip


@POPUP_NOTES
def test_the_menu_key_opens_it_for_the_current_check(qtbot: QtBot, editor: PromptEditor) -> None:
    editor.set_template("spring / speaker / demo", frozenset())
    write(editor, PromptSlots(subject="Zorblax", action="waves"))
    qtbot.waitUntil(lambda: "Zorblax" in editor.lint_list.item(0).text(), timeout=2000)
    view = editor.lint_list
    view.setCurrentRow(0)
    seen: list[str] = []

    def on_menu() -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(20, on_menu)
            return
        seen.append(menu.actions()[0].text())
        menu.actions()[0].trigger()
        menu.close()

    QTimer.singleShot(0, on_menu)
    with qtbot.waitSignal(editor.name_dismissed, timeout=5000):
        event = QContextMenuEvent(
            QContextMenuEvent.Reason.Keyboard, QPoint(0, 0), view.mapToGlobal(QPoint(0, 0))
        )
        QApplication.sendEvent(view.viewport(), event)
    assert seen == ["Not a name (in template spring / speaker / demo)"]


def test_names_of_earlier_refusals_and_of_another_process(
    qtbot: QtBot, editor: PromptEditor, tmp_path: Path
) -> None:
    """At start the library's earlier refusals are read (a restart keeps what was learned);
    a refusal another process reports (through the watch, as a JobChanged) is learned too;
    other failures teach nothing."""
    store = Store(tmp_path / "s.db")
    with store.db.write() as tx:
        for n, (prompt, failure) in enumerate(
            [("Warm shot of Krumbo Vale", "policy"), ("Glorbix spins", "render")]
        ):
            store.jobs.insert(
                tx, job_values(n, prompt=prompt, status="failed", failure_class=failure), at=1.0
            )
    editor.linter = Linter()
    names = NameLearning(editor, store, ops_for(store))
    names.start()
    assert editor.linter.learned == {"krumbo vale": "Krumbo Vale"}

    with store.db.write() as tx:  # as another process's engine would
        later = store.jobs.insert(
            tx, job_values(3, prompt="Flumox on a beach", status="failed", failure_class="policy"),
            at=2.0,
        )  # fmt: skip
    write(editor, PromptSlots(subject="Flumox", action="waves"))
    qtbot.waitUntil(lambda: "waves" in editor.composed.toPlainText(), timeout=2000)
    assert blocked(editor) == []
    names.on_event(JobChanged(later, "running", frozenset({"status"})))  # not refused (yet)
    assert "flumox" not in editor.linter.learned
    names.on_event(JobChanged(later, "failed", frozenset({"status"})))
    assert "flumox" in editor.linter.learned
    assert blocked(editor) == [  # checked again at once
        "Subject: “Flumox” was in a prompt of yours that moderation refused: "
        "likely a real person, brand or character."
    ]
    store.close()
