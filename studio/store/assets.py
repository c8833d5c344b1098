"""Assets: the files a job produced, with checksum, size and duration."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from studio.store.db import Database, Transaction


@dataclass(frozen=True)
class Asset:
    id: int
    job_id: int
    kind: str  # video | thumbnail | spritesheet | reference
    path: str  # relative to the library folder
    sha256: str
    size: int
    duration: float | None
    created_at: float


class AssetRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self,
        tx: Transaction,
        *,
        job_id: int,
        kind: str,
        path: str,
        sha256: str,
        size: int,
        duration: float | None,
        at: float,
    ) -> None:
        tx.execute(
            "INSERT INTO assets (job_id, kind, path, sha256, size, duration, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, kind) DO UPDATE SET "
            "path = excluded.path, sha256 = excluded.sha256, size = excluded.size, "
            "duration = excluded.duration, created_at = excluded.created_at",
            (job_id, kind, path, sha256, size, duration, at),
        )

    def for_job(self, job_id: int) -> dict[str, Asset]:
        rows = self.db.query("SELECT * FROM assets WHERE job_id = ?", (job_id,))
        return {r["kind"]: Asset(**dict(r)) for r in rows}

    def file(self, library: Path, job_id: int, kind: str) -> Path | None:
        """Where a job's asset of this kind is in the library (None if it has none)."""
        asset = self.for_job(job_id).get(kind)
        return library / asset.path if asset is not None else None

    def video_durations(self) -> dict[int, float]:
        """Each take's clip length in seconds (0 where unknown)."""
        rows = self.db.query("SELECT job_id, duration FROM assets WHERE kind = 'video'")
        return {int(r[0]): float(r[1] or 0.0) for r in rows}

    def all(self) -> list[Asset]:
        return [Asset(**dict(r)) for r in self.db.query("SELECT * FROM assets ORDER BY id")]

    def record_deletion(
        self, tx: Transaction, job_id: int, kind: str, *, at: float, by: str
    ) -> None:
        """A person removed this file on purpose: nothing fetches it again."""
        tx.execute(
            "INSERT OR REPLACE INTO asset_deletions (job_id, kind, at, reviewer) VALUES (?,?,?,?)",
            (job_id, kind, at, by),
        )

    def take_with_video(self, sha256: str) -> int | None:
        """The first take whose clip has these bytes (an import finds what it has)."""
        row = self.db.query_one(
            "SELECT job_id FROM assets WHERE kind = 'video' AND sha256 = ? ORDER BY job_id",
            (sha256,),
        )
        return int(row[0]) if row else None

    def deleted_on_purpose(self, job_id: int, kind: str = "video") -> bool:
        row = self.db.query_one(
            "SELECT 1 FROM asset_deletions WHERE job_id = ? AND kind = ?", (job_id, kind)
        )
        return row is not None

    def present(self, library: Path, job_id: int, kind: str = "video") -> bool:
        """The file is in the library with the size it was saved with."""
        asset = self.for_job(job_id).get(kind)
        if asset is None:
            return False
        path = library / asset.path
        try:
            return path.stat().st_size == asset.size
        except OSError:
            return False
