"""Keeps the editor's unsent work on disk as it changes (a draft), and puts it back on
the next start. Writes happen off the GUI thread, one at a time, a moment after typing
pauses; closing the window writes the last state at once."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from studio.prompts.draft import Draft, DraftStore
from studio.ui.editor import PromptEditor

SAVE_AFTER_MS = 400


class DraftKeeper(QObject):
    def __init__(self, editor: PromptEditor, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.store = DraftStore(folder)
        self._writer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="draft")
        self._timer = QTimer(self, singleShot=True, interval=SAVE_AFTER_MS)
        self._timer.timeout.connect(self.save)
        self._restoring = False

    def restore(self) -> str | None:
        """Put the last draft in the editor; returns a problem to tell the person, if any."""
        draft, problem = self.store.load()
        if draft is not None:
            self._restoring = True
            try:
                image = self.store.image if draft.reference is not None else None
                self.editor.apply_draft(draft, image)
            finally:
                self._restoring = False
        self.editor.changed.connect(self._changed)
        return problem

    def _changed(self) -> None:
        if not self._restoring:
            self._timer.start()

    def save(self, *, wait: bool = False) -> None:
        loading = self.editor.reference.loading
        if loading is not None and not loading.done() and not wait:
            self._timer.start()  # the image is still being read: save once it is in
            return
        draft: Draft = self.editor.draft()
        source = self.editor.reference.source
        image = source.data if source is not None and draft.reference is not None else None
        done = self._writer.submit(self.store.save, draft, image)
        if wait:
            done.result(timeout=10)

    def close(self) -> None:
        """Write what is there now and stop the writer (the window is closing)."""
        self._timer.stop()
        self.save(wait=True)
        self._writer.shutdown(wait=True)
