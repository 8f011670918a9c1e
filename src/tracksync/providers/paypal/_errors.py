"""Turn PayPal's error responses into :class:`~tracksync.errors.PayPalError`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from ...errors import PayPalError, PayPalErrorDetail
from ._http import read_json

__all__ = ["parse_details", "parse_error"]

#: Advice on what to do next, for tracking issues documented in PayPal's Orders v2 spec 2.13.
_ISSUE_HINTS = {
    "CAPTURE_STATUS_NOT_VALID": (
        "PayPal takes trackers only on COMPLETED captures, so run again once the capture "
        "has completed."
    ),
    "CAPTURE_ID_NOT_FOUND": (
        "The order has no capture with this id. Check the payment_id and paypal_order_id columns."
    ),
    "ITEM_SKU_MISMATCH": (
        "Each item's SKU must match a SKU sent when the order was created. Correct the "
        "SKU or leave it out."
    ),
    "MSP_NOT_SUPPORTED": (
        "PayPal's Orders v2 API takes no trackers on orders with several purchase units. "
        "Add the tracker in PayPal's web interface, or leave paypal_order_id empty for "
        "this payment so that tracksync tries the v1 tracking API, which addresses the "
        "capture alone."
    ),
    "TRACKER_ID_NOT_FOUND": (
        "The order has no tracker with this id. The next run reads the order again and "
        "plans from the trackers it has."
    ),
    "PERMISSION_DENIED": "The PayPal app's credentials lack the permission for this call.",
}


def parse_error(response: httpx.Response, action: str) -> PayPalError:
    """Build the error for a response that is not a success.

    ``action`` describes the request as the start of a sentence, such as
    ``"Reading PayPal order 5O190127TN364715T"``. The error keeps PayPal's ``name``,
    ``details`` and ``debug_id``. When the body has no ``debug_id``, the
    ``PayPal-Debug-Id`` response header is used.
    """
    body = read_json(response)
    header_debug_id = response.headers.get("PayPal-Debug-Id")
    if not isinstance(body, Mapping):
        return PayPalError(
            f"{action} failed: PayPal returned HTTP {response.status_code} "
            f"{response.reason_phrase} with a body that is not a JSON error object.",
            status=response.status_code,
            debug_id=header_debug_id,
        )

    details = parse_details(body.get("details"))
    summary = _text(body.get("message")) or response.reason_phrase or "no message"
    message = f"{action} failed: {summary.rstrip('.')}."
    hints = [_ISSUE_HINTS[detail.issue] for detail in details if detail.issue in _ISSUE_HINTS]
    if hints:
        message += " " + " ".join(dict.fromkeys(hints))
    return PayPalError(
        message,
        status=response.status_code,
        name=_text(body.get("name")),
        details=details,
        debug_id=_text(body.get("debug_id")) or header_debug_id,
    )


def parse_details(value: Any) -> list[PayPalErrorDetail]:
    """Read an error's ``details`` array, skipping entries that have no ``issue``."""
    if not isinstance(value, list):
        return []
    details = []
    for entry in value:
        if not isinstance(entry, Mapping):
            continue
        issue = _text(entry.get("issue"))
        if issue is None:
            continue
        details.append(
            PayPalErrorDetail(
                issue=issue,
                field=_text(entry.get("field")),
                value=_text(entry.get("value")),
                location=_text(entry.get("location")),
                description=_text(entry.get("description")),
            )
        )
    return details


def _text(value: Any) -> str | None:
    """Return a JSON scalar as text, or None for null, empty strings and containers."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None
