"""The themes: every state a reviewer reads at a glance differs from its resting state by at
least 3:1, measured on the pixels the real widgets render under each theme; a broken theme
file is named with its field and the built-in dark theme is used."""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QRect, QStringListModel, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QLineEdit,
    QListView,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from studio.config.settings import Settings, save_settings
from studio.core.resources import read_toml
from studio.review.rubric import ActiveRubric, default_rubric_path, parse_rubric
from studio.review.session import Take
from studio.ui.review.rubric_view import RubricView
from studio.ui.shell.app import main
from studio.ui.shell.colour import RGB, contrast_ratio, parse_hex
from studio.ui.shell.main_window import MainWindow
from studio.ui.shell.theme import (
    BUILTIN_DARK,
    apply_theme,
    colour,
    load_theme,
    theme_dir,
)

THEMES = ("dark", "light")
AT_A_GLANCE = 3.0


@pytest.fixture(params=THEMES)
def theme(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    name = str(request.param)
    assert apply_theme(qapp, name) == ""
    yield name
    apply_theme(qapp, "dark")  # what the other tests run under


def dominant(widget: QWidget, rect: QRect | None = None) -> RGB:
    """The colour covering most of `rect` (the whole widget if None) as rendered: the
    background of a button or row, not its text."""
    image = widget.grab().toImage()
    scale = image.devicePixelRatio()
    area = rect if rect is not None else widget.rect()
    counts: Counter[RGB] = Counter()
    for y in range(int(area.top() * scale), int((area.bottom() + 1) * scale)):
        for x in range(int(area.left() * scale), int((area.right() + 1) * scale)):
            c = image.pixelColor(x, y)
            counts[(c.red(), c.green(), c.blue())] += 1
    return counts.most_common(1)[0][0]


def inside(widget: QWidget, parent: QWidget) -> QRect:
    """The widget's rectangle in `parent`, less its 1-pixel frame."""
    return QRect(widget.mapTo(parent, widget.rect().topLeft()), widget.size()).adjusted(
        1, 1, -1, -1
    )


@pytest.fixture
def rubric(qtbot: QtBot) -> tuple[RubricView, ActiveRubric]:
    active = ActiveRubric(parse_rubric(read_toml(default_rubric_path()), "default"), 1, 1)
    view = RubricView()
    qtbot.addWidget(view)
    view.build(active)
    view.resize(360, 320)
    view.show()
    return view, active


def test_a_checked_score_and_a_toggled_tag_stand_out(
    theme: str, rubric: tuple[RubricView, ActiveRubric]
) -> None:
    view, active = rubric
    first = active.rubric.criteria[0]
    view.show_take(active, Take(1, scores={first.id: 2}, tags={first.tags[0]}), 0)
    buttons = view.score_groups[0]
    checked, unchecked = buttons.button(2), buttons.button(0)
    assert checked.isChecked()
    assert not unchecked.isChecked()
    on, off = dominant(view, inside(checked, view)), dominant(view, inside(unchecked, view))
    assert contrast_ratio(on, off) >= AT_A_GLANCE, (theme, on, off)
    assert on == parse_hex(colour("accent"))  # the one accent, as the theme names it
    tag_on = view.tag_buttons[first.tags[0]]
    tag_off = view.tag_buttons[first.tags[1]]
    on, off = dominant(view, inside(tag_on, view)), dominant(view, inside(tag_off, view))
    assert contrast_ratio(on, off) >= AT_A_GLANCE, (theme, on, off)


def test_the_current_criterion_row_stands_out(
    theme: str, rubric: tuple[RubricView, ActiveRubric]
) -> None:
    view, active = rubric
    view.show_take(active, Take(1), 1)
    labels = view.criterion_labels
    current = dominant(view, inside(labels[1], view))
    others = [dominant(view, inside(labels[i], view)) for i in (0, 2)]
    for other in others:
        assert contrast_ratio(current, other) >= AT_A_GLANCE, (theme, current, other)
    assert labels[1].font().bold()
    assert not labels[0].font().bold()
    view.show_take(active, Take(1), 2)  # moving on moves the mark
    assert dominant(view, inside(labels[2], view)) == current
    assert dominant(view, inside(labels[1], view)) == others[0]


@pytest.fixture
def window(qtbot: QtBot, qapp: QApplication) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)
    return win


def title(dock: QWidget) -> RGB:
    """The colour of a dock's title bar (its top strip)."""
    return dominant(dock, QRect(2, 2, dock.width() - 60, 14))


def test_the_panel_with_the_keyboard_focus_is_marked(
    theme: str, window: MainWindow, qtbot: QtBot
) -> None:
    win = window
    win.editor.fields["subject"].setFocus()
    qtbot.waitUntil(lambda: win.editor_dock.property("focused") is True, timeout=2000)
    focused, unfocused = title(win.editor_dock), title(win.queue_dock)
    assert contrast_ratio(focused, unfocused) >= AT_A_GLANCE, (theme, focused, unfocused)
    tabs = win.stage.tabBar()
    tab = tabs.tabRect(tabs.currentIndex()).adjusted(2, 2, -2, -2)
    resting = dominant(tabs, tab)

    win.stage.review.setFocus()  # the stage takes the focus: its page's tab lights up
    qtbot.waitUntil(lambda: win.stage.property("focused") is True, timeout=2000)
    assert win.editor_dock.property("focused") is False
    assert title(win.editor_dock) == unfocused
    lit = dominant(tabs, tab)
    assert contrast_ratio(lit, resting) >= AT_A_GLANCE, (theme, lit, resting)

    dialog = QDialog(win)  # a dialog takes the focus: the mark stays where the work is
    QVBoxLayout(dialog).addWidget(QLineEdit())
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
    dialog.findChild(QLineEdit).setFocus()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not win.stage.review, timeout=2000)
    assert win.stage.property("focused") is True
    dialog.close()


@pytest.mark.parametrize("kind", [QListView, QTableView])
def test_a_selected_row_stands_out_with_or_without_the_focus(
    theme: str, kind: type[QAbstractItemView], qtbot: QtBot
) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    view = kind()
    view.setObjectName("takeList" if kind is QListView else "queueView")
    view.setModel(QStringListModel(["#1 · 1 of 3", "#2 · 2 of 3", "#3 · 3 of 3"], view))
    other = QLineEdit()
    layout = QVBoxLayout(holder)
    layout.addWidget(view)
    layout.addWidget(other)
    holder.resize(300, 240)
    holder.show()
    holder.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is holder, timeout=3000)
    view.setCurrentIndex(view.model().index(1, 0))
    for focus in (view, other):  # the take list rarely has the focus while reviewing
        focus.setFocus()
        qtbot.waitUntil(focus.hasFocus, timeout=2000)
        rows = [view.visualRect(view.model().index(r, 0)).adjusted(1, 1, -1, -1) for r in (0, 1)]
        plain, selected = (dominant(view.viewport(), r) for r in rows)
        assert contrast_ratio(selected, plain) >= AT_A_GLANCE, (theme, focus, selected, plain)
    # a window in the background keeps its selection as clear (the Inactive colours)
    palette = QApplication.palette()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        highlight = palette.color(group, QPalette.ColorRole.Highlight).name()
        base = palette.color(group, QPalette.ColorRole.Base).name()
        assert contrast_ratio(parse_hex(highlight), parse_hex(base)) >= AT_A_GLANCE


def test_error_text_and_flagged_slots_take_the_theme_colours(
    theme: str, window: MainWindow, qtbot: QtBot
) -> None:
    editor = window.editor
    editor.show_message("The provider refused the key.", error=True)
    colour_of = editor.status.palette().color(QPalette.ColorRole.WindowText).name()
    assert colour_of == colour("error")
    editor.show_message("Queued #2.")
    assert editor.status.palette().color(QPalette.ColorRole.WindowText).name() == colour("text")
    flagged = editor.fields["style"]
    flagged.setPlainText("awesome vibes")  # "awesome" is vague: the slot is flagged
    qtbot.waitUntil(lambda: flagged.property("lint") is True, timeout=2000)
    calm = next(e for e in editor.fields.values() if not e.property("lint"))

    def left_edge(edit: QWidget) -> RGB:  # the border, clear of the rounded corners
        return dominant(edit, QRect(0, 6, 1, edit.height() - 12))

    assert left_edge(flagged) == parse_hex(colour("warning"))
    assert left_edge(calm) == parse_hex(colour("border"))
    assert contrast_ratio(left_edge(flagged), left_edge(calm)) >= AT_A_GLANCE


def test_the_dark_file_and_the_built_in_fallback_agree() -> None:
    assert load_theme("dark") == BUILTIN_DARK
    light = load_theme("light")
    assert set(light.colours) == set(BUILTIN_DARK.colours)
    assert light.colours["surround"] == BUILTIN_DARK.colours["surround"]  # picture reads true


@pytest.fixture
def themes(tmp_path: Path) -> Path:
    folder = tmp_path / "theme"
    shutil.copytree(theme_dir(), folder)
    return folder


@pytest.mark.parametrize(
    ("broken", "replacement", "said"),
    [
        ('accent = "#2f6db5"', 'accent = "blue"', "colours.accent must be a colour like"),
        ('accent = "#2f6db5"\n', "", "colours.accent is missing"),
        ('highlight = "accent"', 'hilite = "accent"', "palette.hilite is not a palette role"),
        ('link = "link"', 'link = "no_such"', "palette.link must be a colour like"),
        ("[colours]", "[colours", "not valid TOML"),
    ],
    ids=["bad colour", "missing colour", "unknown role", "unknown name", "not TOML"],
)
def test_a_broken_theme_file_is_named_with_its_field_and_dark_is_used(
    qapp: QApplication, themes: Path, broken: str, replacement: str, said: str
) -> None:
    light = themes / "light.toml"
    text = light.read_text(encoding="utf-8")
    assert broken in text
    light.write_text(text.replace(broken, replacement, 1), encoding="utf-8")
    try:
        problem = apply_theme(qapp, "light", themes)
        assert problem.startswith(f"{light}: {said}"), problem
        assert problem.endswith("Using the built-in dark theme.")
        window = qapp.palette().color(QPalette.ColorRole.Window).name()
        assert window == BUILTIN_DARK.colours["window"]
        assert colour("accent") == BUILTIN_DARK.colours["accent"]
        assert BUILTIN_DARK.colours["accent"] in qapp.styleSheet()  # drawn with its colours
    finally:
        apply_theme(qapp, "dark")


def test_an_unknown_colour_in_the_stylesheet_is_named_with_its_line(
    qapp: QApplication, themes: Path
) -> None:
    qss = themes / "studio.qss"
    qss.write_text(qss.read_text(encoding="utf-8") + "\nQLabel { color: @nope; }\n")
    lines = qss.read_text(encoding="utf-8").count("\n")
    try:
        problem = apply_theme(qapp, "light", themes)
        assert f"{qss}, line {lines}: @nope is not a colour of the light theme" in problem
        assert qapp.styleSheet() == ""
        # the palette still comes from the (good) light file
        assert qapp.palette().color(QPalette.ColorRole.Window).name() == "#ececec"
    finally:
        apply_theme(qapp, "dark")


def test_an_unknown_theme_name_says_which_there_are(qapp: QApplication) -> None:
    try:
        problem = apply_theme(qapp, "neon")
        assert "no theme named 'neon'" in problem
        assert "dark, light" in problem
        assert qapp.palette().color(QPalette.ColorRole.Window).name() == "#1f1f1f"
    finally:
        apply_theme(qapp, "dark")


def test_the_app_starts_in_the_theme_of_the_settings_and_follows_them(
    qapp: QApplication,
) -> None:
    """Settings say light: the first paint is light (the settings file is read before
    it); saving dark in Settings turns the window dark at once."""
    save_settings(Settings(theme="light"))
    seen: dict[str, object] = {}
    started = time.monotonic()

    def probe() -> None:
        windows = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow)]
        windows = [w for w in windows if w.isVisible()]  # not another test's, closed
        if windows and windows[0].panels_built and windows[0].services is not None:
            win = windows[0]
            seen["window"] = win
            seen["light"] = qapp.palette().color(QPalette.ColorRole.Window).name()
            win.settings_changed.emit(Settings(theme="dark"))  # as saving Settings does
            seen["dark"] = qapp.palette().color(QPalette.ColorRole.Window).name()
            win.close()
        elif time.monotonic() - started > 20:
            for w in windows:
                w.close()
        else:
            QTimer.singleShot(50, probe)

    QTimer.singleShot(0, probe)
    try:
        assert main() == 0
    finally:
        apply_theme(qapp, "dark")
        window = seen.get("window")
        if isinstance(window, MainWindow):  # gone, so no later test finds it
            window.deleteLater()
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert seen["light"] == load_theme("light").colours["window"]
    assert seen["dark"] == BUILTIN_DARK.colours["window"]
