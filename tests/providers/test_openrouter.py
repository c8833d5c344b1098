"""The OpenRouter adapter against the simulator over real sockets."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from studio.core.errors import SpecError
from studio.core.spec import ReferenceImage, RenderSpec
from studio.providers.errors import (
    AuthError,
    NotFound,
    RequestError,
    TransportError,
    Unsupported,
)
from studio.providers.openrouter import OpenRouterProvider
from studio.providers.types import FailureKind, RemoteStatus, new_idempotency_key
from studio.sim.server import SimServer
from tests.conftest import InstantClock, fast_retry
from tests.helpers import png_bytes, wait_until_done


def motion(prompt: str = "waves on a pier at dusk", **kw: object) -> RenderSpec:
    base: dict[str, object] = {
        "model": "sim-motion",
        "prompt": prompt,
        "seconds": 2,
        "resolution": "480p",
        "aspect_ratio": "16:9",
    }
    return RenderSpec(**{**base, **kw})  # type: ignore[arg-type]


async def test_models_are_discovered_as_profiles(openrouter_client: OpenRouterProvider) -> None:
    profiles = await openrouter_client.models()
    assert profiles.ids() == ["sim-fast", "sim-motion", "sim-pro"]
    m = profiles.get("sim-motion")
    assert m.durations == (2, 4, 6, 8)
    assert m.aspect_ratios == ("16:9", "9:16", "1:1")
    assert m.price_per_second["720p"] == pytest.approx(0.08)
    assert m.apis == ("openrouter",)
    await openrouter_client.models()  # cached: discovery asked once


async def test_create_poll_download_and_cost(
    sim: SimServer, openrouter_client: OpenRouterProvider
) -> None:
    spec = motion(seed=42, generate_audio=True)
    key = new_idempotency_key()
    job = await openrouter_client.create(spec, key)
    assert job.status is RemoteStatus.QUEUED
    assert job.raw_status == "pending"
    assert str(job.extra["polling_url"]).endswith(f"/api/v1/videos/{job.id}")
    done = await wait_until_done(openrouter_client, job.id)
    assert done.status is RemoteStatus.COMPLETED
    assert done.cost == pytest.approx(0.04 * 2)
    assert done.extra["unsigned_urls"] == [f"{done.extra['polling_url']}/content?index=0"]
    buffer = io.BytesIO()
    assert await openrouter_client.download(job.id, "video", buffer) == "video/mp4"
    assert buffer.getvalue()[4:8] == b"ftyp"
    stats = sim.control("GET", "stats")
    assert stats["requests"]["openrouter.models"] == 1
    assert stats["create_requests_by_key"] == {key: 1}
    assert sim.state.jobs[job.id].seed == 42
    assert sim.state.jobs[job.id].audio


async def test_size_form_and_reference_image(
    sim: SimServer, openrouter_client: OpenRouterProvider
) -> None:
    image = png_bytes(1280, 720)
    spec = RenderSpec(
        model="sim-fast", prompt="p", seconds=4, size="1280x720", reference=ReferenceImage(image)
    )
    job = await openrouter_client.create(spec, "k")
    assert sim.state.jobs[job.id].size == "1280x720"
    assert (sim.state.job_dir(job.id) / "reference.bin").read_bytes() == image


async def test_terminal_cancelled_and_expired(
    sim: SimServer, openrouter_client: OpenRouterProvider
) -> None:
    a = await openrouter_client.create(motion("a"), "a")
    b = await openrouter_client.create(motion("b"), "b")
    sim.control("POST", f"jobs/{a.id}/status", {"status": "cancelled"})
    sim.control("POST", f"jobs/{b.id}/status", {"status": "expired"})
    states = await openrouter_client.status([a.id, b.id, "vgen_unknown"])
    assert states[a.id].status is RemoteStatus.CANCELLED
    assert states[b.id].status is RemoteStatus.EXPIRED
    assert "vgen_unknown" not in states
    with pytest.raises(NotFound):
        await openrouter_client.download(b.id, "video", io.BytesIO())


async def test_moderation_and_failed_render(
    sim: SimServer, openrouter_client: OpenRouterProvider
) -> None:
    blocked = await openrouter_client.create(motion("Mickey Mouse dancing"), "m")
    done = await wait_until_done(openrouter_client, blocked.id)
    assert done.status is RemoteStatus.FAILED
    assert done.error is not None
    assert done.error.kind is FailureKind.POLICY
    assert done.error.code == "moderation_blocked"
    sim.control("POST", "faults", {"rules": [{"fault": "render_failed", "route": "create"}]})
    broken = await openrouter_client.create(motion("fine prompt"), "f")
    failed = await wait_until_done(openrouter_client, broken.id)
    assert failed.error is not None
    assert failed.error.kind is FailureKind.RENDER


async def test_unsupported_operations_say_so(openrouter_client: OpenRouterProvider) -> None:
    with pytest.raises(Unsupported, match="no remix"):
        await openrouter_client.remix("vgen_x", "p", "k")
    with pytest.raises(Unsupported, match="cannot cancel"):
        await openrouter_client.cancel("vgen_x")
    with pytest.raises(Unsupported, match="thumbnail"):
        await openrouter_client.download("vgen_x", "thumbnail", io.BytesIO())


async def test_spec_checked_against_discovered_profile_before_create(
    sim: SimServer, openrouter_client: OpenRouterProvider
) -> None:
    with pytest.raises(SpecError, match="allowed durations: 2 s, 4 s, 6 s, 8 s"):
        await openrouter_client.create(motion(seconds=5), "k")
    with pytest.raises(SpecError, match="allowed resolutions: 480p, 720p"):
        await openrouter_client.create(motion(resolution="1080p"), "k")
    assert "openrouter.create" not in sim.control("GET", "stats")["requests"]


async def test_error_envelope_with_numeric_code(openrouter_client: OpenRouterProvider) -> None:
    with pytest.raises(RequestError, match=r"duration 3 is not supported.*\(HTTP 400, 400\)"):
        await openrouter_client.http.json(
            "POST", "videos", json_body={"model": "sim-motion", "prompt": "p", "duration": 3}
        )


async def test_bad_key(sim: SimServer, clock: InstantClock) -> None:
    provider = OpenRouterProvider(
        sim.openrouter_base_url, "sk-or-wrong", retry=fast_retry(), clock=clock
    )
    try:
        with pytest.raises(AuthError, match=r"Incorrect API key.*HTTP 401") as info:
            await provider.models()
        assert "sk-or-wrong" not in str(info.value)
    finally:
        await provider.aclose()


async def test_while_unreachable_the_models_it_served_last_are_offered(
    sim: SimServer, clock: InstantClock, tmp_path: Path, refusing_port: int
) -> None:
    """The editor's pickers never go empty because OpenRouter is down: the list it served
    last is kept and offered, marked provisional (renders queue and wait)."""
    cache = tmp_path / "models" / "openrouter.json"
    up = OpenRouterProvider(
        sim.openrouter_base_url, sim.api_key, retry=fast_retry(), clock=clock, models_cache=cache
    )
    try:
        served = await up.models()
    finally:
        await up.aclose()
    assert cache.is_file()
    down = OpenRouterProvider(
        f"http://127.0.0.1:{refusing_port}/api/v1",
        sim.api_key,
        retry=fast_retry(),
        clock=clock,
        models_cache=cache,
    )
    try:
        offered = await down.models()
        assert offered.provisional
        assert [p.id for p in offered] == [p.id for p in served]
        assert "served last" in offered.note
        cache.write_text("{not json")  # a damaged cache: as if none was kept
        with pytest.raises(TransportError):
            await down.models()
    finally:
        await down.aclose()
