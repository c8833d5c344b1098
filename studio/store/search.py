"""The library's search syntax, turned into one parameterised SQL query over the takes.

    fox "red kite" -snow dol*           words ANDed, a phrase, an exclusion, a prefix
    project:launch model:sim-fast       facets: project model provider status decision
    tag:jitter reviewer:ana template:3      tag reviewer template
    size:1280x720 seconds:8 failure:policy  requested size and duration, failure class
    shot:12 batch:3                     a shot's takes, a batch's variants and revisions
    score>=5  is:starred  is:damaged  date:2026-11-01..2026-11-24
    flag:frozen flag:any flag:none is:flagged   the machine pre-screen's flags

Whatever a person types (stray quotes, dashes, stars, colons, brackets) is a search, never
an SQL or FTS error: user text only ever reaches SQLite as a bound parameter, and text
for the full-text index is quoted token by token. A term that cannot be used (a date out of
range, a number too large, a facet without a value, the term after the first `MAX_TERMS`) is
left out of the search and told in `Query.problems`, one message naming it; nothing raises.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from studio.core.flags import CHECKS
from studio.store.comparisons import ComparisonRepo, TakeRank
from studio.store.db import Database

FACETS = (
    "project",
    "model",
    "provider",
    "status",
    "decision",
    "tag",
    "reviewer",
    "template",
    "shot",
    "batch",
    "size",
    "seconds",
    "failure",
    "flag",
)
# A flag: facet's values: a check, any flag, or screened with none.
FLAG_VALUES = (*CHECKS, "any", "none")
# At most this many terms are searched; the ones after are told, not searched. Each term is
# one condition of the query (a template: one subquery), so 100 stay far inside SQLite's
# smallest limits: an expression 1000 deep and (before SQLite 3.32) 999 bound parameters,
# at most two a term. Nobody types 100 terms; a pasted prompt of more still finds its take.
MAX_TERMS = 100
# Numbers (take, batch, score) are ASCII digits up to SQLite's largest INTEGER.
LARGEST = 2**63 - 1
# Days a take can have been made on: from the Unix epoch (no timestamp is earlier) to the
# last day Python's dates know, on every platform (see local_midnight).
FIRST_DAY, LAST_DAY = dt.date(1970, 1, 1), dt.date.max
# A phrase (closing quote optional), a facet with a quoted value (`tag:"limb error"`), or a word.
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+?:"[^"]*"?|\S+)')
_SCORE = re.compile(r"^score(>=|<=|>|<|=)(.*)$", re.IGNORECASE)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII only: \d also takes ² and ٣
_DIGITS = re.compile(r"([0-9]+)")  # ASCII only: int() also takes "١٢"
_NUMBERED = re.compile(r"#?([0-9]+)")  # a take or batch number as typed ("12" or "#12")
_SURROGATE = re.compile("[\ud800-\udfff]")  # not text: SQLite cannot be given them
_WORD_CHARS = re.compile(r"\w+", re.UNICODE)
_BLANKS = re.compile(r"[\s\x00-\x1f\x7f]+")

# Facets that are a column of the take (or of its review state, `s`).
COLUMNS = {
    "project": "j.project",
    "model": "j.model",
    "provider": "j.provider",
    "status": "j.status",
    "decision": "s.decision",
    "reviewer": "s.reviewer",
    "size": "json_extract(j.spec_json, '$.size')",  # as requested
    "seconds": "CAST(json_extract(j.spec_json, '$.seconds') AS TEXT)",
    "failure": "j.failure_class",
}
# When a take counts as made, for dates: sent to the provider, or else (imported, never
# sent) created.
SUBMITTED = "COALESCE(j.submitted_at, j.created_at)"
# The last search's hits with their takes (see `search_with_facets`). CROSS JOIN keeps the
# hits outermost: SQLite has no statistics for the temporary table and would otherwise scan
# every job (10-15 ms per query at 100,000 takes).
HITS = "FROM temp.hits h CROSS JOIN jobs j ON j.id = h.id"
HITS_REVIEWED = HITS + " LEFT JOIN take_state s ON s.job_id = h.id"


@dataclass
class Query:
    """A parsed search: what to match, as data (tested without a database)."""

    words: list[tuple[str, bool]] = field(default_factory=list)  # (FTS phrase, prefix)
    excluded: list[str] = field(default_factory=list)
    facets: dict[str, list[str]] = field(default_factory=dict)
    score: tuple[str, int] | None = None
    starred: bool = False
    damaged: bool = False  # is:damaged: takes whose clip does not decode to its length
    dates: tuple[dt.date, dt.date] | None = None
    problems: list[str] = field(default_factory=list)  # told to the person, never raised


def parse(text: str) -> Query:
    query = Query()
    # A lone surrogate (an undecodable byte of a command line's argument) cannot be bound.
    text = _SURROGATE.sub("\ufffd", text)
    for n, match in enumerate(_TOKEN.finditer(text)):
        if n == MAX_TERMS:
            query.problems.append(
                f"{_shown(match.group(0))}: too many terms "
                f"(only the first {MAX_TERMS} are searched)"
            )
            break
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if phrase is not None:
            _add_text(query, phrase, negated == "-", prefix=False)
            continue
        _add_word(query, word)
    return query


def _shown(term: str, most: int = 40) -> str:
    """A term as a message names it: on one line (a phrase's line breaks, tabs and control
    characters as one space), a very long one cut short."""
    term = _BLANKS.sub(" ", term)
    return term if len(term) <= most else term[: most - 1] + "…"


def _add_word(query: Query, word: str) -> None:
    lower = word.lower()
    if lower.startswith("is:"):
        if lower == "is:starred":
            query.starred = True
        elif lower == "is:damaged":
            query.damaged = True
        elif lower == "is:flagged":
            query.facets.setdefault("flag", []).append("any")
        else:
            query.problems.append(
                f"{_shown(word)}: unknown (try is:starred, is:damaged or is:flagged)"
            )
        return
    if score := _SCORE.match(word):
        number = _number(query, word, score.group(2), "a whole number (0 or more)")
        if number is not None:
            query.score = (score.group(1), number)
        return
    if lower.startswith("date:"):
        _add_dates(query, word)
        return
    key, colon, value = word.partition(":")
    if colon and key.lower() in FACETS:
        key = key.lower()
        value = value.strip('"')
        if not value:
            query.problems.append(f"{_shown(word)} has no value")
        elif key == "flag" and value.lower() not in FLAG_VALUES:
            query.problems.append(
                f"{_shown(word)}: not a check (try flag:{', flag:'.join(FLAG_VALUES)})"
            )
        elif key in ("shot", "batch"):
            what = "a take number" if key == "shot" else "a batch number"
            number = _number(query, word, value, what, numbered=True)
            if number is not None:
                query.facets.setdefault(key, []).append(str(number))
        else:
            query.facets.setdefault(key, []).append(value)
        return
    negated = word.startswith("-") and len(word) > 1
    body = word[1:] if negated else word
    _add_text(query, body.rstrip("*"), negated, prefix=body.endswith("*") and not negated)


def _number(
    query: Query, word: str, value: str, what: str, *, numbered: bool = False
) -> int | None:
    """`value` as a number (ASCII digits; "#12" too if `numbered`), or None with the
    problem told."""
    digits = (_NUMBERED if numbered else _DIGITS).fullmatch(value)
    if digits is None:
        query.problems.append(f"{_shown(word)}: not {what}")
        return None
    number = _integer(digits.group(1))
    if number is None:
        query.problems.append(f"{_shown(word)}: number too large (at most {LARGEST})")
    return number


def _integer(digits: str) -> int | None:
    """ASCII digits as a number up to LARGEST, else None. Their count is looked at first:
    int() refuses more than 4,300 digits, and reading a long run costs time."""
    digits = digits.lstrip("0") or "0"
    if len(digits) > len(str(LARGEST)) or (number := int(digits)) > LARGEST:
        return None
    return number


def _add_dates(query: Query, word: str) -> None:
    """`date:DAY` or `date:DAY..DAY` (either order), each day within FIRST_DAY..LAST_DAY."""
    value = word[len("date:") :]
    if not value:
        query.problems.append(f"{_shown(word)} has no value")
        return
    parts = value.split("..")
    try:
        days = [dt.date.fromisoformat(p) for p in parts if _DAY.fullmatch(p)]
    except ValueError:  # 2026-02-30
        days = []
    if not 0 < len(days) == len(parts) <= 2:
        query.problems.append(f"{_shown(word)}: not a date (YYYY-MM-DD)")
        return
    start, end = min(days), max(days)
    if start < FIRST_DAY:
        query.problems.append(f"{_shown(word)}: date out of range ({FIRST_DAY} to {LAST_DAY})")
        return
    query.dates = (start, end)


def _add_text(query: Query, text: str, negated: bool, *, prefix: bool) -> None:
    """Only the index's own word characters go to FTS, each token quoted; punctuation
    alone searches for nothing rather than failing."""
    phrase = fts_phrase(text)
    if phrase is None:
        return
    if negated:
        query.excluded.append(phrase)
    else:
        query.words.append((phrase, prefix))


def fts_phrase(text: str) -> str | None:
    """`text` as one quoted phrase of the full-text index's tokens (None: it has none)."""
    tokens = _WORD_CHARS.findall(text)
    return '"' + " ".join(tokens) + '"' if tokens else None


def where(query: Query) -> tuple[str, list[Any]]:
    """SQL over `jobs j` (with `take_state s` LEFT JOINed) and its parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    for phrase, prefix in query.words:
        clauses.append("j.id IN (SELECT rowid FROM prompt_fts WHERE prompt_fts MATCH ?)")
        params.append(phrase + ("*" if prefix else ""))
    for phrase in query.excluded:
        clauses.append("j.id NOT IN (SELECT rowid FROM prompt_fts WHERE prompt_fts MATCH ?)")
        params.append(phrase)
    for key, values in query.facets.items():
        marks = ", ".join("?" * len(values))
        if key in COLUMNS:
            column = COLUMNS[key]
            if key == "decision" and "undecided" in [v.lower() for v in values]:
                clauses.append(f"({column} IN ({marks}) OR {column} IS NULL)")
            else:
                clauses.append(f"{column} COLLATE NOCASE IN ({marks})")
            params.extend(values)
        elif key == "tag":
            clauses.append(
                f"j.id IN (SELECT job_id FROM tags WHERE tag COLLATE NOCASE IN ({marks}))"
            )
            params.extend(values)
        elif key == "flag":
            clauses.append(_flagged([v.lower() for v in values]))
            params.extend(v.lower() for v in values if v.lower() in CHECKS)
        elif key == "batch":  # the takes of one batch, its variants and their revisions
            numbers = _numbers(values)
            marks = ", ".join("?" * len(numbers)) or "NULL"
            clauses.append(
                f"(j.batch_id IN ({marks}) OR j.shot_id IN "
                f"(SELECT id FROM jobs WHERE batch_id IN ({marks})))"
            )
            params.extend(numbers + numbers)
        elif key == "shot":  # the takes of one shot (its root job number)
            numbers = _numbers(values)
            clauses.append(f"j.shot_id IN ({', '.join('?' * len(numbers)) or 'NULL'})")
            params.extend(numbers)
        elif key == "template":  # its id, or a word of its campaign, product or use case
            # The values as rows of one table: as deep a query for 100 values as for one.
            rows = ", ".join(["(?)"] * len(values))
            clauses.append(
                f"j.template_id IN (SELECT t.id FROM templates t JOIN (VALUES {rows}) v ON "
                "CAST(t.id AS TEXT) = v.column1 OR t.campaign LIKE v.column1 "
                "OR t.product LIKE v.column1 OR t.use_case LIKE v.column1)"
            )
            params.extend(values)
    if query.score is not None:
        op, value = query.score
        clauses.append(f"s.total {op} ?")
        params.append(value)
    if query.starred:
        clauses.append("j.id IN (SELECT job_id FROM stars)")
    if query.damaged:
        clauses.append("j.damage IS NOT NULL")
    if query.dates is not None:
        span = day_span(*query.dates)
        clauses.append(f"{SUBMITTED} >= ?")
        clauses.append(f"{SUBMITTED} < ?")
        params.extend(span)
    return (" AND ".join(clauses) or "1"), params


def _flagged(values: list[str]) -> str:
    """The takes with any of these flags (`any`: any flag; `none`: screened, none found),
    as one condition; the checks' names are its parameters, in order."""
    parts = []
    checks = [v for v in values if v in CHECKS]
    if checks:
        marks = ", ".join("?" * len(checks))
        parts.append(f"j.id IN (SELECT job_id FROM flags WHERE check_name IN ({marks}))")
    if "any" in values:
        parts.append("j.id IN (SELECT job_id FROM flags)")
    if "none" in values:
        parts.append(
            "(j.id IN (SELECT job_id FROM screenings) AND j.id NOT IN (SELECT job_id FROM flags))"
        )
    return "(" + " OR ".join(parts or ["0"]) + ")"


def _numbers(values: list[str]) -> list[int]:
    """Job or batch numbers as `parse` keeps them (ASCII digits within SQLite's INTEGER);
    anything else matches nothing."""
    return [
        number
        for v in values
        if (digits := _NUMBERED.fullmatch(v)) and (number := _integer(digits.group(1))) is not None
    ]


def local_midnight(day: dt.date) -> float:
    """The day starts at midnight in the local time zone (where people's days begin).

    Counted from the epoch by date arithmetic, with the zone's offset on that day; where the
    platform cannot place a day in local time (Windows knows none before 1970 or after
    3000) the offset of the nearest day it can place stands in, so every day from
    FIRST_DAY to LAST_DAY has a midnight on every platform."""
    midnight = dt.datetime.combine(day, dt.time())
    try:
        offset = _utc_offset(midnight)
    except (OverflowError, OSError, ValueError):
        offset = _utc_offset(dt.datetime.combine(min(max(day, _PLACED[0]), _PLACED[1]), dt.time()))
    return (midnight - _EPOCH).total_seconds() - offset


_EPOCH = dt.datetime(1970, 1, 1)
_PLACED = (dt.date(1970, 1, 2), dt.date(3000, 12, 30))  # days every platform places


def _utc_offset(moment: dt.datetime) -> float:
    """Seconds the local zone is ahead of UTC at this local time (the platform's rules)."""
    offset = moment.astimezone().utcoffset()
    return offset.total_seconds() if offset is not None else 0.0


def day_span(start: dt.date, end: dt.date) -> tuple[float, float]:
    """From the first local midnight to the one after the last day (the last day there is
    has no day after it: a day's length stands in)."""
    if end < dt.date.max:
        return local_midnight(start), local_midnight(end + dt.timedelta(days=1))
    return local_midnight(start), local_midnight(end) + 86400


def search_ids(db: Database, text: str, *, limit: int | None = None) -> list[int]:
    """Job ids matching `text`, newest first."""
    clause, params = where(parse(text))
    sql = (
        "SELECT j.id FROM jobs j LEFT JOIN take_state s ON s.job_id = j.id "
        f"WHERE {clause} ORDER BY j.id DESC"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [int(r[0]) for r in db.query(sql, params)]


class FacetValue(NamedTuple):
    term: str  # what a click adds to the search
    label: str  # what the facet panel shows
    hits: int  # how many of the search's takes have it


# The facets counted beside the results, in the panel's order: each counts the hits per value
# of an SQL expression (over `j`, `s` and `t`, a template) and says how a value is searched.
_TEMPLATE = "t.campaign || ' / ' || t.product || ' / ' || t.use_case || ' v' || t.version"
_MONTH = f"strftime('%Y-%m', {SUBMITTED}, 'unixepoch', 'localtime')"
FACET_COLUMNS: dict[str, tuple[str, str]] = {  # name: (value expression, label expression)
    "project": (COLUMNS["project"], COLUMNS["project"]),
    "template": ("j.template_id", _TEMPLATE),
    "model": (COLUMNS["model"], COLUMNS["model"]),
    "provider": (COLUMNS["provider"], COLUMNS["provider"]),
    "size": (COLUMNS["size"], COLUMNS["size"]),
    "seconds": (COLUMNS["seconds"], COLUMNS["seconds"] + " || ' s'"),
    "status": (COLUMNS["status"], COLUMNS["status"]),
    "failure": (COLUMNS["failure"], COLUMNS["failure"]),
    "decision": ("COALESCE(s.decision, 'undecided')", "COALESCE(s.decision, 'undecided')"),
    "score": ("s.total", "s.total"),
    "reviewer": (COLUMNS["reviewer"], COLUMNS["reviewer"]),
    "date": (_MONTH, _MONTH),
}


def _term(name: str, value: str) -> str:
    if name == "score":
        return f"score={value}"
    if name == "date":  # a month: its first to its last day
        year, month = (int(v) for v in value.split("-"))
        first = dt.date(year, month, 1)
        last = (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
        return f"date:{first.isoformat()}..{last.isoformat()}"
    return facet_term(name, value)


def facet_term(name: str, value: str) -> str:
    """A facet's search term, its value quoted when it has a space (`tag:"limb error"`)."""
    value = " ".join(value.replace('"', " ").split())
    return f'{name}:"{value}"' if " " in value else f"{name}:{value}"


# Counted with every search; the others when the person opens them in the panel. Each facet
# is a pass over the hits (about 50 ms at 100,000 of them), so an unfiltered library does not
# wait for counts nobody is looking at.
FACETS_COUNTED = ("project", "model", "provider", "status", "decision", "tag")
FACETS_SHOWN = ("project", "template", "model", "provider", "size", "seconds", "status",
                "failure", "decision", "score", "tag", "flag", "star", "reviewer",
                "date")  # fmt: skip


def search_with_facets(
    db: Database, text: str, *, top: int = 12, facets: tuple[str, ...] = FACETS_COUNTED
) -> tuple[list[int], dict[str, list[FacetValue]]]:
    """The matching job ids (newest first) and, for each of `facets`, its values among them
    with counts (most common first), so the counts follow the search. The search is
    evaluated once: its hits go into a temporary table the counts, stacks and sorting read."""
    ids = search_hits(db, text)
    return ids, facet_counts(db, facets, top=top)


def search_hits(db: Database, text: str) -> list[int]:
    """Run the search into the temporary table of hits; their ids, newest first."""
    clause, params = where(parse(text))
    db.query("CREATE TEMP TABLE IF NOT EXISTS hits (id INTEGER PRIMARY KEY)")
    db.query("DELETE FROM temp.hits")
    db.query(
        "INSERT INTO temp.hits SELECT j.id FROM jobs j "
        f"LEFT JOIN take_state s ON s.job_id = j.id WHERE {clause}",
        params,
    )
    return [int(r[0]) for r in db.query("SELECT id FROM temp.hits ORDER BY id DESC")]


def facet_counts(
    db: Database, facets: tuple[str, ...], *, top: int = 12
) -> dict[str, list[FacetValue]]:
    """Each of `facets` counted among the last search's hits (see `search_hits`), in the
    order asked."""
    counts: dict[str, list[FacetValue]] = {}
    for name in facets:
        if name == "tag":
            rows = db.query(
                "SELECT t.tag, count(*) AS n FROM temp.hits h CROSS JOIN tags t "
                "ON t.job_id = h.id GROUP BY t.tag ORDER BY n DESC, t.tag LIMIT ?",
                [top],
            )
            counts[name] = [FacetValue(facet_term("tag", r[0]), str(r[0]), int(r[1])) for r in rows]
        elif name == "flag":
            counts[name] = _flag_counts(db, top)
        elif name == "star":
            row = db.query_one(
                "SELECT count(*) FROM temp.hits h CROSS JOIN stars x ON x.job_id = h.id"
            )
            starred = int(row[0]) if row else 0
            counts[name] = [FacetValue("is:starred", "starred", starred)] if starred else []
        elif name in FACET_COLUMNS:
            value, label = FACET_COLUMNS[name]
            joined = " LEFT JOIN templates t ON t.id = j.template_id" if name == "template" else ""
            rows = db.query(
                f"SELECT {value} AS v, {label}, count(*) AS n {HITS_REVIEWED}{joined} "
                "GROUP BY v ORDER BY n DESC, v LIMIT ?",
                [top],
            )
            counts[name] = [
                FacetValue(_term(name, str(v)), str(shown), int(n))
                for v, shown, n in rows
                if v is not None
            ]
    return counts


def _flag_counts(db: Database, top: int) -> list[FacetValue]:
    """Takes among the hits per flagged check, and those screened with no flag."""
    rows = db.query(
        "SELECT f.check_name, count(DISTINCT f.job_id) AS n FROM temp.hits h CROSS JOIN flags f "
        "ON f.job_id = h.id GROUP BY f.check_name ORDER BY n DESC, f.check_name LIMIT ?",
        [top],
    )
    values = [FacetValue(f"flag:{r[0]}", str(r[0]), int(r[1])) for r in rows]
    clean = db.query_one(
        "SELECT count(*) FROM temp.hits h CROSS JOIN screenings s ON s.job_id = h.id "
        "WHERE NOT EXISTS (SELECT 1 FROM flags f WHERE f.job_id = h.id)"
    )
    if clean and int(clean[0]):
        values.append(FacetValue("flag:none", "no flags", int(clean[0])))
    return values


@dataclass(frozen=True)
class Verdict:
    """A take's review state as a result shows it (the grid's badges, the table's columns)."""

    decision: str | None
    total: int | None
    tags: tuple[str, ...]
    starred: bool
    provenance: str | None = None  # its C2PA manifest: none | present | damaged (None: unread)
    rank: TakeRank | None = None  # among the takes its blind comparisons join


def verdicts(db: Database, ids: list[int]) -> dict[int, Verdict]:
    """Each take's review state, for a page of search results."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    state = {
        int(r[0]): (r[1], r[2])
        for r in db.query(
            f"SELECT job_id, decision, total FROM take_state WHERE job_id IN ({marks})", ids
        )
    }
    tags: dict[int, list[str]] = {}
    for job_id, tag in db.query(
        f"SELECT job_id, tag FROM tags WHERE job_id IN ({marks}) ORDER BY tag", ids
    ):
        tags.setdefault(int(job_id), []).append(str(tag))
    starred = db.query(f"SELECT job_id FROM stars WHERE job_id IN ({marks})", ids)
    stars = {int(r[0]) for r in starred}
    read = db.query(f"SELECT job_id, state FROM provenance WHERE job_id IN ({marks})", ids)
    manifests = {int(r[0]): str(r[1]) for r in read}
    ranks = ComparisonRepo(db).ranks(ids)
    return {
        i: Verdict(
            *state.get(i, (None, None)),
            tuple(tags.get(i, ())),
            i in stars,
            manifests.get(i),
            ranks.get(i),
        )
        for i in ids
    }


SORT_KEYS = {
    "take": "j.id",
    "prompt": "j.prompt COLLATE NOCASE",
    "decision": "s.decision",
    "score": "s.total",
    # stored by the operation that changed the take's group: a join, not a fit
    "rank": "r.rank",
    "tags": "(SELECT min(tag) FROM tags WHERE job_id = h.id)",  # by its first tag
    "project": "j.project COLLATE NOCASE",
    "model": "j.model",
    "status": "j.status",
    "submitted": SUBMITTED,
}


# What a sort key needs beside the hits and their review state.
SORT_JOINS = {"rank": " LEFT JOIN take_rank r ON r.job_id = h.id"}


def sorted_hits(db: Database, key: str, *, descending: bool) -> list[int]:
    """The last search's hits (see `search_with_facets`) ordered by a column; ties newest
    first. Undecided, unscored or unranked takes sort last either way."""
    column = SORT_KEYS[key]
    direction = "DESC" if descending else "ASC"
    joined = SORT_JOINS.get(key, "")
    rows = db.query(
        f"SELECT h.id {HITS_REVIEWED}{joined} "
        f"ORDER BY {column} IS NULL, {column} {direction}, h.id DESC"
    )
    return [int(r[0]) for r in rows]


def save_search(db: Database, name: str, query: str, *, at: float) -> None:
    """Keep a search under a name (the same name replaces it)."""
    with db.write() as tx:
        tx.execute(
            "INSERT INTO saved_searches (name, query, at) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET query = excluded.query, at = excluded.at",
            (name, query, at),
        )


def saved_searches(db: Database) -> list[tuple[str, str]]:
    return [
        (str(r[0]), str(r[1]))
        for r in db.query("SELECT name, query FROM saved_searches ORDER BY name COLLATE NOCASE")
    ]


def forget_search(db: Database, name: str) -> None:
    with db.write() as tx:
        tx.execute("DELETE FROM saved_searches WHERE name = ?", (name,))


def stacks(db: Database) -> tuple[list[int], dict[int, int], dict[int, str]]:
    """The last search's hits (see `search_with_facets`) one tile per stack: the variants
    of a variant batch with their revisions, or else a shot's revisions and retries. For
    each tile: the take it shows — its newest finished one (a revision still rendering has
    no picture and no verdict to show for the stack), else its newest — how many hits it
    stacks, and the search term that opens it (`batch:N` or `shot:N`)."""
    rows = db.query(
        "SELECT COALESCE(max(CASE WHEN j.status = 'ready' THEN h.id END), max(h.id)) AS top, "
        "count(*), "
        "COALESCE((SELECT 'batch:' || r.batch_id FROM jobs r JOIN batches b ON b.id = r.batch_id"
        "  WHERE r.id = COALESCE(j.shot_id, j.id) AND b.varied_slot IS NOT NULL),"
        " 'shot:' || COALESCE(j.shot_id, j.id)) AS stack "
        f"{HITS} GROUP BY stack ORDER BY top DESC"
    )
    tops = [int(r[0]) for r in rows]
    return tops, {int(r[0]): int(r[1]) for r in rows}, {int(r[0]): str(r[2]) for r in rows}
