"""Guards against Qt binding bugs that would crash a long session."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal(int)


def test_signal_emit_keeps_reference_counts() -> None:
    """PySide6 6.12.0 dropped a reference to True on every emit(); after a few hundred the
    interpreter aborts. Studio emits dataChanged on every job update."""
    emitter = _Emitter()
    seen: list[int] = []
    emitter.fired.connect(seen.append)
    before = sys.getrefcount(True)
    for i in range(50):
        emitter.fired.emit(i)
    assert sys.getrefcount(True) >= before - 5
    assert len(seen) == 50


def test_garbage_is_collected_on_the_gui_thread() -> None:
    import gc
    import weakref

    from studio.ui.shell.gc import GuiThreadCollector

    collector = GuiThreadCollector()
    try:
        assert not gc.isenabled()

        class Node:
            pass

        node = Node()
        node.me = node  # type: ignore[attr-defined]
        ref = weakref.ref(node)
        del node
        hold = [[] for _ in range(collector.thresholds[0] + 100)]  # generation 0 is now due
        assert gc.get_count()[0] > collector.thresholds[0]
        collector.check()
        del hold
        assert ref() is None
    finally:
        collector.stop()
    assert gc.isenabled()
