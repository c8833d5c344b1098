"""The time a render has left, on data: polls of a job whose progress moves at a steady rate
(whole percents, as providers report it, at jittered poll times) never make it count up."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from studio.jobs.remaining import MIN_POINTS, RemainingTime


def steady_polls(
    seed: int, *, start: float, render: float, gap: tuple[float, float]
) -> list[tuple[float, int]]:
    """(when recorded, progress) of each poll of a job that renders in `render` seconds at
    a steady rate: the provider measures it, the answer is recorded up to 0.3 s later."""
    rng = random.Random(seed)
    polls, at = [], start + rng.uniform(*gap)
    while at < start + render:
        progress = min(99, math.floor(100 * (at - start) / render))
        polls.append((at + rng.uniform(0.0, 0.3), progress))
        at += rng.uniform(*gap)
    return polls


def shown_each_second(polls: list[tuple[float, int]], until: float) -> list[tuple[float, int]]:
    """(now, whole seconds left) as the queue shows it once a second, polls arriving."""
    estimate, shown, pending = RemainingTime(), [], list(polls)
    now = polls[0][0]
    while now < until:
        while pending and pending[0][0] <= now:
            estimate.observe(*pending.pop(0))
        left = estimate.left(now)
        if left is not None:
            shown.append((now, int(left)))
        now += 1.0
    return shown


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize(
    ("render", "gap"), [(60.0, (2.0, 6.0)), (240.0, (4.0, 30.0)), (30.0, (1.5, 2.5))]
)
def test_steady_progress_never_counts_up(
    seed: int, render: float, gap: tuple[float, float]
) -> None:
    start = 1_000.0
    polls = steady_polls(seed, start=start, render=render, gap=gap)
    shown = shown_each_second(polls, start + render)
    assert shown, "no estimate before the end"
    figures = [left for _, left in shown]
    assert all(b <= a for a, b in itertools.pairwise(figures)), figures
    # A fair figure: never short of the true time left, and close to it once the rate is
    # well known (half the render in: within a tenth of the render).
    for now, left in shown:
        true_left = start + render - now
        assert left >= int(true_left) - 1
        if now > start + render / 2 + gap[1]:
            assert left - true_left <= render / 10, (now, left, true_left)


def test_the_old_rule_counted_up_between_polls() -> None:
    """What the queue showed before: elapsed × (100 − p) / p, with p standing still between
    polls — "0:16 left", then "0:27" at the same 26 %."""
    submitted, progress = 1_000.0, 26

    def old(now: float) -> float:
        return (now - submitted) * (100 - progress) / progress

    assert old(1_006.0) < old(1_010.0)  # the bug this module replaces
    estimate = RemainingTime()
    estimate.observe(1_000.0, 10)
    estimate.observe(1_005.0, 26)
    first, later = estimate.left(1_006.0), estimate.left(1_010.0)
    assert first is not None
    assert later is not None
    assert later < first


def test_estimating_until_the_progress_has_moved() -> None:
    estimate = RemainingTime()
    assert estimate.estimating
    assert estimate.left(1_000.0) is None
    estimate.observe(1_000.0, 10)
    estimate.observe(1_004.0, 10)  # the same report read again: nothing learnt
    estimate.observe(1_005.0, 10 + MIN_POINTS - 1)
    assert estimate.estimating  # a rate from so little would be wrong by half
    estimate.observe(1_010.0, 10 + 2 * MIN_POINTS)
    assert not estimate.estimating
    left = estimate.left(1_010.0)
    assert left is not None
    assert 35.0 < left < 45.0


def test_a_real_slowdown_is_estimated_again_and_moves_the_finish_later() -> None:
    estimate = RemainingTime()
    for second in range(0, 21, 5):  # 2 points a second for 20 s
        estimate.observe(1_000.0 + second, 2 * second)
    finish = estimate.finish
    assert finish is not None
    assert finish < 1_000.0 + 60.0
    second, progress = 20, 40
    while not estimate.estimating:  # then 0.2 points a second
        second, progress = second + 5, progress + 1
        estimate.observe(1_000.0 + second, progress)
        assert second < 60, "the slowdown was never noticed"
    assert progress < 40 + 4  # noticed within a few polls: the old rate no longer holds
    while estimate.estimating:
        second, progress = second + 5, progress + 1
        estimate.observe(1_000.0 + second, progress)
    assert estimate.finish is not None
    assert estimate.finish > finish + 200.0


def test_progress_that_starts_over_starts_the_estimate_over() -> None:
    estimate = RemainingTime()
    for second in range(0, 21, 5):
        estimate.observe(1_000.0 + second, 2 * second)
    assert not estimate.estimating
    estimate.observe(1_025.0, 3)  # the provider restarted the render
    assert estimate.estimating
