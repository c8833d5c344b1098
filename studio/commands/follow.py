"""One loop follows a command's jobs to their end, for `studio generate` and `studio batch`.

Whoever sends them — this run's engine, or the engine of the Studio process that holds the
library — the rules are the same: the jobs are read from the library until each is settled
(finished, or parked unsure for a person); a refused key stops the command (exit 4), a
library that cannot be written too (exit 5), both leaving every job for the next run; and
when the holding process goes away, this run's engine takes over and sends the rest.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from studio.core.errors import LibraryBusy, StorageError, StudioError
from studio.services import Services
from studio.store import FailureClass, JobRow, JobStatus

EVERY = 0.3  # seconds between looks at the library
TAKE_OVER_EVERY = 1.0  # seconds between tries to take a library another process holds

# A job that ended without a clip → the exit code its failure means (see EXIT_CODES).
FAILURE_CODES = {FailureClass.TRANSPORT: 3, FailureClass.REQUEST: 4, FailureClass.STORAGE: 5}


class ProviderRefused(StudioError):
    """The provider refused the key: the command stops (its jobs stay for the next run)."""

    exit_code = 4


def exit_code(job: JobRow) -> int:
    """What a settled job means for the command's exit code (0: it gave a clip)."""
    if job.status is JobStatus.READY:
        return 0
    if job.status is JobStatus.UNSURE:
        return 1
    cls = job.failure_class
    return FAILURE_CODES.get(cls, 1) if cls else 1


async def follow(
    services: Services,
    job_ids: Sequence[int],
    *,
    show: Callable[[list[JobRow]], None] = lambda jobs: None,
    what: str = "The run",
    wait: bool = True,
    stream: TextIO = sys.stderr,
) -> list[JobRow]:
    """Return the jobs once every one is settled; `show` sees them at each look. Should the
    process holding the library stop sending them (it switched provider, say), that is said
    once and waited out — or with `wait=False` (--no-wait), ends the run (exit 7)."""
    store = services.store
    tried = asyncio.get_running_loop().time()
    said = False
    while True:
        jobs = store.jobs.many(job_ids)
        show(jobs)
        state, why = services.holder_state()
        if state == "auth":
            raise ProviderRefused(
                f"The provider refused the API key ({why}). {what} stopped; its jobs are kept "
                "for the next run."
            )
        if state == "storage":
            raise StorageError(f"{why} {what} stopped; its jobs are kept for the next run.")
        if all(job.status.settled for job in jobs):
            return jobs
        now = asyncio.get_running_loop().time()
        if services.busy and now - tried >= TAKE_OVER_EVERY:
            tried = now
            await services.try_start()  # the holder has gone: send the rest from here
            if services.busy and not services.sends_here and not said:
                if not wait:
                    raise LibraryBusy(f"{services.busy} {what} stopped; its jobs are kept.")
                print(
                    f"studio: {services.holder} no longer sends these jobs; waiting for it "
                    "to finish with the library.",
                    file=stream,
                    flush=True,
                )
                said = True
        await asyncio.sleep(EVERY)
