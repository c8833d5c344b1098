"""The database file: migrations from every earlier version, and files it must not touch."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from studio.store import Store, StoreError
from studio.store.db import Database
from studio.store.migrations import LATEST, MIGRATIONS


def schema(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1, 2"
        ).fetchall()
    return [(r[0], r[1]) for r in rows]


def seed_v1(db: Database) -> None:
    with db.write() as tx:
        tx.execute("INSERT INTO batches (id, name, created_at) VALUES (1, 'launch', 1.0)")
        for i in range(3):
            tx.execute(
                "INSERT INTO jobs (batch_id, provider, model, prompt, spec_json, idem_key, "
                "status, queue_pos, created_at, updated_at) VALUES (1, 'sim', 'sim-fast', ?, "
                "'{}', ?, 'ready', ?, 1.0, 1.0)",
                (f"a lighthouse at dusk, take {i}", f"key-{i}", i),
            )
        tx.execute(
            "INSERT INTO assets (job_id, kind, path, sha256, size, duration, created_at) "
            "VALUES (1, 'video', 'clips/1/video.mp4', 'abc', 10, 4.0, 1.0)"
        )


@pytest.mark.parametrize("start", range(LATEST))
def test_every_migration_path_reaches_the_same_schema_and_keeps_data(
    tmp_path: Path, start: int
) -> None:
    fresh = tmp_path / "fresh.db"
    Database(fresh).close()
    old = tmp_path / "old.db"
    db = Database(old, migrations=MIGRATIONS[:start])
    assert db.version == start
    if start >= 1:
        seed_v1(db)
    db.close()
    upgraded = Database(old)
    assert upgraded.version == LATEST
    upgraded.close()
    assert schema(old) == schema(fresh)
    if start >= 1:
        store = Store(old)
        assert len(store.jobs.search("lighthouse")) == 3  # FTS built from older rows
        assert store.assets.for_job(1)["video"].duration == 4.0
        store.close()


def test_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = Database(tmp_path / "s.db")
    assert db.query("PRAGMA journal_mode")[0][0] == "wal"
    assert db.query("PRAGMA foreign_keys")[0][0] == 1
    with pytest.raises(sqlite3.IntegrityError), db.write() as tx:
        tx.execute(
            "INSERT INTO assets (job_id, kind, path, sha256, size, created_at) "
            "VALUES (999, 'video', 'x', 'y', 1, 1.0)"
        )
    db.close()


def test_a_newer_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Database(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    before = path.read_bytes()
    with pytest.raises(StoreError, match=rf"newer Studio \(schema version {LATEST + 1}"):
        Store(path)
    assert path.read_bytes() == before


def test_a_damaged_database_is_kept_and_copied(tmp_path: Path) -> None:
    path = tmp_path / "studio.db"
    path.write_bytes(b"this is not a database at all" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="is damaged") as info:
        Store(path)
    assert "left as it is" in str(info.value)
    assert path.read_bytes() == before
    copies = list(tmp_path.glob("studio.db.damaged-*"))
    assert len(copies) == 1
    assert copies[0].read_bytes() == before


def test_two_damaged_copies_in_one_second_both_survive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy was named to the second: a second attempt in that second overwrote the
    first copy (of a file that may have changed meanwhile)."""
    monkeypatch.setattr("studio.store.db.time.strftime", lambda *_a: "20261124-101010")
    path = tmp_path / "studio.db"
    contents = []
    for i in range(2):
        path.write_bytes(f"not a database, attempt {i} ".encode() * 100)
        contents.append(path.read_bytes())
        with pytest.raises(StoreError, match="is damaged"):
            Store(path)
    copies = sorted(tmp_path.glob("studio.db.damaged-*"))
    assert [c.name for c in copies] == [
        "studio.db.damaged-20261124-101010",
        "studio.db.damaged-20261124-101010-2",
    ]
    assert [c.read_bytes() for c in copies] == contents


def test_a_corrupted_page_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "studio.db"
    store = Store(path)
    with store.db.write() as tx:
        for i in range(300):
            tx.execute(
                "INSERT INTO jobs (provider, model, prompt, spec_json, idem_key, status, "
                "queue_pos, created_at, updated_at) "
                "VALUES ('sim', 'm', ?, '{}', ?, 'ready', ?, 1, 1)",
                ("long prompt text " * 20 + str(i), f"k{i}", i),
            )
    store.db.query("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 3, 4096 * 3 + 2000):  # scribble over the third page
        data[offset] = 0x5A
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged"):
        Store(path)


def test_a_locked_database_says_so(tmp_path: Path) -> None:
    path = tmp_path / "studio.db"
    Database(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked by another program"):
            Database(path, busy_timeout=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_writes_roll_back_on_error(tmp_path: Path) -> None:
    db = Database(tmp_path / "s.db")

    def failing_write() -> None:
        with db.write() as tx:
            tx.execute("INSERT INTO batches (name, created_at) VALUES ('x', 1)")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_write()
    assert db.query("SELECT COUNT(*) FROM batches")[0][0] == 0
    db.close()
