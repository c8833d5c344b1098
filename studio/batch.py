"""Specs from people and files (CLI flags, JSONL lines) into `RenderSpec`s, and headless batches.

A batch file has one JSON object per line: `prompt` (required), and optionally `model`,
`seconds`, `size` or `resolution` + `aspect`, `seed`, `audio`, `image` (a path, relative to
the file), `fit` (crop|pad), `priority`, `project`, `render_again`. A line that does not
parse is reported with its number; the other lines still run. Running the same file again
continues where it left off: a line that already has a job (running, done or failed) is
not queued again; failed ones are retried deliberately (`render_again`, or the queue).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from studio.errors import SpecError, StudioError
from studio.images import check_image, fit_image
from studio.jobs import Engine
from studio.providers.profiles import ProfileSet
from studio.providers.types import ReferenceImage, RenderSpec
from studio.store import JobRow, JobStatus

KNOWN_FIELDS = {
    "prompt",
    "model",
    "seconds",
    "size",
    "resolution",
    "aspect",
    "seed",
    "audio",
    "image",
    "fit",
    "priority",
    "project",
    "render_again",
}


def build_spec(fields: Mapping[str, Any], profiles: ProfileSet, base_dir: Path) -> RenderSpec:
    """A validated spec; unset duration and frame default to the model's first allowed ones."""
    prompt = fields.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise SpecError("The prompt is empty: describe at least a subject and an action.")
    model = fields.get("model")
    profile = profiles.get(model) if model else next(iter(profiles))
    seconds = fields.get("seconds")
    if seconds is None:
        seconds = profile.durations[0]
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise SpecError(f"'seconds' must be a whole number, not {seconds!r}.")
    size, resolution, aspect = fields.get("size"), fields.get("resolution"), fields.get("aspect")
    if not (size or resolution or aspect):
        if profile.sizes:
            size = profile.sizes[0]
        else:
            resolution, aspect = profile.resolutions[0], profile.aspect_ratios[0]
    spec = RenderSpec(
        model=profile.id,
        prompt=prompt,
        seconds=seconds,
        size=size,
        resolution=resolution,
        aspect_ratio=aspect,
        seed=fields.get("seed"),
        generate_audio=fields.get("audio"),
    )
    image = fields.get("image")
    if image:
        checked = check_image(base_dir / str(image))
        fit = fields.get("fit") or "crop"
        if fit not in ("crop", "pad"):
            raise SpecError(f"'fit' must be crop or pad, not {fit!r}.")
        fitted = fit_image(
            checked.data, profile.output_size(spec), "pad" if fit == "pad" else "crop"
        )
        spec = dataclasses.replace(spec, reference=ReferenceImage(fitted))
    profile.validate(spec)
    return spec


@dataclass
class BatchLine:
    number: int
    spec: RenderSpec
    priority: int = 0
    project: str = "default"
    render_again: int = 0


@dataclass
class BatchPlan:
    lines: list[BatchLine] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_batch(path: Path, profiles: ProfileSet) -> BatchPlan:
    plan = BatchPlan()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise StudioError(f"Cannot read {path}: {err}.") from None
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        where = f"{path.name}:{number}"
        try:
            fields = json.loads(raw)
        except json.JSONDecodeError as err:
            plan.errors.append(f"{where}: not valid JSON ({err.msg} at column {err.colno}).")
            continue
        if not isinstance(fields, dict):
            plan.errors.append(f'{where}: expected a JSON object like {{"prompt": "..."}}.')
            continue
        unknown = set(fields) - KNOWN_FIELDS
        if unknown:
            plan.errors.append(f"{where}: unknown field(s) {', '.join(sorted(unknown))}.")
            continue
        try:
            spec = build_spec(fields, profiles, path.parent)
            line = BatchLine(
                number,
                spec,
                int(fields.get("priority", 0)),
                str(fields.get("project", "default")),
                int(fields.get("render_again", 0)),
            )
        except (StudioError, ValueError, TypeError) as err:
            plan.errors.append(f"{where}: {err}")
            continue
        plan.lines.append(line)
    return plan


async def run_batch(engine: Engine, path: Path, *, stream: TextIO = sys.stderr) -> list[JobRow]:
    """Queue the file's lines (skipping those already queued) and run them to the end."""
    plan = read_batch(path, await engine.models())
    for error in plan.errors:
        print(f"studio: {error}", file=stream)
    if not plan.lines:
        raise StudioError(f"No runnable lines in {path.name}.")
    batch_id: int | None = None
    job_ids: list[int] = []
    for line in plan.lines:
        key = line.spec.idempotency_key(line.render_again)
        existing = engine.store.jobs.latest_with_key(key)  # a re-run does not queue it twice
        if existing is None and batch_id is None:
            batch_id = engine.create_batch(path.stem, project=line.project)
        try:
            job = existing or await engine.submit(
                line.spec,
                project=line.project,
                priority=line.priority,
                batch_id=batch_id,
                render_again=line.render_again,
            )
        except StudioError as err:
            print(f"studio: {path.name}:{line.number}: {err}", file=stream)
            continue
        job_ids.append(job.id)
    await engine.start()
    progress = _BatchProgress(stream, len(job_ids))
    while True:
        jobs = engine.store.jobs.many(job_ids)
        progress.show(jobs, engine)
        if all(j.status.finished for j in jobs):
            progress.finish(jobs)
            return jobs
        await asyncio.sleep(0.5)


class _BatchProgress:
    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream = stream
        self.total = total
        self.tty = stream.isatty()
        self.last = ""

    def show(self, jobs: list[JobRow], engine: Engine) -> None:
        counts = Counter(j.status for j in jobs)
        done = sum(
            counts[s]
            for s in (JobStatus.READY, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.EXPIRED)
        )
        parts = [f"{counts[s]} {s.value}" for s in JobStatus if counts[s]]
        paused = f"  (paused: {engine.pause_reason})" if engine.paused else ""
        line = f"{done}/{self.total} finished: {', '.join(parts)}{paused}"
        if line == self.last:
            return
        self.last = line
        if self.tty:
            self.stream.write("\r" + line.ljust(100))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def finish(self, jobs: list[JobRow]) -> None:
        if self.tty:
            self.stream.write("\n")
        for job in jobs:
            if job.status is not JobStatus.READY:
                cls = job.failure_class.value if job.failure_class else job.status.value
                self.stream.write(
                    f"job {job.id} ({job.prompt[:40]!r}): {cls}: {job.failure_message}\n"
                )
