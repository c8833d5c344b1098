"""Where the data files in `resources/` live (source tree or installed share dir)."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    here = Path(__file__).resolve().parent.parent / "resources"
    if here.is_dir():
        return here
    installed = Path(sys.prefix) / "share" / "studio" / "resources"
    if installed.is_dir():
        return installed
    raise FileNotFoundError(
        f"Studio's resources folder is missing (looked in {here} and {installed})"
    )
