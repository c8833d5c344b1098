"""The prompt's checks (lint warnings) as a list that shows every one of them — it grows
with its rows instead of scrolling — and says which slot a clicked check is about."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from studio.prompts import LABELS, LintWarning


class ChecksList(QListWidget):
    slot_chosen = Signal(str)  # a check was clicked: go to its slot ("prompt": the whole)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("lintList")
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setToolTip("Click a check to go to its slot")
        self.itemClicked.connect(self._chosen)
        self.itemActivated.connect(self._chosen)

    def show_warnings(self, warnings: list[LintWarning]) -> None:
        self.clear()
        for w in warnings:
            item = QListWidgetItem(f"{LABELS.get(w.slot, 'Prompt')}: {w.message}")
            item.setData(Qt.ItemDataRole.UserRole, w.slot)
            item.setToolTip(w.rule)
            self.addItem(item)
        if not warnings:
            self.addItem("No problems found.")
        self._fit()

    def _fit(self) -> None:
        """As tall as its rows: every check shows."""
        width = self.viewport().width() or 300
        metrics = self.fontMetrics()
        height = sum(
            metrics.boundingRect(
                0, 0, width - 8, 10_000, Qt.TextFlag.TextWordWrap, self.item(i).text()
            ).height()
            + 6
            for i in range(self.count())
        )
        self.setFixedHeight(height + 2 * self.frameWidth() + 4)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _chosen(self, item: QListWidgetItem) -> None:
        slot = item.data(Qt.ItemDataRole.UserRole)
        self.slot_chosen.emit(slot if isinstance(slot, str) else "prompt")
