"""The shortcut overlay (?): every review, player and grid key, from the keymap."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from studio.review.keymap import Binding

GROUPS = (("review", "Review"), ("player", "Player"), ("grid", "Library grid"))


class KeysOverlay(QDialog):
    def __init__(self, keymap: dict[str, Binding], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keys")
        columns = []
        for group, title in GROUPS:
            rows = "".join(
                f"<tr><td align=right><b>{html.escape(_native(b.keys))}</b></td>"
                f"<td>&nbsp;&nbsp;{html.escape(b.text)}</td></tr>"
                for b in keymap.values()
                if b.group == group
            )
            columns.append(f"<td valign=top><h3>{title}</h3><table>{rows}</table></td>")
        self.table = QLabel(f"<table cellspacing=12><tr>{''.join(columns)}</tr></table>")
        self.table.setTextFormat(Qt.TextFormat.RichText)
        note = QLabel("Change them in keymap.toml in Studio's settings folder.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(note)
        layout.addWidget(buttons)


def _native(keys: tuple[str, ...]) -> str:
    return " / ".join(
        QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in keys
    )
