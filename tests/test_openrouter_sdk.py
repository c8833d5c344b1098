"""The official OpenRouter Python SDK (`openrouter`), unmodified, against the simulator's
OpenRouter shape: list models, generate, poll, download, and a refused request."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from openrouter import OpenRouter, errors

from studio.sim.server import SimServer


@pytest.fixture
def client(sim: SimServer) -> Iterator[OpenRouter]:
    with OpenRouter(api_key=sim.api_key, server_url=sim.openrouter_base_url) as c:
        yield c


def test_sdk_lists_the_video_models(client: OpenRouter) -> None:
    listed = client.video_generation.list_videos_models()
    ids = {model.id for model in listed.data}
    assert ids == {"sim-fast", "sim-pro", "sim-motion"}


def test_sdk_generates_polls_and_downloads(sim: SimServer, client: OpenRouter) -> None:
    sim.control("POST", "config", {"render_seconds": 1.0})
    job = client.video_generation.generate(
        model="sim-fast", prompt="a paper boat on a rain puddle", duration=4, resolution="720p"
    )
    assert job.status in ("pending", "in_progress")
    deadline = time.monotonic() + 30
    status = client.video_generation.get_generation(job_id=job.id)
    while status.status not in ("completed", "failed") and time.monotonic() < deadline:
        time.sleep(0.2)
        status = client.video_generation.get_generation(job_id=job.id)
    assert status.status == "completed", status
    video = client.video_generation.get_video_content(job_id=job.id)  # a streamed response
    body = video.read()
    assert body[4:8] == b"ftyp"
    assert status.unsigned_urls, "a completed job names where its content is"


def test_sdk_sees_a_refused_request_as_an_error(client: OpenRouter) -> None:
    with pytest.raises(errors.OpenRouterError) as refused:
        client.video_generation.generate(model="no-such-model", prompt="a kite", duration=4)
    assert refused.value.status_code in (400, 404)
