"""SQLite library store (no Qt): one database, repositories per aggregate."""

from __future__ import annotations

from pathlib import Path

from studio.core import paths
from studio.store.assets import Asset, AssetRepo
from studio.store.budgets import BudgetRepo
from studio.store.comparisons import Comparison, ComparisonRepo, TakeRank
from studio.store.db import Database, StoreError, StoreFull, Transaction
from studio.store.flags import FlagRepo
from studio.store.jobs import (
    ALIVE,
    FINISHED,
    BatchPosition,
    FailureClass,
    JobRepo,
    JobRow,
    JobStatus,
    Origin,
    take_name,
)
from studio.store.leases import LeaseRepo, LeaseRow
from studio.store.not_names import NotNameRepo
from studio.store.notes import NoteRepo
from studio.store.origins import Library, OriginRepo, default_name
from studio.store.records import BatchRepo, ExportRepo, ProvenanceRepo
from studio.store.review import RubricRepo, TakeState, TemplateRepo, VerdictRepo
from studio.store.tag_hints import ReviewedTake, TagHintRepo

DB_NAME = "studio.db"


class Store:
    """The library: the database and its repositories."""

    def __init__(self, path: Path | None = None) -> None:
        path = path or paths.data_dir() / DB_NAME
        self.db = Database(path)
        self.jobs = JobRepo(self.db)
        self.assets = AssetRepo(self.db)
        self.budgets = BudgetRepo(self.db)
        self.templates = TemplateRepo(self.db)
        self.rubrics = RubricRepo(self.db)
        self.verdicts = VerdictRepo(self.db)
        self.leases = LeaseRepo(self.db)
        self.batches = BatchRepo(self.db)
        self.exports = ExportRepo(self.db)
        self.provenance = ProvenanceRepo(self.db)
        self.origins = OriginRepo(self.db)
        self.not_names = NotNameRepo(self.db)
        self.notes = NoteRepo(self.db)
        self.comparisons = ComparisonRepo(self.db)
        self.flags = FlagRepo(self.db)
        self.tag_hints = TagHintRepo(self.db)
        if self.db.query_one("SELECT 1 FROM take_state LIMIT 1") is None and self.db.query_one(
            "SELECT 1 FROM decisions UNION ALL SELECT 1 FROM scores LIMIT 1"
        ):
            self.verdicts.rebuild_state()  # first open after a migration that emptied it
        if not self.origins.library().name:
            self.origins.name_once(default_name(path))

    def close(self) -> None:
        self.db.close()


__all__ = [
    "ALIVE",
    "FINISHED",
    "Asset",
    "AssetRepo",
    "BatchPosition",
    "BudgetRepo",
    "Comparison",
    "ComparisonRepo",
    "Database",
    "FailureClass",
    "FlagRepo",
    "JobRepo",
    "JobRow",
    "JobStatus",
    "LeaseRepo",
    "LeaseRow",
    "Library",
    "NotNameRepo",
    "NoteRepo",
    "Origin",
    "OriginRepo",
    "ReviewedTake",
    "Store",
    "StoreError",
    "StoreFull",
    "TagHintRepo",
    "TakeRank",
    "TakeState",
    "Transaction",
    "take_name",
]
