"""Export approved takes: choose a folder and a name template, watch the progress, cancel.
The copy runs on a worker thread (studio/export, through the dialog's Background); the
dialog only shows what it reports."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import StudioError
from studio.export import DEFAULT_TEMPLATE, Cancelled, ExportReport, export_takes
from studio.export.names import FIELDS, check_template
from studio.store import JobRow, Store
from studio.ui.shell.background import Background, Failure
from studio.ui.shell.said import say_in

if TYPE_CHECKING:
    import asyncio

# What can be exported: a label and its approved takes, or what finds them when chosen.
Choice = tuple[str, list[JobRow] | Callable[[], list[JobRow]]]


class ExportDialog(QDialog):
    def __init__(
        self,
        store: Store,
        library: Path,
        choices: list[Choice],
        *,
        folder: str = "",
        reviewer: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export approved takes")
        self.setMinimumWidth(560)
        self.store, self.library, self.reviewer = store, library, reviewer
        self.choices = choices  # (what, its approved takes): the first is chosen
        self.jobs: list[JobRow] = []
        self.report: ExportReport | None = None
        self._cancel = threading.Event()  # the worker stops between chunks when it is set
        self.background = Background(self)
        self._running: asyncio.Task[ExportReport] | None = None

        self.folder = QLineEdit(folder)
        self.folder.setPlaceholderText("a folder to export into")
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        self.template = QLineEdit(DEFAULT_TEMPLATE)
        self.template.setToolTip("Fields: " + " ".join("{" + f + "}" for f in FIELDS))
        self.scope = QComboBox()
        self.scope.setObjectName("exportScope")
        for label, jobs in choices:  # a saved search is run when chosen, not before
            self.scope.addItem(label if callable(jobs) else f"{label} — {len(jobs)} approved")
        self.scope.currentIndexChanged.connect(self._chosen)
        form = QFormLayout()
        form.addRow("Takes", self.scope)
        form.addRow("Folder", row)
        form.addRow("File names", self.template)
        self.what = QLabel()
        self.what.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()  # shown once an export runs: an empty bar before says nothing
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.start = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.stop = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.start.clicked.connect(self.begin)
        self.stop.clicked.connect(self._stop)
        layout = QVBoxLayout(self)
        layout.addWidget(self.what)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self._chosen(0)
        for edit in (self.folder, self.template):  # what was wrong is being corrected
            edit.textEdited.connect(self._edited)

    def _edited(self, _text: str) -> None:
        if self._running is None:
            self._say("")

    def _chosen(self, index: int) -> None:
        self.jobs = []
        if 0 <= index < len(self.choices):
            label, jobs = self.choices[index]
            if callable(jobs):
                jobs = jobs()
                self.choices[index] = (label, jobs)
                self.scope.setItemText(index, f"{label} — {len(jobs)} approved")
            self.jobs = jobs
        n = len(self.jobs)
        self.what.setText(
            f"{n} approved take{'s' if n != 1 else ''}: each MP4 copied byte for byte and "
            "verified, with a JSON sidecar, a manifest and SHA256SUMS."
            if n
            else "None of these takes is approved: choose other takes, or approve some first."
        )
        self.start.setEnabled(bool(n) and self._running is None)

    def _choose(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export into", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def _say(self, text: str, *, error: bool = False) -> None:
        say_in(self.status, text, error=error)

    def begin(self) -> asyncio.Task[ExportReport] | None:
        """Check what was typed (the dialog keeps it if wrong), then export on a thread."""
        folder, template = self.folder.text().strip(), self.template.text().strip()
        if not folder:
            self._say("Choose a folder to export into.", error=True)
            return None
        try:
            check_template(template)
        except StudioError as err:
            self._say(str(err), error=True)
            return None
        self.start.setEnabled(False)
        self.scope.setEnabled(False)
        self._cancel.clear()
        self._say("Exporting…")
        self.progress.setValue(0)
        self.progress.show()
        moved, said = self.background.relay(self._moved), self.background.relay(self._say)

        def work() -> ExportReport:
            return export_takes(
                self.store,
                self.library,
                self.jobs,
                Path(folder).expanduser(),
                template=template,
                reviewer=self.reviewer,
                progress=moved,
                cancelled=self._cancel.is_set,
                waiting=said,  # e.g. waiting for another export into the folder
            )

        self._running = self.background.run_in_thread(
            work,
            "export the takes",
            done=self._exported,
            failed=self._failed,
            stop=self._cancel.set,
        )
        return self._running

    def _moved(self, done: int, total: int, name: str) -> None:
        self.progress.setValue(int(1000 * done / max(total, 1)))
        self.status.setText(f"Copying {name}")

    def _finished(self) -> None:
        self._running = None
        self.start.setEnabled(bool(self.jobs))
        self.scope.setEnabled(True)
        self.stop.setText("Close")

    def _failed(self, failure: Failure) -> None:
        self._finished()
        self._say(failure.message, error=not isinstance(failure.error, Cancelled))

    def _exported(self, report: ExportReport) -> None:
        self._finished()
        self.report = report
        self.progress.setValue(1000)
        missing = ". Not exported: " + "; ".join(report.missing) if report.missing else ""
        warnings = "".join(f". {line[:1].upper()}{line[1:]}" for line in report.warnings())
        self._say(f"{report.summary()}{missing}{warnings}.", error=bool(report.missing))

    def _stop(self) -> None:
        if self._running is not None:
            self._cancel.set()  # the worker stops between chunks; nothing is half-written
            self._say("Stopping…")
            return
        self.reject()
