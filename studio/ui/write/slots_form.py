"""The prompt's slots as a form: a starter (a use case that fills every slot), one field per
slot, and presets beside the slots that have them (camera, lighting, style)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics, QTextCursor
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QPlainTextEdit, QWidget

from studio.prompts import LABELS, SLOTS, Preset, PromptSlots

PRESET_SLOTS = {"camera": "camera", "lighting": "lighting", "style": "style"}
PLACEHOLDERS = {
    "subject": "who or what, e.g. a red fox",
    "action": "what it does",
    "setting": "where and when",
    "camera": "shot and movement",
    "lighting": "light and time of day",
    "style": "look and mood",
    "constraints": "what must not appear, e.g. no text overlays, no logos",
}


class SlotEdit(QPlainTextEdit):
    """A two-line text field; long pastes are kept whole (the linter says if it is too long)."""

    def __init__(self, placeholder: str) -> None:
        super().__init__()
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)
        line = QFontMetrics(self.font()).lineSpacing()
        self.setFixedHeight(int(line * 2.4) + 10)

    def text(self) -> str:
        return self.toPlainText()


class SlotsForm(QWidget):
    edited = Signal()  # a slot's text changed (typed, a preset, filled)
    starter_chosen = Signal(object)  # PromptSlots: a use case, to fill every slot with

    def __init__(self, presets: dict[str, list[Preset]]) -> None:
        super().__init__()
        self.presets = presets
        self.starter = QComboBox()
        self.starter.addItem("Start from a use case…", None)
        for preset in presets.get("starter", []):
            self.starter.addItem(preset.name, preset.id)
        self.starter.activated.connect(self._apply_starter)
        self.fields: dict[str, SlotEdit] = {}
        self.preset_boxes: dict[str, QComboBox] = {}
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.starter)
        for slot in SLOTS:
            edit = SlotEdit(PLACEHOLDERS[slot])
            edit.textChanged.connect(self.edited)
            self.fields[slot] = edit
            if slot not in PRESET_SLOTS:
                form.addRow(LABELS[slot], edit)
                continue
            box = QComboBox()
            box.setFixedWidth(130)
            box.addItem("Preset…", None)
            for preset in presets.get(PRESET_SLOTS[slot], []):
                box.addItem(preset.name, preset.id)
            box.activated.connect(lambda _i, s=slot: self._apply_preset(s))
            self.preset_boxes[slot] = box
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(box, 0, Qt.AlignmentFlag.AlignTop)
            form.addRow(LABELS[slot], row)

    def slots(self) -> PromptSlots:
        return PromptSlots(**{slot: self.fields[slot].text() for slot in SLOTS})

    def set_slots(self, slots: PromptSlots) -> None:
        for slot, value in slots.as_dict().items():
            self.fields[slot].setPlainText(value)
            self.fields[slot].moveCursor(QTextCursor.MoveOperation.End)  # typing goes on from there

    def _apply_preset(self, slot: str) -> None:
        box = self.preset_boxes[slot]
        preset = next(
            (p for p in self.presets.get(PRESET_SLOTS[slot], []) if p.id == box.currentData()), None
        )
        if preset is not None:
            self.fields[slot].setPlainText(preset.slots[slot])
        box.setCurrentIndex(0)  # ready for the next pick

    def _apply_starter(self) -> None:
        preset = next(
            (p for p in self.presets.get("starter", []) if p.id == self.starter.currentData()), None
        )
        if preset is not None:
            self.starter_chosen.emit(PromptSlots.from_mapping(preset.slots))
        self.starter.setCurrentIndex(0)
