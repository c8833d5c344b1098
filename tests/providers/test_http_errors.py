"""Status → error class mapping for statuses the simulator has no reason to send.

Unit level, so an `httpx.MockTransport` stands in for the network here; everything the
simulator can produce is tested over real sockets in test_faults.py.
"""

from __future__ import annotations

import httpx
import pytest

from studio.core.clock import FakeClock
from studio.providers.errors import (
    AuthError,
    NotFound,
    PaymentRequired,
    ProviderError,
    RequestError,
    RetriesExhausted,
    ServerError,
)
from studio.providers.http import HttpCore
from studio.providers.openai_shape import OpenAIShapeProvider
from studio.sim.server import SimServer
from tests.conftest import fast_retry

KEY = "sk-secret-abcdef123456"


def core(handler: httpx.MockTransport, clock: FakeClock | None = None) -> HttpCore:
    return HttpCore(
        "https://api.example.com/v1",
        KEY,
        label="the provider",
        retry=fast_retry(),
        clock=clock or FakeClock(),
        transport=handler,
    )


def replying(status: int, body: object = None, text: str | None = None) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if text is not None:
            return httpx.Response(status, text=text)
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handle)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, RequestError),
        (401, AuthError),
        (402, PaymentRequired),
        (403, AuthError),
        (404, NotFound),
        (422, RequestError),
    ],
)
async def test_request_errors_are_final(status: int, cls: type[ProviderError]) -> None:
    calls: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(status, json={"error": {"message": "nope", "code": "c"}})

    http = core(httpx.MockTransport(handle))
    with pytest.raises(cls, match=rf"the provider: nope \(HTTP {status}, c\)") as info:
        await http.json("GET", "videos")
    assert type(info.value) is cls
    assert info.value.status == status
    assert calls == [1]
    await http.aclose()


@pytest.mark.parametrize("status", [408, 409, 500, 504])
async def test_retryable_statuses(status: int) -> None:
    replies = iter([httpx.Response(status, json={}), httpx.Response(200, json={"ok": True})])
    http = core(httpx.MockTransport(lambda request: next(replies)))
    assert await http.json("GET", "videos") == {"ok": True}
    await http.aclose()


async def test_non_json_error_body_and_key_never_echoed() -> None:
    http = core(replying(500, text=f"<html>upstream broke for key {KEY}</html>"))
    with pytest.raises(RetriesExhausted) as info:
        await http.json("GET", "videos")
    assert isinstance(info.value.last, ServerError)
    assert "upstream broke" in str(info.value)
    assert KEY not in str(info.value)
    assert "[redacted]" in str(info.value)
    await http.aclose()


async def test_bearer_and_user_agent_sent() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    http = core(httpx.MockTransport(handle))
    await http.json("GET", "videos", params={"limit": 5})
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
    assert seen[0].headers["user-agent"].startswith("Studio/")
    assert str(seen[0].url) == "https://api.example.com/v1/videos?limit=5"
    await http.aclose()


async def test_rpm_budget_applies_to_every_request(sim: SimServer) -> None:
    clock = FakeClock(start=0.0)
    provider = OpenAIShapeProvider(
        sim.openai_base_url, sim.api_key, rpm=2, clock=clock, retry=fast_retry()
    )
    try:
        for _ in range(5):
            await provider.list_page()
    finally:
        await provider.aclose()
    assert clock.now == pytest.approx(120.0)  # 2 per minute: requests at 0, 0, 60, 60, 120
    assert sim.control("GET", "stats")["requests"]["openai.list"] == 5
