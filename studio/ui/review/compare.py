"""Compare: 2 to 9 takes in a grid (1x2, 2x2, 2x3, 3x3 as the count needs) playing from one
clock, with the prompt diff of each against the first beside them; for two takes an A/B
toggle in one view and a wipe with a divider to drag.

The clock is `SharedClock`: one transport drives every picture. A/B and the wipe lay the
two takes one on the other in one cell: both stay decoded and held at the same frame, so
the toggle only raises the other one (no black frame, no new layout, no jump), and the wipe
masks the one on top right of the divider. The frame counter reads the frame the first
take's picture shows (its own index), never the clock. Blind (`blind_names`), the takes go
by the names given and nothing else is said of them: no number, model or diff.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QRegion, QResizeEvent, QTextDocumentFragment
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.timecode import timecode
from studio.review.compared import MOST, check_compared
from studio.review.keymap import Binding
from studio.review.labels import letters
from studio.store import JobRow
from studio.ui.player.player import ClipPlayer
from studio.ui.review.compare_clock import SharedClock
from studio.ui.review.compare_diff import diff_html
from studio.ui.review.wipe import WipeDivider

GRID, AB, WIPE = "grid", "ab", "wipe"  # every take in its cell; two in one view; wiped
ROWS_AT_MOST = 3


def grid_shape(count: int) -> tuple[int, int]:
    """(rows, columns) for `count` takes: 2 → 1x2, 3–4 → 2x2, 5–6 → 2x3, 7–9 → 3x3."""
    columns = max(1, math.ceil(math.sqrt(count)))
    return math.ceil(count / columns), columns


class Pane(QWidget):
    """One take: its title over its picture."""

    def __init__(self, player: ClipPlayer) -> None:
        super().__init__()
        # Opaque: in A/B the pane on top hides the one beneath, its title too (else the
        # two titles read one over the other).
        self.setAutoFillBackground(True)
        self.player = player
        self.title = QLabel()
        self.title.setObjectName("compareTitle")
        self.title.setIndent(4)
        # A long title (the variant) is cut at the pane's edge, never widens the pane;
        # its tooltip has it whole.
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.title)
        column.addWidget(player, 1)

    def set_title(self, text: str) -> None:
        """Rich text; the tooltip says it whole in plain words."""
        self.title.setText(text)
        self.title.setToolTip(QTextDocumentFragment.fromHtml(text).toPlainText())


class PaneGrid(QWidget):
    """Where the panes sit; says when its size changes (the wipe follows)."""

    resized = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()


class CompareView(QWidget):
    closed = Signal()  # back to the review

    def __init__(self, parent: QWidget | None = None, *, details: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.details = details  # the prompt diff beside (not in the blind pairwise mode)
        self.clock = SharedClock(self)
        self.panes: list[Pane] = []  # made as needed, kept; the first `count` in use
        self.count = 0
        self.jobs: list[JobRow] = []
        self.blind_names: list[str] | None = None
        self.mode = GRID
        self.b_on_top = False  # A/B and wipe: the second take is the one on top
        self.wipe_at = 0.5  # the divider, as a fraction of the width
        self.logo_safe: float | None = None  # Settings' logo-safe margin, for every player

        self.box = PaneGrid()
        self.grid = QGridLayout(self.box)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(4)
        self.box.resized.connect(self._restack)
        self.divider = WipeDivider(self.box)
        self.divider.moved.connect(self.set_wipe_at)

        self.play_button = QToolButton()
        self.play_button.setText("Play all")
        self.play_button.clicked.connect(self.toggle)
        back, forward = QToolButton(), QToolButton()
        back.setText("◀ frame")
        forward.setText("frame ▶")
        back.clicked.connect(lambda: self.step(-1))
        forward.clicked.connect(lambda: self.step(1))
        self.flip_box = QCheckBox("A/B (F)")
        self.flip_box.setToolTip(
            "Two takes in one view: F shows the other, at the same frame (both stay decoded)"
        )
        self.flip_box.toggled.connect(lambda on: self.set_mode(AB if on else GRID))
        self.wipe_box = QCheckBox("Wipe (Shift+F)")
        self.wipe_box.setToolTip(
            "Two takes in one view, split by a divider to drag: the first left of it"
        )
        self.wipe_box.toggled.connect(lambda on: self.set_mode(WIPE if on else GRID))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setMinimumWidth(60)
        self.slider.sliderMoved.connect(self.seek_frame)
        self.time = QLabel()
        self.time.setObjectName("timecode")
        self.said = QLabel()
        self.said.setObjectName("compareSaid")
        bar = QHBoxLayout()
        for widget in (self.play_button, back, forward):
            bar.addWidget(widget)
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.time)
        bar.addWidget(self.said)
        bar.addWidget(self.flip_box)
        bar.addWidget(self.wipe_box)

        self.diff = QLabel()
        self.diff.setObjectName("promptDiff")
        self.diff.setWordWrap(True)
        self.diff.setTextFormat(Qt.TextFormat.RichText)
        self.diff.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.side = QScrollArea()
        self.side.setWidget(self.diff)
        self.side.setWidgetResizable(True)
        self.side.setMinimumWidth(240)
        self.side.setMaximumWidth(420)

        main = QGridLayout(self)
        main.setContentsMargins(0, 0, 0, 0)
        main.addWidget(self.box, 0, 0)
        main.addLayout(bar, 1, 0)
        main.addWidget(self.side, 0, 1, 2, 1)
        self.side.setVisible(details)  # blind (the pairwise mode): nothing said of a take
        main.setColumnStretch(0, 1)
        self._ensure(2)
        self.count = 2
        self._lay_out()

    # ---- the players --------------------------------------------------------------------

    @property
    def players(self) -> list[ClipPlayer]:
        """The players in use (the counter reads the first one's picture)."""
        return [pane.player for pane in self.panes[: self.count]]

    @property
    def left(self) -> ClipPlayer:
        return self.panes[0].player

    @property
    def right(self) -> ClipPlayer:
        return self.panes[1].player

    @property
    def titles(self) -> list[QLabel]:
        return [pane.title for pane in self.panes[: self.count]]

    def _ensure(self, count: int) -> None:
        """At least `count` panes (a player costs two decoders: made when first needed)."""
        while len(self.panes) < count:
            player = ClipPlayer(controls=False)
            if self.logo_safe is not None:
                player.set_logo_safe(self.logo_safe)
            self.clock.follow(player)
            if not self.panes:  # the counter reads the first take's picture
                player.frame_presented.connect(lambda _frame: self._show_frame())
            self.panes.append(Pane(player))

    def set_logo_safe(self, percent: float) -> None:
        """Settings' logo-safe margin for the guides of every player, now and later."""
        self.logo_safe = percent
        for pane in self.panes:
            pane.player.set_logo_safe(percent)

    def bind_keys(self, keymap: dict[str, Binding]) -> None:
        """The player keys that make sense for several takes, plus A/B, wipe and close."""
        handlers = {
            "play.toggle": self.toggle,
            "play.pause": self.pause,
            "frame.next": lambda: self.step(1),
            "frame.previous": lambda: self.step(-1),
            "frame.first": lambda: self.seek_frame(0),
            "frame.last": lambda: self.seek_frame(self.left.frames - 1),
            "compare.flip": self.flip,
            "compare.wipe": self.toggle_wipe,
            "compare.close": self._close,
        }
        for command, handler in handlers.items():
            binding = keymap.get(command)
            if binding is None:
                continue
            action = QAction(binding.text, self)
            action.setShortcuts([QKeySequence(k) for k in binding.keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _c=False, h=handler: h())
            self.addAction(action)

    def _close(self) -> None:
        self.pause()
        self.closed.emit()

    # ---- loading --------------------------------------------------------------------------

    def open(
        self,
        takes: Sequence[tuple[JobRow, Path | None]],
        *,
        blind_names: Sequence[str] | None = None,
    ) -> None:
        """These takes side by side, each against the first in the diff; with
        `blind_names`, called by those names only (no number, model or diff)."""
        check_compared(len(takes))
        self.jobs = [job for job, _path in takes]
        self.blind_names = list(blind_names) if blind_names is not None else None
        self.open_clips([path for _job, path in takes], self._titles())
        self._show_details()

    def set_blind_names(self, names: Sequence[str] | None) -> None:
        """Blind mode turned on (names to call the takes by) or off (None): the titles
        and the diff follow, the pictures play on."""
        if not self.jobs:
            return
        self.blind_names = list(names) if names is not None else None
        for pane, text in zip(self.panes, self._titles(), strict=False):
            pane.set_title(text)
        self._show_details()

    def open_clips(self, paths: Sequence[Path | None], titles: Sequence[str]) -> None:
        """Clips on the one clock, under these titles (nothing else said of them)."""
        if not 1 <= len(paths) <= MOST or len(titles) != len(paths):
            raise ValueError(f"compare shows 1 to {MOST} clips, each with a title")
        self.pause()
        self._ensure(len(paths))
        self.count = len(paths)
        for pane, path, title in zip(self.panes, paths, titles, strict=False):
            pane.player.load(path)
            pane.player.set_looping(True)
            pane.set_title(title)
        for pane in self.panes[self.count :]:
            pane.player.load(None)  # its decoder let go
        two = self.count == 2
        for box in (self.flip_box, self.wipe_box):
            box.setEnabled(two)
        if not two and self.mode != GRID:
            self._set_boxes(GRID)
            self.mode = GRID
        self.clock.use(self.players)
        self._lay_out()
        self.slider.setRange(0, 0)
        self.time.setText("")
        self.said.setText("")

    def _titles(self) -> list[str]:
        if self.blind_names is not None:
            return [f"<b>{html.escape(name)}</b>" for name in self.blind_names]
        return [
            f"<b>{letters(n)}</b> · {html.escape(job.name)} · {html.escape(job.model)}"
            + (f" · {html.escape(job.spec.variant)}" if job.spec.variant else "")
            for n, job in enumerate(self.jobs)
        ]

    def _show_details(self) -> None:
        shown = self.details and self.blind_names is None
        self.diff.setText(diff_html(self.jobs) if shown else "")
        self.side.setVisible(shown)

    def ready(self) -> bool:
        return all(player.deck.ready for player in self.players)

    # ---- one clock for all --------------------------------------------------------------

    def play(self) -> None:
        self.clock.play()
        self.play_button.setText("Pause all")

    def pause(self) -> None:
        if self.clock.players:
            self.clock.pause()
        self.play_button.setText("Play all")

    def toggle(self) -> None:
        if self.clock.running():
            self.pause()
        else:
            self.play()

    def seek_frame(self, frame: int) -> None:
        self.clock.seek_frame(frame)

    def step(self, delta: int) -> None:
        self.clock.step(delta)
        self.play_button.setText("Play all")

    def set_loop_range(self, first: int, last: int) -> None:
        self.clock.set_loop_range(first, last)

    def _show_frame(self) -> None:
        """The counter and the slider at the first take's picture (its own index)."""
        lead = self.left
        frame = lead.shown_frame()
        self.slider.setRange(0, max(0, lead.frames - 1))
        self.slider.blockSignals(True)
        self.slider.setValue(frame)
        self.slider.blockSignals(False)
        self.time.setText(f"{timecode(frame, lead.fps)}  ·  frame {frame}")

    # ---- layout: the grid, A/B and the wipe -----------------------------------------------

    def set_mode(self, mode: str) -> None:
        """GRID, AB or WIPE (the last two for two takes only)."""
        if mode != GRID and self.count != 2:
            self._set_boxes(self.mode)
            self.said.setText("A/B and wipe compare two takes.")
            return
        self.mode = mode
        self._set_boxes(mode)
        self._lay_out()

    def flip(self) -> None:
        """F: two takes in one view, then the other one at each press (in the wipe, the
        sides swap). Both stay decoded at the same frame: only which is on top changes."""
        if self.count != 2:
            self.said.setText("A/B and wipe compare two takes.")
            return
        if self.mode == GRID:
            self.set_mode(AB)
        self.b_on_top = not self.b_on_top
        self._restack()

    def toggle_wipe(self) -> None:
        self.set_mode(GRID if self.mode == WIPE else WIPE)

    def set_wipe_at(self, fraction: float) -> None:
        self.wipe_at = max(0.0, min(1.0, fraction))
        self._restack()

    def on_top(self) -> ClipPlayer | None:
        """The take in view in A/B (the left one in the wipe); None in the grid."""
        if self.mode == GRID:
            return None
        return self.right if self.b_on_top else self.left

    def _set_boxes(self, mode: str) -> None:
        for box, on in ((self.flip_box, mode == AB), (self.wipe_box, mode == WIPE)):
            box.blockSignals(True)
            box.setChecked(on)
            box.blockSignals(False)

    def _lay_out(self) -> None:
        for pane in self.panes:
            self.grid.removeWidget(pane)
        in_use = self.panes[: self.count]
        if self.mode == GRID:
            rows, columns = grid_shape(self.count)
            for n, pane in enumerate(in_use):
                self.grid.addWidget(pane, n // columns, n % columns)
        else:  # one on the other, in one cell
            rows, columns = 1, 1
            for pane in in_use:
                self.grid.addWidget(pane, 0, 0)
        for n in range(ROWS_AT_MOST):
            self.grid.setRowStretch(n, 1 if n < rows else 0)
            self.grid.setColumnStretch(n, 1 if n < columns else 0)
        for pane in in_use:
            pane.show()
        for pane in self.panes[self.count :]:
            pane.hide()
        self._restack()

    def _restack(self) -> None:
        """Which take is on top and how much of it shows; whose sound is heard."""
        in_use = self.panes[: self.count]
        for pane in in_use:
            pane.title.setAlignment(Qt.AlignmentFlag.AlignLeft)
        if self.mode == GRID or self.count != 2:
            for n, pane in enumerate(in_use):
                _unmask(pane)
                pane.player.mute.setChecked(n != 0)  # one take's sound, not nine at once
            self.divider.hide()
            return
        top, under = (in_use[1], in_use[0]) if self.b_on_top else (in_use[0], in_use[1])
        _unmask(under)
        top.raise_()
        top.player.mute.setChecked(False)
        under.player.mute.setChecked(True)
        if self.mode == WIPE:
            x = round(self.wipe_at * self.box.width())
            _mask(top, x)
            under.title.setAlignment(Qt.AlignmentFlag.AlignRight)  # its title shows right
            self.divider.place(x, self.box.height())
            self.divider.show()
        else:
            _unmask(top)
            self.divider.hide()

    def stop(self) -> None:
        self.clock.stop()
        for pane in self.panes:
            pane.player.stop()


def _mask(pane: Pane, x: int) -> None:
    """Only the part of `pane` left of `x` shows. Its picture's viewport is masked too:
    Qt leaves out of the repaint what an opaque widget above covers, judged by that
    widget's own mask, not its parent's, so the take beneath would never be repainted."""
    pane.setVisible(x > 0)  # (an empty mask would be no mask: all of it)
    pane.setMask(QRegion(0, 0, max(1, x), pane.height()))
    for deck in pane.player.decks:
        viewport = deck.video.viewport()
        left = viewport.mapTo(pane, QPoint(0, 0)).x()
        viewport.setMask(QRegion(0, 0, max(1, x - left), viewport.height()))


def _unmask(pane: Pane) -> None:
    pane.show()
    pane.clearMask()
    for deck in pane.player.decks:
        deck.video.viewport().clearMask()
