"""Opening a stored take in the editor: Edit (a revision), Duplicate (a new take with the
same settings) and a take the provider refused. One path for all of them: the take's own
model, duration, frame, seed, audio, project and reference image (the original, with its
fit still adjustable) come back, the editor says what did and what could not, and unsent
work in the editor is never replaced without asking (it is kept as a second draft)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from studio.jobs.remix import RemixSource
from studio.prompts.draft import take_draft
from studio.store import JobStatus
from studio.store.layout import original_reference, stored_reference

if TYPE_CHECKING:
    from studio.services import Services
    from studio.store import JobRow
    from studio.ui.write.drafts import DraftKeeper
    from studio.ui.write.editor import PromptEditor


@dataclass(frozen=True)
class Opening:
    """Why a take is opened, and what that makes of the next render."""

    lead: str  # what the editor says first, e.g. "Revising take #12"
    revise: bool  # the next render is the take's child (lineage)
    after: str = ""  # what to do next, said last
    refusal: str | None = None  # the provider's refusal, shown beside the prompt
    error: bool = False  # the take failed on what is restored: it must change


class TakeLoader:
    def __init__(
        self,
        editor: PromptEditor,
        drafts: DraftKeeper,
        services: Callable[[], Services | None],
        *,
        modal: Callable[[QDialog], bool],
        parent: QWidget | None = None,
    ) -> None:
        self.editor, self.drafts, self.services = editor, drafts, services
        self.modal, self.parent = modal, parent

    # ---- the ways in ---------------------------------------------------------------------

    def revise(self, job: JobRow) -> bool:
        """An Edit decision: the next render is linked to the take as its child."""
        return self.open(
            job,
            Opening(
                f"Revising take {job.name}", True, "Change the prompt, then queue it (or Remix)."
            ),
        )

    def duplicate(self, job: JobRow) -> bool:
        return self.open(job, Opening(f"Duplicated take {job.name}", False))

    def fix_request(self, job: JobRow) -> bool:
        """A request the provider refused (its parameters): fixed here, then queued."""
        reason = job.failure_message or "the provider refused the request"
        return self.open(
            job,
            Opening(
                f"{job.name} was refused: {reason}",
                revise=False,
                after="Fix it here, then queue it.",
                error=True,
            ),
        )

    def refused_for_policy(self, job: JobRow) -> bool:
        """A take refused by the provider's content policy: sending it again would fail the
        same way, so it opens with the refusal beside the prompt, to be revised."""
        reason = job.failure_message or "no reason given"
        return self.open(
            job,
            Opening(
                f"Revising refused take {job.name}",
                True,
                "Revise the prompt, then queue it: nothing was sent again.",
                refusal=f"{job.name} was refused by the provider's content policy: {reason}",
            ),
        )

    def follow_revision(self) -> None:
        """The take a restored draft revises, as a remix needs it (after a restart or a
        swap of drafts, the editor knows only its number)."""
        services, parent = self.services(), self.editor.parent_job
        if services is None or parent is None or self.editor.remix.source is not None:
            return
        job = services.store.jobs.get(parent)
        if job is not None and job.status is JobStatus.READY:
            self.editor.set_remix(RemixSource.of(job, services.connection.key))

    # ---- the one path --------------------------------------------------------------------

    def open(self, job: JobRow, opening: Opening) -> bool:
        """Put `job` in the editor; False if the person kept the editor's work instead."""
        services = self.services()
        if services is None or not self._may_replace(job.name):
            return False
        draft = take_draft(
            job.spec,
            project=job.project,
            parent_job=job.id if opening.revise else None,
            refusal=opening.refusal,
        )
        image, notes = self._image(services.library, job)
        if image is None and draft.reference is not None:  # no file to show: say so
            draft = replace(draft, reference=None)
            draft = replace(draft, sent=draft.work())
        problems = self.editor.apply_draft(draft, image)
        if opening.revise and job.status is JobStatus.READY:  # a finished take: remixable
            self.editor.set_remix(RemixSource.of(job, services.connection.key))
        restored = self.editor.render_words() + (" and the reference image" if image else "")
        parts = [opening.lead.rstrip("."), f"Restored {restored}"]
        if problems:
            parts.append("Not restored: " + "; ".join(problems))
        text = ". ".join(parts) + "."
        self.editor.show_message(" ".join([text, *notes, opening.after]).strip(), opening.error)
        return True

    def _image(self, library: Path, job: JobRow) -> tuple[Path | None, list[str]]:
        """The take's reference image to open: the original where it was kept, else the
        fitted one it was sent with (older takes), with what to tell the person."""
        spec = job.spec
        if not spec.reference_sha256:
            return None, []
        original = original_reference(library, spec.reference_fit)
        if original is not None and original.is_file():
            return original, []
        fitted = stored_reference(library, spec)
        if fitted is not None and fitted.is_file():
            return fitted, [
                f"{job.name} was queued before Studio kept original images: its reference "
                "comes back as it was sent (already fitted), so its framing can only be "
                "changed within that."
            ]
        return None, [f"Its reference image is missing from the library ({fitted})."]

    def _may_replace(self, name: str) -> bool:
        """Ask before unsent work makes way for a take; if it does, it is kept as the
        second draft."""
        if not self.editor.has_unsent_work():
            return True
        box = QMessageBox(self.parent)
        box.setObjectName("unsentWorkQuestion")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Unsent prompt")
        box.setText(f"The editor holds a prompt that was not queued. Open take {name} instead?")
        box.setInformativeText(
            "Yours is kept as a second draft: “Other draft” in the editor brings it back."
        )
        replace_button = box.addButton("Replace", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(replace_button)
        self.modal(box)
        if box.clickedButton() is not replace_button:
            self.editor.show_message(f"Kept your prompt; take {name} was not opened.")
            return False
        self.drafts.set_aside()
        return True
