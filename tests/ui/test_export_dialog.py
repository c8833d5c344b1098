"""The export dialog while another export holds the folder: it says whom it waits for,
goes on when the folder is let go, and reports what it set aside; stopped, it says so."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import qasync
from pytestqt.qtbot import QtBot

from studio.export import Cancelled
from studio.export import folder as export_folder
from studio.export.importer import import_folder
from studio.store import Store
from studio.ui.library.export_dialog import ExportDialog
from tests.export.test_provenance import clip
from tests.ui.test_day_one import until


def test_the_dialog_waits_for_another_export_then_reports_what_it_set_aside(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    drop = tmp_path / "drop"
    for name in ("heron", "owl"):
        clip(drop, name)
    store = Store(tmp_path / "lib" / "studio.db")
    try:
        library = tmp_path / "lib" / "library"
        added = import_folder(store, library, drop).added
        for take in added:
            store.verdicts.decide(take, "approve", reviewer="ana", at=time.time())
        jobs = [j for j in (store.jobs.get(t) for t in added) if j is not None]
        out = tmp_path / "out"
        out.mkdir()
        hostile = {"schema": "studio.manifest/1", "clips": [{"file": "../../x"}]}
        (out / "manifest.json").write_text(json.dumps(hostile))
        dialog = ExportDialog(store, library, [("Imported", jobs)], folder=str(out))
        qtbot.addWidget(dialog)
        dialog.show()
        assert not dialog.progress.isVisible()  # no empty bar before an export runs
        with export_folder.take(out):  # another export holds the folder
            running = dialog.begin()
            assert running is not None
            assert dialog.progress.isVisible()
            said = dialog.status.text
            qloop.run_until_complete(until(lambda: "Waiting for another export" in said(), 10))
            assert not list(out.glob("*.mp4"))
        report = qloop.run_until_complete(running)
        assert len(report.written) == 2
        qtbot.waitUntil(lambda: "2 clips exported to" in dialog.status.text())
        assert "Set aside: manifest.json entry 1's file names '../../x'" in dialog.status.text()
    finally:
        store.close()


def test_stopping_the_export_while_it_waits_is_said_and_not_an_error(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    drop = tmp_path / "drop"
    clip(drop, "heron")
    store = Store(tmp_path / "lib" / "studio.db")
    try:
        library = tmp_path / "lib" / "library"
        (take,) = import_folder(store, library, drop).added
        store.verdicts.decide(take, "approve", reviewer="ana", at=time.time())
        jobs = [j for j in (store.jobs.get(take),) if j is not None]
        out = tmp_path / "out"
        out.mkdir()
        dialog = ExportDialog(store, library, [("Imported", jobs)], folder=str(out))
        qtbot.addWidget(dialog)
        with export_folder.take(out):  # another export holds the folder
            running = dialog.begin()
            assert running is not None
            said = dialog.status.text
            qloop.run_until_complete(until(lambda: "Waiting for another export" in said(), 10))
            dialog.stop.click()
            assert said() == "Stopping…"
            with pytest.raises(Cancelled):
                qloop.run_until_complete(running)
        qloop.run_until_complete(until(lambda: dialog.stop.text() == "Close", 10))
        assert said() == f"Export stopped while waiting for another export into {out}."
        assert dialog.status.property("error") is False  # the person's choice, not a fault
        assert dialog.start.isEnabled()  # can be started again
        assert not list(out.glob("*.mp4"))
    finally:
        store.close()
