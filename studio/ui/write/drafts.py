"""Keeps the editor's unsent work on disk as it changes (a draft), and puts it back on
the next start. Writes happen off the GUI thread, one at a time, a moment after typing
pauses; closing the window writes the last state at once.

A second draft can be set aside (when a take is opened over unsent work) and swapped back
in with the editor's "Other draft" button: swapping keeps both, so nothing is lost."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import os
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from studio.prompts.draft import Draft, DraftStore
from studio.ui.write.editor import PromptEditor

SAVE_AFTER_MS = 400
ASIDE = "aside"  # the second draft's folder, inside the draft's
INCOMING = "incoming.bin"  # the set-aside image while it is swapped back in


class DraftKeeper(QObject):
    swapped = Signal()  # the other draft is in the editor

    def __init__(self, editor: PromptEditor, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.store = DraftStore(folder)
        self.aside = DraftStore(folder / ASIDE)
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
        self.editor.other_draft.clicked.connect(self.swap)
        self._show_aside()
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
        draft, image = self._current()
        done = self._writer.submit(self.store.save, draft, image)
        if wait:
            done.result(timeout=10)

    def _current(self) -> tuple[Draft, bytes | None]:
        """The editor's draft and the image that goes with it."""
        draft: Draft = self.editor.draft()
        source = self.editor.reference.source
        image = source.data if source is not None and draft.reference is not None else None
        pending = self._image
        if pending is not None and source is None:  # the draft's image is not in yet: keep it
            image = self.store.image.read_bytes() if self.store.image.is_file() else None
            draft = dataclasses.replace(draft, reference=pending.reference if image else None)
        return draft, image

    # ---- the second draft ---------------------------------------------------------------

    def set_aside(self) -> None:
        """Keep the editor's work as the second draft (before a take replaces it); a second
        draft already there is replaced."""
        draft, image = self._current()
        self._writer.submit(self.aside.save, draft, image).result(timeout=10)
        self._show_aside()

    def swap(self) -> None:
        """Bring the second draft into the editor and set the editor's work aside."""
        other, problem = self.aside.load()
        if other is None:
            self.editor.show_message(problem or "There is no other draft.", error=bool(problem))
            self._show_aside()
            return
        incoming = self.aside.folder / INCOMING
        if other.reference is not None:
            os.replace(self.aside.image, incoming)  # the set-aside draft's image, kept apart
        self.set_aside()
        self.editor.apply_draft(other, incoming if other.reference is not None else None)
        self.editor.show_message("The other draft is back; the one here was set aside.")
        self.swapped.emit()  # the window offers Remix again for the take it revises

    def _show_aside(self) -> None:
        self.editor.other_draft.setVisible(self.aside.exists())

    def close(self) -> None:
        """Write what is there now and stop the writer (the window is closing)."""
        if self._closed:
            return
        self._closed = True
        self._timer.stop()
        self.save(wait=True)
        self._writer.shutdown(wait=True)
