"""The review player: frame-accurate stepping, J/K/L shuttle, loops, speed, scrub with
timecode and spritesheet previews, and a preloaded next clip so switching is instant.

Two decks (player + video widget) sit in a stack: the visible one plays, the hidden one
holds the next clip decoded and paused on its first frame. Going to that clip swaps them.
Frame stepping seeks, while paused, to just after the frame's start time
(`frame * 1000 / fps + 1` ms), which lands on that exact frame with the FFmpeg backend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QImage, QMouseEvent, QPalette, QPixmap
from PySide6.QtMultimedia import (
    QAudioOutput,
    QMediaMetaData,
    QMediaPlayer,
    QVideoFrame,
    QVideoSink,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.timecode import timecode
from studio.ui.player.scrub import ScrubBar
from studio.ui.player.sketch import Sketch
from studio.ui.player.sprites import sprite_tile
from studio.ui.player.video_view import VideoView
from studio.ui.shell.icons import tinted

SPEEDS = (0.25, 0.5, 1.0, 1.5, 2.0, 4.0)  # the box shows the rate playing, shuttle included
USER_SPEEDS = SPEEDS[:5]  # [ and ] choose among these; 4× is the shuttle's
SHUTTLE = (1.0, 2.0, 4.0)
MAX_CORRECTIONS = 12  # a paused picture put back this often, then left as it is
BUTTON = QSize(32, 28)  # sized for a pointer and a touchpad
DEFAULT_FPS = 24.0


@dataclass
class Deck:
    """One player and the widget it draws into."""

    player: QMediaPlayer
    video: VideoView
    audio: QAudioOutput
    gate: QVideoSink  # what the decoder delivers; the picture gets what `_frame` passes on
    path: Path | None = None
    fps: float = DEFAULT_FPS
    frames: int = 0
    ready: bool = False  # loaded and its first frame decoded
    spritesheet: Path | None = None
    pictures: int = 0  # frames presented since the clip was opened
    shown: int = 0  # index of the frame last presented
    decoded: int = 0  # index of the frame last delivered, presented or held back
    pending: int | None = None  # a frame asked for before the clip had loaded
    rest: int | None = None  # the frame the picture stays on while paused (see `_hold_rest`)
    corrections: int = 0  # times the picture was put back on `rest`


def image_to_rgb(image: QImage) -> bytes:
    """Tightly packed RGB bytes of an image (for reading the frame code in tests/benches)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    data = bytes(rgb.constBits())
    return b"".join(data[y * stride : y * stride + width * 3] for y in range(height))


def _button(text: str, icon: str, tip: str, *, checkable: bool = False) -> QToolButton:
    """A transport button: an icon (its name the accessible text), sized for a pointer."""
    button = QToolButton()
    button.setText(text)
    button.setAccessibleName(text)
    button.setToolTip(tip)
    button.setCheckable(checkable)
    button.setProperty("icon_name", icon)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    button.setIconSize(QSize(18, 18))
    button.setMinimumSize(BUTTON)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space plays; it never clicks a button
    return button


class ClipPlayer(QWidget):
    frame_changed = Signal(int)  # the frame now shown
    frame_presented = Signal(object)  # QVideoFrame: each frame the visible deck presents
    problem = Signal(str)
    fullscreen_requested = Signal()  # the full-screen button (the window does it)

    def __init__(self, *, controls: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stack = QStackedWidget()
        self.decks = [self._deck(), self._deck()]
        self.loop_range: tuple[int, int] | None = None
        self.looping = True
        # Whether a frame (index, frame) may show now while playing; None: every frame.
        # False: the gate's owner keeps it and hands it to `present` later (compare's clock
        # holds back a take that would run ahead of the others).
        self.gate: Callable[[int, QVideoFrame], bool] | None = None
        self._shuttle = 0  # index into SHUTTLE while L is held down; 0 = normal play
        self._playing = False  # the user asked for playback (loops restart only then)
        self._looping_back = False  # held on the out mark until the seek to the in mark lands
        self._reverse = QTimer(self)
        self._reverse.timeout.connect(lambda: self.step(-1))
        self._reverse_speed = 0
        self.message = QLabel()
        self.message.setObjectName("playerMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.stack.addWidget(self.message)
        self.stack.setCurrentWidget(self.message)
        self.message.setText("No take selected.")

        self.play_button = _button("Play", "play", "Play / pause (Space)")
        self.play_button.clicked.connect(self.toggle)
        self.back_button = _button("Frame back", "step-back", "One frame back (,)")
        self.back_button.clicked.connect(lambda: self.step(-1))
        self.next_button = _button("Frame forward", "step-forward", "One frame forward (.)")
        self.next_button.clicked.connect(lambda: self.step(1))
        self.slider = ScrubBar()
        self.slider.installEventFilter(self)
        self.slider.sliderMoved.connect(self.seek_frame)
        self.time = QLabel(timecode(0, DEFAULT_FPS))
        self.time.setObjectName("timecode")
        self.slider.setMinimumWidth(60)
        self.speed = QComboBox()
        self.speed.setToolTip("Playback speed ([ slower, ] faster; L shuttles to 2× and 4×)")
        for rate in SPEEDS:
            self.speed.addItem(f"{rate:g}×", rate)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.activated.connect(lambda i: self._choose_speed(SPEEDS[i]))
        self._user_rate = 1.0  # chosen with [ ] or the box; the shuttle plays over it
        self.loop_button = _button(
            "Loop", "repeat", "Loop the clip or the in–out range (Ctrl+L)", checkable=True
        )
        self.loop_button.setChecked(True)
        self.loop_button.toggled.connect(self.set_looping)
        self.mute = _button("Mute", "volume-2", "Mute / unmute (M)", checkable=True)
        self.mute.toggled.connect(self._apply_volume)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setValue(80)
        self.volume.setMaximumWidth(80)
        self.volume.setMinimumWidth(40)
        self.volume.setToolTip("Volume")
        self.volume.valueChanged.connect(lambda _v: self._apply_volume())
        self.zoom_button = _button(
            "1:1", "zoom-in", "Pixels 1:1 / fit to the view (Z)", checkable=True
        )
        self.zoom_button.toggled.connect(self.set_one_to_one)
        self.guides_button = _button(
            "Guides",
            "square-dashed",
            "Safe-area guides: action 93 %, title 90 %, logo (G)",
            checkable=True,
        )
        self.guides_button.toggled.connect(self.set_guides)
        self.full_button = _button("Full screen", "maximize", "Full screen (F11; Esc leaves)")
        self.full_button.clicked.connect(self.fullscreen_requested)
        self.logo_safe = 5.0
        self.hover = QLabel(self)  # spritesheet preview above the scrub bar
        self.hover.setWindowFlags(Qt.WindowType.ToolTip)
        self.hover.hide()

        # The timeline gets the whole width; the transport sits under it.
        timeline = QHBoxLayout()
        timeline.addWidget(self.slider, 1)
        timeline.addWidget(self.time)
        transport = QHBoxLayout()
        transport.setSpacing(2)
        for button in (self.back_button, self.play_button, self.next_button):
            transport.addWidget(button)
        transport.addSpacing(8)
        transport.addWidget(self.speed)
        transport.addWidget(self.loop_button)
        transport.addStretch(1)
        transport.addWidget(self.mute)
        transport.addWidget(self.volume)
        transport.addSpacing(8)
        for button in (self.zoom_button, self.guides_button, self.full_button):
            transport.addWidget(button)
        bar = QVBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.setSpacing(2)
        bar.addLayout(timeline)
        bar.addLayout(transport)
        self.bar = QWidget()
        self.bar.setLayout(bar)
        self.bar.setVisible(controls)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.bar)
        self._apply_volume()
        self._tint()

    # ---- decks --------------------------------------------------------------------------

    def _deck(self) -> Deck:
        video = VideoView()
        player = QMediaPlayer(self)
        audio = QAudioOutput(self)
        player.setAudioOutput(audio)
        gate = QVideoSink(self)
        player.setVideoOutput(gate)
        deck = Deck(player, video, audio, gate)
        self.stack.addWidget(video)
        player.mediaStatusChanged.connect(lambda status, d=deck: self._status(d, status))
        player.positionChanged.connect(lambda ms, d=deck: self._position(d, ms))
        player.errorOccurred.connect(lambda _e, text, d=deck: self._error(d, text))
        player.playbackStateChanged.connect(lambda _s, d=deck: self._state(d))
        gate.videoFrameChanged.connect(lambda frame, d=deck: self._frame(d, frame))
        return deck

    @property
    def deck(self) -> Deck:
        return self.decks[0]

    @property
    def sketch(self) -> Sketch:
        """The visible deck's drawing layer (notes' drawings, the canvas of a new note)."""
        return self.deck.video.sketch

    @property
    def clip(self) -> Path | None:
        return self.deck.path

    @property
    def fps(self) -> float:
        return self.deck.fps

    @property
    def frames(self) -> int:
        return self.deck.frames

    def load(
        self, path: Path | None, *, spritesheet: Path | None = None, size: int | None = None
    ) -> None:
        """Show a clip (instantly if it was preloaded); None clears the player. `size` is
        what the library recorded: a file of another size is reported as cut short."""
        self.pause()
        self._set_loop_range(None)
        if path is not None and size is not None and path.is_file():
            actual = path.stat().st_size
            if actual != size:
                self.deck.path = None
                self._show_message(
                    f"{path.name} is damaged: {actual:,} bytes on disk, {size:,} when it was "
                    "downloaded. Retry the job to download it again."
                )
                self.problem.emit(f"truncated: {path}")
                return
        if path is None:
            self.deck.player.setSource(QUrl())
            self.deck.path = None
            self._show_message("No take selected.")
            return
        spare = self.decks[1]
        if spare.path == path and spare.player.error() == QMediaPlayer.Error.NoError:
            self.decks.reverse()
            # Its first picture was decoded while hidden: present it again now that the
            # widget shows (a sink ignores the very same frame, so a copy is handed in).
            decoded = self.deck.gate.videoFrame()
            if decoded.isValid():
                again = QVideoFrame(decoded.toImage())
                again.setStartTime(decoded.startTime())
                again.setEndTime(decoded.endTime())
                self.deck.gate.setVideoFrame(again)
            if self.deck.shown != 0:  # the backend decoded past the first frame while hidden
                self.seek_frame(0)
        else:
            self._open(self.deck, path)
        self.deck.spritesheet = spritesheet
        # No seek to 0 here: a fresh or preloaded clip is there already, and a seek still in
        # flight in the backend can land after the user's first seek and undo it.
        self.deck.audio.setMuted(self.mute.isChecked())
        self.decks[1].audio.setMuted(True)
        self._show_deck()

    def preload(self, path: Path | None) -> None:
        """Decode the next clip's first frame in the hidden deck."""
        spare = self.decks[1]
        if path is None or path == spare.path or not path.is_file():
            return
        self._open(spare, path)

    def _open(self, deck: Deck, path: Path) -> None:
        deck.player.stop()
        deck.player.setSource(QUrl())
        deck.ready = False
        deck.pictures = deck.shown = deck.decoded = 0
        deck.pending = None
        deck.rest, deck.corrections = None, 0
        deck.path = path
        deck.fps, deck.frames = DEFAULT_FPS, 0
        if not path.is_file():
            deck.path = None
            self._show_message(f"The clip is missing from the library:\n{path}")
            self.problem.emit(f"missing: {path}")
            return
        if path.stat().st_size == 0:
            deck.path = None
            self._show_message(f"The clip file is empty (0 bytes):\n{path}")
            self.problem.emit(f"empty: {path}")
            return
        deck.player.setSource(QUrl.fromLocalFile(str(path)))
        deck.player.pause()  # decode the first frame, so showing it is instant

    def _show_deck(self) -> None:
        deck = self.deck
        if deck.path is None:
            return
        if deck.player.error() != QMediaPlayer.Error.NoError:
            self._error(deck, deck.player.errorString())
            return
        self.stack.setCurrentWidget(deck.video)
        self._update_range()
        self._show_position(self.current_frame())

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)
        self.slider.setRange(0, 0)
        self.time.setText("—")

    # ---- player events ------------------------------------------------------------------

    def _status(self, deck: Deck, status: QMediaPlayer.MediaStatus) -> None:
        if deck.path is None or deck.player.source() != QUrl.fromLocalFile(str(deck.path)):
            return  # about a source this deck has since left (stop() reports LoadedMedia)
        if status in (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia):
            rate = deck.player.metaData().value(QMediaMetaData.Key.VideoFrameRate)
            if isinstance(rate, float | int) and rate > 0:
                deck.fps = float(rate)
            deck.frames = max(1, round(deck.player.duration() * deck.fps / 1000))
            deck.ready = True
            if deck is self.deck:
                self._update_range()
                if deck.pending is not None:  # asked for before it could be honoured
                    frame, deck.pending = deck.pending, None
                    self.seek_frame(frame)
                self._show_position(self.current_frame())
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            self._error(deck, deck.player.errorString() or "not a playable video")
        elif status == QMediaPlayer.MediaStatus.EndOfMedia:
            if deck.pictures == 0:  # reached the end without one decodable picture
                self._error(deck, "it is cut short or damaged (no picture could be decoded)")
            elif deck is self.deck and self.looping and self._playing:
                self.seek_frame(self.loop_range[0] if self.loop_range else 0)
                deck.player.play()

    def _error(self, deck: Deck, text: str) -> None:
        path = deck.path
        if path is None:  # reported already (the backend says it twice: error and status)
            return
        deck.path = None
        if deck is self.deck:
            self._show_message(
                f"Cannot play {path.name}: {text or 'the file is not a video Studio can read'}.\n"
                "The rest of the review list is unaffected."
            )
            self.problem.emit(f"{path}: {text}")

    def _position(self, deck: Deck, ms: int) -> None:
        if deck is not self.deck:
            return
        if not self.is_playing():  # paused: the picture on screen decides (see _frame)
            return
        frame = self.frame_at(ms)  # (the loop range is kept by the pictures: `_loop_back`)
        self._show_position(frame)
        self.frame_changed.emit(frame)

    def _state(self, deck: Deck) -> None:
        if deck is self.deck:
            playing = self.is_playing() or self._looping_back
            self.play_button.setText("Pause" if playing else "Play")
            self.play_button.setProperty("icon_name", "pause" if playing else "play")
            self._tint()

    def _frame(self, deck: Deck, frame: QVideoFrame) -> None:
        """A decoded frame: onto the picture, unless it is past a loop's out mark (a busy
        machine delivers frames late, so the pause at the mark comes after more of them) or
        the `gate` takes it while playing (compare's clock holds it until the other takes
        catch up, then hands it to `present`)."""
        if not frame.isValid():
            return
        index = self.index_of(frame, deck)
        if deck is self.deck and index is not None:
            deck.decoded = index
            if self._past_out_mark(deck, index):
                return
            if self.gate is not None and self._playing and not self.gate(index, frame):
                return
        self._present(deck, frame, index)

    def index_of(self, frame: QVideoFrame, deck: Deck | None = None) -> int | None:
        """The index of a decoded frame in its clip (None when it carries no time)."""
        fps = (deck or self.deck).fps
        return round(frame.startTime() * fps / 1_000_000) if frame.startTime() >= 0 else None

    def present(self, frame: QVideoFrame) -> None:
        """Show a frame the gate held back (if it is still this clip's and playing)."""
        if self._playing:
            self._present(self.deck, frame, self.index_of(frame))

    def _present(self, deck: Deck, frame: QVideoFrame, index: int | None) -> None:
        deck.video.videoSink().setVideoFrame(frame)
        deck.pictures += 1
        if index is not None:  # the index of the picture on screen
            deck.shown = index
        if deck is self.deck:
            self.frame_presented.emit(frame)
            self._loop_back(deck)
            self._hold_rest(deck)

    def _past_out_mark(self, deck: Deck, index: int) -> bool:
        """Whether a frame lies past the loop's out mark while the loop plays: it is never
        shown, and it starts the loop-back if the out mark's own picture was skipped."""
        if not (self.loop_range and self.looping and self._playing):
            return False
        first, last = self.loop_range
        if index <= last or first >= last:
            return False
        if not self._looping_back:
            self._looping_back = True
            deck.player.pause()
            self.seek_frame(first)
        return True

    def _loop_back(self, deck: Deck) -> None:
        """With the out mark's picture on screen, hold it, seek to the in mark, and play on
        once that picture is there: seeking while playing (or on the position clock, which
        ticks too seldom) showed two to four frames past the mark on a busy machine."""
        if self._looping_back:
            if not (self.loop_range and self.looping) or deck.shown < self.loop_range[1]:
                self._end_loop_back()  # the in mark is on screen (or the loop is gone)
            return
        if not (self.loop_range and self.looping):
            return
        first, last = self.loop_range
        if self._playing and self.is_playing() and deck.shown >= last and first < last:
            self._looping_back = True
            deck.player.pause()
            self.seek_frame(first)

    def _hold_rest(self, deck: Deck) -> None:
        """Paused, the picture stays on the frame the label names. On a busy machine the
        FFmpeg backend still presents frames decoded before a pause, or plays on a few
        frames after a paused seek (up to eight were seen): put the picture back."""
        if deck.rest is None or self._playing or self._looping_back or self.is_playing():
            return
        if deck.shown != deck.rest and deck.corrections < MAX_CORRECTIONS:
            deck.corrections += 1
            self.seek_frame(deck.rest)

    def _update_range(self) -> None:
        self.slider.setRange(0, max(0, self.frames - 1))

    def _show_position(self, frame: int) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(frame)
        self.slider.blockSignals(False)
        last = max(0, self.frames - 1)
        self.time.setText(f"{timecode(frame, self.fps)} · {frame}/{last}")
        self.time.setToolTip(f"Timecode, then frame {frame} of 0–{last}")

    # ---- transport ----------------------------------------------------------------------

    def frame_at(self, ms: int) -> int:
        return max(0, min(int(ms * self.fps / 1000), max(0, self.frames - 1)))

    def current_frame(self) -> int:
        """The frame steps and marks start from. Paused, the clock sits on the picture
        shown (pausing mid-playback snaps it there, see `pause`)."""
        return self.frame_at(self.deck.player.position())

    def shown_frame(self) -> int:
        """The frame on screen now (from the last picture presented, not the clock)."""
        return self.deck.shown

    def is_playing(self) -> bool:
        return self.deck.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def play(self) -> None:
        self._stop_reverse()
        self._playing = True
        self._shuttle = 0
        self._apply_rate()
        self.deck.player.play()

    def pause(self) -> None:
        was_moving = self.is_playing() or self._reverse.isActive()
        self._stop_reverse()
        self._playing = False
        self._looping_back = False
        self._shuttle = 0
        self.deck.player.pause()
        self._apply_rate()
        if was_moving and self.deck.ready and self.deck.pictures:
            # Paused mid-playback the clock lags the picture by up to a frame: put it on
            # the picture on screen, so the label and the next step start from there.
            self.seek_frame(self.deck.shown)

    def toggle(self) -> None:
        if self.is_playing() or self._reverse.isActive():
            self.pause()
        else:
            self.play()

    def seek_frame(self, frame: int) -> None:
        if not self.deck.ready and self.deck.path is not None:
            self.deck.pending = max(0, frame)  # the backend would drop it: keep it for later
            return
        last = max(0, self.frames - 1)
        frame = max(0, min(frame, last))
        if frame != self.deck.rest:
            self.deck.rest, self.deck.corrections = frame, 0
        self.deck.player.setPosition(int(frame * 1000 / self.fps) + 1)
        self._show_position(frame)

    def step(self, delta: int) -> None:
        """Exactly `delta` frames from the one on screen (paused unless stepping is the
        reverse shuttle)."""
        if not self._reverse.isActive() and self.is_playing():
            self.pause()  # onto the picture on screen first
        elif not self._reverse.isActive():
            self._playing = False
            self.deck.player.pause()
        self.seek_frame(self.current_frame() + delta)

    def first_frame(self) -> None:
        self.pause()
        self.seek_frame(0)

    def last_frame(self) -> None:
        self.pause()
        self.seek_frame(self.frames - 1)

    def shuttle_forward(self) -> None:
        """L: play, and each further press faster (1×, 2×, 4×); the speed box shows it."""
        self._stop_reverse()
        if self.is_playing():
            self._shuttle = min(self._shuttle + 1, len(SHUTTLE) - 1)
        self._playing = True
        self._apply_rate()
        self.deck.player.play()

    def shuttle_back(self) -> None:
        """J: backwards by stepping (the backend has no reverse playback), faster each press."""
        self.deck.player.pause()
        self._reverse_speed = min(self._reverse_speed + 1, len(SHUTTLE))
        rate = SHUTTLE[self._reverse_speed - 1]
        self._reverse.start(max(1, int(1000 / (self.fps * rate))))

    def _stop_reverse(self) -> None:
        self._reverse.stop()
        self._reverse_speed = 0

    def set_speed(self, rate: float) -> None:
        self._choose_speed(min(USER_SPEEDS, key=lambda r: abs(r - rate)))

    def change_speed(self, steps: int) -> None:
        """[ and ]: slower or faster among 0.25×–2×."""
        index = min(range(len(USER_SPEEDS)), key=lambda i: abs(USER_SPEEDS[i] - self._user_rate))
        self._choose_speed(USER_SPEEDS[max(0, min(index + steps, len(USER_SPEEDS) - 1))])

    def _choose_speed(self, rate: float) -> None:
        self._user_rate = rate
        self._shuttle = 0
        self._apply_rate()

    def rate(self) -> float:
        """The speed playing now: the shuttle's while L is in use, else the one chosen."""
        return SHUTTLE[self._shuttle] if self._shuttle else self._user_rate

    def _apply_rate(self) -> None:
        rate = self.rate()
        self.deck.player.setPlaybackRate(rate)
        self.speed.blockSignals(True)
        self.speed.setCurrentIndex(SPEEDS.index(rate) if rate in SPEEDS else SPEEDS.index(1.0))
        self.speed.blockSignals(False)

    def _end_loop_back(self) -> None:
        """Play on after a loop-back (or a loop turned off while it was held)."""
        if self._looping_back:
            self._looping_back = False
            if self._playing:
                self.deck.player.play()

    def set_looping(self, on: bool) -> None:
        self.looping = on
        if self.loop_button.isChecked() != on:
            self.loop_button.setChecked(on)
        if not on:
            self._end_loop_back()

    def mark_in(self) -> None:
        last = self.loop_range[1] if self.loop_range else self.frames - 1
        self._set_loop_range((min(self.current_frame(), last), last))

    def mark_out(self) -> None:
        first = self.loop_range[0] if self.loop_range else 0
        self._set_loop_range((first, max(self.current_frame(), first)))

    def _set_loop_range(self, loop: tuple[int, int] | None) -> None:
        self.loop_range = loop
        self.slider.set_loop_range(loop)  # the marks show on the timeline
        if loop is None:
            self._end_loop_back()

    def toggle_loop(self) -> None:
        self.set_looping(not self.looping)

    def toggle_mute(self) -> None:
        self.mute.setChecked(not self.mute.isChecked())

    def _apply_volume(self) -> None:
        self.deck.audio.setMuted(self.mute.isChecked())
        self.deck.audio.setVolume(self.volume.value() / 100)
        self.mute.setProperty("icon_name", "volume-x" if self.mute.isChecked() else "volume-2")
        self._tint()

    # ---- view: 1:1 pixels, guides, icons --------------------------------------------------

    def set_one_to_one(self, on: bool) -> None:
        for deck in self.decks:
            deck.video.set_one_to_one(on)
        if self.zoom_button.isChecked() != on:
            self.zoom_button.setChecked(on)

    def toggle_zoom(self) -> None:
        self.set_one_to_one(not self.zoom_button.isChecked())

    def set_guides(self, on: bool) -> None:
        for deck in self.decks:
            deck.video.set_guides(on, self.logo_safe)
        if self.guides_button.isChecked() != on:
            self.guides_button.setChecked(on)

    def toggle_guides(self) -> None:
        self.set_guides(not self.guides_button.isChecked())

    def set_logo_safe(self, percent: float) -> None:
        """The logo-safe margin (Settings), as a percentage of the frame."""
        self.logo_safe = percent
        self.set_guides(self.guides_button.isChecked())

    def _tint(self) -> None:
        colour = self.palette().color(QPalette.ColorRole.ButtonText)
        for button in self.bar.findChildren(QToolButton) if hasattr(self, "bar") else []:
            name = button.property("icon_name")
            if isinstance(name, str):
                button.setIcon(tinted(name, colour))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # a theme: icons in its text colour
            self._tint()
        super().changeEvent(event)

    def stop(self) -> None:
        self._stop_reverse()
        for deck in self.decks:
            deck.player.stop()

    # ---- spritesheet hover --------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.slider:
            if event.type() == QEvent.Type.MouseMove and isinstance(event, QMouseEvent):
                self._hover_preview(event.position().toPoint())
            elif event.type() == QEvent.Type.Leave:
                self.hover.hide()
        return super().eventFilter(watched, event)

    def hover_tile(self, x: int) -> QPixmap | None:
        """The spritesheet tile for a point on the scrub bar (None without a spritesheet)."""
        sheet = self.deck.spritesheet
        if sheet is None or not sheet.is_file():
            return None
        image = QPixmap(str(sheet))
        if image.isNull():
            return None
        return sprite_tile(image, x / max(1, self.slider.width()))

    def _hover_preview(self, point: QPoint) -> None:
        tile = self.hover_tile(point.x())
        if tile is None:
            return
        self.hover.setPixmap(tile.scaledToWidth(160, Qt.TransformationMode.SmoothTransformation))
        self.hover.adjustSize()
        spot = self.slider.mapToGlobal(QPoint(point.x() - self.hover.width() // 2, 0))
        self.hover.move(spot.x(), spot.y() - self.hover.height() - 6)
        self.hover.show()
