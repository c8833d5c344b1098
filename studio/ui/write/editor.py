"""The prompt editor: slots with presets, live prompt and lint, model-limited pickers, cost,
reference image, variant batch. Gestures become a `Submission`; nothing here talks to the
network or the database. A stored take comes in as a `Draft` (`apply_draft`), the one way
the editor is filled from outside."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFontMetrics
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import StudioError
from studio.core.spec import MAX_PROJECT, Frame, ReferenceImage, RenderRequest, RenderSpec
from studio.jobs.remix import RemixSource
from studio.jobs.requests import Queued
from studio.prompts import (
    LABELS,
    SLOTS,
    Linter,
    LintWarning,
    Preset,
    PromptSlots,
    variant_label,
    variants,
)
from studio.prompts.draft import Draft
from studio.prompts.tag_hints import TagHint
from studio.providers.profiles import ModelProfile, ProfileSet
from studio.ui.shell.said import say_in
from studio.ui.shell.theme import set_state
from studio.ui.write.checks import ChecksList
from studio.ui.write.reference import ReferenceBox
from studio.ui.write.remix_button import RemixButton
from studio.ui.write.render_options import RenderOptions
from studio.ui.write.slots_form import SlotsForm

EMPTY = "Write the prompt first: at least its subject."


@dataclass(frozen=True)
class _Wanted:
    """Render settings asked for before the models are known (a draft, a take)."""

    model: str | None
    seconds: int | None
    frame: str | None
    seed: int | None = None
    audio: bool | None = None


@dataclass(frozen=True)
class Submission:
    requests: list[RenderRequest]
    name: str
    varied_slot: str | None
    parent_id: int | None = None  # the take this revises (an Edit decision)
    again: bool = False  # another take even where one with these settings exists
    project: str = "default"

    @property
    def specs(self) -> list[RenderSpec]:
        return [r.spec for r in self.requests]


class PromptEditor(QWidget):
    submit_requested = Signal(object)  # Submission
    changed = Signal()  # anything a draft keeps changed (the window saves it)
    key_requested = Signal()  # "Enter API key…": the window opens Settings at the key
    name_dismissed = Signal(str)  # "Not a name" on a learned name's check: its term
    hint_takes = Signal(object)  # "Show these takes" on a hint from defect tags (TagHint)
    hint_dismissed = Signal(object)  # "Dismiss for this template" on such a hint (TagHint)

    def __init__(self, presets: dict[str, list[Preset]], linter: Linter) -> None:
        super().__init__()
        self.presets = presets
        self.linter = linter
        self.profiles: ProfileSet | None = None
        self.budget_hint: Callable[[float, str], str] = lambda cost, project: ""
        self.parent_job: int | None = None  # set while revising a take; its child is queued
        self.not_names: frozenset[str] = frozenset()  # learned names the template says are not
        self.hints: list[TagHint] = []  # what defect tags say of this template and its presets
        self._pending: _Wanted | None = None  # settings asked for before the models are known
        self._sent: str | None = None  # the work as last loaded or queued (Draft.sent)
        self.setAcceptDrops(True)
        self._lint_timer = QTimer(self, singleShot=True, interval=150)
        self._lint_timer.timeout.connect(self.refresh)

        self.slot_form = SlotsForm(presets)
        self.slot_form.edited.connect(self._lint_timer.start)
        self.slot_form.starter_chosen.connect(self.set_slots)
        self.fields = self.slot_form.fields
        self.starter, self.preset_boxes = self.slot_form.starter, self.slot_form.preset_boxes

        self.composed = QPlainTextEdit(readOnly=True)
        self.composed.setObjectName("composedPrompt")
        self.composed.setFixedHeight(QFontMetrics(self.font()).lineSpacing() * 4 + 12)
        self.lint_list = ChecksList()
        self.lint_list.slot_chosen.connect(self._jump_to_slot)
        self.lint_list.not_a_name.connect(self.name_dismissed)
        self.lint_list.hint_takes.connect(self.hint_takes)
        self.lint_list.hint_dismissed.connect(self.hint_dismissed)
        self.reference = ReferenceBox()
        self.reference.changed.connect(self.refresh)
        self.reference.message.connect(self.show_message)
        # Why the provider refused the take being revised, beside its prompt.
        self.refusal = QLabel("")
        self.refusal.setObjectName("refusalNote")
        self.refusal.setWordWrap(True)
        self.refusal.hide()

        self.model_box, self.seconds_box, self.size_box = QComboBox(), QComboBox(), QComboBox()
        self.model_box.currentIndexChanged.connect(self._model_changed)
        self.seconds_box.currentIndexChanged.connect(self.refresh)
        self.size_box.currentIndexChanged.connect(self._size_changed)
        self.options = RenderOptions()
        self.options.changed.connect(self.refresh)
        self.variant_slot = QComboBox()
        self.variant_slot.addItem("No variants", None)
        for slot in SLOTS:
            self.variant_slot.addItem(f"Vary {LABELS[slot]}", slot)
        self.variant_values = QPlainTextEdit()
        self.variant_values.setPlaceholderText("One value per line; each becomes one render")
        self.variant_values.setFixedHeight(QFontMetrics(self.font()).lineSpacing() * 3 + 12)
        self.variant_values.setTabChangesFocus(True)
        self.variant_values.hide()
        self._variant_text: dict[str, str] = {}  # what was typed for each varied slot
        self._varied: str | None = None
        self.variant_slot.currentIndexChanged.connect(self._variant_mode)
        self.variant_values.textChanged.connect(self._lint_timer.start)
        self.cost = QLabel("—")
        self.cost.setObjectName("costLabel")
        self.submit = QPushButton("Queue")
        self.submit.setObjectName("submitButton")
        self.submit.setEnabled(False)
        self.submit.clicked.connect(self.request_submit)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setObjectName("editorStatus")
        self.again = QPushButton("Render another take")
        self.again.setObjectName("againButton")
        self.again.setToolTip("Queue a new take even though one with these settings exists")
        self.again.hide()
        self.again.clicked.connect(self._render_again)
        self.remix = RemixButton()  # while a finished take is revised
        self.remix.clicked.connect(self.request_remix)
        self.other_draft = QPushButton("Other draft")
        self.other_draft.setObjectName("otherDraftButton")
        self.other_draft.setToolTip(
            "Swap the prompt here with the one set aside when a take replaced it"
        )
        self.other_draft.hide()  # the window's draft keeper shows it when there is one
        self._again: Submission | None = None
        self._said_for: tuple[object, ...] | None = None  # see `_what_is_set`
        # Why nothing is sent yet (no API key), with the way to fix it; renders still queue.
        self.offline = QLabel("")
        self.offline.setObjectName("offlineLine")
        self.offline.setWordWrap(True)
        self.offline.setProperty("error", True)
        self.enter_key = QPushButton("Enter API key…")
        self.enter_key.setObjectName("enterKeyButton")
        self.enter_key.clicked.connect(self.key_requested)
        self.offline_row = QWidget()
        offline_layout = QHBoxLayout(self.offline_row)
        offline_layout.setContentsMargins(0, 0, 0, 0)
        offline_layout.addWidget(self.offline, 1)
        offline_layout.addWidget(self.enter_key)
        self.offline_row.hide()

        self.project = QComboBox()
        self.project.setObjectName("projectBox")
        self.project.setEditable(True)
        self.project.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        typed = self.project.lineEdit()
        assert typed is not None  # an editable combo box has one
        typed.setPlaceholderText("default")
        typed.setMaxLength(MAX_PROJECT)
        self.project.setToolTip("The project these takes belong to (recent ones offered)")
        self.project.currentTextChanged.connect(self._lint_timer.start)  # its budget, once typed
        render_form = QFormLayout()
        render_form.addRow("Project", self.project)
        render_form.addRow("Model", self.model_box)
        pickers = QHBoxLayout()
        pickers.addWidget(self.seconds_box)
        pickers.addWidget(self.size_box, 1)
        render_form.addRow("Duration / size", pickers)
        render_form.addRow("Seed / audio", self.options)
        render_form.addRow("Variants", self.variant_slot)
        render_form.addRow(self.variant_values)
        render_form.addRow("Cost", self.cost)

        body = QWidget()
        column = QVBoxLayout(body)
        # While revising a take: what its reviewers pointed at, and where (its notes).
        self.to_fix = QLabel("")
        self.to_fix.setObjectName("whatToFix")
        self.to_fix.setWordWrap(True)
        self.to_fix.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.to_fix.hide()
        column.addWidget(self.to_fix)
        column.addWidget(_group("Prompt slots", _stack(self.slot_form)))
        column.addWidget(
            _group("Prompt", _stack(self.refusal, self.composed, QLabel("Checks"), self.lint_list))
        )
        column.addWidget(_group("Reference image", _stack(self.reference)))
        column.addStretch(1)
        self.slots_area = QScrollArea()
        self.slots_area.setWidgetResizable(True)
        self.slots_area.setWidget(body)
        self.slots_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # What a render costs and the button that sends it stay in view; the slots scroll.
        self.render_group = _group("Render", render_form)
        self.render_group.setObjectName("renderGroup")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.slots_area, 1)
        pinned = QVBoxLayout()
        pinned.setContentsMargins(8, 4, 8, 8)
        pinned.addWidget(self.offline_row)
        pinned.addWidget(self.render_group)
        footer = QHBoxLayout()
        footer.addWidget(self.status, 1)
        footer.addWidget(self.again)
        footer.addWidget(self.other_draft)
        footer.addWidget(self.remix)
        footer.addWidget(self.submit)
        pinned.addLayout(footer)
        outer.addLayout(pinned)
        self.refresh()

    # ---- slots ---------------------------------------------------------------------------

    def slots(self) -> PromptSlots:
        return self.slot_form.slots()

    def set_slots(self, slots: PromptSlots) -> None:
        self.slot_form.set_slots(slots)
        self.refresh()

    # ---- model pickers -------------------------------------------------------------------

    def set_profiles(self, profiles: ProfileSet) -> None:
        self.profiles = profiles
        keep = self.model_box.currentData()
        self.model_box.blockSignals(True)
        self.model_box.clear()
        for profile in profiles:
            self.model_box.addItem(profile.name, profile.id)
        self.model_box.setCurrentIndex(max(0, self.model_box.findData(keep)))
        self.model_box.blockSignals(False)
        self._model_changed()
        problems = self._apply_pending()
        if problems:
            self.show_message(_sentence("Not restored: ", problems))
        self.remix.show_for(self.remix.source, profiles)

    def profile(self) -> ModelProfile | None:
        model = self.model_box.currentData()
        return self.profiles.get(model) if self.profiles and model else None

    def _model_changed(self) -> None:
        profile = self.profile()
        self.options.set_profile(profile)
        if profile is None:
            return
        frames = [str(frame) for frame in profile.frames()]
        _refill(self.seconds_box, [(f"{d} s", d) for d in profile.durations])
        _refill(self.size_box, [(f, f) for f in frames])
        self._size_changed()

    def _size_changed(self) -> None:
        spec = self._base_spec(PromptSlots(subject="x", action="y"))
        profile = self.profile()
        if spec is not None and profile is not None:
            self.reference.set_output_size(profile.output_size(spec))
        self.refresh()

    def _base_spec(self, slots: PromptSlots) -> RenderSpec | None:
        profile = self.profile()
        frame, seconds = self.size_box.currentData(), self.seconds_box.currentData()
        if profile is None or frame is None or seconds is None:
            return None
        reference = ReferenceImage(self.reference.fitted) if self.reference.fitted else None
        seed, audio = self.options.values(profile)
        return RenderSpec(
            model=profile.id,
            prompt=slots.compose(),
            seconds=int(seconds),
            seed=seed,
            generate_audio=audio,
            reference=reference,
        ).with_frame(Frame.parse(frame))

    # ---- live prompt, lint and cost --------------------------------------------------------

    def variant_slots(self) -> list[PromptSlots]:
        slot = self.variant_slot.currentData()
        if slot is None:
            return [self.slots()]
        return variants(self.slots(), slot, self.variant_values.toPlainText().splitlines())

    def refresh_cost(self) -> None:
        """Only the cost line: what is left today changed (the status bar read it again)."""
        self._show_cost(self.slots())

    def _show_cost(self, slots: PromptSlots) -> int:
        """The render's cost and what is left under the caps; returns how many renders."""
        spec, profile = self._base_spec(slots), self.profile()
        try:
            count = len(self.variant_slots())
        except ValueError:
            count = 1
        if spec is None or profile is None:
            self.cost.setText("—")
            return count
        each = profile.estimate_cost(spec)
        if each is None:
            self.cost.setText("price unknown for this model")
            return count
        total = each * count
        per = f"${each:.2f} × {count} = " if count > 1 else ""
        hint = self.budget_hint(total, self.project_name())
        self.cost.setText(f"{per}${total:.2f}" + (f" · {hint}" if hint else ""))
        return count

    def refresh(self) -> None:
        slots = self.slots()
        self.composed.setPlainText(slots.compose())
        seconds = self.seconds_box.currentData()
        warnings = self.linter.check(
            slots, int(seconds) if seconds else None, not_names=self.not_names, hints=self.hints
        )
        self._show_lint(warnings)
        count = self._show_cost(slots)
        n = len(warnings)
        label = "Queue" if count == 1 else f"Queue {count} variants"
        written = bool(slots.compose().strip())
        # Nothing written yet: nothing to send, and no "anyway" before a word is typed.
        self.submit.setText(
            f"{label} anyway ({n} warning{'s' * (n != 1)})" if n and written else label
        )
        self.submit.setEnabled(written and self.profiles is not None)
        self.submit.setToolTip("" if written else EMPTY)
        if self._said_for is not None and self._said_for != self._what_is_set(slots):
            self._said_for = None  # the message was about the render as it was set then
            self._again = None
            self.again.hide()
            if self.status.property("error"):
                self.show_message("")  # an error about what has now changed
        self.changed.emit()

    def _what_is_set(self, slots: PromptSlots) -> tuple[object, ...]:
        """What a message about a render holds for: the prompt and the render settings."""
        return (slots, self.project_name(), self.model_box.currentData(),
                self.seconds_box.currentData(), self.size_box.currentData(),
                self.options.kept(), self.variant_slot.currentData(),
                self.variant_values.toPlainText())  # fmt: skip

    def learn_names(self, names: list[str]) -> list[str]:
        """Names from a refusal, checked for at once; returns those that were new."""
        new = self.linter.learn(names)
        if new:
            self.refresh()
        return new

    def set_template(self, name: str | None, not_names: frozenset[str]) -> None:
        """The loaded template (its name, None for none) and the learned names it says are
        not names: those are not flagged, and "Not a name" is offered for it."""
        self.lint_list.template = name
        if not_names != self.not_names:
            self.not_names = not_names
            self.refresh()

    def set_hints(self, hints: list[TagHint]) -> None:
        """What defect tags on earlier takes say of this template and the presets in use
        (the linter warns of those that apply to the prompt as it is)."""
        if hints != self.hints:
            self.hints = hints
            self.refresh()

    def _show_lint(self, warnings: list[LintWarning]) -> None:
        self.lint_list.show_warnings(warnings)
        for slot, edit in self.fields.items():
            flagged = any(w.slot == slot for w in warnings)
            set_state(edit, "lint", flagged)  # the theme draws the warning border

    def _jump_to_slot(self, slot: str) -> None:
        field = self.fields.get(slot) or self.fields["subject"]  # "prompt": the whole text
        self.slots_area.ensureWidgetVisible(field)
        field.setFocus()

    # ---- submit --------------------------------------------------------------------------

    def request_submit(self) -> None:
        """Warnings never block: the button says how many there are, one click sends."""
        if not self.slots().compose().strip():  # a key may ask while the button is off
            self.show_message(EMPTY, error=True)
            return
        try:
            all_slots = self.variant_slots()
        except ValueError as err:
            self.show_message(str(err), error=True)
            return
        profile, requests = self.profile(), []
        varied = self.variant_slot.currentData()
        fit, original = self.reference.fit(), self.reference.original()
        for slots in all_slots:
            spec = self._base_spec(slots)
            if spec is None or profile is None:
                return
            try:
                profile.validate(spec)
            except StudioError as err:
                self.show_message(str(err), error=True)  # everything typed stays
                return
            label = variant_label(varied, getattr(slots, varied)) if varied else None
            requests.append(
                RenderRequest(
                    spec,
                    slots.as_dict(),
                    label,
                    fit if spec.reference else None,
                    original=original if spec.reference else None,
                )
            )
        name = (self.slots().subject.strip() or "batch")[:40]
        self.submit_requested.emit(
            Submission(requests, name, varied, self.parent_job, project=self.project_name())
        )

    def report_queued(self, queued: Queued, submission: Submission) -> None:
        """Say what queuing did; where a take with these settings existed already, offer
        another take in one click."""
        old = {job.id for job in queued.reused}
        again = [
            r for r, job in zip(submission.requests, queued.jobs, strict=True) if job.id in old
        ]
        self.show_message(queued.summary())
        self._again = dataclasses.replace(submission, requests=again, again=True) if again else None
        self.again.setVisible(bool(again))
        if queued.new:  # the work is sent: replacing it now loses nothing
            self._sent = self.draft().work()
            self.set_refusal(None)
            self.set_remix(None)

    def request_remix(self) -> None:
        """Send the prompt as a remix of the take being revised: the provider renders that
        take's video again with it (same model, duration and frame)."""
        source = self.remix.source
        if source is None or source.why_not(self.profiles) is not None:
            return
        slots = self.slots()
        spec = source.request(slots.compose(), slots.as_dict())
        try:
            if self.profiles is not None:
                self.profiles.validate(spec.spec)
        except StudioError as err:
            self.show_message(str(err), error=True)
            return
        name = (slots.subject.strip() or "remix")[:40]
        self.submit_requested.emit(
            Submission([spec], name, None, source.job_id, project=self.project_name())
        )

    def set_remix(self, source: RemixSource | None) -> None:
        """The take being revised, as a remix of it would need it (None: no remix)."""
        self.remix.show_for(source, self.profiles)

    def set_refusal(self, text: str | None) -> None:
        self.refusal.setText(text or "")
        self.refusal.setVisible(bool(text))
        set_state(self.refusal, "error", bool(text))

    def _render_again(self) -> None:
        if self._again is not None:
            self.submit_requested.emit(self._again)
        self._again = None
        self.again.hide()

    def set_what_to_fix(self, text: str) -> None:
        """The take being revised's notes ("" puts them away)."""
        self.to_fix.setText(text)
        self.to_fix.setVisible(bool(text))

    def set_offline(self, reason: str) -> None:
        """Say why renders cannot be sent (they still queue and wait), or nothing ("")."""
        self.offline.setText(reason)
        self.offline_row.setVisible(bool(reason))

    def show_message(self, text: str, error: bool = False) -> None:
        """Say something about the render as it is set now (it goes once that changes, if
        it was an error)."""
        say_in(self.status, text, error=error)
        self._said_for = self._what_is_set(self.slots()) if text else None

    def _variant_mode(self) -> None:
        """Each varied slot keeps what was typed for it: switching slots loses nothing."""
        if self._varied is not None:
            self._variant_text[self._varied] = self.variant_values.toPlainText()
        self._varied = self.variant_slot.currentData()
        self.variant_values.blockSignals(True)
        self.variant_values.setPlainText(self._variant_text.get(self._varied or "", ""))
        self.variant_values.blockSignals(False)
        self.variant_values.setVisible(self._varied is not None)
        self.refresh()
        self.changed.emit()

    # ---- drafts and stored specs ---------------------------------------------------------

    def project_name(self) -> str:
        return " ".join(self.project.currentText().split()) or "default"

    def set_projects(self, names: list[str]) -> None:
        """Offer the recent projects; what is typed or chosen stays."""
        current = self.project.currentText()
        self.project.blockSignals(True)
        self.project.clear()
        self.project.addItems(names)
        self.project.setEditText(current)
        self.project.blockSignals(False)

    def draft(self) -> Draft:
        """Everything unsent, as the draft file keeps it."""
        pending = self._pending
        seed, audio = self.options.kept() if pending is None else (pending.seed, pending.audio)
        pending = pending or _Wanted(None, None, None)
        varied = self.variant_slot.currentData()
        texts = dict(self._variant_text)
        if varied is not None:
            texts[varied] = self.variant_values.toPlainText()
        return Draft(
            slots={k: v for k, v in self.slots().as_dict().items() if v},
            model=self.model_box.currentData() or pending.model,
            seconds=self.seconds_box.currentData() or pending.seconds,
            frame=self.size_box.currentData() or pending.frame,
            variant_slot=varied,
            variant_values={k: v for k, v in texts.items() if v.strip()},
            reference=self.reference.fit(),
            parent_job=self.parent_job,
            project=self.project.currentText().strip() or None,
            seed=seed,
            generate_audio=audio,
            refusal=self.refusal.text() or None,
            sent=self._sent,
        )

    def has_unsent_work(self) -> bool:
        """Whether the editor holds work that was neither queued nor loaded as it is (an
        image still loading counts as in)."""
        return dataclasses.replace(self.draft(), reference=self.reference.target()).unsent

    def apply_draft(self, draft: Draft, image: Path | None) -> list[str]:
        """Put `draft` in the editor: a saved draft, or a stored take (`take_draft`). The
        image, if given, loads off the UI thread; without one the editor's goes, unless
        the draft has one to follow (`DraftKeeper.restore_image`). Returns what could not
        be restored (and says so), where the models are known already."""
        self._variant_text = dict(draft.variant_values)
        self._varied = None
        self.variant_slot.setCurrentIndex(max(0, self.variant_slot.findData(draft.variant_slot)))
        self.parent_job = draft.parent_job
        self.project.setEditText(draft.project or "")
        self.set_refusal(draft.refusal)
        self.set_remix(None)
        self.set_what_to_fix("")  # a take's notes are about that take (Edit shows them)
        self._sent = draft.sent
        problems = self._want(
            _Wanted(draft.model, draft.seconds, draft.frame, draft.seed, draft.generate_audio)
        )
        if image is not None and draft.reference is not None:
            self.reference.load(image, name=draft.reference.name, fit=draft.reference)
        elif draft.reference is None and self.reference.target() is not None:
            self.reference.remove()
        self.set_slots(PromptSlots.from_mapping(draft.slots))
        if problems:
            self.show_message(_sentence("Not restored: ", problems))
        return problems

    def render_words(self) -> str:
        """The render settings as set, in words: "Simulator (pro), 8 s, 1280x720, audio on,
        project “spring”"."""
        words = [self.model_box.currentText(), self.seconds_box.currentText(),
                 self.size_box.currentText(), *self.options.words(self.profile()),
                 f"project “{self.project_name()}”"]  # fmt: skip
        return ", ".join(w for w in words if w)

    def _want(self, wanted: _Wanted) -> list[str]:
        self._pending = wanted
        return self._apply_pending() if self.profiles is not None else []

    def _apply_pending(self) -> list[str]:
        """Select the model, duration, frame, seed and audio asked for, where the provider
        offers them; returns, in words, what it does not."""
        wanted, self._pending = self._pending, None
        if wanted is None:
            return []
        problems = []
        if wanted.model is not None:
            index = self.model_box.findData(wanted.model)
            if index < 0:
                current = self.model_box.currentText()
                problems.append(f"{wanted.model} is not offered by this provider; using {current}")
            else:
                self.model_box.setCurrentIndex(index)
        for box, value, unit in ((self.seconds_box, wanted.seconds, " s"),
                                 (self.size_box, wanted.frame, "")):  # fmt: skip
            index = box.findData(value) if value is not None else -1
            if index >= 0:
                box.setCurrentIndex(index)
            elif value is not None:
                problems.append(
                    f"{value}{unit} ({self.model_box.currentText()} does not offer it; "
                    f"using {box.currentText()})"
                )
        self.options.set_values(wanted.seed, wanted.audio)
        profile = self.profile()
        if profile is not None:
            problems += self.options.unusable(profile)
        return problems

    # ---- drag and drop -----------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if not urls:
            self.show_message("Only files from this computer can be dropped.", error=True)
            return
        event.acceptProposedAction()
        self.reference.load(Path(urls[0].toLocalFile()))


def _sentence(lead: str, parts: list[str]) -> str:
    return lead + "; ".join(parts) + "."


def _refill(box: QComboBox, items: list[tuple[str, object]]) -> None:
    """Replace the choices, keeping the current one if still allowed, else the first."""
    keep = box.currentData()
    box.blockSignals(True)
    box.clear()
    for text, data in items:
        box.addItem(text, data)
    box.setCurrentIndex(max(0, box.findData(keep)))
    box.blockSignals(False)


def _group(title: str, layout: QFormLayout | QVBoxLayout) -> QGroupBox:
    group = QGroupBox(title)
    group.setLayout(layout)
    return group


def _stack(*widgets: QWidget) -> QVBoxLayout:
    layout = QVBoxLayout()
    for widget in widgets:
        layout.addWidget(widget)
    return layout
