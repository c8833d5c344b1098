"""What the editor's linter knows of names from this library: the names in every prompt the
provider refused for policy — read once at start, then each refusal as it arrives, so the next
check has it without a restart — and the learned names a person said are not names for the
loaded template ("Not a name", stored by the library's operations)."""

from __future__ import annotations

from collections.abc import Iterable

from studio.jobs.events import Event, JobChanged
from studio.library.ops import NAMES, LibraryChange, LibraryOps
from studio.prompts import learned_terms
from studio.store import FailureClass, JobRow, JobStatus, Store
from studio.store.review import Template
from studio.ui.write.editor import PromptEditor


class NameLearning:
    def __init__(self, editor: PromptEditor, store: Store, ops: LibraryOps) -> None:
        self.editor, self.store, self.ops = editor, store, ops
        self.template: Template | None = None
        self._read: set[int] = set()  # refused takes whose names are learned

    def start(self) -> None:
        """Every refusal so far (the library may hold them from earlier runs)."""
        self._learn(self.store.jobs.failures(FailureClass.POLICY))

    def on_event(self, event: Event) -> None:
        """The engine's events (this process's and, through the watch, others'): a take
        refused for policy teaches its names at once."""
        if not isinstance(event, JobChanged) or event.status != JobStatus.FAILED.value:
            return
        if event.job_id in self._read:
            return
        job = self.store.jobs.get(event.job_id)
        if job is not None and job.failure_class is FailureClass.POLICY:
            self._learn([job])

    def _learn(self, jobs: Iterable[JobRow]) -> None:
        texts: list[str] = []
        for job in jobs:
            self._read.add(job.id)
            texts += refused_texts(job)
        if texts:
            self.editor.learn_names(learned_terms(texts, terms=self.editor.linter.terms))

    # ---- "Not a name", per template --------------------------------------------------------

    def template_changed(self, template: Template | None) -> None:
        self.template = template
        self._show_not_names()

    def on_library_change(self, change: LibraryChange) -> None:
        if change.about({NAMES}):
            self._show_not_names()

    def dismiss(self, term: str) -> None:
        """A person said a learned name is not one: not flagged in this template's prompts."""
        if self.template is None:
            return  # the menu offers it only with a template loaded
        self.ops.not_a_name(self.template.id, term)  # its change refreshes the editor
        shown = self.editor.linter.learned.get(term, term)
        self.editor.show_message(
            f"“{shown}” is no longer flagged in template {self.template.name}."
        )

    def _show_not_names(self) -> None:
        template = self.template
        not_names = self.store.not_names.for_template(template.id) if template else frozenset()
        self.editor.set_template(template.name if template else None, not_names)


def refused_texts(job: JobRow) -> list[str]:
    """A refused take's slots, each starting a sentence ("Warm" starting the lighting slot
    is no name); a take queued without slots (CLI, batch files) is its prompt."""
    slots = job.spec.slots_or_prompt()
    return [text for text in slots.values() if text.strip()] or [job.prompt]
