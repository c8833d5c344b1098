"""A blind pairwise ranking pass over a set of takes (a batch or any selection): the pair to
show next, with left and right drawn at random; the reviewer's choice, stored at once as a
library operation; undo; and the ranking, every reviewer's comparisons combined (or one
reviewer's own). Takes go by neutral labels ("Take C"), drawn at random for the pass, so
nothing of a take's number, prompt, model or cost reaches the reviewer until it ends.

Qt-free: the pairwise mode (studio.ui.review.pairwise) drives it from keys; tests drive it
directly. The fit and the choice of pairs are studio.review.ranking's."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from studio.library.ops import ops_for
from studio.review.labels import neutral_labels
from studio.review.ranking import CHOICES, Outcome, Ranking, choose_pair, rank
from studio.review.session import ReviewError
from studio.store import Comparison, Store, TakeRank


def outcomes(comparisons: Iterable[Comparison]) -> list[Outcome]:
    """The comparisons that count (not taken back), as the fit reads them."""
    return [Outcome(c.left_id, c.right_id, c.choice) for c in comparisons if c.live]


def stored_ranks(takes: list[int], comparisons: list[Comparison]) -> list[TakeRank]:
    """The `Ranker` every operation that changes comparisons writes ranks with: the takes
    of one group ranked by their comparisons, as take_rank rows."""
    ranking = rank(takes, outcomes(comparisons))
    return [
        TakeRank(
            job_id=s.take,
            group_id=min(takes),
            rank=s.rank,
            takes=len(takes),
            strength=s.strength,
            low=s.low,
            high=s.high,
            p_top=s.p_top,
            comparisons=s.comparisons,
            settled=ranking.settled,
        )
        for s in ranking.standings
    ]


def ranking_of(store: Store, job_ids: Sequence[int], *, reviewer: str | None = None) -> Ranking:
    """These takes ranked by the comparisons among them: every reviewer's, or one's."""
    return rank(job_ids, outcomes(store.comparisons.among(job_ids, reviewer=reviewer)))


class PairwiseSession:
    def __init__(
        self,
        store: Store,
        job_ids: Sequence[int],
        *,
        reviewer: str,
        seed: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.takes = list(dict.fromkeys(job_ids))
        if len(self.takes) < 2:
            raise ReviewError("Blind ranking needs at least two takes: select more.")
        self.store, self.reviewer, self.clock = store, reviewer, clock
        self.ops = ops_for(store)
        self.rng = np.random.default_rng(seed)
        self.labels = neutral_labels(self.takes, self.rng)
        self.only: str | None = None  # whose comparisons the ranking shows (None: everyone's)
        self._made: list[Comparison] = []  # this pass's comparisons, for undo
        self.ranking = ranking_of(store, self.takes)
        self.pair: tuple[int, int] = choose_pair(self.ranking, self.rng)

    # ---- choosing -------------------------------------------------------------------------

    def choose(self, choice: str) -> Comparison:
        """The reviewer's choice for the pair shown (left, right or tie), stored; then the
        next pair."""
        if choice not in CHOICES:
            raise ReviewError(f"A comparison is left, right or tie, not {choice!r}.")
        left, right = self.pair
        made = self.ops.compare(
            left, right, choice, reviewer=self.reviewer, ranker=stored_ranks,
            at=self.clock(), source=self,
        )  # fmt: skip
        self._made.append(made)
        self.ranking = rank(self.takes, self._outcomes())
        self.pair = choose_pair(self.ranking, self.rng, last=self.pair)
        return made

    def undo(self) -> Comparison | None:
        """Take back this pass's last comparison (kept, marked undone) and show its pair
        again, on the sides it had; None when there is nothing to take back."""
        while self._made:
            last = self._made.pop()
            undone = self.ops.take_back_comparison(
                last.id, reviewer=self.reviewer, ranker=stored_ranks, at=self.clock(),
                source=self,
            )  # fmt: skip
            if undone is not None:
                self.ranking = rank(self.takes, self._outcomes())
                self.pair = (last.left_id, last.right_id)
                return undone
        return None

    def reload(self) -> None:
        """Comparisons made elsewhere (another reviewer, an import) count from now on."""
        self.ranking = rank(self.takes, self._outcomes())

    def _outcomes(self) -> list[Outcome]:
        return outcomes(self.store.comparisons.among(self.takes))

    # ---- what shows -----------------------------------------------------------------------

    @property
    def made_here(self) -> int:
        """Comparisons this pass made and did not take back."""
        return len(self._made)

    def shown(self) -> Ranking:
        """The ranking shown: every reviewer's comparisons, or only `only`'s."""
        if self.only is None:
            return self.ranking
        return ranking_of(self.store, self.takes, reviewer=self.only)

    def reviewers(self) -> list[str]:
        """Who has compared these takes (each one's own ranking can be shown)."""
        return self.store.comparisons.reviewers(self.takes)

    def label(self, job_id: int) -> str:
        return self.labels[job_id]


__all__ = [
    "PairwiseSession",
    "neutral_labels",
    "outcomes",
    "ranking_of",
    "stored_ranks",
]
