"""Notes on the frame, beside the rubric: the take's notes (time code, frame, author, text
and a small picture), marks on the scrub bar, the note's drawing over the picture at its
frames, and the writing of a note — on the paused frame, or on the in/out range when the
frame is inside one — with a drawing (arrow, pen, rectangle, ellipse; a few colours; undo).

Notes are kept by the library's operations (`LibraryOps.add_note`: one transaction, so a
crash loses nothing written) and the list follows their change like any view."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import StudioError
from studio.core.notes import PALETTE, Note, in_frame_order, notes_at
from studio.core.timecode import timecode
from studio.library.ops import ops_for
from studio.store import Store
from studio.ui.player.player import ClipPlayer
from studio.ui.player.scrub import Mark
from studio.ui.player.sketch import TOOLS, Sketch
from studio.ui.player.sprites import sprite_tile

MARK = "#f5c518"  # a note's mark on the scrub bar
TOOL_TEXT = {"arrow": "Arrow", "pen": "Pen", "rect": "Box", "ellipse": "Ellipse"}
THUMB = QSize(80, 45)


class NotesPanel(QWidget):
    said = Signal(str, bool)  # a message for the review's status line, error or not
    closed = Signal()  # the note's editor put away: the review's keys again
    opened = Signal()  # the note's editor shown: it is brought into view

    def __init__(self, player: ClipPlayer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self.store: Store | None = None
        self.job_id: int | None = None
        self.author = ""
        self.spritesheet: Callable[[int], Path | None] = lambda _job_id: None
        self.notes: list[Note] = []
        self.writing: tuple[int, int | None] | None = None  # (frame, end) of the note begun

        self.list = QListWidget()
        self.list.setObjectName("notesList")
        self.list.setIconSize(THUMB)
        self.list.setWordWrap(True)
        self.list.setMinimumHeight(80)
        self.list.itemActivated.connect(self._go_to_item)
        self.list.itemClicked.connect(self._go_to_item)
        self.add = QPushButton("Add note")
        self.add.setToolTip("A note on this frame (or the in/out range), with a drawing")
        self.add.clicked.connect(self.begin)
        self.delete = QPushButton("Delete note")
        self.delete.clicked.connect(self.delete_selected)

        # The note being written: what is wrong, and the tools to point at it.
        self.text = QLineEdit()
        self.text.setObjectName("noteText")
        self.text.setPlaceholderText("What is wrong here — Enter keeps the note, Esc drops it")
        self.text.returnPressed.connect(self.save)
        self.tools = QButtonGroup(self)
        tool_row = QHBoxLayout()
        tool_row.setSpacing(2)
        for tool in TOOLS:
            button = QToolButton()
            button.setText(TOOL_TEXT[tool])
            button.setCheckable(True)
            button.setObjectName(f"noteTool_{tool}")
            button.toggled.connect(lambda on, t=tool: self._set(tool=t) if on else None)
            self.tools.addButton(button)
            tool_row.addWidget(button)
            button.setChecked(tool == "arrow")
        tool_row.addStretch(1)
        self.colours = QButtonGroup(self)
        colour_row = QHBoxLayout()
        colour_row.setSpacing(2)
        for name, rgb in PALETTE.items():
            swatch = QToolButton()
            swatch.setCheckable(True)
            swatch.setObjectName(f"noteColour_{name}")
            swatch.setToolTip(name)
            swatch.setIcon(_swatch(QColor(*rgb)))
            swatch.toggled.connect(lambda on, c=name: self._set(colour=c) if on else None)
            self.colours.addButton(swatch)
            colour_row.addWidget(swatch)
            swatch.setChecked(name == "red")
        colour_row.addStretch(1)
        self.undo = QPushButton("Undo shape")
        self.undo.setShortcut("Ctrl+Alt+Z")
        self.undo.clicked.connect(lambda: self.sketch.undo())
        keep, drop = QPushButton("Keep note"), QPushButton("Drop")
        keep.clicked.connect(self.save)
        drop.clicked.connect(self.cancel)
        actions = QHBoxLayout()
        actions.addWidget(self.undo)
        actions.addStretch(1)
        actions.addWidget(drop)
        actions.addWidget(keep)
        self.where = QLabel()
        self.editor = QWidget()
        self.editor.setObjectName("noteEditor")
        editor = QVBoxLayout(self.editor)
        editor.setContentsMargins(0, 0, 0, 0)
        editor.addWidget(self.where)
        editor.addWidget(self.text)
        editor.addLayout(tool_row)
        editor.addLayout(colour_row)
        editor.addLayout(actions)
        self.editor.hide()

        buttons = QHBoxLayout()
        buttons.addWidget(self.add)
        buttons.addWidget(self.delete)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Notes"))
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.editor)
        # each picture put on screen, playing or paused: its notes over it
        player.frame_presented.connect(lambda _frame: self.show_frame(player.shown_frame()))

    @property
    def sketch(self) -> Sketch:
        return self.player.sketch

    def _set(self, *, tool: str | None = None, colour: str | None = None) -> None:
        for deck in self.player.decks:
            sketch = deck.video.sketch
            sketch.tool = tool or sketch.tool
            sketch.colour = colour or sketch.colour

    # ---- the take's notes ---------------------------------------------------------------

    def show_take(self, store: Store | None, job_id: int | None, author: str) -> None:
        if self.writing is not None and job_id != self.job_id:
            self.cancel()  # another take: a note half written stays with the one it was for
        self.store, self.job_id, self.author = store, job_id, author
        self.reload()

    def reload(self) -> None:
        store, job_id = self.store, self.job_id
        self.notes = in_frame_order(store.notes.for_take(job_id)) if store and job_id else []
        self.list.clear()
        for note in self.notes:
            item = QListWidgetItem(self._line(note))
            item.setData(Qt.ItemDataRole.UserRole, note.id)
            item.setToolTip(note.text)
            icon = self._thumbnail(note)
            if icon is not None:
                item.setIcon(icon)
            self.list.addItem(item)
        self.delete.setEnabled(bool(self.notes))
        self.player.slider.set_marks(
            "note", [Mark(n.frame, n.end_frame, MARK, "note") for n in self.notes]
        )
        self.show_frame(self.player.shown_frame())

    def _line(self, note: Note) -> str:
        where = timecode(note.frame, note.fps)
        frames = (
            f"frames {note.frame}–{note.end_frame}" if note.end_frame else f"frame {note.frame}"
        )
        drawn = f" · {len(note.shapes)} mark{'s' * (len(note.shapes) != 1)}" if note.shapes else ""
        return f"{where} · {frames} · {note.author or 'someone'}{drawn}\n{note.text}".rstrip()

    def _thumbnail(self, note: Note) -> QIcon | None:
        """The frame (the nearest spritesheet tile) with the note's drawing on it."""
        if self.job_id is None:
            return None
        sheet = self.spritesheet(self.job_id)
        if sheet is None:
            return None
        image = QPixmap(str(sheet))
        if image.isNull():
            return None
        frames = max(1, self.player.frames or note.last_frame + 1)
        tile = sprite_tile(image, note.frame / frames).scaled(
            THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        picture = self.sketch.picture()
        if picture and note.shapes:
            painter = QPainter(tile)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            sx, sy = tile.width() / picture[0], tile.height() / picture[1]
            for shape in note.shapes:
                painter.setPen(QColor(*PALETTE[shape.colour]))
                xs = [p[0] * sx for p in shape.points]
                ys = [p[1] * sy for p in shape.points]
                painter.drawRect(QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
            painter.end()
        return QIcon(tile)

    def show_frame(self, frame: int) -> None:
        """The drawings of the notes at this frame over the picture; those notes selected."""
        here = notes_at(self.notes, frame)
        self.sketch.show_shapes([s for n in here for s in n.shapes])
        ids = {n.id for n in here}
        self.list.blockSignals(True)
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setSelected(item.data(Qt.ItemDataRole.UserRole) in ids)
        self.list.blockSignals(False)

    def _go_to_item(self, item: QListWidgetItem) -> None:
        note = next((n for n in self.notes if n.id == item.data(Qt.ItemDataRole.UserRole)), None)
        if note is not None:
            self.player.pause()
            self.player.seek_frame(note.frame)

    def jump(self, step: int) -> bool:
        """To the next (1) or previous (-1) note from the frame shown; False at the end."""
        here = self.player.current_frame()
        frames = sorted({n.frame for n in self.notes})
        ahead = [f for f in frames if f > here] if step > 0 else [f for f in frames if f < here]
        if not ahead:
            self.said.emit("No later note." if step > 0 else "No earlier note.", False)
            return False
        self.player.pause()
        self.player.seek_frame(ahead[0] if step > 0 else ahead[-1])
        return True

    # ---- writing a note -----------------------------------------------------------------

    def begin(self) -> None:
        """Pause, and write a note on the frame shown — or on the in/out range, when the
        frame is inside it — drawing on the picture."""
        if self.store is None or self.job_id is None or self.player.frames <= 0:
            self.said.emit("Open a take with a clip to note on its frames.", True)
            return
        self.player.pause()
        frame = self.player.current_frame()
        loop = self.player.loop_range
        if loop is not None and loop[0] <= frame <= loop[1] and loop[1] > loop[0]:
            self.writing = (loop[0], loop[1])
        else:
            self.writing = (frame, None)
        start, end = self.writing
        fps = self.player.fps
        self.where.setText(
            f"Note on {timecode(start, fps)} (frame {start})"
            if end is None
            else f"Note on frames {start}–{end} ({timecode(start, fps)}–{timecode(end, fps)})"
        )
        self.sketch.start()
        self.editor.show()
        self.text.clear()
        self.text.setFocus()
        self.opened.emit()

    def save(self) -> Note | None:
        if self.writing is None or self.store is None or self.job_id is None:
            return None
        picture = self.sketch.picture()
        if picture is None:
            self.said.emit("The picture has not come yet: try again in a moment.", True)
            return None
        start, end = self.writing
        try:
            note = ops_for(self.store).add_note(
                self.job_id,
                start,
                fps=self.player.fps,
                picture=picture,
                text=self.text.text().strip(),
                shapes=list(self.sketch.draft),
                end_frame=end,
                author=self.author,
                frames=self.player.frames,
                source=self,
            )
        except StudioError as err:  # said; the note stays being written
            self.said.emit(str(err), True)
            return None
        self._close_editor()
        self.reload()
        self.said.emit(f"Note kept on {timecode(note.frame, note.fps)}.", False)
        return note

    def cancel(self) -> None:
        if self.writing is not None:
            self._close_editor()
            self.said.emit("Note dropped.", False)

    def _close_editor(self) -> None:
        self.writing = None
        self.sketch.finish()
        self.editor.hide()
        self.closed.emit()

    def delete_selected(self) -> None:
        item = self.list.currentItem()
        if item is None or self.store is None:
            return
        ops_for(self.store).delete_note(int(item.data(Qt.ItemDataRole.UserRole)), source=self)
        self.reload()


def _swatch(colour: QColor) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(colour)
    return QIcon(pixmap)
