"""Two takes side by side (or flipped in one view), playing from one clock, with their
prompt diff slot by slot and their parameter differences.

The left player is the clock: play, pause, seek, step and loop go to both, and while they
play the right one is pulled back into step whenever it drifts by more than a frame.
Flipping only changes which one is visible — both stay decoded — so there is no black frame.
"""

from __future__ import annotations

import html
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSlider,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.timecode import timecode
from studio.review.diff import parameter_diffs, slot_diffs, words_html
from studio.review.keymap import Binding
from studio.store import JobRow
from studio.ui.player.player import ClipPlayer
from studio.ui.shell.theme import colour

MAX_WAIT = 1.0  # seconds one take waits for the other before both go on regardless


class CompareView(QWidget):
    closed = Signal()  # back to the review

    def __init__(self, parent: QWidget | None = None, *, details: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.left, self.right = ClipPlayer(controls=False), ClipPlayer(controls=False)
        self.jobs: tuple[JobRow, JobRow] | None = None
        self.flipped_to_right = False
        self.titles = (QLabel("A"), QLabel("B"))
        panes = QSplitter()
        self.pane_widgets: list[QWidget] = []
        for title, player in zip(self.titles, (self.left, self.right), strict=True):
            pane = QWidget()
            column = QVBoxLayout(pane)
            column.setContentsMargins(0, 0, 0, 0)
            title.setObjectName("compareTitle")
            column.addWidget(title)
            column.addWidget(player, 1)
            panes.addWidget(pane)
            self.pane_widgets.append(pane)
        self.panes = panes

        self.play_button = QToolButton()
        self.play_button.setText("Play both")
        self.play_button.clicked.connect(self.toggle)
        back, forward = QToolButton(), QToolButton()
        back.setText("◀ frame")
        forward.setText("frame ▶")
        back.clicked.connect(lambda: self.step(-1))
        forward.clicked.connect(lambda: self.step(1))
        self.flip_box = QCheckBox("Flip (F)")
        self.flip_box.setToolTip("One view: F swaps between the two takes, both keep playing")
        self.flip_box.toggled.connect(self.set_flip_mode)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setMinimumWidth(60)
        self.slider.sliderMoved.connect(self.seek_frame)
        self.time = QLabel()
        bar = QHBoxLayout()
        for widget in (self.play_button, back, forward):
            bar.addWidget(widget)
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.time)
        bar.addWidget(self.flip_box)

        self.diff = QLabel()
        self.diff.setObjectName("promptDiff")
        self.diff.setWordWrap(True)
        self.diff.setTextFormat(Qt.TextFormat.RichText)
        self.diff.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidget(self.diff)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(240)
        scroll.setMaximumWidth(420)

        main = QGridLayout(self)
        main.setContentsMargins(0, 0, 0, 0)
        main.addWidget(panes, 0, 0)
        main.addLayout(bar, 1, 0)
        if details:
            main.addWidget(scroll, 0, 1, 2, 1)
        else:  # blind (the pairwise mode): no prompt diff, nothing said of either take
            scroll.setParent(self)
            scroll.hide()
        main.setColumnStretch(0, 1)

        self._waiting: ClipPlayer | None = None  # the take held until the other catches up
        self._waiting_since = 0.0
        self._sync = QTimer(self, interval=40)
        self._sync.timeout.connect(self._keep_in_step)
        self.left.frame_changed.connect(self._left_moved)
        self.left.frame_presented.connect(lambda _frame: self._keep_in_step())
        self.right.frame_presented.connect(lambda _frame: self._keep_in_step())

    def bind_keys(self, keymap: dict[str, Binding]) -> None:
        """The player keys that make sense for two takes, plus flip and close."""
        handlers = {
            "play.toggle": self.toggle,
            "play.pause": self.pause,
            "frame.next": lambda: self.step(1),
            "frame.previous": lambda: self.step(-1),
            "frame.first": lambda: self.seek_frame(0),
            "frame.last": lambda: self.seek_frame(self.left.frames - 1),
            "compare.flip": self.flip,
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

    def open(self, left: tuple[JobRow, Path | None], right: tuple[JobRow, Path | None]) -> None:
        self.jobs = (left[0], right[0])
        a, b = (
            f"<b>{side}</b> · job #{job.id} · {html.escape(job.model)}"
            for side, job in zip("AB", self.jobs, strict=True)
        )
        self.open_clips(left[1], right[1], (a, b))
        self.diff.setText(self.diff_html(*self.jobs))

    def open_clips(self, left: Path | None, right: Path | None, titles: tuple[str, str]) -> None:
        """Two clips on the one clock, under these titles (nothing else said of them)."""
        self.pause()
        for player, path, title, text in zip(
            (self.left, self.right), (left, right), self.titles, titles, strict=True
        ):
            player.load(path)
            player.set_looping(True)
            title.setText(text)
        self.slider.setRange(0, 0)

    def ready(self) -> bool:
        return self.left.deck.ready and self.right.deck.ready

    @staticmethod
    def diff_html(left: JobRow, right: JobRow) -> str:
        a = left.spec.slots_or_prompt()
        b = right.spec.slots_or_prompt()
        rows = []
        for d in slot_diffs(a, b):
            if not d.changed:
                same = html.escape(" ".join(w for w, _ in d.left))
                rows.append(f"<p><b>{d.label}</b> (same)<br>{same}</p>")
                continue
            rows.append(
                f"<p><b>{d.label}</b><br>A: {words_html(d.left, colour('diff_removed'))}<br>"
                f"B: {words_html(d.right, colour('diff_added'))}</p>"
            )
        params = parameter_diffs(left, right)
        table = "".join(
            f"<tr><td><b>{html.escape(label)}</b></td><td>{html.escape(x)}</td>"
            f"<td>{html.escape(y)}</td></tr>"
            for label, x, y in params
        )
        changes = (
            f"<table cellspacing=4><tr><th></th><th>A</th><th>B</th></tr>{table}</table>"
            if params
            else "<p>Same model, size, duration, seed and reference image.</p>"
        )
        return "<h3>Prompt, slot by slot</h3>" + "".join(rows) + "<h3>Parameters</h3>" + changes

    # ---- one clock for both -----------------------------------------------------------------

    def play(self) -> None:
        self.right.seek_frame(self.left.current_frame())
        self.left.play()
        self.right.play()
        self._sync.start()
        self.play_button.setText("Pause both")

    def pause(self) -> None:
        self._sync.stop()
        self._waiting = None
        self.left.pause()
        self.right.pause()  # also puts its rate back
        self.seek_frame(self.left.shown_frame())  # both rest on the picture A stopped on
        self.play_button.setText("Play both")

    def toggle(self) -> None:
        if self._sync.isActive():  # playing (one of them may be waiting for the other)
            self.pause()
        else:
            self.play()

    def seek_frame(self, frame: int) -> None:
        self.left.seek_frame(frame)
        self.right.seek_frame(frame)

    def step(self, delta: int) -> None:
        self._sync.stop()
        self._waiting = None
        target = (
            self.left.shown_frame() if self.left.is_playing() else self.left.current_frame()
        ) + delta
        self.left.pause()
        self.right.pause()
        self.seek_frame(target)
        self.play_button.setText("Play both")

    def set_loop_range(self, first: int, last: int) -> None:
        for player in (self.left, self.right):
            player.loop_range = (first, last)

    def _keep_in_step(self) -> None:
        """Keep B on A's frame: a little faster or slower while it is a frame or two off
        (no visible jump); further off, the one ahead waits for the other (a busy machine
        starves one decoder; seeking it forward only made it later still) — never for a
        take that is not playing (at its end), and never for more than `MAX_WAIT`."""
        if not self._sync.isActive():
            return
        behind = self.left.shown_frame() - self.right.shown_frame()
        cycle = self._cycle()
        if cycle and abs(behind) > cycle // 2:  # one of them has wrapped round: not apart
            behind -= cycle if behind > 0 else -cycle
        base = self.left.deck.player.playbackRate()
        waiting = self._waiting
        if waiting is not None:
            other = self.right if waiting is self.left else self.left
            waited = time.monotonic() - self._waiting_since
            if abs(behind) <= 1 or not other.is_playing() or waited > MAX_WAIT:
                self._waiting = None  # caught up (or it never will): both go on
                waiting.deck.player.play()
            return
        if abs(behind) > 2:
            ahead = self.left if behind > 0 else self.right
            late = self.right if ahead is self.left else self.left
            if late.is_playing():
                self._waiting, self._waiting_since = ahead, time.monotonic()
                ahead.deck.player.pause()
            self.right.deck.player.setPlaybackRate(base)
        elif abs(behind) > 1:
            nudge = 0.25 * max(-2, min(2, behind))
            self.right.deck.player.setPlaybackRate(base * (1 + nudge))
        else:
            self.right.deck.player.setPlaybackRate(base)

    def _cycle(self) -> int:
        """How many frames both takes go round in (a loop range, or the whole clip when
        both have as many frames); 0 when they do not go round together."""
        loops = {p.loop_range for p in (self.left, self.right) if p.loop_range and p.looping}
        if len(loops) == 1 and self.left.looping and self.right.looping:
            first, last = next(iter(loops))
            return max(1, last - first + 1)
        if self.left.frames == self.right.frames and not loops:
            return max(1, self.left.frames)
        return 0

    def _left_moved(self, frame: int) -> None:
        self.slider.setRange(0, max(0, self.left.frames - 1))
        self.slider.blockSignals(True)
        self.slider.setValue(frame)
        self.slider.blockSignals(False)
        self.time.setText(f"{timecode(frame, self.left.fps)}  ·  frame {frame}")

    # ---- flip ---------------------------------------------------------------------------

    def set_flip_mode(self, on: bool) -> None:
        self.flipped_to_right = False
        self.pane_widgets[0].setVisible(True)
        self.pane_widgets[1].setVisible(not on)

    def flip(self) -> None:
        """In flip mode, swap which take is visible; both keep playing in step."""
        if not self.flip_box.isChecked():
            self.flip_box.setChecked(True)
        self.flipped_to_right = not self.flipped_to_right
        self.pane_widgets[1].setVisible(self.flipped_to_right)
        self.pane_widgets[0].setVisible(not self.flipped_to_right)

    def stop(self) -> None:
        self._sync.stop()
        self._waiting = None
        self.left.stop()
        self.right.stop()
