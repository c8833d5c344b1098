"""The window's status line: provider health, queue pause, today's spend, and messages —
short ones in the status bar, anything longer (or an error) in a banner that wraps, so no
message is ever cut off."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QStatusBar

from studio.ui.shell.notice import Notice

if TYPE_CHECKING:
    from studio.jobs.budget import Standing
    from studio.jobs.events import Event
    from studio.services import Services


STORAGE_WAIT = "Rendering is paused and carries on by itself when there is room."


class StatusLine(QObject):
    spend_changed = Signal()  # today's spend read again: the editor's cost line follows

    def __init__(self, bar: QStatusBar, notice: Notice) -> None:
        super().__init__(bar)
        self.bar, self.notice = bar, notice
        self.services: Services | None = None
        self.today: Standing | None = None  # what the spend label shows
        self.health = QLabel("Provider: starting…")
        self.spend = QLabel("")
        self.paused = QLabel("")
        for label in (self.paused, self.spend, self.health):
            bar.addPermanentWidget(label)
        self.provider = "provider"
        # A poll brings hundreds of events; the spend (a sum over today's jobs) is read
        # once for all of them.
        self._spend_timer = QTimer(self, singleShot=True, interval=250)
        self._spend_timer.timeout.connect(self.show_spend)

    def attach(self, services: Services | None) -> None:
        self.services, self.today = services, None
        if services is None:
            return
        # Short in the status bar (room for messages); the address is in the tooltip.
        self.provider = services.connection.description.split(" (")[0]
        problem = services.connection.problem
        self.health.setText(f"Provider: {self.provider}" + (" · no API key" if problem else ""))
        self.health.setToolTip(problem or services.connection.description)
        self.show_spend()

    def connecting(self, state: str) -> None:
        self.health.setText(f"Provider: {state}")

    def on_event(self, event: Event) -> None:
        from studio.jobs.events import BudgetThreshold, ProviderHealth, QueueState

        if isinstance(event, ProviderHealth):
            state = "OK" if event.ok else "problem (hover for details)"
            self.health.setText(f"Provider: {self.provider} · {state}")
            self.health.setToolTip(event.message or self.provider)
            if not event.ok:
                self.notify(f"Provider problem: {event.message}", error=True, timeout=15_000)
            elif self.notice.text.text().startswith("Provider problem"):
                self.notice.hide()  # it answers again
        elif isinstance(event, BudgetThreshold):  # each is raised once (kept in the library)
            # a banner, not the status bar: easy to miss there, and it matters
            self.notice.show_text(event.sentence(), error=event.threshold >= 100, timeout=20_000)
        elif isinstance(event, QueueState):
            if event.storage:  # too long and too important for the status bar
                self.paused.setText("Queue paused — the library cannot be written")
                self.notify(f"{event.reason} {STORAGE_WAIT}", error=True)
            else:
                self.paused.setText(f"Queue paused — {event.reason}" if event.paused else "")
            if not event.paused and self.notice.text.text().endswith(STORAGE_WAIT):
                self.notice.hide()  # there is room again
        if not self._spend_timer.isActive():
            self._spend_timer.start()

    def show_spend(self) -> None:
        """Read what is left today (once for a poll's worth of events) and tell the editor,
        whose cost line shows the same figure (`spend_changed`)."""
        if self.services is None:
            return
        self.today = self.services.standing()
        self.spend.setText(self.today.today())
        self.spend_changed.emit()

    def budget_hint(self, cost: float, project: str) -> str:
        """The editor's cost line: today's figure, the one the status bar shows (read once
        for both), the project's cap, and whether this render fits (`Standing.hint`)."""
        if self.services is None:
            return ""
        if self.today is None:
            self.today = self.services.standing()
        mine = self.services.engine.budget.project_usage(project)
        return dataclasses.replace(self.today, project=mine).hint(cost)

    def notify(self, text: str, *, error: bool = False, timeout: int = 0) -> None:
        """Say something to the reviewer, whole: a short note in the status bar, anything
        longer than the room there (or an error) in the banner."""
        room = self.bar.width() - sum(
            w.sizeHint().width() for w in (self.paused, self.spend, self.health)
        )
        if not error and self.bar.fontMetrics().horizontalAdvance(text) < room - 40:
            self.bar.showMessage(text, timeout)
            return
        self.notice.show_text(text, error=error, timeout=timeout)
