"""One engine drives a library at a time: an OS file lock beside the database, held while
an engine runs. Whoever holds it writes who they are into the lock file, so a second
process can say who it is waiting for, and whether the holder sends jobs other processes
queue (`takes_jobs`, for its provider and library folder): a `studio batch` beside the open
app queues its lines for the app's engine instead of waiting for the app to close.

The lock is advisory and released by the OS when its holder dies (`kill -9` included), so
a crash never leaves a library locked. Some network filesystems ignore it: engine leases
(jobs/leases.py) keep two engines apart even then. `STUDIO_LIBRARY_LOCK=off` makes this lock
let everyone in, to measure exactly that (bench/crash_safety.py --lock-off).
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
    provider: str | None = None  # whose jobs its engine sends (a provider key)
    library: str | None = None  # the clips folder it downloads into
    takes_jobs: bool = False  # it sends queued jobs of its provider, whoever queued them
    lease: int | None = None  # its engine's lease row (what state it is in)

    def sends_for(self, provider: str, library: str) -> bool:
        """Whether jobs queued for `provider` into `library` reach its engine."""
        return self.takes_jobs and self.provider == provider and self.library == library

    def __str__(self) -> str:
        started = time.strftime("%H:%M", time.localtime(self.since))
        return f"process {self.pid} ({self.command}, since {started})"


class LibraryLock:
    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".lock")
        # The same words in a file of their own, replaced whole: the lock file is rewritten
        # in place (it must stay the file that is locked), so a reader may find it empty.
        self.info = database.with_name(database.name + ".holder.json")
        self._file: IO[str] | None = None
        self._about: dict[str, object] = {}

    @property
    def held(self) -> bool:
        return self._file is not None

    def try_acquire(self, **about: object) -> Holder | None:
        """Take the lock; None when taken, else who holds it. `about` (provider, library,
        takes_jobs) is written beside the holder's pid for others to read."""
        if self._file is not None:
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held while it runs
        if os.environ.get("STUDIO_LIBRARY_LOCK") != "off" and not _lock(handle):
            handle.close()
            return self.holder() or Holder(0, "another Studio process", time.time())
        self._file = handle
        self._about = {"pid": os.getpid(), "command": command_line(), "since": time.time()}
        self.note(**about)
        return None

    def note(self, **about: object) -> None:
        """Add to what the lock file says about its holder (the lease, once it is open)."""
        if self._file is None:
            return
        self._about.update(about)
        words = json.dumps(self._about)
        part = self.info.with_name(f"{self.info.name}.{os.getpid()}.part")
        try:
            part.write_text(words, encoding="utf-8")
            os.replace(part, self.info)
        except OSError:  # the lock file below still says it
            part.unlink(missing_ok=True)
        self._file.seek(0)
        self._file.truncate()
        self._file.write(words)
        self._file.flush()

    def holder(self) -> Holder | None:
        """Who holds the library, from the lock file (an older Studio writes only that),
        or the holder's file beside it when the lock file is caught being rewritten."""
        return _holder(self.path) or _holder(self.info)

    def release(self) -> None:
        if self._file is None:
            return
        if os.environ.get("STUDIO_LIBRARY_LOCK") != "off":
            _unlock(self._file)
        self._file.close()
        self._file = None


def _holder(path: Path) -> Holder | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
        lease = data.get("lease")
        return Holder(
            int(data["pid"]),
            str(data["command"]),
            float(data["since"]),
            provider=str(data["provider"]) if "provider" in data else None,
            library=str(data["library"]) if "library" in data else None,
            takes_jobs=data.get("takes_jobs") is True,
            lease=int(lease) if isinstance(lease, int) else None,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def command_line() -> str:
    """What the holder is, in words a person recognises: 'studio batch specs.jsonl'."""
    args = [Path(sys.argv[0]).name, *sys.argv[1:3]] if sys.argv else ["python"]
    if args[0] in ("__main__.py", "-m") or args[0].startswith("python"):
        args[0] = "studio"
    return " ".join(a for a in args if a) or "studio"


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    # Windows' byte locks are mandatory: lock a byte far past the words, which others read.
    _LOCKED_BYTE = 1 << 30

    def _lock(handle: IO[str]) -> bool:
        try:
            handle.seek(_LOCKED_BYTE)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        handle.seek(_LOCKED_BYTE)
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
