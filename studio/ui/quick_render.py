"""A first window: write a prompt, pick what the model allows, render, and play the clip.

The full studio (editor with presets, queue, review) replaces this; it already talks to the
provider only through `studio.generate`, and holds no state a later screen would need.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from studio import paths
from studio.errors import StudioError
from studio.generate import render_to_file
from studio.jobs.polling import PollSchedule
from studio.providers.base import Provider
from studio.providers.profiles import ModelProfile, ProfileSet
from studio.providers.types import RemoteJob, RenderSpec


class QuickRenderWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Studio")
        self.resize(1280, 800)
        self._provider: Provider | None = None
        self._profiles: ProfileSet | None = None
        self._task: asyncio.Task[None] | None = None
        self.last_clip: Path | None = None

        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText(
            "Subject, action, setting, camera, lighting, mood — e.g. “A red fox trots through "
            "fresh snow at dawn, slow dolly in, golden hour light”"
        )
        self.model_box = QComboBox()
        self.seconds_box = QComboBox()
        self.size_box = QComboBox()
        self.cost = QLabel("—")
        self.render_button = QPushButton("Render")
        self.render_button.setDefault(True)
        self.render_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.status = QLabel("Starting the built-in simulator…")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        form.addRow("Model", self.model_box)
        form.addRow("Duration", self.seconds_box)
        form.addRow("Size", self.size_box)
        form.addRow("Estimated cost", self.cost)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(QLabel("Prompt"))
        left_layout.addWidget(self.prompt, 1)
        left_layout.addLayout(form)
        left_layout.addWidget(self.render_button)
        left_layout.addWidget(self.progress)
        left_layout.addWidget(self.status)

        self.video = QVideoWidget()
        self.video.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.player = QMediaPlayer(self)
        self.player.setVideoOutput(self.video)
        self.player.setLoops(QMediaPlayer.Loops.Infinite)
        self.play_button = QPushButton("Play / Pause")
        self.play_button.setEnabled(False)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.video, 1)
        controls = QHBoxLayout()
        controls.addWidget(self.play_button)
        controls.addStretch(1)
        right_layout.addLayout(controls)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([420, 860])
        self.setCentralWidget(splitter)
        self.statusBar().showMessage("Provider: connecting…")

        self.model_box.currentIndexChanged.connect(self._model_changed)
        self.seconds_box.currentIndexChanged.connect(self._update_cost)
        self.size_box.currentIndexChanged.connect(self._update_cost)
        self.render_button.clicked.connect(self._start_render)
        self.play_button.clicked.connect(self._toggle_play)

    # ---- wiring ------------------------------------------------------------------------

    def attach(self, provider: Provider, description: str) -> None:
        """Called once the provider is ready (after the window is on screen)."""
        self._provider = provider
        self.statusBar().showMessage(f"Provider: {description}")
        self._task = asyncio.ensure_future(self._load_models())

    async def _load_models(self) -> None:
        assert self._provider is not None
        try:
            self._profiles = await self._provider.models()
        except StudioError as err:
            self._say(f"Could not load models: {err}", error=True)
            return
        self.model_box.clear()
        for profile in self._profiles:
            self.model_box.addItem(profile.name, profile.id)
        self.render_button.setEnabled(True)
        self._say("Ready. Write a prompt and press Render.")

    # ---- choices limited to the model ----------------------------------------------------

    def _profile(self) -> ModelProfile | None:
        model_id = self.model_box.currentData()
        if self._profiles is None or model_id is None:
            return None
        return self._profiles.get(model_id)

    def _model_changed(self) -> None:
        profile = self._profile()
        if profile is None:
            return
        for combo, values, label in (
            (self.seconds_box, profile.durations, lambda v: f"{v} s"),
            (self.size_box, profile.sizes, str),
        ):
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for value in values:
                combo.addItem(label(value), value)
            index = combo.findData(keep)
            combo.setCurrentIndex(max(0, index))  # never leave a value the model refuses
            combo.blockSignals(False)
        self._update_cost()

    def spec(self) -> RenderSpec | None:
        profile = self._profile()
        if profile is None:
            return None
        return RenderSpec(
            model=profile.id,
            prompt=self.prompt.toPlainText(),
            seconds=int(self.seconds_box.currentData()),
            size=str(self.size_box.currentData()),
        )

    def _update_cost(self) -> None:
        profile, spec = self._profile(), self.spec()
        cost = profile.estimate_cost(spec) if profile and spec else None
        self.cost.setText("—" if cost is None else f"${cost:.2f}")

    # ---- rendering -------------------------------------------------------------------------

    def _start_render(self) -> None:
        self._task = asyncio.ensure_future(self.render_clip())

    async def render_clip(self) -> None:
        spec, profile = self.spec(), self._profile()
        if spec is None or profile is None or self._provider is None:
            return
        try:
            profile.validate(spec)
        except StudioError as err:
            self._say(str(err), error=True)  # the prompt stays as typed
            return
        out = paths.library_dir() / f"quick-{time.strftime('%Y%m%d-%H%M%S')}.mp4"
        self.render_button.setEnabled(False)
        self.progress.setValue(0)
        self._say("Submitting…")
        try:
            job = await render_to_file(
                self._provider,
                spec,
                out,
                on_update=self._on_update,
                schedule=PollSchedule(fastest=0.5, start=0.5, slowest=2.0),
            )
        except StudioError as err:
            self._say(str(err), error=True)
            return
        finally:
            self.render_button.setEnabled(True)
        self.progress.setValue(100)
        self._say(f"Ready: {out.name} ({job.id})")
        self.play(out)

    def _on_update(self, job: RemoteJob, elapsed: float) -> None:
        self.progress.setValue(job.progress or 0)
        self._say(f"{job.status.value.capitalize()} — {job.progress or 0}% after {elapsed:.0f} s")

    def play(self, path: Path) -> None:
        self.last_clip = path
        self.player.setSource(QUrl.fromLocalFile(str(path)))
        self.play_button.setEnabled(True)
        self.player.play()

    def _toggle_play(self) -> None:
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #c62828;" if error else "")

    def closeEvent(self, event: object) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self.player.stop()
        super().closeEvent(event)  # type: ignore[arg-type]
