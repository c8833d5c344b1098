"""An import is one library operation: the views hear one change naming every take it
brought (and the known ones whose review records it merged), not one per clip."""

from __future__ import annotations

from pathlib import Path

from studio.export import export_takes, takes_to_export
from studio.export.importer import import_folder
from studio.library.ops import CLIPS, REVIEW, TAKES, DecisionEntry, LibraryChange, ops_for
from studio.sim.render import ClipRequest, render_clip
from studio.store import Store


def test_an_import_tells_one_change_naming_the_takes_it_brought(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    for n, prompt in enumerate(("a kite", "a heron", "a lantern")):
        request = ClipRequest(prompt=prompt, width=160, height=90, seconds=1, take=str(n))
        clip = render_clip(request, tmp_path / f"render{n}").video
        drop.mkdir(exist_ok=True)
        (drop / f"{n}.mp4").write_bytes(clip.read_bytes())
    (drop / "notes.txt").write_text("not a clip")
    store = Store(tmp_path / "studio.db")
    try:
        told: list[LibraryChange] = []
        ops_for(store).listen(told.append)
        report = import_folder(store, tmp_path / "library", drop)
        assert len(report.added) == 3
        assert len(told) == 1
        (change,) = told
        assert change.takes == frozenset(report.added)
        assert change.about({TAKES})
        assert change.what >= REVIEW | {CLIPS}

        # the same plain clips again: nothing new, nothing merged, nothing told
        again = import_folder(store, tmp_path / "library", drop)
        assert again.added == []
        assert sorted(again.known) == sorted(report.added)
        assert len(told) == 1

        # approved and exported (with sidecars) into a second library: one change there too
        entries = [DecisionEntry(i, "approve") for i in report.added]
        ops_for(store).decide(entries, reviewer="ana", rubric_id=None)
        out = tmp_path / "out"
        export_takes(store, tmp_path / "library", takes_to_export(store), out)
        other = Store(tmp_path / "other.db")
        try:
            heard: list[LibraryChange] = []
            ops_for(other).listen(heard.append)
            moved = import_folder(other, tmp_path / "library2", out)
            assert len(moved.added) == 3
            assert [c.takes for c in heard] == [frozenset(moved.added)]
        finally:
            other.close()
    finally:
        store.close()
