"""The simulator as a service: persistence across restarts, control API, standalone command."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from studio.sim.server import SimServer, spawn
from studio.sim.state import SimConfig


def AUTH(sim: SimServer) -> dict[str, str]:  # noqa: N802 - reads as the header it is
    return {"Authorization": f"Bearer {sim.api_key}"}


def wait_completed(client: httpx.Client, vid: str, limit: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        body: dict[str, object] = client.get(f"/v1/videos/{vid}").json()
        if body["status"] in ("completed", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"{vid} did not finish")


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "sim.json"
    auth = {"Authorization": "Bearer sk-sim-local"}
    with (
        SimServer(SimConfig(render_seconds=0.2), state_file=state) as first,
        httpx.Client(base_url=first.url, headers=auth) as client,
    ):
        vid = client.post(
            "/v1/videos", json={"prompt": "p", "model": "sim-fast", "size": "640x360"}
        ).json()["id"]
        wait_completed(client, vid)
        pending = client.post(
            "/v1/videos", json={"prompt": "q", "model": "sim-fast", "size": "640x360"}
        ).json()["id"]
    with (
        SimServer(SimConfig(render_seconds=0.2), state_file=state) as second,
        httpx.Client(base_url=second.url, headers=auth) as client,
    ):
        assert client.get(f"/v1/videos/{vid}").json()["status"] == "completed"
        assert client.get(f"/v1/videos/{vid}/content").content[4:8] == b"ftyp"
        assert wait_completed(client, pending)["status"] == "completed"  # render resumed
        listed = [v["id"] for v in client.get("/v1/videos").json()["data"]]
        assert listed == [pending, vid]


def test_corrupt_state_file_is_refused_clearly(tmp_path: Path) -> None:
    state = tmp_path / "sim.json"
    state.write_text("{not json")
    with pytest.raises(SystemExit, match="unreadable"):
        SimServer(state_file=state)


def test_control_api_validates_config(sim: SimServer) -> None:
    with pytest.raises(httpx.HTTPStatusError):
        sim.control("POST", "config", {"warp_speed": 9})
    cfg = sim.control("POST", "config", {"render_range": [15, 90]})
    assert cfg["render_range"] == [15.0, 90.0]
    assert "api_keys" not in cfg  # keys are not echoed


def test_render_range_spreads_render_times(sim: SimServer) -> None:
    sim.control("POST", "config", {"render_range": [15, 90]})
    with httpx.Client(base_url=sim.url, headers=AUTH(sim)) as client:
        for i in range(20):
            client.post(
                "/v1/videos", json={"prompt": f"t{i}", "model": "sim-fast", "size": "640x360"}
            )
    times = [j.render_seconds for j in sim.state.jobs.values()]
    assert all(15 <= t <= 90 for t in times)
    assert max(times) - min(times) > 20


def test_unknown_routes_and_bad_json(sim: SimServer) -> None:
    with httpx.Client(base_url=sim.url, headers=AUTH(sim)) as client:
        bad = b"{oops"
        r = client.post("/v1/videos", content=bad, headers={"content-type": "application/json"})
        assert r.status_code == 400
        assert "could not parse the JSON" in r.json()["error"]["message"]
        r = client.post("/api/v1/videos", json={"prompt": "p"})
        assert r.json() == {"error": {"code": 400, "message": "'model' is required."}}


def test_standalone_command_serves_both_shapes() -> None:
    proc, url = spawn(
        "--render-seconds",
        "0.2",
        "--api-key",
        "sk-mine",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        auth = {"Authorization": "Bearer sk-mine"}
        models = httpx.get(f"{url}/api/v1/videos/models", headers=auth)
        assert {m["id"] for m in models.json()["data"]} == {"sim-fast", "sim-pro", "sim-motion"}
        assert httpx.get(f"{url}/v1/videos", headers=auth).json()["object"] == "list"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    assert f"{url}/v1" in out
    assert "sk-mine" in out


def test_control_api_answers_loopback_only() -> None:
    from starlette.testclient import TestClient

    from studio.sim.app import build_app
    from studio.sim.state import SimState

    state = SimState(SimConfig())
    try:
        with TestClient(build_app(state), client=("192.0.2.7", 40000)) as remote:
            assert remote.get("/_sim/stats").status_code == 403
            assert remote.post("/_sim/faults", json={"rules": []}).status_code == 403
        with TestClient(
            build_app(state), base_url="http://127.0.0.1:8790", client=("127.0.0.1", 40000)
        ) as local:
            assert local.get("/_sim/stats").status_code == 200
    finally:
        state.close()


def test_two_takes_of_one_prompt_are_different_videos(sim: SimServer) -> None:
    """Like a real provider: two renders of one prompt, size and model must not be
    byte-identical (a library that deduplicates by sha256 would merge two takes)."""
    body = {"prompt": "a red fox in snow", "model": "sim-fast", "seconds": "4", "size": "640x360"}
    with httpx.Client(base_url=sim.url, headers={"Authorization": "Bearer sk-sim-local"}) as client:
        ids = [client.post("/v1/videos", json=body).json()["id"] for _ in range(2)]
        digests = set()
        for vid in ids:
            wait_completed(client, vid)
            digests.add(hashlib.sha256(client.get(f"/v1/videos/{vid}/content").content).digest())
            thumb = client.get(f"/v1/videos/{vid}/content", params={"variant": "thumbnail"})
            digests.add(hashlib.sha256(thumb.content).digest())
    assert len(digests) == 4  # two videos and two thumbnails, all different


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({}, True),
        ({"host": "localhost:8790"}, True),
        ({"host": "[::1]:8790"}, True),
        ({"origin": "http://localhost:3000"}, True),
        ({"host": "rebound.example:8790"}, False),  # DNS rebinding: the page's own name
        ({"origin": "https://evil.example"}, False),  # a cross-origin write from a browser
        ({"origin": "null"}, False),
    ],
)
def test_control_api_checks_host_and_origin(headers: dict[str, str], allowed: bool) -> None:
    from starlette.testclient import TestClient

    from studio.sim.app import build_app
    from studio.sim.state import SimState

    state = SimState(SimConfig())
    try:
        with TestClient(
            build_app(state), base_url="http://127.0.0.1:8790", client=("127.0.0.1", 40000)
        ) as client:
            reply = client.post("/_sim/config", json={"render_seconds": 3}, headers=headers)
        assert reply.status_code == (200 if allowed else 403), reply.text
        assert state.config.render_seconds == (3.0 if allowed else SimConfig().render_seconds)
    finally:
        state.close()


@pytest.mark.parametrize(
    "bad",
    [
        {"render_seconds": "x"},
        {"render_seconds": float("inf")},
        {"render_range": [5]},
        {"render_range": [30, 5]},
        {"honour_idempotency": "yes"},
        {"moderation_terms": "acme"},
        {"api_keys": []},
        {"render_seconds": 3, "queue_fraction": 7},  # one bad value: nothing is applied
    ],
)
def test_config_values_are_checked_and_the_api_keeps_working(
    sim: SimServer, bad: dict[str, object]
) -> None:
    before = sim.control("GET", "config")
    body = httpx.post(
        f"{sim.url}/_sim/config",
        content=json.dumps(bad, allow_nan=True),
        headers={"content-type": "application/json"},
    )
    assert body.status_code == 400
    assert "bad config: '" in body.json()["error"]["message"]
    assert sim.control("GET", "config") == before
    with httpx.Client(base_url=sim.url, headers=AUTH(sim)) as api:
        made = api.post("/v1/videos", json={"prompt": "a kite", "model": "sim-fast"})
        assert made.status_code == 200
        assert api.get("/v1/videos").status_code == 200


def test_binding_beyond_loopback_warns_that_the_api_is_open() -> None:
    proc, _url = spawn(
        "--host", "0.0.0.0", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    proc.terminate()
    _, err = proc.communicate(timeout=15)
    assert "WARNING: listening on 0.0.0.0" in err
    assert "default key" in err


def test_a_client_gone_mid_request_is_answered_quietly() -> None:
    """A killed client leaves its body unread: no traceback in the simulator's log."""
    import asyncio

    from studio.sim.app import build_app
    from studio.sim.catalog import DEFAULT_API_KEY
    from studio.sim.state import SimState

    state = SimState(SimConfig())
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/videos",
        "raw_path": b"/v1/videos",
        "query_string": b"",
        "headers": [(b"authorization", f"Bearer {DEFAULT_API_KEY}".encode())],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8790),
        "scheme": "http",
        "http_version": "1.1",
        "root_path": "",
    }
    try:
        asyncio.run(build_app(state)(scope, receive, send))  # type: ignore[arg-type]
    finally:
        state.close()
    assert sent[0]["status"] == 499
    assert not state.jobs  # nothing was created from half a request
