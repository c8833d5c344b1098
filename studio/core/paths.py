"""Where Studio keeps its files (platformdirs), created on first use."""

from __future__ import annotations

from pathlib import Path

from platformdirs import PlatformDirs

_dirs = PlatformDirs("Studio", appauthor=False)


def data_dir() -> Path:
    return _ensure(Path(_dirs.user_data_dir))


def library_dir() -> Path:
    return _ensure(data_dir() / "library")


def config_dir() -> Path:
    return _ensure(Path(_dirs.user_config_dir))


def cache_dir() -> Path:
    return _ensure(Path(_dirs.user_cache_dir))


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
