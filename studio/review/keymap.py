"""Review, pairwise, grid and player keys as data (`resources/keymap.toml`, or the user's
copy)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from studio.core import paths
from studio.core.errors import ConfigError
from studio.core.resources import read_toml, resources_dir


@dataclass(frozen=True)
class Binding:
    command: str
    keys: tuple[str, ...]
    text: str
    group: str  # its section: "app", "queue", "review", "pairwise", "player", "grid"


# Sections whose keys are live at the same time: a key must be one command within each, and
# may mean another thing elsewhere (A approves the take in review and the tiles in the grid;
# ← picks the left take in the blind pairwise mode, the previous take in review). The
# player's keys are live in review and in the pairwise mode alike; the window's own
# commands (the menus' shortcuts) in every mode.
WINDOW = frozenset({"app", "queue"})
TOGETHER = (
    frozenset({"review", "player"}) | WINDOW,
    frozenset({"pairwise", "player"}) | WINDOW,
    frozenset({"grid"}) | WINDOW,
)


def load_keymap(path: Path | None = None) -> tuple[dict[str, Binding], str]:
    """The bindings, and a problem (empty if none). A user's keymap with an error is named
    and the built-in one used; a command the user's file leaves out keeps its default."""
    builtin = _parse(read_toml(resources_dir() / "keymap.toml"), "keymap.toml")
    user = path or paths.config_dir() / "keymap.toml"
    if not user.is_file():
        return builtin, ""
    try:
        mine = _parse(read_toml(user), str(user))
    except ConfigError as err:
        return builtin, f"{err} — using the built-in keys."
    unknown = sorted(set(mine) - set(builtin))
    if unknown:
        return builtin, f"{user}: unknown commands {', '.join(unknown)} — using the built-in keys."
    merged = {**builtin, **mine}
    try:  # a key of the user's may clash with a built-in one the file leaves as it is
        _check(merged.values(), str(user))
    except ConfigError as err:
        return builtin, f"{err} — using the built-in keys."
    return merged, ""


def _parse(data: dict[str, object], source: str) -> dict[str, Binding]:
    bindings: dict[str, Binding] = {}
    for group, table in data.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: [{group}] must be a table of commands")
        for command, entry in table.items():
            keys = entry.get("keys") if isinstance(entry, dict) else None
            if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
                raise ConfigError(f"{source}: {group}.{command}.keys must be a list of keys")
            text = entry.get("text", command) if isinstance(entry, dict) else command
            bindings[command] = Binding(command, tuple(keys), str(text), group)
    _check(bindings.values(), source)
    return bindings


def _check(bindings: Iterable[Binding], source: str) -> None:
    """A key bound to two commands of sections live together is refused."""
    for live in _live_together(bindings):
        seen: dict[str, str] = {}
        for binding in live:
            for key in binding.keys:
                if key in seen:
                    raise ConfigError(
                        f"{source}: {key!r} is bound to both {seen[key]} and {binding.command}"
                    )
                seen[key] = binding.command


def _live_together(bindings: Iterable[Binding]) -> list[list[Binding]]:
    """The bindings in each set of sections live together (a section of its own if listed
    in none; one listed in several, as the player, counts in each)."""
    sets: dict[frozenset[str], list[Binding]] = {}
    for binding in bindings:
        lives = [t for t in TOGETHER if binding.group in t] or [frozenset({binding.group})]
        for live in lives:
            sets.setdefault(live, []).append(binding)
    return list(sets.values())
