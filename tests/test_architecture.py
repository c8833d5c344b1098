"""The layers are an import-linter contract in pyproject.toml (`make lint` runs it). These
tests run the same contract: it holds for the code as it is, and it catches an import that
breaks it — in a copy of the package with one temporary module added, never a committed one."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def lint(project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [str(LINT), "--no-cache", "--no-logo", str(project / "pyproject.toml")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The package and its contract, copied where a test may add a module."""
    shutil.copytree(
        ROOT / "studio", tmp_path / "studio", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_code_keeps_every_contract() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "source", "contract"),
    [
        ("store/zz_upward.py", "from studio.jobs import engine\n", "Layers from the UI down"),
        ("core/zz_qt.py", "import PySide6.QtCore\n", "Qt, qasync and pyqtgraph only"),
        ("export/zz_jobs.py", "import studio.jobs.clip_files\n", "Export and prompts never import"),
        ("prompts/zz_store.py", "import studio.store\n", "Prompts never import the store"),
        ("sim/zz_client.py", "from studio.providers import http\n", "The simulator imports"),
        ("jobs/zz_sim.py", "from studio.sim import server\n", "Only the wiring and the commands"),
    ],
)
def test_the_contract_catches_an_import_that_breaks_it(
    copy: Path, module: str, source: str, contract: str
) -> None:
    (copy / "studio" / module).write_text(source, encoding="utf-8")
    result = lint(copy)
    assert result.returncode != 0, result.stdout
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(line.startswith(contract) for line in broken), result.stdout
    assert "studio." + module.removesuffix(".py").replace("/", ".") in result.stdout


SQL = re.compile(  # a statement's shape, so "Delete…" in a message or an HTTP DELETE is not one
    r"^\s*(SELECT\b.*\bFROM\b|INSERT (OR \w+ )?INTO\b|UPDATE \w+ SET\b|DELETE FROM\b"
    r"|CREATE (TEMP |UNIQUE )?(TABLE|INDEX|TRIGGER|VIEW)\b|PRAGMA \w)",
    re.DOTALL,
)


def test_all_sql_lives_in_the_store() -> None:
    """Every SQL statement is in studio/store, behind a repository (the simulator keeps
    its own state and is not the client)."""
    found = []
    for path in sorted((ROOT / "studio").rglob("*.py")):
        part = path.relative_to(ROOT / "studio").parts[0]
        if part in ("store", "sim"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and SQL.match(node.value)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, found
