"""Seed and audio: the render settings a model may or may not take. Each keeps its value
while the chosen model cannot use it (greyed, saying why), so switching back restores it;
only a model that takes it gets it in the spec."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from studio.providers.profiles import ModelProfile

AUDIO = (("Audio: model's default", None), ("Audio on", True), ("Audio off", False))


class RenderOptions(QWidget):
    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.seed = QLineEdit()
        self.seed.setObjectName("seedEdit")
        self.seed.setPlaceholderText("seed: random")
        self.seed.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,10}")))
        self.audio = QComboBox()
        self.audio.setObjectName("audioBox")
        for text, value in AUDIO:
            self.audio.addItem(text, value)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.seed)
        row.addWidget(self.audio, 1)
        self.seed.textChanged.connect(self.changed)
        self.audio.currentIndexChanged.connect(self.changed)

    def set_profile(self, profile: ModelProfile | None) -> None:
        """Offer what the model takes; grey out, saying why, what it does not."""
        seed, audio = bool(profile and profile.seed), bool(profile and profile.audio)
        name = profile.name if profile else "This model"
        self.seed.setEnabled(seed)
        self.seed.setToolTip(
            "The same seed and prompt give a similar render" if seed else f"{name} takes no seed"
        )
        self.audio.setEnabled(audio)
        self.audio.setToolTip("Whether the clip has sound" if audio else f"{name} makes no audio")

    def values(self, profile: ModelProfile | None) -> tuple[int | None, bool | None]:
        """(seed, generate_audio) for a spec of `profile`: None where it takes neither."""
        text = self.seed.text()
        seed = int(text) if text and profile is not None and profile.seed else None
        audio = self.audio.currentData() if profile is not None and profile.audio else None
        return seed, audio

    def set_values(self, seed: int | None, audio: bool | None) -> None:
        self.seed.setText("" if seed is None else str(seed))
        # By identity: Qt's findData takes None and False for one another
        self.audio.setCurrentIndex(next(i for i, (_, v) in enumerate(AUDIO) if v is audio))

    def kept(self) -> tuple[int | None, bool | None]:
        """What is set, whether or not the model takes it (a draft keeps it)."""
        text = self.seed.text()
        return (int(text) if text else None), self.audio.currentData()

    def unusable(self, profile: ModelProfile) -> list[str]:
        """What is set that `profile` cannot take, in words."""
        seed, audio = self.kept()
        problems = []
        if seed is not None and not profile.seed:
            problems.append(f"seed {seed} ({profile.name} takes no seed)")
        if audio is not None and not profile.audio:
            problems.append(f"audio {'on' if audio else 'off'} ({profile.name} makes no audio)")
        return problems

    def words(self, profile: ModelProfile | None) -> list[str]:
        """What is set and used, in words ("seed 7", "audio on")."""
        seed, audio = self.values(profile)
        return ([f"seed {seed}"] if seed is not None else []) + (
            [f"audio {'on' if audio else 'off'}"] if audio is not None else []
        )
