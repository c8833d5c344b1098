"""Edit the team's rubric: criteria, their 0/1/2 anchors and defect tags, the pass threshold.

Saving writes the team's rubric file and stores a new version (a library operation: the
review pass in progress hears of it and uses it); scores given from then on record that
version, earlier ones keep theirs. Nothing is saved while a field is wrong:
the message names the criterion and field, and every edit stays in the form.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.review.rubric import ActiveRubric, Rubric, RubricError, parse_rubric, save_team_rubric
from studio.store import Store

COLUMNS = ("Id", "Name", "Description", "0 means", "1 means", "2 means", "Defect tags")


class RubricDialog(QDialog):
    def __init__(self, store: Store, active: ActiveRubric, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Edit rubric — now version {active.version}")
        self.store, self.active = store, active
        self.saved: ActiveRubric | None = None
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        for criterion in active.rubric.criteria:
            self._add_row(
                [
                    criterion.id,
                    criterion.name,
                    criterion.description,
                    *criterion.anchors,
                    ", ".join(criterion.tags),
                ]
            )
        add, remove = QPushButton("Add criterion"), QPushButton("Remove selected")
        add.clicked.connect(lambda: self._add_row(["", "", "", "", "", "", ""]))
        remove.clicked.connect(self._remove)
        self.threshold = QSpinBox()
        self.threshold.setRange(0, 40)
        self.threshold.setValue(active.rubric.pass_threshold)
        self.problem = QLabel()
        self.problem.setObjectName("rubricProblem")
        self.problem.setWordWrap(True)
        self.problem.setProperty("error", True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        row.addWidget(QLabel("Pass at a total of"))
        row.addWidget(self.threshold)
        row.addWidget(QLabel("(and no criterion at 0)"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(1100, 420)

    def _add_row(self, values: list[str]) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, value in enumerate(values):
            self.table.setItem(row, column, QTableWidgetItem(value))

    def _remove(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)

    def body(self) -> dict[str, Any]:
        def cell(row: int, column: int) -> str:
            item = self.table.item(row, column)
            return item.text().strip() if item is not None else ""

        return {
            "name": self.active.rubric.name,
            "pass_threshold": self.threshold.value(),
            "criteria": [
                {
                    "id": cell(r, 0),
                    "name": cell(r, 1),
                    "description": cell(r, 2),
                    "anchors": [cell(r, 3), cell(r, 4), cell(r, 5)],
                    "tags": [t.strip() for t in cell(r, 6).split(",") if t.strip()],
                }
                for r in range(self.table.rowCount())
            ],
        }

    def rubric(self) -> Rubric:
        return parse_rubric(self.body(), "the rubric")

    def save(self) -> None:
        try:
            rubric = self.rubric()
        except RubricError as err:
            self.problem.setText(str(err))
            return
        self.saved = save_team_rubric(self.store, rubric)
        self.accept()
