"""One figure for what is left today: the editor's cost line and the status bar said it two
ways ("Today $1.45 of $5.00" beside "$3.55 left today"), each read at its own moment, so a
render finishing at another price left the editor behind until the next keystroke."""

from __future__ import annotations

import time
from collections.abc import Callable

import qasync

from studio.jobs.events import JobChanged
from studio.prompts import PromptSlots
from studio.services import Services
from studio.store import JobStatus
from studio.ui.shell.main_window import MainWindow
from tests.helpers import job_values
from tests.ui.test_day_one import until

Opened = tuple[MainWindow, Services]
ELSEWHERE = "openai:https://gw.example/v1"  # jobs this window's engine never sends or polls


def test_the_editor_and_the_status_bar_show_the_same_figure(
    qloop: qasync.QEventLoop, open_window: Callable[[], Opened]
) -> None:
    win, services = open_window()
    store, now = services.store, time.time()
    ids = {}
    with store.db.write() as tx:
        for name, status, estimate, actual in (
            ("queued", "queued", 0.40, None),
            ("running", "running", 0.80, None),  # in flight: its estimate counts
            ("billed", "ready", 0.40, 0.25),  # as billed
            ("refused", "failed", 0.40, None),  # not billed
        ):
            ids[name] = store.jobs.insert(
                tx,
                job_values(name, provider=ELSEWHERE, status=status,
                           estimated_cost=estimate, actual_cost=actual),
                at=now - 60,
            )  # fmt: skip

    async def scenario() -> None:  # on the running qasync loop, as the engine's tasks need
        services.set_daily_cap(5.0)
        win.editor.set_slots(PromptSlots(subject="a heron", action="lands"))
        win.status.show_spend()
        assert win.spend.text() == "$3.55 left today of $5.00"
        cost = win.editor.cost.text()
        assert cost.endswith(" · $3.55 left today of $5.00"), cost  # the same words, the same sum

        # The running render is billed at another price: the status bar reads it again after
        # the engine's event, and the editor's cost line follows without a keystroke.
        with store.db.write() as tx:
            store.jobs.transition(tx, ids["running"], JobStatus.READY, at=time.time())
            store.jobs.update(tx, ids["running"], at=time.time(), actual_cost=0.50)
        win.status.on_event(
            JobChanged(ids["running"], "ready", frozenset({"status", "actual_cost"}))
        )
        await until(lambda: win.spend.text() == "$3.85 left today of $5.00", 5)
        assert win.editor.cost.text().endswith(" · " + win.spend.text())

        services.set_daily_cap(None)
        win.status.show_spend()
        assert win.spend.text() == "$1.15 spent today · no daily cap"
        assert win.editor.cost.text().endswith(" · " + win.spend.text())

    qloop.run_until_complete(scenario())
