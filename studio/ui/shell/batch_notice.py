"""A desktop notification when a batch finishes while the window is not in front: the
system tray's message, where the desktop has a tray (elsewhere nothing is shown, and nothing
fails); clicking it brings the window up with the batch open in Review.

The decision is apart from the showing, so it is the same, and tested, where no tray exists:
`notified` carries every notice decided on, shown or not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from studio.ui.shell.icons import tinted

if TYPE_CHECKING:
    from studio.jobs.batch_done import BatchDone
    from studio.jobs.events import Event
    from studio.store import Store

FINISHED = frozenset({"ready", "failed", "cancelled", "expired"})
SHOWN_FOR_MS = 10_000


@dataclass(frozen=True)
class BatchNotice:
    title: str
    text: str
    review_job: int | None  # the take the click opens (with its batch); None: nothing to open


def notice_for(done: BatchDone, *, window_in_front: bool) -> BatchNotice | None:
    """Whether to tell the desktop, and what: only when the window is not in front (a person
    looking at it sees the queue already)."""
    if window_in_front:
        return None
    return BatchNotice("Studio: batch finished", done.sentence(), done.review_job)


class BatchNotifier(QObject):
    notified = Signal(object)  # BatchNotice, whether or not a tray could show it

    def __init__(
        self,
        window: QWidget,
        open_review: Callable[[int], None],
        *,
        tray_available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
    ) -> None:
        super().__init__(window)
        self.window, self.open_review = window, open_review
        self.tray_available = tray_available
        self.store: Store | None = None
        self.tray: QSystemTrayIcon | None = None
        self.last: BatchNotice | None = None  # what a click on the message opens
        self._finished: set[int] = set()
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.flush)

    def on_event(self, event: Event) -> None:
        """Jobs that finished are gathered and looked at together on the next loop turn (a
        poll that finishes a whole batch is one look, one notice)."""
        from studio.jobs.events import JobChanged

        if not isinstance(event, JobChanged) or "status" not in event.changed:
            return
        if event.status in FINISHED:
            self._finished.add(event.job_id)
            if not self._timer.isActive():
                self._timer.start()

    @property
    def idle(self) -> bool:
        """Nothing gathered that is still to be looked at."""
        return not self._finished and not self._timer.isActive()

    def flush(self) -> None:
        from studio.jobs.batch_done import finished_batches

        finished, self._finished = self._finished, set()
        if self.store is None or not finished:
            return
        in_front = self.window.isActiveWindow() and not self.window.isMinimized()
        for done in finished_batches(self.store, finished):
            notice = notice_for(done, window_in_front=in_front)
            if notice is not None:
                self.show(notice)

    def show(self, notice: BatchNotice) -> None:
        self.last = notice
        self.notified.emit(notice)
        tray = self._tray()
        if tray is not None:
            tray.showMessage(
                notice.title, notice.text, QSystemTrayIcon.MessageIcon.Information, SHOWN_FOR_MS
            )

    def _tray(self) -> QSystemTrayIcon | None:
        """The tray icon the message comes from, made when first needed; None where the
        desktop has no tray or it cannot show messages."""
        if self.tray is None and self.tray_available() and QSystemTrayIcon.supportsMessages():
            tray = QSystemTrayIcon(self)
            window_icon = self.window.windowIcon()
            palette_text = self.window.palette().windowText().color()
            tray.setIcon(window_icon if not window_icon.isNull() else tinted("play", palette_text))
            tray.setToolTip("Studio")
            tray.messageClicked.connect(self.clicked)
            tray.activated.connect(lambda _reason: self.raise_window())
            tray.show()
            self.tray = tray
        return self.tray

    def clicked(self) -> None:
        """The message was clicked: the window comes up with the batch in Review."""
        self.raise_window()
        if self.last is not None and self.last.review_job is not None:
            self.open_review(self.last.review_job)

    def raise_window(self) -> None:
        if self.window.isMinimized():
            self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()
