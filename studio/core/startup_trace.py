"""Start-up timings, written only when asked (`studio --trace-startup FILE` or
STUDIO_TRACE_STARTUP): JSON lines of {"event", "t"} with `t` from time.time(), so a
benchmark timing the process from outside can line them up with its own clock."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

_path: Path | None = None


def start(path: str | os.PathLike[str] | None) -> None:
    global _path
    _path = Path(path) if path else None


def enabled() -> bool:
    return _path is not None


def mark(event: str) -> None:
    if _path is None:
        return
    with open(_path, "a", encoding="utf-8") as out:
        out.write(json.dumps({"event": event, "t": time.time()}) + "\n")
