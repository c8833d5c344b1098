"""The first window, driven like a person would: pick, type, render, play."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer
from pytestqt.qtbot import QtBot

from studio.providers.openai_shape import OpenAIShapeProvider
from studio.sim.server import SimServer
from studio.ui.quick_render import QuickRenderWindow


@pytest.fixture
def window(qtbot: QtBot, qloop: qasync.QEventLoop, sim: SimServer) -> Iterator[QuickRenderWindow]:
    provider = OpenAIShapeProvider(sim.openai_base_url, sim.api_key, label="the simulator")
    win = QuickRenderWindow()
    qtbot.addWidget(win)
    win.show()
    win.attach(provider, "test simulator")
    assert win._task is not None
    qloop.run_until_complete(win._task)
    yield win
    win.player.stop()
    qloop.run_until_complete(provider.aclose())


def select(combo: object, data: object) -> None:
    index = combo.findData(data)  # type: ignore[attr-defined]
    assert index >= 0, f"{data} not offered"
    combo.setCurrentIndex(index)  # type: ignore[attr-defined]


def offered(combo: object) -> list[object]:
    return [combo.itemData(i) for i in range(combo.count())]  # type: ignore[attr-defined]


def test_pickers_only_offer_what_the_model_allows(window: QuickRenderWindow) -> None:
    assert set(offered(window.model_box)) == {"sim-fast", "sim-pro", "sora-2", "sora-2-pro"}
    select(window.model_box, "sora-2-pro")
    select(window.size_box, "1792x1024")
    assert window.cost.text() == "$2.00"
    select(window.model_box, "sora-2")
    assert offered(window.size_box) == ["1280x720", "720x1280"]
    assert window.size_box.currentData() == "1280x720"  # invalid choice replaced, not kept
    select(window.seconds_box, 12)
    assert window.cost.text() == "$1.20"


def test_render_and_play(qtbot: QtBot, qloop: qasync.QEventLoop, window: QuickRenderWindow) -> None:
    select(window.model_box, "sim-fast")
    select(window.size_box, "640x360")
    qtbot.keyClicks(window.prompt, "A paper boat drifts on a rain puddle")
    assert window.cost.text() == "$0.20"
    qtbot.mouseClick(window.render_button, Qt.MouseButton.LeftButton)
    assert window._task is not None
    qloop.run_until_complete(window._task)
    assert window.last_clip is not None
    assert window.last_clip.read_bytes()[4:8] == b"ftyp"
    assert window.status.text().startswith("Ready:")
    qtbot.waitUntil(
        lambda: window.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState,
        timeout=10_000,
    )
    assert window.player.duration() == pytest.approx(4000, abs=100)


def test_empty_prompt_is_refused_and_nothing_is_sent(
    qloop: qasync.QEventLoop, window: QuickRenderWindow, sim: SimServer
) -> None:
    window.prompt.setPlainText("   ")
    qloop.run_until_complete(window.render_clip())
    assert "prompt is empty" in window.status.text()
    assert "openai.create" not in sim.control("GET", "stats")["requests"]
    assert window.prompt.toPlainText() == "   "  # the user's text is kept
