"""Status lines: what a panel says in a label, marked as an error or not (the theme colours
it), and a person's gesture run so that a StudioError it raises is said there, not raised."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel

from studio.core.errors import StudioError
from studio.ui.shell.theme import set_state


def say_in(label: QLabel, text: str, *, error: bool = False) -> None:
    label.setText(text)
    set_state(label, "error", error)


def attempt(handler: Callable[[], object], say: Callable[..., None]) -> None:
    """Run `handler`; a StudioError (words for the person) goes to `say(text, error=True)`."""
    try:
        handler()
    except StudioError as err:
        say(str(err), error=True)
