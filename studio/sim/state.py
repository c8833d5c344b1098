"""The simulator's jobs, clock, configuration and counters; rendering runs in worker threads."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import random
import secrets
import shutil
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from studio.sim.catalog import DEFAULT_API_KEY, DEFAULT_MODERATION_TERMS
from studio.sim.render import ClipRequest, render_clip

log = logging.getLogger(__name__)

Shape = Literal["openai", "openrouter"]

MODERATION_MESSAGE = "Your request was blocked by our moderation system."
RENDER_FAILED_MESSAGE = "Video generation failed. Please try again."


@dataclass
class SimConfig:
    render_seconds: float = 20.0  # simulated time from create to completed
    render_range: tuple[float, float] | None = None  # if set, each job draws uniformly from it
    queue_fraction: float = 0.1  # share of render time spent `queued`
    expiry_seconds: float = 3600.0
    moderation_terms: list[str] = field(default_factory=lambda: list(DEFAULT_MODERATION_TERMS))
    api_keys: list[str] = field(default_factory=lambda: [DEFAULT_API_KEY])
    honour_idempotency: bool = False  # real APIs do not document it; default proves the client
    list_endpoint: bool = True  # False: GET /v1/videos is a 404, as at a gateway without it
    render_workers: int = 2
    seed: int | None = None

    def update(self, values: dict[str, Any]) -> None:
        """Apply settings sent to /_sim/config: every value checked for its type and range
        first, then all applied, or none (a bad value must not break create and list later)."""
        checked = {key: _checked_setting(key, value) for key, value in values.items()}
        for key, value in checked.items():
            setattr(self, key, value)


def _seconds(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"'{key}' must be a number of seconds, not {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"'{key}' must be a finite number, 0 or more, not {value!r}")
    return number


def _checked_setting(key: str, value: Any) -> Any:
    if key in ("render_seconds", "expiry_seconds"):
        return _seconds(key, value)
    if key == "render_range":
        if value is None:
            return None
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise ValueError("'render_range' must be [shortest, longest] in seconds, or null")
        low, high = (_seconds(key, v) for v in value)
        if low > high:
            raise ValueError("'render_range' must be [shortest, longest] with shortest first")
        return (low, high)
    if key == "queue_fraction":
        fraction = _seconds(key, value)
        if fraction > 1:
            raise ValueError(f"'queue_fraction' must be between 0 and 1, not {value!r}")
        return fraction
    if key in ("moderation_terms", "api_keys"):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ValueError(f"'{key}' must be a list of non-empty strings")
        if key == "api_keys" and not value:
            raise ValueError("'api_keys' must name at least one key")
        return list(value)
    if key in ("honour_idempotency", "list_endpoint"):
        if not isinstance(value, bool):
            raise ValueError(f"'{key}' must be true or false, not {value!r}")
        return value
    if key in ("seed", "render_workers"):
        if value is None and key == "seed":
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"'{key}' must be a whole number, not {value!r}")
        if key == "render_workers" and not 1 <= value <= 64:
            raise ValueError("'render_workers' must be between 1 and 64")
        return value
    raise ValueError(f"unknown setting '{key}'")


@dataclass
class SimJob:
    id: str
    shape: Shape
    model: str
    prompt: str
    size: str
    seconds: int
    created_at: float
    render_seconds: float
    audio: bool = False
    seed: int | None = None
    idem_key: str | None = None
    remixed_from: str | None = None
    has_reference: bool = False
    request_digest: str = ""  # what was asked for: a reused key must ask for the same
    outcome: str | None = None  # error code the job will fail with, if any
    rendered_at: float | None = None
    render_error: str | None = None
    forced_status: str | None = None  # cancelled / expired, set through the control API
    seq: int = 0

    def view(self, now: float, config: SimConfig) -> dict[str, Any]:
        """Lifecycle derived from the clock: queued → in_progress → completed | failed."""
        total = max(self.render_seconds, 0.001)
        queued_until = total * config.queue_fraction
        elapsed = now - self.created_at
        out: dict[str, Any] = {"progress": 0, "completed_at": None, "expires_at": None}
        out["error"] = None
        if self.forced_status:
            out["status"] = self.forced_status
        elif elapsed < queued_until:
            out["status"] = "queued"
        elif self.outcome == "moderation_blocked":
            out.update(status="failed", error=("moderation_blocked", MODERATION_MESSAGE))
            out["completed_at"] = self.created_at + queued_until
        elif elapsed < total or (self.rendered_at is None and not self.failing):
            span = max(total - queued_until, 0.001)
            out["status"] = "in_progress"
            out["progress"] = max(1, min(99, int(100 * (elapsed - queued_until) / span)))
        elif self.failing:
            reason = self.render_error or RENDER_FAILED_MESSAGE
            out.update(status="failed", error=("video_generation_failed", reason))
            out["completed_at"] = self.created_at + total
        else:
            completed = max(self.created_at + total, self.rendered_at or 0.0)
            out.update(status="completed", progress=100, completed_at=completed)
            out["expires_at"] = completed + config.expiry_seconds
        return out

    @property
    def failing(self) -> bool:
        return self.outcome is not None or self.render_error is not None


@dataclass
class SimStats:
    requests: Counter[str] = field(default_factory=Counter)
    create_requests_by_key: Counter[str] = field(default_factory=Counter)
    jobs_created_by_key: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    faults_by_route: Counter[str] = field(default_factory=Counter)  # "openai.create:502"
    fault_bytes: int = 0  # sent by the trickle, huge and unsized faults before the client left

    def as_json(self) -> dict[str, Any]:
        duplicates = sum(n - 1 for n in self.jobs_created_by_key.values() if n > 1)
        status_routes = ("openai.retrieve", "openai.list", "openrouter.retrieve")
        return {
            "requests": dict(self.requests),
            "total_requests": sum(self.requests.values()),
            "status_requests": sum(self.requests[r] for r in status_routes),
            "create_requests_by_key": dict(self.create_requests_by_key),
            "jobs_created_by_key": dict(self.jobs_created_by_key),
            "duplicate_creates": duplicates,
            "faults": dict(self.faults),
            "faults_by_route": dict(self.faults_by_route),
            "fault_bytes": self.fault_bytes,
        }


class SimState:
    """All jobs of one simulator process. Mutated only on the server's event loop."""

    def __init__(self, config: SimConfig | None = None, *, state_file: Path | None = None) -> None:
        self.config = config or SimConfig()
        self.stats = SimStats()
        self.jobs: dict[str, SimJob] = {}
        self.clock_offset = 0.0
        self.state_file = state_file
        if state_file is not None:
            self.media_dir = state_file.with_name(state_file.stem + "-media")
            self.media_dir.mkdir(parents=True, exist_ok=True)
        else:
            self.media_dir = Path(tempfile.mkdtemp(prefix="studio-sim-"))
        self._owns_media = state_file is None
        self._pool = ThreadPoolExecutor(self.config.render_workers, thread_name_prefix="sim-render")
        self._rng = random.Random(self.config.seed)
        self._seq = 0
        self._tasks: set[asyncio.Task[None]] = set()
        if state_file is not None and state_file.exists():
            self._load()

    # ---- time --------------------------------------------------------------------------

    def now(self) -> float:
        return time.time() + self.clock_offset

    # ---- jobs --------------------------------------------------------------------------

    def new_id(self, shape: Shape) -> str:
        return ("video_" if shape == "openai" else "vgen_") + secrets.token_hex(12)

    def add(self, job: SimJob, reference: bytes | None) -> SimJob:
        self._seq += 1
        job.seq = self._seq
        if self.config.render_range:
            low, high = self.config.render_range
            job.render_seconds = self._rng.uniform(low, high)
        self.jobs[job.id] = job
        if job.idem_key:
            self.stats.jobs_created_by_key[job.idem_key] += 1
        if reference is not None:
            (self.job_dir(job.id)).mkdir(parents=True, exist_ok=True)
            (self.job_dir(job.id) / "reference.bin").write_bytes(reference)
        if job.outcome is None:
            self._start_render(job, reference)
        self.save()
        return job

    def find_by_key(self, key: str) -> SimJob | None:
        return next((j for j in self.jobs.values() if j.idem_key == key), None)

    def delete(self, job_id: str) -> bool:
        job = self.jobs.pop(job_id, None)
        if job is None:
            return False
        shutil.rmtree(self.job_dir(job_id), ignore_errors=True)
        self.save()
        return True

    def view(self, job: SimJob) -> dict[str, Any]:
        return job.view(self.now(), self.config)

    def job_dir(self, job_id: str) -> Path:
        return self.media_dir / job_id

    def moderated(self, prompt: str) -> bool:
        text = prompt.lower()
        return any(term.lower() in text for term in self.config.moderation_terms if term)

    def _start_render(self, job: SimJob, reference: bytes | None) -> None:
        request = ClipRequest(
            prompt=job.prompt,
            width=int(job.size.split("x")[0]),
            height=int(job.size.split("x")[1]),
            seconds=job.seconds,
            model=job.model,
            audio=job.audio,
            reference=reference,
            take=job.id,
        )
        loop = asyncio.get_running_loop()

        async def run() -> None:
            try:
                await loop.run_in_executor(self._pool, render_clip, request, self.job_dir(job.id))
            except Exception as err:  # a broken render is a failed job, not a dead server
                if self.jobs.get(job.id) is not job:
                    return  # deleted (or reset) while rendering: nothing to report
                log.exception("render of %s failed", job.id)
                job.render_error = f"Render failed: {err}"
            else:
                job.rendered_at = self.now()
            self.save()

        task = loop.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def resume_renders(self) -> None:
        """After a restart from a state file, finish renders that were cut off."""
        for job in self.jobs.values():
            if job.rendered_at is None and not job.failing:
                ref = self.job_dir(job.id) / "reference.bin"
                self._start_render(job, ref.read_bytes() if ref.exists() else None)

    def reset(self) -> None:
        for job_id in list(self.jobs):
            shutil.rmtree(self.job_dir(job_id), ignore_errors=True)
        self.jobs.clear()
        self.stats = SimStats()
        self.clock_offset = 0.0
        self.save()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._owns_media:
            shutil.rmtree(self.media_dir, ignore_errors=True)

    # ---- persistence -------------------------------------------------------------------

    def save(self) -> None:
        if self.state_file is None:
            return
        data = {"seq": self._seq, "jobs": [asdict(j) for j in self.jobs.values()]}
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self.state_file)

    def _load(self) -> None:
        assert self.state_file is not None
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
            jobs = [SimJob(**j) for j in data["jobs"]]
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise SystemExit(
                f"Simulator state file {self.state_file} is unreadable: {err}"
            ) from err
        self._seq = int(data.get("seq", len(jobs)))
        self.jobs = {j.id: j for j in jobs}
