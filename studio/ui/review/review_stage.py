"""The review stage: Review, Compare and Lineage as tabs over one set of takes.

The window hands it the store once the services are up and asks it for intents (review
these takes, compare several, show a lineage); the stage moves between its pages and keeps
the keyboard focus on the page shown, so the review keys always work. Blind mode reaches
every page: compare and the lineage call the takes what the take list calls them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QTabWidget, QWidget

from studio.core.errors import StudioError
from studio.review.compared import check_compared
from studio.review.keymap import Binding
from studio.review.rubric import ActiveRubric, load_active
from studio.review.session import ReviewSession
from studio.store import JobRow, JobStatus, Store
from studio.ui.review.compare import CompareView
from studio.ui.review.lineage import LineageView
from studio.ui.review.pairwise import PairwiseMode
from studio.ui.review.review_panel import ReviewPanel
from studio.ui.review.take_list import take_title


class ReviewStage(QTabWidget):
    edit_requested = Signal(int)  # an Edit decision on this job id
    fullscreen_requested = Signal(bool)
    opened = Signal()  # takes are up for review (the window gives the stage the room)

    def __init__(self, keymap: dict[str, Binding], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stage")
        # Narrower than its pages want while writing; reviewing (F6) gives it the window.
        self.setMinimumSize(520, 300)
        self.setDocumentMode(True)
        self.store: Store | None = None
        self.library: Path | None = None
        self.reviewer = ""
        self.keymap = keymap
        self.pairwise: PairwiseMode | None = None  # a blind ranking pass, as a tab while open
        self.review = ReviewPanel(keymap)
        self.compare = CompareView()
        self.compare.bind_keys(keymap)
        self.lineage = LineageView()
        for widget, title in ((self.review, "Review"), (self.compare, "Compare"),
                              (self.lineage, "Lineage")):  # fmt: skip
            self.addTab(widget, title)
        self.review.edit_requested.connect(self.edit_requested)
        self.review.fullscreen_requested.connect(self.fullscreen_requested)
        self.review.compare_requested.connect(self.open_compare)
        self.review.blind.toggled.connect(lambda _on: self._blind_changed())
        self.review.lineage_requested.connect(self.open_lineage)
        self.compare.closed.connect(self.show_review)
        self.lineage.job_activated.connect(
            lambda job_id: self.review_takes(self.lineage.job_ids(), start=job_id)
        )
        back = keymap.get("compare.close")
        if back is not None:  # the key that leaves compare leaves the lineage too
            action = QAction(back.text, self.lineage)
            action.setShortcuts([QKeySequence(k) for k in back.keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(self.show_review)
            self.lineage.addAction(action)

    def open_pairwise(self, job_ids: list[int]) -> PairwiseMode:
        """A blind ranking pass over these takes, as a tab of the stage (the one before it
        is ended); StudioError says why it cannot be had (fewer than two takes with a clip)."""
        if self.store is None or self.library is None:
            raise StudioError("The library is not open yet.")
        mode = PairwiseMode.open(
            self.store, self.library, job_ids, self.reviewer, keymap=self.keymap, parent=self
        )
        self.close_pairwise()
        self.review.player.pause()
        self.pairwise = mode
        mode.installEventFilter(self)
        self.addTab(mode, "Blind ranking")
        self.setCurrentWidget(mode)
        mode.compare.setFocus()
        return mode

    def close_pairwise(self) -> None:
        mode, self.pairwise = self.pairwise, None
        if mode is not None:
            mode.removeEventFilter(self)
            mode.end()
            self.removeTab(self.indexOf(mode))
            mode.deleteLater()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.pairwise and event.type() == QEvent.Type.Close:
            self.close_pairwise()  # its Close button: the tab goes, Review is in front
            self.show_review()
        return super().eventFilter(watched, event)

    def attach(self, store: Store | None, library: Path | None, reviewer: str = "") -> None:
        self.store, self.library, self.reviewer = store, library, reviewer

    def _asset(self, job_id: int, kind: str) -> Path | None:
        if self.store is None or self.library is None:
            return None
        return self.store.assets.file(self.library, job_id, kind)

    # ---- intents ------------------------------------------------------------------------

    def open_job(self, job_id: int) -> None:
        """Review a finished take with the rest of its batch (its variants)."""
        if self.store is None:
            return
        job = self.store.jobs.get(job_id)
        if job is None or job.status is not JobStatus.READY:
            raise StudioError("Only a finished take can be reviewed.")
        ids = sorted(  # in the order they were queued
            [j.id for j in self.store.jobs.in_batch(job.batch_id) if j.status is JobStatus.READY]
            if job.batch_id is not None
            else [job.id]
        )
        self.review_takes(ids, start=job_id)

    def review_takes(self, job_ids: list[int], *, start: int | None = None) -> None:
        if self.store is None or self.library is None:
            return
        session = ReviewSession(
            self.store, load_active(self.store), job_ids, reviewer=self.reviewer
        )
        self.review.open(session, self.store, self.library, start_job=start)
        self.opened.emit()
        self.show_review()

    def open_compare(self, job_ids: list[int]) -> None:
        """These takes (2 to 9) side by side on one clock, in this order; in blind mode by
        the names the take list gives them. Raises a StudioError that says what is wrong."""
        if self.store is None:
            return
        check_compared(len(job_ids))
        jobs = {j.id: j for j in self.store.jobs.many(job_ids)}
        missing = [i for i in job_ids if i not in jobs]
        if missing:
            raise StudioError(f"Take #{missing[0]} is not in this library any more.")
        self.compare.open(
            [(jobs[i], self._asset(i, "video")) for i in job_ids],
            blind_names=self._blind_names(job_ids),
        )
        self.review.player.pause()
        self.setCurrentWidget(self.compare)
        self.focus_page()

    def open_lineage(self, job_id: int) -> None:
        if self.store is None:
            return
        self.review.player.pause()
        self._show_lineage(job_id)
        self.setCurrentWidget(self.lineage)
        self.focus_page()

    def _show_lineage(self, job_id: int) -> None:
        if self.store is None:
            return
        rubric = load_active(self.store).rubric
        names = self._blind_name if self._blind() else None
        self.lineage.show_job(self.store, rubric, job_id, self._asset, blind_name=names)

    def _blind(self) -> bool:
        return self.review.session is not None and self.review.session.blind

    def _blind_names(self, job_ids: list[int]) -> list[str] | None:
        """In blind mode, what the take list calls these takes; else None."""
        if not self._blind() or self.store is None:
            return None
        jobs = {j.id: j for j in self.store.jobs.many(job_ids)}
        return [self._blind_name(jobs[i]) for i in job_ids]

    def _blind_name(self, job: JobRow) -> str:
        """A take's name in blind mode: the take list's for a take in the pass (a neutral
        label until decided), its number for one outside it (not under blind review)."""
        session = self.review.session
        take = next((t for t in session.takes if t.job_id == job.id), None) if session else None
        return take_title(session, take, job) if session and take else job.name

    def _blind_changed(self) -> None:
        """Blind mode on or off: compare and the lineage say what it allows."""
        if self.compare.jobs:
            self.compare.set_blind_names(self._blind_names([j.id for j in self.compare.jobs]))
        if self.lineage.shown_job is not None:
            self._show_lineage(self.lineage.shown_job)

    def show_review(self) -> None:
        self.setCurrentWidget(self.review)
        self.focus_page()

    def focus_page(self) -> None:
        """Keyboard focus on the page shown, so its keys work at once."""
        page = self.currentWidget()
        if page is not None:
            page.setFocus()

    def active_rubric(self) -> ActiveRubric | None:
        if self.review.session is not None:
            return self.review.session.rubric
        return load_active(self.store) if self.store is not None else None

    def reviewing(self) -> tuple[list[int], int] | None:
        """The takes under review and the current one (kept across restarts)."""
        session = self.review.session
        if session is None or not session.takes:
            return None
        return [t.job_id for t in session.takes], session.take.job_id

    def stop(self) -> None:
        self.review.player.stop()
        self.compare.stop()
        self.lineage.player.stop()
