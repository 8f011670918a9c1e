"""Conversion of Stripe's error responses into :class:`~tracksync.errors.StripeError`."""

from __future__ import annotations

import json
from typing import Any

import httpx

from ...errors import StripeError

__all__ = ["is_resource_missing", "is_retryable", "parse_error", "rejects_shipping_update"]

_REDACTED = "[redacted]"


def parse_error(response: httpx.Response, *, secret: str | None = None) -> StripeError:
    """Build the StripeError for a non-2xx response.

    Stripe's error body is ``{"error": {"type", "code", "message", "param", ...}}``, in
    which only ``type`` is always present. A body that is not JSON still gives an error
    with the HTTP status. Any occurrence of ``secret`` (the API key) in Stripe's message
    is replaced, so the key never reaches a log or a report through this error.
    """
    status = response.status_code
    details = _error_object(response)
    message = _text(details.get("message"))
    if message is None:
        message = _fallback_message(response, has_error_object=bool(details))
    if secret:
        message = message.replace(secret, _REDACTED)
    return StripeError(
        message,
        status=status,
        type=_text(details.get("type")),
        code=_text(details.get("code")),
        param=_text(details.get("param")),
        request_id=response.headers.get("Request-Id"),
        should_retry=_should_retry(response),
    )


def is_resource_missing(response: httpx.Response) -> bool:
    """Return whether the response is Stripe's 404 for an object that does not exist."""
    if response.status_code != 404:
        return False
    return _error_object(response).get("code") == "resource_missing"


def rejects_shipping_update(response: httpx.Response) -> bool:
    """Return whether Stripe rejected a PaymentIntent's ``shipping`` update for its status.

    Stripe checks per field which PaymentIntent statuses allow an update. It rejects an
    update with HTTP 400, code ``payment_intent_unexpected_state`` and the field as
    ``param``.
    """
    if response.status_code != 400:
        return False
    details = _error_object(response)
    param = details.get("param")
    is_shipping = isinstance(param, str) and (param == "shipping" or param.startswith("shipping["))
    return details.get("code") == "payment_intent_unexpected_state" and is_shipping


def is_retryable(error: StripeError) -> bool:
    """Return whether sending the same request again, with the same key, may succeed.

    The same as :attr:`StripeError.retryable`.
    """
    return error.retryable


def _error_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = json.loads(response.content)
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    error = body.get("error")
    return error if isinstance(error, dict) else {}


def _fallback_message(response: httpx.Response, *, has_error_object: bool) -> str:
    status = response.status_code
    if has_error_object:
        return f"Stripe responded with HTTP {status} and an error that has no message."
    content_type = response.headers.get("Content-Type") or "none"
    return (
        f"Stripe responded with HTTP {status} without a JSON error body "
        f"(Content-Type {content_type}), so a proxy or load balancer may have responded "
        "instead of Stripe."
    )


def _should_retry(response: httpx.Response) -> bool | None:
    value = response.headers.get("Stripe-Should-Retry")
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
