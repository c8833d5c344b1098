"""The files of an import folder, found without trusting any of them.

Nothing is opened here: each entry is `lstat`ed first. Regular files come back to be read;
FIFOs, sockets and devices are passed over unopened (opening a FIFO waits for a writer
forever); links are followed only when they lead to a file inside the folder; folders are
walked (a link to a folder is not, so a loop cannot form). Names that are not valid UTF-8
(Linux allows any bytes) stay usable as paths and are shown with `shown`."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


@dataclass(frozen=True)
class Found:
    """A regular file inside the folder (a link to one is found under the link's name)."""

    path: Path
    name: str  # relative to the folder, safe to print


@dataclass(frozen=True)
class Passed:
    """An entry that is not read, and why. `unreadable`: it was passed over because it
    cannot or must not be read (the import then says so in its exit code); otherwise it is
    only not a file to read (a folder named like a clip, a link to a folder inside)."""

    name: str
    reason: str
    unreadable: bool


def shown(name: str | os.PathLike[str]) -> str:
    """A file name as text that can always be printed, stored and shown on one line: bytes
    that are not UTF-8 (kept by Python as lone surrogates) and control characters (a
    newline is allowed in a name) become `\\xNN`."""
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def kind(mode: int) -> str | None:
    """What a file that is neither a regular file, a folder nor a link is ("a FIFO")."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode):
        return None
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def walk(folder: Path, *, folders_named_like: tuple[str, ...] = ()) -> Iterator[Found | Passed]:
    """Every entry below `folder`, in name order, a folder's files before its sub-folders.
    Hidden entries (a leading dot: an export's temporary files) are left out. A folder whose
    name ends with one of `folders_named_like` is reported as not a clip and still walked."""
    root = os.path.realpath(folder)
    pending = [Path(folder)]
    while pending:
        here = pending.pop()
        try:
            with os.scandir(here) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as err:
            yield Passed(_rel(here, folder) + "/", f"folder cannot be read ({_why(err)})", True)
            continue
        folders: list[Path] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            name = _rel(path, folder)
            try:
                mode = os.lstat(path).st_mode
            except OSError as err:
                yield Passed(name, f"cannot be read ({_why(err)})", True)
                continue
            if stat.S_ISLNK(mode):
                if not _inside(os.path.realpath(path), root):
                    yield Passed(name, "a link leading outside the folder (not followed)", True)
                    continue
                try:
                    mode = os.stat(path).st_mode
                except OSError as err:
                    yield Passed(name, f"a link that leads nowhere ({_why(err)})", True)
                    continue
                if stat.S_ISDIR(mode):
                    yield Passed(name, "a link to a folder (not followed)", False)
                    continue
            elif stat.S_ISDIR(mode):
                if entry.name.lower().endswith(folders_named_like):
                    yield Passed(f"{name}/", "a folder, not a clip (its files are read)", False)
                folders.append(path)
                continue
            other = kind(mode)
            if other is not None:
                yield Passed(name, f"{other}, not a regular file (not opened)", True)
                continue
            yield Found(path, name)
        pending.extend(reversed(folders))


def _rel(path: Path, folder: Path) -> str:
    return shown(path.relative_to(folder)) if path != folder else "."


def _inside(target: str, root: str) -> bool:
    try:
        return os.path.commonpath([target, root]) == root
    except ValueError:  # another drive (Windows)
        return False


def _why(err: OSError) -> str:
    return err.strerror or type(err).__name__
