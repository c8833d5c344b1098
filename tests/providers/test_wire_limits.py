"""What a provider sends is bounded: job ids cannot steer requests to other paths, JSON
replies have a size cap, and a download that trickles fails instead of hanging."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest

from studio.core.clock import FakeClock
from studio.core.spec import RenderSpec
from studio.providers.errors import BadResponse, TransportError
from studio.providers.http import MAX_JSON_BYTES, HttpCore, job_path
from studio.providers.openai_shape import OpenAIShapeProvider
from tests.conftest import fast_retry

HOSTILE = ("../../../../tmp/evil", "video_x?evil=1", "video x", "..", "a/b", "v#frag")


class HostileProvider(BaseHTTPRequestHandler):
    """A tiny OpenAI-shape provider whose job ids try to reach other paths."""

    paths: ClassVar[list[str]] = []
    written: ClassVar[list[int]] = []
    next_id = HOSTILE[0]

    def do_POST(self) -> None:
        self.paths.append(self.path)
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self._json({"id": self.next_id, "object": "video", "status": "queued", "progress": 0})

    def do_GET(self) -> None:
        self.paths.append(self.path)
        if self.path.startswith("/v1/big"):  # a reply that would never end
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            try:
                self.wfile.write(b'{"data": "')
                for _ in range(64):
                    self.wfile.write(b"x" * (1024 * 1024))
                    self.written.append(1)
            except OSError:
                pass  # the client stopped reading: what we want
            return
        self._json({"object": "list", "data": [], "has_more": False})

    def _json(self, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def hostile() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), HostileProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    HostileProvider.paths = []
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture
async def provider(hostile: str) -> AsyncIterator[OpenAIShapeProvider]:
    client = OpenAIShapeProvider(hostile, "sk-test-key", retry=fast_retry(max_attempts=1))
    yield client
    await client.aclose()


SPEC = RenderSpec(model="sim-fast", prompt="a heron", seconds=4, size="640x360")


@pytest.mark.parametrize("bad_id", HOSTILE)
async def test_a_hostile_job_id_is_refused_and_never_used_in_a_path(
    provider: OpenAIShapeProvider, bad_id: str
) -> None:
    HostileProvider.next_id = bad_id
    with pytest.raises(BadResponse, match="not a usable job id"):
        await provider.create(SPEC, "idem-1", retry_unsure=False)
    assert HostileProvider.paths == ["/v1/videos"]  # nothing was sent anywhere else


def test_job_paths_are_one_encoded_segment() -> None:
    assert job_path("video_123", "content") == "videos/video_123/content"
    assert job_path("a/b?c#d", "remix") == "videos/a%2Fb%3Fc%23d/remix"


def core(transport: httpx.MockTransport, clock: FakeClock | None = None) -> HttpCore:
    return HttpCore(
        "https://api.example.com/v1",
        "sk-test",
        label="the provider",
        retry=fast_retry(max_attempts=1),
        clock=clock or FakeClock(),
        transport=transport,
    )


async def test_a_json_reply_over_16_mib_is_refused_unread(hostile: str) -> None:
    HostileProvider.written = []
    http = HttpCore(hostile, "sk-test", label="the provider", retry=fast_retry(max_attempts=1))
    with pytest.raises(TransportError, match="over 16 MiB"):
        await http.json("GET", "big")
    await http.aclose()
    # The server offered 64 MiB; the client stopped after the cap (plus socket buffers).
    assert len(HostileProvider.written) < 64
    assert len(HostileProvider.written) <= MAX_JSON_BYTES // 2**20 + 8


async def test_a_trickling_download_fails_on_its_rate() -> None:
    """Content sent a byte at a time used to keep a download alive for ever."""
    clock = FakeClock()

    async def trickle() -> AsyncIterator[bytes]:
        for _ in range(1000):
            clock.now += 20.0  # a byte every 20 s, as the probe saw
            yield b"\x00"

    transport = httpx.MockTransport(lambda _req: httpx.Response(200, content=trickle()))
    http = core(transport, clock)
    with open("/dev/null", "wb") as sink, pytest.raises(TransportError, match="too slow"):
        await http.download("videos/v/content", sink)
    assert clock.now - 1_000_000.0 <= 60.0  # given up within two windows, not 1000 bytes
    await http.aclose()


async def test_a_steady_download_is_not_cut() -> None:
    clock = FakeClock()

    async def steady() -> AsyncIterator[bytes]:
        for _ in range(100):
            clock.now += 1.0
            yield b"\x00" * (128 * 1024)  # 128 KiB/s, over the 64 KiB/s floor

    transport = httpx.MockTransport(lambda _req: httpx.Response(200, content=steady()))
    http = core(transport, clock)
    with open("/dev/null", "wb") as sink:
        await http.download("videos/v/content", sink)
    await http.aclose()
