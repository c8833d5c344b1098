"""Every string a person could read in a widget: what the blind tests search for leaks."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.StatusTipRole,
    Qt.ItemDataRole.WhatsThisRole,
    Qt.ItemDataRole.AccessibleTextRole,
    Qt.ItemDataRole.AccessibleDescriptionRole,
)


def visible_strings(root: QWidget) -> list[str]:
    """Texts, tooltips, status tips, window titles, placeholders, tab titles, and every
    cell's text and tooltip of list, table and tree views (their headers too), of every
    visible widget under `root` and of its window."""
    found = [root.window().windowTitle(), root.windowTitle(), root.toolTip()]
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        found += [widget.toolTip(), widget.windowTitle(), widget.statusTip()]
        if isinstance(widget, QLabel | QAbstractButton):
            found.append(widget.text())
        if isinstance(widget, QLineEdit):
            found += [widget.text(), widget.placeholderText()]
        if isinstance(widget, QTextEdit | QPlainTextEdit):
            found.append(widget.toPlainText())
        if isinstance(widget, QComboBox):
            found += [widget.itemText(i) for i in range(widget.count())]
        if isinstance(widget, QTabBar):
            found += [widget.tabText(i) for i in range(widget.count())]
            found += [widget.tabToolTip(i) for i in range(widget.count())]
        if isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView):
            model = widget.model()
            if model is not None:
                found += _cells(model, QModelIndex())
                for column in range(_columns(model, QModelIndex())):
                    found.append(str(model.headerData(column, Qt.Orientation.Horizontal) or ""))
    return [text for text in found if text]


def _cells(model: QAbstractItemModel, parent: QModelIndex) -> list[str]:
    found: list[str] = []
    for row in range(model.rowCount(parent)):
        for column in range(_columns(model, parent)):
            index = model.index(row, column, parent)
            found += [str(index.data(role)) for role in ROLES if index.data(role) is not None]
            if column == 0 and not isinstance(model, QAbstractListModel | QAbstractTableModel):
                found += _cells(model, index) if model.rowCount(index) else []
    return found


def _columns(model: QAbstractItemModel, parent: QModelIndex) -> int:
    """A list model's one column (Qt keeps its columnCount private)."""
    return 1 if isinstance(model, QAbstractListModel) else model.columnCount(parent)
