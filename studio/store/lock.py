"""One engine drives a library at a time: an OS file lock beside the database, held while
an engine runs. Whoever holds it writes who they are into the lock file, so a second
process can say who it is waiting for.

The lock is advisory and released by the OS when its holder dies (`kill -9` included), so
a crash never leaves a library locked.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO


@dataclass(frozen=True)
class Holder:
    pid: int
    command: str
    since: float

    def __str__(self) -> str:
        started = time.strftime("%H:%M", time.localtime(self.since))
        return f"process {self.pid} ({self.command}, since {started})"


class LibraryLock:
    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".lock")
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def try_acquire(self) -> Holder | None:
        """Take the lock; None when taken, else who holds it."""
        if self._file is not None:
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held while it runs
        if not _lock(handle):
            handle.close()
            return self.holder() or Holder(0, "another Studio process", time.time())
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "command": _command(), "since": time.time()}))
        handle.flush()
        self._file = handle
        return None

    def holder(self) -> Holder | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
            return Holder(int(data["pid"]), str(data["command"]), float(data["since"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def release(self) -> None:
        if self._file is None:
            return
        _unlock(self._file)
        self._file.close()
        self._file = None


def _command() -> str:
    """What the holder is, in words a person recognises: 'studio batch specs.jsonl'."""
    args = [Path(sys.argv[0]).name, *sys.argv[1:3]] if sys.argv else ["python"]
    if args[0] in ("__main__.py", "-m") or args[0].startswith("python"):
        args[0] = "studio"
    return " ".join(a for a in args if a) or "studio"


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: IO[str]) -> bool:
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[str]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
