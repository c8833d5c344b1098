"""The template library: save versions with notes, search, mark known-good, load into the editor."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from studio.prompts import PromptSlots
from studio.store import Store
from studio.ui.write.templates import SaveTemplateDialog, TemplatePanel, TemplateTableModel


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "studio.db")
    save = store.templates.save
    save("spring", "sneaker", "social ad", {"subject": "a sneaker"}, change_note="", at=1)
    save("spring", "sneaker", "social ad", {"subject": "a red sneaker"}, change_note="red", at=2)
    save("autumn", "mug", "loop", {"subject": "a steaming mug"}, change_note="", at=3)
    return store


def test_model_passes_qtmodeltester(qtmodeltester: ModelTester, store: Store) -> None:
    model = TemplateTableModel(store.templates)
    model.reload()
    qtmodeltester.check(model, force_py=True)
    model.search("mug", known_good_only=False, latest_only=False)
    qtmodeltester.check(model, force_py=True)


def test_panel_searches_and_marks_known_good(qtbot: QtBot, store: Store) -> None:
    panel = TemplatePanel()
    qtbot.addWidget(panel)
    panel.set_store(store)

    def shown() -> list[tuple[str, str]]:
        m = panel.model
        return [(m.index(r, 0).data(), m.index(r, 3).data()) for r in range(m.rowCount())]

    assert shown() == [("autumn", "v1"), ("spring", "v2")]  # latest versions only
    panel.all_versions.setChecked(True)
    assert shown() == [("autumn", "v1"), ("spring", "v2"), ("spring", "v1")]
    qtbot.keyClicks(panel.search, "RED")
    assert shown() == [("spring", "v2")]
    assert "a red sneaker" in panel.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)

    panel.view.selectRow(0)
    assert panel.mark.text() == "Mark known-good"
    qtbot.mouseClick(panel.mark, Qt.MouseButton.LeftButton)
    assert panel.selected() is not None
    assert panel.selected().known_good
    assert panel.mark.text() == "Unmark known-good"
    panel.search.clear()
    panel.known_good.setChecked(True)
    assert shown() == [("spring", "v2")]
    qtbot.keyClicks(panel.search, "nothing like this")
    assert shown() == []
    assert panel.empty.text() == "No template matches."

    loaded: list[object] = []
    panel.load_requested.connect(loaded.append)
    panel.search.clear()
    panel.view.selectRow(0)
    qtbot.mouseClick(panel.load, Qt.MouseButton.LeftButton)
    assert [t.slots for t in loaded] == [{"subject": "a red sneaker"}]  # type: ignore[attr-defined]


def test_save_dialog_explains_what_is_missing(qtbot: QtBot, store: Store) -> None:
    origin = store.templates.versions("spring", "sneaker", "social ad")[-1]
    dialog = SaveTemplateDialog(store, PromptSlots(subject="a blue sneaker"), origin)
    qtbot.addWidget(dialog)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    # An existing template: version 3 needs a change note.
    assert dialog.version.text() == "Saves as version 3"
    assert not save.isEnabled()
    assert "change note" in dialog.problem.text()
    qtbot.keyClicks(dialog.note, "blue for the autumn drop")
    assert save.isEnabled()
    assert dialog.problem.text() == ""
    # A blank name is named in the message; the typed note stays.
    dialog.boxes["product"].setCurrentText("  ")
    assert not save.isEnabled()
    assert "product" in dialog.problem.text()
    assert dialog.note.text() == "blue for the autumn drop"
    # A new name starts at version 1, where no note is needed.
    dialog.boxes["product"].setCurrentText("boot")
    dialog.note.clear()
    assert dialog.version.text() == "Saves as version 1 (a new template)"
    assert save.isEnabled()
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert dialog.saved is not None
    assert (dialog.saved.product, dialog.saved.version) == ("boot", 1)
    assert store.templates.get(dialog.saved.id).slots["subject"] == "a blue sneaker"


def test_an_empty_prompt_cannot_be_saved(qtbot: QtBot, store: Store) -> None:
    dialog = SaveTemplateDialog(store, PromptSlots(), None)
    qtbot.addWidget(dialog)
    for key, text in (("campaign", "c"), ("product", "p"), ("use_case", "u")):
        dialog.boxes[key].setCurrentText(text)
    assert "prompt is empty" in dialog.problem.text()
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled()
