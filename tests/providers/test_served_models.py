"""The model picker offers what the provider serves: asked of the server (`GET /models`),
or, where a server has no such endpoint, taken from Settings."""

from __future__ import annotations

import httpx

from studio.providers.openai_shape import OpenAIShapeProvider
from studio.sim.server import SimServer


async def test_the_simulator_is_asked_and_only_its_models_are_offered(
    openai_client: OpenAIShapeProvider, sim: SimServer
) -> None:
    """Sora 2 / Sora 2 Pro were offered on the simulator (every profile marked openai),
    and every render with them failed with a 400."""
    profiles = await openai_client.models()
    assert profiles.ids() == ["sim-fast", "sim-pro"]
    assert profiles.note == ""
    await openai_client.models()  # asked once, then kept
    assert sim.control("GET", "stats")["requests"]["openai.models"] == 1


def without_model_list(request: httpx.Request) -> httpx.Response:
    assert request.url.path == "/v1/models"
    return httpx.Response(404, json={"error": {"message": "Not found", "code": None}})


async def test_a_server_without_a_model_list_uses_the_settings_list() -> None:
    transport = httpx.MockTransport(without_model_list)
    chosen = OpenAIShapeProvider(
        "https://gw.example.com/v1", "k", transport=transport, enabled_models=["sora-2"]
    )
    assert (await chosen.models()).ids() == ["sora-2"]
    await chosen.aclose()
    unsaid = OpenAIShapeProvider("https://gw.example.com/v1", "k", transport=transport)
    profiles = await unsaid.models()
    assert "sora-2" in profiles.ids()
    assert "does not list the models it serves" in profiles.note
    assert "Settings" in profiles.note
    await unsaid.aclose()


async def test_a_server_serving_no_known_model_says_which_it_serves() -> None:
    transport = httpx.MockTransport(
        lambda _r: httpx.Response(200, json={"object": "list", "data": [{"id": "veo-3"}]})
    )
    provider = OpenAIShapeProvider("https://gw.example.com/v1", "k", transport=transport)
    profiles = await provider.models()
    assert len(profiles) == 0
    assert "it serves: veo-3" in profiles.note
    await provider.aclose()
