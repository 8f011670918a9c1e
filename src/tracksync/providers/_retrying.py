"""Decide whether a request may be sent again, by its method, headers and answer.

The order follows stripe-python (``stripe/_http_client.py``): connection errors first, then
the provider's own ``Stripe-Should-Retry`` header, then the status (429, 409, 5xx). A write
is retried only when sending it twice cannot apply it twice: the connection was never made,
the provider answered 429 (it did not process the request), or the request is replay-safe
(GET, HEAD, PUT, a POST with an ``Idempotency-Key``, or one marked :data:`REPLAY_SAFE`).
PayPal's tracking POST and PATCH requests take no idempotency key, so a timeout or a 5xx on
them is not retried; the next run reads the payment before it writes again.
"""

from __future__ import annotations

import httpx

from .._retry import parse_retry_after

__all__ = ["REPLAY_SAFE", "is_replay_safe", "retry_delay"]

_REPLAY_SAFE_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


#: A request extension that marks a POST as safe to resend, such as an OAuth token request.
REPLAY_SAFE = "tracksync.replay_safe"


def is_replay_safe(request: httpx.Request) -> bool:
    """Return whether sending the request twice has the effect of sending it once."""
    if request.method in _REPLAY_SAFE_METHODS or "Idempotency-Key" in request.headers:
        return True
    return bool(request.extensions.get(REPLAY_SAFE))


def retry_delay(
    request: httpx.Request,
    response: httpx.Response | None,
    error: httpx.TransportError | None,
) -> tuple[bool, float | None, str]:
    """Decide whether a request may be retried.

    Returns whether to retry, the wait the provider asked for (None to use the backoff),
    and the reason, for the log line.
    """
    if error is not None:
        if isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout)):
            return True, None, f"connection failed ({type(error).__name__})"
        if is_replay_safe(request):
            return True, None, f"no answer ({type(error).__name__})"
        return False, None, f"no answer ({type(error).__name__}) to a write that may have applied"

    assert response is not None
    advice = response.headers.get("Stripe-Should-Retry")
    if advice == "false":
        return False, None, "Stripe-Should-Retry: false"
    wait = parse_retry_after(response.headers.get("Retry-After"))
    if advice == "true":
        return True, wait, "Stripe-Should-Retry: true"
    status = response.status_code
    if status == 429:
        return True, wait, "HTTP 429"
    if status == 409 or status >= 500:
        if is_replay_safe(request):
            return True, wait, f"HTTP {status}"
        return False, None, f"HTTP {status} to a write that may have applied"
    return False, None, f"HTTP {status}"
