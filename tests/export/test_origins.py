"""A take keeps its origin (the library it was made in, and its number there) through every
import; a sidecar older than origins still comes in whole; lineage is linked by origin to
takes an earlier import brought; a sidecar naming a rubric version it does not define is
refused with the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.export import export_takes
from studio.export.importer import import_folder
from studio.export.sidecar_read import BadSidecar, read_sidecar
from studio.review.rubric import load_active
from studio.review.session import ReviewSession
from studio.store import Store
from studio.store.search import verdicts
from tests.export.test_import_hostile import clips, put, sidecar_for
from tests.ui.review_library import make_library

__all__ = ["clips"]  # the module's fixture, used here too


def test_a_sidecar_older_than_origins_comes_in_whole(
    store: Store, library: Path, tmp_path: Path, clips: list[bytes]
) -> None:
    drop = tmp_path / "drop"
    clip = put(drop / "a.mp4", clips[0])
    (drop / "a.json").write_text(json.dumps(sidecar_for(clip, take_id=7)))
    report = import_folder(store, library, drop)
    (job_id,) = report.added
    job = store.jobs.get(job_id)
    assert job is not None
    assert job.name == f"#{job_id} · #7 from another library"  # no library id: unknown
    assert (job.provider, job.remote_id, job.estimated_cost) == ("sim", "video_1", 0.4)
    assert job.submitted_at == pytest.approx(job.created_at + 1)
    assert job.finished_at == pytest.approx(job.created_at + 30)
    assert job.imported
    # the decision's scores are the take's total, the same in the Library and the review
    state = store.verdicts.states([job_id])[job_id]
    assert state.tally is not None
    assert state.tally.shown() == "2/2"
    assert verdicts(store.db, [job_id])[job_id].total == 2
    take = ReviewSession(store, load_active(store), [job_id], reviewer="bo").take
    assert take.tally == state.tally
    assert take.scores == {"motion": 2}


def test_lineage_is_linked_by_origin_to_a_take_an_earlier_import_brought(
    tmp_path: Path,
) -> None:
    made, made_library, (parent, child) = make_library(tmp_path / "a", 2, distinct=2,
                                                       size=(320, 180))  # fmt: skip
    with made.db.write() as tx:
        made.jobs.update(tx, child, at=30.0, parent_id=parent)
        made.jobs.refresh_shots(tx)
    parent_row, child_row = made.jobs.many([parent, child])
    export_takes(made, made_library, [parent_row], tmp_path / "parent")
    export_takes(made, made_library, [child_row], tmp_path / "child")
    a = made.origins.library()
    made.close()

    here = Store(tmp_path / "b" / "studio.db")
    library = tmp_path / "b" / "library"
    try:
        (new_child,) = import_folder(here, library, tmp_path / "child").added
        assert here.jobs.get(new_child).parent_id is None  # type: ignore[union-attr]
        (new_parent,) = import_folder(here, library, tmp_path / "parent").added
        import_folder(here, library, tmp_path / "child")  # again: now its parent is here
        copy = here.jobs.get(new_child)
        assert copy is not None
        assert copy.parent_id == new_parent
        assert copy.shot_id == new_parent
        assert copy.name == f"#{new_child} · #{child} from {a.name}"
        assert (copy.origin_library, copy.origin_take) == (a.id, child)
        # the batch both came from is one batch here, found by its origin
        assert copy.batch_id is not None
        assert here.jobs.get(new_parent).batch_id == copy.batch_id  # type: ignore[union-attr]
        assert here.origins.batch_info(copy.batch_id).name == "review"  # type: ignore[union-attr]
    finally:
        here.close()


def test_a_sidecar_naming_a_rubric_version_it_does_not_define_is_refused(
    tmp_path: Path, clips: list[bytes]
) -> None:
    clip = put(tmp_path / "a.mp4", clips[0])
    side = sidecar_for(clip)
    side["review"]["history"][0]["rubric"] = {"name": "default", "version": 4}
    path = tmp_path / "a.json"
    path.write_text(json.dumps(side))
    with pytest.raises(BadSidecar) as refused:
        read_sidecar(path)
    assert refused.value.field == "review.history[0].rubric"
    assert "v4, which the sidecar does not define" in str(refused.value)
    side["review"]["history"][0]["rubric"] = {"name": "default", "version": 1}
    path.write_text(json.dumps(side))
    assert read_sidecar(path) is not None  # the decision's own rubric defines v1
