"""The library database: one SQLite file, WAL, foreign keys, migrations, one writer path.

Every write goes through `Database.write()`, which holds one lock and one `BEGIN IMMEDIATE`
transaction, so concurrent callers (engine tasks, UI actions, worker threads) never interleave
half-written changes. A damaged, locked or too-new file is never reset or rewritten: opening
stops with a `StoreError` that says what happened and what to do, and a damaged file is
copied aside first so nothing is lost.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from studio.core.errors import StorageError, StudioError
from studio.store.migrations import LATEST, MIGRATIONS


class StoreError(StudioError):
    """The database cannot be used; the message says why and what to do."""


class StoreFull(StorageError):
    """A write to the library database failed for want of space or access (SQLite reports a
    full disk as `OperationalError`, not `OSError`); nothing was changed by it."""


# SQLite's primary result codes that mean "the file cannot be written", not "bad SQL".
_STORAGE_CODES = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN")


class Database:
    def __init__(
        self, path: Path, *, migrations: Sequence[str] = MIGRATIONS, busy_timeout: float = 5.0
    ) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0  # writes open on the thread holding the lock (see `write`)
        self._busy_timeout = busy_timeout
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(
                path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as err:
            raise StoreError(f"Cannot open the library database at {path}: {err}.") from None
        self._conn.row_factory = sqlite3.Row
        try:
            self._prepare(migrations)
        except StoreError:
            self._conn.close()
            raise
        except sqlite3.DatabaseError as err:
            self._conn.close()
            raise self._explain(err) from None

    def _prepare(self, migrations: Sequence[str]) -> None:
        conn = self._conn
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > len(migrations):
            raise StoreError(
                f"The library at {self.path} was written by a newer Studio (schema version "
                f"{version}; this Studio knows up to {len(migrations)}). Update Studio to open "
                "it; the file was not changed."
            )
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise self._damaged(str(check))
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"The library at {self.path} cannot use WAL mode ({mode}).")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable across app crashes
        for number in range(version + 1, len(migrations) + 1):
            with self.write() as tx:
                tx.executescript_in_tx(migrations[number - 1])
                tx.execute(f"PRAGMA user_version = {number}")

    def _explain(self, err: sqlite3.DatabaseError) -> StoreError:
        text = str(err)
        if "locked" in text or "busy" in text:
            return StoreError(
                f"The library at {self.path} is locked by another program (probably another "
                "Studio window). Close it and try again."
            )
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            return self._damaged(text)
        return StoreError(f"The library at {self.path} cannot be used: {text}.")

    def _damaged(self, detail: str) -> StoreError:
        copied = ""
        with contextlib.suppress(OSError):
            backup = _unused(
                self.path.with_name(f"{self.path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
            )
            shutil.copy2(self.path, backup)
            copied = f" A copy was saved as {backup.name}."
        return StoreError(
            f"The library database at {self.path} is damaged ({detail}). It was left as it is."
            f"{copied} Restore it from a backup, or move it aside and Studio will start a new, "
            "empty library (your media files are not touched)."
        )

    # ---- access ----------------------------------------------------------------------------

    @property
    def version(self) -> int:
        return int(self.query("PRAGMA user_version")[0][0])

    def data_version(self) -> int:
        """Changes when another connection (another process) commits to the file."""
        return int(self.query("PRAGMA data_version")[0][0])

    @contextlib.contextmanager
    def write(self) -> Iterator[Transaction]:
        """The one write path: a lock plus an immediate transaction, committed on success.
        A write opened inside another (on the same thread) joins it: an operation made of
        several repository writes is one transaction, all or nothing."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield Transaction(self._conn)
                finally:
                    self._depth -= 1
                return
            self._depth = 1
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                yield Transaction(self._conn)
                self._conn.execute("COMMIT")
            except BaseException as err:
                if self._conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                full = self._storage_failure(err)
                if full is not None:
                    raise full from None
                raise
            finally:
                self._depth = 0

    def probe_space(self, size: int = 256 * 1024) -> None:
        """Raise `StoreFull` if `size` bytes more could not be added now; nothing is kept
        (the probe row is rolled back)."""
        with self.write() as tx:
            tx.execute("SAVEPOINT probe")
            tx.execute("INSERT INTO batches (name, created_at) VALUES (zeroblob(?), 0)", (size,))
            tx.execute("ROLLBACK TO probe")
            tx.execute("RELEASE probe")

    def _storage_failure(self, err: BaseException) -> StoreFull | None:
        name = getattr(err, "sqlite_errorname", "") or ""
        if not isinstance(err, sqlite3.Error) or not name.startswith(_STORAGE_CODES):
            return None
        why = "the disk is full" if name == "SQLITE_FULL" else f"{err} ({name})"
        return StoreFull(
            f"The library database {self.path} could not be written: {why}. Free some space "
            "(or make the folder writable); nothing written before was lost."
        )

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def query_one(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
            return row

    def integrity_check(self) -> str:
        return str(self.query("PRAGMA integrity_check")[0][0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class Transaction:
    """What a writer may do inside `Database.write()`."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> sqlite3.Cursor:
        return self._conn.executemany(sql, rows)

    def executescript_in_tx(self, script: str) -> None:
        """Run `;`-separated statements inside the open transaction (executescript commits)."""
        for statement in _split_sql(script):
            self._conn.execute(statement)


def _split_sql(script: str) -> list[str]:
    statements, current = [], []
    for line in script.splitlines(keepends=True):
        current.append(line)
        candidate = "".join(current)
        if candidate.strip() and sqlite3.complete_statement(candidate):
            statements.append(candidate.strip())
            current = []
    if "".join(current).strip():
        statements.append("".join(current).strip())
    return statements


__all__ = ["LATEST", "Database", "StoreError", "Transaction"]


def _unused(path: Path) -> Path:
    """`path`, or `path-2`, `path-3`… : two copies in one second never overwrite each other."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate
