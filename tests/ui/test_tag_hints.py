"""Defect tags teach the linter, in the real window: once a template's takes are tagged, the
editor's checks hint on the slot the tag most often came with, with its counts and the
takes behind it; "Show these takes" opens the Library on them; "Dismiss for this template"
puts the hint away for every version of the template, after more tagging and a restart too.
A preset's hint shows while the prompt uses the preset."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
import qasync
from PySide6.QtWidgets import QListWidgetItem

from studio.library.ops import DecisionEntry, ops_for
from studio.prompts import load_presets
from studio.ui.write.checks import HINT
from studio.ui.write.editor import PromptEditor
from tests.store.tagged import add_take
from tests.ui.test_day_one import Opened, close, until

WHIP = {"subject": "a sprinter", "action": "bursts off the blocks", "camera": "fast whip pans"}
DOLLY = {**WHIP, "camera": "slow dolly in"}
HINTED = "Camera: jitter on 5 of 8 reviewed takes of this template with “fast whip pans”."


def hint_items(editor: PromptEditor) -> list[QListWidgetItem]:
    items = (editor.lint_list.item(i) for i in range(editor.lint_list.count()))
    return [item for item in items if item.data(HINT) is not None]


def hint_texts(editor: PromptEditor) -> list[str]:
    return [item.text() for item in hint_items(editor)]


def test_a_templates_tagged_takes_hint_until_dismissed_also_after_a_restart(
    qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, services = open_window()
    store, editor = services.store, win.editor
    ops = ops_for(store)
    template = ops.save_template("spring", "sprint", "social", DOLLY, note="first")
    whips = [add_take(store, WHIP, template_id=template.id) for _ in range(8)]
    dollies = [add_take(store, DOLLY, template_id=template.id) for _ in range(8)]
    win.load_template(template)
    assert hint_texts(editor) == []  # nothing tagged yet

    # a review pass tags five whip pans and one dolly move, and approves the rest
    ops.set_tags({i: ["jitter"] for i in [*whips[:5], dollies[0]]})
    clean = [DecisionEntry(i, "approve") for i in [*whips[5:], *dollies[1:]]]
    ops.decide(clean, reviewer="ana", rubric_id=None)
    qloop.run_until_complete(until(lambda: hint_texts(editor) == [HINTED], 5))
    (item,) = hint_items(editor)
    assert item.toolTip().startswith(
        f"Tagged jitter: {', '.join(f'#{i}' for i in whips[:5])}, of 8 reviewed takes."
    )

    # "Show these takes": the Library workspace on exactly those takes
    menu = editor.lint_list.menu_for(item)
    assert menu is not None
    show, dismiss = menu.actions()
    assert show.text() == "Show these takes (5) in the Library"
    assert dismiss.text() == "Dismiss for template spring / sprint / social"
    show.trigger()
    assert win.workspace.name == "library"
    panel = win.library.panel
    assert panel.query.text() == f'template:{template.id} tag:jitter "fast whip pans"'
    assert sorted(panel.hits) == whips[:5]

    # tagged while the editor is off screen: counted again once it is back, not before
    assert not editor.isVisible()
    counts = win.tag_hints
    assert counts is not None
    ops.set_tags({whips[5]: ["jitter"]})
    assert not counts.busy  # nothing counted while off screen
    assert [h.tagged for h in editor.hints] == [tuple(whips[:5])]
    win.show_workspace("write")
    six = HINTED.replace("5 of 8", "6 of 8")
    qloop.run_until_complete(until(lambda: hint_texts(editor) == [six], 5))

    # "Dismiss for this template": gone, and stays gone as more takes are tagged
    (item,) = hint_items(editor)
    menu = editor.lint_list.menu_for(item)
    assert menu is not None
    _, dismiss = menu.actions()
    dismiss.trigger()
    qloop.run_until_complete(until(lambda: hint_texts(editor) == [], 5))
    assert store.tag_hints.dismissed(template.id) == {("jitter", "camera", "fast whip pans")}
    assert "Dismissed for template spring / sprint / social" in editor.status.text()
    ops.set_tags({whips[6]: ["jitter"]})  # now 7 of 8
    assert counts.busy  # counted again, on screen
    qloop.run_until_complete(until(lambda: not counts.busy, 5))
    assert hint_texts(editor) == []

    # a restart, and a new version of the template: still gone
    close(qloop, win)
    again, services = open_window()
    newer = ops_for(services.store).save_template("spring", "sprint", "social", WHIP, note="v2")
    again.load_template(newer)
    qloop.run_until_complete(until(lambda: "sprinter" in again.editor.composed.toPlainText(), 5))
    assert hint_texts(again.editor) == []
    # another tag still teaches: only the dismissed hint stays away
    ops_for(services.store).set_tags({i: ["logo"] for i in dollies[1:4]})
    logo = "Camera: logo on 3 of 8 reviewed takes of this template with “slow dolly in”."
    qloop.run_until_complete(until(lambda: hint_texts(again.editor) == [logo], 5))


def test_a_presets_hint_shows_while_the_prompt_uses_the_preset(
    qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    window, services = open_window()
    store, editor = services.store, window.editor
    ops = ops_for(store)
    handheld = next(p for p in load_presets()["camera"] if p.id == "handheld")
    shaky = [add_take(store, {**WHIP, "camera": handheld.slots["camera"]}, template_id=None)
             for _ in range(4)]  # fmt: skip
    steady = [add_take(store, DOLLY, template_id=None) for _ in range(8)]
    ops.set_tags({i: ["jitter"] for i in shaky[:3]})
    ops.decide([DecisionEntry(i, "approve") for i in [shaky[3], *steady]], reviewer="ana",
               rubric_id=None)  # fmt: skip

    for slot, text in WHIP.items():
        editor.fields[slot].setPlainText(text)
    box = editor.preset_boxes["camera"]
    box.setCurrentIndex(box.findData("handheld"))
    box.activated.emit(box.currentIndex())  # the preset chosen, as a click does
    expected = "Camera: jitter on 3 of 4 reviewed takes with the camera preset “Handheld”."
    qloop.run_until_complete(until(lambda: hint_texts(editor) == [expected], 5))
    (item,) = hint_items(editor)
    menu = editor.lint_list.menu_for(item)
    assert menu is not None
    show, dismiss = menu.actions()
    assert not dismiss.isEnabled()  # no template loaded: nothing to dismiss it for
    show.trigger()
    assert sorted(window.library.panel.hits) == shaky[:3]

    window.show_workspace("write")
    editor.fields["camera"].setPlainText("static wide")  # the preset is no longer used
    qloop.run_until_complete(until(lambda: hint_texts(editor) == [], 5))


def test_a_count_that_fails_is_logged_and_the_next_one_shows_the_hints(
    qloop: qasync.QEventLoop,
    open_window: Callable[[], Opened],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from studio.ui.write import tag_hints

    win, services = open_window()
    store, editor, counts = services.store, win.editor, win.tag_hints
    assert counts is not None
    ops = ops_for(store)
    template = ops.save_template("spring", "sprint", "social", DOLLY, note="first")
    whips = [add_take(store, WHIP, template_id=template.id) for _ in range(8)]
    dollies = [add_take(store, DOLLY, template_id=template.id) for _ in range(8)]
    ops.set_tags({i: ["jitter"] for i in [*whips[:5], dollies[0]]})
    clean = [DecisionEntry(i, "approve") for i in [*whips[5:], *dollies[1:]]]
    ops.decide(clean, reviewer="ana", rubric_id=None)
    qloop.run_until_complete(until(lambda: not counts.busy, 5))
    real, failures = tag_hints._count, [sqlite3.OperationalError("database is locked")]

    def count_once_failing(*args: Any) -> Any:
        if failures:
            raise failures.pop()
        return real(*args)

    monkeypatch.setattr(tag_hints, "_count", count_once_failing)
    win.load_template(template)
    qloop.run_until_complete(until(lambda: not counts.busy, 5))
    assert hint_texts(editor) == []  # the editor goes on without them
    assert "could not be counted: Could not count the hints from defect tags: " in caplog.text
    assert "OperationalError: database is locked" in caplog.text
    win.load_template(template)  # counted again: the failure left nothing stuck
    qloop.run_until_complete(until(lambda: hint_texts(editor) == [HINTED], 5))
