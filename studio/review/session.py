"""A review pass over a list of takes: score on the rubric, decide, undo, move on.

Qt-free: the review panel drives it from keys and buttons, tests drive it directly. Every
score and decision is appended to the store at once (nothing is held only in memory), and
an undo is a new history entry that takes back the decision before it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from studio.core.errors import StudioError
from studio.core.take_state import Tally
from studio.library.ops import DecisionEntry, ops_for
from studio.review.labels import letters, ordered_labels
from studio.review.rubric import SCORES, ActiveRubric
from studio.store import JobStatus, Store, TakeRank, take_name
from studio.store.review import Decision, TakeState

DECISIONS = ("approve", "edit", "discard")


class ReviewError(StudioError):
    """A review action that cannot be taken as asked (the message says what is missing)."""


class ReasonNeeded(ReviewError):
    """Approving a take that does not pass needs a one-line reason (kept with the decision)."""


@dataclass
class Take:
    """A take under review, as its take_state row has it (`tally`: its total under the
    rubric version its scores were given with, `rubric_version`), with its live tags."""

    job_id: int
    scores: dict[str, int] = field(default_factory=dict)
    tags: set[str] = field(default_factory=set)
    decision: Decision | None = None
    starred: bool = False
    tally: Tally | None = None
    rubric_id: int | None = None  # the rubric version its total counts under
    rubric_version: int | None = None
    rank: TakeRank | None = None  # among the takes its blind comparisons join

    def update_from(self, state: TakeState) -> None:
        """The stored review state (after a score or decision here or elsewhere)."""
        self.scores = dict(state.scores)
        self.decision = state.decision
        self.tally = state.tally
        self.rubric_id = state.rubric_id
        self.rubric_version = state.rubric_version


class ReviewSession:
    def __init__(
        self,
        store: Store,
        rubric: ActiveRubric,
        job_ids: list[int],
        *,
        reviewer: str,
        clock: Callable[[], float] = time.time,
        seed: int | None = None,
    ) -> None:
        self.store, self.rubric, self.reviewer, self.clock = store, rubric, reviewer, clock
        self.ops = ops_for(store)  # every write is a library operation (one change each)
        self.takes = self._read(job_ids)
        self.index = 0
        self.criterion = 0
        self.auto_advance = True
        self._blind = False
        self.by_rank = False  # the takes in rank order (else in the order given)
        self._given = [t.job_id for t in self.takes]
        # Blind, the takes show in an order drawn once for the pass and go by neutral labels
        # in that order: neither their place in the batch nor their number tells the variant.
        self._shuffled = random.Random(seed).sample(self._given, len(self._given))
        self.labels = ordered_labels(self._shuffled)
        self._decided: list[int] = []  # job ids in the order decided here, for undo

    def _read(self, job_ids: list[int]) -> list[Take]:
        verdicts = self.store.verdicts
        states, starred = verdicts.states(job_ids), verdicts.starred()
        ranks = self.store.comparisons.ranks(job_ids)
        takes = []
        for job_id in job_ids:
            take = Take(job_id, tags=set(verdicts.tags(job_id)), starred=job_id in starred)
            take.update_from(states[job_id])
            take.rank = ranks.get(job_id)
            takes.append(take)
        return takes

    def _refresh(self, take: Take) -> None:
        take.update_from(self.store.verdicts.states([take.job_id])[take.job_id])

    def reload(self, job_ids: list[int]) -> bool:
        """Read again the takes decided or tagged elsewhere (the Library); whether any of
        them is in this pass."""
        wanted = set(job_ids)
        places = [i for i, t in enumerate(self.takes) if t.job_id in wanted]
        for i, fresh in zip(
            places, self._read([self.takes[i].job_id for i in places]), strict=True
        ):
            self.takes[i] = fresh
        return bool(places)

    def add(self, job_ids: list[int]) -> list[int]:
        """Takes that joined the pass (a batch's take that finished while it is reviewed):
        each goes last, in every order (given, rank, blind), so no take already listed moves
        and none of their labels changes; blind, it gets the next label. Returns the ids
        added (those already in the pass are left out)."""
        have = {t.job_id for t in self.takes}
        new = [job_id for job_id in dict.fromkeys(job_ids) if job_id not in have]
        self.takes.extend(self._read(new))
        self._given.extend(new)
        self._shuffled.extend(new)
        self.labels.update(
            (job_id, f"Take {letters(n)}") for n, job_id in enumerate(new, len(self.labels))
        )
        return new

    # ---- where we are -------------------------------------------------------------------

    @property
    def take(self) -> Take:
        if not self.takes:
            raise ReviewError("There are no finished takes to review.")
        return self.takes[self.index]

    def go(self, index: int) -> None:
        if self.takes:
            self.index = max(0, min(index, len(self.takes) - 1))
            self.criterion = 0

    def step(self, delta: int) -> None:
        self.go(self.index + delta)

    def next_unreviewed(self) -> int | None:
        """The first take after the current one (wrapping round) with no decision."""
        n = len(self.takes)
        for offset in range(1, n + 1):
            i = (self.index + offset) % n
            if self.takes[i].decision is None:
                return i
        return None

    def order_by_rank(self, on: bool) -> None:
        """The takes in rank order (ranked ones first, best first, a group at a time), or
        back in the order given; the take in view stays in view. Refused in blind mode:
        the order would tell how the other takes were judged."""
        if on and self._blind:
            raise ReviewError(
                "Blind mode keeps the takes in a drawn order: rank order would show how the "
                "others were judged. Leave blind mode (B) first."
            )
        self.by_rank = on
        self._arrange()

    @property
    def blind(self) -> bool:
        """Blind mode: the takes in a drawn order, by neutral labels; a take's prompt,
        variant, model, cost and verdict hidden until it is decided (see `revealed`)."""
        return self._blind

    @blind.setter
    def blind(self, on: bool) -> None:
        self._blind = on
        self._arrange()

    def _arrange(self) -> None:
        """The takes in the order blind mode, rank order or the caller gave; the take in
        view stays in view."""
        current = self.take.job_id if self.takes else None
        given = {job_id: n for n, job_id in enumerate(self._given)}
        if self._blind:
            drawn = {job_id: n for n, job_id in enumerate(self._shuffled)}
            self.takes.sort(key=lambda t: drawn[t.job_id])
        elif self.by_rank:
            self.takes.sort(
                key=lambda t: (
                    t.rank is None,
                    (t.rank.group_id, t.rank.rank) if t.rank is not None else (0, 0),
                    given[t.job_id],
                )
            )
        else:
            self.takes.sort(key=lambda t: given[t.job_id])
        if current is not None:
            self.index = next(i for i, t in enumerate(self.takes) if t.job_id == current)

    def select_criterion(self, index: int) -> None:
        self.criterion = max(0, min(index, len(self.rubric.rubric.criteria) - 1))

    # ---- scoring ------------------------------------------------------------------------

    def score(self, value: int, criterion: int | None = None) -> None:
        """Score a criterion (the selected one by default) and move the selection on."""
        if value not in SCORES:
            raise ReviewError(f"A score is 0, 1 or 2, not {value}.")
        index = self.criterion if criterion is None else criterion
        crit = self.rubric.rubric.criteria[index]
        take = self.take
        self.ops.score(
            take.job_id,
            self.rubric.rubric_id,
            crit.id,
            value,
            reviewer=self.reviewer,
            at=self.clock(),
            tags=tuple(sorted(t for t in take.tags if t in crit.tags)),
            source=self,
        )
        self._refresh(take)
        if criterion is None:
            self.select_criterion(index + 1)

    def toggle_tag(self, tag: str) -> None:
        self.tag_many([self.index], tag)

    def tag_many(self, indexes: list[int], tag: str) -> bool:
        """Put a defect tag on several takes, or take it off if they all have it; returns
        whether it is now on."""
        if tag not in self.rubric.rubric.tags:
            raise ReviewError(f"{tag!r} is not a defect tag of this rubric.")
        takes = [self.takes[i] for i in indexes]
        on = not all(tag in t.tags for t in takes)
        for take in takes:
            (take.tags.add if on else take.tags.discard)(tag)
        self.ops.set_tags({t.job_id: sorted(t.tags) for t in takes}, at=self.clock(), source=self)
        return on

    def passes(self) -> bool:
        return _passes(self.take)

    def shortfall(self, take: Take) -> str:
        """Why a take does not pass, briefly: "2/6, Motion realism at 0" or "not scored"."""
        rubric = self.rubric.rubric
        if not take.scores:
            return "not scored"
        if not rubric.complete(take.scores):
            done = sum(c.id in take.scores for c in rubric.criteria)
            return f"{done} of {len(rubric.criteria)} criteria scored"
        zeros = [c.name for c in rubric.criteria if take.scores[c.id] == 0]
        total = f"{rubric.total(take.scores)}/{rubric.max_total}"
        return (
            f"{total}, {', '.join(zeros)} at 0"
            if zeros
            else f"{total}, below {rubric.pass_threshold}"
        )

    def revealed(self, take: Take) -> bool:
        """Whether a take's number, prompt, model, cost, decision and history may show:
        always, except in blind mode, where a take is revealed once it is decided (by
        anyone, in any pass: a decided take always says so, or it would be decided twice)."""
        return not self._blind or take.decision is not None

    def in_full(self, take: Take) -> bool:
        """Whether the take list may give a take's variant, prompt, decision and total: in
        blind mode only the take in view's, once decided — another take's verdict would
        sway the judging of the one in view."""
        return not self._blind or (take is self.take and take.decision is not None)

    def label(self, take: Take) -> str:
        """Its neutral label ("Take C"), as blind mode names it until it is decided."""
        return self.labels[take.job_id]

    def called(self, take: Take) -> str:
        """How messages name a take: its number, or in blind mode its neutral label until
        it is decided."""
        return take_name(take.job_id) if self.revealed(take) else self.label(take)

    # ---- deciding -----------------------------------------------------------------------

    def decide(self, decision: str, *, note: str = "", escalate: bool = False) -> Decision:
        if decision not in DECISIONS:
            raise ReviewError(f"A decision is approve, edit or discard, not {decision!r}.")
        if escalate and decision != "discard":
            raise ReviewError("Only a discard can be escalated.")
        if escalate and not note.strip():
            raise ReviewError("Escalating needs a note for safety/legal: say what is wrong.")
        take = self.take
        if decision == "approve" and not note.strip() and not self.passes():
            raise ReasonNeeded(
                f"{self.called(take)} does not pass ({self.shortfall(take)}): "
                "say in one line why you approve it."
            )
        (made,) = self._record([take], decision, note=note.strip(), escalate=escalate)
        if self.auto_advance:
            following = self.next_unreviewed()
            if following is not None:
                self.go(following)
        return made

    def decide_many(self, indexes: list[int], decision: str, *, note: str = "") -> None:
        """One decision for several takes (a multi-selection); escalation is one at a time.
        Approving takes that do not pass asks once for one reason, kept with each."""
        failing = [self.takes[i] for i in indexes if not _passes(self.takes[i])]
        if decision == "approve" and failing and not note.strip():
            names = ", ".join(f"{self.called(t)} ({self.shortfall(t)})" for t in failing[:3])
            more = f" and {len(failing) - 3} more" if len(failing) > 3 else ""
            verb = "does" if len(failing) == 1 else "do"
            raise ReasonNeeded(
                f"{names}{more} {verb} not pass: say in one line why you approve them."
            )
        if decision not in DECISIONS:
            raise ReviewError(f"A decision is approve, edit or discard, not {decision!r}.")
        self._record([self.takes[i] for i in indexes], decision, note=note.strip())

    def _record(
        self, takes: list[Take], decision: str, *, note: str, escalate: bool = False
    ) -> list[Decision]:
        """The takes' decision, as one operation (one transaction, one change)."""
        made = self.ops.decide(
            [
                DecisionEntry(
                    t.job_id,
                    decision,
                    note,
                    escalate,
                    dict(t.scores),
                    tuple(sorted(t.tags)),
                    # under the version its scores were given with: deciding does not move
                    # a take scored under v1 to the rubric in use now (its total would)
                    t.rubric_id if t.scores else None,
                )
                for t in takes
            ],
            reviewer=self.reviewer,
            rubric_id=self.rubric.rubric_id,
            at=self.clock(),
            source=self,
        )
        states = self.store.verdicts.states([t.job_id for t in takes])
        for take in takes:
            take.update_from(states[take.job_id])
            self._decided.append(take.job_id)
        return made

    def undo(self) -> Take | None:
        """Take back the last decision made in this session, as a new history entry, and
        return to that take."""
        while self._decided:
            job_id = self._decided.pop()
            i = next(i for i, t in enumerate(self.takes) if t.job_id == job_id)
            take = self.takes[i]
            if take.decision is None:
                continue
            self.ops.decide(
                [DecisionEntry(job_id, "undo", f"took back {take.decision.decision}")],
                reviewer=self.reviewer,
                rubric_id=self.rubric.rubric_id,
                at=self.clock(),
                source=self,
            )
            self._refresh(take)
            self.go(i)
            return take
        return None

    def toggle_star(self) -> None:
        take = self.take
        take.starred = not take.starred
        self.ops.star([take.job_id], take.starred, at=self.clock(), source=self)

    def history(self) -> list[Decision]:
        return self.store.verdicts.history(self.take.job_id)


def followed_batch(store: Store, job_ids: list[int]) -> int | None:
    """The batch a pass over these takes follows — its takes that finish later join it
    (`ReviewSession.add`): the one batch they all belong to, when they are every finished
    take of it (a batch opened from the queue); None for a pass over a chosen few."""
    batches = {job.batch_id for job in store.jobs.many(job_ids)}
    if len(batches) != 1 or None in batches:
        return None
    (batch,) = batches
    assert batch is not None
    ready = {job.id for job in store.jobs.in_batch(batch) if job.status is JobStatus.READY}
    return batch if ready <= set(job_ids) else None


def _passes(take: Take) -> bool:
    """Whether a take passes: its total under the rubric version its scores were given
    with (the one rule, studio.core.take_state)."""
    return take.tally is not None and take.tally.passes
