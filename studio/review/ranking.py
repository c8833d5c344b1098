"""Blind pairwise ranking: a Bradley–Terry fit of the comparisons made, with intervals, the
pair to show next, and whether the top is settled. Qt-free and store-free: takes are
plain numbers, comparisons plain records; `studio.review.pairwise` joins them to the store.

The model. Each take has a strength θ; a reviewer prefers take i over take j with
probability σ(θi − θj) (the logistic function). The strengths are the maximum a posteriori
fit under a Gaussian prior θ ~ N(0, 1/(2·ALPHA)) — `choix.opt_pairwise` with a small
regularisation, so a take that won every comparison it was in still has a finite strength,
and takes never compared sit at 0. A tie counts as half a win each way.

Intervals are the Laplace approximation: the posterior is taken as Normal around the fit,
with the inverse of the penalised negative log-likelihood's Hessian as its covariance
(exact for the prior, close once each take has a few comparisons). Each take's interval is
its strength ± 1.96 standard deviations (95 %), measured against the mean of the takes'
strengths (the comparisons say nothing about a shift of them all).

Settled. From that posterior, `TOP_DRAWS` draws (a fixed seed: the same comparisons always
give the same answer) say how likely each take is to be the best. The ranking is settled
when every take has been compared and the leader is the best in at least `SETTLED_AT`
(95 %) of the draws: the chance that more comparisons would put another take on top is
below 5 %.

The next pair (`choose_pair`). First every take is compared at least once (takes not yet
compared are paired with each other, the last one with the leader). Then the pair whose
outcome is most uncertain and would matter most: for each pair, p(1 − p) — its outcome's
uncertainty under the fit — times the variance of the two strengths' difference (how much
one answer would move them), weighted by the chance either take is the best (a pair
between two takes that cannot be the best changes nothing at the top). The pair just shown
is never shown again at once. Deterministic given the random generator passed in, which
also chooses left and right.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

LEFT, RIGHT, TIE = "left", "right", "tie"
CHOICES = (LEFT, RIGHT, TIE)
ALPHA = 0.1  # the prior's weight: θ ~ N(0, 5), a strength rarely beyond ±4.5
Z95 = 1.96
TOP_DRAWS = 1000  # posterior draws that say how likely each take is to be the best
SETTLED_AT = 0.95  # the leader's chance of being the best, for the ranking to be settled
DRAWS_SEED = 20261124  # fixed: a ranking is a function of its comparisons alone
SAME = 1e-3  # strengths closer than this are equal (far below what comparisons can tell)


@dataclass(frozen=True)
class Outcome:
    """One comparison as the fit sees it: the two takes as shown and the choice made."""

    left: int
    right: int
    choice: str  # left | right | tie


@dataclass(frozen=True)
class Standing:
    """A take's place in a ranking."""

    take: int
    rank: int  # 1 = the best; takes of equal strength share a rank
    strength: float  # θ, on the log-odds scale (0: an average take, or one never compared)
    low: float  # the 95 % interval of θ
    high: float
    p_top: float  # the chance it is the best, under the posterior
    comparisons: int  # comparisons it took part in


@dataclass(frozen=True)
class _Fit:
    takes: tuple[int, ...]
    theta: NDArray[np.float64]
    cov: NDArray[np.float64]
    p_top: NDArray[np.float64]
    counts: NDArray[np.int64]


@dataclass(frozen=True)
class Ranking:
    standings: tuple[Standing, ...]  # the best first
    comparisons: int  # comparisons counted (ties included)
    settled: bool
    fit: _Fit = field(compare=False, repr=False)  # what the next pair is chosen from

    @property
    def leader(self) -> Standing | None:
        return self.standings[0] if self.standings else None

    @property
    def doubt(self) -> float:
        """The chance that more comparisons would put another take on top."""
        return 1.0 - self.standings[0].p_top if self.standings else 1.0

    def of(self, take: int) -> Standing:
        return next(s for s in self.standings if s.take == take)


def rank(
    takes: Sequence[int], outcomes: Iterable[Outcome], *, start: Ranking | None = None
) -> Ranking:
    """The takes ranked by the comparisons among them (others are not counted). `start`:
    an earlier ranking of the same takes for the fit to start from: faster, and the same
    within the fit's tolerance (1e-5) — the stored ranks and the pairwise mode start
    afresh, so they agree to the last digit."""
    return _ranking(_fit(takes, outcomes, start.fit if start is not None else None))


def choose_pair(
    ranking: Ranking, rng: np.random.Generator, *, last: tuple[int, int] | None = None
) -> tuple[int, int]:
    """The pair to compare next, as (left, right) with the sides drawn at random; `last`:
    the pair shown just before (never shown twice in a row)."""
    fit = ranking.fit
    if len(fit.takes) < 2:
        raise ValueError("a ranking needs at least two takes")
    a, b = _pick(fit, rng, frozenset(last) if last is not None else frozenset())
    pair = (fit.takes[a], fit.takes[b])
    return pair if rng.random() < 0.5 else (pair[1], pair[0])


# ---- the fit ------------------------------------------------------------------------------


def _fit(takes: Sequence[int], outcomes: Iterable[Outcome], start: _Fit | None) -> _Fit:
    order = tuple(dict.fromkeys(takes))  # each take once, in the order given
    place = {take: i for i, take in enumerate(order)}
    n = len(order)
    wins: list[tuple[int, int]] = []  # every win twice and a tie once each way: half wins
    counts = np.zeros(n, dtype=np.int64)
    for o in outcomes:
        if o.left not in place or o.right not in place or o.left == o.right:
            continue
        i, j = place[o.left], place[o.right]
        counts[i] += 1
        counts[j] += 1
        if o.choice == LEFT:
            wins += [(i, j), (i, j)]
        elif o.choice == RIGHT:
            wins += [(j, i), (j, i)]
        else:
            wins += [(i, j), (j, i)]
    if not wins:
        theta = np.zeros(n)
    else:
        # doubled data: twice the log-likelihood, so twice the penalty keeps the prior
        warm = start.theta.copy() if start is not None and start.takes == order else None
        import choix  # with scipy: 120 MB and half a second, paid at the first fit, not at start

        found = choix.opt_pairwise(n, wins, alpha=2 * ALPHA, method="BFGS", initial_params=warm)
        theta = np.asarray(found, dtype=np.float64)
    cov = np.asarray(np.linalg.inv(_hessian(theta, wins)), dtype=np.float64)
    return _Fit(order, theta, cov, _p_top(theta, cov), counts)


def _hessian(theta: NDArray[np.float64], wins: list[tuple[int, int]]) -> NDArray[np.float64]:
    """The penalised negative log-likelihood's Hessian at `theta` (half-win weights)."""
    hess = 2 * ALPHA * np.identity(len(theta))
    if wins:
        i, j = np.asarray(wins).T
        p = 1.0 / (1.0 + np.exp(-(theta[i] - theta[j])))
        w = 0.5 * p * (1 - p)  # each entry of `wins` is half a comparison
        np.add.at(hess, (i, i), w)
        np.add.at(hess, (j, j), w)
        np.add.at(hess, (i, j), -w)
        np.add.at(hess, (j, i), -w)
    return hess


def _p_top(theta: NDArray[np.float64], cov: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each take's chance of being the best, from draws of the posterior."""
    n = len(theta)
    if n == 1:
        return np.ones(1)
    draws = np.random.default_rng(DRAWS_SEED).multivariate_normal(
        theta, cov, size=TOP_DRAWS, method="cholesky"
    )
    best = np.bincount(np.argmax(draws, axis=1), minlength=n)
    return np.asarray(best / TOP_DRAWS, dtype=np.float64)


def _ranking(fit: _Fit) -> Ranking:
    n = len(fit.takes)
    order = sorted(range(n), key=lambda i: (-fit.theta[i], fit.takes[i]))
    # Strengths say nothing about a common shift (only differences are observed; the
    # prior alone holds the level), so intervals are of each strength against the takes'
    # mean: the covariance of θ − mean(θ). The fit's mean is 0 already.
    centre = np.identity(n) - 1.0 / n if n else np.zeros((0, 0))
    variance = np.diag(centre @ fit.cov @ centre)
    standings: list[Standing] = []
    for place, i in enumerate(order):
        shared = standings and abs(standings[-1].strength - fit.theta[i]) < SAME
        spread = Z95 * math.sqrt(max(float(variance[i]), 0.0))
        standings.append(
            Standing(
                take=fit.takes[i],
                rank=standings[-1].rank if shared else place + 1,
                strength=float(fit.theta[i]),
                low=float(fit.theta[i] - spread),
                high=float(fit.theta[i] + spread),
                p_top=float(fit.p_top[i]),
                comparisons=int(fit.counts[i]),
            )
        )
    compared = int(fit.counts.sum()) // 2
    settled = (
        len(standings) >= 2
        and bool(np.all(fit.counts > 0))
        and standings[0].p_top >= SETTLED_AT
        and standings[1].rank != 1
    )
    return Ranking(tuple(standings), compared, settled, fit)


# ---- the next pair ------------------------------------------------------------------------


def _pick(fit: _Fit, rng: np.random.Generator, last: frozenset[int]) -> tuple[int, int]:
    n = len(fit.takes)
    never = [i for i in range(n) if fit.counts[i] == 0]
    if never:  # every take compared at least once, early
        first = never[int(rng.integers(len(never)))]
        others = [i for i in never if i != first]
        if others:
            return first, others[int(rng.integers(len(others)))]
        leader = int(np.argmax(fit.theta))
        if leader != first:
            return first, leader
        return first, next(i for i in range(n) if i != first)
    i, j = (np.asarray(side) for side in zip(*itertools.combinations(range(n), 2), strict=True))
    p = 1.0 / (1.0 + np.exp(-(fit.theta[i] - fit.theta[j])))
    spread = fit.cov[i, i] + fit.cov[j, j] - 2 * fit.cov[i, j]
    contenders = np.sqrt(fit.p_top[i] * fit.p_top[j]) + 1e-3 * (fit.p_top[i] + fit.p_top[j])
    score = p * (1 - p) * spread * (contenders + 1e-9)
    if len(last) == 2:  # the pair just shown is not shown again at once
        score[[{fit.takes[a], fit.takes[b]} == last for a, b in zip(i, j, strict=True)]] = -1.0
    top = np.flatnonzero(score >= score.max() - 1e-12)  # equal scores: one at random
    chosen = int(top[int(rng.integers(len(top)))])
    return int(i[chosen]), int(j[chosen])


__all__ = [
    "CHOICES",
    "LEFT",
    "RIGHT",
    "SETTLED_AT",
    "TIE",
    "Outcome",
    "Ranking",
    "Standing",
    "choose_pair",
    "rank",
]
