"""Every command of the window once: its text and menu; its keys and what it does, in
words, come from the keymap (`[app]` and `[queue]` in `resources/keymap.toml`, a person's
copy overriding them).
Menus and toolbars are built from here, so a shortcut is shown wherever its command
appears."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

from studio.review.keymap import Binding


@dataclass(frozen=True)
class Command:
    id: str
    text: str  # in its menu (the tooltip is its keymap entry's text)
    menu: str


COMMANDS = (
    Command("render.queue", "&Queue render", "Render"),
    Command("render.reference", "Choose reference &image…", "Render"),
    Command("render.save_template", "Save as &template…", "Render"),
    Command("render.templates", "Find t&emplate…", "Render"),
    Command("queue.pause", "&Pause queue", "Queue"),
    Command("queue.resume", "&Resume queue", "Queue"),
    Command("queue.top", "Move to &top", "Queue"),
    Command("queue.bottom", "Move to &bottom", "Queue"),
    Command("queue.priority", "Raise &priority", "Queue"),
    Command("queue.cancel", "&Cancel", "Queue"),
    Command("queue.retry", "Re&try", "Queue"),
    Command("queue.send_again", "&Send again (may pay twice)", "Queue"),
    Command("queue.forget", "&Forget", "Queue"),
    Command("queue.send_unsure", "Send all &unsure again", "Queue"),
    Command("queue.duplicate", "&Duplicate into editor", "Queue"),
    Command("queue.reveal", "Re&veal file", "Queue"),
    Command("library.export", "&Export approved takes…", "File"),
    Command("library.import", "&Import clips…", "File"),
    Command("app.settings", "&Settings…", "File"),
    Command("app.quit", "&Quit", "File"),
    Command("view.write", "&Write", "View"),
    Command("view.review", "&Review", "View"),
    Command("view.library", "&Library", "View"),
    Command("view.metrics", "&Metrics", "View"),
    Command("app.layout", "Switch &writing / reviewing", "View"),
)


# In menu-bar order, with their Alt keys (Review, added after Library, has Alt+V).
MENUS = ("&File", "&Render", "&Queue", "Vie&w")


class ActionRegistry:
    def __init__(self, parent: QWidget, keymap: Mapping[str, Binding]) -> None:
        self.actions: dict[str, QAction] = {}
        for command in COMMANDS:
            action = QAction(command.text, parent)
            binding = keymap.get(command.id)
            if binding is not None and binding.keys:
                action.setShortcuts([QKeySequence(k) for k in binding.keys])
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            says = binding.text if binding is not None else command.text.replace("&", "")
            action.setToolTip(says.rstrip("…") + (f" ({shortcut})" if shortcut else ""))
            action.setStatusTip(says)
            self.actions[command.id] = action

    def __getitem__(self, command_id: str) -> QAction:
        return self.actions[command_id]

    def on(self, command_id: str, handler: Callable[[], object]) -> None:
        self.actions[command_id].triggered.connect(lambda _checked=False: handler())

    def build_menus(self, bar: QMenuBar) -> None:
        self.menus: dict[str, QMenu] = {
            title.replace("&", ""): bar.addMenu(title) for title in MENUS
        }
        for command in COMMANDS:
            self.menus[command.menu].addAction(self.actions[command.id])

    def menu(self, name: str) -> QMenu:
        return self.menus[name]
