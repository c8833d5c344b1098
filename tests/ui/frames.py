"""Which frame a player is showing, read from the picture itself (the simulator stamps
each frame's index into it as a block code)."""

from __future__ import annotations

import numpy as np
from PySide6.QtMultimedia import QVideoFrame
from pytestqt.qtbot import QtBot

from studio.sim import framecode
from studio.ui.player.player import ClipPlayer, image_to_rgb


def stamped_index(frame: QVideoFrame) -> int | None:
    image = frame.toImage()
    rgb = np.frombuffer(image_to_rgb(image), np.uint8).reshape(image.height(), image.width(), 3)
    return framecode.read(rgb)


class Shown:
    """The index stamped in each frame the player presented, in order."""

    def __init__(self, player: ClipPlayer) -> None:
        self.frames: list[int | None] = []
        player.frame_presented.connect(self._seen)

    def _seen(self, frame: QVideoFrame) -> None:
        self.frames.append(stamped_index(frame))

    @property
    def last(self) -> int | None:
        return self.frames[-1] if self.frames else None

    def mark(self) -> int:
        """Where the record stands now: `reaches(..., since=mark)` wants a newer frame."""
        return len(self.frames)

    def reaches(
        self, qtbot: QtBot, expected: int, *, since: int | None = None, timeout: int = 10_000
    ) -> None:
        """Wait (up to a deadline, never for a spell of quiet) until the picture on screen
        is frame `expected` — presented after `since` when given."""

        def there() -> bool:
            fresh = since is None or len(self.frames) > since
            return fresh and self.last == expected

        try:
            qtbot.waitUntil(there, timeout=timeout)
        except qtbot.TimeoutError:
            raise AssertionError(
                f"frame {expected} not on screen within {timeout} ms; "
                f"presented: {self.frames[-12:]}"
            ) from None
