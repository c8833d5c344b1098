"""The main window only composes panels and turns their gestures into service calls."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QActionGroup, QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from studio.core import paths
from studio.core.errors import StudioError
from studio.review.keymap import load_keymap
from studio.ui.shell.actions import ActionRegistry
from studio.ui.shell.background import Background
from studio.ui.shell.notice import Notice
from studio.ui.shell.startup_marks import mark_first
from studio.ui.shell.status_line import StatusLine
from studio.ui.shell.wheel import install as install_wheel_guard
from studio.ui.shell.window_state import WindowState
from studio.ui.shell.workspaces import LIBRARY, REVIEW, WORKSPACES, WRITE, Workspace

# Only the shell's modules load before the first paint: the panels, the store, the services
# (engine, httpx, PyAV) and asyncio itself are imported where they are first needed.
if TYPE_CHECKING:
    from studio.config.settings import Settings
    from studio.services import Services
    from studio.store.review import Template
    from studio.ui.review.compare import CompareView
    from studio.ui.review.lineage import LineageView
    from studio.ui.review.review_panel import ReviewPanel
    from studio.ui.review.review_stage import ReviewStage
    from studio.ui.shell.batch_notice import BatchNotifier
    from studio.ui.shell.library_events import LibraryEvents
    from studio.ui.write.drafts import DraftKeeper
    from studio.ui.write.editor import PromptEditor, Submission
    from studio.ui.write.names import NameLearning
    from studio.ui.write.queue_panel import QueuePanel
    from studio.ui.write.tag_hints import TagHints
    from studio.ui.write.take_loader import TakeLoader
    from studio.ui.write.templates import TemplatePanel


class MainWindow(QMainWindow):
    """Built in two stages so the window is on screen at once: the shell (menus, docks,
    status bar, saved layout) in the constructor, the panels in `build_panels()` — which
    `staged=False` runs right away, and the app runs after the first paint, a panel per
    event-loop turn, so input is handled between them."""

    settings_changed = Signal(object)  # Settings, once saved (the app applies theme, guides)
    editor: PromptEditor
    queue: QueuePanel
    templates: TemplatePanel
    stage: ReviewStage
    drafts: DraftKeeper
    takes: TakeLoader

    def __init__(self, *, staged: bool = False) -> None:
        super().__init__()
        self.setWindowTitle("Studio")
        self.setObjectName("studioMainWindow")
        self.services: Services | None = None
        self.library_events: LibraryEvents | None = None  # the library's changes, as a signal
        self.batch_notice: BatchNotifier | None = None  # the desktop told of finished batches
        self.template_origin: Template | None = None  # the template last loaded or saved
        self.names: NameLearning | None = None  # the linter's learned names, "not a name"
        self.tag_hints: TagHints | None = None  # the linter's hints from defect tags
        app = QApplication.instance()
        if isinstance(app, QApplication):
            install_wheel_guard(app)  # the wheel scrolls panels, never changes a setting

        # Every key, from one keymap (a person's copy overriding it): the menus' now, the
        # review's, player's and grid's as their panels are built.
        self.keymap, self._keys_problem = load_keymap()
        self.commands = ActionRegistry(self, self.keymap)
        self.commands.build_menus(self.menuBar())
        # The editor runs the full height on the left; queue and templates share the bottom.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.editor_dock = self._dock("Prompt", Qt.DockWidgetArea.LeftDockWidgetArea, "editorDock")
        queue = self._dock("Queue", Qt.DockWidgetArea.BottomDockWidgetArea, "queueDock")
        self.templates_dock = self._dock(
            "Templates", Qt.DockWidgetArea.BottomDockWidgetArea, "templatesDock"
        )
        self.queue_dock = queue
        self.docks = (self.editor_dock, queue, self.templates_dock)
        self.tabifyDockWidget(queue, self.templates_dock)
        queue.raise_()
        self.workspace = WRITE  # shown once the panels are built
        self._build_view_menu()
        # The window's own operations on the services; a failure none of them says is told.
        self.background = Background(self, report=lambda f: self.notify(f.message, error=True))
        self.panels_built = False
        self._building: Iterator[None] | None = None
        self._writing_focus: QWidget | None = None
        self._before_fullscreen = (WRITE.name, Qt.WindowState.WindowNoState)  # after F11
        self._notice = Notice()
        self._centre = QWidget()  # the notice banner above the review stage or the library
        self._centre_layout = QVBoxLayout(self._centre)
        self._centre_layout.setContentsMargins(0, 0, 0, 0)
        self._centre_layout.setSpacing(0)
        self._centre_layout.addWidget(self._notice)
        self._pages = QStackedWidget()  # the review stage (Write, Review) or the library
        self._centre_layout.addWidget(self._pages, 1)
        self.status = StatusLine(self.statusBar(), self._notice)
        self.health, self.spend = self.status.health, self.status.spend
        self.setCentralWidget(self._centre)
        self.window_state = WindowState()
        self.window_state.restore_geometry(self)  # where it was (or the screen's size at first)
        if not staged:
            self.build_panels()

    def build_editor(self) -> None:
        """Only the first panel, the prompt editor (what a person types into first), before
        the event loop runs; the others follow with `build_panels[_async]()`."""
        next(self._steps(), None)

    def build_panels(self) -> None:
        for _ in self._steps():
            pass

    async def build_panels_async(self) -> None:
        import asyncio

        for _ in self._steps():
            await asyncio.sleep(0)  # let Qt paint and handle input between panels

    def _steps(self) -> Iterator[None]:
        """The panel steps, resumed where an earlier call left them."""
        if self._building is None:
            self._building = self._panel_steps()
        return self._building

    def _panel_steps(self) -> Iterator[None]:
        """Import and build each panel; the modules load here, not before the first paint."""
        from studio.prompts import Linter, load_presets
        from studio.ui.write.drafts import DraftKeeper
        from studio.ui.write.editor import PromptEditor

        self.editor = PromptEditor(load_presets(), Linter())
        self.editor_dock.setWidget(self.editor)
        self.editor.submit_requested.connect(self._submit)
        self.editor.key_requested.connect(lambda: self.open_settings(at_key=True))
        self.editor.name_dismissed.connect(self._not_a_name)
        self.drafts = DraftKeeper(self.editor, paths.data_dir() / "draft", self)
        problem = self.drafts.restore()
        if problem:
            self.notify(problem, error=True)
        # Typing starts at once, in the first slot, while the other panels are built.
        subject = self.editor.fields["subject"]
        subject.setFocus()
        mark_first(subject, QEvent.Type.KeyPress, "first_key")
        yield
        self.drafts.restore_image()  # the event loop runs from here on
        from studio.ui.write.queue_panel import QueuePanel
        from studio.ui.write.templates import TemplatePanel

        self.queue = QueuePanel(self.commands)
        self.queue_dock.setWidget(self.queue)
        self.queue.job_activated.connect(self.open_job)
        self.templates = TemplatePanel()
        self.templates_dock.setWidget(self.templates)
        self.templates.load_requested.connect(self.load_template)
        self.templates.save.clicked.connect(self.save_template)
        from studio.ui.library.library_actions import LibraryActions

        self.library = LibraryActions(
            self,
            lambda: self.services,
            review=self._review_from_library,
            compare=self.open_compare,
            rubric=lambda: self.stage.active_rubric(),
            notify=self.notify,
            background=self.background,
            state=self.window_state,
            show=lambda: self.show_workspace(LIBRARY.name),
        )
        self.library.rank = lambda ids: self.rank_blind(ids)
        self.menuBar().addMenu(self.library.menu)
        yield
        from studio.ui.review.review_stage import ReviewStage

        keymap, keys_problem = self.keymap, self._keys_problem
        self.library.panel.bind_keys(keymap)
        self.stage = ReviewStage(keymap)
        self._pages.addWidget(self.stage)
        self._pages.addWidget(self.library.page)
        self.stage.edit_requested.connect(self.revise)
        self.stage.opened.connect(self._review_opened)
        self.stage.fullscreen_requested.connect(self.set_fullscreen)
        menu = self.menuBar().addMenu("Re&view")
        for action in self.review.actions_by_id.values():
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(
            "&Blind ranking of these takes", lambda: self.rank_blind(self._reviewed_takes())
        )
        menu.addAction("Edit &rubric…", self.edit_rubric)
        menu.addSeparator()
        menu.addAction("Save &still…", lambda: self.save_still(with_notes=False))
        menu.addAction("Save still with &notes…", lambda: self.save_still(with_notes=True))
        if keys_problem:
            self.notify(keys_problem, error=True)
        self._wire_actions()
        self._restore_docks()  # with the panels in place, so their sizes hold
        self.panels_built = True
        self._enter(self.workspace)
        focus = QApplication.focusWidget()
        if not self.reviewing and not (focus and self.editor.isAncestorOf(focus)):
            self.editor.fields["subject"].setFocus()  # typing starts a prompt at once

    @property
    def review(self) -> ReviewPanel:
        return self.stage.review

    @property
    def compare(self) -> CompareView:
        return self.stage.compare

    @property
    def lineage(self) -> LineageView:
        return self.stage.lineage

    def _dock(self, title: str, area: Qt.DockWidgetArea, name: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        self.addDockWidget(area, dock)
        return dock

    def _wire_actions(self) -> None:
        from studio.ui.write.queue_actions import QueueActions
        from studio.ui.write.take_loader import TakeLoader

        self.takes = TakeLoader(
            self.editor, self.drafts, lambda: self.services, modal=self._modal, parent=self
        )
        self.drafts.swapped.connect(self.takes.follow_revision)
        self.queue_actions = QueueActions(
            self.queue,
            self.editor,
            lambda: self.services,
            takes=self.takes,
            notify=lambda text: self.notify(text, error=True),
            inform=lambda text: self.notify(text, timeout=6000),
            show_editor=self._show_editor,
            background=self.background,
        )
        self.status.spend_changed.connect(self.editor.refresh_cost)  # one figure, both places
        a = self.commands
        a.on("render.queue", self.editor.request_submit)
        a.on("render.reference", self.editor.reference.choose.click)
        a.on("render.save_template", self.save_template)
        a.on("render.templates", self.find_template)
        self.queue_actions.bind(a.on)
        a.on("library.export", self.library.export)
        a.on("library.import", self.library.import_folder)
        a.on("app.settings", self.open_settings)
        a.on("app.layout", lambda: self.set_review_layout(not self.reviewing))
        a.on("app.quit", self.close)

    # ---- services ------------------------------------------------------------------------

    def attach(self, services: Services) -> None:
        """Called once the store, provider and engine are open (after the first paint)."""
        from studio.prompts import Linter
        from studio.providers.kinds import describe_provider_key
        from studio.ui.write.names import NameLearning
        from studio.ui.write.queue_model import JobTableModel

        self.services = services
        engine = services.engine
        model = JobTableModel(
            services.store,
            library=services.library,
            provider_key=services.connection.key,
            describe_provider=describe_provider_key,
            parent=self,
        )
        self.queue.set_model(model)
        self.templates.set_store(services.store)
        self.library.attach(services)
        self.editor.set_projects(services.store.jobs.recent_projects())
        self.stage.attach(services.store, services.library, services.settings.reviewer_name)
        self.apply_view_settings(services.settings)
        engine.bus.subscribe(model.on_event)
        engine.bus.subscribe(self.status.on_event)
        engine.bus.subscribe(self.library.on_event)
        engine.bus.subscribe(self.review.on_event)  # a batch's takes join its review as they finish
        from studio.ui.shell.batch_notice import BatchNotifier

        if self.batch_notice is None:  # a click on its message opens the batch in Review
            self.batch_notice = BatchNotifier(self, self.open_job)
        self.batch_notice.store = services.store
        engine.bus.subscribe(self.batch_notice.on_event)
        from studio.library.ops import ops_for
        from studio.ui.shell.library_events import LibraryEvents

        self.library_events = LibraryEvents(ops_for(services.store), self)
        for view in (self.review, self.lineage, self.library, model):  # each refreshes its own
            self.library_events.changed.connect(view.on_library_change)
        self.editor.linter = Linter()  # names learned from this library's refusals only
        self.names = NameLearning(self.editor, services.store, ops_for(services.store))
        engine.bus.subscribe(self.names.on_event)  # a refusal is checked for at once
        self.library_events.changed.connect(self.names.on_library_change)
        self.names.template_changed(self.template_origin)
        self.names.start()
        from studio.ui.write.tag_hints import TagHints

        self.tag_hints = TagHints(
            self.editor,
            services.store,
            ops_for(services.store),
            show_search=self.library.run_search,
        )
        self.library_events.changed.connect(self.tag_hints.on_library_change)
        self.tag_hints.template_changed(self.template_origin)
        self.editor.budget_hint = self.status.budget_hint
        self.editor.set_offline(services.connection.problem)
        self.background.run(self._load_models(), "load the models")
        self.status.attach(services)
        services.watch_outside()  # jobs a `studio batch` queues, or another engine sends
        # each new clip's first look, in a worker process
        self.background.run(self._prescreen(), "start the pre-screen")
        if services.busy:
            self._wait_for_library()

    async def _prescreen(self) -> None:
        """The pre-screen starts on the running loop (it takes the loop it is started on);
        `attach` may be called before the loop runs (the tests' windows are)."""
        if self.services is not None:  # not closed meanwhile
            self.services.prescreen_clips()

    def _wait_for_library(self) -> None:
        """Another process renders in this library: say so, keep the review open, and start
        rendering here once it is free."""
        assert self.services is not None
        self.notify(self.services.busy, error=not self.services.sends_here)
        mode = "it sends what you queue" if self.services.sends_here else "review only"
        self.status.connecting(f"library in use by another process ({mode})")

        async def poll() -> None:
            import asyncio

            while self.services is not None and self.services.busy:
                await asyncio.sleep(3.0)
                if self.services is not None and await self.services.try_start():
                    self._notice.hide()
                    self.status.attach(self.services)
                    self.notify("The library is free again: rendering here has started.")

        self.background.run(poll(), "wait for the library")

    def detach(self) -> Services | None:
        """Forget the services before they close, so no timer, event or operation of the
        window's reaches them after; returns them for the caller to close."""
        services, self.services = self.services, None
        self.background.cancel_all()  # loading models, queuing, importing: all on them
        self.names = None
        if self.tag_hints is not None:
            self.tag_hints.close()
            self.tag_hints = None
        self.status.attach(None)
        if self.batch_notice is not None:
            self.batch_notice.store = None
        if self.library_events is not None:
            self.library_events.close()
            self.library_events.deleteLater()
            self.library_events = None
        if services is not None:
            services.engine.bus.clear()
        if self.panels_built:
            self.editor.budget_hint = lambda cost, project: ""
            self.queue.detach()
            self.templates.set_store(None)
            self.library.detach()
            self.stage.attach(None, None)
        return services

    def open_settings(self, *, at_key: bool = False) -> None:
        """Settings; `at_key` puts the cursor in the API key field (the editor's "Enter API
        key…")."""
        from studio.config.settings import load_settings, needs_reconnect
        from studio.ui.shell.settings_dialog import SettingsDialog

        current = self.services.settings if self.services else load_settings()[0]
        cap = self.services.store.budgets.cap("daily", "*") if self.services else None
        dialog = SettingsDialog(current, self, daily_cap=cap)
        dialog.at_key = at_key
        accepted = self._modal(dialog)
        if not accepted or dialog.saved is None:
            return
        if self.services is not None and dialog.cap() != cap:
            self.services.set_daily_cap(dialog.cap())  # at once, whatever else changed
            self.editor.show_message("")  # what it said about the old cap no longer holds
            self.status.show_spend()  # and its cost line with the status bar
        if dialog.note:
            self.notify(dialog.note)
        self.settings_changed.emit(dialog.saved)  # the theme
        self.apply_view_settings(dialog.saved)
        if self.services is not None and not needs_reconnect(
            current, dialog.saved, key_changed=dialog.key_changed
        ):
            self.services.apply(dialog.saved)  # nothing in flight is interrupted
            self.stage.reviewer = dialog.saved.reviewer_name
            self.status.show_spend()
            self.notify("Settings saved.", timeout=3000)
            return
        self.reconnect(dialog.saved)

    def reconnect(self, settings: Settings) -> None:
        """Apply new settings: close the old provider and engine, open the new ones. The
        old are let go first (their operations cancelled), then closed in the background."""
        old = self.detach()
        self.status.connecting("reconnecting…")
        self.background.run(self._reopen(old, settings), "reconnect")

    async def _reopen(self, old: Services | None, settings: Settings) -> None:
        from studio.services import open_services

        if old is not None:
            await old.close()
        try:
            services = await open_services(settings)
        except StudioError as err:
            self.status.connecting("not connected")
            self.editor.show_message(str(err), error=True)
            return
        self.attach(services)

    async def _load_models(self) -> None:
        if self.services is None:  # closed or reconnected meanwhile
            return
        try:
            profiles = await self.services.engine.models()
        except StudioError as err:
            self.editor.show_message(f"Could not load the models: {err}", error=True)
            return
        self.editor.set_profiles(profiles)
        self.takes.follow_revision()  # a restored draft's take: Remix offered again
        if profiles.note:
            self.notify(profiles.note, error=not len(profiles))

    # ---- gestures → services ---------------------------------------------------------------

    def _submit(self, submission: Submission) -> None:
        if self.template_origin is not None:  # each take records the template it came from
            made_from = self.template_origin.id
            requests = [dataclasses.replace(r, template_id=made_from) for r in submission.requests]
            submission = dataclasses.replace(submission, requests=requests)
        self.background.run(self._queue(submission), "queue the takes")

    async def _queue(self, submission: Submission) -> None:
        if self.services is None:
            self.editor.show_message("Still starting; try again in a moment.", error=True)
            return
        if not self.services.sends_here:  # another process drives the library, not for us
            self.editor.show_message(
                f"{self.services.busy} Your prompt is kept; queue it then.", error=True
            )
            return
        try:
            queued = await self.services.engine.submit_batch(
                submission.requests,
                name=submission.name,
                varied_slot=submission.varied_slot,
                parent_id=submission.parent_id,
                again=submission.again,
                project=submission.project,
            )
        except StudioError as err:
            self.editor.show_message(str(err), error=True)
            return
        if queued.new:
            self.editor.parent_job = None
            self.editor.set_what_to_fix("")  # the revision is on its way
        self.editor.report_queued(queued, submission)
        self.status.show_spend()

    def load_template(self, template: Template) -> None:
        from studio.prompts import PromptSlots

        self.editor.set_slots(PromptSlots.from_mapping(template.slots))
        self._set_template(template)
        self.editor.show_message(f"Loaded template {template.name} v{template.version}.")

    def save_template(self) -> None:
        if self.services is None:
            self.editor.show_message("Still starting; try again in a moment.", error=True)
            return
        from studio.ui.write.templates import SaveTemplateDialog

        dialog = SaveTemplateDialog(
            self.services.store, self.editor.slots(), self.template_origin, self
        )
        if self._modal(dialog) and dialog.saved is not None:
            self._set_template(dialog.saved)
            self.templates.model.reload()
            self.templates.select(dialog.saved.id)
            self.editor.show_message(f"Saved template {dialog.saved.name} v{dialog.saved.version}.")

    def _set_template(self, template: Template) -> None:
        """The template the editor's prompt comes from: its takes record it, the linter
        leaves out the learned names it says are not names and hints what defect tags on
        its earlier takes say."""
        self.template_origin = template
        if self.names is not None:
            self.names.template_changed(template)
        if self.tag_hints is not None:
            self.tag_hints.template_changed(template)

    def _not_a_name(self, term: str) -> None:
        if self.names is None:
            self.editor.show_message("Still starting; try again in a moment.", error=True)
            return
        try:
            self.names.dismiss(term)
        except (StudioError, ValueError) as err:
            self.editor.show_message(str(err), error=True)

    def find_template(self) -> None:
        self.show_workspace(WRITE.name)
        self.templates_dock.show()
        self.templates_dock.raise_()
        self.templates.search.setFocus()
        self.templates.search.selectAll()

    def _asset_path(self, job_id: int, kind: str) -> Path | None:
        if self.services is None:
            return None
        return self.services.store.assets.file(self.services.library, job_id, kind)

    def open_job(self, job_id: int) -> None:
        """Review a finished take with the rest of its batch (its variants)."""
        try:
            self.stage.open_job(job_id)
        except StudioError as err:
            self.notify(str(err), timeout=4000)

    def _review_from_library(self, job_ids: list[int]) -> None:
        """One take opens with its batch (as from the queue); several are reviewed together."""
        if len(job_ids) == 1:
            self.open_job(job_ids[0])
        else:
            self.review_takes(job_ids)

    def review_takes(self, job_ids: list[int], *, start: int | None = None) -> None:
        self.stage.review_takes(job_ids, start=start)

    def open_compare(self, job_ids: list[int]) -> None:
        """These takes (2 to 9) side by side in the Review workspace."""
        try:
            self.stage.open_compare(job_ids)
        except StudioError as err:
            self.notify(str(err), error=True)
            return
        self.show_workspace(REVIEW.name)

    def open_lineage(self, job_id: int) -> None:
        self.stage.open_lineage(job_id)

    @property
    def reviewing(self) -> bool:
        """The Review workspace: the stage has the window, the docks are hidden."""
        return self.panels_built and self.workspace is REVIEW

    def set_review_layout(self, on: bool) -> None:
        """Review (F6 switches back to Write)."""
        self.show_workspace(REVIEW.name if on else WRITE.name)

    def show_workspace(self, name: str) -> None:
        """Write, Review or Library, each with its own layout as it was left. Focus follows:
        the review stage's page, the library's results, or the widget that had it while
        writing."""
        target = WORKSPACES[name]
        if not self.panels_built:
            self.workspace = target  # shown once they are
            return
        if target is not self.workspace:
            focused = self.focusWidget()  # this window's, even while a dialog is active
            if self.workspace is WRITE and focused is not None and focused.isVisible():
                self._writing_focus = focused
            self.window_state.save_workspace(self.workspace.name, self.saveState())
            self.workspace = target
            self._enter(target)
            self._save_layout()  # a crash reopens what was there
            if target is REVIEW and self.stage.reviewing() is None and self.services is not None:
                ids, current = self._last_pass()
                if ids:  # the last pass, not an empty stage with nowhere to go
                    self.review_takes(ids, start=current)
        self._focus_workspace()

    def _enter(self, target: Workspace) -> None:
        state = self.window_state.workspace_state(target.name)
        if state is None or not self.restoreState(state):
            for dock in self.docks:
                dock.setVisible(dock.objectName() in target.docks)
        self._pages.setCurrentWidget(self.stage if target.picture else self.library.page)
        self.commands[f"view.{target.name}"].setChecked(True)
        if target is LIBRARY:
            self.library.shown()

    def _focus_workspace(self) -> None:
        if self.workspace is REVIEW:
            self.stage.focus_page()
        elif self.workspace is LIBRARY:
            self.library.panel.focus_results()
        else:
            target = self._writing_focus
            if target is None or not target.isVisible():
                target = self.editor.fields["subject"]
            target.setFocus()

    def _build_view_menu(self) -> None:
        """Each workspace one key away (checked: the one shown), and every panel."""
        group = QActionGroup(self)
        for name in WORKSPACES:
            action = self.commands[f"view.{name}"]
            action.setCheckable(True)
            group.addAction(action)
            self.commands.on(f"view.{name}", functools.partial(self.show_workspace, name))
        self.commands[f"view.{self.workspace.name}"].setChecked(True)
        self.commands.on("view.metrics", lambda: self.library.show_tab(metrics=True))
        view = self.commands.menu("View")
        view.addSeparator()
        panels = view.addMenu("&Panels")
        for dock in self.docks:
            panels.addAction(dock.toggleViewAction())

    def apply_view_settings(self, settings: Settings) -> None:
        """What Settings say about looking: the logo-safe margin of the players' guides."""
        for player in (self.review.player, self.lineage.player):
            player.set_logo_safe(settings.logo_safe_percent)
        self.compare.set_logo_safe(settings.logo_safe_percent)  # its players made later too

    def set_fullscreen(self, on: bool) -> None:
        """The review's picture on the whole screen (F11; Esc or F11 leaves): the review
        layout, without menus, status or tabs; the review keys keep working."""
        if on == self.review.player_only:
            return
        if on:
            self._before_fullscreen = (self.workspace.name, self.windowState())
            self.set_review_layout(True)
            self.stage.setCurrentWidget(self.review)
        for bar in (self.menuBar(), self.statusBar(), self.stage.tabBar()):
            bar.setVisible(not on)
        if on:
            self._notice.hide()
        self.review.set_player_only(on)
        if on:
            self.showFullScreen()
        else:
            workspace, state = self._before_fullscreen
            self.setWindowState(state & ~Qt.WindowState.WindowFullScreen)
            self.show_workspace(workspace)
        self.stage.focus_page()

    def _modal(self, dialog: QDialog) -> bool:
        """Run a dialog; afterwards the keys go where they went before it."""
        before = self.focusWidget()
        accepted = bool(dialog.exec())
        self.activateWindow()  # X without a window manager leaves the focus nowhere
        if self.reviewing:
            self.stage.focus_page()
        elif before is not None and before.isVisible():
            before.setFocus()
        return accepted

    def _show_editor(self) -> None:
        self.set_review_layout(False)
        self.editor_dock.raise_()

    def revise(self, job_id: int) -> None:
        """An Edit decision: the editor gets the take as it was made (settings, project,
        the original reference image with its fit) and what its reviewers pointed at (its
        notes), and the next render queued from it is linked to the take as its child (a
        Remix too)."""
        from studio.review.what_to_fix import what_to_fix

        if self.services is None:
            return
        job = self.services.store.jobs.get(job_id)
        if job is None or not self.takes.revise(job):
            return
        notes = self.services.store.notes.for_take(job_id)
        self.editor.set_what_to_fix(what_to_fix(notes, take=job.name))  # what they pointed at
        self._show_editor()

    def save_still(self, *, with_notes: bool, dest: Path | None = None) -> Path | None:
        """The review's frame as a PNG (asked where, unless `dest`), notes drawn or not."""
        from PySide6.QtWidgets import QFileDialog

        session = self.review.session
        if session is None:
            self.notify("Open a take in Review first.", timeout=4000)
            return None
        if dest is None:
            frame = self.review.player.current_frame()
            name = f"take{session.take.job_id}_frame{frame}{'_notes' * with_notes}.png"
            folder = Path(self.window_state.folder("stills") or Path.home())
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Save still", str(folder / name), "PNG image (*.png)"
            )
            if not chosen:
                return None
            dest = Path(chosen)
            self.window_state.set_folder("stills", str(dest.parent))
        try:
            saved = self.review.save_still(dest, with_notes=with_notes)
        except StudioError as err:
            self.notify(str(err), error=True)
            return None
        self.notify(f"Still saved: {saved}", timeout=5000)
        return saved

    def _reviewed_takes(self) -> list[int]:
        session = self.review.session
        return [t.job_id for t in session.takes] if session is not None else []

    def rank_blind(self, job_ids: list[int]) -> None:
        """A blind pairwise ranking of these takes in the Review workspace: two at a time,
        sides drawn at random, prompt, model and cost hidden."""
        try:
            mode = self.stage.open_pairwise(job_ids)
        except StudioError as err:
            self.notify(str(err), timeout=6000)
            return
        if self.library_events is not None:  # comparisons made elsewhere count at once
            self.library_events.changed.connect(mode.on_library_change)
        self.show_workspace(REVIEW.name)
        mode.compare.setFocus()

    def edit_rubric(self) -> None:
        from studio.ui.review.rubric_dialog import RubricDialog

        active = self.stage.active_rubric()
        if self.services is None or active is None:
            return
        dialog = RubricDialog(self.services.store, active, self)
        if self._modal(dialog) and dialog.saved is not None:  # the review pass hears of it
            self.notify(f"Rubric saved as version {dialog.saved.version}.", timeout=5000)

    async def stop_background(self) -> None:
        """Cancel what the window and its widgets run in the background, and wait until it
        has ended (before the services close under it)."""
        import asyncio

        await asyncio.gather(*(b.shutdown() for b in self.findChildren(Background)))

    # ---- layout persistence ----------------------------------------------------------------

    def _restore_docks(self) -> None:
        if self.window_state.workspace_state(WRITE.name) is None:
            # First start: the editor gets room to write, the queue a third of the height.
            self.resizeDocks(
                [self.editor_dock], [max(460, self.width() * 2 // 5)], Qt.Orientation.Horizontal
            )
            self.resizeDocks(  # the queue gets room for its rows while writing
                [self.queue_dock], [max(300, self.height() * 2 // 5)], Qt.Orientation.Vertical
            )

    def restore_review(self) -> None:
        """Reopen the last run's workspace — its review only if it would not open empty
        (then Write)."""
        saved = self.window_state.saved_review()
        ids, current = self._last_pass()
        if saved.workspace == REVIEW.name and ids:
            self.review_takes(ids, start=current)
        elif saved.workspace == LIBRARY.name:
            self.show_workspace(LIBRARY.name)
        else:
            self.show_workspace(WRITE.name)

    def _review_opened(self) -> None:
        self.set_review_layout(True)
        self._save_layout()

    def _last_pass(self) -> tuple[list[int], int | None]:
        """The takes of the last review pass still ready to play, and the one it was on."""
        saved = self.window_state.saved_review()
        ids = saved.takes
        if ids and self.services is not None:
            ready = {j.id for j in self.services.store.jobs.many(ids) if j.status.value == "ready"}
            ids = [i for i in ids if i in ready]
        return ids, saved.current

    def _save_layout(self) -> None:
        reviewing = self.stage.reviewing()
        if reviewing is None:  # nothing under review now: the last pass is kept to go back to
            saved = self.window_state.saved_review()
            takes, current = saved.takes, saved.current
        else:
            takes, current = reviewing[0], reviewing[1]
        self.window_state.save_review(self.workspace.name, takes, current)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.panels_built:
            self._save_layout()
            # Each workspace's docks as they are; the review is reopened only once its
            # takes are known to exist (restore_review), never empty.
            self.window_state.save_workspace(self.workspace.name, self.saveState())
            self.stage.stop()
        if hasattr(self, "drafts"):  # typed into before the other panels were built, too
            self.drafts.close()
        self.window_state.save_window(self)
        for background in self.findChildren(Background):  # the window's and its widgets'
            background.cancel_all()
        super().closeEvent(event)

    # ---- messages ----------------------------------------------------------------------

    def notify(self, text: str, *, error: bool = False, timeout: int = 0) -> None:
        self.status.notify(text, error=error, timeout=timeout)
