"""Read Payments v2 captures, refunds and authorizations for payments served by the v1 API.

The v1 tracking API attaches trackers to a capture (transaction) id alone, so the id is
checked first: ``GET /v2/payments/captures/{id}`` gives its status, and when PayPal has
no such capture, the refund and authorization endpoints tell what else the id is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from ..._models import PaymentRef
from ..._remote import PaymentState, RemotePayment
from ...errors import PayPalError
from ._apis import V1_CAPABILITIES
from ._errors import parse_error
from ._http import api_request, json_text, link_target, quote_id, read_json
from ._orders import USABLE_CAPTURE_STATUSES, order_payments

__all__ = [
    "AUTHORIZATIONS_PATH",
    "CAPTURES_PATH",
    "CLOSED_AUTHORIZATION_STATUSES",
    "REFUNDS_PATH",
    "authorization_capture",
    "build_get_authorization",
    "build_get_capture",
    "build_get_refund",
    "capture_state",
    "not_found",
    "read_object",
    "related_order_id",
]

CAPTURES_PATH = "/v2/payments/captures/"
REFUNDS_PATH = "/v2/payments/refunds/"
AUTHORIZATIONS_PATH = "/v2/payments/authorizations/"

#: Authorization statuses after which no capture can follow.
CLOSED_AUTHORIZATION_STATUSES = frozenset({"VOIDED", "DENIED", "EXPIRED"})


def build_get_capture(base_url: str, capture_id: str, *, token: str) -> httpx.Request:
    """Build ``GET /v2/payments/captures/{capture_id}``."""
    return api_request("GET", base_url, CAPTURES_PATH + quote_id(capture_id), token=token)


def build_get_refund(base_url: str, refund_id: str, *, token: str) -> httpx.Request:
    """Build ``GET /v2/payments/refunds/{refund_id}``."""
    return api_request("GET", base_url, REFUNDS_PATH + quote_id(refund_id), token=token)


def build_get_authorization(base_url: str, authorization_id: str, *, token: str) -> httpx.Request:
    """Build ``GET /v2/payments/authorizations/{authorization_id}``."""
    path = AUTHORIZATIONS_PATH + quote_id(authorization_id)
    return api_request("GET", base_url, path, token=token)


def read_object(response: httpx.Response, action: str) -> Mapping[str, Any]:
    """Return the JSON object of a successful response.

    Raises:
        PayPalError: PayPal responded with an error, or with a body that is no JSON object.
    """
    if not response.is_success:
        raise parse_error(response, action)
    body = read_json(response)
    if not isinstance(body, Mapping):
        raise PayPalError(
            f"{action} failed: PayPal returned HTTP {response.status_code} with a body "
            "that is not a JSON object.",
            status=response.status_code,
            debug_id=response.headers.get("PayPal-Debug-Id"),
        )
    return body


def related_order_id(entry: Mapping[str, Any]) -> str | None:
    """Return ``supplementary_data.related_ids.order_id`` of a capture or authorization."""
    supplementary = entry.get("supplementary_data")
    if not isinstance(supplementary, Mapping):
        return None
    related = supplementary.get("related_ids")
    return json_text(related.get("order_id")) if isinstance(related, Mapping) else None


def not_found(payment: PaymentRef) -> RemotePayment:
    """Return the payment as NOT_FOUND: PayPal has no capture, refund or authorization."""
    return RemotePayment(
        payment=payment,
        state=PaymentState.NOT_FOUND,
        message=(
            f"PayPal has no capture, refund or authorization with id {payment.payment_id} "
            f"for {payment}. Check the payment_id column, and that the credentials belong "
            "to the PayPal account and environment (sandbox or live) that took the payment."
        ),
    )


def capture_state(
    payment: PaymentRef, capture: Mapping[str, Any], *, capture_id: str, found: str = ""
) -> RemotePayment:
    """Return whether the capture can take trackers, without its trackers.

    ``found`` is a sentence, ending in a space, on how ``capture_id`` was found from the
    payment's id; it starts the message.
    """
    status = json_text(capture.get("status"))
    where = f"{found}PayPal capture {capture_id}"
    if status in USABLE_CAPTURE_STATUSES:
        return RemotePayment(
            payment=payment,
            state=PaymentState.READY,
            target_id=capture_id,
            message=found.strip() or None,
            capabilities=V1_CAPABILITIES,
        )

    if status == "PENDING":
        details = capture.get("status_details")
        reason = json_text(details.get("reason")) if isinstance(details, Mapping) else None
        because = f" (reason {reason})" if reason else ""
        return RemotePayment(
            payment=payment,
            state=PaymentState.WAITING_FOR_CAPTURE,
            target_id=capture_id,
            message=(
                f"{where} is PENDING{because}. PayPal takes trackers only on completed "
                "captures, so the shipments are kept for the next run."
            ),
            capabilities=V1_CAPABILITIES,
        )

    problem = f"is {status}" if status else "has no status"
    return RemotePayment(
        payment=payment,
        state=PaymentState.UNUSABLE,
        message=(
            f"{where} {problem}, so its shipments are skipped. tracksync attaches trackers "
            "only to COMPLETED or PARTIALLY_REFUNDED captures."
        ),
    )


def authorization_capture(
    payment: PaymentRef, authorization: Mapping[str, Any], order: Mapping[str, Any] | None
) -> Mapping[str, Any] | RemotePayment:
    """Return the one usable capture of an authorization, or the payment's state without one.

    ``order`` is the authorization's order, or None when it could not be read.
    """
    authorization_id = payment.payment_id
    status = json_text(authorization.get("status"))
    if status in CLOSED_AUTHORIZATION_STATUSES:
        return _state(
            payment,
            PaymentState.UNUSABLE,
            f"{authorization_id} is a PayPal authorization that is {status}, so its "
            "shipments are skipped.",
        )
    order_id = related_order_id(authorization)
    if order is None or order_id is None:
        return _state(
            payment,
            PaymentState.UNUSABLE,
            f"{authorization_id} is a PayPal authorization, not a capture, and tracksync "
            f"could not read its order{f' {order_id}' if order_id else ''} to find the "
            "capture. Trackers attach to a capture: put the capture id in the payment_id "
            "column, or the PayPal order id in the paypal_order_id column.",
        )

    captures = _captures_of(order, authorization_id)
    usable = [c for c in captures if json_text(c.get("status")) in USABLE_CAPTURE_STATUSES]
    where = f"{authorization_id} is a PayPal authorization of order {order_id}"
    if len(usable) == 1:
        return usable[0]
    if usable:
        ids = ", ".join(json_text(c.get("id")) or "?" for c in usable)
        return _state(
            payment,
            PaymentState.UNUSABLE,
            f"{where} with several completed captures ({ids}), and tracksync does not pick "
            "one. Put the capture id that the shipments belong to in the payment_id column.",
        )

    pending = any(json_text(c.get("status")) == "PENDING" for c in captures)
    if status == "CAPTURED" and captures and not pending:
        return _state(
            payment,
            PaymentState.UNUSABLE,
            f"{where} whose captures can take no trackers ({_statuses(captures)}), so its "
            "shipments are skipped.",
        )
    status_note = f" (status {status})" if status else ""
    return _state(
        payment,
        PaymentState.WAITING_FOR_CAPTURE,
        f"{where} that has no completed capture yet{status_note}. The shipments are kept "
        "for the next run.",
    )


def _captures_of(order: Mapping[str, Any], authorization_id: str) -> list[Mapping[str, Any]]:
    """Return the order's captures of this authorization.

    A capture's ``up`` link names its authorization; a capture without one is kept.
    """
    captures = []
    for capture in order_payments(order, "captures"):
        parent = link_target(capture, "up", AUTHORIZATIONS_PATH)
        if parent is None or parent == authorization_id:
            captures.append(capture)
    return captures


def _statuses(captures: Sequence[Mapping[str, Any]]) -> str:
    return ", ".join(
        f"{json_text(c.get('id')) or '?'} {json_text(c.get('status')) or 'without status'}"
        for c in captures
    )


def _state(payment: PaymentRef, state: PaymentState, message: str) -> RemotePayment:
    return RemotePayment(payment=payment, state=state, message=message)
