"""Which frame a player is showing, read from the picture itself (the simulator stamps
each frame's index into it as a block code): from the frames it hands its picture, or from
a grab of the screen."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame
from PySide6.QtWidgets import QWidget
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


@dataclass(frozen=True)
class Picture:
    """A picture as a grab of the screen shows it: its stamped index and its colour."""

    index: int | None  # None: no readable code (black, torn or another picture)
    colour: tuple[float, float, float]  # the mean RGB of its middle band

    @property
    def black(self) -> bool:
        return sum(self.colour) / 3 < 24


def screen_grab(area: QWidget) -> QImage:
    """`area` as its window's screen shows it (what was painted and flushed, not a fresh
    rendering of the widget: a picture Qt never repainted shows as it was)."""
    window = area.window()
    corner = area.mapTo(window, QPoint(0, 0))
    shot = window.screen().grabWindow(window.winId(), corner.x(), corner.y(),
                                      area.width(), area.height())  # fmt: skip
    return shot.toImage().convertToFormat(QImage.Format.Format_RGB888)


def on_screen(area: QWidget, player: ClipPlayer) -> Picture:
    """What the screen shows of `area` where `player`'s picture sits (so whatever lies
    over the picture — another take, a mask — is what is read)."""
    image = screen_grab(area)
    video = player.deck.video
    rect = video.picture_rect()
    corner = video.mapTo(area, rect.topLeft().toPoint())
    crop = image.copy(QRect(corner, rect.size().toSize()))
    native = video.item.nativeSize().toSize()
    clip = crop.scaled(
        native, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    rgb = np.frombuffer(image_to_rgb(clip), np.uint8).reshape(clip.height(), clip.width(), 3)
    band = rgb[rgb.shape[0] // 3 : rgb.shape[0] * 2 // 3]
    r, g, b = (float(band[..., c].mean()) for c in range(3))
    return Picture(framecode.read(rgb), (r, g, b))


def colour_at(area: QWidget, x: int, y: int, radius: int = 6) -> tuple[float, float, float]:
    """The mean RGB of a small square of `area` on the screen around (x, y)."""
    image = screen_grab(area).copy(QRect(x - radius, y - radius, 2 * radius, 2 * radius))
    rgb = np.frombuffer(image_to_rgb(image), np.uint8).reshape(image.height(), image.width(), 3)
    r, g, b = (float(rgb[..., c].mean()) for c in range(3))
    return r, g, b


def repainted(area: QWidget, part: QWidget, rect: QRect) -> int:
    """How many pixels of `rect` (in `area`) differ clearly between the screen and a fresh
    rendering of `part` (a widget that fills `area`): 0 when the screen shows what `part`
    holds now, many when that part of the screen was never repainted."""
    on = screen_grab(area).copy(rect)
    fresh = part.grab().toImage().convertToFormat(QImage.Format.Format_RGB888).copy(rect)
    a, b = (
        np.frombuffer(image_to_rgb(i), np.uint8).reshape(i.height(), i.width(), 3)
        for i in (on, fresh)
    )
    return int((np.abs(a.astype(int) - b.astype(int)).max(axis=2) > 60).sum())
