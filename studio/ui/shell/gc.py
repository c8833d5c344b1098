"""Collect Python garbage on the GUI thread only.

Python's cycle collector runs in whichever thread happens to allocate when a threshold is
crossed. Studio has worker threads (file checks, fsync, the built-in simulator); if one of
them collects a cycle holding Qt objects, Qt destroys those objects off the GUI thread, which
warns ("Timers cannot be stopped from another thread") and can crash. So automatic
collection is switched off and a GUI-thread timer collects instead, as often as the
allocation counts say it is due.

A full collection walks every tracked object (about 20 ms for what Studio holds after
start-up on the reference machine): `freeze()` once start-up is over moves those objects
out of the collector's sight, so the collections that follow only look at new ones.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                return

    def freeze(self) -> None:
        gc.collect()
        gc.freeze()

    def stop(self) -> None:
        self.timer.stop()
        gc.unfreeze()
        gc.collect()
        gc.enable()
