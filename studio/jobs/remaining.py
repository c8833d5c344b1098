"""How long a render has left, from the rate its progress moves at (no Qt; the queue shows it).

Elapsed × (100 − p) / p counted up between polls: progress stands still for a poll's
interval while the elapsed time grows, so "0:16 left" became "0:27 left" at the same 26 %.

Here the estimate is a finishing time, and the time left counts down to it. Progress comes
in whole percents (26 means somewhere in [26, 27)) at the moment a poll was answered, so the
reports since the first one seen bound the rate, and with it the finishing time, from both
sides. The estimate is the tightest *latest* finish the reports allow: at a steady rate the
true finish is never after it, so a new report can only bring it earlier — the figure never
counts up. Only a report that proves it too early (the job has really slowed down) moves it
later. Until the progress has moved by `MIN_POINTS` there is no figure ("estimating"): a
rate from a few points would be wrong by half. Early on the figure is a little long and falls
a little faster than the clock; it is never short.
"""

from __future__ import annotations

from dataclasses import dataclass

# Progress moved by at least this much before a figure is shown: the rate's bound is then
# within about a ninth of the true rate, and tightens as the render goes on.
MIN_POINTS = 10
LATENCY = 0.5  # seconds a report's recorded time may lag the moment it was measured


@dataclass
class RemainingTime:
    """One running job's estimate: `observe` each progress report with the time it was
    recorded (the job row's `updated_at`), read `left(now)` whenever it is shown."""

    first: tuple[float, int] | None = None  # (when, progress) the rate is measured from
    last: tuple[float, int] | None = None
    finish: float | None = None  # the latest it should be done by

    def observe(self, at: float, progress: int) -> None:
        if self.last is not None and progress == self.last[1]:
            return  # the same report read again
        if self.first is None or self.last is None or progress < self.last[1]:
            self.first = self.last = (at, progress)  # the first seen, or it started over
            self.finish = None
            return
        previous, self.last = self.last, (at, progress)
        earliest, latest = self._bounds()
        if self.finish is not None and earliest > self.finish:
            # Slower than the rate so far: measure it again from the report before this.
            self.first, self.finish = previous, None
            earliest, latest = self._bounds()
        if latest is not None:
            self.finish = latest if self.finish is None else min(self.finish, latest)

    def _bounds(self) -> tuple[float, float | None]:
        """(earliest, latest) finishing time at a steady rate since `first`; latest is None
        while the progress has moved too little to bound the rate."""
        assert self.first is not None
        assert self.last is not None
        (t0, p0), (t1, p1) = self.first, self.last
        points, span = p1 - p0, t1 - t0
        if points <= 0 or span <= 0:
            return t1, None
        fastest = (points + 1) / max(span - LATENCY, 1e-3)  # points per second
        earliest = t1 - LATENCY + (99 - p1) / fastest
        if points < MIN_POINTS:
            return earliest, None
        slowest = (points - 1) / (span + LATENCY)
        return earliest, t1 + (100 - p1) / slowest

    @property
    def estimating(self) -> bool:
        """No figure yet: the progress has not moved far enough to give a rate."""
        return self.finish is None

    def left(self, now: float) -> float | None:
        """Seconds left (never below 0), or None while `estimating`."""
        return None if self.finish is None else max(0.0, self.finish - now)
