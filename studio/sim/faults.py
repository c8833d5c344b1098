"""Fault injection for the simulator, as ASGI middleware.

Rules are checked in order for each API request; the first that fires decides the fault.
A rule fires with a probability, a limited number of times after skipping some requests, or
follows a scripted `sequence` ("429", "ok", "500", ...). `phase="after"` lets the request take
effect first and then spoils the reply: the realistic "job created, answer lost" case.

Replies that misbehave over time: `trickle` sends the real reply a byte every `delay`
seconds; `huge` announces `size` bytes (3 GiB by default) and streams zeros; `unsized`
streams `size` bytes of zeros with no length. Each stops when the client goes away; the
bytes they managed to send are counted in the stats (`fault_bytes`).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import logging
import random
import re
import socket
import struct
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from studio.sim.state import SimState

log = logging.getLogger(__name__)

FAULTS = (
    "429",
    "500",
    "502",
    "503",
    "504",
    "401",
    "404",
    "reset",
    "slow",
    "truncate",
    "malformed",
    "html",
    "trickle",
    "huge",
    "unsized",
    "render_failed",
)
HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    b"<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n"
)
CHUNK = 64 * 1024
_ROUTES = [
    ("openrouter", "models", "GET", re.compile(r"^/api/v1/videos/models$")),
    ("openrouter", "create", "POST", re.compile(r"^/api/v1/videos$")),
    ("openrouter", "retrieve", "GET", re.compile(r"^/api/v1/videos/[^/]+$")),
    ("openrouter", "content", "GET", re.compile(r"^/api/v1/videos/[^/]+/content$")),
    ("openai", "models", "GET", re.compile(r"^/v1/models$")),
    ("openai", "create", "POST", re.compile(r"^/v1/videos$")),
    ("openai", "list", "GET", re.compile(r"^/v1/videos$")),
    ("openai", "retrieve", "GET", re.compile(r"^/v1/videos/[^/]+$")),
    ("openai", "delete", "DELETE", re.compile(r"^/v1/videos/[^/]+$")),
    ("openai", "remix", "POST", re.compile(r"^/v1/videos/[^/]+/remix$")),
    ("openai", "content", "GET", re.compile(r"^/v1/videos/[^/]+/content$")),
]


def classify(method: str, path: str) -> tuple[str, str] | None:
    for shape, route, verb, pattern in _ROUTES:
        if method == verb and pattern.match(path):
            return shape, route
    return None


@dataclass
class FaultRule:
    fault: str = "500"
    route: str = "*"
    shape: str = "*"
    probability: float = 1.0
    count: int | None = None  # fire at most this many times (None: no limit)
    skip: int = 0  # let this many matching requests through first
    sequence: list[str] | None = None  # scripted: one entry per matching request, "ok" = pass
    phase: str = "before"
    retry_after: float | None = None
    retry_after_ms: int | None = None
    retry_after_date: bool = False
    delay: float = 2.0
    status: int | None = None  # the HTTP status of an `html` page (default 502)
    size: int = 3 * 1024**3  # bytes a `huge` reply announces, or an `unsized` one streams
    seen: int = field(default=0, repr=False)
    fired: int = field(default=0, repr=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultRule:
        allowed = {k for k in cls.__dataclass_fields__ if k not in ("seen", "fired")}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown fault rule field(s): {', '.join(sorted(unknown))}")
        rule = cls(**data)
        for f in [rule.fault, *(rule.sequence or [])]:
            if f not in FAULTS and f != "ok":
                raise ValueError(f"unknown fault '{f}'; known: {', '.join(FAULTS)}, ok")
        if rule.phase not in ("before", "after"):
            raise ValueError("phase must be 'before' or 'after'")
        return rule

    def pick(self, shape: str, route: str, rng: random.Random) -> str | None:
        if self.route not in ("*", route) or self.shape not in ("*", shape):
            return None
        self.seen += 1
        if self.seen <= self.skip:
            return None
        if self.sequence is not None:
            index = self.seen - self.skip - 1
            if index >= len(self.sequence):
                return None
            step = self.sequence[index]
            return None if step == "ok" else step
        if self.count is not None and self.fired >= self.count:
            return None
        if rng.random() >= self.probability:
            return None
        self.fired += 1
        return self.fault


class FaultPlan:
    def __init__(self, seed: int | None = None) -> None:
        self.rules: list[FaultRule] = []
        self.rng = random.Random(seed)

    def set(self, rules: list[dict[str, Any]]) -> None:
        self.rules = [FaultRule.from_json(r) for r in rules]

    def pick(self, shape: str, route: str) -> tuple[str, FaultRule] | None:
        for rule in self.rules:
            fault = rule.pick(shape, route, self.rng)
            if fault is not None:
                return fault, rule
        return None


def _envelope(status: int, message: str, type_: str, code: str | None) -> bytes:
    return json.dumps(
        {"error": {"message": message, "type": type_, "param": None, "code": code}}
    ).encode()


async def _respond(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *headers,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _abort(send: Send) -> None:
    """Reset the TCP connection (RST, not FIN) under uvicorn; the client sees a reset."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionResetError("simulated reset")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def _host_name(value: str) -> str:
    """'127.0.0.1:8790' -> '127.0.0.1', '[::1]:8790' -> '::1', 'localhost' -> 'localhost'."""
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def control_refusal(scope: Scope) -> str | None:
    """Why a control request is refused, if it is: it must come from loopback, name a
    loopback host (a page that rebinds its own domain to 127.0.0.1 still sends its name),
    and carry no Origin but a loopback one (no cross-origin writes from a browser)."""
    client = scope.get("client") or ("", 0)
    if client[0] not in LOOPBACK_HOSTS:
        return "The control API answers on loopback only."
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    if _host_name(headers.get("host", "").strip().lower()) not in LOOPBACK_HOSTS:
        return "The control API answers only to a loopback Host (127.0.0.1, localhost, [::1])."
    origin = headers.get("origin")
    if origin is not None:
        scheme, _, rest = origin.strip().lower().partition("://")
        if scheme not in ("http", "https") or _host_name(rest) not in LOOPBACK_HOSTS:
            return "The control API refuses cross-origin requests."
    return None


class _Spoiled(Exception):
    pass


def _watch_disconnect(receive: Receive) -> asyncio.Task[None]:
    """A task that ends when the client goes away (the request body is read past first)."""

    async def watch() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    return asyncio.ensure_future(watch())


class FaultMiddleware:
    """Counts API requests, guards the loopback-only control API, and injects faults."""

    def __init__(self, app: ASGIApp, state: SimState, plan: FaultPlan) -> None:
        self.app = app
        self.state = state
        self.plan = plan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith("/_sim"):
            refused = control_refusal(scope)
            if refused:
                await _respond(send, 403, _envelope(403, refused, "forbidden", None), [])
                return
            await self.app(scope, receive, send)
            return
        kind = classify(scope["method"], path)
        if kind is None:
            await self.app(scope, receive, send)
            return
        shape, route = kind
        self.state.stats.requests[f"{shape}.{route}"] += 1
        if route in ("create", "remix"):
            key = dict(scope["headers"]).get(b"idempotency-key")
            if key:  # counted before any fault, so a test sees the key reused on retries
                self.state.stats.create_requests_by_key[key.decode("latin-1")] += 1
        picked = self.plan.pick(shape, route)
        if picked is None:
            await self.app(scope, receive, send)
            return
        fault, rule = picked
        self.state.stats.faults[fault] += 1
        self.state.stats.faults_by_route[f"{shape}.{route}:{fault}"] += 1
        log.info("injecting %s on %s.%s", fault, shape, route)
        await self._inject(fault, rule, scope, receive, send)

    async def _inject(
        self, fault: str, rule: FaultRule, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if fault == "render_failed":
            scope.setdefault("state", {})["sim_outcome"] = "video_generation_failed"
            await self.app(scope, receive, send)
            return
        if fault == "slow":
            await asyncio.sleep(rule.delay)
            await self.app(scope, receive, send)
            return
        if fault == "truncate":
            await self._truncated(scope, receive, send)
            return
        if fault == "trickle":
            await self._trickled(rule, scope, receive, send)
            return
        if fault in ("huge", "unsized"):
            await self._endless(fault, rule, receive, send)
            return
        if rule.phase == "after":
            captured = await self._run_captured(scope, receive)
        else:
            captured = None
        if fault == "reset":
            _abort(send)
            return
        if fault == "malformed":
            body = captured or b'{"id": "video_0", "object": "video", "status": "queued"}'
            await _respond(send, 200, body[: max(1, len(body) // 2)], [])
            return
        if fault == "html":
            html = [(b"content-type", b"text/html")]
            await _respond(send, rule.status or 502, HTML_PAGE, html)
            return
        await _respond(send, *self._error_reply(fault, rule))

    def _error_reply(
        self, fault: str, rule: FaultRule
    ) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        if fault == "401":
            body = _envelope(
                401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
            )
            return 401, body, []
        if fault == "404":  # the provider lost it (or says so), whatever the job's state
            body = _envelope(404, "Not found.", "invalid_request_error", "not_found")
            return 404, body, []
        if fault == "429":
            headers: list[tuple[bytes, bytes]] = []
            if rule.retry_after_ms is not None:
                headers.append((b"retry-after-ms", str(rule.retry_after_ms).encode()))
            if rule.retry_after is not None:
                if rule.retry_after_date:
                    when = email.utils.formatdate(self.state.now() + rule.retry_after, usegmt=True)
                    headers.append((b"retry-after", when.encode()))
                else:
                    headers.append((b"retry-after", f"{rule.retry_after:g}".encode()))
            body = _envelope(
                429, "Rate limit reached for requests.", "requests", "rate_limit_exceeded"
            )
            return 429, body, headers
        status = int(fault)
        message = {
            500: "The server had an error while processing your request.",
            502: "Bad gateway.",
            503: "The engine is currently overloaded.",
            504: "Gateway timeout.",
        }[status]
        return status, _envelope(status, message, "server_error", None), []

    async def _run_captured(self, scope: Scope, receive: Receive) -> bytes:
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        return b"".join(chunks)

    async def _trickled(self, rule: FaultRule, scope: Scope, receive: Receive, send: Send) -> None:
        """The real reply (run first: the request takes effect), sent a byte at a time."""
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        gone = _watch_disconnect(receive)
        try:
            await send(start)
            for i in range(len(body)):
                if gone.done():
                    return
                more = i + 1 < len(body)
                await send(
                    {"type": "http.response.body", "body": body[i : i + 1], "more_body": more}
                )
                self.state.stats.fault_bytes += 1
                if more:
                    await asyncio.wait({gone}, timeout=rule.delay)
        finally:
            gone.cancel()

    async def _endless(self, fault: str, rule: FaultRule, receive: Receive, send: Send) -> None:
        """Zeros, `rule.size` of them: announced (`huge`) or not (`unsized`)."""
        headers = [(b"content-type", b"video/mp4")]
        if fault == "huge":
            headers.append((b"content-length", str(rule.size).encode()))
        gone = _watch_disconnect(receive)
        try:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            left = rule.size
            while left > 0 and not gone.done():
                part = min(CHUNK, left)
                left -= part
                await send(
                    {"type": "http.response.body", "body": bytes(part), "more_body": left > 0}
                )
                self.state.stats.fault_bytes += part
                await asyncio.sleep(0)
        finally:
            gone.cancel()

    async def _truncated(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the real headers (with the full Content-Length) and half the body, then reset."""
        budget: list[int] = [0]

        async def half(message: Message) -> None:
            if message["type"] == "http.response.start":
                length = dict(message.get("headers", [])).get(b"content-length")
                budget[0] = max(1, int(length) // 2) if length else 1
                await send(message)
                return
            if message["type"] == "http.response.body":
                body = message.get("body", b"")
                part = body[: budget[0]]
                budget[0] -= len(part)
                if part:
                    await send({"type": "http.response.body", "body": part, "more_body": True})
                if budget[0] <= 0:
                    raise _Spoiled

        with contextlib.suppress(_Spoiled):
            await self.app(scope, receive, half)
        _abort(send)
