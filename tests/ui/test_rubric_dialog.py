"""Editing the rubric in the app makes a new version; a wrong field is named, edits kept."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtWidgets import QTableWidgetItem
from pytestqt.qtbot import QtBot

from studio.review.keymap import load_keymap
from studio.review.rubric import load_active
from studio.store import Store
from studio.ui.review.keys_overlay import KeysOverlay
from studio.ui.review.rubric_dialog import RubricDialog


def test_edit_threshold_and_anchor_saves_a_new_version(qtbot: QtBot, tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    active = load_active(store)
    dialog = RubricDialog(store, active)
    qtbot.addWidget(dialog)
    dialog.table.setItem(1, 4, QTableWidgetItem(""))  # framing: no anchor for a 1
    dialog.threshold.setValue(4)
    dialog.save()
    assert dialog.saved is None
    assert "criteria[2].anchors" in dialog.problem.text()
    assert dialog.threshold.value() == 4  # nothing typed is lost
    dialog.table.setItem(1, 4, QTableWidgetItem("Camera roughly right"))
    dialog.save()
    assert dialog.saved is not None
    assert dialog.saved.version == 2
    again = load_active(store)
    assert again.version == 2
    assert again.rubric.pass_threshold == 4
    assert again.rubric.criteria[1].anchors[1] == "Camera roughly right"
    store.close()


def test_keys_overlay_lists_every_binding(qtbot: QtBot) -> None:
    keymap = load_keymap()[0]
    overlay = KeysOverlay(keymap)
    qtbot.addWidget(overlay)
    text = overlay.text()
    for binding in keymap.values():
        assert html.escape(binding.text) in text
    assert "Shift+D" in text
