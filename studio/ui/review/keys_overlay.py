"""The shortcut overlay (?): every key, from the keymap, a tab per mode (review and the
player first, as it is opened from the review)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from studio.review.keymap import Binding

GROUPS = (
    ("review", "Review"),
    ("player", "Player"),
    ("grid", "Library grid"),
    ("pairwise", "Blind ranking"),
    ("app", "Window"),
    ("queue", "Queue"),
)


class KeysOverlay(QDialog):
    def __init__(self, keymap: dict[str, Binding], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keys")
        self.tabs = QTabWidget()
        self.tables: list[QLabel] = []
        for group, title in GROUPS:
            rows = "".join(
                f"<tr><td align=right><b>{html.escape(_native(b.keys) or '—')}</b></td>"
                f"<td>&nbsp;&nbsp;{html.escape(b.text)}</td></tr>"
                for b in keymap.values()
                if b.group == group
            )
            table = QLabel(f"<table cellspacing=6>{rows}</table>")
            table.setTextFormat(Qt.TextFormat.RichText)
            table.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            self.tables.append(table)
            page = QScrollArea()  # a long mode (review) scrolls rather than leave the screen
            page.setWidget(table)
            page.setWidgetResizable(True)
            self.tabs.addTab(page, title)
        note = QLabel("Change them in keymap.toml in Studio's settings folder.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def text(self) -> str:
        """Every tab's table, as rich text (what the overlay lists)."""
        return "".join(t.text() for t in self.tables)


def _native(keys: tuple[str, ...]) -> str:
    return " / ".join(
        QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in keys
    )
