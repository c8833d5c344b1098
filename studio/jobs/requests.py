"""What a front end hands the engine to queue, and what it gets back (light: no engine
imports, so the editor can build requests before the services have loaded)."""

from __future__ import annotations

from dataclasses import dataclass

from studio.store import JobRow, take_name


@dataclass(frozen=True)
class Queued:
    """What queuing did: a job per request, in order — new, or one that already had the
    same prompt and settings (`reused`), so the caller can say so."""

    jobs: list[JobRow]
    reused: list[JobRow]

    @property
    def new(self) -> list[JobRow]:
        old = {job.id for job in self.reused}
        return [job for job in self.jobs if job.id not in old]

    def summary(self) -> str:
        """What happened, in one sentence: "Queued #51–#54." / "#42 already has this
        prompt and settings." (a person must never read "Queued" when nothing was)."""
        parts = []
        new = self.new
        if new:
            parts.append(f"Queued {take_names(new)}")
        if self.reused:
            verb = "has" if len(self.reused) == 1 else "have"
            parts.append(f"{take_names(self.reused)} already {verb} this prompt and settings")
        text = "; ".join(parts) or "Nothing to queue"
        return text[0].upper() + text[1:] + "."


def take_names(jobs: list[JobRow]) -> str:
    """ "#51", "#51, #53", or a run of three or more as "#51–#54"."""
    ids = sorted(job.id for job in jobs)
    if len(ids) > 2 and ids[-1] - ids[0] == len(ids) - 1:
        return f"{take_name(ids[0])}–{take_name(ids[-1])}"
    return ", ".join(take_name(i) for i in ids)
