"""An unsure job in the window's queue: its row says the provider may be rendering it, with
what happened and when; Send again and Forget do what they say; the batch-wide Send all
unsure again sends the rest."""

from __future__ import annotations

import asyncio
import re

import qasync

from studio.services import Services
from studio.store import JobStatus
from studio.ui.shell.main_window import MainWindow
from tests.jobs.conftest import spec
from tests.ui.test_main_window import STATUS, until


def row_of(win: MainWindow, job_id: int) -> int:
    model = win.queue.model
    assert model is not None
    row = model.row_of(job_id)
    assert row is not None
    return row


def test_unsure_rows_offer_send_again_and_forget(
    qloop: qasync.QEventLoop, window: tuple[MainWindow, Services]
) -> None:
    win, services = window
    sim = services.connection.sim
    assert sim is not None
    # A gateway without a list that ignores keys: lost create replies must wait for a person.
    sim.control("POST", "config", {"list_endpoint": False})
    sim.control(
        "POST", "faults", {"rules": [{"fault": "502", "route": "create", "phase": "after"}]}
    )
    services.engine.config.outage_pause = 0.1
    engine = services.engine

    async def scenario() -> None:
        batch = await engine.submit_batch(
            [spec(f"a kite over dunes, take {i}") for i in range(3)], name="kites"
        )
        ids = [j.id for j in batch.jobs]
        await until(lambda: all(services.store.jobs.get(i).status is JobStatus.UNSURE for i in ids))  # type: ignore[union-attr]
        sim.control("DELETE", "faults")
        model = win.queue.model
        assert model is not None
        await until(
            lambda: model.index(row_of(win, ids[0]), STATUS).data() == "unsure: may be rendering"
        )
        win.queue.view.selectRow(row_of(win, ids[0]))
        details = win.queue.details.text()
        assert "The provider may be rendering this" in details
        assert "HTTP 502" in details
        assert re.search(r"\(\d\d:\d\d:\d\d\)", details)  # when it happened
        assert win.queue.unsure_bar.isVisible()

        # The selection gone (a dialog came and went), the buttons act on the job shown.
        win.queue.view.selectionModel().clearSelection()
        win.commands["queue.forget"].trigger()
        forgotten = services.store.jobs.get(ids[0])
        assert forgotten is not None
        assert forgotten.status is JobStatus.CANCELLED
        win.queue.view.selectRow(row_of(win, ids[1]))
        win.commands["queue.send_again"].trigger()
        await until(lambda: services.store.jobs.get(ids[1]).status is JobStatus.READY)  # type: ignore[union-attr]
        win.queue.view.selectRow(row_of(win, ids[2]))
        assert win.queue.unsure_bar.isVisible()
        win.commands["queue.send_unsure"].trigger()  # the batch's unsure: the last one
        await until(lambda: services.store.jobs.get(ids[2]).status is JobStatus.READY)  # type: ignore[union-attr]
        win.queue.view.selectRow(row_of(win, ids[2]))
        assert not win.queue.unsure_bar.isVisible()

    qloop.run_until_complete(asyncio.wait_for(scenario(), 90))
