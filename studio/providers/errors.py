"""Typed provider errors, one class per way a person or the engine must react.

- `TransportError`: the request may not have reached the provider, or the answer was lost
  (connect, timeout, reset, truncated or malformed body, 408/409/429/5xx). Retried, except
  that a create after which the provider may have made the job (`unsure`) is never resent
  blindly: the engine looks it up, or resends under the same key where keys are honoured.
- `RequestError`: the provider understood and refused (400/401/402/403/404/422). Never retried.
- `TooLarge`: a download over the size cap; never retried.
- `Unsupported`: this provider or model cannot do that (remix, cancel, a content variant).
Creative/policy failures are not exceptions: a job ends `failed` with a `RemoteError`.
"""

from __future__ import annotations

from studio.core.errors import StudioError


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

    `unsure` is True when the request may have been carried out although no proper answer
    came back (a timeout or reset once it was sent, a cut or unreadable reply, any 5xx, an
    HTML page): resending a create could render twice. A 429 or other 4xx is a refusal,
    and a connection that was never made carried nothing: both are sure.
    """

    _unsure = False  # for the whole class; ServerError decides by status

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

    @property
    def unsure(self) -> bool:
        return self._unsure


class ConnectFailed(TransportError):
    """Nothing reached the provider (refused, DNS, unreachable)."""


class TimedOut(TransportError):
    """Read timeout, or a request cut at its deadline (connect timeouts are `ConnectFailed`)."""

    _unsure = True


class RateLimited(TransportError):
    """HTTP 429."""


class ServerError(TransportError):
    """HTTP 5xx (unsure: the server may have done the work before failing), 408 or 409."""

    @property
    def unsure(self) -> bool:
        return self.status is None or self.status >= 500


class BadResponse(TransportError):
    """A reply we could not read: reset once sent, truncated, not JSON, an HTML page."""

    _unsure = True


class RequestError(ProviderError):
    """The provider refused the request; sending it again will not help."""

    exit_code = 4


class AuthError(RequestError):
    """401/403: missing, wrong or unauthorized API key."""


class KeyMissing(AuthError):
    """No API key is stored for the provider: nothing was sent (queued renders wait)."""


class NotFound(RequestError):
    """404: unknown job, or content that has expired."""


class PaymentRequired(RequestError):
    """402: out of credits (OpenRouter)."""


class Unsupported(ProviderError):
    """The provider or model does not offer this operation."""

    exit_code = 2


class TooLarge(ProviderError):
    """A download over the size cap: refused before reading when its length is announced,
    cut at the cap when it is not. Sending the request again would move it all again."""

    exit_code = 5


class RetriesExhausted(TransportError):
    """Retries ran out (attempts or deadline); `last` is the final transport error, and
    `unsure` holds if any attempt was (a create may have been made by an earlier one)."""

    def __init__(self, message: str, *, last: TransportError, unsure: bool = False) -> None:
        super().__init__(message, status=last.status, code=last.code, request_id=last.request_id)
        self.last = last
        self._unsure = unsure or last.unsure
