"""One export at a time into a folder, and what that folder holds besides the clips.

An export holds the folder's lock (`.studio-export.lock`, an OS file lock: `flock` on
Linux and macOS, a byte lock on Windows) from before it chooses its first name until its
manifest and SHA256SUMS are written. So two exports into one folder, from two windows, two
`studio export` runs or two machines on a share that honours locks, take turns: the second
waits (saying whom for, and can be cancelled), then sees the first one's files, so neither
ever overwrites the other and the manifest is read and written whole by one of them at a
time. The OS releases the lock when its holder dies, `kill -9` included. A lock also means
that while it is held no other export is writing into the folder, so the holder removes the
temporary files (our own `.NAME.xxxxxxxx.part` pattern only) that a killed export left.

A `manifest.json` or `SHA256SUMS` already there is kept and merged only when it is ours
and sound; one that cannot be read, is not a regular file, lacks a field, or names a path
outside the folder is renamed aside (`manifest.json.unreadable-20260101T120000Z`,
`….outside-…`), reported, and never merged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import re
import stat
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core.errors import StorageError, StudioError
from studio.core.files import PART_NAME, is_regular, write_atomic

LOCK_NAME = ".studio-export.lock"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
MANIFEST_SCHEMA = "studio.manifest/1"
MAX_FOLDER_FILE_BYTES = 64 << 20  # a manifest or SHA256SUMS larger than this is not ours
LOCK_POLL_SECONDS = 0.05  # how often a waiting export tries the lock (and hears a cancel)
# Temporary files of ours: `.NAME.xxxxxxxx.part` for a clip, a sidecar or the folder's two
# files, and the probe that checks the folder takes writes.
_OURS = re.compile(r"(?s:.+)\.(mp4|json)|manifest\.json|SHA256SUMS")
_PROBE = re.compile(r"\.studio-write-test-[0-9a-f]{8}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SUMS_LINE = re.compile(r"([0-9a-fA-F]{64}) [ *](.+)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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
        except OSError as err:
            if err.errno in (errno.EACCES, errno.EDEADLK):  # held by another export
                return False
            raise  # a share that cannot lock: said so, and the export goes on unlocked
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _LOCKED_BYTE, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
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


# --- the folder's manifest.json and SHA256SUMS -------------------------------------------


class _SetAside(Exception):
    def __init__(self, kind: str, why: str) -> None:
        super().__init__(why)
        self.kind, self.why = kind, why


def write_folder_files(folder: Path, entries: list[dict[str, Any]]) -> list[str]:
    """manifest.json and SHA256SUMS for the clips in the folder now: this run's `entries`
    and those of earlier runs whose files are still there. The caller holds the lock.
    Returns what was set aside, one line each."""
    said: list[str] = []
    known: dict[str, dict[str, Any]] = {}
    try:
        for entry in _read_manifest(folder / MANIFEST):
            if is_regular(folder / entry["file"]) and is_regular(folder / entry["sidecar"]):
                known[entry["file"]] = entry
    except _SetAside as problem:
        said.append(_set_aside(folder / MANIFEST, problem))
    known.update({e["file"]: e for e in entries})
    clips = sorted(known.values(), key=lambda e: e["file"])
    listed = {name for e in clips for name in (e["file"], e["sidecar"])}
    try:
        others = [
            n for n in _read_sums(folder / SUMS) if n not in listed and is_regular(folder / n)
        ]
        if others:
            raise _SetAside(
                "other", f"lists {len(others)} file(s) the export does not ({others[0]!r} …)"
            )
    except _SetAside as problem:
        said.append(_set_aside(folder / SUMS, problem))
    manifest = {
        "schema": MANIFEST_SCHEMA,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "clips": clips,
    }
    write_atomic(folder / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
    sums = "".join(
        f"{e['sha256']}  {e['file']}\n{e['sidecar_sha256']}  {e['sidecar']}\n" for e in clips
    )
    write_atomic(folder / SUMS, sums.encode())
    return said


def _read_manifest(path: Path) -> list[dict[str, Any]]:
    """The entries of an earlier export's manifest; `_SetAside` if it is not one."""
    data = _read_json(path)
    if data is None:
        return []
    if not isinstance(data, dict) or data.get("schema") != MANIFEST_SCHEMA:
        raise _SetAside("unreadable", f"is not a Studio manifest ({MANIFEST_SCHEMA})")
    clips = data.get("clips")
    if not isinstance(clips, list):
        raise _SetAside("unreadable", "has no list of clips")
    for number, entry in enumerate(clips, 1):
        if not isinstance(entry, dict):
            raise _SetAside("unreadable", f"entry {number} is not an object")
        for key in ("file", "sidecar"):
            _check_name(entry.get(key), f"entry {number}'s {key}")
        for key in ("sha256", "sidecar_sha256"):
            value = entry.get(key)
            if not isinstance(value, str) or not _SHA256.fullmatch(value):
                what = "has no" if value is None else "has a malformed"
                raise _SetAside("unreadable", f"entry {number} {what} {key}")
        take = entry.get("take")
        if not isinstance(take, int) or isinstance(take, bool):
            raise _SetAside("unreadable", f"entry {number} has no take number")
    return clips


def _read_json(path: Path) -> Any:
    raw = _read_small(path)
    if raw is None:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as err:  # UnicodeDecodeError is a ValueError
        raise _SetAside("unreadable", f"is not readable JSON ({type(err).__name__})") from None


def _read_sums(path: Path) -> list[str]:
    """The names an existing SHA256SUMS lists; `_SetAside` if it is not one we can keep."""
    raw = _read_small(path)
    if raw is None:
        return []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _SetAside("unreadable", "is not UTF-8 text") from None
    names = []
    for number, line in enumerate(text.splitlines(), 1):
        found = _SUMS_LINE.fullmatch(line)
        if found is None:
            raise _SetAside("unreadable", f"line {number} is not `SHA-256  name`")
        _check_name(found[2], f"line {number}")
        names.append(found[2])
    return names


def _read_small(path: Path) -> bytes | None:
    """The bytes of a regular file, None if there is none; `_SetAside` for anything else
    (a folder, a link, a FIFO is never opened) or one too large to be ours."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise _SetAside("unreadable", f"cannot be read ({err.strerror or err})") from None
    if stat.S_ISLNK(info.st_mode):
        raise _SetAside("outside", "is a link, which may lead outside the folder")
    if not stat.S_ISREG(info.st_mode):
        raise _SetAside("unreadable", "is not a regular file")
    if info.st_size > MAX_FOLDER_FILE_BYTES:
        raise _SetAside("unreadable", f"is larger than {MAX_FOLDER_FILE_BYTES >> 20} MiB")
    try:
        with path.open("rb") as fh:
            return fh.read(MAX_FOLDER_FILE_BYTES + 1)
    except OSError as err:
        raise _SetAside("unreadable", f"cannot be read ({err.strerror or err})") from None


def _check_name(name: object, where: str) -> None:
    """A name for a file directly in the folder, or `_SetAside` saying why not."""
    if not isinstance(name, str) or not name:
        raise _SetAside("unreadable", f"{where} names no file")
    if (
        name in (".", "..")
        or "/" in name
        or "\\" in name
        or re.match(r"[A-Za-z]:", name)  # a drive on Windows
    ):
        raise _SetAside("outside", f"{where} names {name!r}, a path outside the folder")
    if _CONTROL.search(name) or name in (MANIFEST, SUMS, LOCK_NAME):
        raise _SetAside("unreadable", f"{where} names {name!r}, not a clip or sidecar")


def _set_aside(path: Path, problem: _SetAside) -> str:
    """Rename `path` to a free `NAME.KIND-<UTC time>[-n]`; the line that says so."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    base = f"{path.name}.{problem.kind}-{stamp}"
    aside, n = path.with_name(base), 1
    while os.path.lexists(aside):
        n += 1
        aside = path.with_name(f"{base}-{n}")
    try:
        os.rename(path, aside)
    except OSError as err:
        raise StorageError(
            f"{path.name} in {path.parent} {problem.why}, and it could not be set aside: "
            f"{err.strerror or err}."
        ) from None
    return f"{path.name} {problem.why}: kept as {aside.name}, not merged"
