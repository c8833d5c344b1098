"""One HTTP path for every provider call: auth, rate limit, retries, error mapping, streaming.

Provider adapters describe requests; this module decides what a failure means. A status or
exception becomes exactly one typed error (see `errors.py`), with the provider's own message
taken from its error envelope and the API key scrubbed from anything we show.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import urllib.parse
from collections.abc import Mapping
from typing import IO, Any, TypedDict, Unpack

import httpx

from studio import __version__
from studio.errors import ConfigError, redact
from studio.providers.clock import Clock, SystemClock
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
    TransportError,
)
from studio.providers.ratelimit import RpmLimiter
from studio.providers.retry import RetryPolicy, parse_retry_after

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
# Creates are paced by the RPM limit, polls are one list request and downloads a few at a
# time, so a small pool serves them; a large one costs a readiness check per pooled socket
# on every request (measured: stalls on the UI thread with 100).
POOL = httpx.Limits(max_connections=24, max_keepalive_connections=12)
RETRYABLE_STATUS = {408, 409, 429}
MAX_JSON_BYTES = 16 * 1024 * 1024  # no API reply is near this; a hostile one could be endless
# A download that trickles is dead: fail it (it is retried later) rather than hang forever.
MIN_RATE = 64 * 1024  # bytes per second, averaged over…
RATE_WINDOW = 30.0  # …this many seconds
MAX_UNSIZED_BYTES = 2 * 1024**3  # a body with no announced length stops here


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


def _envelope(response: httpx.Response) -> tuple[str | None, str | None]:
    """(message, code) from `{"error": {...}}` (OpenAI, OpenRouter) or a plain body."""
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


class _Meter:
    """Watches a download: one that trickles (under MIN_RATE over RATE_WINDOW) or, with no
    announced length, grows past MAX_UNSIZED_BYTES is stopped (and retried later)."""

    def __init__(self, clock: Clock, label: str, *, sized: bool) -> None:
        self.clock, self.label, self.sized = clock, label, sized
        self.start, self.bytes = clock.monotonic(), 0

    def add(self, n: int, total: int) -> None:
        if not self.sized and total > MAX_UNSIZED_BYTES:
            raise BadResponse(
                f"{self.label}: a download of unknown length passed "
                f"{MAX_UNSIZED_BYTES // 2**30} GiB; stopped"
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


class HttpOptions(TypedDict, total=False):
    """How a provider client talks HTTP; every adapter passes these through unchanged."""

    rpm: int | None  # requests per minute for this host (None: no client-side limit)
    retry: RetryPolicy | None
    clock: Clock | None
    timeout: httpx.Timeout
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
        self._secrets = [api_key]
        headers = {"User-Agent": f"Studio/{__version__}"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = httpx.AsyncClient(
            base_url=self.base_url + "/",
            headers=headers,
            timeout=options.get("timeout", DEFAULT_TIMEOUT),
            limits=POOL,
            transport=options.get("transport"),
            follow_redirects=False,
        )
        self.requests_sent = 0

    async def aclose(self) -> None:
        await self._client.aclose()

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
    ) -> Any:
        """Send a request (retried on transport errors) and return the decoded JSON body.

        `retry_unsure=False` for requests that must not be repeated blindly (creates whose
        outcome the caller can look up instead)."""

        async def attempt(n: int) -> Any:
            response = await self._send(
                method,
                path,
                json=json_body,
                data=data,
                files=files,
                params=params,
                headers=headers,
            )
            self._raise_for_status(response)
            try:
                return response.json()
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise BadResponse(
                    f"{self.label} sent a reply that is not valid JSON ({method} {path})",
                    status=response.status_code,
                ) from None

        return await self.retry.run(
            attempt, clock=self.clock, on_retry=self._log_retry, retry_unsure=retry_unsure
        )

    async def download(
        self,
        path: str,
        dest: IO[bytes],
        *,
        params: Mapping[str, str | int] | None = None,
        accept: str = "application/binary",
    ) -> str:
        """Stream a body into `dest` (restarted from its start position on retry).

        Returns the response's Content-Type. Never leaves a short body unreported: a length
        mismatch or a reset mid-body is a `BadResponse` (retried).
        """
        start = dest.tell()

        async def attempt(n: int) -> str:
            if n > 1:
                dest.seek(start)
                dest.truncate()
            return await self._stream_once(path, dest, params=params, accept=accept)

        return await self.retry.run(attempt, clock=self.clock, on_retry=self._log_retry)

    # ---- internals ---------------------------------------------------------------------

    async def _stream_once(
        self,
        path: str,
        dest: IO[bytes],
        *,
        params: Mapping[str, str | int] | None,
        accept: str,
    ) -> str:
        await self.limiter.acquire()
        self.requests_sent += 1
        try:
            async with self._client.stream(
                "GET", path, params=params, headers={"Accept": accept}
            ) as response:
                if response.status_code >= 400:
                    await response.aread()
                    self._raise_for_status(response)
                expected = response.headers.get("content-length")
                received = 0
                meter = _Meter(self.clock, self.label, sized=expected is not None)
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
        except httpx.HTTPError as err:
            raise self._map_exception(err, "GET", path) from None

    async def _send(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """The whole reply, read up to MAX_JSON_BYTES (a bigger one is refused unread)."""
        await self.limiter.acquire()
        self.requests_sent += 1
        try:
            request = self._client.build_request(method, path, **kw)
            response = await self._client.send(request, stream=True)
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
            raise self._map_exception(err, method, path) from None

    def _map_exception(self, err: httpx.HTTPError, method: str, path: str) -> TransportError:
        what = f"{method} {path}"
        detail = redact(str(err) or type(err).__name__, self._secrets)
        if isinstance(err, httpx.ConnectTimeout):
            return ConnectFailed(f"{self.label} did not accept a connection in time ({what})")
        if isinstance(err, httpx.PoolTimeout):  # never left this machine: safe to resend
            return ConnectFailed(f"No free connection to {self.label} in time ({what})")
        if isinstance(err, httpx.TimeoutException):
            return TimedOut(f"{self.label} did not answer in time ({what})")
        if isinstance(err, httpx.ConnectError):
            return ConnectFailed(f"Cannot reach {self.label}: {detail}")
        if isinstance(err, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
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
