"""The Library tab: every take ever rendered or imported, found by the search syntax, with
facet counts that follow the search; open takes for review, export the approved ones."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.words import count
from studio.review.keymap import Binding
from studio.store.search import (
    FACETS_COUNTED,
    FACETS_SHOWN,
    FacetValue,
    facet_counts,
    parse,
    search_hits,
    search_ids,
    stacks,
)
from studio.ui.library.library_model import PROMPT, THUMB, JobIdRole, LibraryModel
from studio.ui.library.tiles import TileDelegate

# What the view shows: the table (every take), or a grid of stacks with pictures in boxes
# of one of three sizes (4:3 boxes: a landscape and a portrait clip both fit, aspect kept).
MODES = (("Table", None), ("Grid, small", QSize(128, 96)), ("Grid", QSize(176, 132)),
         ("Grid, large", QSize(272, 204)))  # fmt: skip
GRID = 2  # the medium grid: what the Library opens with until another is chosen
DECISION_KEYS = {"grid.approve": "approve", "grid.edit": "edit", "grid.discard": "discard"}
SYNTAX = (
    "Words are ANDed:  fox snow\n"
    '"quoted phrase"   -word excludes   dol* prefix\n'
    "project:launch  model:sim-fast  provider:sim  status:ready\n"
    "decision:approve (or undecided)  tag:jitter  reviewer:ana\n"
    "score>=5  is:starred  date:2026-11-01..2026-11-24  shot:12  batch:3\n"
    "template:3  size:1280x720  seconds:8  failure:policy  is:damaged"
)
FACET_TITLES = {
    "seconds": "Duration",
    "failure": "Failure class",
    "score": "Total score",
    "flag": "Pre-screen",
}
FACET_ROLE = Qt.ItemDataRole.UserRole + 1  # a group's facet name


class LibraryPanel(QWidget):
    review_requested = Signal(list)  # job ids
    rank_requested = Signal(list)  # job ids: a blind pairwise ranking of them
    compare_requested = Signal(list)  # job ids: side by side (2 to 9)
    export_requested = Signal(list)  # job ids
    star_requested = Signal(list)  # job ids: star them (or unstar, if all are starred)
    delete_requested = Signal(list)  # job ids: delete their local clips
    decide_requested = Signal(list, str)  # job ids, approve / edit / discard
    tag_requested = Signal(list, str)  # job ids, a defect tag: put on (or off, if all have it)

    def __init__(self) -> None:
        super().__init__()
        self.model: LibraryModel | None = None
        self.hits: list[int] = []  # every take the search found (a stack counts all of its)
        self.query = QLineEdit()
        self.query.setObjectName("librarySearch")
        self.query.setPlaceholderText("Search takes — e.g. fox project:launch decision:approve")
        self.query.setToolTip(SYNTAX)
        self.query.setClearButtonEnabled(True)
        self.count = QLabel()
        self.problem = QLabel()
        self.problem.setObjectName("error")
        self.problem.hide()
        self._debounce = QTimer(self, singleShot=True, interval=200)
        self._debounce.timeout.connect(self.run_search)
        self.query.textChanged.connect(self._debounce.start)
        self.query.returnPressed.connect(self._search_entered)

        self.facets = QTreeWidget()
        self.facets.setObjectName("libraryFacets")
        self.facets.setHeaderHidden(True)
        self.facets.setToolTip("Click a value to add it to the search")
        self.facets.itemActivated.connect(self._facet_clicked)
        self.facets.itemClicked.connect(self._facet_clicked)
        self.facets.itemExpanded.connect(self._facet_opened)
        self.facets.itemCollapsed.connect(self._facet_closed)
        self.open_facets = set(FACETS_COUNTED)  # counted with each search; others when opened

        self.view = QTableView()
        self.view.setObjectName("libraryView")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(40)
        self.view.horizontalHeader().setStretchLastSection(False)
        self.view.activated.connect(self._open)

        self.grid = QListView()
        self.grid.setObjectName("libraryGrid")
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setUniformItemSizes(True)
        # Laid out a batch at a time: the first tiles show while the rest of a large
        # library (100,000 tiles) are placed, instead of after all of them.
        self.grid.setLayoutMode(QListView.LayoutMode.Batched)
        self.grid.setBatchSize(400)
        self.grid.setWordWrap(True)
        self.grid.setSpacing(8)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.activated.connect(self._open)
        self.tiles = TileDelegate(self.grid)  # badges, the clip's aspect, a hover scrub
        self.grid.setItemDelegate(self.tiles)
        self.views = QStackedWidget()
        self.views.addWidget(self.view)
        self.views.addWidget(self.grid)
        self.mode = QComboBox()
        self.mode.setObjectName("libraryMode")
        self.mode.setToolTip("A table of every take, or a grid with one tile per shot")
        for text, _size in MODES:
            self.mode.addItem(text)
        self.mode.currentIndexChanged.connect(self._mode_changed)

        self.review = QPushButton("Review selected")
        self.review.clicked.connect(lambda: self.review_requested.emit(self.selected()))
        self.compare = QPushButton("Compare")
        self.compare.setToolTip("The selected takes side by side on one clock (2 to 9)")
        self.compare.clicked.connect(lambda: self.compare_requested.emit(self.selected()))
        self.export = QPushButton("Export…")
        self.export.setToolTip("Export the approved takes among the selection (all if none)")
        self.export.clicked.connect(lambda: self.export_requested.emit(self.selected_or_all()))

        self.star = QPushButton("Star")
        self.star.setToolTip("Star the selected takes (unstar if they all are)")
        self.star.clicked.connect(lambda: self.star_requested.emit(self.selected()))
        self.delete = QPushButton("Delete clip…")
        self.delete.setToolTip(
            "Delete the selected takes' local clips; their rows, reviews and history stay, and "
            "nothing fetches them again"
        )
        self.delete.clicked.connect(lambda: self.delete_requested.emit(self.selected()))
        self.decide_menu = QMenu("&Decide", self)
        for decision in ("approve", "edit", "discard"):
            action = self.decide_menu.addAction(f"&{decision.title()}")
            action.setObjectName(f"libraryDecide_{decision}")
            action.triggered.connect(
                lambda _checked=False, d=decision: self.decide_requested.emit(self.selected(), d)
            )
        self.decide = QPushButton("Decide")
        self.decide.setToolTip("Approve, send for edit or discard the selected takes at once")
        self.decide.setMenu(self.decide_menu)
        self.tag_choices: Callable[[], tuple[str, ...]] = tuple  # the rubric's defect tags
        self.tag_keys: dict[int, str] = {}  # a defect tag's place → its key ("1")
        self.tag_menu = QMenu("&Tag", self)
        self.tag_menu.aboutToShow.connect(self._fill_tags)
        self.tag = QPushButton("Tag")
        self.tag.setToolTip("Put a defect tag on the selected takes (off, if they all have it)")
        self.tag.setMenu(self.tag_menu)
        for view in (self.view, self.grid):  # right-click: the same actions on the selection
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            view.customContextMenuRequested.connect(self._context_menu)
        top = QHBoxLayout()  # the search has a row of its own: it stays wide in a narrow dock
        top.addWidget(self.query, 1)
        top.addWidget(self.mode)
        actions = QHBoxLayout()  # what the selection can be given, after how many there are
        actions.addWidget(self.count)
        actions.addStretch(1)
        buttons = (self.review, self.compare, self.decide, self.tag, self.star, self.export,
                   self.delete)  # fmt: skip
        for button in buttons:
            actions.addWidget(button)
        split = QSplitter()
        split.addWidget(self.facets)
        split.addWidget(self.views)
        split.setStretchFactor(1, 1)
        split.setSizes([200, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.problem)
        layout.addWidget(split, 1)

    def bind_keys(self, keymap: Mapping[str, Binding]) -> None:
        """The grid's keys (`[grid]` in the keymap), on the grid and the table alike: they
        act on the selection, so culling needs no mouse."""
        handlers: dict[str, Callable[[], None]] = {
            command: functools.partial(self._decide_selected, decision)
            for command, decision in DECISION_KEYS.items()
        }
        handlers["grid.star"] = lambda: self._emit_on_selection(self.star_requested)
        handlers["grid.open"] = self._open_current
        for place in range(1, 10):
            handlers[f"grid.tag.{place}"] = functools.partial(self._tag_by_key, place)
        for command, handler in handlers.items():
            binding = keymap.get(command)
            if binding is None:
                continue
            if command.startswith("grid.tag."):
                self.tag_keys[int(command.rsplit(".", 1)[1])] = binding.keys[0]
            for view in (self.view, self.grid):
                action = QAction(binding.text, view)
                action.setShortcuts([QKeySequence(k) for k in binding.keys])
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
                action.triggered.connect(lambda _c=False, h=handler: h())
                view.addAction(action)

    def _emit_on_selection(self, signal: Any) -> None:
        chosen = self.selected()
        if chosen:
            signal.emit(chosen)

    def _decide_selected(self, decision: str) -> None:
        chosen = self.selected()
        if chosen:
            self.decide_requested.emit(chosen, decision)

    def _tag_by_key(self, place: int) -> None:
        choices = self.tag_choices()
        chosen = self.selected()
        if not chosen:
            return
        if place > len(choices):
            listed = ", ".join(f"{i} {t}" for i, t in enumerate(choices, 1)) or "none"
            self.problem.setText(f"The rubric has {count(len(choices), 'defect tag')}: {listed}.")
            self.problem.show()
            return
        self.tag_requested.emit(chosen, choices[place - 1])

    def _open_current(self) -> None:
        index = self.shown.currentIndex()
        if index.isValid():
            self._open(index)

    def set_model(self, model: LibraryModel) -> None:
        self.model = model
        self.view.setModel(model)
        self.grid.setModel(model)
        self.tiles.sheet_of = model.spritesheet
        self.view.setSortingEnabled(True)  # a click on a column header orders by it
        header = self.view.horizontalHeader()
        # Fit the columns to the rows near the top, not to all 100,000 (Qt's default, 1,000
        # rows, reads ten pages and decodes a thousand thumbnails before the first paint).
        header.setResizeContentsPrecision(40)
        for column in range(model.columnCount()):
            mode = QHeaderView.ResizeMode.ResizeToContents
            if column == PROMPT:  # the prompt takes what room is left; the rest fit their text
                mode = QHeaderView.ResizeMode.Stretch
            header.setSectionResizeMode(column, mode)
        for view in (self.view, self.grid):  # each has its own selection
            view.selectionModel().selectionChanged.connect(lambda *_: self.show_star())
        self.run_search()

    def show_star(self) -> None:
        """The Star button says what it will do: Unstar when every selected take is
        starred."""
        ids = self._shown_selected()
        starred = self.model.store.verdicts.starred() if self.model and ids else set()
        every = bool(ids) and all(i in starred for i in ids)
        self.star.setText("Unstar" if every else "Star")

    def _fill_tags(self) -> None:
        self.tag_menu.clear()
        choices = self.tag_choices()
        for place, tag in enumerate(choices, 1):
            key = self.tag_keys.get(place)
            action = self.tag_menu.addAction(f"{tag}\t{key}" if key else tag)
            action.triggered.connect(
                lambda _checked=False, t=tag: self.tag_requested.emit(self.selected(), t)
            )
        if not choices:
            self.tag_menu.addAction("The rubric has no defect tags").setEnabled(False)

    def _context_menu(self, at: QPoint) -> None:
        view = self.shown
        if not self._shown_selected():
            return
        menu = QMenu(self)
        menu.aboutToHide.connect(menu.deleteLater)
        menu.addAction(self.review.text(), self.review.click)
        menu.addAction("Blind ranking", lambda: self.rank_requested.emit(self.selected()))
        menu.addAction(self.compare.text(), self.compare.click)
        menu.addMenu(self.decide_menu)
        menu.addMenu(self.tag_menu)
        menu.addAction(self.star.text(), self.star.click)
        menu.addAction(self.export.text(), self.export.click)
        menu.addSeparator()
        menu.addAction(self.delete.text(), self.delete.click)
        menu.popup(view.viewport().mapToGlobal(at))

    def run_search(self) -> None:
        if self.model is None:
            return
        text = self.query.text()  # never changed here: what was typed stays to be corrected
        query = parse(text)  # a term it cannot use is told (Query.problems), never raised
        problems = query.problems
        self.problem.setText("; ".join(problems))
        self.problem.setVisible(bool(problems))
        view = self.shown
        chosen = set(self._shown_selected())
        current = view.currentIndex()  # the keyboard's place: kept by take, not by row
        at = self.model.job_id(current.row()) if current.isValid() else None
        opened = {"batch", "shot"} & set(query.facets)  # a stack's takes: one tile each
        try:
            ids = search_hits(self.model.store.db, text)
            counts = facet_counts(
                self.model.store.db, tuple(n for n in FACETS_SHOWN if n in self.open_facets)
            )
            # one tile per shot: its newest, and how many it stacks
            tiles = stacks(self.model.store.db) if self.gridded and not opened else None
        except sqlite3.Error as err:  # the library, not the text (locked, unreadable): told
            self.problem.setText("; ".join([*problems, f"The search could not run: {err}."]))
            self.problem.setVisible(True)
            return  # the takes shown stay as they were
        if tiles is not None:
            self.model.show(text, *tiles)
        else:
            self.model.show(text, ids)
        self.hits = ids
        header = self.view.horizontalHeader()
        if not self.gridded and (header.sortIndicatorSection(), header.sortIndicatorOrder()) != (
            0,
            Qt.SortOrder.DescendingOrder,
        ):  # newest first is how the search returns them; any other order is applied
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        if chosen:  # what was selected stays selected (a bulk action runs the search again)
            self._select(view, self.model.rows_of(chosen))
        if at is not None and (row := self.model.rows_of({at})):
            flag = QItemSelectionModel.SelectionFlag.NoUpdate
            view.selectionModel().setCurrentIndex(self.model.index(row[0], 0), flag)
        n = len(ids)
        self.count.setText(f"{n:,} take{'s' if n != 1 else ''}")
        self._show_facets(counts)

    def _show_facets(self, counts: dict[str, list[FacetValue]]) -> None:
        """Every facet as a group: the open ones with their counts, the others closed (their
        counts are read when opened)."""
        self.facets.blockSignals(True)
        self.facets.clear()
        for name in FACETS_SHOWN:
            top = QTreeWidgetItem([FACET_TITLES.get(name, name.capitalize())])
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            top.setData(0, FACET_ROLE, name)
            self.facets.addTopLevelItem(top)
            if name in counts:
                self._fill_facet(top, counts[name])
                top.setExpanded(True)
            else:
                top.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
        self.facets.blockSignals(False)

    def _fill_facet(self, top: QTreeWidgetItem, values: list[FacetValue]) -> None:
        top.takeChildren()
        for value in values:
            item = QTreeWidgetItem([f"{value.label}  ({value.hits:,})"])
            item.setData(0, Qt.ItemDataRole.UserRole, value.term)
            item.setToolTip(0, value.term)
            top.addChild(item)
        if not values:
            none = QTreeWidgetItem(["none among these takes"])
            none.setFlags(Qt.ItemFlag.NoItemFlags)
            top.addChild(none)

    def _facet_opened(self, top: QTreeWidgetItem) -> None:
        name = top.data(0, FACET_ROLE)
        if not name or name in self.open_facets or self.model is None:
            return
        self.open_facets.add(name)  # counted from now on, with every search
        counts = facet_counts(self.model.store.db, (name,))  # the last search's hits
        self._fill_facet(top, counts.get(name, []))

    def _facet_closed(self, top: QTreeWidgetItem) -> None:
        self.open_facets.discard(top.data(0, FACET_ROLE))

    def _facet_clicked(self, item: QTreeWidgetItem) -> None:
        term = item.data(0, Qt.ItemDataRole.UserRole)
        if not term or " " in term:  # a value with spaces cannot be one search term
            return
        text = self.query.text().strip()
        if term not in text.split():
            self.query.setText(f"{text} {term}".strip())
        self.run_search()

    def _select(self, view: QAbstractItemView, rows: list[int]) -> None:
        assert self.model is not None
        last = self.model.columnCount() - 1
        selection = QItemSelection()
        for first, final in _runs(rows):  # one range per run of rows: a select-all is one
            selection.select(self.model.index(first, 0), self.model.index(final, last))
        view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _search_entered(self) -> None:
        """Enter: the search runs now and the keys go to what it found (arrows, Ctrl+A and
        the culling keys work at once; they stayed in the search box)."""
        self.run_search()
        if self.model is not None and self.model.rowCount() > 0 and not self.problem.isVisible():
            self.shown.setFocus()

    def focus_results(self) -> None:
        """The keys go to the results (the grid or the table) — or the search when empty."""
        if self.model is not None and self.model.rowCount() > 0:
            self.shown.setFocus()
        else:
            self.query.setFocus()

    @property
    def gridded(self) -> bool:
        return self.views.currentWidget() is self.grid

    @property
    def shown(self) -> QAbstractItemView:
        """The table or the grid, whichever is on show."""
        return self.grid if self.gridded else self.view

    def _mode_changed(self, index: int) -> None:
        size = MODES[index][1]
        self.views.setCurrentWidget(self.grid if size is not None else self.view)
        if size is not None:
            self.tiles.set_size(size)
        if size is not None and self.model is not None:
            self.model.set_thumb_size(size)
        elif self.model is not None:
            self.model.set_thumb_size(THUMB)
        self.run_search()

    def _shown_selected(self) -> list[int]:
        """The ids of the selected rows or tiles, read from the selection's ranges (a select-all
        of 100,000 rows is one range, not 900,000 indexes; no row is read from the store)."""
        view = self.shown
        if self.model is None or view.model() is None:
            return []
        rows: set[int] = set()
        selection = view.selectionModel().selection()
        for span in (selection.at(i) for i in range(selection.size())):
            rows.update(range(span.top(), span.bottom() + 1))
        return [self.model.job_id(r) for r in sorted(rows)]

    def selected(self) -> list[int]:
        """The selected takes; a selected stack stands for every take in it."""
        if self.model is None:
            return []
        ids = self._shown_selected()
        if not self.gridded:
            return ids
        found: list[int] = []
        hits = set(self.hits)
        for job_id in ids:
            term = self.model.opens.get(job_id)
            if term and self.model.counts.get(job_id, 1) > 1:
                # the stack's takes among the hits: its term added to the search text could be
                # one term too many, and a stack must never stand for the whole search
                found += [i for i in search_ids(self.model.store.db, term) if i in hits]
            else:
                found.append(job_id)
        return found

    def has_selection(self) -> bool:
        return self.shown.model() is not None and self.shown.selectionModel().hasSelection()

    def selected_or_all(self) -> list[int]:
        if self.model is None:
            return []
        return self.selected() or list(self.hits)

    def _open(self, index: QModelIndex) -> None:
        """A take opens in review; a stack opens into its takes (the search gains its
        batch:N or shot:N)."""
        job_id = int(index.siblingAtColumn(0).data(JobIdRole))
        if self.gridded and self.model is not None and self.model.counts.get(job_id, 1) > 1:
            term = self.model.opens[job_id]
            self.query.setText(f"{self.query.text().strip()} {term}".strip())
            self.run_search()  # its takes, a tile each (clearing the term stacks them again)
            return
        chosen = self.selected()
        if len(chosen) > 1 and job_id in chosen:  # Enter on a selection reviews all of it
            self.review_requested.emit(chosen)
            return
        self.review_requested.emit([job_id])


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted rows as (first, last) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs
