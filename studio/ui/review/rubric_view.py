"""The rubric beside the player: a row per criterion with its 0/1/2 buttons, the defect
tags, the selected criterion's anchors, the total and the verdict.

A view only: it shows a take's scores and says what was clicked; the review panel turns
clicks into session calls. States read at a glance through properties the theme styles
(`current` on the selected criterion row and on its tags, `:checked` on a score or a tag).

The tags are every tag of the rubric, in its order (the order their keys follow), above the
anchors: the anchors' text wraps to another height for each criterion, and tags below it
moved under the mouse as the criterion changed."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.review.rubric import SCORES, ActiveRubric
from studio.review.session import Take
from studio.ui.shell.theme import set_state


class RubricView(QWidget):
    score_clicked = Signal(int, int)  # criterion row, value
    tag_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.box = QFrame()
        self.box.setObjectName("rubric")
        self.grid = QGridLayout(self.box)
        self.grid.setHorizontalSpacing(6)
        self.anchors = QLabel()
        self.anchors.setObjectName("anchors")
        self.anchors.setWordWrap(True)
        self.anchors.setMinimumHeight(70)
        self.tags_row = QWidget()
        self.tags_layout = QGridLayout(self.tags_row)
        self.tags_layout.setContentsMargins(0, 0, 0, 0)
        for column in (0, 1):  # two equal columns: a tag checked in bold moves no other
            self.tags_layout.setColumnStretch(column, 1)
        self.total = QLabel()
        self.total.setObjectName("total")
        self.tag_buttons: dict[str, QToolButton] = {}
        self.score_groups: list[QButtonGroup] = []
        self.criterion_labels: list[QLabel] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.title, self.box, self.tags_row, self.anchors, self.total):
            layout.addWidget(widget)

    def build(self, active: ActiveRubric, tag_keys: Sequence[str] = ()) -> None:
        """Rows and tags for this rubric (a new version may have other criteria); the n-th
        tag's key is `tag_keys[n]` (shown in its tooltip)."""
        rubric = active.rubric
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.score_groups, self.criterion_labels = [], []
        for row, criterion in enumerate(rubric.criteria):
            label = QLabel(criterion.name)
            label.setObjectName("criterion")
            label.setToolTip(criterion.description)
            self.grid.addWidget(label, row, 0)
            self.criterion_labels.append(label)
            group = QButtonGroup(self)
            group.setExclusive(True)
            for value in SCORES:
                button = QToolButton()
                button.setObjectName("score")
                button.setText(str(value))
                button.setCheckable(True)
                button.setFixedWidth(34)
                button.setToolTip(criterion.anchors[value])
                button.clicked.connect(
                    lambda _c=False, r=row, v=value: self.score_clicked.emit(r, v)
                )
                group.addButton(button, value)
                self.grid.addWidget(button, row, 1 + value)
            self.score_groups.append(group)
        for button in self.tag_buttons.values():
            button.deleteLater()
        self.tag_buttons = {}
        for i, tag in enumerate(rubric.tags):
            button = QToolButton()
            button.setObjectName("tag")
            button.setText(tag)
            button.setCheckable(True)
            names = [c.name for c in rubric.criteria if tag in c.tags]
            key = f" · {tag_keys[i]}" if i < len(tag_keys) and tag_keys[i] else ""
            button.setToolTip(f"{tag} ({', '.join(names)}){key}")
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _c=False, t=tag: self.tag_clicked.emit(t))
            self.tag_buttons[tag] = button
            self.tags_layout.addWidget(button, i // 2, i % 2)
        self.title.setText(
            f"<b>{rubric.name.title()} rubric</b> · v{active.version} · pass at "
            f"{rubric.pass_threshold}/{rubric.max_total}, no criterion at 0"
        )

    def show_take(self, active: ActiveRubric, take: Take, criterion: int) -> None:
        rubric = active.rubric
        for row, group in enumerate(self.score_groups):
            score = take.scores.get(rubric.criteria[row].id)
            group.setExclusive(False)
            for button in group.buttons():
                button.setChecked(group.id(button) == score)
            group.setExclusive(True)
            selected = row == criterion
            label = self.criterion_labels[row]
            label.setText(("▸ " if selected else "   ") + rubric.criteria[row].name)
            set_state(label, "current", selected)  # the theme marks the current row
        crit = rubric.criteria[criterion]
        self.anchors.setText(
            f"<b>{crit.name}</b> — {crit.description}<br>"
            + "<br>".join(f"<b>{v}</b> {crit.anchors[v]}" for v in SCORES)
        )
        for tag, button in self.tag_buttons.items():
            button.setChecked(tag in take.tags)
            set_state(button, "current", tag in crit.tags)  # the ones this criterion names
        self.total.setText(total_line(active, take))


def total_line(active: ActiveRubric, take: Take) -> str:
    """The take's total as its take_state row holds it (the Library shows the same), and
    the rubric version it counts under when that is not the one shown above."""
    counted = take.tally
    if counted is None:
        return f"<b>Total —/{active.rubric.max_total}</b> — not scored"
    verdict = (
        "passes"
        if counted.passes
        else ("does not pass" if counted.complete else "not fully scored")
        if counted.max_total is not None
        else "no rubric recorded"
    )
    version = take.rubric_version
    under = f" · scored under v{version}" if version and version != active.version else ""
    return f"<b>Total {counted.shown()}</b> — {verdict}{under}"
