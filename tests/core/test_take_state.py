"""The rules for a take's review state (studio.core.take_state), on plain values."""

from __future__ import annotations

from studio.core.take_state import (
    Given,
    Tally,
    Terms,
    in_force,
    scores_in_force,
    tally,
    terms_of,
)

V1, V2 = 1, 2
THREE = Terms(("motion", "framing", "brand"), 5)


def test_the_decision_in_force_is_the_history_replayed() -> None:
    assert in_force([]) is None
    assert in_force(["approve"]) == 0
    assert in_force(["approve", "undo"]) is None
    assert in_force(["edit", "approve", "undo"]) == 0  # an undo takes back the one before
    assert in_force(["edit", "undo", "undo", "discard"]) == 3  # nothing left to take back
    assert in_force(["approve", "undo", "discard", "undo", "approve"]) == 4


def test_the_latest_score_per_criterion_a_decision_giving_its_scores_at_its_time() -> None:
    rows = [Given("motion", 1, 10.0, V1), Given("framing", 2, 11.0, V1)]
    assert scores_in_force(rows) == ({"motion": 1, "framing": 2}, V1)
    decided = [Given("motion", 2, 20.0, V1), Given("framing", 2, 20.0, V1)]
    assert scores_in_force(rows, decided) == ({"motion": 2, "framing": 2}, V1)
    later = [*rows, Given("brand", 0, 30.0, V2)]  # scored after the decision, under v2
    assert scores_in_force(later, decided) == ({"motion": 2, "framing": 2, "brand": 0}, V2)
    # a score in the same millisecond as the decision was given after it
    same = [Given("motion", 0, 20.0004, V2)]
    assert scores_in_force(same, decided) == ({"motion": 0, "framing": 2}, V2)
    # a decision that names no rubric leaves the version to the scores that do
    assert scores_in_force(rows, [Given("brand", 1, 40.0, None)])[1] == V1


def test_the_total_counts_the_criteria_of_the_version_the_scores_were_given_under() -> None:
    assert tally({"motion": 2, "framing": 2, "brand": 2}, THREE) == Tally(6, 6, True, True)
    # a criterion that version does not have does not count; one it has and lacks: not complete
    assert tally({"motion": 2, "framing": 2, "audio": 2}, THREE) == Tally(4, 6, False, False)
    assert tally({"motion": 2, "framing": 2, "brand": 0}, THREE) == Tally(4, 6, True, False)
    assert tally({"motion": 2, "framing": 1, "brand": 1}, THREE) == Tally(4, 6, True, False)
    assert tally({"motion": 2, "framing": 2, "brand": 1}, THREE).passes
    # no rubric known: every criterion scored counts, out of nothing
    assert tally({"motion": 2, "audio": 1}, None) == Tally(3, None, False, False)
    assert Tally(3, None, False, False).shown() == "3"
    assert Tally(5, 6, True, True).shown() == "5/6"


def test_terms_are_read_from_a_stored_body_or_not_at_all() -> None:
    body = {"criteria": [{"id": "motion"}, {"id": "framing"}], "pass_threshold": 3}
    assert terms_of(body) == Terms(("motion", "framing"), 3)
    assert terms_of({"criteria": [{"id": "motion"}]}) == Terms(("motion",), 1)  # 2n - 1
    for bad in ({}, {"criteria": []}, {"criteria": ["motion"]}, {"criteria": [{"id": ""}]},
                {"criteria": [{"id": "m"}], "pass_threshold": "5"}):  # fmt: skip
        assert terms_of(bad) is None, bad
