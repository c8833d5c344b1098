"""The search syntax: parsed as documented, and never an SQL or FTS error whatever is typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.store import Store
from studio.store.search import parse, search_ids
from tests.helpers import job_values


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    s = Store(Path(tmp_path_factory.mktemp("search")) / "studio.db")
    day = dt.datetime(2026, 11, 20, 12, 0).astimezone().timestamp()
    rows = [
        ("a red fox trots through fresh snow", "launch", "sim-fast", day),
        ("a red kite over dunes at dusk", "launch", "sim-pro", day + 86400),
        ("a paper boat drifts down a gutter", "holiday", "sim-fast", day + 2 * 86400),
        ("don't stop: the fox (again)", "holiday", "sim-pro", day + 3 * 86400),
    ]
    with s.db.write() as tx:
        ids = [
            s.jobs.insert(
                tx,
                job_values(i, prompt=p, project=proj, model=m, submitted_at=t),
                at=t,
            )
            for i, (p, proj, m, t) in enumerate(rows)
        ]
    s.verdicts.decide(ids[0], "approve", reviewer="ana", at=day, scores={"m": 2, "f": 2, "b": 1})
    s.verdicts.decide(ids[1], "discard", reviewer="bo", at=day, scores={"m": 0, "f": 1, "b": 1})
    s.verdicts.decide(ids[2], "approve", reviewer="ana", at=day, scores={"m": 2})
    s.verdicts.decide(ids[2], "undo", reviewer="ana", at=day + 1)
    s.verdicts.set_tags(ids[1], ["jitter", "off-frame"], at=day)
    s.verdicts.star(ids[3], True, at=day)
    s.ids = ids  # type: ignore[attr-defined]
    yield s
    s.close()


def found(store: Store, text: str) -> list[int]:
    ids = store.ids  # type: ignore[attr-defined]
    return sorted(ids.index(i) for i in search_ids(store.db, text))


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("fox", [0, 3]),
        ("red fox", [0]),  # words are ANDed
        ('"red kite"', [1]),
        ('"kite red"', []),  # a phrase keeps its order
        ("fox -snow", [3]),
        ("dri*", [2]),
        ("project:launch", [0, 1]),
        ("project:LAUNCH model:sim-pro", [1]),
        ("decision:approve", [0]),  # the undone approval does not count
        ("decision:undecided", [2, 3]),
        ("reviewer:ana", [0]),
        ("tag:jitter", [1]),
        ("score>=5", [0]),
        ("score<3", [1]),  # the undone take has no score in force
        ("is:starred", [3]),
        ("date:2026-11-21..2026-11-22", [1, 2]),
        ("date:2026-11-23", [3]),
        ("", [0, 1, 2, 3]),
    ],
)
def test_the_syntax_finds_what_it_says(store: Store, text: str, rows: list[int]) -> None:
    assert found(store, text) == rows


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '"fox',
        "fox -",
        "-",
        "*",
        "**",
        ":",
        "fox:",
        "(fox",
        "fox)",
        "NOT",
        "AND OR",
        "a*b*",
        "'; DROP TABLE jobs; --",
        "score>=",
        "date:2026-13-45",
        "project:",
        "\x00",
        "NEAR(fox kite)",
    ],
)
def test_odd_input_is_a_search_not_an_error(store: Store, text: str) -> None:
    search_ids(store.db, text)  # no exception
    assert store.db.query("SELECT count(*) FROM jobs")[0][0] == 4


def test_a_bad_date_is_told_not_raised() -> None:
    assert parse("date:2026-13-45").problems == ["date:2026-13-45: not a date (YYYY-MM-DD)"]


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60))
def test_any_text_searches_without_error(store: Store, text: str) -> None:
    search_ids(store.db, text)


def test_facet_counts_follow_the_search(store: Store) -> None:
    from studio.store.db import Database
    from studio.store.search import search_with_facets

    def facet_counts(db: Database, text: str) -> dict[str, list[tuple[str, int]]]:
        return {
            name: [(v.label, v.hits) for v in values]
            for name, values in search_with_facets(db, text)[1].items()
        }

    everything = facet_counts(store.db, "")
    assert everything["project"] == [("holiday", 2), ("launch", 2)]
    assert dict(everything["decision"]) == {"approve": 1, "discard": 1, "undecided": 2}
    assert everything["tag"] == [("jitter", 1), ("off-frame", 1)]
    foxes = facet_counts(store.db, "fox")
    assert foxes["project"] == [("holiday", 1), ("launch", 1)]
    assert foxes["tag"] == []
    assert facet_counts(store.db, '"(unbalanced -')["project"] == []


def test_shots_follow_lineage_and_templates_are_searchable(tmp_path: Path) -> None:
    s = Store(tmp_path / "studio.db")
    try:
        template = s.templates.save(
            "spring", "speaker", "hero shot", {"subject": "a speaker"}, change_note="", at=1.0
        )
        with s.db.write() as tx:
            root = s.jobs.insert(tx, job_values("r", template_id=template.id), at=1.0)
            revision = s.jobs.insert(tx, job_values("v", parent_id=root), at=2.0)
            retry = s.jobs.insert(tx, job_values("t", retry_of=revision), at=3.0)
            other = s.jobs.insert(tx, job_values("o"), at=4.0)
        shots = {j.id: j.shot_id for j in s.jobs.many([root, revision, retry, other])}
        assert shots == {root: root, revision: root, retry: root, other: other}
        assert search_ids(s.db, f"template:{template.id}") == [root]
        assert search_ids(s.db, "template:speaker") == [root]
        assert search_ids(s.db, "template:nothing") == []
    finally:
        s.close()


def test_every_facet_value_finds_as_many_takes_as_it_counts(tmp_path: Path) -> None:
    """Each facet the panel lists (template and version, size, duration, failure class,
    score, star, reviewer, month among them): a click on a value adds its term, and that
    term finds exactly the takes counted, within the search it was counted in."""
    from studio.store.search import FACETS_SHOWN, search_with_facets

    s = Store(tmp_path / "studio.db")
    try:
        v1 = s.templates.save("spring", "speaker", "hero", {"subject": "a"}, change_note="", at=1)
        v2 = s.templates.save("spring", "speaker", "hero", {"subject": "b"}, change_note="", at=2)
        day = dt.datetime(2026, 10, 30, 12, 0).astimezone().timestamp()
        looks = [
            ("640x360", 4, "ready", None, v1.id),
            ("640x360", 8, "failed", "policy", v2.id),
            ("1280x720", 4, "failed", "transport", v2.id),
            ("1280x720", 8, "ready", None, None),
        ]
        with s.db.write() as tx:
            ids = [
                s.jobs.insert(
                    tx,
                    job_values(
                        i,
                        prompt=f"a fox {i}",
                        spec_json=f'{{"size": "{size}", "seconds": {secs}}}',
                        status=status,
                        failure_class=failure,
                        template_id=template,
                        submitted_at=day + i * 5 * 86400,
                    ),
                    at=day + i * 5 * 86400,
                )
                for i, (size, secs, status, failure, template) in enumerate(looks)
            ]
        s.verdicts.decide(ids[0], "approve", reviewer="ana", at=day, scores={"m": 2, "f": 2})
        s.verdicts.decide(ids[3], "edit", reviewer="bo", at=day, scores={"m": 1})
        s.verdicts.star(ids[3], True, at=day)
        for base in ("", "fox -0"):
            within = set(search_ids(s.db, base))
            _, counts = search_with_facets(s.db, base, facets=FACETS_SHOWN)
            for name in ("template", "size", "seconds", "failure", "score", "star",
                         "reviewer", "date"):  # fmt: skip
                assert counts[name], name
                for value in counts[name]:
                    found = set(search_ids(s.db, f"{base} {value.term}"))
                    assert found <= within
                    assert len(found) == value.hits, (base, value)
        _, counts = search_with_facets(s.db, "", facets=FACETS_SHOWN)
        assert {v.label: v.hits for v in counts["template"]} == {
            "spring / speaker / hero v1": 1,
            "spring / speaker / hero v2": 2,
        }
        assert {v.label for v in counts["seconds"]} == {"4 s", "8 s"}
        assert {v.term for v in counts["date"]} == {
            "date:2026-10-01..2026-10-31",
            "date:2026-11-01..2026-11-30",
        }
        assert [v.term for v in counts["star"]] == ["is:starred"]
        assert {v.term: v.hits for v in counts["failure"]} == {
            "failure:policy": 1,
            "failure:transport": 1,
        }
    finally:
        s.close()
