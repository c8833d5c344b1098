"""Notes on the frame (studio.core.notes): kept per take, changed only through
`studio.library.ops` (one transaction and one change each).

An edit changes a note in place and stamps `edited_at`; a deletion stamps `deleted_at`
and hides the note (kept, so an undo can bring it back and a re-import of an older export
does not). A note is known across libraries by when it was made (to the millisecond, as a
sidecar keeps it) and who made it — not by its frame, which an edit may move: an import
adds the notes a take lacks and takes a later edit of one it has."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from studio.core.notes import Note, drawing_from_json, drawing_to_json, in_frame_order
from studio.core.take_state import millis
from studio.store.db import Database

_LIVE = "deleted_at IS NULL"


class NoteRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, note: Note) -> int:
        """Store a checked note (studio.core.notes.check_note); returns its id."""
        with self.db.write() as tx:
            cursor = tx.execute(
                "INSERT INTO notes (job_id, frame, end_frame, fps, text, drawing_json, author, "
                "created_at, edited_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _columns(note),
            )
        return int(cursor.lastrowid or 0)

    def update(self, note: Note, *, at: float) -> None:
        """The note's frame, range, text and drawing as given, edited at `at`."""
        with self.db.write() as tx:
            tx.execute(
                "UPDATE notes SET frame = ?, end_frame = ?, text = ?, drawing_json = ?, "
                f"edited_at = ? WHERE id = ? AND {_LIVE}",
                (note.frame, note.end_frame, note.text, _drawing(note), at, note.id),
            )

    def delete(self, note_id: int, *, at: float) -> None:
        with self.db.write() as tx:
            tx.execute(f"UPDATE notes SET deleted_at = ? WHERE id = ? AND {_LIVE}", (at, note_id))

    def undelete(self, note_id: int) -> None:
        with self.db.write() as tx:
            tx.execute("UPDATE notes SET deleted_at = NULL WHERE id = ?", (note_id,))

    def get(self, note_id: int, *, deleted: bool = False) -> Note | None:
        """The note with this id (a deleted one only when asked for)."""
        live = "" if deleted else f" AND {_LIVE}"
        row = self.db.query_one(f"SELECT * FROM notes WHERE id = ?{live}", (note_id,))
        return None if row is None else _note(row)

    def for_take(self, job_id: int) -> list[Note]:
        """The take's notes in frame order (ranges by their first frame)."""
        return self.for_takes([job_id]).get(job_id, [])

    def for_takes(self, job_ids: Sequence[int]) -> dict[int, list[Note]]:
        """Each take's notes in frame order; a take without notes is left out."""
        found: dict[int, list[Note]] = {}
        for chunk in _chunks(job_ids):
            marks = ",".join("?" * len(chunk))
            rows = self.db.query(
                f"SELECT * FROM notes WHERE job_id IN ({marks}) AND {_LIVE}", chunk
            )
            for row in rows:
                found.setdefault(int(row["job_id"]), []).append(_note(row))
        return {job_id: in_frame_order(notes) for job_id, notes in found.items()}

    def counts(self, job_ids: Sequence[int]) -> dict[int, int]:
        """How many notes each take has (a take without notes is left out)."""
        counted: dict[int, int] = {}
        for chunk in _chunks(job_ids):
            marks = ",".join("?" * len(chunk))
            rows = self.db.query(
                f"SELECT job_id, count(*) FROM notes WHERE job_id IN ({marks}) AND {_LIVE} "
                "GROUP BY job_id",
                chunk,
            )
            counted.update({int(r[0]): int(r[1]) for r in rows})
        return counted

    def restore(self, job_id: int, notes: Iterable[Note]) -> int:
        """Merge notes from an import into the take: one it lacks is added, a later edit of
        one it has replaces it (a note deleted here stays deleted); returns how many were
        added or changed."""
        changed = 0
        with self.db.write() as tx:
            have = {
                (millis(float(r["created_at"])), str(r["author"])): r
                for r in tx.execute("SELECT * FROM notes WHERE job_id = ?", (job_id,))
            }
            for note in notes:
                mine = have.get((millis(note.created_at), note.author))
                if mine is None:
                    tx.execute(
                        "INSERT INTO notes (job_id, frame, end_frame, fps, text, drawing_json, "
                        "author, created_at, edited_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        _columns(note, job_id=job_id),
                    )
                    changed += 1
                elif mine["deleted_at"] is None and _later(note.edited_at, mine["edited_at"]):
                    tx.execute(
                        "UPDATE notes SET frame = ?, end_frame = ?, text = ?, drawing_json = ?, "
                        "edited_at = ? WHERE id = ?",
                        (note.frame, note.end_frame, note.text, _drawing(note), note.edited_at,
                         mine["id"]),
                    )  # fmt: skip
                    changed += 1
        return changed


def _later(theirs: float | None, mine: Any) -> bool:
    if theirs is None:
        return False
    return mine is None or millis(theirs) > millis(float(mine))


def _columns(note: Note, *, job_id: int | None = None) -> tuple[Any, ...]:
    return (
        note.job_id if job_id is None else job_id,
        note.frame,
        note.end_frame,
        note.fps,
        note.text,
        _drawing(note),
        note.author,
        note.created_at,
        note.edited_at,
    )


def _drawing(note: Note) -> str:
    return json.dumps(drawing_to_json(note.shapes))


def _note(row: sqlite3.Row) -> Note:
    return Note(
        id=int(row["id"]),
        job_id=int(row["job_id"]),
        frame=int(row["frame"]),
        end_frame=None if row["end_frame"] is None else int(row["end_frame"]),
        fps=float(row["fps"]),
        text=str(row["text"]),
        shapes=drawing_from_json(json.loads(row["drawing_json"])),
        author=str(row["author"]),
        created_at=float(row["created_at"]),
        edited_at=None if row["edited_at"] is None else float(row["edited_at"]),
    )


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[list[int]]:
    """Ids a few hundred at a time (SQLite bounds the parameters of one statement)."""
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), size):
        yield unique[start : start + size]
