"""Retry policy and rate limiter, on a fake clock: no test waits for real time."""

from __future__ import annotations

import email.utils
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studio.core.clock import FakeClock
from studio.providers.errors import (
    AuthError,
    RateLimited,
    RetriesExhausted,
    ServerError,
    TransportError,
)
from studio.providers.ratelimit import RpmLimiter
from studio.providers.retry import RetryPolicy, parse_retry_after


class Flaky:
    """Fails with the given errors in order, then returns 'ok'."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self, attempt: int) -> str:
        self.calls += 1
        assert attempt == self.calls
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


@given(attempt=st.integers(min_value=1, max_value=30), seed=st.integers(0, 2**32 - 1))
def test_full_jitter_stays_within_bounds(attempt: int, seed: int) -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=30.0, rng=random.Random(seed))
    delay = policy.backoff(attempt)
    assert 0.0 <= delay <= min(30.0, 0.5 * 2 ** (attempt - 1))


def test_jitter_spreads_delays() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=60.0, rng=random.Random(7))
    delays = [policy.backoff(4) for _ in range(500)]
    assert max(delays) <= 8.0
    assert min(delays) < 1.0
    assert max(delays) > 7.0


async def test_retries_transport_errors_then_succeeds() -> None:
    clock = FakeClock()
    call = Flaky(ServerError("boom", status=500), ServerError("boom", status=503))
    assert await RetryPolicy(rng=random.Random(1)).run(call, clock=clock) == "ok"
    assert call.calls == 3
    assert len(clock.sleeps) == 2
    assert clock.sleeps[0] <= 0.5
    assert clock.sleeps[1] <= 1.0


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_request_errors_are_never_retried(status: int) -> None:
    clock = FakeClock()
    call = Flaky(AuthError("no", status=status))
    with pytest.raises(AuthError):
        await RetryPolicy().run(call, clock=clock)
    assert call.calls == 1
    assert clock.sleeps == []


async def test_retry_after_wins_over_backoff() -> None:
    clock = FakeClock()
    call = Flaky(RateLimited("slow down", retry_after=7.0), RateLimited("again", retry_after=0.25))
    await RetryPolicy(base_delay=100.0).run(call, clock=clock)
    assert clock.sleeps == [7.0, 0.25]


async def test_retry_after_beyond_limit_is_not_waited_for() -> None:
    clock = FakeClock()
    call = Flaky(RateLimited("come back tomorrow", retry_after=3600.0))
    with pytest.raises(RetriesExhausted, match="asked to wait 3600 s"):
        await RetryPolicy(max_retry_after=120.0).run(call, clock=clock)
    assert clock.sleeps == []


async def test_attempts_are_capped() -> None:
    clock = FakeClock()
    call = Flaky(*[ServerError("down", status=502) for _ in range(10)])
    with pytest.raises(RetriesExhausted, match="after 4 attempts") as info:
        await RetryPolicy(max_attempts=4).run(call, clock=clock)
    assert call.calls == 4
    assert isinstance(info.value.last, ServerError)
    assert info.value.status == 502


async def test_deadline_bounds_the_whole_call() -> None:
    clock = FakeClock()
    call = Flaky(*[RateLimited("wait", retry_after=20.0) for _ in range(10)])
    with pytest.raises(RetriesExhausted, match="deadline 50 s"):
        await RetryPolicy(max_attempts=100, deadline=50.0).run(call, clock=clock)
    assert sum(clock.sleeps) <= 50.0
    assert call.calls == 3  # 0 s, 20 s, 40 s; a third wait would pass the deadline


def test_retry_after_forms() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after({"retry-after": "3"}, now) == 3.0
    assert parse_retry_after({"retry-after": "1.5"}, now) == 1.5
    assert parse_retry_after({"retry-after-ms": "250"}, now) == 0.25
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}, now) == 0.25
    date = email.utils.formatdate(now + 42, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now) == pytest.approx(42.0)
    past = email.utils.formatdate(now - 42, usegmt=True)
    assert parse_retry_after({"retry-after": past}, now) == 0.0
    assert parse_retry_after({"retry-after": "soon"}, now) is None
    assert parse_retry_after({}, now) is None


async def test_non_transport_errors_propagate_at_once() -> None:
    async def broken(attempt: int) -> str:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        await RetryPolicy().run(broken, clock=FakeClock())


async def test_rpm_limiter_spaces_requests_over_the_window() -> None:
    clock = FakeClock(start=0.0)
    limiter = RpmLimiter(3, clock)
    starts = []
    for _ in range(7):
        await limiter.acquire()
        starts.append(clock.now)
    assert starts == [0.0, 0.0, 0.0, 60.0, 60.0, 60.0, 120.0]
    assert limiter.in_window() == 1


async def test_rpm_limiter_unlimited_and_invalid() -> None:
    limiter = RpmLimiter(None, FakeClock())
    for _ in range(1000):
        await limiter.acquire()
    with pytest.raises(ValueError, match="positive"):
        RpmLimiter(0)


def test_transport_error_is_the_retry_base() -> None:
    assert issubclass(RetriesExhausted, TransportError)
