"""Typed provider errors, one class per way a person or the engine must react.

- `TransportError`: the request may not have reached the provider, or the answer was lost
  (connect, timeout, reset, truncated or malformed body, 408/409/429/5xx). Retried.
- `RequestError`: the provider understood and refused (400/401/402/403/404/422). Never retried.
- `Unsupported`: this provider or model cannot do that (remix, cancel, a content variant).
Creative/policy failures are not exceptions: a job ends `failed` with a `RemoteError`.
"""

from __future__ import annotations

from studio.errors import StudioError


class ProviderError(StudioError):
    """A call to a provider failed. `status` is the HTTP status, `code` the provider's code."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.request_id = request_id


class TransportError(ProviderError):
    """Retryable: the network or the provider's servers failed. `retry_after` in seconds.

    `unsure` is True when the request may have been carried out although no answer came
    back (timeout or connection lost after sending): resending a create could render twice.
    """

    unsure = False

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, request_id=request_id)
        self.retry_after = retry_after


class ConnectFailed(TransportError):
    """Nothing reached the provider (refused, DNS, unreachable)."""


class TimedOut(TransportError):
    """Read timeout (connect timeouts are `ConnectFailed`)."""

    unsure = True


class RateLimited(TransportError):
    """HTTP 429."""


class ServerError(TransportError):
    """HTTP 5xx, 408 or 409."""


class BadResponse(TransportError):
    """A reply we could not read: reset mid-body, truncated, not JSON, wrong shape."""

    unsure = True


class RequestError(ProviderError):
    """The provider refused the request; sending it again will not help."""

    exit_code = 4


class AuthError(RequestError):
    """401/403: missing, wrong or unauthorized API key."""


class NotFound(RequestError):
    """404: unknown job, or content that has expired."""


class PaymentRequired(RequestError):
    """402: out of credits (OpenRouter)."""


class Unsupported(ProviderError):
    """The provider or model does not offer this operation."""

    exit_code = 2


class RetriesExhausted(TransportError):
    """Retries ran out (attempts or deadline); `last` is the final transport error."""

    def __init__(self, message: str, *, last: TransportError) -> None:
        super().__init__(message, status=last.status, code=last.code, request_id=last.request_id)
        self.last = last
