"""A long batch file shows progress while it is read and starts rendering before the end."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from studio.commands.batch_run import run_batch
from studio.jobs import Engine
from studio.sim.server import SimServer
from studio.store import FailureClass, JobStatus
from tests.jobs.conftest import fast_config, services_around


class Seen(Exception):
    pass


class Watch(io.StringIO):
    """The batch's progress stream: when reading reaches 2,000 lines, note how many renders
    the simulator has been asked for, then stop the run (the test need not wait for 3,000)."""

    def __init__(self, sim: SimServer) -> None:
        super().__init__()
        self.sim = sim
        self.creates_at_2000: int | None = None

    def write(self, text: str) -> int:
        if "read 2,000 lines" in text:
            self.creates_at_2000 = self.sim.state.stats.requests["openai.create"]
            raise Seen
        return super().write(text)


async def test_reading_a_long_file_shows_progress_and_sends_early(
    make_engine: Callable[..., Engine], sim: SimServer, tmp_path: Path
) -> None:
    lines = tmp_path / "long.jsonl"
    lines.write_text(
        "".join(f'{{"prompt": "a lantern, take {i}", "model": "sim-fast"}}\n' for i in range(3000))
    )
    watch = Watch(sim)
    with pytest.raises(Seen):
        await run_batch(await services_around(make_engine()), lines, stream=watch)
    assert "read 1,000 lines, 1,000 queued" in watch.getvalue()
    assert watch.creates_at_2000 is not None
    assert watch.creates_at_2000 >= 5  # renders went out while the file was still being read


async def test_a_rerun_sends_again_what_the_network_kept_from_the_provider(
    make_engine: Callable[..., Engine], sim: SimServer, tmp_path: Path, refusing_port: int
) -> None:
    """The provider could not be reached: the line failed (nothing was made). Running the
    file again sends that same job, under its key, once the provider answers."""
    lines = tmp_path / "specs.jsonl"
    lines.write_text('{"prompt": "a lantern at dusk", "model": "sim-fast"}\n')
    offline = make_engine(
        fast_config(submit_rounds=1), base_url=f"http://127.0.0.1:{refusing_port}/v1"
    )
    first = await run_batch(await services_around(offline), lines, stream=io.StringIO())
    (failed,) = first.jobs
    assert failed.status is JobStatus.FAILED
    assert failed.failure_class is FailureClass.TRANSPORT
    await offline.stop()
    online = make_engine()
    again = await run_batch(await services_around(online), lines, stream=io.StringIO())
    (done,) = again.jobs
    assert (done.id, done.status, done.idem_key) == (failed.id, JobStatus.READY, failed.idem_key)
    assert sim.control("GET", "stats")["requests"]["openai.create"] == 1
