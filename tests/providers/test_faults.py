"""Every fault the simulator injects, met by the client over real sockets.

Retries here use an instant clock (waits are recorded, not slept) so the suite stays fast;
the HTTP traffic, resets and truncations are real.
"""

from __future__ import annotations

import email.utils
import io

import httpx
import pytest

from studio.core.spec import RenderSpec
from studio.providers.errors import (
    AuthError,
    BadResponse,
    ConnectFailed,
    RateLimited,
    RetriesExhausted,
    ServerError,
    TimedOut,
    TransportError,
)
from studio.providers.openai_shape import OpenAIShapeProvider
from studio.providers.openrouter import OpenRouterProvider
from studio.providers.types import RemoteStatus
from studio.sim.server import SimServer
from tests.conftest import InstantClock, fast_retry
from tests.helpers import wait_until_done

SPEC = RenderSpec(model="sim-fast", prompt="a lighthouse in fog", seconds=4, size="640x360")


def faults(sim: SimServer, *rules: dict[str, object]) -> None:
    sim.control("POST", "faults", {"rules": list(rules)})


def stats(sim: SimServer) -> dict[str, object]:
    result: dict[str, object] = sim.control("GET", "stats")
    return result


async def test_429_retry_after_seconds(
    sim: SimServer, openai_client: OpenAIShapeProvider, clock: InstantClock
) -> None:
    faults(sim, {"fault": "429", "route": "create", "count": 2, "retry_after": 3})
    job = await openai_client.create(SPEC, "key-429")
    assert job.status is RemoteStatus.QUEUED
    assert clock.sleeps == [3.0, 3.0]
    s = stats(sim)
    assert s["create_requests_by_key"] == {"key-429": 3}  # same key on every retry
    assert s["jobs_created_by_key"] == {"key-429": 1}


async def test_429_retry_after_ms_and_http_date(
    sim: SimServer, openai_client: OpenAIShapeProvider, clock: InstantClock
) -> None:
    faults(
        sim,
        {"fault": "429", "route": "retrieve", "count": 1, "retry_after_ms": 1500},
        {
            "fault": "429",
            "route": "retrieve",
            "count": 1,
            "retry_after": 5,
            "retry_after_date": True,
        },
    )
    job = await openai_client.create(SPEC, "k")
    await openai_client.retrieve(job.id)
    assert clock.sleeps[0] == 1.5
    assert 3.0 <= clock.sleeps[1] <= 5.0  # HTTP-date has one-second resolution


async def test_429_without_retry_after_backs_off_with_jitter(
    sim: SimServer, openai_client: OpenAIShapeProvider, clock: InstantClock
) -> None:
    faults(sim, {"fault": "429", "route": "list", "count": 3})
    await openai_client.list_page()
    assert len(clock.sleeps) == 3
    assert all(0 <= d <= 0.05 for d in clock.sleeps)


@pytest.mark.parametrize("status", ["500", "502", "503", "504"])
async def test_5xx_on_a_status_request_is_retried(
    sim: SimServer, openai_client: OpenAIShapeProvider, status: str
) -> None:
    job = await openai_client.create(SPEC, f"k{status}")
    faults(sim, {"fault": status, "route": "retrieve", "count": 2})
    assert (await openai_client.retrieve(job.id)).id == job.id
    assert stats(sim)["faults"] == {status: 2}


@pytest.mark.parametrize("status", ["500", "502", "503", "504", "html"])
async def test_a_create_answered_with_5xx_is_unsure_and_not_resent(
    sim: SimServer, openai_client: OpenAIShapeProvider, status: str
) -> None:
    faults(sim, {"fault": status, "route": "create", "count": 1, "phase": "after"})
    with pytest.raises(TransportError) as info:
        await openai_client.create(SPEC, f"k{status}")
    assert info.value.unsure
    assert stats(sim)["create_requests_by_key"] == {f"k{status}": 1}
    assert len(sim.state.jobs) == 1  # the provider made it; only the reply was lost


async def test_a_create_resent_under_its_key_where_keys_are_honoured(
    sim: SimServer, openai_client: OpenAIShapeProvider
) -> None:
    sim.control("POST", "config", {"honour_idempotency": True})
    faults(sim, {"fault": "502", "route": "create", "count": 2, "phase": "after"})
    job = await openai_client.create(SPEC, "k-honoured", retry_unsure=True)
    assert stats(sim)["create_requests_by_key"] == {"k-honoured": 3}
    assert list(sim.state.jobs) == [job.id]  # one render for three sends


async def test_429_and_4xx_on_a_create_are_sure_refusals(
    sim: SimServer, openai_client: OpenAIShapeProvider
) -> None:
    faults(sim, {"fault": "429", "route": "create", "count": 1})
    await openai_client.create(SPEC, "k429")  # retried: nothing was made by the 429
    assert stats(sim)["jobs_created_by_key"] == {"k429": 1}
    faults(sim, {"fault": "429", "route": "create"})
    with pytest.raises(RetriesExhausted) as info:
        await openai_client.create(SPEC, "k429-again")
    assert not info.value.unsure


async def test_persistent_503_gives_up_with_a_clear_message(
    sim: SimServer, openai_client: OpenAIShapeProvider
) -> None:
    faults(sim, {"fault": "503", "route": "list"})
    with pytest.raises(RetriesExhausted, match=r"overloaded.*HTTP 503.*after 5 attempts") as info:
        await openai_client.list_page()
    assert isinstance(info.value.last, ServerError)


async def test_scripted_sequence(sim: SimServer, openai_client: OpenAIShapeProvider) -> None:
    faults(sim, {"sequence": ["500", "ok", "429", "503"], "route": "retrieve"})
    job = await openai_client.create(SPEC, "k")
    await openai_client.retrieve(job.id)  # 500 then ok
    await openai_client.retrieve(job.id)  # 429, 503, then past the script
    assert stats(sim)["faults"] == {"500": 1, "429": 1, "503": 1}
    assert stats(sim)["requests"]["openai.retrieve"] == 5  # type: ignore[index]


async def test_connection_reset_is_retried(
    sim: SimServer, openai_client: OpenAIShapeProvider
) -> None:
    faults(sim, {"fault": "reset", "route": "retrieve", "count": 1})
    job = await openai_client.create(SPEC, "k")
    assert (await openai_client.retrieve(job.id)).id == job.id
    assert stats(sim)["faults"] == {"reset": 1}


async def test_persistent_reset_is_a_bad_response(
    sim: SimServer, openai_client: OpenAIShapeProvider
) -> None:
    faults(sim, {"fault": "reset", "route": "list"})
    with pytest.raises(RetriesExhausted, match="dropped the connection") as info:
        await openai_client.list_page()
    assert isinstance(info.value.last, BadResponse)


async def test_slow_first_byte_times_out_then_recovers(sim: SimServer, clock: InstantClock) -> None:
    provider = OpenAIShapeProvider(
        sim.openai_base_url,
        sim.api_key,
        retry=fast_retry(),
        clock=clock,
        timeout=httpx.Timeout(0.3, connect=2.0),
    )
    try:
        job = await provider.create(SPEC, "k")
        faults(sim, {"fault": "slow", "route": "retrieve", "count": 1, "delay": 1.0})
        assert (await provider.retrieve(job.id)).id == job.id
        # It gave up on the slow reply and asked again (not waited the second out).
        assert stats(sim)["requests"]["openai.retrieve"] == 2  # type: ignore[index]
        assert len(clock.sleeps) == 1
        faults(sim, {"fault": "slow", "route": "retrieve", "delay": 0.6})
        with pytest.raises(RetriesExhausted, match="did not answer in time") as info:
            await provider.retrieve(job.id)
        assert isinstance(info.value.last, TimedOut)
    finally:
        await provider.aclose()


async def test_slow_but_within_timeout_succeeds(
    sim: SimServer, openai_client: OpenAIShapeProvider, clock: InstantClock
) -> None:
    faults(sim, {"fault": "slow", "route": "create", "count": 1, "delay": 0.3})
    await openai_client.create(SPEC, "k")
    assert clock.sleeps == []


async def test_truncated_download_restarts_and_completes(
    sim: SimServer, openai_client: OpenAIShapeProvider
) -> None:
    job = await openai_client.create(SPEC, "k")
    await wait_until_done(openai_client, job.id)
    full = (sim.state.job_dir(job.id) / "video.mp4").read_bytes()
    faults(sim, {"fault": "truncate", "route": "content", "count": 2})
    buffer = io.BytesIO()
    await openai_client.download(job.id, "video", buffer)
    assert buffer.getvalue() == full  # no leftovers from the cut-off attempts
    assert stats(sim)["faults"] == {"truncate": 2}


async def test_truncated_download_that_never_completes(
    sim: SimServer, openai_client: OpenAIShapeProvider
) -> None:
    job = await openai_client.create(SPEC, "k")
    await wait_until_done(openai_client, job.id)
    faults(sim, {"fault": "truncate", "route": "content"})
    with pytest.raises(RetriesExhausted) as info:
        await openai_client.download(job.id, "video", io.BytesIO())
    assert isinstance(info.value.last, BadResponse)


async def test_truncated_json_reply(sim: SimServer, openai_client: OpenAIShapeProvider) -> None:
    job = await openai_client.create(SPEC, "k")
    faults(sim, {"fault": "truncate", "route": "retrieve", "count": 1})
    assert (await openai_client.retrieve(job.id)).id == job.id


async def test_malformed_json_is_retried(
    sim: SimServer, openai_client: OpenAIShapeProvider
) -> None:
    job = await openai_client.create(SPEC, "k")
    faults(sim, {"fault": "malformed", "route": "retrieve", "count": 2})
    assert (await openai_client.retrieve(job.id)).id == job.id
    faults(sim, {"fault": "malformed", "route": "retrieve"})
    with pytest.raises(RetriesExhausted, match="not valid JSON"):
        await openai_client.retrieve(job.id)


async def test_lost_create_reply_shows_why_keys_matter(
    sim: SimServer, openai_client: OpenAIShapeProvider
) -> None:
    """The job is created but the reply is lost: a blind resend to a provider that ignores
    keys renders twice (which is why Studio never resends an unsure create by default)."""
    faults(sim, {"fault": "malformed", "route": "create", "count": 1, "phase": "after"})
    await openai_client.create(SPEC, "lost-reply", retry_unsure=True)
    assert stats(sim)["duplicate_creates"] == 1
    sim.control("POST", "reset")
    sim.control("POST", "config", {"honour_idempotency": True})
    faults(sim, {"fault": "reset", "route": "create", "count": 1, "phase": "after"})
    job = await openai_client.create(SPEC, "lost-reply", retry_unsure=True)
    s = stats(sim)
    assert s["duplicate_creates"] == 0
    assert s["create_requests_by_key"] == {"lost-reply": 2}
    assert list(sim.state.jobs) == [job.id]


async def test_401_mid_run_is_not_retried(
    sim: SimServer, openai_client: OpenAIShapeProvider, clock: InstantClock
) -> None:
    job = await openai_client.create(SPEC, "k")
    faults(sim, {"fault": "401", "route": "retrieve", "count": 1})
    with pytest.raises(AuthError, match=r"Incorrect API key provided\. \(HTTP 401"):
        await openai_client.retrieve(job.id)
    assert clock.sleeps == []
    assert (await openai_client.retrieve(job.id)).id == job.id  # key valid again


async def test_rate_limit_on_openrouter_poll(
    sim: SimServer, openrouter_client: OpenRouterProvider, clock: InstantClock
) -> None:
    spec = RenderSpec(
        model="sim-motion", prompt="p", seconds=2, resolution="480p", aspect_ratio="1:1"
    )
    job = await openrouter_client.create(spec, "k")
    faults(
        sim,
        {"fault": "429", "shape": "openrouter", "route": "retrieve", "count": 1, "retry_after": 2},
    )
    await openrouter_client.retrieve(job.id)
    assert clock.sleeps == [2.0]


async def test_unreachable_provider(clock: InstantClock, refusing_port: int) -> None:
    port = refusing_port  # nobody listens there
    provider = OpenAIShapeProvider(
        f"http://127.0.0.1:{port}/v1", "k", retry=fast_retry(), clock=clock
    )
    try:
        with pytest.raises(RetriesExhausted, match="Cannot reach") as info:
            await provider.retrieve("video_x")
        assert isinstance(info.value.last, ConnectFailed)
        assert len(clock.sleeps) == 4
    finally:
        await provider.aclose()


async def test_fault_rules_are_validated(sim: SimServer) -> None:
    with pytest.raises(httpx.HTTPStatusError):
        sim.control("POST", "faults", {"rules": [{"fault": "teapot"}]})
    with pytest.raises(httpx.HTTPStatusError):
        sim.control("POST", "faults", {"rules": [{"fault": "500", "colour": "red"}]})


async def test_rate_limited_is_transport() -> None:
    err = RateLimited(
        "x",
        retry_after=email.utils.parsedate_to_datetime("Wed, 21 Oct 2015 07:28:00 GMT").timestamp(),
    )
    assert err.retry_after is not None
