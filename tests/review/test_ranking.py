"""The ranking (studio.review.ranking): the Bradley–Terry fit with its intervals, the pair
chosen next, "settled", and — against a simulated reviewer with known preferences and
noise — how quickly the adaptive choice of pairs finds the best take, against random pairs.

The simulated reviewer: 8 takes whose strengths are evenly spaced `GAP` apart on the
log-odds scale (in a random order of take numbers each run), so the reviewer prefers the
best take over the second σ(1.25) = 78 % of the time and over the third 92 %; before
judging, the reviewer calls a tie `TIES` of the time, whatever the takes; otherwise picks
by the logistic model. Each run has its own seed for the strengths, the reviewer and the
chooser, so every figure here is the same on every machine."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import pytest

from studio.review.ranking import (
    LEFT,
    RIGHT,
    SETTLED_AT,
    TIE,
    Outcome,
    Ranking,
    choose_pair,
    rank,
)

TAKES = list(range(101, 109))  # 8 takes
GAP = 1.25  # between neighbouring takes' strengths (log-odds)
TIES = 0.10  # how often the reviewer cannot choose
BUDGET = 24  # comparisons
RUNS = 200


def reviewer(strengths: dict[int, float], rng: np.random.Generator) -> Callable[[int, int], str]:
    def judge(left: int, right: int) -> str:
        if rng.random() < TIES:
            return TIE
        p_left = 1 / (1 + math.exp(-(strengths[left] - strengths[right])))
        return LEFT if rng.random() < p_left else RIGHT

    return judge


def session(seed: int, *, adaptive: bool, budget: int) -> tuple[bool, int, Ranking]:
    """One ranking of the 8 takes by a simulated reviewer: whether the ranking's top is the
    truly best take once it settled or the budget ran out, after how many comparisons."""
    world = np.random.default_rng(seed)
    strengths = dict(zip(TAKES, world.permutation(np.arange(len(TAKES)) * GAP), strict=True))
    best = max(TAKES, key=lambda take: strengths[take])
    judge = reviewer(strengths, np.random.default_rng([seed, 1]))
    chooser = np.random.default_rng([seed, 2])
    outcomes: list[Outcome] = []
    ranking = rank(TAKES, outcomes)
    last: tuple[int, int] | None = None
    while len(outcomes) < budget and not ranking.settled:
        if adaptive:
            left, right = choose_pair(ranking, chooser, last=last)
        else:
            a, b = chooser.choice(TAKES, 2, replace=False)
            left, right = int(a), int(b)
        outcomes.append(Outcome(left, right, judge(left, right)))
        last = (left, right)
        if adaptive:  # the random chooser needs no fit on the way
            ranking = rank(TAKES, outcomes, start=ranking)
    ranking = rank(TAKES, outcomes)
    leader = ranking.leader
    assert leader is not None
    return leader.take == best, len(outcomes), ranking


def test_adaptive_pairs_find_the_best_of_8_in_24_comparisons_and_beat_random_pairs() -> None:
    started = time.perf_counter()
    adaptive = [session(seed, adaptive=True, budget=BUDGET) for seed in range(RUNS)]
    random = [session(seed, adaptive=False, budget=BUDGET) for seed in range(RUNS)]
    found = sum(ok for ok, _n, _r in adaptive) / RUNS
    found_random = sum(ok for ok, _n, _r in random) / RUNS
    used = np.mean([n for _ok, n, _r in adaptive])
    settled = sum(r.settled for _ok, _n, r in adaptive)
    figures = (
        f"best of 8 found within {BUDGET} comparisons, {RUNS} seeded runs: adaptive "
        f"{found:.1%} (mean {used:.1f} comparisons, {settled} settled), random pairs "
        f"{found_random:.1%}: adaptive better by {100 * (found - found_random):.1f} points "
        f"({time.perf_counter() - started:.1f} s)"
    )
    print(f"\n{figures}")  # noqa: T201 - the figures the issue asks to see (pytest -s)
    assert all(n <= BUDGET for _ok, n, _r in adaptive)
    assert found >= 0.90, figures
    assert found - found_random >= 0.15, figures  # measured: 92.5 % against 61.0 %


def test_settled_means_the_top_would_not_change() -> None:
    """Given comparisons enough (up to 80), the ranking settles, and a settled ranking's top
    is the truly best take: "settled" is earned, not guessed."""
    runs = [session(seed, adaptive=True, budget=80) for seed in range(1000, 1030)]
    settled = [(ok, n) for ok, n, r in runs if r.settled]
    figures = (
        f"settled in {len(settled)} of {len(runs)} runs, after a median of "
        f"{np.median([n for _ok, n in settled]):.0f} comparisons; the top right in "
        f"{sum(ok for ok, _n in settled)} of them"
    )
    print(f"\n{figures}")  # noqa: T201 - the figures the issue asks to see (pytest -s)
    assert len(settled) >= 0.8 * len(runs), figures
    assert sum(ok for ok, _n in settled) >= 0.95 * len(settled), figures
    for _ok, _n, r in runs:  # settled only when the leader's chance is at least 95 %
        leader = r.standings[0]
        assert r.settled == (leader.p_top >= SETTLED_AT and all(s.comparisons for s in r.standings))


def test_the_fit_ranks_by_wins_with_intervals_that_narrow() -> None:
    few = [Outcome(1, 2, LEFT), Outcome(2, 3, LEFT)]
    ranking = rank([1, 2, 3], few)
    assert [s.take for s in ranking.standings] == [1, 2, 3]
    assert [s.rank for s in ranking.standings] == [1, 2, 3]
    assert ranking.comparisons == 2
    assert [s.comparisons for s in ranking.standings] == [1, 2, 1]
    first = ranking.of(1)
    assert first.low < first.strength < first.high
    assert not ranking.settled  # two comparisons cannot settle three takes
    upsets = [Outcome(1, 2, RIGHT), Outcome(2, 3, RIGHT)]
    many = rank([1, 2, 3], few * 8 + upsets * 2)  # 1 won 8 of its 10, as 2 of its 10 against 3
    wide, narrow = first.high - first.low, many.of(1).high - many.of(1).low
    assert narrow < wide / 2
    assert many.of(1).p_top > first.p_top
    assert rank([1, 2, 3], few) == ranking  # a function of its comparisons


def test_a_tie_is_half_a_win_each_way() -> None:
    tied = rank([1, 2], [Outcome(1, 2, TIE)] * 4)
    assert tied.of(1).strength == pytest.approx(tied.of(2).strength, abs=1e-6)
    assert [s.rank for s in tied.standings] == [1, 1]  # equal: they share the rank
    assert not tied.settled
    # a win and a loss each way weigh as two ties: the same fit
    even = rank([1, 2], [Outcome(1, 2, LEFT), Outcome(1, 2, RIGHT)] * 2)
    assert even.of(1).strength == pytest.approx(tied.of(1).strength, abs=1e-6)
    leaning = rank([1, 2], [Outcome(1, 2, TIE), Outcome(2, 1, RIGHT)])
    assert leaning.leader is not None
    assert leaning.leader.take == 1
    assert 0 < leaning.of(1).strength < rank([1, 2], [Outcome(1, 2, LEFT)] * 2).of(1).strength


def test_takes_never_compared_rank_at_zero_and_others_are_ignored() -> None:
    ranking = rank([5, 6, 7], [Outcome(5, 6, LEFT), Outcome(5, 99, LEFT)])
    assert ranking.comparisons == 1  # the one with take 99 is not among these takes
    assert ranking.of(7).strength == pytest.approx(0.0, abs=1e-6)
    assert ranking.of(7).comparisons == 0
    assert not ranking.settled  # take 7 was never compared


def test_every_take_is_compared_early_and_no_pair_twice_in_a_row() -> None:
    rng = np.random.default_rng(3)
    outcomes: list[Outcome] = []
    ranking = rank(TAKES, outcomes)
    last: tuple[int, int] | None = None
    for _ in range(30):
        left, right = choose_pair(ranking, rng, last=last)
        assert left != right
        assert last is None or {left, right} != set(last)
        outcomes.append(Outcome(left, right, LEFT if left < right else RIGHT))
        if len(outcomes) == len(TAKES) // 2:  # the first four pair all eight takes
            assert {t for o in outcomes for t in (o.left, o.right)} == set(TAKES)
        ranking, last = rank(TAKES, outcomes, start=ranking), (left, right)
    sides = [o.left < o.right for o in outcomes]
    assert 0 < sum(sides) < len(sides)  # left and right drawn at random


def test_the_choice_is_deterministic_given_a_seed() -> None:
    def pairs(seed: int) -> list[tuple[int, int]]:
        rng, outcomes, chosen = np.random.default_rng(seed), [], []
        ranking = rank(TAKES, [])
        for _ in range(12):
            pair = choose_pair(ranking, rng, last=chosen[-1] if chosen else None)
            chosen.append(pair)
            outcomes.append(Outcome(*pair, LEFT))
            ranking = rank(TAKES, outcomes)
        return chosen

    assert pairs(7) == pairs(7)
    assert pairs(7) != pairs(8)


def test_two_takes_at_least() -> None:
    with pytest.raises(ValueError, match="two takes"):
        choose_pair(rank([1], []), np.random.default_rng(0))
