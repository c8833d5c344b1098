"""A headless, resumable batch: one render per line of a JSONL file (see `batch_lines`).

A line that does not parse (bad JSON, bad UTF-8, a bad field) is reported with its number
and the others still run; a byte-order mark and CRLF line ends are fine. Lines are read and
queued as the file streams in (the engine starts first, so a long file is already rendering
while it is read), with a progress line. Each line has an identity of its own (file, spec,
which of the identical lines, `render_again`): running the file again never queues a line
twice, and identical lines are separate takes. On a re-run, a line whose clip is missing
from the library is fetched again (unless it was deleted on purpose), one that failed for
storage or for the network is retried (the same render: looked up, fetched or sent under
its key), and one whose create is unsure is left for a person (`resend_unsure`: send
those again, under their keys).
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from studio.commands.batch_file import BatchLine, build_spec, line_key, parse_line
from studio.commands.follow import follow
from studio.core.errors import StorageError, StudioError
from studio.jobs import Engine
from studio.jobs.events import BudgetThreshold
from studio.services import Services
from studio.store import FailureClass, JobRow, JobStatus

__all__ = ["BatchResult", "build_spec", "run_batch"]

BOM = b"\xef\xbb\xbf"

PROGRESS_EVERY = 1_000  # lines, while reading
# Failures a re-run tries again (the same render, no new one): the library could not take
# the clip, or the provider could not be reached or fetched from.
RETRIED_ON_RERUN = (FailureClass.STORAGE, FailureClass.TRANSPORT)
YIELD_EVERY = 20  # lines: the engine sends the first renders while the rest are read


@dataclass
class BatchResult:
    jobs: list[JobRow] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # "file:line: why"
    refused_codes: set[int] = field(default_factory=set)  # their exit codes (2 bad, 6 budget)
    deleted: set[int] = field(default_factory=set)  # ready once; clip deleted on purpose

    @property
    def ready(self) -> int:
        """Takes whose clip is in the library (a deleted one is not counted)."""
        return sum(j.status is JobStatus.READY and j.id not in self.deleted for j in self.jobs)


def _lines(path: Path) -> Iterator[tuple[int, str | UnicodeDecodeError]]:
    """(number, text) of each line that is not blank or a comment; a line that is not
    UTF-8 comes as its decoding error, to be refused by its number like any bad line."""
    try:
        with open(path, "rb") as source:
            for number, raw in enumerate(source, start=1):
                if number == 1:
                    raw = raw.removeprefix(BOM)
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    yield number, err
                    continue
                if text.strip() and not text.lstrip().startswith("#"):
                    yield number, text
    except OSError as err:
        raise StudioError(f"Cannot read {path}: {err.strerror or err}.") from None


def not_utf8(err: UnicodeDecodeError) -> str:
    byte = err.object[err.start]
    return (
        f"not UTF-8 text (the byte {byte:#04x} at column {err.start + 1}); save the file as UTF-8."
    )


async def run_batch(
    services: Services,
    path: Path,
    *,
    resend_unsure: bool = False,
    wait: bool = True,
    stream: TextIO = sys.stderr,
) -> BatchResult:
    """Queue the file's lines (each once, whatever happened before) and follow them to the
    end, sent by this run's engine or by the one holding the library."""
    engine = services.engine
    profiles = await engine.models()

    def alert(event: object) -> None:  # budget alerts: a line each, as they are raised
        if isinstance(event, BudgetThreshold):
            print(f"studio: {event.sentence()}", file=stream, flush=True)

    engine.bus.subscribe(alert)
    result = BatchResult()
    seen: Counter[tuple[str, int]] = Counter()
    job_ids: list[int] = []
    batch_id: int | None = None
    reading = _Progress(stream)
    for count, (number, raw) in enumerate(_lines(path), start=1):
        where = f"{path.name}:{number}"
        try:
            if isinstance(raw, UnicodeDecodeError):
                raise StudioError(not_utf8(raw))
            line = parse_line(raw, number, profiles, path.parent)
        except StudioError as err:
            result.refused.append(f"{where}: {err}")
            result.refused_codes.add(err.exit_code)
            print(f"studio: {where}: {err}", file=stream)
            continue
        identity = (line.spec.content_hash(), line.render_again)
        key = line_key(path, line, seen[identity])
        seen[identity] += 1
        try:
            job, batch_id = await _queue_line(
                engine, line, key, batch_id, path.stem, resend_unsure=resend_unsure
            )
        except StorageError as err:  # not this line's fault: stop, nothing is lost
            raise _stopped(err) from None
        except StudioError as err:
            result.refused.append(f"{where}: {err}")
            result.refused_codes.add(err.exit_code)
            print(f"studio: {where}: {err}", file=stream)
            continue
        job_ids.append(job.id)
        if count % PROGRESS_EVERY == 0:
            reading.show(f"read {count:,} lines, {len(job_ids):,} queued")
        if count % YIELD_EVERY == 0:
            await asyncio.sleep(0)  # let the engine send while the file is read
    if not job_ids:
        raise StudioError(f"No runnable lines in {path.name}.")
    progress = _BatchProgress(stream, len(job_ids), services)
    try:
        jobs = await follow(
            services, job_ids, show=progress.show_jobs, what="The batch", wait=wait, stream=stream
        )
    finally:
        progress.close()
    progress.finish(jobs)
    result.jobs = jobs
    result.deleted = {
        j.id
        for j in jobs
        if j.status is JobStatus.READY and engine.store.assets.deleted_on_purpose(j.id)
    }
    return result


def _stopped(err: StorageError) -> StorageError:
    return StorageError(f"{err} The batch stopped; its jobs are kept for the next run.")


async def _queue_line(
    engine: Engine,
    line: BatchLine,
    key: str,
    batch_id: int | None,
    name: str,
    *,
    resend_unsure: bool,
) -> tuple[JobRow, int | None]:
    """The line's job: the one it already has (fetched again, retried or sent again where
    that is what a re-run means), or a new one."""
    store = engine.store
    existing = store.jobs.latest_on_line(key)
    if existing is not None:
        if existing.status is JobStatus.READY and not store.assets.present(
            engine.library, existing.id
        ):
            return engine.refetch(existing.id) or existing, batch_id
        if (
            existing.status is JobStatus.FAILED
            and existing.failure_class in RETRIED_ON_RERUN
            and existing.failure_code != "too_large"  # it would move it all again
        ):
            return await engine.retry(existing.id), batch_id
        if existing.status is JobStatus.UNSURE and resend_unsure:
            engine.send_again([existing.id])
            return store.jobs.get(existing.id) or existing, batch_id
        return existing, batch_id
    if batch_id is None:
        batch_id = engine.create_batch(name, project=line.project)
    job = await engine.submit(
        line.spec,
        project=line.project,
        priority=line.priority,
        batch_id=batch_id,
        again=True,  # identical lines are separate takes: the line key guards re-runs
        line_key=key,
    )
    return job, batch_id


class _Progress:
    """One line that rewrites itself on a terminal; sparse lines otherwise (logs, CI)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last = ""

    def show(self, line: str) -> None:
        if line == self.last:
            return
        self.last = line
        if self.tty:
            self.stream.write("\r" + line.ljust(100))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self.last:
            self.stream.write("\n")


class _BatchProgress(_Progress):
    def __init__(self, stream: TextIO, total: int, services: Services) -> None:
        super().__init__(stream)
        self.total = total
        self.services = services

    def show_jobs(self, jobs: list[JobRow]) -> None:
        counts = Counter(j.status for j in jobs)
        done = sum(counts[s] for s in JobStatus if s.settled)
        parts = [f"{counts[s]} {s.value}" for s in JobStatus if counts[s]]
        state, why = self.services.holder_state()
        paused = f"  (paused: {why})" if state == "paused" else ""
        super().show(f"{done}/{self.total} settled: {', '.join(parts)}{paused}")

    def finish(self, jobs: list[JobRow]) -> None:
        self.close()
        report_unfinished(jobs, self.stream, again="--resend-unsure")


def report_unfinished(jobs: list[JobRow], stream: TextIO, *, again: str) -> None:
    """A line for each job that gave no clip; unsure ones named with what a person can do."""
    for job in jobs:
        if job.status is JobStatus.READY:
            continue
        cls = job.failure_class.value if job.failure_class else job.status.value
        stream.write(f"job {job.id} ({job.prompt[:40]!r}): {cls}: {job.failure_message}\n")
    unsure = [job.name for job in jobs if job.status is JobStatus.UNSURE]
    if unsure:
        stream.write(
            f"studio: {', '.join(unsure)} may be rendering at the provider; nothing is sent "
            f"for them until you decide: run again with {again} to send them again (they may "
            "be paid twice), or forget them in the Studio window.\n"
        )
