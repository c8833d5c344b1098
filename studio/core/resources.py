"""Where the data files in `resources/` live (source tree or installed share dir)."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

from studio.core.errors import ConfigError


def resources_dir() -> Path:
    here = Path(__file__).resolve().parents[2] / "resources"  # a source checkout
    if here.is_dir():
        return here
    installed = Path(sys.prefix) / "share" / "studio" / "resources"
    if installed.is_dir():
        return installed
    raise FileNotFoundError(
        f"Studio's resources folder is missing (looked in {here} and {installed})"
    )


def read_toml(path: Path, error: type[ConfigError] = ConfigError) -> dict[str, Any]:
    """A data file's table, or `error` naming the file and what is wrong with it."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise error(f"{path}: cannot read ({err})") from None
    except tomllib.TOMLDecodeError as err:
        raise error(f"{path}: not valid TOML ({err})") from None
