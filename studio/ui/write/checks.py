"""The prompt's checks (lint warnings) as a list that shows every one of them — it grows
with its rows instead of scrolling — and says which slot a clicked check is about. A name
learned from a refusal can be dismissed for the loaded template ("Not a name", on the
check's context menu or by the menu key); a hint from defect tags opens its takes in the
Library ("Show these takes") or is dismissed for the loaded template, the same way."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QContextMenuEvent, QResizeEvent
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QMenu

from studio.prompts import LABELS, LintWarning
from studio.prompts.tag_hints import TagHint
from studio.store import take_name

TERM = Qt.ItemDataRole.UserRole + 1  # a learned name's term, on its check
HINT = Qt.ItemDataRole.UserRole + 2  # a hint from defect tags (TagHint), on its check
SHOWN_TAKES = 12  # takes a hint's tooltip names (the Library shows them all)


class ChecksList(QListWidget):
    slot_chosen = Signal(str)  # a check was clicked: go to its slot ("prompt": the whole)
    not_a_name = Signal(str)  # "Not a name" on a learned name's check: its term
    hint_takes = Signal(object)  # "Show these takes" on a hint's check: its TagHint
    hint_dismissed = Signal(object)  # "Dismiss for this template" on a hint's check

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("lintList")
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setToolTip("Click a check to go to its slot")
        self.itemClicked.connect(self._chosen)
        self.itemActivated.connect(self._chosen)
        self.template: str | None = None  # the loaded template's name: where a dismissal holds

    def show_warnings(self, warnings: list[LintWarning]) -> None:
        self.clear()
        for w in warnings:
            item = QListWidgetItem(f"{LABELS.get(w.slot, 'Prompt')}: {w.message}")
            item.setData(Qt.ItemDataRole.UserRole, w.slot)
            item.setToolTip(w.rule)
            if w.learned:
                item.setData(TERM, w.term)
                item.setToolTip("Right-click if this is not a name")
            if w.hint is not None:
                item.setData(HINT, w.hint)
                item.setToolTip(_hint_tip(w.hint))
            self.addItem(item)
        if not warnings:
            self.addItem("No problems found.")
        self._fit()

    def menu_for(self, item: QListWidgetItem | None) -> QMenu | None:
        """The context menu of a learned name's or a hint's check (None for others)."""
        hint = item.data(HINT) if item is not None else None
        if isinstance(hint, TagHint):
            return self._hint_menu(hint)
        term = item.data(TERM) if item is not None else None
        if not isinstance(term, str) or not term:
            return None
        menu = QMenu(self)
        said = f"Not a name (in template {self.template})"
        self._per_template(
            menu, "notANameAction", "Not a name", said, lambda: self.not_a_name.emit(term)
        )
        return menu

    def _hint_menu(self, hint: TagHint) -> QMenu:
        menu = QMenu(self)
        count = len(hint.tagged)
        show = QAction(f"Show these takes ({count}) in the Library", menu)
        show.setObjectName("hintTakesAction")
        show.triggered.connect(lambda: self.hint_takes.emit(hint))
        menu.addAction(show)
        said = f"Dismiss for template {self.template}"
        self._per_template(
            menu, "hintDismissAction", "Dismiss", said, lambda: self.hint_dismissed.emit(hint)
        )
        return menu

    def _per_template(
        self, menu: QMenu, name: str, what: str, said: str, chosen: Callable[[], None]
    ) -> None:
        """An answer kept with the template: with none loaded or saved there is nowhere to
        keep it, so the action is shown disabled, saying so."""
        if self.template is None:
            action = QAction(f"{what} — load or save a template to say so", menu)
            action.setEnabled(False)
        else:
            action = QAction(said, menu)
            action.triggered.connect(chosen)
        action.setObjectName(name)
        menu.addAction(action)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        by_mouse = event.reason() == QContextMenuEvent.Reason.Mouse
        item = self.itemAt(event.pos()) if by_mouse else self.currentItem()
        menu = self.menu_for(item)
        if menu is None:
            return
        where = event.globalPos() if by_mouse else self._below(item)
        menu.exec(where)
        menu.deleteLater()

    def _below(self, item: QListWidgetItem | None) -> QPoint:
        rect = self.visualItemRect(item) if item is not None else self.rect()
        return self.viewport().mapToGlobal(rect.bottomLeft())

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


def _hint_tip(hint: TagHint) -> str:
    """The takes behind a hint, by number; what a right-click offers."""
    names = ", ".join(take_name(i) for i in hint.tagged[:SHOWN_TAKES])
    more = f" and {len(hint.tagged) - SHOWN_TAKES} more" if len(hint.tagged) > SHOWN_TAKES else ""
    return (
        f"Tagged {hint.tag}: {names}{more}, of {hint.takes} reviewed takes.\n"
        "Right-click to show these takes in the Library, or to dismiss the hint."
    )
