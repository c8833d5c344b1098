"""A plain player for a finished take (the full player with frame stepping comes next)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QPixmap
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class PreviewPanel(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.video = QVideoWidget()
        self.player = QMediaPlayer(self)
        self.player.setVideoOutput(self.video)
        self.player.setLoops(QMediaPlayer.Loops.Infinite)
        self.player.errorOccurred.connect(self._error)
        self.title = QLabel("Double-click a finished job to watch it here.")
        self.title.setWordWrap(True)
        self.thumb = QLabel()
        self.play = QPushButton("Play / Pause")
        self.play.setEnabled(False)
        self.play.clicked.connect(self.toggle)
        controls = QHBoxLayout()
        controls.addWidget(self.play)
        controls.addWidget(self.title, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.video, 1)
        layout.addLayout(controls)
        self.clip: Path | None = None

    def show_clip(self, path: Path, title: str) -> None:
        if not path.is_file():
            self.title.setText(f"The clip is missing from the library: {path}")
            self.play.setEnabled(False)
            return
        self.clip = path
        self.title.setText(title)
        self.player.setSource(QUrl.fromLocalFile(str(path)))
        self.play.setEnabled(True)
        self.player.play()

    def show_thumbnail(self, path: Path) -> None:
        pixmap = QPixmap(str(path))
        self.thumb.setPixmap(pixmap)

    def toggle(self) -> None:
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def _error(self, _error: QMediaPlayer.Error, message: str) -> None:
        self.title.setText(f"Cannot play this clip: {message or 'unknown error'}")

    def stop(self) -> None:
        self.player.stop()
