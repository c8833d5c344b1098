"""When to ask again: adaptive, per job, from elapsed time and observed progress.

Start at ~5 s, back off towards 30 s while a job is far from done, and come back quickly
when the progress says it is nearly finished, so completion is seen within a few seconds
without polling every job every second. Jitter keeps many clients from polling in step.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class PollSchedule:
    fastest: float = 2.0
    start: float = 5.0
    slowest: float = 30.0
    jitter: float = 0.2  # ± fraction
    rng: random.Random = field(default_factory=random.Random)

    def interval(self, elapsed: float, progress: int | None, typical: float) -> float:
        """Seconds until the next poll of a job `elapsed` s after submit."""
        backoff = min(self.slowest, self.start * (1.0 + elapsed / 60.0))
        if progress and 0 < progress < 100:
            remaining = elapsed * (100 - progress) / progress
        else:
            remaining = max(0.0, typical - elapsed)
        wanted = min(backoff, max(self.fastest, remaining / 2.0))
        spread = 1.0 + self.rng.uniform(-self.jitter, self.jitter)
        return max(self.fastest * 0.5, wanted * spread)
