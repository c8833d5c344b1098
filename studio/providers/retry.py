"""Retry policy: exponential backoff with full jitter, `Retry-After` honoured, bounded.

Full jitter (delay drawn uniformly from [0, min(cap, base·2^n)]) spreads retries of many
clients hitting the same outage; a server's `Retry-After` / `retry-after-ms` wins over our
own backoff. Attempts are capped and a total deadline bounds the whole call: with
`attempt_limit`, each attempt is cut when it runs past it or past what is left of the total
(a reply that trickles a byte at a time never holds a call beyond its deadline).
"""

from __future__ import annotations

import asyncio
import email.utils
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from studio.core.clock import Clock, SystemClock
from studio.providers.errors import RetriesExhausted, TimedOut, TransportError

T = TypeVar("T")
MIN_ATTEMPT = 5.0  # seconds: an attempt with less time than this left is not begun


def parse_retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds to wait from `retry-after-ms`, or `Retry-After` as seconds or an HTTP-date."""
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - now)


@dataclass
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    deadline: float = 120.0  # total seconds for one logical call, all attempts included
    max_retry_after: float = 120.0  # a server asking for more than this is not waited for
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:
        """Full jitter delay before retry number `attempt` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return self.rng.uniform(0.0, ceiling)

    async def run(
        self,
        call: Callable[[int], Awaitable[T]],
        *,
        clock: Clock | None = None,
        on_retry: Callable[[int, TransportError, float], None] | None = None,
        retry_unsure: bool = True,
        attempt_limit: float | None = None,
        before: Callable[[], Awaitable[None]] | None = None,
        cut: Callable[[float], TransportError] | None = None,
    ) -> T:
        """Run `call(attempt)` until it succeeds or fails for good.

        Only `TransportError` is retried; anything else propagates at once. With
        `retry_unsure=False`, an error after which the request may have taken effect
        (`err.unsure`) propagates too, so the caller can look before resending. With
        `attempt_limit`, an attempt still running after that many seconds (or after the
        total deadline) is cut and becomes `cut(seconds)` (a timeout by default); a further
        attempt is not begun with less than MIN_ATTEMPT seconds left. `before` runs ahead of
        each attempt and outside its time (waiting for the rate limit is not the request's
        time).
        """
        clock = clock or SystemClock()
        started = clock.monotonic()
        attempt = 0
        unsure = False
        while True:
            attempt += 1
            if before is not None:
                await before()
            try:
                if attempt_limit is None:
                    return await call(attempt)
                left = self.deadline - (clock.monotonic() - started)
                limit = min(attempt_limit, left)
                try:
                    async with asyncio.timeout(max(0.001, limit)):
                        return await call(attempt)
                except TimeoutError:
                    raise (cut(limit) if cut else TimedOut(f"cut after {limit:.0f} s")) from None
            except TransportError as err:
                if err.unsure and not retry_unsure:
                    raise
                unsure = unsure or err.unsure
                delay = self._delay_for(err, attempt)
                elapsed = clock.monotonic() - started
                if delay is None or attempt >= self.max_attempts:
                    raise self._exhausted(err, attempt, elapsed, unsure=unsure) from err
                short = attempt_limit is not None and min(attempt_limit, MIN_ATTEMPT) > (
                    self.deadline - elapsed - delay
                )  # too little time left for another attempt to be worth it
                if elapsed + delay > self.deadline or short:
                    raise self._exhausted(
                        err, attempt, elapsed, deadline=True, unsure=unsure
                    ) from err
                if on_retry is not None:
                    on_retry(attempt, err, delay)
                await clock.sleep(delay)

    def _delay_for(self, err: TransportError, attempt: int) -> float | None:
        if err.retry_after is not None:
            if err.retry_after > self.max_retry_after:
                return None
            return err.retry_after
        return self.backoff(attempt)

    def _exhausted(
        self,
        err: TransportError,
        attempts: int,
        elapsed: float,
        *,
        deadline: bool = False,
        unsure: bool = False,
    ) -> RetriesExhausted:
        why = (
            f"gave up after {elapsed:.0f} s (deadline {self.deadline:.0f} s)"
            if deadline
            else f"gave up after {attempts} attempt{'s' if attempts != 1 else ''}"
        )
        if err.retry_after is not None and err.retry_after > self.max_retry_after:
            why = f"the provider asked to wait {err.retry_after:.0f} s"
        return RetriesExhausted(f"{err} ({why})", last=err, unsure=unsure)
