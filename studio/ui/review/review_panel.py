"""Review: the takes of a batch, the player, the rubric, the decision — all from the keyboard.

The panel is a thin view over `studio.review.session.ReviewSession`; every key and button
is one session call followed by a refresh. Keys come from `resources/keymap.toml`.
"""

from __future__ import annotations

import functools
import html
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import StudioError
from studio.core.notes import notes_at
from studio.core.words import count
from studio.jobs.events import AssetReady, Event, JobChanged
from studio.library.ops import CLIPS, FLAGS, NOTES, REVIEW, RUBRICS, LibraryChange
from studio.media import provenance
from studio.review.compared import check_compared
from studio.review.keymap import Binding
from studio.review.rubric import SCORES, ActiveRubric, load_active
from studio.review.session import ReasonNeeded, ReviewSession, followed_batch
from studio.store import BatchPosition, JobRow, JobStatus, Store
from studio.ui.player.player import ClipPlayer
from studio.ui.review.flag_marks import FlagMarks
from studio.ui.review.notes_panel import NotesPanel
from studio.ui.review.rubric_view import RubricView
from studio.ui.review.take_list import TakeListModel, take_title
from studio.ui.shell.said import attempt, say_in


class ReviewPanel(QWidget):
    edit_requested = Signal(int)  # job id: open the editor prefilled, the new job its child
    fullscreen_requested = Signal(bool)  # on (F11 toggles; Esc asks to leave)
    compare_requested = Signal(list)  # job ids (2 to 9), side by side in this order
    lineage_requested = Signal(int)

    def __init__(self, keymap: dict[str, Binding], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewPanel")
        self.keymap = keymap
        self.store: Store | None = None
        self.library: Path | None = None
        self.session: ReviewSession | None = None
        self._jobs: dict[int, JobRow] = {}
        self.asking: str | None = None  # "escalate" or "approve": the note field asks why
        self._positions: dict[int, BatchPosition] = {}
        self._flags: dict[int, tuple[str, ...]] = {}  # each take's flagged checks
        self.actions_by_id: dict[str, QAction] = {}
        self.keys_overlay: QDialog | None = None
        self._row_shown = -1  # the take list's row shown in full last (see `_show_take`)
        self._following: int | None = None  # the batch whose takes join as they finish

        self.takes = TakeListModel(self)
        self.list = QListView()
        self.list.setObjectName("takeList")
        self.list.setModel(self.takes)
        self.list.setIconSize(QSize(96, 54))
        self.list.setSpacing(2)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setMinimumWidth(170)
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.selectionModel().currentChanged.connect(self._list_moved)

        self.player_only = False  # full screen: the picture and its controls, nothing else
        self.player = ClipPlayer()
        self.player.fullscreen_requested.connect(
            lambda: self.fullscreen_requested.emit(not self.player_only)
        )
        self.info = QLabel()
        self.info.setObjectName("takeInfo")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.rubric = RubricView()
        self.rubric.score_clicked.connect(self._click_score)
        self.rubric.tag_clicked.connect(lambda tag: self._run(lambda: self.toggle_tag(tag)))

        self.note = QLineEdit()
        self.note.setObjectName("decisionNote")
        self.note.setPlaceholderText("Note (required to escalate)")
        self.note.returnPressed.connect(self._note_entered)
        self.buttons: dict[str, QPushButton] = {}
        decide = QGridLayout()
        for col, (key, text) in enumerate(
            (("approve", "Approve"), ("edit", "Edit"), ("discard", "Discard"))
        ):
            button = QPushButton(text)
            button.clicked.connect(lambda _c=False, k=key: self.decide(k))
            self.buttons[key] = button
            decide.addWidget(button, 0, col)
        escalate = QPushButton("Escalate…")
        escalate.clicked.connect(self.escalate)
        self.buttons["escalate"] = escalate
        decide.addWidget(escalate, 1, 0)
        undo = QPushButton("Undo")
        undo.clicked.connect(self.undo)
        decide.addWidget(undo, 1, 1)
        compare = QPushButton("Compare")
        compare.setToolTip("The selected takes side by side (2 to 9), or this take beside the "
                           "previous one (C)")  # fmt: skip
        compare.clicked.connect(lambda: self._run(self.compare_takes))
        decide.addWidget(compare, 1, 2)
        self.auto = QCheckBox("Auto-advance")
        self.auto.setChecked(True)
        self.auto.toggled.connect(self._auto_toggled)
        self.blind = QCheckBox("Blind (hide prompt, model, cost)")
        self.blind.toggled.connect(self._blind_toggled)
        self.status = QLabel()
        self.status.setObjectName("reviewStatus")
        self.status.setWordWrap(True)
        self.notes = NotesPanel(self.player)
        self.notes.said.connect(lambda text, error: self.say(text, error=error))
        self.notes.closed.connect(self.setFocus)
        # The note's editor lies below the rubric: brought into view while a note is written
        # (at 1280x800 its tools were under the screen's edge), then the rubric again.
        self.notes.opened.connect(lambda: QTimer.singleShot(0, self._show_note_editor))
        self.notes.closed.connect(self._show_rubric)
        self.notes.spritesheet = lambda job_id: self.asset_path(job_id, "spritesheet")
        self.flag_marks = FlagMarks(self.player)  # the pre-screen's, on the scrub bar
        self.history = QListWidget()
        self.history.setObjectName("history")
        self.history.setWordWrap(True)  # an escalation note is read whole, not cut off
        self.history.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.history.setMinimumHeight(90)

        side = QVBoxLayout()
        side.addWidget(self.rubric)
        side.addLayout(decide)
        side.addWidget(self.note)
        side.addWidget(self.auto)
        side.addWidget(self.blind)
        side.addWidget(self.status)
        side.addWidget(self.notes, 1)
        side.addWidget(QLabel("History"))
        side.addWidget(self.history, 1)
        column = QWidget()
        column.setLayout(side)
        right = QScrollArea()  # scrolls rather than forcing the window taller than the screen
        right.setWidget(column)
        right.setWidgetResizable(True)
        right.setFrameShape(QFrame.Shape.NoFrame)
        right.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        right.setMinimumWidth(280)
        right.setMaximumWidth(400)

        middle = QWidget()
        centre = QVBoxLayout(middle)
        centre.setContentsMargins(0, 0, 0, 0)
        centre.addWidget(self.player, 1)
        centre.addWidget(self.info)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(middle)
        split.addWidget(right)
        self.side = right
        split.setStretchFactor(1, 1)
        split.setSizes([290, 650, 340])  # the take list: a variant label on one line
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self._build_actions()
        self._show_empty()

    COMPACT_BELOW = 980  # narrower than this (the writing layout), only the player shows

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit_columns(event.size().width())
        super().resizeEvent(event)

    def _fit_columns(self, width: int) -> None:
        # Narrow (the writing layout), full screen, or nothing open: only the player.
        compact = width < self.COMPACT_BELOW or self.player_only or self.session is None
        self.list.setVisible(not compact)
        self.side.setVisible(not compact)
        self.info.setVisible(not self.player_only)

    def set_player_only(self, on: bool) -> None:
        """Full screen: only the picture and the transport; every review key still works."""
        self.player_only = on
        self._fit_columns(self.width())
        self.player.full_button.setProperty("icon_name", "minimize" if on else "maximize")
        self.player._tint()

    def _back(self) -> None:
        """Esc: drop a note being written or a question being asked, else leave full
        screen."""
        if self.notes.writing is not None:
            self.notes.cancel()
        elif self.asking is not None:
            self._asked()
            self.say("Not decided.")
        elif self.player_only:
            self.fullscreen_requested.emit(False)

    # ---- keys -----------------------------------------------------------------------------

    def _handlers(self) -> dict[str, Callable[[], object]]:
        p = self.player
        handlers: dict[str, Callable[[], object]] = {
            "criterion.previous": lambda: self._select_criterion(-1, relative=True),
            "criterion.next": lambda: self._select_criterion(1, relative=True),
            "decide.approve": lambda: self.decide("approve"),
            "decide.edit": lambda: self.decide("edit"),
            "decide.discard": lambda: self.decide("discard"),
            "decide.escalate": self.escalate,
            "decide.undo": self.undo,
            "take.next": lambda: self.go_relative(1),
            "take.previous": lambda: self.go_relative(-1),
            "take.star": self.star,
            "take.compare": self.compare_takes,
            "take.by_rank": self.toggle_rank_order,
            "take.lineage": lambda: self.lineage_requested.emit(self._need_session().take.job_id),
            "review.help": self.show_keys,
            "note.add": self.notes.begin,
            "note.previous": lambda: self.notes.jump(-1),
            "note.next": lambda: self.notes.jump(1),
            "flag.previous": lambda: self.say(self.flag_marks.jump(-1)),
            "flag.next": lambda: self.say(self.flag_marks.jump(1)),
            "review.blind": self.blind.toggle,
            "review.auto": self.auto.toggle,
            "play.toggle": p.toggle,
            "play.back": p.shuttle_back,
            "play.pause": p.pause,
            "play.forward": p.shuttle_forward,
            "frame.previous": lambda: p.step(-1),
            "frame.next": lambda: p.step(1),
            "frame.first": p.first_frame,
            "frame.last": p.last_frame,
            "loop.in": p.mark_in,
            "loop.out": p.mark_out,
            "loop.toggle": p.toggle_loop,
            "speed.slower": lambda: p.change_speed(-1),
            "speed.faster": lambda: p.change_speed(1),
            "audio.mute": p.toggle_mute,
            "view.fullscreen": lambda: self.fullscreen_requested.emit(not self.player_only),
            "view.zoom": p.toggle_zoom,
            "view.guides": p.toggle_guides,
            "compare.close": self._back,
        }
        for value in SCORES:
            handlers[f"score.{value}"] = functools.partial(self.score, value)
        return handlers

    def _build_actions(self) -> None:
        handlers = self._handlers()
        for command, binding in self.keymap.items():
            handler = handlers.get(command)
            place = command.removeprefix("criterion.")
            if handler is None and place.isdigit():  # by position: an edited rubric keeps them
                handler = functools.partial(self._select_criterion_at, int(place) - 1)
            place = command.removeprefix("tag.")
            if handler is None and place != command and place.isdigit():  # by position too
                handler = functools.partial(self.toggle_tag_at, int(place) - 1)
            if handler is None:
                continue  # bound elsewhere (the help overlay, compare's flip)
            action = QAction(binding.text, self)
            action.setShortcuts([QKeySequence(k) for k in binding.keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _c=False, h=handler: self._run(h))
            self.addAction(action)
            self.actions_by_id[command] = action

    def _run(self, handler: Callable[[], object]) -> None:
        attempt(handler, self.say)

    def say(self, text: str, *, error: bool = False) -> None:
        say_in(self.status, text, error=error)

    # ---- session ----------------------------------------------------------------------------

    def open(
        self, session: ReviewSession, store: Store, library: Path, start_job: int | None = None
    ) -> None:
        self.session, self.store, self.library = session, store, library
        self._jobs = {job.id: job for job in store.jobs.many(t.job_id for t in session.takes)}
        self._positions = store.jobs.positions(
            {job.batch_id for job in self._jobs.values() if job.batch_id}
        )
        self._flags = store.flags.checks_for([t.job_id for t in session.takes])
        session.auto_advance = self.auto.isChecked()
        session.blind = self.blind.isChecked()
        self.rubric.build(session.rubric, self.tag_keys())
        self._fit_columns(self.width())
        self._following = followed_batch(store, [t.job_id for t in session.takes])
        self.takes.reset()  # a new pass: the one change that resets the list
        self._row_shown = -1
        if start_job is not None:
            for i, take in enumerate(session.takes):
                if take.job_id == start_job:
                    session.go(i)
        self.say(
            session.rubric.problem
            or f"{count(len(session.takes), 'take')} · rubric v{session.rubric.version} · "
            "press ? for keys"
        )
        self._show_take()

    def on_library_change(self, change: LibraryChange) -> None:
        """Takes scored, decided, tagged or starred elsewhere (the Library, another pass)
        show what they are now; this pass's own changes are shown as they are made."""
        if change.about(REVIEW) and change.source is not self.session:
            self.reload(list(change.takes))
        mine = change.source is self.notes  # shown as made
        if change.about({NOTES}) and not mine and self.notes.job_id in change.takes:
            self.notes.reload()
        if change.about({FLAGS}):
            self._screened(change.takes)
        if change.about({CLIPS}):  # deleted or restored: the thumbnail with them
            self.takes.takes_changed(change.takes, thumbnails=True)
        if change.about({RUBRICS}) and self.session is not None and self.store is not None:
            active = load_active(self.store)  # the version just stored (an edit, a new file)
            if active.rubric_id != self.session.rubric.rubric_id:
                self.set_rubric(active)

    def on_event(self, event: Event) -> None:
        """The engine's news: a take of the batch under review that finished joins the
        pass, as a new row at the end; a take given its thumbnail shows it."""
        if isinstance(event, AssetReady) and event.kind == "thumbnail":
            self.takes.takes_changed([event.job_id], thumbnails=True)
        elif (
            isinstance(event, JobChanged)
            and "status" in event.changed
            and event.status == JobStatus.READY.value
        ):
            self._arrived(event.job_id)

    def _arrived(self, job_id: int) -> None:
        session, store = self.session, self.store
        if session is None or store is None or self._following is None:
            return
        job = store.jobs.get(job_id)
        if job is None or job.batch_id != self._following or job.status is not JobStatus.READY:
            return
        if not session.add([job_id]):
            return  # already in the pass
        self._jobs[job_id] = job
        self._positions.update(store.jobs.positions({self._following}))
        self._flags.update(store.flags.checks_for([job_id]))
        self.takes.takes_added()

    def _screened(self, job_ids: frozenset[int]) -> None:
        """Takes of this pass screened (or screened again): their flags in the list, and
        on the scrub bar if one is shown."""
        if self.store is None or self.session is None:
            return
        mine = [t.job_id for t in self.session.takes if t.job_id in job_ids]
        if not mine:
            return
        self._flags.update(self.store.flags.checks_for(mine))
        self.takes.takes_changed(mine)
        if self.session.takes and self.session.take.job_id in job_ids:
            self.flag_marks.show_take(self.store, self.session.take.job_id, again=True)

    def flags(self, job_id: int) -> tuple[str, ...]:
        return self._flags.get(job_id, ())

    def reload(self, job_ids: list[int]) -> None:
        """Takes decided or tagged elsewhere (the Library) show what they are now."""
        if self.session is not None and self.session.reload(job_ids):
            self.takes.takes_changed(job_ids)
            self._show_take(reload=False)

    def set_rubric(self, rubric: ActiveRubric) -> None:
        """A new rubric version: scores from now on record it; earlier ones keep theirs."""
        if self.session is None:
            return
        self.session.rubric = rubric
        self.session.select_criterion(0)
        self.rubric.build(rubric, self.tag_keys())
        self._show_take(reload=False)
        self.say(f"Rubric v{rubric.version} in use from now on.")

    def save_still(self, dest: Path, *, with_notes: bool) -> Path:
        """The frame shown as a PNG, with the notes at it drawn on it or without."""
        from studio.media.still import save_still  # Pillow and PyAV only when asked for

        session = self._need_session()
        clip = self.asset_path(session.take.job_id, "video")
        if clip is None or not clip.is_file():
            raise StudioError("This take has no clip in the library.")
        frame = self.player.current_frame()
        notes = notes_at(self.notes.notes, frame) if with_notes else []
        return save_still(clip, frame, dest, notes)

    def job(self, job_id: int) -> JobRow | None:
        if job_id not in self._jobs and self.store is not None:
            found = self.store.jobs.get(job_id)
            if found is not None:
                self._jobs[job_id] = found
        return self._jobs.get(job_id)

    def asset_path(self, job_id: int, kind: str) -> Path | None:
        if self.store is None or self.library is None:
            return None
        return self.store.assets.file(self.library, job_id, kind)

    def _show_note_editor(self) -> None:
        if self.notes.writing is not None:  # laid out by now: its whole height is known
            self.side.ensureWidgetVisible(self.notes.editor, 0, 8)

    def _show_rubric(self) -> None:
        self.side.verticalScrollBar().setValue(0)

    # ---- showing a take -------------------------------------------------------------------

    def _show_empty(self) -> None:
        self.info.setText(
            "Nothing to review yet: double-click a finished take in the queue (Write, Ctrl+1) "
            "or open takes from the Library (Ctrl+3)."
        )
        self.player.load(None)
        self.notes.show_take(None, None, "")
        self.flag_marks.show_take(None, None)

    def _show_take(self, *, reload: bool = True) -> None:
        session = self.session
        if session is None or not session.takes:
            self._show_empty()
            return
        take = session.take
        job = self.job(take.job_id)
        if reload and self.player.clip != self.asset_path(take.job_id, "video"):
            self._load_clip(take.job_id)
        self._preload_next()
        self.rubric.show_take(session.rubric, take, session.criterion)
        self.notes.show_take(self.store, take.job_id, session.reviewer)
        self.flag_marks.show_take(self.store, take.job_id)
        self._show_info(job)
        self.history.clear()
        for entry in session.history() if session.revealed(take) else []:
            when = _clock(entry.at)
            text = f"{when}  {entry.decision}"
            if entry.escalate:
                text += " (escalated)"
            made_with = session.store.verdicts.tally_of(entry)  # under its own rubric version
            if made_with is not None:
                text += f" · {made_with.shown()}"
            text += f" · {entry.reviewer}"
            if entry.note:
                text += f" — {entry.note}"
            self.history.addItem(text)
        index = self.takes.index(session.index)
        if self.list.currentIndex() != index:  # the same take: the selection stays as it is
            self.list.selectionModel().blockSignals(True)
            self.list.setCurrentIndex(index)
            self.list.selectionModel().blockSignals(False)
        if session.blind and self._row_shown != session.index:
            # Blind, only the take in view says more: the one that was says less now.
            self.takes.rows_changed((self._row_shown, session.index))
        self._row_shown = session.index

    def position(self, job_id: int) -> BatchPosition | None:
        return self._positions.get(job_id)

    def _show_info(self, job: JobRow | None) -> None:
        session = self.session
        assert session is not None
        take = session.take
        position = self._positions.get(take.job_id)
        name = take_title(session, take, job)
        number = name + (f" · {position} in its batch" if position else "")
        if not session.revealed(take):  # revealed once decided
            self.info.setText(
                f"<b>{html.escape(name)}</b> · blind review: prompt, model and cost hidden"
            )
        elif job is None:
            self.info.setText(number)
        else:
            cost = job.actual_cost if job.actual_cost is not None else job.estimated_cost
            price = f" · ${cost:.2f}" if cost is not None else ""
            variant = f" · {html.escape(job.spec.variant)}" if job.spec.variant else ""
            found = provenance.recorded(self.store, job.id) if self.store else None
            self.info.setText(
                f"<b>{number}</b> · {html.escape(job.model)}{price}{variant}<br>"
                f"{html.escape(job.prompt)}<br>"
                f"<i>{html.escape(provenance.summary(found))}</i>"
            )

    def _load_clip(self, job_id: int) -> None:
        path = self.asset_path(job_id, "video")
        if path is None:
            self.player.load(None)
            self.player.message.setText("This take has no clip in the library.")
            return
        size = None
        if self.store is not None:
            asset = self.store.assets.for_job(job_id).get("video")
            size = asset.size if asset else None
        self.player.load(path, spritesheet=self.asset_path(job_id, "spritesheet"), size=size)

    def _preload_next(self) -> None:
        session = self.session
        if session is None:
            return
        following = session.next_unreviewed() if session.auto_advance else None
        if following is None:
            following = min(session.index + 1, len(session.takes) - 1)
        path = self.asset_path(session.takes[following].job_id, "video")
        if path is not None and path != self.player.clip:
            self.player.preload(path)

    # ---- gestures -------------------------------------------------------------------------

    def _need_session(self) -> ReviewSession:
        if self.session is None or not self.session.takes:
            raise StudioError("Nothing to review yet: double-click a finished job in the queue.")
        return self.session

    def _list_moved(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self.session is not None and current.isValid():
            if current.row() != self.session.index:  # a person moved (not an auto-advance)
                self._said_of_take_left()
            self.session.go(current.row())
            self._show_take()

    def go_relative(self, delta: int) -> None:
        self._need_session().step(delta)
        self._said_of_take_left()
        self._show_take()

    def _said_of_take_left(self) -> None:
        """The status line spoke of the take left ("Decision taken back"): cleared, but
        for a problem with the rubric, which stands."""
        self.say(self.session.rubric.problem if self.session is not None else "")

    def _select_criterion(self, value: int, *, relative: bool = False) -> None:
        session = self._need_session()
        session.select_criterion(session.criterion + value if relative else value)
        self._show_take(reload=False)

    def _select_criterion_at(self, index: int) -> None:
        session = self._need_session()
        criteria = len(session.rubric.rubric.criteria)
        if index >= criteria:
            self.say(f"The rubric has {criteria} criteria.")
            return
        self._select_criterion(index)

    def _select_criterion_named(self, criterion_id: str) -> None:
        session = self._need_session()
        ids = [c.id for c in session.rubric.rubric.criteria]
        if criterion_id in ids:
            self._select_criterion(ids.index(criterion_id))

    def _click_score(self, row: int, value: int) -> None:
        session = self._need_session()
        session.select_criterion(row)
        self._run(lambda: self.score(value))

    def score(self, value: int) -> None:
        session = self._need_session()
        session.score(value)
        self.takes.takes_changed([session.take.job_id])
        self._show_take(reload=False)

    def toggle_tag(self, tag: str) -> None:
        session = self._need_session()
        session.toggle_tag(tag)
        self.takes.takes_changed([session.take.job_id])
        self._show_take(reload=False)

    def toggle_tag_at(self, place: int) -> None:
        """The rubric's tag at `place` (0-based, in the order the rubric lists them)."""
        tags = self._need_session().rubric.rubric.tags
        if not 0 <= place < len(tags):
            raise StudioError(
                f"This rubric has {len(tags)} defect tags; there is no tag {place + 1}."
            )
        self.toggle_tag(tags[place])
        on = tags[place] in self._need_session().take.tags
        self.say(f"Tag '{tags[place]}' {'on' if on else 'off'}.")

    def tag_keys(self) -> list[str]:
        """The key of each place in the rubric's list of tags, as the keymap binds them and
        the platform writes them ("Shift+1", "⇧1"); "" for a place without one."""
        count = len(self.session.rubric.rubric.tags) if self.session is not None else 0
        native = QKeySequence.SequenceFormat.NativeText
        bound = [self.keymap.get(f"tag.{place}") for place in range(1, count + 1)]
        return [QKeySequence(b.keys[0]).toString(native) if b else "" for b in bound]

    def star(self) -> None:
        session = self._need_session()
        session.toggle_star()
        self.takes.takes_changed([session.take.job_id])
        self._show_take(reload=False)

    def decide(self, decision: str) -> None:
        session = self._need_session()
        rows = sorted({i.row() for i in self.list.selectionModel().selectedIndexes()})
        decided = session.take.job_id
        deciding = [session.takes[r].job_id for r in rows] if len(rows) > 1 else [decided]
        called = session.called(session.take)
        note = self.note.text()
        try:
            if len(rows) > 1:
                session.decide_many(rows, decision, note=note)
                verb = "Decided" if session.blind else decision.title()
                self.say(f"{verb}: {count(len(rows), 'take')}.")
            else:
                made = session.decide(decision, note=note)
                # blind: the verdict is not said, as the next take is already in view
                self.say(f"{called} decided." if session.blind else
                         f"{called} → {made.decision}.")  # fmt: skip
        except ReasonNeeded as err:  # asked for the reason; Enter in the note decides
            self._ask("approve", str(err))
            return
        self._asked()
        self.takes.takes_changed(deciding)  # their rows only: the others read as they did
        self._show_take()
        if decision == "edit" and len(rows) <= 1:
            self.edit_requested.emit(decided)

    def escalate(self) -> None:
        """Discard with an escalation: the note is required, so ask for it first."""
        session = self._need_session()
        if not self.note.text().strip():
            self._ask("escalate", "Escalate: type what is wrong (for safety/legal), then Enter.")
            return
        called = session.called(session.take)
        decided = session.take.job_id
        session.decide("discard", escalate=True, note=self.note.text())
        self._asked()
        self.say(f"{called} decided." if session.blind else f"{called} discarded and escalated.")
        self.takes.takes_changed([decided])
        self._show_take()

    def _ask(self, what: str, prompt: str) -> None:
        self.asking = what
        self.note.setPlaceholderText(
            "Why approve it? (one line, kept with the decision)"
            if what == "approve"
            else "What is wrong? (required to escalate)"
        )
        self.note.setFocus()
        self.say(prompt)

    def _asked(self) -> None:
        """The note was used (or the question dropped): back to the keys."""
        self.asking = None
        self.note.clear()
        self.note.setPlaceholderText("Note (required to escalate)")
        self.setFocus()

    def _note_entered(self) -> None:
        if self.asking == "escalate":
            self._run(self.escalate)
        elif self.asking == "approve":
            self._run(lambda: self.decide("approve"))

    def undo(self) -> None:
        take = self._need_session().undo()
        self.say("Nothing to undo." if take is None else "Decision taken back (kept in history).")
        if take is not None:
            self.takes.takes_changed([take.job_id])
        self._show_take()

    def toggle_rank_order(self) -> None:
        """The take list in rank order (blind comparisons), or back in batch order."""
        session = self._need_session()
        self.takes.rearranged(lambda: session.order_by_rank(not session.by_rank))
        self._show_take(reload=False)
        self.say("Takes by rank (ranked first, best first)." if session.by_rank else
                 "Takes in batch order.")  # fmt: skip

    def compare_takes(self) -> None:
        """C: the takes selected in the list side by side (2 to 9), or with one selected,
        this take beside the previous one."""
        session = self._need_session()
        rows = sorted({i.row() for i in self.list.selectionModel().selectedIndexes()})
        if len(rows) > 1:
            check_compared(len(rows))
            self.compare_requested.emit([session.takes[r].job_id for r in rows])
            return
        if session.index == 0:
            raise StudioError("The first take has no previous take to compare with.")
        previous = session.takes[session.index - 1].job_id
        self.compare_requested.emit([previous, session.take.job_id])

    def show_keys(self) -> None:
        from studio.ui.review.keys_overlay import KeysOverlay

        overlay = KeysOverlay(self.keymap, self)
        overlay.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        overlay.finished.connect(lambda _result: self._take_keys())
        self.keys_overlay = overlay
        overlay.open()  # window-modal, without a nested event loop

    def _take_keys(self) -> None:
        """After a dialog: this window active again and the review keys here (without a
        window manager, X leaves the focus nowhere when a dialog closes)."""
        self.window().activateWindow()
        self.setFocus()

    def _auto_toggled(self, on: bool) -> None:
        if self.session is not None:
            self.session.auto_advance = on

    def _blind_toggled(self, on: bool) -> None:
        """Blind: the takes in their drawn order, by neutral labels; leaving it reveals
        everything, in the order they had."""
        if self.session is not None:
            session = self.session

            def arrange() -> None:
                session.blind = on  # the takes in their drawn order, or back

            self.takes.rearranged(arrange)
            self.takes.all_changed()  # every take is named and said differently
            self._row_shown = -1
            self._show_take(reload=False)
            self.say("Blind: takes by neutral labels; prompt, model, cost and verdicts hidden."
                     if on else "Blind mode off: everything shows.")  # fmt: skip


def _clock(at: float) -> str:
    return time.strftime("%H:%M", time.localtime(at))
