"""One HTTP path for every provider call: auth, rate limit, retries, error mapping, streaming.

Provider adapters describe requests; this module decides what a failure means. A status or
exception becomes exactly one typed error (see `errors.py`), with the provider's own message
taken from its error envelope and the API key scrubbed from anything we show.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
import urllib.parse
from collections.abc import Mapping
from typing import IO, Any, TypedDict, Unpack

import httpx

from studio import __version__
from studio.core.clock import Clock, SystemClock
from studio.core.errors import ConfigError, redact
from studio.providers.errors import (
    AuthError,
    BadResponse,
    ConnectFailed,
    NotFound,
    PaymentRequired,
    ProviderError,
    RateLimited,
    RequestError,
    ServerError,
    TimedOut,
    TooLarge,
    TransportError,
)
from studio.providers.ratelimit import RpmLimiter
from studio.providers.retry import RetryPolicy, parse_retry_after
from studio.providers.types import MAX_DOWNLOAD_BYTES

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
# The whole of one API request (connect, send, the entire reply) is cut after this long: a
# reply that trickles a byte at a time resets httpx's read timeout with every byte.
REQUEST_DEADLINE = 60.0
# Creates are paced by the RPM limit, polls are one list request and downloads a few at a
# time, so a small pool serves them; a large one costs a readiness check per pooled socket
# on every request (measured: stalls on the UI thread with 100).
POOL = httpx.Limits(max_connections=24, max_keepalive_connections=12)
RETRYABLE_STATUS = {408, 409, 429}
MAX_JSON_BYTES = 16 * 1024 * 1024  # no API reply is near this; a hostile one could be endless
# A download that trickles is dead: fail it (it is retried later) rather than hang forever.
MIN_RATE = 64 * 1024  # bytes per second, averaged over…
RATE_WINDOW = 30.0  # …this many seconds


_HOST_RE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$",
    re.IGNORECASE,
)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def validate_base_url(url: str) -> str:
    """Return the normalized base URL or raise `ConfigError` saying what is wrong with it."""
    text = url.strip()
    if not text:
        raise ConfigError("The base URL is empty.")
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, TypeError) as err:
        raise ConfigError(f"Base URL '{text}' is not a valid URL ({err}).") from None
    if any(ch.isspace() for ch in text):
        raise ConfigError(f"Base URL '{text}' is not a valid URL (it contains a space).")
    if parsed.scheme not in ("http", "https"):
        got = f"'{parsed.scheme}://'" if parsed.scheme else "no scheme"
        raise ConfigError(f"Base URL '{text}' must start with https:// (it has {got}).")
    if not parsed.host:
        raise ConfigError(f"Base URL '{text}' has no host name.")
    if not _HOST_RE.match(parsed.host) and not _is_ip(parsed.host):
        raise ConfigError(f"Base URL '{text}' has an invalid host name '{parsed.host}'.")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise ConfigError(f"Base URL '{text}' is not a valid URL (port {parsed.port}).")
    if parsed.userinfo:
        raise ConfigError("Base URL must not contain a user name or password; use the API key.")
    if parsed.query or parsed.fragment:
        raise ConfigError(f"Base URL '{text}' must not have a query (?) or fragment (#).")
    if parsed.scheme == "http" and not is_loopback(parsed.host):
        raise ConfigError(
            f"Base URL '{text}' is not encrypted: use https:// "
            "(plain http is allowed only for 127.0.0.1 and localhost)."
        )
    return str(parsed).rstrip("/")


def job_path(job_id: str, *rest: str) -> str:
    """`videos/{id}/...` with the id percent-encoded as one path segment (defence in depth:
    ids are validated where they are read, see `Fields.job_id`)."""
    return "/".join(("videos", urllib.parse.quote(job_id, safe=""), *rest))


_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def is_html(response: httpx.Response) -> bool:
    """An HTML page where JSON was expected: a proxy's or gateway's error page."""
    kind = response.headers.get("content-type", "").lower()
    return "html" in kind or response.content[:200].lstrip().lower().startswith(
        (b"<!doctype", b"<html")
    )


_TAG_RE = re.compile(r"<[^>]*>")


def html_title(response: httpx.Response) -> str:
    """'an HTML page (502 Bad Gateway)': its title, else the start of its text."""
    page = response.text[:4096]
    match = _TITLE_RE.search(page)
    text = match.group(1) if match else _TAG_RE.sub(" ", page)
    words = " ".join(text.split())
    return f"an HTML page ({words[:120]})" if words else "an HTML page"


def _envelope(response: httpx.Response) -> tuple[str | None, str | None]:
    """(message, code) from `{"error": {...}}` (OpenAI, OpenRouter) or a plain body."""
    if is_html(response):
        return html_title(response), None
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        text = response.text.strip().replace("\n", " ")
        return (text[:200] or None), None
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        message = err.get("message")
        code = err.get("code") if err.get("code") is not None else err.get("type")
        return (str(message) if message else None), (str(code) if code is not None else None)
    if isinstance(err, str):
        return err, None
    return None, None


def _size(n: int) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.1f} MiB"


class _Meter:
    """Watches a download: one that trickles (under MIN_RATE over RATE_WINDOW) is stopped
    and retried later; one that grows past the cap is stopped for good (`TooLarge`)."""

    def __init__(self, clock: Clock, label: str, *, cap: int) -> None:
        self.clock, self.label, self.cap = clock, label, cap
        self.start, self.bytes = clock.monotonic(), 0

    def add(self, n: int, total: int) -> None:
        if total > self.cap:
            raise TooLarge(
                f"{self.label}: the download passed the {_size(self.cap)} cap without saying "
                "how long it is; it was cut and will not be fetched again (the cap is in "
                "Settings)"
            )
        self.bytes += n
        elapsed = self.clock.monotonic() - self.start
        if elapsed < RATE_WINDOW:
            return
        if self.bytes < MIN_RATE * elapsed:
            rate = self.bytes / elapsed / 1024
            raise TimedOut(
                f"{self.label}: the download is too slow ({rate:.1f} KiB/s for {elapsed:.0f} s; "
                f"the floor is {MIN_RATE // 1024} KiB/s). It will be tried again."
            )
        self.start, self.bytes = self.clock.monotonic(), 0


class Sent:
    """Whether the request of the current attempt went out whole (httpcore's trace)."""

    def __init__(self) -> None:
        self.body = False

    async def trace(self, event: str, info: Mapping[str, Any]) -> None:
        if event.endswith("send_request_body.complete"):
            self.body = True


class HttpOptions(TypedDict, total=False):
    """How a provider client talks HTTP; every adapter passes these through unchanged."""

    rpm: int | None  # requests per minute for this host (None: no client-side limit)
    retry: RetryPolicy | None
    clock: Clock | None
    timeout: httpx.Timeout
    deadline: float  # seconds for the whole of one API request (REQUEST_DEADLINE)
    transport: httpx.AsyncBaseTransport | None  # tests only: a mock transport


class HttpCore:
    """An httpx client bound to one provider host, with its own RPM budget and retry policy."""

    def __init__(
        self, base_url: str, api_key: str | None, *, label: str, **options: Unpack[HttpOptions]
    ) -> None:
        self.base_url = validate_base_url(base_url)
        self.label = label
        self.retry = options.get("retry") or RetryPolicy()
        self.clock = options.get("clock") or SystemClock()
        self.limiter = RpmLimiter(options.get("rpm"), self.clock)
        self.deadline = options.get("deadline", REQUEST_DEADLINE)
        self._secrets = [api_key]
        headers = {"User-Agent": f"Studio/{__version__}"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"

        def client(limits: httpx.Limits) -> httpx.AsyncClient:
            return httpx.AsyncClient(
                base_url=self.base_url + "/",
                headers=headers,
                timeout=options.get("timeout", DEFAULT_TIMEOUT),
                limits=limits,
                transport=options.get("transport"),
                follow_redirects=False,
            )

        self._client = client(POOL)
        # Creates go out on a connection of their own: on a pooled one that the server has
        # just closed for idleness, a create would fail with no reply and count as unsure.
        # (No cap: the engine's concurrency bounds them, and a wait for a pooled connection
        # must not eat into a create's deadline.)
        self._fresh = client(httpx.Limits(max_connections=None, max_keepalive_connections=0))
        self.requests_sent = 0

    async def aclose(self) -> None:
        await self._client.aclose()
        await self._fresh.aclose()

    # ---- public calls ------------------------------------------------------------------

    async def json(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        retry_unsure: bool = True,
        fresh_connection: bool = False,
    ) -> Any:
        """Send a request (retried on transport errors) and return the decoded JSON body.
        Each attempt, connect to the last byte of the reply, is bounded by `deadline`.

        `retry_unsure=False` for requests that must not be repeated blindly (creates whose
        outcome is unknown after a lost reply); `fresh_connection` for creates (see
        `__init__`)."""

        what = f"{method} {path}"
        sent = Sent()

        async def attempt(n: int) -> Any:
            sent.body = False
            response = await self._send(
                method,
                path,
                client=self._fresh if fresh_connection else self._client,
                sent=sent,
                json=json_body,
                data=data,
                files=files,
                params=params,
                headers=headers,
            )
            self._raise_for_status(response)
            if is_html(response):
                page = redact(html_title(response), self._secrets)
                raise BadResponse(
                    f"{self.label} sent {page} instead of JSON ({what}; a proxy or gateway error?)",
                    status=response.status_code,
                )
            try:
                return response.json()
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise BadResponse(
                    f"{self.label} sent a reply that is not valid JSON ({method} {path})",
                    status=response.status_code,
                ) from None

        def cut(seconds: float) -> TransportError:
            """The attempt ran past its deadline: unsure once the request went out whole,
            else nothing reached the provider."""
            if sent.body:
                return TimedOut(f"{self.label}: {what} took longer than {seconds:.0f} s; cut")
            return ConnectFailed(
                f"{self.label}: {what} could not be sent within {seconds:.0f} s; cut"
            )

        return await self.retry.run(
            attempt,
            clock=self.clock,
            on_retry=self._log_retry,
            retry_unsure=retry_unsure,
            attempt_limit=self.deadline,
            before=self.limiter.acquire,  # waiting for the rate limit is not the request's time
            cut=cut,
        )

    async def download(
        self,
        path: str,
        dest: IO[bytes],
        *,
        params: Mapping[str, str | int] | None = None,
        accept: str = "application/binary",
        max_bytes: int = MAX_DOWNLOAD_BYTES,
    ) -> str:
        """Stream a body into `dest` (restarted from its start position on retry).

        Returns the response's Content-Type. Never leaves a short body unreported: a length
        mismatch or a reset mid-body is a `BadResponse` (retried). A body over `max_bytes`
        is `TooLarge`: refused unread when its length is announced, cut at the cap when not.
        The reply's headers must come within `deadline`; the body then only has to keep up
        the rate floor (a 2 GiB clip may take minutes, honestly).
        """
        start = dest.tell()

        async def attempt(n: int) -> str:
            if n > 1:
                dest.seek(start)
                dest.truncate()
            return await self._stream_once(
                path, dest, params=params, accept=accept, max_bytes=max_bytes
            )

        return await self.retry.run(attempt, clock=self.clock, on_retry=self._log_retry)

    # ---- internals ---------------------------------------------------------------------

    async def _stream_once(
        self,
        path: str,
        dest: IO[bytes],
        *,
        params: Mapping[str, str | int] | None,
        accept: str,
        max_bytes: int,
    ) -> str:
        await self.limiter.acquire()
        self.requests_sent += 1
        try:
            headers_by = asyncio.timeout(self.deadline)
            async with (
                headers_by,
                self._client.stream(
                    "GET", path, params=params, headers={"Accept": accept}
                ) as response,
            ):
                if response.status_code >= 400:
                    await response.aread()
                    self._raise_for_status(response)
                headers_by.reschedule(None)  # the body is watched by the rate floor instead
                expected = response.headers.get("content-length")
                if expected is not None and expected.isdigit() and int(expected) > max_bytes:
                    raise TooLarge(
                        f"{self.label}: the clip is {_size(int(expected))}, over the "
                        f"{_size(max_bytes)} cap; it was not downloaded (the cap is in Settings)"
                    )
                received = 0
                meter = _Meter(self.clock, self.label, cap=max_bytes)
                async for chunk in response.aiter_bytes():
                    dest.write(chunk)
                    received += len(chunk)
                    meter.add(len(chunk), received)
                if expected is not None and received != int(expected):
                    raise BadResponse(
                        f"{self.label}: download ended after {received:,} of {int(expected):,} "
                        "bytes"
                    )
                if received == 0:
                    raise BadResponse(f"{self.label}: download returned no data")
                return str(response.headers.get("content-type", ""))
        except TimeoutError:
            raise TimedOut(
                f"{self.label} did not start sending the download within {self.deadline:.0f} s"
            ) from None
        except httpx.HTTPError as err:
            raise self._map_exception(err, "GET", path) from None

    async def _send(
        self, method: str, path: str, *, client: httpx.AsyncClient, sent: Sent, **kw: Any
    ) -> httpx.Response:
        """The whole reply, read up to MAX_JSON_BYTES (a bigger one is refused unread).
        `sent.body` says whether the request went out whole (so a failure after it is
        unsure, and one before it is not)."""
        self.requests_sent += 1
        try:
            request = client.build_request(method, path, extensions={"trace": sent.trace}, **kw)
            response = await client.send(request, stream=True)
            try:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_JSON_BYTES:
                        raise BadResponse(
                            f"{self.label} sent a reply over {MAX_JSON_BYTES // 2**20} MiB "
                            f"({method} {path}); it was not read",
                            status=response.status_code,
                        )
            finally:
                await response.aclose()
            return httpx.Response(
                response.status_code,
                headers=response.headers,
                content=bytes(body),
                request=request,
            )
        except httpx.HTTPError as err:
            mapped = self._map_exception(err, method, path)
            if mapped.unsure and not sent.body:  # it failed before the request was out
                mapped = ConnectFailed(f"{mapped} (nothing was sent)")
            raise mapped from None

    def _map_exception(self, err: httpx.HTTPError, method: str, path: str) -> TransportError:
        what = f"{method} {path}"
        detail = redact(str(err) or type(err).__name__, self._secrets)
        if isinstance(err, httpx.ProxyError | httpx.LocalProtocolError | httpx.UnsupportedProtocol):
            return ConnectFailed(f"Could not send {what} to {self.label}: {detail}")
        if isinstance(err, httpx.ConnectTimeout):
            return ConnectFailed(f"{self.label} did not accept a connection in time ({what})")
        if isinstance(err, httpx.PoolTimeout):  # never left this machine: safe to resend
            return ConnectFailed(f"No free connection to {self.label} in time ({what})")
        if isinstance(err, httpx.WriteTimeout):  # the request never got out whole
            return ConnectFailed(f"Could not send {what} to {self.label} in time")
        if isinstance(err, httpx.TimeoutException):
            return TimedOut(f"{self.label} did not answer in time ({what})")
        if isinstance(err, httpx.ConnectError):
            return ConnectFailed(f"Cannot reach {self.label}: {detail}")
        if isinstance(err, httpx.WriteError):  # the request never got out whole: nothing done
            return ConnectFailed(f"Could not send {what} to {self.label}: {detail}")
        if isinstance(err, httpx.RemoteProtocolError | httpx.ReadError):
            return BadResponse(f"{self.label} dropped the connection during {what}: {detail}")
        return BadResponse(f"{self.label}: {what} failed: {detail}")

    def _raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        message, code = _envelope(response)
        message = redact(message or response.reason_phrase or "no details", self._secrets)
        request_id = response.headers.get("x-request-id")
        text = f"{self.label}: {message} (HTTP {status}{f', {code}' if code else ''})"
        kw: dict[str, Any] = {"status": status, "code": code, "request_id": request_id}
        if status == 429:
            after = parse_retry_after(response.headers, self.clock.wall())
            raise RateLimited(text, retry_after=after, **kw)
        if status >= 500 or status in RETRYABLE_STATUS:
            after = parse_retry_after(response.headers, self.clock.wall())
            raise ServerError(text, retry_after=after, **kw)
        if status in (401, 403):
            raise AuthError(text, **kw)
        if status == 402:
            raise PaymentRequired(text, **kw)
        if status == 404:
            raise NotFound(text, **kw)
        raise RequestError(text, **kw)

    def _log_retry(self, attempt: int, err: TransportError, delay: float) -> None:
        log.info("retry %d after %.2fs: %s", attempt, delay, err)


__all__ = ["HttpCore", "ProviderError", "is_loopback", "validate_base_url"]
