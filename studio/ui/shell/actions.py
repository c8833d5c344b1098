"""Every command once: its text, shortcut, menu and tooltip. Menus and toolbars are built
from here, so a shortcut is shown wherever its command appears."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget


@dataclass(frozen=True)
class Command:
    id: str
    text: str
    menu: str
    shortcut: str = ""
    tip: str = ""


COMMANDS = (
    Command("render.queue", "&Queue render", "Render", "Ctrl+Return", "Queue the prompt"),
    Command(
        "render.reference",
        "Choose reference &image…",
        "Render",
        "Ctrl+I",
        "Pick a reference image (or drop one onto the editor)",
    ),
    Command(
        "render.save_template",
        "Save as &template…",
        "Render",
        "Ctrl+S",
        "Save the prompt in the template library as a new version",
    ),
    Command(
        "render.templates",
        "Find t&emplate…",
        "Render",
        "Ctrl+Shift+F",
        "Search the template library",
    ),
    Command(
        "queue.pause",
        "&Pause queue",
        "Queue",
        "Ctrl+Shift+P",
        "Stop sending new renders; running ones continue",
    ),
    Command("queue.resume", "&Resume queue", "Queue", "Ctrl+Shift+R", "Send queued renders"),
    Command("queue.top", "Move to &top", "Queue", "Ctrl+Home", "Send the selected jobs first"),
    Command("queue.bottom", "Move to &bottom", "Queue", "Ctrl+End", "Send the selected jobs last"),
    Command(
        "queue.priority", "Raise &priority", "Queue", "Ctrl+Up", "Raise the selected jobs' priority"
    ),
    Command("queue.cancel", "&Cancel", "Queue", "Del", "Cancel the selected jobs"),
    Command("queue.retry", "Re&try", "Queue", "Ctrl+T", "Retry the selected failed jobs"),
    Command(
        "queue.send_again",
        "&Send again (may pay twice)",
        "Queue",
        "",
        "Send the selected unsure jobs again: the provider may have rendered them already",
    ),
    Command(
        "queue.forget",
        "&Forget",
        "Queue",
        "",
        "Stop waiting for the selected unsure jobs; nothing more is sent or asked",
    ),
    Command(
        "queue.send_unsure",
        "Send all &unsure again",
        "Queue",
        "",
        "Send again every unsure job of the selected jobs' batches (they may be paid twice)",
    ),
    Command(
        "queue.duplicate",
        "&Duplicate into editor",
        "Queue",
        "Ctrl+D",
        "Copy the selected job's prompt into the editor",
    ),
    Command("queue.reveal", "Re&veal file", "Queue", "Ctrl+Shift+O", "Show the clip's folder"),
    Command(
        "library.export",
        "&Export approved takes…",
        "File",
        "Ctrl+Shift+E",
        "Copy the approved takes, byte for byte, with sidecars, manifest and checksums",
    ),
    Command(
        "library.import",
        "&Import clips…",
        "File",
        "Ctrl+Shift+I",
        "Bring a folder of clips into the library; an export restores its reviews",
    ),
    Command(
        "app.settings",
        "&Settings…",
        "File",
        "Ctrl+,",
        "Provider, API key, limits, budget, library folder",
    ),
    Command("app.quit", "&Quit", "File", "Ctrl+Q", "Close Studio"),
    Command("view.write", "&Write", "View", "Ctrl+1", "The editor, the queue and the templates"),
    Command("view.review", "&Review", "View", "Ctrl+2", "The review stage on the whole window"),
    Command("view.library", "&Library", "View", "Ctrl+3", "Every take: grid or table, with facets"),
    Command(
        "view.metrics", "&Metrics", "View", "Ctrl+4", "The Library's KPIs, trend, caps and alerts"
    ),
    Command(
        "app.layout",
        "Switch &writing / reviewing",
        "View",
        "F6",
        "Between the Write and the Review workspace",
    ),
)


# In menu-bar order, with their Alt keys (Review, added after Library, has Alt+V).
MENUS = ("&File", "&Render", "&Queue", "Vie&w")


class ActionRegistry:
    def __init__(self, parent: QWidget) -> None:
        self.actions: dict[str, QAction] = {}
        for command in COMMANDS:
            action = QAction(command.text, parent)
            if command.shortcut:
                action.setShortcut(QKeySequence(command.shortcut))
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            plain = command.text.replace("&", "").rstrip("…")
            tip = f"{command.tip or plain}" + (f" ({shortcut})" if shortcut else "")
            action.setToolTip(tip)
            action.setStatusTip(command.tip)
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
