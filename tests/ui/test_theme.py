"""Themes: the states a reviewer must see at a glance differ from their plain state by at
least 3:1, measured on the pixels the real widgets draw, in both themes; a broken theme
file is named and the built-in one used."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QStringListModel
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QListView, QWidget
from pytestqt.qtbot import QtBot

from studio.review.rubric import load_active
from studio.review.session import Take
from studio.store import Store
from studio.ui.contrast import contrast, luminance
from studio.ui.main_window import MainWindow
from studio.ui.rubric_view import RubricView
from studio.ui.theme import THEME_FILES, apply_theme, load_theme, theme_dir


@pytest.fixture(params=["dark", "light"])
def themed(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    assert apply_theme(qapp, request.param) == ""
    yield request.param
    qapp.setStyleSheet("")
    qapp.setPalette(qapp.style().standardPalette())


def pixel(widget: QWidget, point: QPoint) -> tuple[int, int, int]:
    colour = QColor(widget.grab().toImage().pixel(point))
    return colour.red(), colour.green(), colour.blue()


def test_contrast_maths() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((120, 120, 120), (120, 120, 120)) == pytest.approx(1.0)
    assert luminance((255, 255, 255)) == pytest.approx(1.0)


def test_review_states_differ_by_three_to_one(qtbot: QtBot, themed: str, tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    view = RubricView()
    qtbot.addWidget(view)
    active = load_active(store.rubrics)
    view.build(active)
    view.show_take(active, Take(1, scores={"motion": 2}, tags={"jitter"}), criterion=1)
    view.resize(360, 420)
    view.show()
    qtbot.waitExposed(view)
    ratios = {}
    motion = view.score_groups[0]
    chosen, plain = motion.button(2), motion.button(1)
    inside = QPoint(4, chosen.height() // 2)  # the button's face, clear of its label
    ratios["score"] = contrast(pixel(chosen, inside), pixel(plain, inside))
    on, off = view.tag_buttons["jitter"], view.tag_buttons["teleport"]
    face = QPoint(on.width() // 2, 3)
    ratios["tag"] = contrast(pixel(on, face), pixel(off, QPoint(off.width() // 2, 3)))
    current, other = view.criterion_labels[1], view.criterion_labels[2]
    ratios["criterion"] = contrast(pixel(current, QPoint(2, 2)), pixel(other, QPoint(2, 2)))
    for name, ratio in ratios.items():
        assert ratio >= 3.0, f"{themed}: {name} {ratio:.2f}:1"
    store.close()


def test_a_selected_row_differs_by_three_to_one(qtbot: QtBot, themed: str) -> None:
    rows = QListView()
    qtbot.addWidget(rows)
    rows.setModel(QStringListModel(["#1 · 1 of 2", "#2 · 2 of 2"]))
    rows.resize(200, 120)
    rows.show()
    rows.setCurrentIndex(rows.model().index(0, 0))
    first, second = (
        rows.visualRect(rows.model().index(0, 0)),
        rows.visualRect(rows.model().index(1, 0)),
    )
    edge = QPoint(first.right() - 3, first.center().y())
    selected = pixel(rows.viewport(), edge)
    plain = pixel(rows.viewport(), QPoint(second.right() - 3, second.center().y()))
    assert contrast(selected, plain) >= 3.0, themed


def test_the_panel_with_the_focus_is_marked(qtbot: QtBot, themed: str) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    window.editor.fields["subject"].setFocus()
    qtbot.waitUntil(lambda: window.editor_dock.property("focused") is True, timeout=2000)
    assert window.queue_dock.property("focused") is not True
    title = QPoint(window.editor_dock.width() // 2, 4)
    focused = pixel(window.editor_dock, title)
    plain = pixel(window.queue_dock, QPoint(window.queue_dock.width() // 2, 4))
    assert contrast(focused, plain) >= 3.0, themed
    window.queue.view.setFocus()
    qtbot.waitUntil(lambda: window.queue_dock.property("focused") is True, timeout=2000)
    assert window.editor_dock.property("focused") is False


def test_a_broken_theme_is_named_and_the_dark_one_used(qapp: QApplication, tmp_path: Path) -> None:
    for name in THEME_FILES:
        (tmp_path / name).write_text((theme_dir() / name).read_text())
    broken = (tmp_path / "light.toml").read_text().replace('accent = "#1f6fd1"', 'accent = "blue"')
    (tmp_path / "light.toml").write_text(broken)
    problem = apply_theme(qapp, "light", tmp_path)
    assert "light.toml: colours.accent must be a colour" in problem
    assert "using the built-in dark theme" in problem
    assert (
        qapp.palette().color(qapp.palette().ColorRole.Window).name()
        == (load_theme("dark").palette["Window"])
    )
    qapp.setStyleSheet("")
