"""Keeps the editor's unsent work on disk as it changes (a draft), and puts it back on
the next start. Writes happen off the GUI thread, one at a time, a moment after typing
pauses; closing the window writes the last state at once."""

from __future__ import annotations

import concurrent.futures
import dataclasses
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from studio.prompts.draft import Draft, DraftStore
from studio.ui.write.editor import PromptEditor

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
        self._image: Draft | None = None  # a draft whose reference image is still to load
        self._closed = False

    def restore(self) -> str | None:
        """Put the last draft's text and settings in the editor; returns a problem to tell
        the person, if any. Its reference image follows with `restore_image()`, once the
        event loop runs (the editor is built and typed into before that, see ui/shell/app.py)."""
        draft, problem = self.store.load()
        if draft is not None:
            self._restoring = True
            try:
                self.editor.apply_draft(draft, None)
            finally:
                self._restoring = False
            if draft.reference is not None:
                self._image = draft
        self.editor.changed.connect(self._changed)
        return problem

    def restore_image(self) -> None:
        """Load the draft's reference image, off the GUI thread (needs the event loop).
        Until it is in, saves keep the draft's image as it was."""
        draft = self._image
        if draft is not None and draft.reference is not None:
            loading = self.editor.reference.load(
                self.store.image, name=draft.reference.name, fit=draft.reference
            )
            loading.add_done_callback(lambda _: setattr(self, "_image", None))

    def _changed(self) -> None:
        # After close: the editor's own debounced refresh may still report a change.
        if not self._restoring and not self._closed:
            self._timer.start()

    def save(self, *, wait: bool = False) -> None:
        if self._closed and not wait:
            return
        loading = self.editor.reference.loading
        if loading is not None and not loading.done() and not wait:
            self._timer.start()  # the image is still being read: save once it is in
            return
        draft: Draft = self.editor.draft()
        source = self.editor.reference.source
        image = source.data if source is not None and draft.reference is not None else None
        pending = self._image
        if pending is not None and source is None:  # the draft's image is not in yet: keep it
            image = self.store.image.read_bytes() if self.store.image.is_file() else None
            draft = dataclasses.replace(draft, reference=pending.reference if image else None)
        done = self._writer.submit(self.store.save, draft, image)
        if wait:
            done.result(timeout=10)

    def close(self) -> None:
        """Write what is there now and stop the writer (the window is closing)."""
        if self._closed:
            return
        self._closed = True
        self._timer.stop()
        self.save(wait=True)
        self._writer.shutdown(wait=True)
