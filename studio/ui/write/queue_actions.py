"""What the queue's commands do: each turns the selection into one engine call, or, for a
take the provider refused (its request, or its content policy), puts it back in the editor
to be fixed (sending it again would fail again)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from studio.core.errors import StudioError

if TYPE_CHECKING:
    from studio.services import Services
    from studio.ui.shell.background import Background
    from studio.ui.write.editor import PromptEditor
    from studio.ui.write.queue_panel import QueuePanel
    from studio.ui.write.take_loader import TakeLoader


class QueueActions:
    def __init__(
        self,
        queue: QueuePanel,
        editor: PromptEditor,
        services: Callable[[], Services | None],
        *,
        takes: TakeLoader,
        notify: Callable[[str], None],
        show_editor: Callable[[], None],
        background: Background,
        inform: Callable[[str], None] | None = None,
    ) -> None:
        self.queue, self.editor, self.services = queue, editor, services
        self.takes = takes  # a take opened in the editor (refused, duplicated)
        self.notify, self.show_editor = notify, show_editor
        self.background = background  # the window's: cancelled when its services close
        self.inform = inform or notify  # what was done (not an error)

    def bind(self, on: Callable[[str, Callable[[], object]], None]) -> None:
        """Connect the registry's queue commands (`ActionRegistry.on`)."""
        ids = self.queue.selected_ids
        on("queue.pause", lambda: self._engine(lambda e: e.pause()))
        on("queue.resume", lambda: self._engine(lambda e: e.resume()))
        on("queue.top", lambda: self._engine(lambda e: e.move(ids(), to_top=True)))
        on("queue.bottom", lambda: self._engine(lambda e: e.move(ids(), to_top=False)))
        on("queue.priority", self.raise_priority)
        on("queue.cancel", lambda: self.background.run(self.cancel(), "cancel the takes"))
        on("queue.retry", lambda: self.background.run(self.retry(), "send the takes again"))
        shown = self.queue.shown_ids  # the unsure bar's buttons act on the job it is under
        on("queue.send_again", lambda: self._decide(shown(), send=True))
        on("queue.forget", lambda: self._decide(shown(), send=False))
        on("queue.send_unsure", self.send_batch_unsure)
        on("queue.duplicate", self.duplicate)
        on("queue.reveal", self.reveal)

    def _engine(self, call: Callable[[Any], object]) -> None:
        services = self.services()
        if services is not None:
            call(services.engine)

    def _decide(self, job_ids: list[int], *, send: bool) -> None:
        """A person's answer to unsure creates: send them again, or forget them."""
        from studio.store import take_name

        services = self.services()
        if services is None or not job_ids:
            return
        engine = services.engine
        done = engine.send_again(job_ids) if send else engine.forget(job_ids)
        names = ", ".join(take_name(i) for i in done)
        if not done:
            what = "sent again" if send else "forgotten"
            self.notify(f"Only unsure jobs (the provider may be rendering them) can be {what}.")
        elif send:
            self.inform(f"Sending {names} again, under the same key.")
        else:
            self.inform(f"Forgot {names}: nothing more is sent or asked about them.")

    def send_batch_unsure(self) -> None:
        """Every unsure job of the selected jobs' batches, sent again."""
        from studio.store import JobStatus

        services = self.services()
        if services is None:
            return
        store, unsure = services.store, set[int]()
        for job in store.jobs.many(self.queue.shown_ids()):
            mates = store.jobs.in_batch(job.batch_id) if job.batch_id else [job]
            unsure.update(j.id for j in mates if j.status is JobStatus.UNSURE)
        self._decide(sorted(unsure), send=True)

    def raise_priority(self) -> None:
        services = self.services()
        if services is None:
            return
        for job in services.store.jobs.many(self.queue.selected_ids()):
            services.engine.set_priority([job.id], job.priority + 1)

    async def cancel(self) -> None:
        services = self.services()
        if services is not None:
            await services.engine.cancel(self.queue.selected_ids())

    async def retry(self) -> None:
        from studio.store import FailureClass, JobStatus

        services = self.services()
        if services is None:
            return
        for job in services.store.jobs.many(self.queue.selected_ids()):
            if job.status is JobStatus.UNSURE:
                self.notify(
                    f"{job.name} may be rendering at the provider: Send again (it may be paid "
                    "twice) or Forget it."
                )
                continue
            if job.failure_class is FailureClass.REQUEST:
                if self.takes.fix_request(job):  # the provider refused these parameters
                    self.show_editor()
                continue
            if job.failure_class is FailureClass.POLICY:  # the same prompt is refused again
                if self.takes.refused_for_policy(job):
                    self.show_editor()
                continue
            try:
                await services.engine.retry(job.id)
            except StudioError as err:
                self.notify(str(err))

    def duplicate(self) -> None:
        """The selected take's settings in the editor, for a new take (not a revision)."""
        services = self.services()
        selected = self.queue.selected_ids()
        if services is None or not selected:
            return
        job = services.store.jobs.get(selected[0])
        if job is not None and self.takes.duplicate(job):
            self.show_editor()

    def reveal(self) -> None:
        services, selected = self.services(), self.queue.selected_ids()
        if services is None or not selected:
            return
        path: Path | None = services.store.assets.file(services.library, selected[0], "video")
        if path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))
