"""The rules for a take's review state, one of each. They are applied in one place,
`studio.store.review.refresh_state`, whenever a take is scored or decided; its result is
the take's row in `take_state`, which the Library, the review panel, the lineage view,
metrics and the sidecar all read. Nothing else replays a history or adds up scores.

- **The decision in force**: the decision history replayed in order, an undo taking back
  the decision before it (`in_force`).
- **The scores in force**: the latest score given to each criterion, where a decision in
  force counts as giving, at its time, the scores it was made with (`scores_in_force`).
  In the app the two agree (a decision records the scores on screen); the decision's copy
  is what an older sidecar or a bulk decision brings.
- **The total**: the scores in force added up over the criteria of the rubric version they
  were given under — that of the newest score — out of 2 per criterion of that version
  (`tally`).

Why the rubric version the scores were given under, and neither the current rubric nor
every criterion ever scored: a score means something only against the rubric it was given
with. Counting the current rubric's criteria rewrites a decided take's total each time the
rubric is edited (an approved 6/6 would read 6/8 "not fully scored" once a criterion is
added, though no one judged the take on it); summing every criterion ever scored keeps
criteria the rubric has dropped and has no maximum to be out of. Under the version the
scores were given with, the total stays what the reviewer saw; a take moves to a newer
version when it is scored under it (that score is the newest, so its version counts).
Where no rubric is known (a decision recorded without one), every criterion scored counts
and there is no maximum.

Qt-free and store-free: plain values in, plain values out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

UNDO = "undo"


def millis(at: float) -> int:
    """A time in whole milliseconds, cut (not rounded), as a sidecar writes it."""
    return math.floor(at * 1000 + 1e-4)


def in_force(decisions: Sequence[str]) -> int | None:
    """The index of the decision in force in a take's history (oldest first; each entry
    `approve`, `edit`, `discard` or `undo`), or None when nothing is in force."""
    stack: list[int] = []
    for i, decision in enumerate(decisions):
        if decision == UNDO:
            if stack:
                stack.pop()
        else:
            stack.append(i)
    return stack[-1] if stack else None


@dataclass(frozen=True)
class Given:
    """One score as given: criterion, 0/1/2, when, and under which stored rubric version."""

    criterion: str
    score: int
    at: float
    rubric_id: int | None


def scores_in_force(
    scores: Iterable[Given], decision: Sequence[Given] = ()
) -> tuple[dict[str, int], int | None]:
    """The latest score per criterion and the rubric version the total counts under (that
    of the newest score naming one). `scores` in the order given; `decision` is the
    decision in force's scores, all given at its time (a score given at that same time or
    later was given after it, so it wins). Times are compared to the millisecond, as a
    sidecar keeps them, so an imported take comes out as it did where it was made."""
    events = sorted(
        [(millis(g.at), 0, g) for g in decision] + [(millis(g.at), 1, g) for g in scores],
        key=lambda e: (e[0], e[1]),  # stable: scores keep the order they were given in
    )
    found: dict[str, int] = {}
    rubric_id: int | None = None
    for _at, _kind, given in events:
        found[given.criterion] = given.score
        if given.rubric_id is not None:
            rubric_id = given.rubric_id
    return found, rubric_id


@dataclass(frozen=True)
class Terms:
    """What of a rubric version the total needs: its criteria (ids, in order) and the
    total a take must reach to pass."""

    criteria: tuple[str, ...]
    pass_threshold: int


def terms_of(body: Mapping[str, Any]) -> Terms | None:
    """The terms of a stored rubric body (as `Rubric.to_body` writes it); None when the
    body names no criteria this rule can read."""
    raw = body.get("criteria")
    if not isinstance(raw, list) or not raw:
        return None
    ids = [c.get("id") for c in raw if isinstance(c, dict)]
    if len(ids) != len(raw) or not all(isinstance(i, str) and i for i in ids):
        return None
    criteria = tuple(str(i) for i in ids)
    threshold = body.get("pass_threshold", 2 * len(criteria) - 1)
    if not isinstance(threshold, int) or isinstance(threshold, bool):
        return None
    return Terms(criteria, threshold)


@dataclass(frozen=True)
class Tally:
    """A take's total under one rubric version."""

    total: int
    max_total: int | None  # 2 per criterion; None when no rubric is known
    complete: bool  # every criterion of that version scored
    passes: bool  # complete, none at 0, and the total at the pass threshold or above

    def shown(self) -> str:
        """The total as shown: 5/6 (or 5, where no rubric gives a maximum)."""
        return str(self.total) if self.max_total is None else f"{self.total}/{self.max_total}"


def tally(scores: Mapping[str, int], terms: Terms | None) -> Tally:
    """The total of `scores` under a rubric version's `terms` (see the module)."""
    if terms is None:
        return Tally(sum(scores.values()), None, False, False)
    counted = [scores[c] for c in terms.criteria if c in scores]
    total = sum(counted)
    complete = len(counted) == len(terms.criteria)
    passes = complete and all(v > 0 for v in counted) and total >= terms.pass_threshold
    return Tally(total, 2 * len(terms.criteria), complete, passes)


__all__ = ["Given", "Tally", "Terms", "in_force", "millis", "scores_in_force", "tally", "terms_of"]
