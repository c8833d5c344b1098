"""The Library workspace's page — the library (grid or table, facets) and Metrics as its
tabs — and what they and the File menu's export and import do, for the main window."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from studio.core.errors import StudioError
from studio.core.words import count
from studio.jobs.events import Event, JobChanged
from studio.library.ops import CAPS, CLIPS, FLAGS, REVIEW, LibraryChange, ops_for
from studio.review.compared import check_compared
from studio.review.session import ReasonNeeded, ReviewError, ReviewSession
from studio.store import JobRow, JobStatus
from studio.store.search import saved_searches
from studio.ui.library.library_model import LibraryModel
from studio.ui.library.library_panel import GRID, LibraryPanel

if TYPE_CHECKING:
    from studio.export.importer import ImportReport
    from studio.review.rubric import ActiveRubric
    from studio.services import Services
    from studio.ui.shell.background import Background
    from studio.ui.shell.window_state import WindowState


SETTLED = {s.value for s in JobStatus if s.finished}  # a take's status the library follows
MANY = 200  # a bulk decision over more takes than this is asked about first


class LibraryActions:
    def __init__(
        self,
        window: QWidget,
        services: Callable[[], Services | None],
        *,
        review: Callable[[list[int]], None],
        compare: Callable[[list[int]], None],
        rubric: Callable[[], ActiveRubric | None],
        notify: Callable[..., None],
        background: Background,
        state: WindowState,
        show: Callable[[], None],
    ) -> None:
        self.window, self.services, self.review, self.notify, self.background = (
            window,
            services,
            review,
            notify,
            background,
        )
        self.rubric, self.state, self.show = rubric, state, show
        self.compare = compare
        self.panel = LibraryPanel()
        self.panel.mode.setCurrentIndex(state.library_mode(GRID))  # as it was last shown
        self.panel.mode.currentIndexChanged.connect(state.set_library_mode)
        # The workspace's page: the library, and Metrics as a view of it (built when first
        # shown: pyqtgraph loads then).
        self.page = QTabWidget()
        self.page.setObjectName("libraryPage")
        self.page.setDocumentMode(True)
        self.page.addTab(self.panel, "Library")
        self.metrics: QWidget | None = None
        self.page.addTab(_waiting(), "Metrics")
        self.page.setCurrentIndex(state.library_tab())  # as the last run left it
        self.page.currentChanged.connect(self._tab_changed)
        self.panel.review_requested.connect(self._review)
        self.rank: Callable[[list[int]], None] = lambda _ids: None  # the window's blind ranking
        self.panel.rank_requested.connect(lambda ids: self.rank(ids))
        self.panel.compare_requested.connect(self._compare)
        self.panel.export_requested.connect(self.export)
        self.panel.star_requested.connect(self.star)
        self.panel.delete_requested.connect(self.delete_clips)
        self.panel.decide_requested.connect(self.decide)
        self.panel.tag_requested.connect(self.tag)
        self.panel.tag_choices = self._tag_choices
        self.confirm: Callable[[str], bool] = self._ask  # tests answer for the person
        self.ask_name: Callable[[], str | None] = self._ask_name
        self.ask_reason: Callable[[str], str | None] = self._ask_reason
        self.ask_path: Callable[[str, str], Path | None] = self._ask_path
        self.menu = QMenu("&Library", window)
        self.menu.aboutToShow.connect(self._fill_menu)
        self._fill_menu()
        self.dialog: QWidget | None = None  # the export dialog while it is open (tests)
        self._refreshing = QTimer(window)
        self._refreshing.setSingleShot(True)
        self._refreshing.setInterval(1000)  # a search of 100,000 takes costs ~0.1-0.3 s
        self._refreshing.timeout.connect(self._follow)

    def _tab_changed(self, index: int) -> None:
        self.state.set_library_tab(index)
        self.shown()

    def library_in_view(self) -> bool:
        return self.page.isVisible() and self.page.currentWidget() is self.panel

    def metrics_in_view(self) -> bool:
        return self.page.isVisible() and self.page.currentIndex() == 1

    def show_tab(self, metrics: bool) -> None:
        """The Library workspace with its library or its Metrics tab in front — read once:
        the tab's change, the workspace coming up and this call each read it (three
        searches of the whole library where one was needed)."""
        index = 1 if metrics else 0
        self.page.blockSignals(True)
        self.page.setCurrentIndex(index)
        self.page.blockSignals(False)
        self.state.set_library_tab(index)
        if self.page.isVisible():  # the workspace is up: only the tab changed
            self.shown()
        else:
            self.show()  # the workspace coming up shows the tab in front

    def attach(self, services: Services) -> None:
        """The tabs read the library when first shown, not at start-up; one in view when
        the library opens (the last run left the Library workspace up) is shown now."""
        self.shown()

    def shown(self) -> None:
        """The page came into view, or its tab changed: the tab in front reads the library
        (the first time), or catches up with what changed while it was away."""
        services = self.services()
        if services is None:
            return
        if self.library_in_view():
            if self.panel.model is None:
                self._open(services)  # the first look: the search runs now
            else:
                self.refresh()  # what was rendered, decided or imported since the last look
        elif self.metrics_in_view():
            self._show_metrics(services)

    def _open(self, services: Services) -> None:
        self.panel.set_model(LibraryModel(services.store, services.library, self.panel))

    def _show_metrics(self, services: Services) -> None:
        from studio.ui.library.metrics_panel import MetricsPanel

        if isinstance(self.metrics, MetricsPanel):
            self.metrics.refresh()
            return
        self.metrics = MetricsPanel(services.store, services.set_project_cap)
        self._set_metrics_tab(self.metrics)

    def _set_metrics_tab(self, widget: QWidget) -> None:
        current = self.page.currentIndex()
        self.page.blockSignals(True)  # the same tab, another widget: not a change of tab
        old = self.page.widget(1)
        self.page.removeTab(1)
        self.page.insertTab(1, widget, "Metrics")
        self.page.setCurrentIndex(current)
        self.page.blockSignals(False)
        if old is not None and old is not widget:
            old.deleteLater()

    def detach(self) -> None:
        """The store is closing: the tabs forget it (nothing reads a closed database)."""
        if self.metrics is not None:
            self.metrics = None
            self._set_metrics_tab(_waiting())
        self.panel.model = None
        self.panel.view.setModel(None)
        self.panel.facets.clear()

    def refresh(self) -> None:
        if self.panel.model is not None:
            self.panel.run_search()

    def on_library_change(self, change: LibraryChange) -> None:
        """The library changed (from this tab, a review pass or an import): the results,
        their counts and the metrics in view show it. The selection and scroll stay."""
        if change.about(REVIEW | {CLIPS}) and self.panel.model and self.library_in_view():
            self._follow()
        elif change.about({FLAGS}) and self.panel.model and self.library_in_view():
            self._follow_soon()  # a pre-screen's backlog tells a change per clip
        services = self.services()
        if change.about(REVIEW | {CAPS}) and self.metrics_in_view() and services is not None:
            self._show_metrics(services)  # it refreshes

    def on_event(self, event: Event) -> None:
        """A take created, finished or given its clip while the tab is in view: the results
        and counts follow, at most once a second (a batch changes many at once)."""
        if not isinstance(event, JobChanged) or self.panel.model is None:
            return
        settled = "status" in event.changed and event.status in SETTLED
        if not (settled or event.changed & {"created", "assets"}):
            return  # progress, queue order, a step on the way: not worth a search
        self.panel.model.forget_thumbnail(event.job_id)  # it may have one now
        if self.library_in_view():
            self._follow_soon()

    def _follow_soon(self) -> None:
        """Search again within a second: many changes in a row cost one search."""
        if not self._refreshing.isActive():
            self._refreshing.start()

    def _follow(self) -> None:
        """Search again where the person is: the selection and the scroll position stay."""
        views = (self.panel.view, self.panel.grid)
        places = [v.verticalScrollBar().value() for v in views]
        self.refresh()
        for view, place in zip(views, places, strict=True):
            view.verticalScrollBar().setValue(place)

    def _review(self, job_ids: list[int]) -> None:
        services = self.services()
        if services is None or not job_ids:
            return
        ready = [j.id for j in services.store.jobs.many(job_ids) if j.status is JobStatus.READY]
        if not ready:
            self.notify("Only takes with a clip can be reviewed: none of those is ready.")
            return
        self.review(ready)

    def _compare(self, job_ids: list[int]) -> None:
        """The selected takes with a clip side by side (2 to 9; more are refused, saying
        so)."""
        services = self.services()
        if services is None:
            return
        ready = [j.id for j in services.store.jobs.many(job_ids) if j.status is JobStatus.READY]
        try:
            check_compared(len(ready))
        except ReviewError as err:
            skipped = len(job_ids) - len(ready)
            more = f" ({skipped} left out: only takes with a clip compare)" if skipped else ""
            self.notify(f"{err}{more}", error=True)
            return
        self.compare(sorted(ready))

    def _session(self, job_ids: list[int]) -> ReviewSession | None:
        """A review pass over the ready takes among `job_ids` (a decision needs a clip)."""
        services, active = self.services(), self.rubric()
        if services is None or active is None or not job_ids:
            return None
        ready = [j.id for j in services.store.jobs.many(job_ids) if j.status is JobStatus.READY]
        if not ready:
            self.notify("Only takes with a clip can be decided or tagged: none of those is ready.")
            return None
        return ReviewSession(
            services.store, active, ready, reviewer=services.settings.reviewer_name
        )

    def decide(self, job_ids: list[int], decision: str) -> None:
        """One decision for every ready take selected; approving takes that do not pass asks
        once for a reason, kept with each decision (as a multi-selection in review does)."""
        session = self._session(job_ids)
        if session is None:
            return
        n = len(session.takes)
        if n > MANY and not self.confirm(
            f"{decision.title()} {n:,} takes at once? Each gets the decision in its history "
            "(Undo in the review takes one back at a time)."
        ):
            return
        note = ""
        while True:
            try:
                session.decide_many(list(range(len(session.takes))), decision, note=note)
                break
            except ReasonNeeded as err:
                note = (self.ask_reason(str(err)) or "").strip()
                if not note:
                    self.notify("Nothing approved: a reason is needed for takes that fail.")
                    return
        n, skipped = len(session.takes), len(job_ids) - len(session.takes)
        more = f" ({skipped} not ready, left as they were)" if skipped else ""
        self.notify(f"{decision.title()}: {n} take{'s' if n != 1 else ''}{more}.", timeout=4000)

    def tag(self, job_ids: list[int], tag: str) -> None:
        session = self._session(job_ids)
        if session is None:
            return
        try:
            on = session.tag_many(list(range(len(session.takes))), tag)
        except ReviewError as err:
            self.notify(str(err), error=True)
            return
        n = len(session.takes)
        verb = "Tagged" if on else "Took the tag off"
        self.notify(f"{verb} {n} take{'s' if n != 1 else ''}: {tag}.", timeout=4000)

    def _tag_choices(self) -> tuple[str, ...]:
        active = self.rubric()
        return active.rubric.tags if active is not None else ()

    def _ask_reason(self, question: str) -> str | None:
        with self._keys_back():
            reason, ok = QInputDialog.getText(self.window, "Approve takes that fail", question)
        return reason if ok else None

    @contextlib.contextmanager
    def _keys_back(self) -> Iterator[None]:
        """A question asked: afterwards the keys go back where they were (the grid's keys go
        on culling); X without a window manager would leave them nowhere."""
        before = QApplication.focusWidget()
        try:
            yield
        finally:
            self.window.activateWindow()
            if before is not None and before.isVisible():
                before.setFocus()

    def _fill_menu(self) -> None:
        """Export the notes; save the current search, and the saved ones: choosing one runs
        it."""
        self.menu.clear()
        notes = self.menu.addMenu("Export &notes for an editor")
        kinds = (("otio", "&OpenTimelineIO (.otio)…"), ("edl", "DaVinci &Resolve markers (.edl)…"))
        for kind, text in kinds:
            action = notes.addAction(text)
            action.triggered.connect(lambda _checked=False, k=kind: self.export_notes(k))
        self.menu.addSeparator()
        save = self.menu.addAction("&Save this search…")
        save.triggered.connect(lambda _checked=False: self.save_search())
        services = self.services()
        saved = saved_searches(services.store.db) if services is not None else []
        if saved:
            self.menu.addSeparator()
        for name, query in saved:
            action = self.menu.addAction(name)
            action.setToolTip(query)
            action.triggered.connect(lambda _checked=False, q=query: self.run_search(q))
        if saved:
            forget = self.menu.addMenu("&Forget")
            for name, _query in saved:
                item = forget.addAction(name)
                item.triggered.connect(lambda _checked=False, n=name: self.forget(n))

    def run_search(self, query: str) -> None:
        self.show_tab(metrics=False)
        self.panel.query.setText(query)
        self.panel.run_search()

    def save_search(self) -> None:
        services = self.services()
        query = self.panel.query.text().strip()
        if services is None:
            return
        if not query:
            self.notify("Type a search in the Library tab first, then save it.", timeout=4000)
            return
        typed = self.ask_name()
        if not typed:
            return
        name = typed.strip()[:80]
        ops_for(services.store).save_search(name, query)  # listed when the menu opens
        self.notify(f"Saved the search '{name}'.", timeout=3000)

    def forget(self, name: str) -> None:
        services = self.services()
        if services is not None:
            ops_for(services.store).forget_search(name)

    def _ask_name(self) -> str | None:
        with self._keys_back():
            name, ok = QInputDialog.getText(self.window, "Save this search", "Name")
        return name if ok and name.strip() else None

    def star(self, job_ids: list[int]) -> None:
        services = self.services()
        if services is None or not job_ids:
            return
        starred = services.store.verdicts.starred()
        on = not all(i in starred for i in job_ids)
        ops_for(services.store).star(job_ids, on)  # the tab follows the change
        self.panel.show_star()
        n = len(job_ids)
        done = "Starred" if on else "Unstarred"
        self.notify(f"{done} {n} take{'s' if n != 1 else ''}.", timeout=3000)

    def delete_clips(self, job_ids: list[int]) -> None:
        """Delete the selected takes' local files after asking; rows and history stay and the
        deletion is recorded, so no re-run or refetch brings them back."""
        services = self.services()
        if services is None or not job_ids:
            return
        n = len(job_ids)
        question = (
            f"Delete the local clip{'s' if n != 1 else ''} of {n} take{'s' if n != 1 else ''}? "
            "Their reviews and history stay; the files cannot be fetched again."
        )
        if not self.confirm(question):
            return
        removed = ops_for(services.store).delete_local_clips(
            services.library, job_ids, reviewer=services.settings.reviewer_name
        )
        self.notify(f"Deleted the clips of {count(removed, 'take')}.", timeout=4000)

    def export_notes(self, kind: str, dest: Path | None = None) -> int | None:
        """The notes of the selected takes (else the search's takes that have notes) as an
        OpenTimelineIO timeline or a Resolve marker EDL: each note a marker on its clip at
        its frame. How many markers were written (None: nothing done)."""
        from studio.export.notes_out import gather

        services = self.services()
        if services is None:
            return None
        store = services.store
        noted = store.notes.counts(self.panel.hits)
        chosen = self.panel.selected() or [i for i in self.panel.hits if i in noted]
        if not chosen:
            self.notify("No take here has notes: select takes, or search for some.", timeout=5000)
            return None
        suffix = ".otio" if kind == "otio" else ".edl"
        if dest is None:
            dest = self.ask_path(f"notes{suffix}", suffix)
            if dest is None:
                return None
        try:
            takes = gather(store, services.library, sorted(chosen))
            if kind == "otio":
                from studio.export.otio_file import write_otio  # opentimelineio when asked

                written = write_otio(takes, dest)
            else:
                from studio.export.resolve_edl import write_edl

                written = write_edl(takes, dest)
        except (StudioError, OSError) as err:
            self.notify(f"The notes were not exported: {err}", error=True)
            return None
        self.notify(
            f"{count(written, 'note')} of {count(len(takes), 'take')} written to {dest}.",
            timeout=6000,
        )
        return written

    def _ask_path(self, name: str, suffix: str) -> Path | None:
        start = Path(self.state.folder("notes") or self.state.folder("export") or Path.home())
        with self._keys_back():
            chosen, _ = QFileDialog.getSaveFileName(
                self.window, "Export notes", str(start / name), f"*{suffix}"
            )
        if not chosen:
            return None
        self.state.set_folder("notes", str(Path(chosen).parent))
        return Path(chosen)

    def _ask(self, question: str) -> bool:
        with self._keys_back():
            answer = QMessageBox.question(self.window, "Library", question)
        return answer == QMessageBox.StandardButton.Yes

    def export(self, job_ids: list[int] | None = None) -> None:
        """Export approved takes: those among `job_ids` (the Library's selection or search)
        if given, else the whole library's; the dialog also offers each saved search."""
        from studio.export import takes_to_export
        from studio.store.search import parse, search_ids
        from studio.ui.library.export_dialog import Choice, ExportDialog

        services = self.services()
        if services is None:
            return
        approved = takes_to_export(services.store)
        if not approved:
            self.notify(
                "No approved takes to export: approve takes in the review first (A).",
                timeout=6000,  # a hint, not a state: it must not outlive the approval
            )
            return

        def among(ids: list[int]) -> list[JobRow]:
            wanted = set(ids)
            return [j for j in approved if j.id in wanted]

        def found_by(query: str) -> Callable[[], list[JobRow]]:
            return lambda: among(search_ids(services.store.db, query))

        choices: list[Choice] = []
        if job_ids is not None:
            chosen = "selected in" if self.panel.has_selection() else "found by the search in"
            choices.append((f"The takes {chosen} the Library", among(job_ids)))
        choices.append(("The whole library", approved))
        for name, query in saved_searches(services.store.db):
            if problems := parse(query).problems:  # left out, a term would widen the export
                said = "; ".join(problems)
                choices.append((f"Saved search “{name}”, not usable: {said}", []))
            else:
                choices.append((f"Saved search “{name}”", found_by(query)))
        dialog = ExportDialog(
            services.store,
            services.library,
            choices,
            folder=self.state.folder("export"),
            reviewer=services.settings.reviewer_name,
            parent=self.window,
        )
        self.dialog = dialog
        had_focus = QApplication.focusWidget()

        def closed(_code: int) -> None:
            self.dialog = None
            if dialog.report is not None:  # exported: offered next time, and to import from
                self.state.set_folder("export", dialog.folder.text().strip())
            self.window.activateWindow()  # the window's shortcuts work again at once
            with contextlib.suppress(RuntimeError):  # the widget may be gone by now
                if had_focus is not None and had_focus.isVisible():
                    had_focus.setFocus()

        dialog.finished.connect(closed)
        dialog.open()

    def import_folder(self, folder: str | None = None) -> None:
        services = self.services()
        if services is None:
            return
        if folder is None:
            start = self.state.folder("import") or self.state.folder("export")
            folder = QFileDialog.getExistingDirectory(self.window, "Import clips from", start)
            if not folder:
                return
            self.state.set_folder("import", folder)
        self._import(services, folder)

    def _import(self, services: Services, folder: str) -> None:
        from studio.export.importer import import_folder

        self.notify(f"Importing {folder}…", timeout=2000)
        self.background.run_in_thread(
            functools.partial(
                import_folder,
                services.store,
                services.library,
                Path(folder),
                reviewer=services.settings.reviewer_name,
            ),
            "import the folder",
            done=self._imported,
            failed=lambda failure: self.notify(failure.message, error=True),
        )

    def _imported(self, report: ImportReport) -> None:
        listed = (
            ("Could not read", report.unreadable),
            ("Damaged", report.damaged),
            ("Skipped", report.skipped),
        )
        details = "".join(f". {title}: " + "; ".join(lines) for title, lines in listed if lines)
        # in the banner, whole; the results follow the import's change like any other
        self.notify(f"{report.summary()}{details}.", error=bool(details))


def _waiting() -> QLabel:
    label = QLabel("Metrics appear once the library is open.")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label
