"""The OpenAI-shape adapter against the simulator over real sockets: every endpoint."""

from __future__ import annotations

import io

import pytest

from studio.core.errors import SpecError
from studio.core.spec import ReferenceImage, RenderSpec
from studio.providers.errors import AuthError, NotFound, RequestError
from studio.providers.openai_shape import OpenAIShapeProvider
from studio.providers.types import FailureKind, RemoteStatus, new_idempotency_key
from studio.sim.server import SimServer
from tests.conftest import InstantClock, fast_retry
from tests.helpers import png_bytes, wait_until_done


def small(prompt: str = "a red fox trots through snow", **kw: object) -> RenderSpec:
    base: dict[str, object] = {
        "model": "sim-fast",
        "prompt": prompt,
        "seconds": 4,
        "size": "640x360",
    }
    return RenderSpec(**{**base, **kw})  # type: ignore[arg-type]


async def test_create_poll_download_all_variants(
    sim: SimServer, openai_client: OpenAIShapeProvider
) -> None:
    spec = small()
    key = new_idempotency_key()
    job = await openai_client.create(spec, key)
    assert job.status in (RemoteStatus.QUEUED, RemoteStatus.RUNNING)
    assert job.id.startswith("video_")
    done = await wait_until_done(openai_client, job.id)
    assert done.status is RemoteStatus.COMPLETED
    assert done.progress == 100
    assert done.expires_at is not None
    assert done.completed_at is not None
    signatures = {"video": b"ftyp", "thumbnail": b"WEBP", "spritesheet": b"\xff\xd8\xff"}
    types = {"video": "video/mp4", "thumbnail": "image/webp", "spritesheet": "image/jpeg"}
    for variant, magic in signatures.items():
        buffer = io.BytesIO()
        content_type = await openai_client.download(job.id, variant, buffer)  # type: ignore[arg-type]
        assert content_type == types[variant]
        assert magic in buffer.getvalue()[:16]
    stats = sim.control("GET", "stats")
    assert stats["create_requests_by_key"] == {key: 1}


async def test_text_only_create_is_json_and_image_create_is_multipart(
    sim: SimServer, openai_client: OpenAIShapeProvider
) -> None:
    plain = await openai_client.create(small("plain"), "k-plain")
    image = png_bytes(640, 360)
    with_ref = await openai_client.create(
        small("with image", reference=ReferenceImage(image)), "k-image"
    )
    assert not sim.state.jobs[plain.id].has_reference
    assert sim.state.jobs[with_ref.id].has_reference
    stored = (sim.state.job_dir(with_ref.id) / "reference.bin").read_bytes()
    assert stored == image


async def test_list_paginates_with_cursor(openai_client: OpenAIShapeProvider) -> None:
    ids = [(await openai_client.create(small(f"clip {i}"), f"k{i}")).id for i in range(5)]
    seen, after = [], None
    while True:
        page = await openai_client.list_page(after=after, limit=2)
        seen += [j.id for j in page.jobs]
        assert len(page.jobs) <= 2
        if not page.has_more:
            break
        after = page.last_id
    assert seen == list(reversed(ids))  # newest first
    oldest_first = await openai_client.list_page(limit=5, order="asc")
    assert [j.id for j in oldest_first.jobs] == ids


async def test_status_of_many_jobs_uses_one_list_request(
    sim: SimServer, openai_client: OpenAIShapeProvider
) -> None:
    ids = [(await openai_client.create(small(f"batch {i}"), f"b{i}")).id for i in range(6)]
    before = sim.control("GET", "stats")["requests"]
    result = await openai_client.status(ids)
    after = sim.control("GET", "stats")["requests"]
    assert set(result) == set(ids)
    assert after.get("openai.list", 0) - before.get("openai.list", 0) == 1
    assert after.get("openai.retrieve", 0) == before.get("openai.retrieve", 0)


async def test_status_leaves_out_unknown_jobs(openai_client: OpenAIShapeProvider) -> None:
    job = await openai_client.create(small(), "k")
    result = await openai_client.status([job.id, "video_doesnotexist"])
    assert list(result) == [job.id]


async def test_remix_links_to_source(openai_client: OpenAIShapeProvider) -> None:
    source = await openai_client.create(small(), "src")
    with pytest.raises(RequestError, match="Only a completed video can be remixed"):
        await openai_client.remix(source.id, "now at night", "remix-early")
    await wait_until_done(openai_client, source.id)
    remix = await openai_client.remix(source.id, "same shot, at night", "remix-1")
    assert remix.remixed_from == source.id
    assert remix.id != source.id
    assert (await wait_until_done(openai_client, remix.id)).status is RemoteStatus.COMPLETED


async def test_delete_and_cancel(openai_client: OpenAIShapeProvider) -> None:
    a = await openai_client.create(small("a"), "a")
    b = await openai_client.create(small("b"), "b")
    assert await openai_client.delete(a.id) is True
    with pytest.raises(NotFound, match="not found"):
        await openai_client.retrieve(a.id)
    await openai_client.cancel(b.id)
    assert await openai_client.status([b.id]) == {}


async def test_expired_content_is_404_and_job_reads_expired(
    sim: SimServer, openai_client: OpenAIShapeProvider, clock: InstantClock
) -> None:
    job = await openai_client.create(small(), "k")
    await wait_until_done(openai_client, job.id)
    sim.control("POST", "clock", {"advance": 3601})
    clock.offset = 3601
    expired = await openai_client.retrieve(job.id)
    assert expired.status is RemoteStatus.EXPIRED
    assert expired.raw_status == "completed"
    with pytest.raises(NotFound, match="expired"):
        await openai_client.download(job.id, "video", io.BytesIO())


async def test_moderation_block_is_a_policy_failure(openai_client: OpenAIShapeProvider) -> None:
    job = await openai_client.create(small("Tom Cruise running on a rooftop"), "k")
    done = await wait_until_done(openai_client, job.id)
    assert done.status is RemoteStatus.FAILED
    assert done.error is not None
    assert done.error.code == "moderation_blocked"
    assert done.error.kind is FailureKind.POLICY


async def test_failed_render_is_a_render_failure(
    sim: SimServer, openai_client: OpenAIShapeProvider
) -> None:
    sim.control("POST", "faults", {"rules": [{"fault": "render_failed", "route": "create"}]})
    job = await openai_client.create(small(), "k")
    done = await wait_until_done(openai_client, job.id)
    assert done.status is RemoteStatus.FAILED
    assert done.error is not None
    assert done.error.kind is FailureKind.RENDER
    assert done.error.code == "video_generation_failed"


async def test_invalid_spec_never_reaches_the_network(
    sim: SimServer, openai_client: OpenAIShapeProvider
) -> None:
    with pytest.raises(SpecError, match="allowed sizes"):
        await openai_client.create(small(size="1920x1080"), "k")
    with pytest.raises(SpecError, match="Unknown model"):
        await openai_client.create(small(model="nope"), "k")
    assert sim.control("GET", "stats")["total_requests"] == 0


async def test_server_side_validation_uses_the_error_envelope(
    sim: SimServer, openai_client: OpenAIShapeProvider
) -> None:
    # Bypass our own validation to see the simulator refuse like the real API.
    with pytest.raises(RequestError, match=r"Invalid value for 'seconds'.*HTTP 400, invalid_value"):
        await openai_client.http.json(
            "POST", "videos", json_body={"prompt": "p", "model": "sim-fast", "seconds": "5"}
        )
    with pytest.raises(RequestError, match="Supported values are: sim-fast"):
        await openai_client.http.json("POST", "videos", json_body={"prompt": "p", "model": "x"})


async def test_wrong_key_is_an_auth_error_not_retried(sim: SimServer, clock: InstantClock) -> None:
    provider = OpenAIShapeProvider(sim.openai_base_url, "sk-wrong", retry=fast_retry(), clock=clock)
    try:
        with pytest.raises(AuthError, match="Incorrect API key") as info:
            await provider.create(small(), "k")
        assert "sk-wrong" not in str(info.value)
        assert info.value.status == 401
    finally:
        await provider.aclose()
    assert sim.control("GET", "stats")["requests"]["openai.create"] == 1
    assert clock.sleeps == []


async def test_missing_key_is_refused(sim: SimServer, clock: InstantClock) -> None:
    provider = OpenAIShapeProvider(sim.openai_base_url, None, retry=fast_retry(), clock=clock)
    try:
        with pytest.raises(AuthError, match="didn't provide an API key"):
            await provider.retrieve("video_x")
    finally:
        await provider.aclose()
