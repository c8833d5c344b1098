"""Which frame a player is showing, read from the picture itself (the simulator stamps
each frame's index into it as a block code)."""

from __future__ import annotations

import numpy as np
from PySide6.QtMultimedia import QVideoFrame
from pytestqt.qtbot import QtBot

from studio.sim import framecode
from studio.ui.player import ClipPlayer, image_to_rgb


def stamped_index(frame: QVideoFrame) -> int | None:
    image = frame.toImage()
    rgb = np.frombuffer(image_to_rgb(image), np.uint8).reshape(image.height(), image.width(), 3)
    return framecode.read(rgb)


class Shown:
    """The index stamped in the last frame the player presented."""

    def __init__(self, player: ClipPlayer) -> None:
        self.frames: list[int | None] = []
        player.frame_presented.connect(self._seen)

    def _seen(self, frame: QVideoFrame) -> None:
        self.frames.append(stamped_index(frame))

    def settle(self, qtbot: QtBot) -> int | None:
        """Wait for the picture to stop changing, then say which frame it is."""
        count = -1
        while count != len(self.frames):
            count = len(self.frames)
            qtbot.wait(120)
        return self.frames[-1] if self.frames else None
