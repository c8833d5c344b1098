"""Layer rules from docs/architecture.md, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "studio"
QT = ("PySide6", "shiboken6", "qasync")


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def modules(exclude: str | None = None) -> list[Path]:
    return [
        p for p in ROOT.rglob("*.py") if exclude is None or exclude not in p.relative_to(ROOT).parts
    ]


@pytest.mark.parametrize("path", modules(exclude="ui"), ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_below_ui_imports_qt(path: Path) -> None:
    bad = {name for name in imports_of(path) if name.split(".")[0] in QT}
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


@pytest.mark.parametrize("path", list((ROOT / "sim").rglob("*.py")), ids=lambda p: p.name)
def test_simulator_is_an_independent_implementation(path: Path) -> None:
    """The sim must not share code with the client it is used to test."""
    allowed_prefixes = ("studio.sim",)
    own = {
        n for n in imports_of(path) if n.startswith("studio") and not n.startswith(allowed_prefixes)
    }
    assert not own, f"sim/{path.name} imports {own}"


@pytest.mark.parametrize("path", list((ROOT / "providers").rglob("*.py")), ids=lambda p: p.name)
def test_providers_sit_below_everything_else(path: Path) -> None:
    allowed = (
        "studio.providers",
        "studio.core",
        "studio.errors",
        "studio.resources",
        "studio.lazy",
        "studio",
    )
    upward = {
        n
        for n in imports_of(path)
        if n.startswith("studio")
        and not any(n == a or n.startswith(a + ".") for a in allowed[:-1])
        and n != "studio"
    }
    assert not upward, f"providers/{path.name} imports {upward}"
