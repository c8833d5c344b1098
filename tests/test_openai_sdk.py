"""The official `openai` SDK, unmodified, against the simulator: proof of the wire shape."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from openai import OpenAI

from studio.sim.server import SimServer

# The SDK marks its video methods deprecated (Sora shut down); the wire shape lives on.
pytestmark = pytest.mark.filterwarnings("ignore:The Sora API is scheduled:DeprecationWarning")


@pytest.fixture
def client(sim: SimServer) -> Iterator[OpenAI]:
    with OpenAI(base_url=sim.openai_base_url, api_key=sim.api_key, max_retries=0) as c:
        yield c


def test_sdk_full_lifecycle(sim: SimServer, client: OpenAI) -> None:
    created = client.videos.create(
        prompt="a paper boat on a rain puddle", model="sim-fast", seconds="4", size="640x360"
    )
    assert created.status in ("queued", "in_progress")
    assert client.videos.retrieve(created.id).id == created.id

    done = client.videos.create_and_poll(
        prompt="a kite over a beach",
        model="sim-fast",
        seconds="4",
        size="640x360",
        poll_interval_ms=100,
    )
    assert done.status == "completed"
    assert done.progress == 100
    assert done.size == "640x360"
    assert done.seconds == "4"

    video = client.videos.download_content(done.id)
    assert video.content[4:8] == b"ftyp"
    thumb = client.videos.download_content(done.id, variant="thumbnail")
    assert thumb.content[8:12] == b"WEBP"
    sheet = client.videos.download_content(done.id, variant="spritesheet")
    assert sheet.content[:3] == b"\xff\xd8\xff"

    remix = client.videos.remix(done.id, prompt="the same kite at sunset")
    assert remix.remixed_from_video_id == done.id

    deleted = client.videos.delete(created.id)
    assert deleted.deleted is True
    assert deleted.id == created.id


def test_sdk_list_auto_paginates(sim: SimServer, client: OpenAI) -> None:
    ids = {
        client.videos.create(prompt=f"take {i}", model="sim-fast", seconds="4", size="640x360").id
        for i in range(7)
    }
    first_page = client.videos.list(limit=3)
    assert len(first_page.data) == 3
    assert first_page.has_more is True
    listed = [v.id for v in client.videos.list(limit=3)]  # iterating follows `after` cursors
    assert set(listed) == ids
    assert len(listed) == 7
    assert sim.control("GET", "stats")["requests"]["openai.list"] == 1 + 3


def test_sdk_sees_real_error_classes(client: OpenAI, sim: SimServer) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        client.videos.create(prompt="p", model="sim-fast", seconds="5")  # type: ignore[arg-type]
    assert "Supported values are" in str(info.value)
    with pytest.raises(openai.AuthenticationError):
        OpenAI(base_url=sim.openai_base_url, api_key="nope", max_retries=0).videos.list()
    with pytest.raises(openai.NotFoundError):
        client.videos.retrieve("video_missing")
    sim.control("POST", "faults", {"rules": [{"fault": "429", "count": 1}]})
    with pytest.raises(openai.RateLimitError):
        client.videos.list()


def test_sdk_lists_the_models_the_simulator_serves(client: OpenAI) -> None:
    models = client.models.list()
    ids = {m.id for m in models}
    assert {"sim-fast", "sim-pro"} <= ids
    assert "sora-2" not in ids
    assert all(m.object == "model" and m.owned_by for m in models)
