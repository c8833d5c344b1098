"""`studio generate`: one render, recorded in the library like the app's and a batch's
(its spend counts against the caps, and the take can be reviewed later), and written to
`--out` as well.

The destination is checked before anything is sent: a render is paid for, so it must have
somewhere to go. `--timeout` bounds the whole command.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from studio.commands.batch_file import build_spec
from studio.commands.batch_run import report_unfinished
from studio.commands.common import open_for
from studio.commands.follow import exit_code, follow
from studio.core.errors import StorageError, StudioError, TimeUp
from studio.core.spec import project_name
from studio.media.images import check_image
from studio.providers.errors import ProviderError
from studio.services import Services
from studio.store import JobRow, JobStatus, Store


class GenerateFailed(StudioError):
    """The render ended without a clip; `exit_code` says how (see EXIT_CODES)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_generate(args))


def destination(out: Path, prompt: str) -> Path:
    """Where the clip will be written: `out`, or a generated name inside `out` when it is a
    folder. Refused, before any request, when it cannot be written there."""
    folder_given = out.is_dir() or str(out).endswith(os.sep)
    folder = out if folder_given else out.parent
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise StudioError(f"Cannot save to {out}: {existing} is not a folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StorageError(f"Cannot make the folder {folder}: {err.strerror or err}.") from None
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".studio-check-"):
            pass
    except OSError as err:
        raise StorageError(
            f"Cannot save to {folder}: {err.strerror or err}. Nothing was sent."
        ) from None
    if not folder_given:
        return out
    slug = re.sub(r"[^a-z0-9]+", "-", prompt.lower()).strip("-")[:40] or "clip"
    return _unused(folder / f"{slug}.mp4")


def _unused(path: Path) -> Path:
    n = 1
    candidate = path
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


async def _generate(args: argparse.Namespace) -> int:
    if not args.prompt.strip():
        raise StudioError("The prompt is empty: describe at least a subject and an action.")
    try:
        project = project_name(args.project)
    except ValueError as err:
        raise StudioError(f"--project {err}.") from None
    if args.image:
        check_image(args.image)  # before anything starts
    out = destination(args.out, args.prompt)
    services = await open_for(args, "engine")
    try:
        async with asyncio.timeout(args.timeout):
            await services.take_library(wait=not args.no_wait)
            job = await _render(services, args, project)
        _copy(services.store, services.library, job, out)
    except TimeoutError:
        raise TimeUp(
            f"Did not finish within {args.timeout:.0f} s; the job stays in the library and "
            "continues when Studio or 'studio batch' runs again.",
        ) from None
    finally:
        await services.close()
    print(out.resolve())
    return 0


async def _render(services: Services, args: argparse.Namespace, project: str) -> JobRow:
    engine = services.engine
    profiles = await engine.models()
    if profiles.provisional:  # the provider did not answer: a render now cannot be had
        raise ProviderError(f"{profiles.note.split(';')[0]}. Nothing was sent.")
    spec = build_spec(vars(args), profiles, Path.cwd())
    profile = profiles.get(spec.model)
    cost = profiles.price(spec)  # intake's one check and price: a bad spec stops here
    estimate = f" — estimated cost ${cost:.2f}" if cost is not None else ""
    via = services.connection.description
    print(
        f"Rendering {spec.seconds} s at {spec.frame} on {profile.id} via {via}{estimate}",
        file=sys.stderr,
    )
    queued = await engine.submit_batch(
        [spec], name=args.prompt[:40], project=project, again=args.again
    )
    job = queued.jobs[0]
    if queued.reused:
        print(f"{queued.summary()} Using it (--again renders another take).", file=sys.stderr)
        if job.status is JobStatus.UNSURE and args.resend_unsure:
            engine.send_again([job.id])
    progress = _Progress(sys.stderr)
    try:
        (current,) = await follow(
            services,
            [job.id],
            show=lambda jobs: progress.update(jobs[0]),
            what="The render",
            wait=not args.no_wait,
        )
    finally:
        progress.close()
    progress.done(current)
    if current.status is not JobStatus.READY:
        report_unfinished([current], sys.stderr, again="--resend-unsure")
        cls = current.failure_class
        raise GenerateFailed(
            f"{current.name} ended {current.status.value}"
            f"{f' ({cls.value})' if cls else ''}: {current.failure_message or 'no clip'}",
            exit_code(current),
        )
    return current


def _copy(store: Store, library: Path, job: JobRow, out: Path) -> None:
    """The library's clip to `out`: a temporary name, fsync, then the final name."""
    source = store.assets.file(library, job.id, "video")
    if source is None or not source.is_file():
        raise GenerateFailed(f"{job.name} is ready but its clip is missing from the library.", 5)
    part = out.with_name(out.name + ".part")
    try:
        with open(source, "rb") as src, open(part, "wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(part, out)
    except OSError as err:
        part.unlink(missing_ok=True)
        raise StorageError(
            f"Cannot write {out}: {err.strerror or err}. The clip is kept in the library "
            f"({job.name})."
        ) from None


class _Progress:
    """A one-line progress bar on a terminal; sparse lines otherwise (logs, CI)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last: tuple[str, int] | None = None

    def update(self, job: JobRow) -> None:
        pct = job.progress or 0
        state = job.status.value
        if self.tty:
            bar = "#" * (pct // 5) + "." * (20 - pct // 5)
            self.stream.write(f"\r[{bar}] {pct:3d}%  {state:<11} {job.name}")
            self.stream.flush()
            self.last = (state, pct)
            return
        step = (state, pct // 25)
        if step != self.last:
            self.stream.write(f"{job.name}: {state} {pct}%\n")
            self.last = step

    def close(self) -> None:
        if self.tty and self.last is not None:
            self.stream.write("\n")
            self.last = None

    def done(self, job: JobRow) -> None:
        if job.status is JobStatus.READY:
            cost = f", cost ${job.cost:.2f}" if job.cost else ""
            self.stream.write(f"{job.name} is in the library{cost}\n")
