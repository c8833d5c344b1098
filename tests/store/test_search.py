"""The search syntax: parsed as documented, and never an SQL or FTS error whatever is typed."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.core.flags import Flag, Screening
from studio.library.ops import ops_for
from studio.store import Store, search
from studio.store.search import (
    FACETS,
    FACETS_SHOWN,
    MAX_TERMS,
    parse,
    search_hits,
    search_ids,
    search_with_facets,
    stacks,
)
from tests.helpers import job_values
from tests.store.tagged import add_take


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
    screen(s, ids[0])  # screened: nothing flagged
    screen(s, ids[1], "black", "frozen", "black")
    screen(s, ids[2], "frozen")
    s.ids = ids  # type: ignore[attr-defined]
    yield s
    s.close()


def screen(store: Store, job_id: int, *checks: str) -> None:
    """A pre-screen of the take with a flag of each check (one second each)."""
    flags = tuple(Flag(c, i, i + 1.0, 24 * i, 24 * i + 23, 0.0, 1.0) for i, c in enumerate(checks))
    ops_for(store).record_screening(job_id, "ab" * 32, Screening(flags, "1-test", {}, 1.0))


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
        ("flag:black", [1]),
        ("flag:FROZEN", [1, 2]),
        ("flag:black flag:frozen", [1, 2]),  # a facet's values are ORed
        ("flag:any", [1, 2]),
        ("is:flagged", [1, 2]),
        ("flag:none", [0]),  # screened, nothing flagged (3 was never screened)
        ("flag:none flag:black", [0, 1]),
        ("flag:silence", []),
        ("fox is:flagged", []),
        ("kite flag:frozen", [1]),
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


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # speed is for the benchmarks: a loaded machine may take longer per example
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
        screen(s, ids[0], "black", "blur")
        screen(s, ids[1], "blur")
        screen(s, ids[2])
        for base in ("", "fox -0"):
            within = set(search_ids(s.db, base))
            _, counts = search_with_facets(s.db, base, facets=FACETS_SHOWN)
            for name in ("template", "size", "seconds", "failure", "score", "star",
                         "reviewer", "date", "flag"):  # fmt: skip
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
        assert {v.term: v.hits for v in counts["flag"]} == {
            "flag:blur": 2,
            "flag:black": 1,
            "flag:none": 1,
        }
        assert {v.term: v.hits for v in counts["failure"]} == {
            "failure:policy": 1,
            "failure:transport": 1,
        }
    finally:
        s.close()


# ---- every text answers: hits, or one message naming the term it cannot use ----------------

EVERY = [0, 1, 2, 3]
TOO_LARGE = "number too large (at most 9223372036854775807)"
OUT_OF_RANGE = "date out of range (1970-01-01 to 9999-12-31)"


@pytest.mark.parametrize(
    ("text", "rows", "problems"),
    [
        # these raised (OverflowError, ValueError, sqlite3.OperationalError) before
        ("date:9999-12-31", [], []),  # the last day there is: searched, nothing then
        ("date:2026-11-23..9999-12-31", [3], []),
        ("date:0001-01-01", EVERY, [f"date:0001-01-01: {OUT_OF_RANGE}"]),
        (
            "fox date:0001-01-01..9999-12-31",
            [0, 3],
            [f"date:0001-01-01..9999-12-31: {OUT_OF_RANGE}"],
        ),
        ("date:1969-12-31", EVERY, [f"date:1969-12-31: {OUT_OF_RANGE}"]),
        ("date:1970-01-01", [], []),
        ("shot:²", EVERY, ["shot:²: not a take number"]),
        ("shot:99999999999999999999", EVERY, [f"shot:99999999999999999999: {TOO_LARGE}"]),
        ("shot:9223372036854775807", [], []),  # SQLite's largest INTEGER: searched
        ("shot:9223372036854775808", EVERY, [f"shot:9223372036854775808: {TOO_LARGE}"]),
        ("batch:99999999999999999999", EVERY, [f"batch:99999999999999999999: {TOO_LARGE}"]),
        ("fox " * 1000, [0, 3], ["fox: too many terms (only the first 100 are searched)"]),
        (
            " ".join(f"w{i}" for i in range(1000)),
            [],
            ["w100: too many terms (only the first 100 are searched)"],
        ),
        (
            " ".join(f"template:t{i}" for i in range(1000)),
            [],
            ["template:t100: too many terms (only the first 100 are searched)"],
        ),
        # numbers: ASCII digits only (\d and int() take ² and ١٢), at most an INTEGER
        ("shot:١٢", EVERY, ["shot:١٢: not a take number"]),
        ("batch:٣", EVERY, ["batch:٣: not a batch number"]),
        ("shot:#", EVERY, ["shot:#: not a take number"]),
        ("shot:-1", EVERY, ["shot:-1: not a take number"]),
        ("shot:00000000000000000000000000000", [], []),  # long, yet 0
        ("template:99999999999999999999", [], []),  # an id or a word: text, compared as text
        ("template:١٢", [], []),
        ("seconds:99999999999999999999", [], []),  # compared as the requested text
        ("score>=999", [], []),
        ("score>=9999", [], []),
        ("score<99999999999999999999", EVERY, [f"score<99999999999999999999: {TOO_LARGE}"]),
        ("score>=١", EVERY, ["score>=١: not a whole number (0 or more)"]),
        ("score>=", EVERY, ["score>=: not a whole number (0 or more)"]),
        ("score>=-1", EVERY, ["score>=-1: not a whole number (0 or more)"]),
        ("score=>5", EVERY, ["score=>5: not a whole number (0 or more)"]),
        # dates: either order, real days, ASCII digits
        ("date:2026-11-22..2026-11-21", [1, 2], []),  # reversed: the same days
        ("date:2026-02-30", EVERY, ["date:2026-02-30: not a date (YYYY-MM-DD)"]),
        ("date:2026-11-01..", EVERY, ["date:2026-11-01..: not a date (YYYY-MM-DD)"]),
        ("date:2026-1-1", EVERY, ["date:2026-1-1: not a date (YYYY-MM-DD)"]),
        ("date:٢٠٢٦-١١-٢١", EVERY, ["date:٢٠٢٦-١١-٢١: not a date (YYYY-MM-DD)"]),
        (
            "date:2026-11-21..2026-11-22..2026-11-23",
            EVERY,
            ["date:2026-11-21..2026-11-22..2026-11-23: not a date (YYYY-MM-DD)"],
        ),
        # empty facet values, unknown states
        ("fox project:", [0, 3], ["project: has no value"]),
        ('project:"', EVERY, ['project:" has no value']),
        ("date:", EVERY, ["date: has no value"]),
        ("is:", EVERY, ["is:: unknown (try is:starred, is:damaged or is:flagged)"]),
        (
            "is:damaged-ish",
            EVERY,
            ["is:damaged-ish: unknown (try is:starred, is:damaged or is:flagged)"],
        ),
        (
            "flag:frozn",
            EVERY,
            [
                "flag:frozn: not a check (try flag:undecodable, flag:black, flag:frozen, "
                "flag:flicker, flag:blur, flag:silence, flag:duration, flag:size, "
                "flag:frame_rate, flag:any, flag:none)"
            ],
        ),
        ("flag:", EVERY, ["flag: has no value"]),
        # NUL, lone surrogates (a command line's undecodable bytes), very long words
        ("\x00", EVERY, []),
        ("fox\x00", [0, 3], []),
        ("project:\x00", [], []),
        ("fox\udcff", [0, 3], []),
        ("project:\udcff", [], []),
        ("a" * 100_000, [], []),
        ("shot:" + "9" * 100_000, EVERY, [f"shot:{'9' * 34}…: {TOO_LARGE}"]),  # cut short
        ('"red\nfox" ' * 101, [0], ['"red fox": too many terms (only the first 100 are searched)']),
    ],
)
def test_every_text_gets_hits_or_a_message_naming_its_term(
    store: Store, text: str, rows: list[int], problems: list[str]
) -> None:
    assert found(store, text) == rows
    assert parse(text).problems == problems


@pytest.fixture
def tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The local zone is Tokyo (UTC+9, no daylight saving) for this test."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_every_day_has_the_same_midnight_where_the_platform_cannot_place_it(
    tokyo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows' local time knows no day before 1970 or after 3000: there the zone's offset of
    the nearest day it knows stands in, so days up to 9999-12-31 are searched alike (a
    platform error made every date past 3000 "out of range")."""
    days = [dt.date(1970, 1, 1), dt.date(2026, 12, 5), dt.date(5000, 6, 1), dt.date.max]
    here = [search.local_midnight(d) for d in days]
    assert (
        here[1] == dt.datetime(2026, 12, 5, tzinfo=dt.timezone(dt.timedelta(hours=9))).timestamp()
    )
    real = search._utc_offset

    def windows(moment: dt.datetime) -> float:
        if not 1970 <= moment.year <= 3000 or moment < dt.datetime(1970, 1, 2):
            raise OSError(22, "Invalid argument")
        return real(moment)

    monkeypatch.setattr(search, "_utc_offset", windows)
    assert [search.local_midnight(d) for d in days] == here
    assert search.day_span(days[2], dt.date.max) == (here[2], here[3] + 86400)
    for text in ("date:5000-06-01", "date:2026-11-23..9999-12-31", "date:1970-01-01"):
        assert parse(text).problems == [], text


@pytest.mark.parametrize(
    "term",
    ["fox", "-kite", "dri*", '"red fox"', "project:launch", "tag:jitter", "template:spring",
     "shot:1", "batch:1", "decision:undecided", "score>=1", "is:starred", "date:2026-11-20",
     "seconds:8", "fox:"],
)  # fmt: skip
def test_terms_are_searched_up_to_the_bound_and_told_after_it(store: Store, term: str) -> None:
    at_the_bound = " ".join([term] * MAX_TERMS)
    assert parse(at_the_bound).problems == []
    assert found(store, at_the_bound) == found(store, term)
    over = f"{at_the_bound} {term}"
    assert parse(over).problems == [
        f"{term}: too many terms (only the first {MAX_TERMS} are searched)"
    ]
    assert found(store, over) == found(store, term)  # the first 100 answered


def test_the_bound_is_far_below_what_sqlite_refuses(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite refuses an expression deeper than its limit (1000): one word a level. Four
    times the bound of each kind of term, mixed, still runs; past SQLite's limit, it fails:
    the bound is what keeps a search from it."""
    import sqlite3

    from studio.store import search

    kinds = ["fox", "-kite", "dri*", '"red fox"', "project:launch", "tag:jitter",
             "template:spring", "shot:1", "batch:1", "score>=1", "date:2026-11-20",
             "is:starred"]  # fmt: skip
    monkeypatch.setattr(search, "MAX_TERMS", 100 * MAX_TERMS)
    for term in kinds:
        assert found(store, " ".join([term] * 4 * MAX_TERMS)) == found(store, term), term
    mixed = " ".join(kinds[i % len(kinds)] for i in range(4 * MAX_TERMS))
    assert found(store, mixed) == []
    depth = sqlite3.connect(":memory:").getlimit(sqlite3.SQLITE_LIMIT_EXPR_DEPTH)
    assert depth > 4 * MAX_TERMS
    with pytest.raises(sqlite3.OperationalError, match="too large"):
        search_ids(store.db, " ".join(["fox"] * (depth + 1)))


# Values typed into numbers, days and facets: good ones, and every kind of bad one.
ODD_NUMBERS = ["", "#", "#12", "²", "١٢", "٣", "0", "1.5", "1e3", "0x10",
               "9223372036854775807", "9223372036854775808", "9" * 5000]  # fmt: skip
ODD_DAYS = ["", "2026-02-30", "2026-13-45", "0000-01-01", "9999-12-31", "٢٠٢٦-١١-٢١",
            "2026-1-1"]  # fmt: skip
VALUES = ['"', "launch", "sim-fast", "approve", "undecided", "jitter", "ana", "1280x720", "8",
          "policy", "black", "FROZEN", "any", "none"]  # fmt: skip


def _term_texts() -> st.SearchStrategy[str]:
    """Terms over the whole grammar: words, phrases, exclusions, prefixes, every facet with
    good and bad values, score comparisons, is:, dates and ranges, and any unicode."""
    word = st.text(
        st.characters(blacklist_categories=("Zs", "Zl", "Zp", "Cc")), min_size=1, max_size=12
    ) | st.sampled_from(["fox", "red", "kite", "snow", "dol", "NOT", "AND", "NEAR", "*", "-"])
    number = st.integers(min_value=-5, max_value=2**70).map(str) | st.sampled_from(ODD_NUMBERS)
    day = st.dates().map(lambda d: d.strftime("%Y-%m-%d").zfill(10)) | st.sampled_from(ODD_DAYS)
    value = word | number | st.sampled_from(VALUES)
    return st.one_of(
        word,
        word.map(lambda w: f'"{w} {w}"'),
        word.map(lambda w: f'"{w}'),
        word.map(lambda w: f"-{w}"),
        word.map(lambda w: f"{w}*"),
        st.tuples(st.sampled_from(FACETS), value).map(lambda kv: f"{kv[0]}:{kv[1]}"),
        st.tuples(st.sampled_from(FACETS), value).map(lambda kv: f"{kv[0].upper()}:{kv[1]}"),
        st.tuples(st.sampled_from([">=", "<=", ">", "<", "=", "=>", ""]), number).map(
            lambda on: f"score{on[0]}{on[1]}"
        ),
        (word | st.sampled_from(["starred", "damaged", "flagged"])).map(lambda w: f"is:{w}"),
        day.map(lambda d: f"date:{d}"),
        st.tuples(day, day).map(lambda dd: f"date:{dd[0]}..{dd[1]}"),
        st.text(max_size=20),  # anything at all: NUL, surrogates, marks, digits of any script
    )


_SPACES = st.sampled_from([" ", "  ", "\t", "\n", "\u3000"])


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(st.tuples(_term_texts(), _SPACES), max_size=MAX_TERMS + 20).map(
        lambda terms: "".join(t + s for t, s in terms)
    )
)
def test_the_whole_grammar_always_answers(store: Store, text: str) -> None:
    """Whatever is typed: no exception, takes of the library, and each problem one line that
    names a term of the text."""
    every = set(store.ids)  # type: ignore[attr-defined]
    query = parse(text)
    ids = search_ids(store.db, text)  # as the command line searches
    assert set(ids) <= every
    hits, _ = search_with_facets(store.db, text, facets=FACETS_SHOWN)  # as the Library does
    assert hits == ids
    assert set(stacks(store.db)[0]) <= every
    # as messages show terms: surrogates replaced, blanks and control characters one space
    shown = re.sub(r"[\s\x00-\x1f\x7f]+", " ", re.sub("[\ud800-\udfff]", "\ufffd", text))
    for problem in query.problems:
        assert "\n" not in problem
        term = re.split(r": | has no value", problem, maxsplit=1)[0].rstrip("…")
        assert term, problem
        assert term in shown, problem


def test_a_stack_shows_its_newest_finished_take(tmp_path: Path) -> None:
    """A shot whose revision was still rendering showed as that revision: no picture, no
    verdict, "running" — hiding the approved take beneath it."""
    store = Store(tmp_path / "studio.db")
    try:
        first = add_take(store, {"subject": "a heron"}, template_id=None, at=10.0)
        revision = add_take(store, {"subject": "a heron at dawn"}, template_id=None, at=20.0)
        with store.db.write() as tx:
            store.jobs.update(tx, revision, at=21.0, parent_id=first, shot_id=first,
                              status="running")  # fmt: skip
        search_hits(store.db, "")
        tops, counts, terms = stacks(store.db)
        assert (tops, counts[first], terms[first]) == ([first], 2, f"shot:{first}")
        with store.db.write() as tx:  # finished: the newest is shown
            store.jobs.update(tx, revision, at=22.0, status="ready")
        search_hits(store.db, "")
        assert stacks(store.db)[0] == [revision]
    finally:
        store.close()
