"""The template library: browse, search, load, save new versions, mark known-good."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from studio.library.ops import LibraryOps, ops_for
from studio.prompts import PromptSlots
from studio.store import Store
from studio.store.review import Template, TemplateRepo

Index = QModelIndex | QPersistentModelIndex
TemplateRole = Qt.ItemDataRole.UserRole + 1
NAME_LIMIT = 80
HEADERS = ("Campaign", "Product", "Use case", "Version", "Known-good", "Change note", "Saved")


class TemplateTableModel(QAbstractTableModel):
    """Rows are the templates matching the current search, re-read on every change (a team
    has hundreds of templates; reading them is a millisecond)."""

    def __init__(self, repo: TemplateRepo | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.repo = repo
        self.rows: list[Template] = []
        self.text, self.known_good_only, self.latest_only = "", False, True

    def set_repo(self, repo: TemplateRepo | None) -> None:
        self.repo = repo
        self.reload()

    def search(self, text: str, *, known_good_only: bool, latest_only: bool) -> None:
        self.text, self.known_good_only, self.latest_only = text, known_good_only, latest_only
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = (
            self.repo.search(
                self.text, known_good_only=self.known_good_only, latest_only=self.latest_only
            )
            if self.repo is not None
            else []
        )
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        template, column = self.rows[index.row()], index.column()
        if role == TemplateRole:
            return template
        if role == Qt.ItemDataRole.DisplayRole:
            return _cell(template, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return PromptSlots.from_mapping(template.slots).compose() or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _cell(template: Template, column: int) -> str:
    return (
        template.campaign,
        template.product,
        template.use_case,
        f"v{template.version}",
        "★ known-good" if template.known_good else "",
        template.change_note,
        time.strftime("%Y-%m-%d %H:%M", time.localtime(template.created_at)),
    )[column]


class TemplatePanel(QWidget):
    """The library of prompts; loading one fills the editor."""

    load_requested = Signal(object)  # Template

    def __init__(self) -> None:
        super().__init__()
        self.model = TemplateTableModel(parent=self)
        self.ops: LibraryOps | None = None  # where a change to a template goes
        self.search = QLineEdit()
        self.search.setObjectName("templateSearch")
        self.search.setPlaceholderText("Search campaign, product, use case, note or prompt…")
        self.search.setClearButtonEnabled(True)
        self.known_good = QCheckBox("Known-good only")
        self.all_versions = QCheckBox("All versions")
        self.view = QTableView()
        self.view.setObjectName("templateView")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.load = QPushButton("Load into editor")
        self.save = QPushButton("Save prompt as template…")
        self.mark = QPushButton("Mark known-good")
        self.empty = QLabel()
        self.empty.setObjectName("templateStatus")

        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.known_good)
        bar.addWidget(self.all_versions)
        buttons = QHBoxLayout()
        buttons.addWidget(self.empty, 1)
        for button in (self.mark, self.load, self.save):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

        self.search.textChanged.connect(self._search)
        self.known_good.toggled.connect(self._search)
        self.all_versions.toggled.connect(self._search)
        self.view.doubleClicked.connect(lambda _index: self._load())
        self.load.clicked.connect(self._load)
        self.mark.clicked.connect(self._toggle_known_good)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self._selection_changed()

    def set_store(self, store: Store | None) -> None:
        """The library's templates (None: the library is closing)."""
        self.ops = ops_for(store) if store is not None else None
        self.model.set_repo(store.templates if store is not None else None)

    def selected(self) -> Template | None:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].data(TemplateRole) if rows else None

    def select(self, template_id: int) -> None:
        for row, template in enumerate(self.model.rows):
            if template.id == template_id:
                self.view.selectRow(row)
                return

    def _search(self) -> None:
        self.model.search(
            self.search.text(),
            known_good_only=self.known_good.isChecked(),
            latest_only=not self.all_versions.isChecked(),
        )

    def _selection_changed(self) -> None:
        template = self.selected()
        self.load.setEnabled(template is not None)
        self.mark.setEnabled(template is not None)
        self.mark.setText(
            "Unmark known-good"
            if template is not None and template.known_good
            else "Mark known-good"
        )
        if self.model.repo is None:
            self.empty.setText("The library opens in a moment…")
        elif not self.model.rows:
            self.empty.setText(
                "No template matches." if self.search.text() else "No templates saved yet."
            )
        else:
            self.empty.setText(f"{len(self.model.rows)} shown")

    def _load(self) -> None:
        template = self.selected()
        if template is not None:
            self.load_requested.emit(template)

    def _toggle_known_good(self) -> None:
        template = self.selected()
        if template is None or self.ops is None:
            return
        self.ops.mark_known_good(template.id, not template.known_good)
        self.model.reload()
        self.select(template.id)


class SaveTemplateDialog(QDialog):
    """Name the template (campaign / product / use case) and say what changed."""

    def __init__(
        self, store: Store, slots: PromptSlots, origin: Template | None, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Save prompt as template")
        self.repo, self.ops, self.slots = store.templates, ops_for(store), slots
        self.saved: Template | None = None
        names = self.repo.names()
        self.boxes: dict[str, QComboBox] = {}
        form = QFormLayout()
        for key, label in (
            ("campaign", "Campaign"),
            ("product", "Product"),
            ("use_case", "Use case"),
        ):
            box = QComboBox()
            box.setEditable(True)
            box.addItems(names[key])
            box.setCurrentText(getattr(origin, key) if origin is not None else "")
            line = box.lineEdit()
            assert line is not None  # an editable combo box has one
            line.setMaxLength(NAME_LIMIT)
            line.setPlaceholderText(f"{label} name")
            box.currentTextChanged.connect(self._update)
            self.boxes[key] = box
            form.addRow(label, box)
        self.note = QLineEdit()
        self.note.setPlaceholderText("What changed, and why")
        self.note.textChanged.connect(self._update)
        form.addRow("Change note", self.note)
        self.version = QLabel()
        self.problem = QLabel()
        self.problem.setProperty("error", True)
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.version)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)
        self._update()

    def names(self) -> tuple[str, str, str]:
        campaign, product, use_case = (
            self.boxes[k].currentText().strip() for k in ("campaign", "product", "use_case")
        )
        return campaign, product, use_case

    def problems(self) -> list[str]:
        found = []
        missing = [
            label
            for label, name in zip(("campaign", "product", "use case"), self.names(), strict=True)
            if not name
        ]
        if missing:
            found.append(f"Name the {', '.join(missing)}.")
        if not self.slots.compose().strip():
            found.append("The prompt is empty; write it in the editor first.")
        if (
            not missing
            and self.repo.next_version(*self.names()) > 1
            and not self.note.text().strip()
        ):
            found.append("Say what changed since the last version (change note).")
        return found

    def _update(self) -> None:
        names = self.names()
        if all(names):
            version = self.repo.next_version(*names)
            self.version.setText(
                f"Saves as version {version}" + (" (a new template)" if version == 1 else "")
            )
        else:
            self.version.setText("")
        problems = self.problems()
        self.problem.setText(" ".join(problems))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not problems)

    def _save(self) -> None:
        if self.problems():
            return
        self.saved = self.ops.save_template(
            *self.names(), self.slots.as_dict(), note=self.note.text().strip()
        )
        self.accept()
