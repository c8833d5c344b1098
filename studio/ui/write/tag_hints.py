"""What the editor's linter hears of defect tags: hints from the loaded template's reviewed
takes (every version of it) and from the library's takes with a preset the prompt uses
(studio.prompts.tag_hints counts them), less those a person dismissed for the template.

They are counted when a template is loaded and when a preset comes into use in the prompt
(not on every key typed), and again after takes are tagged, scored, decided or imported or
a hint is dismissed — only while the editor is on screen, so a review pass in another
workspace never waits for it. The counting reads the library in a worker thread (at
100,000 takes a preset's takes and the library's tag counts are tens of milliseconds of
reading; bench/tag_hints.py): typing goes on meanwhile, and the hints follow when counted.
It runs on the hints' own Background, cancelled when the library closes.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject

from studio.library.ops import DECISIONS, HINTS, SCORES, TAGS, TAKES, LibraryChange, LibraryOps
from studio.prompts import Preset
from studio.prompts.tag_hints import (
    TEMPLATE,
    TagHint,
    merged,
    preset_hints,
    presets_used,
    template_hints,
)
from studio.store import Store
from studio.store.review import Template
from studio.store.tag_hints import search_for
from studio.ui.shell.background import Background, Failure
from studio.ui.write.editor import PromptEditor

log = logging.getLogger(__name__)

COUNTED_AGAIN = frozenset({TAGS, DECISIONS, SCORES, TAKES, HINTS})  # what the counts read
Library = tuple[int, dict[str, int]]  # the library's reviewed takes, and takes per tag


@dataclass(frozen=True)
class _Counted:
    template: list[TagHint]
    presets: list[TagHint]
    library: Library | None


def _count(
    store: Store, versions: Sequence[int], used: Sequence[tuple[Preset, str]], known: Library | None
) -> _Counted:
    """The hints of a template's versions and of the presets in use (off the GUI thread)."""
    template = template_hints(store.tag_hints.of_templates(versions))
    if not used:
        return _Counted(template, [], known)
    library = known if known is not None else store.tag_hints.tag_counts()
    takes = store.tag_hints.with_texts([(p.slots[slot], slot) for p, slot in used])
    presets = preset_hints(takes, used, reviewed=library[0], tag_counts=library[1])
    return _Counted(template, presets, library)


class TagHints(QObject):
    def __init__(
        self,
        editor: PromptEditor,
        store: Store,
        ops: LibraryOps,
        *,
        show_search: Callable[[str], None],
    ) -> None:
        super().__init__(editor)
        self.editor, self.store, self.ops = editor, store, ops
        self.show_search = show_search  # the Library workspace, on a search
        self.background = Background(self)  # the counting, off the GUI thread
        self.template: Template | None = None
        self._versions: list[int] = []
        self._from_template: list[TagHint] = []
        self._from_presets: list[TagHint] = []
        self._used: list[tuple[Preset, str]] = []
        self._library: Library | None = None  # read once per change, not once per preset
        self._changes = 0  # library changes heard: a count begun before one is out of date
        self._stale = False  # the library changed while the editor was off screen
        self._wanted = False  # a count asked for and not begun
        self._counting = False
        self._closed = False
        self._wired = (
            (editor.changed, self._prompt_changed),
            (editor.hint_takes, self.show_takes),
            (editor.hint_dismissed, self.dismiss),
        )
        for signal, slot in self._wired:
            signal.connect(slot)
        editor.installEventFilter(self)

    @property
    def busy(self) -> bool:
        """A count is asked for or under way (the hints shown may be about to change)."""
        return self._wanted or self._counting

    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """The library is closing: the editor hears nothing more from it."""
        self._closed = True
        self.background.cancel_all()  # a count under way reads a library about to close
        self.editor.removeEventFilter(self)
        for signal, slot in self._wired:
            signal.disconnect(slot)
        self.editor.set_hints([])
        self.deleteLater()

    def template_changed(self, template: Template | None) -> None:
        self.template = template
        self._versions = self.store.tag_hints.versions(template.id) if template else []
        self._count_soon()

    def on_library_change(self, change: LibraryChange) -> None:
        if change.about(COUNTED_AGAIN):
            self._changes += 1
            self._library = None
            if self.editor.isVisible():
                self._count_soon()
            else:
                self._stale = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.editor and event.type() == QEvent.Type.Show and self._stale:
            self._count_soon()  # back on screen: what changed meanwhile
        return False

    def show_takes(self, hint: TagHint) -> None:
        """The Library on the takes behind a hint (of this template's versions, for its)."""
        versions = self._versions if hint.scope == TEMPLATE else []
        self.show_search(search_for(hint.tag, hint.phrase, versions))

    def dismiss(self, hint: TagHint) -> None:
        """Not hinted again in this template's prompts (any version), whatever its counts."""
        if self.template is None:
            return  # the menu offers it only with a template loaded
        try:
            self.ops.dismiss_hint(self.template.id, *hint.key)  # its change shows the rest
        except ValueError as err:
            self.editor.show_message(str(err), error=True)
            return
        self.editor.show_message(f"Dismissed for template {self.template.name}: {hint.message}")

    # ---- counting ---------------------------------------------------------------------------

    def _prompt_changed(self) -> None:
        """A preset came into use or went out of it: its takes are counted (a preset's
        hint shows only while the prompt uses it, so the counts of those in use are enough)."""
        used = presets_used(self.editor.slots().as_dict(), self.editor.presets)
        if [(p.id, s) for p, s in used] != [(p.id, s) for p, s in self._used]:
            self._used = used
            self._count_soon()

    def _count_soon(self) -> None:
        """Count in the worker; asked again while counting, once more after it."""
        self._stale = False
        self._wanted = True
        if not self._counting:
            self._count_next()

    def _count_next(self) -> None:
        self._counting = self._wanted and not self.closed()
        if not self._counting:
            return
        self._wanted = False
        changes, versions, used = self._changes, list(self._versions), list(self._used)
        self.background.run_in_thread(
            functools.partial(_count, self.store, versions, used, self._library),
            "count the hints from defect tags",
            done=functools.partial(self._counted, changes),
            failed=self._not_counted,
        )

    def _counted(self, changes: int, counted: _Counted) -> None:
        if self.closed():  # it ended as the library closed: nothing more to show
            return
        if changes == self._changes:  # else what it read has changed since
            self._library = counted.library
        self._from_template, self._from_presets = counted.template, counted.presets
        self._show()
        self._count_next()  # asked for again meanwhile

    def _not_counted(self, failure: Failure) -> None:
        """The library closing under it, most likely: not told to the person, the editor
        goes on with the hints it shows (the Background logged it too)."""
        self._counting = False
        log.warning("the hints from defect tags could not be counted: %s", failure.message)

    def _show(self) -> None:
        dismissed = self.store.tag_hints.dismissed(self.template.id) if self.template else None
        hints = merged(self._from_template, self._from_presets)
        self.editor.set_hints([h for h in hints if not dismissed or h.key not in dismissed])
