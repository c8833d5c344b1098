"""`studio` (the window) starts on the built-in simulator with no configuration at all."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from studio.ui.app import main
from studio.ui.main_window import MainWindow


def test_window_comes_up_on_the_simulator_and_quits_cleanly(qapp: QApplication) -> None:
    seen: dict[str, object] = {}
    started = time.monotonic()

    def probe() -> None:
        windows = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow)]
        if windows and windows[0].editor.model_box.count() > 0:
            win = windows[0]
            seen["health"] = win.health.text()
            seen["visible"] = win.isVisible()
            seen["models"] = win.editor.model_box.count()
            seen["menus"] = [a.text() for a in win.menuBar().actions()]
            win.close()  # closing the last window ends the app
        elif time.monotonic() - started > 20:
            for w in windows:
                w.close()  # give up: end the app so the assertions below report it
        else:
            QTimer.singleShot(50, probe)

    QTimer.singleShot(0, probe)
    assert main() == 0
    assert seen["visible"] is True
    assert seen["models"] == 4
    assert str(seen["health"]).startswith("Provider: built-in simulator (http://127.0.0.1:")
    assert seen["menus"] == ["&Render", "&Queue", "&File"]
