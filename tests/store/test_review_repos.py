"""Templates and rubrics are versioned; scores and decisions are appended as history."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.store import Store
from tests.helpers import job_values


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "s.db")


def test_template_versions_with_change_notes(store: Store) -> None:
    v1 = store.templates.save(
        "spring", "sneaker", "social ad", {"subject": "a sneaker"}, change_note="first", at=1.0
    )
    v2 = store.templates.save(
        "spring", "sneaker", "social ad", {"subject": "a red sneaker"}, change_note="colour", at=2.0
    )
    store.templates.mark_known_good(v2.id)
    versions = store.templates.versions("spring", "sneaker", "social ad")
    assert [(t.version, t.change_note, t.known_good) for t in versions] == [
        (1, "first", False),
        (2, "colour", True),
    ]
    assert versions[0].slots == {"subject": "a sneaker"}
    assert v1.id != v2.id


def test_template_search_words_flags_and_names(store: Store) -> None:
    save = store.templates.save
    save("Spring", "sneaker", "social ad", {"subject": "a sneaker"}, change_note="", at=1)
    save("Spring", "sneaker", "social ad", {"subject": "a red sneaker"}, change_note="red", at=2)
    good = save("autumn", "Café crème", "loop", {"setting": "a café terrace"}, change_note="", at=3)
    store.templates.mark_known_good(good.id)

    def found(text: str = "", **flags: bool) -> list[tuple[str, int]]:
        return [(t.campaign, t.version) for t in store.templates.search(text, **flags)]

    assert found() == [("autumn", 1), ("Spring", 2), ("Spring", 1)]
    assert found("SNEAKER red") == [("Spring", 2)]  # every word, any case, slots included
    assert found("CAFÉ terrace") == [("autumn", 1)]  # non-ASCII matched as typed
    assert found("subject") == []  # slot names are not content
    assert found("100%_") == []
    assert found(latest_only=True) == [("autumn", 1), ("Spring", 2)]
    assert found(known_good_only=True) == [("autumn", 1)]
    assert store.templates.next_version("Spring", "sneaker", "social ad") == 3
    assert store.templates.next_version("new", "x", "y") == 1
    assert store.templates.names()["campaign"] == ["autumn", "Spring"]


def test_rubric_versions(store: Store) -> None:
    first = store.rubrics.save("default", {"threshold": 5}, at=1.0)
    second = store.rubrics.save("default", {"threshold": 4}, at=2.0)
    assert (first[1], second[1]) == (1, 2)
    assert store.rubrics.latest("default") == (second[0], 2, {"threshold": 4})
    assert store.rubrics.latest("missing") is None


def test_scores_and_decisions_are_history(store: Store) -> None:
    with store.db.write() as tx:
        job_id = store.jobs.insert(tx, job_values(), at=1.0)
    rubric_id, _ = store.rubrics.save("default", {}, at=1.0)
    store.verdicts.score(job_id, rubric_id, "motion", 1, reviewer="ana", at=2.0)
    store.verdicts.score(job_id, rubric_id, "motion", 2, reviewer="ana", at=3.0)
    assert store.verdicts.scores(job_id) == {"motion": 2}
    store.verdicts.decide(
        job_id,
        "discard",
        reviewer="ana",
        at=4.0,
        escalate=True,
        note="logo visible",
        rubric_id=rubric_id,
    )
    store.verdicts.decide(job_id, "undo", reviewer="ana", at=5.0)
    history = store.verdicts.history(job_id)
    assert [(d.decision, d.escalate, d.note) for d in history] == [
        ("discard", True, "logo visible"),
        ("undo", False, ""),
    ]
    assert store.verdicts.current([job_id]) == {}  # the discard was taken back

    approve = store.verdicts.decide(
        job_id, "approve", reviewer="ana", at=6.0, scores={"motion": 2}, tags=("logo",)
    )
    assert (approve.scores, approve.tags) == ({"motion": 2}, ("logo",))
    store.verdicts.decide(job_id, "edit", reviewer="ben", at=7.0)
    store.verdicts.decide(job_id, "undo", reviewer="ben", at=8.0)
    assert store.verdicts.current([job_id])[job_id].decision == "approve"
    assert len(store.verdicts.history(job_id)) == 5  # nothing is ever rewritten
    store.verdicts.star(job_id, True, at=9.0)
    store.verdicts.star(job_id, True, at=9.5)
    assert store.verdicts.starred() == {job_id}
    store.verdicts.star(job_id, False, at=10.0)
    assert store.verdicts.starred() == set()
