"""Where takes come from: this library's identity (an id made once, when its database was
created or migrated, and a name) and the takes and batches imported from other libraries,
found by their origin there (that library's id and their number in it)."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

from studio.store.db import Database, Transaction


@dataclass(frozen=True)
class Library:
    id: str  # 32 hex digits, made once (migration 14); never changes
    name: str  # shown after an import elsewhere: "#11 from Studio on kestrel"


def default_name(database: Path) -> str:
    """A library's name until someone gives it another: the folder its database is in,
    and the computer ("Studio on kestrel" for the one in the data folder)."""
    folder = database.resolve().parent.name or "Studio"
    host = socket.gethostname().split(".")[0] or "this computer"
    return f"{folder} on {host}"


class OriginRepo:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._library: Library | None = None

    def library(self) -> Library:
        """This library's id and name."""
        if self._library is None:
            row = self.db.query_one("SELECT id, name FROM library")
            assert row is not None  # made by the migration that added the table
            self._library = Library(str(row[0]), str(row[1]))
        return self._library

    def name_once(self, name: str) -> None:
        """Give the library `name` if it has none yet (its first open)."""
        with self.db.write() as tx:
            tx.execute("UPDATE library SET name = ? WHERE name = ''", (name,))
        self._library = None

    def take(self, library: str, number: int) -> int | None:
        """The take here that is take `number` of `library` (of this one: that take; of
        another: the one imported from it), if there is one."""
        if library == self.library().id:
            row = self.db.query_one("SELECT id FROM jobs WHERE id = ?", (number,))
        elif library:
            row = self.db.query_one(
                "SELECT id FROM jobs WHERE origin_library = ? AND origin_take = ? "
                "ORDER BY id LIMIT 1",
                (library, number),
            )
        else:  # an unknown library: its numbers say nothing outside the import they came in
            return None
        return int(row[0]) if row else None

    def batch(self, tx: Transaction, library: str, number: int) -> int | None:
        """The batch here that is batch `number` of `library` (as `take`)."""
        if library == self.library().id:
            row = tx.execute("SELECT id FROM batches WHERE id = ?", (number,)).fetchone()
        elif library:
            row = tx.execute(
                "SELECT id FROM batches WHERE origin_library = ? AND origin_batch = ? "
                "ORDER BY id LIMIT 1",
                (library, number),
            ).fetchone()
        else:
            return None
        return int(row[0]) if row else None

    def add_batch(
        self,
        tx: Transaction,
        *,
        name: str,
        project: str,
        varied_slot: str | None,
        created_at: float,
        library: str,
        number: int,
    ) -> int:
        """A batch imported from another library, keeping its origin there."""
        cursor = tx.execute(
            "INSERT INTO batches (name, project, varied_slot, created_at, origin_library, "
            "origin_batch) VALUES (?, ?, ?, ?, ?, ?)",
            (name, project, varied_slot, created_at, library, number),
        )
        return int(cursor.lastrowid or 0)

    def batch_info(self, batch_id: int) -> BatchInfo | None:
        row = self.db.query_one("SELECT * FROM batches WHERE id = ?", (batch_id,))
        if row is None:
            return None
        return BatchInfo(
            int(row["id"]),
            str(row["name"]),
            str(row["project"]),
            row["varied_slot"],
            float(row["created_at"]),
            row["origin_library"],
            row["origin_batch"],
        )


@dataclass(frozen=True)
class BatchInfo:
    id: int
    name: str
    project: str
    varied_slot: str | None
    created_at: float
    origin_library: str | None  # NULL: made here
    origin_batch: int | None


__all__ = ["BatchInfo", "Library", "OriginRepo", "default_name"]
