"""One export at a time into a folder.

An export holds the folder's lock (`.studio-export.lock`, an OS file lock: `flock` on
Linux and macOS, a byte lock on Windows) from before it chooses its first name until its
manifest and SHA256SUMS are written. So two exports into one folder, from two windows, two
`studio export` runs or two machines on a share that honours locks, take turns: the second
waits (saying whom for, and can be cancelled), then sees the first one's files, so neither
ever overwrites the other and the manifest is read and written whole by one of them at a
time. The OS releases the lock when its holder dies, `kill -9` included. A lock also means
that while it is held no other export is writing into the folder, so the holder removes the
temporary files (our own `.NAME.xxxxxxxx.part` pattern only) that a killed export left.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from studio.errors import StorageError, StudioError
from studio.files import PART_NAME

LOCK_NAME = ".studio-export.lock"
LOCK_POLL_SECONDS = 0.05  # how often a waiting export tries the lock (and hears a cancel)
# Temporary files of ours: `.NAME.xxxxxxxx.part` for a clip, a sidecar or the folder's two
# files, and the probe that checks the folder takes writes.
_OURS = re.compile(r"(?s:.+)\.(mp4|json)|manifest\.json|SHA256SUMS")
_PROBE = re.compile(r"\.studio-write-test-[0-9a-f]{8}")


class Cancelled(StudioError):
    """The person stopped the export; files finished so far stay, nothing half-written."""

    exit_code = 130


@dataclass
class FolderState:
    """What the export found on taking the folder."""

    folder: Path
    removed: list[str] = field(default_factory=list)  # leftovers of a killed export
    locked: bool = True  # False where the filesystem has no locks (said in the report)


@contextlib.contextmanager
def take(
    folder: Path,
    *,
    cancelled: Callable[[], bool] = lambda: False,
    waiting: Callable[[str], None] | None = None,
) -> Iterator[FolderState]:
    """Hold `folder` for one export: wait for its lock (telling `waiting` once whom for;
    `cancelled` is heard while waiting), then remove what killed exports left."""
    lock = _FolderLock(folder / LOCK_NAME)
    state = FolderState(folder)
    told = False
    while not lock.try_acquire():
        if not lock.supported:
            state.locked = False
            break
        if cancelled():
            raise Cancelled(f"Export stopped while waiting for another export into {folder}.")
        if waiting is not None and not told:
            told = True
            waiting(f"Waiting for {lock.holder()} to finish exporting into {folder}…")
        time.sleep(LOCK_POLL_SECONDS)
    try:
        if state.locked:  # nobody else is writing here: what is left is from a dead run
            state.removed = remove_leftovers(folder)
        yield state
    finally:
        lock.release()


def remove_leftovers(folder: Path) -> list[str]:
    """Remove the temporary files of our own pattern (regular files only) in `folder`; the
    caller holds its lock. Returns their names."""
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    for name in names:
        part = PART_NAME.fullmatch(name)
        if not ((part and _OURS.fullmatch(part["name"])) or _PROBE.fullmatch(name)):
            continue
        path = folder / name
        try:
            if stat.S_ISREG(path.lstat().st_mode):
                path.unlink()
                removed.append(name)
        except OSError:
            continue
    return sorted(removed)


class _FolderLock:
    """An OS lock on one file in the folder, removed again by its holder (see the module
    docstring). Between opening the file and locking it, the previous holder may have
    removed it: the lock is ours only if the file locked is still the one at the path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.supported = True
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; False if another export holds it (or the folder's
        filesystem has no locks: then `supported` is False)."""
        while True:  # again at once when the file locked was removed by its last holder
            fd = self._open()
            try:
                if not _lock(fd):
                    os.close(fd)
                    return False
            except OSError:  # a filesystem without locks: the export goes on, and says so
                os.close(fd)
                self.supported = False
                with contextlib.suppress(OSError):
                    self.path.unlink()
                return False
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except OSError:
                same = False
            if same:
                break
            _unlock(fd)
            os.close(fd)
        self._fd = fd
        words = json.dumps({"pid": os.getpid(), "since": time.time()}).encode()
        with contextlib.suppress(OSError):  # whom a waiting export waits for
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, words)
        return True

    def _open(self) -> int:
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        try:
            return os.open(self.path, flags, 0o644)  # never through a link planted there
        except OSError as err:
            raise StorageError(
                f"Cannot lock {self.path.parent} for the export ({self.path.name}): "
                f"{err.strerror or err}."
            ) from None

    def holder(self) -> str:
        try:
            pid = int(json.loads(self.path.read_text(encoding="utf-8"))["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            return "another export"
        return f"another export (process {pid})"

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            # Windows removes no file another process holds open: unlock and close first,
            # then remove it unless a waiting export has it open (then it stays, harmless).
            _unlock(fd)
            os.close(fd)
            with contextlib.suppress(OSError):
                self.path.unlink()
            return
        with contextlib.suppress(OSError):  # while locked: a waiter re-checks the path
            self.path.unlink()
        _unlock(fd)
        os.close(fd)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    _LOCKED_BYTE = 1 << 30  # far past the words, which a waiting export reads

    def _lock(fd: int) -> bool:
        os.lseek(fd, _LOCKED_BYTE, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:  # held by another export
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _LOCKED_BYTE, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import errno
    import fcntl

    def _lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return False
            raise
        return True

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
