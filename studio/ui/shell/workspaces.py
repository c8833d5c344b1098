"""The window's workspaces, as Lightroom has modules and Resolve has pages: Write (the
editor, the queue, the templates around the picture), Review (the stage alone: take list,
player, rubric, notes) and Library (the grid or table with its facets across the whole
window, Metrics a tab of it). Each is one key away (the View menu shows which) and keeps
its own layout — the docks' places, sizes and tabs as the person left them there."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Workspace:
    name: str
    title: str
    key: str  # its shortcut (the View menu shows it)
    docks: tuple[str, ...]  # the docks it shows by default (object names)
    picture: bool  # whether the review stage (the centre) is shown


WRITE = Workspace("write", "&Write", "Ctrl+1", ("editorDock", "queueDock", "templatesDock"), True)
REVIEW = Workspace("review", "&Review", "Ctrl+2", (), True)
LIBRARY = Workspace("library", "&Library", "Ctrl+3", ("libraryDock", "metricsDock"), False)
WORKSPACES = {w.name: w for w in (WRITE, REVIEW, LIBRARY)}
