"""The blind pairwise mode: two takes side by side on one clock, the reviewer says which is
better (left, right or a tie) by key, and the ranking beside follows every choice.

Blind: the two pictures are titled "Left" and "Right" only, left and right drawn at random
for each pair; nothing of a take's number, prompt, model or cost shows anywhere (the
ranking names takes by neutral labels, "Take C", until the pass is ended, when their
numbers are revealed). A thin view over `studio.review.pairwise.PairwiseSession`: each key
is one session call followed by a refresh; the keys come from `resources/keymap.toml`'s
[pairwise] table, the player's (play, frame steps, flip) from its [player] table.

One entry point, `PairwiseMode.open(store, library, job_ids, reviewer)`: the window wires
it to a menu or key and connects `on_library_change` to the library's events (comparisons
made in another window or brought by an import count from then on)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from studio.library.ops import COMPARISONS, LibraryChange
from studio.review.keymap import Binding, load_keymap
from studio.review.pairwise import PairwiseSession
from studio.review.ranking import LEFT, RIGHT, SETTLED_AT, TIE, Ranking
from studio.store import Store, take_name
from studio.ui.review.compare import CompareView
from studio.ui.shell.said import attempt, say_in
from studio.ui.shell.theme import set_state

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Rank", "Take", "Strength", "95 % interval", "Compared")
EVERYONE = "Everyone's comparisons"
SAID = {LEFT: "Left is better.", RIGHT: "Right is better.", TIE: "A tie."}


class RankingModel(QAbstractTableModel):
    """The ranking shown: rank, the take's name (neutral until the pass ends), strength,
    its interval, how many comparisons it was in."""

    def __init__(self) -> None:
        super().__init__()
        self.ranking: Ranking | None = None
        self.name: Callable[[int], str] = take_name

    def show(self, ranking: Ranking, name: Callable[[int], str]) -> None:
        """A ranking of the same takes changes cells, not rows (no reset of the view)."""
        self.name = name
        same_rows = self.ranking is not None and len(self.ranking.standings) == len(
            ranking.standings
        )
        if not same_rows:
            self.beginResetModel()
        self.ranking = ranking
        if not same_rows:
            self.endResetModel()
        elif self.rowCount():
            last = self.index(self.rowCount() - 1, len(HEADERS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        if parent.isValid() or self.ranking is None:
            return 0
        return len(self.ranking.standings)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        ranking = self.ranking
        if ranking is None or not index.isValid() or index.row() >= len(ranking.standings):
            return None
        s = ranking.standings[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{s.p_top:.0%} likely the best"
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() != 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            str(s.rank),
            self.name(s.take),
            f"{s.strength:+.2f}",
            f"{s.low:+.2f} to {s.high:+.2f}",
            str(s.comparisons),
        )[index.column()]


class PairwiseMode(QWidget):
    ended = Signal(list)  # the takes best first, once the reviewer ends the pass

    def __init__(
        self,
        session: PairwiseSession,
        store: Store,
        library: Path,
        keymap: dict[str, Binding],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pairwiseMode")
        self.setWindowTitle("Blind ranking")
        self.session, self.store, self.library = session, store, library
        self.keymap = keymap
        self.finished = False  # ended: the takes' numbers show, no more choices

        self.compare = CompareView(details=False)
        self.compare.closed.connect(self.end)
        self.compare.bind_keys(keymap)

        self.question = QLabel("Which take is better?")
        self.question.setObjectName("pairwiseQuestion")
        self.hint = QLabel(self._hint_text())
        self.hint.setWordWrap(True)
        self.said = QLabel()
        self.said.setObjectName("pairwiseSaid")
        self.status = QLabel()
        self.status.setObjectName("pairwiseStatus")
        self.status.setWordWrap(True)
        self.whose = QComboBox()
        self.whose.setToolTip("Rank by everyone's comparisons, or one reviewer's own")
        self.whose.currentIndexChanged.connect(self._whose_changed)
        self.model = RankingModel()
        self.table = QTableView()
        self.table.setObjectName("pairwiseRanking")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the take's name
        self.end_button = QPushButton("End ranking")
        self.end_button.clicked.connect(self._end_clicked)

        side = QVBoxLayout()
        for widget in (self.question, self.hint, self.said, self.status, self.whose):
            side.addWidget(widget)
        side.addWidget(self.table, 1)
        side.addWidget(self.end_button)
        column = QWidget()
        column.setLayout(side)
        column.setFixedWidth(440)  # the ranking's five columns whole, the pictures the rest
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.compare, 1)
        layout.addWidget(column)

        self.actions_by_id: dict[str, QAction] = {}
        self._build_actions()
        # The keys go to the pictures whatever was clicked (a combo box or the slider would
        # take the arrow keys for themselves).
        for child in self.findChildren(QWidget):
            child.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.whose.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.whose.activated.connect(lambda _i: self.compare.setFocus())
        self.compare.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._fill_whose()
        self._show_pair()
        self._show_ranking()

    @classmethod
    def open(
        cls,
        store: Store,
        library: Path,
        job_ids: list[int],
        reviewer: str,
        *,
        keymap: dict[str, Binding] | None = None,
        seed: int | None = None,
        parent: QWidget | None = None,
    ) -> PairwiseMode:
        """A blind ranking pass over these takes (those with a clip), shown. Raises a
        StudioError that says why when fewer than two takes have one."""
        clips = {j: store.assets.file(library, j, "video") for j in dict.fromkeys(job_ids)}
        with_clip = [j for j, clip in clips.items() if clip is not None and clip.is_file()]
        session = PairwiseSession(store, with_clip, reviewer=reviewer, seed=seed)
        mode = cls(session, store, library, keymap or load_keymap()[0], parent)
        left_out = len(set(job_ids)) - len(set(with_clip))
        if left_out:
            mode.say(f"{left_out} take{'s' * (left_out != 1)} without a clip left out.")
        mode.show()
        mode.compare.setFocus()
        return mode

    # ---- keys ---------------------------------------------------------------------------

    def _build_actions(self) -> None:
        handlers: dict[str, Callable[[], object]] = {
            "pairwise.left": lambda: self.choose(LEFT),
            "pairwise.right": lambda: self.choose(RIGHT),
            "pairwise.tie": lambda: self.choose(TIE),
            "pairwise.undo": self.undo,
        }
        for command, handler in handlers.items():
            binding = self.keymap.get(command)
            if binding is None:
                continue
            action = QAction(binding.text, self)
            action.setShortcuts([QKeySequence(k) for k in binding.keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _c=False, h=handler: self._run(h))
            self.addAction(action)
            self.actions_by_id[command] = action

    def _hint_text(self) -> str:
        parts = []
        for command, what in (
            ("pairwise.left", "left is better"),
            ("pairwise.right", "right is better"),
            ("pairwise.tie", "a tie"),
            ("pairwise.undo", "undo"),
            ("play.toggle", "play both"),
            ("compare.close", "end"),
        ):
            binding = self.keymap.get(command)
            if binding is not None:
                key = QKeySequence(binding.keys[0]).toString(QKeySequence.SequenceFormat.NativeText)
                parts.append(f"{key}: {what}")
        return " · ".join(parts)

    def _run(self, handler: Callable[[], object]) -> None:
        attempt(handler, self.say)

    def say(self, text: str, *, error: bool = False) -> None:
        say_in(self.said, text, error=error)

    # ---- gestures -----------------------------------------------------------------------

    def choose(self, choice: str) -> None:
        if self.finished:
            return
        self.session.choose(choice)
        self.say(SAID[choice])
        self._fill_whose()
        self._show_pair()
        self._show_ranking()

    def undo(self) -> None:
        if self.finished:
            return
        undone = self.session.undo()
        self.say("Nothing to take back." if undone is None else "Taken back: that pair again.")
        self._show_pair()
        self._show_ranking()

    def end(self) -> None:
        """End the pass: the takes' numbers show in the ranking; no more choices."""
        if self.finished:
            return
        self.finished = True
        self.compare.stop()
        for action in self.actions_by_id.values():
            action.setEnabled(False)
        self.question.setText("Ranking ended.")
        self.end_button.setText("Close")
        self._show_ranking()
        self.ended.emit([s.take for s in self.session.ranking.standings])

    def _end_clicked(self) -> None:
        if self.finished:
            self.close()
        else:
            self.end()

    def on_library_change(self, change: LibraryChange) -> None:
        """Comparisons made elsewhere (another window, an import) count from now on."""
        if (
            change.about({COMPARISONS})
            and change.source is not self.session
            and change.takes & set(self.session.takes)
        ):
            self.session.reload()
            self._fill_whose()
            self._show_ranking()

    def _whose_changed(self, index: int) -> None:
        who = self.whose.itemData(index)
        self.session.only = who if isinstance(who, str) else None
        self._show_ranking()

    # ---- showing ------------------------------------------------------------------------

    def _show_pair(self) -> None:
        left, right = (
            self.store.assets.file(self.library, job_id, "video") for job_id in self.session.pair
        )
        self.compare.open_clips([left, right], ["<b>Left</b>", "<b>Right</b>"])

    def _fill_whose(self) -> None:
        """Everyone, then each reviewer who compared these takes."""
        current = self.session.only
        wanted = [None, *self.session.reviewers()]
        if [self.whose.itemData(i) for i in range(self.whose.count())] == wanted:
            return
        self.whose.blockSignals(True)
        self.whose.clear()
        for who in wanted:
            self.whose.addItem(EVERYONE if who is None else f"{who}'s own", who)
        self.whose.setCurrentIndex(max(0, wanted.index(current) if current in wanted else 0))
        self.whose.blockSignals(False)

    def _show_ranking(self) -> None:
        shown = self.session.shown()
        self.model.show(shown, self._name)
        made = self.session.ranking.comparisons
        counted = f"{made} comparison{'s' * (made != 1)}"
        if self.session.only is not None:
            counted += f" ({shown.comparisons} by {self.session.only})"
        if shown.settled:
            state = "ranking settled: more comparisons would not change the top"
        else:
            leader = shown.leader
            sure = f"the top is {leader.p_top:.0%} likely" if leader and made else "no top yet"
            state = f"not settled yet ({sure}; settled at {SETTLED_AT:.0%})"
        self.status.setText(f"{counted} · {state}")
        set_state(self.status, "settled", shown.settled)

    def _name(self, job_id: int) -> str:
        if not self.finished:
            return self.session.label(job_id)
        job = self.store.jobs.get(job_id)
        return f"{self.session.label(job_id)} = {job.name if job else take_name(job_id)}"

    def closeEvent(self, event: QCloseEvent) -> None:
        self.compare.stop()
        super().closeEvent(event)
