"""Small helpers shared by tests."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable

from PIL import Image

from studio.jobs.engine import Engine
from studio.providers.base import Provider
from studio.providers.types import RemoteJob


async def wait_until_done(provider: Provider, job_id: str, limit: float = 60.0) -> RemoteJob:
    """Poll (real time, short interval) until the job reaches a terminal state."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while True:
        job = await provider.retrieve(job_id)
        if job.status.terminal:
            return job
        if loop.time() > deadline:
            raise AssertionError(f"{job_id} still {job.status} after {limit} s")
        await asyncio.sleep(0.05)


async def until(
    condition: Callable[[], object],
    limit: float = 30.0,
    what: str | Callable[[], str] = "the condition",
) -> None:
    """Wait (real time, short steps) until `condition()` holds; fail after `limit` s,
    saying `what` (a callable: worked out when it fails)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        if loop.time() > deadline:
            said = what() if callable(what) else what
            raise AssertionError(f"{said} did not hold within {limit:.0f} s")
        await asyncio.sleep(0.02)


async def scheduler_looked(engine: Engine) -> None:
    """Return once the engine's scheduler has looked at the queue as it stands now (a whole
    pass begun after this call), so a test can say what it did not send."""
    seen = engine.scheduler_passes
    engine.wake()
    task = engine._scheduling  # said when the wait fails: alive, or why not

    def what() -> str:
        state = "gone" if task is None else "done" if task.done() else "running"
        return f"a look at the queue (passes {seen} → {engine.scheduler_passes}, {state})"

    await until(lambda: engine.scheduler_passes >= seen + 2, 30, what)


def png_bytes(
    width: int = 64, height: int = 48, color: tuple[int, int, int] = (200, 40, 40)
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def job_values(n: int | str = "", **overrides: object) -> dict[str, object]:
    """The columns a job row needs, for tests that seed the store directly."""
    return {
        "provider": "sim",
        "model": "m",
        "prompt": f"p{n}",
        "spec_json": "{}",
        "idem_key": f"k{n}",
        "status": "ready",
        **overrides,
    }
