"""A take imported damaged says so in the Library's Status column (its reason as the
tooltip), and `is:damaged` finds it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from studio.export.importer import import_folder
from studio.sim.render import ClipRequest, render_clip
from studio.store import Store
from studio.store.search import search_ids
from studio.ui.library.library_model import COLUMNS, LibraryModel


def test_a_damaged_take_reads_damaged_in_the_library(qapp: QApplication, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    request = ClipRequest(prompt="a long take", width=320, height=180, seconds=4, take="long")
    whole = render_clip(request, tmp_path / "render").video.read_bytes()
    drop.mkdir()
    (drop / "cut.mp4").write_bytes(whole[: len(whole) // 2])
    (drop / "whole.mp4").write_bytes(whole)
    store = Store(tmp_path / "studio.db")
    try:
        report = import_folder(store, tmp_path / "library", drop)
        assert len(report.added) == 2
        model = LibraryModel(store, tmp_path / "library")
        model.show("", sorted(report.added))
        status = COLUMNS.index("Status")
        rows = {
            model.index(row, COLUMNS.index("Prompt")).data(): model.index(row, status)
            for row in range(model.rowCount())
        }
        assert rows["cut"].data() == "ready · damaged"
        tip = rows["cut"].data(Qt.ItemDataRole.ToolTipRole)
        assert tip.startswith("Damaged: ")
        assert "of 96 frames decode" in tip
        assert rows["whole"].data() == "ready"
        assert rows["whole"].data(Qt.ItemDataRole.ToolTipRole) is None
        (damaged,) = search_ids(store.db, "is:damaged")
        assert store.jobs.get(damaged).prompt == "cut"  # type: ignore[union-attr]
    finally:
        store.close()
