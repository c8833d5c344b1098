"""Every request has a deadline and every download a size cap, over real sockets: a reply
that trickles is cut and tried again; a download over the cap is refused (announced) or cut
(unannounced) and never fetched again."""

from __future__ import annotations

import asyncio
import io
import time

import pytest

from studio.core.clock import SystemClock
from studio.core.spec import RenderSpec
from studio.providers.errors import BadResponse, RetriesExhausted, TimedOut, TooLarge
from studio.providers.openai_shape import OpenAIShapeProvider
from studio.providers.openrouter import OpenRouterProvider
from studio.sim.server import SimServer
from tests.conftest import InstantClock, fast_retry
from tests.helpers import wait_until_done

SPEC = RenderSpec(model="sim-fast", prompt="a lighthouse in fog", seconds=4, size="640x360")


def faults(sim: SimServer, *rules: dict[str, object]) -> None:
    sim.control("POST", "faults", {"rules": list(rules)})


def openai(sim: SimServer, clock: InstantClock, deadline: float) -> OpenAIShapeProvider:
    return OpenAIShapeProvider(
        sim.openai_base_url, sim.api_key, retry=fast_retry(), clock=clock, deadline=deadline
    )


async def test_a_status_reply_trickling_a_byte_every_15_s_is_cut_at_the_deadline(
    sim: SimServer, clock: InstantClock
) -> None:
    provider = openai(sim, clock, deadline=1.0)
    try:
        job = await provider.create(SPEC, "trickle")
        faults(sim, {"fault": "trickle", "route": "retrieve", "count": 1, "delay": 15})
        started = time.monotonic()
        again = await provider.retrieve(job.id)  # cut after 1 s, then asked again
        assert again.id == job.id
        assert time.monotonic() - started < 10  # not 15 s per byte
        assert sim.control("GET", "stats")["requests"]["openai.retrieve"] == 2
    finally:
        await provider.aclose()


async def test_a_create_cut_at_its_deadline_is_unsure_and_not_resent(
    sim: SimServer, clock: InstantClock
) -> None:
    provider = openai(sim, clock, deadline=1.0)
    try:
        faults(sim, {"fault": "trickle", "route": "create", "count": 1, "delay": 15})
        with pytest.raises(TimedOut) as info:
            await provider.create(SPEC, "trickled-create")
        assert info.value.unsure
        assert "cut" in str(info.value)
        assert sim.control("GET", "stats")["create_requests_by_key"] == {"trickled-create": 1}
    finally:
        await provider.aclose()


async def test_an_html_page_instead_of_json_is_an_unsure_reply(
    sim: SimServer, clock: InstantClock
) -> None:
    provider = openai(sim, clock, deadline=10.0)
    try:
        faults(
            sim, {"fault": "html", "route": "create", "count": 1, "phase": "after", "status": 200}
        )
        with pytest.raises(BadResponse, match=r"HTML page \(502 Bad Gateway\) instead of JSON"):
            await provider.create(SPEC, "html-200")
    finally:
        await provider.aclose()


async def test_a_3_gib_announced_download_is_refused_unread_and_not_retried(
    sim: SimServer, openai_client: OpenAIShapeProvider
) -> None:
    job = await openai_client.create(SPEC, "huge")
    await wait_until_done(openai_client, job.id)
    faults(sim, {"fault": "huge", "route": "content", "size": 3 * 1024**3})
    dest = io.BytesIO()
    with pytest.raises(TooLarge, match=r"3\.0 GiB, over the 2\.0 GiB cap"):
        await openai_client.download(job.id, "video", dest)
    stats = sim.control("GET", "stats")
    assert dest.tell() == 0  # not a byte kept
    assert stats["requests"]["openai.content"] == 1  # asked once
    assert stats["fault_bytes"] < 64 * 1024**2  # what the socket buffers took, not 3 GiB


async def test_an_unsized_download_is_cut_at_the_cap_and_not_retried(
    sim: SimServer, openrouter_client: OpenRouterProvider
) -> None:
    job = await openrouter_client.create(SPEC, "unsized")
    await wait_until_done(openrouter_client, job.id)
    cap = 4 * 1024**2
    faults(sim, {"fault": "unsized", "route": "content", "size": 64 * 1024**2})
    dest = io.BytesIO()
    with pytest.raises(TooLarge, match=r"passed the 4\.0 MiB cap"):
        await openrouter_client.download(job.id, "video", dest, max_bytes=cap)
    stats = sim.control("GET", "stats")
    assert stats["requests"]["openrouter.content"] == 1  # not retried
    assert cap < dest.tell() <= cap + 1024**2  # cut at the cap


async def test_a_download_whose_headers_never_come_is_cut(
    sim: SimServer, clock: InstantClock
) -> None:
    provider = openai(sim, clock, deadline=0.5)
    try:
        job = await provider.create(SPEC, "slow-headers")
        await wait_until_done(provider, job.id)
        faults(sim, {"fault": "slow", "route": "content", "delay": 5})
        started = time.monotonic()
        with pytest.raises(RetriesExhausted) as info:
            await provider.download(job.id, "video", io.BytesIO())
        assert isinstance(info.value.last, TimedOut)
        assert time.monotonic() - started < 10
    finally:
        await provider.aclose()


class ShortMinutes(SystemClock):
    """Real time, except that a wait of a minute passes in one real second."""

    def __init__(self) -> None:
        self.offset = 0.0

    def monotonic(self) -> float:
        return super().monotonic() + self.offset

    async def sleep(self, seconds: float) -> None:
        real = min(seconds, 1.0)
        await asyncio.sleep(real)
        self.offset += seconds - real


async def test_waiting_for_the_rate_limit_is_not_the_requests_time(sim: SimServer) -> None:
    """With one request a minute allowed, the second create waits (a second, here) before
    it goes: that wait is not held against its half-second deadline (it used to be cut
    there and, never sent, count as unsure)."""
    provider = OpenAIShapeProvider(
        sim.openai_base_url,
        sim.api_key,
        rpm=1,
        retry=fast_retry(),
        deadline=0.5,
        clock=ShortMinutes(),
    )
    try:
        await provider.create(SPEC, "first")
        started = time.monotonic()
        await provider.create(SPEC, "second")
        assert time.monotonic() - started >= 0.9  # it did wait for the limit
        made = sim.control("GET", "stats")["jobs_created_by_key"]
        assert made == {"first": 1, "second": 1}
    finally:
        await provider.aclose()
