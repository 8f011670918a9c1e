"""Read a PayPal order: whether the payment's capture can take trackers, and its trackers.

PayPal's tracker id is ``{capture_id}-{tracking_number}``, and the order's tracker
objects carry no tracking number or carrier, so the tracking number is read from the id
and the carrier is unknown. The id is not checked against the Orders v2 spec's
``tracker_id`` pattern (``^[A-Z0-9]+$``), which real ids break.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from ..._models import PaymentRef, ShipmentStatus
from ..._remote import PaymentState, RemotePayment, Tracker
from ...errors import PayPalError
from ._errors import parse_error
from ._http import api_request, quote_id, read_json

__all__ = [
    "USABLE_CAPTURE_STATUSES",
    "build_get_order",
    "order_path",
    "order_payments",
    "parse_order",
    "read_payment",
    "read_trackers",
]

#: Capture statuses under which tracksync attaches trackers.
USABLE_CAPTURE_STATUSES = frozenset({"COMPLETED", "PARTIALLY_REFUNDED"})

#: Capture statuses that can still turn COMPLETED.
_WAITING_CAPTURE_STATUSES = frozenset({"PENDING"})

#: Capture statuses that never take a tracker again.
_FINAL_CAPTURE_STATUSES = frozenset({"REFUNDED", "DECLINED", "FAILED"})

#: Authorization statuses after which no capture can follow.
_CLOSED_AUTHORIZATION_STATUSES = frozenset({"VOIDED", "DENIED", "EXPIRED"})

#: Tracker statuses listed in PayPal's Orders v2 docs. Any other is kept as raw_status.
_TRACKER_STATUSES = {
    "SHIPPED": ShipmentStatus.SHIPPED,
    "CANCELLED": ShipmentStatus.CANCELLED,
}

_CAPTURE_PATH = "/v2/payments/captures/"


def order_path(order_id: str) -> str:
    """Return the quoted path of an order: ``/v2/checkout/orders/{order_id}``."""
    return f"/v2/checkout/orders/{quote_id(order_id)}"


def build_get_order(base_url: str, order_id: str, *, token: str) -> httpx.Request:
    """Build ``GET /v2/checkout/orders/{order_id}``."""
    return api_request("GET", base_url, order_path(order_id), token=token)


def parse_order(payment: PaymentRef, response: httpx.Response) -> RemotePayment:
    """Read the payment's state and trackers from the response to :func:`build_get_order`.

    A 404 is a payment in state NOT_FOUND, not an error.

    Raises:
        PayPalError: PayPal responded with another error, or with a body that is not an order.
    """
    order_id = payment.paypal_order_id
    if response.status_code == 404:
        return RemotePayment(
            payment=payment,
            state=PaymentState.NOT_FOUND,
            message=(
                f"PayPal has no order {order_id} for {payment}. Check the paypal_order_id "
                "column, and that the credentials belong to the PayPal account and "
                "environment (sandbox or live) that took the payment."
            ),
        )
    if not response.is_success:
        raise parse_error(response, f"Reading PayPal order {order_id}")

    order = read_json(response)
    if not isinstance(order, Mapping):
        raise PayPalError(
            f"Reading PayPal order {order_id} failed: PayPal returned HTTP "
            f"{response.status_code} with a body that is not a JSON order.",
            status=response.status_code,
            debug_id=response.headers.get("PayPal-Debug-Id"),
        )
    return read_payment(payment, order)


def read_payment(payment: PaymentRef, order: Mapping[str, Any]) -> RemotePayment:
    """Find the payment's id among the order's captures, authorizations and refunds."""
    payment_id = payment.payment_id
    captures = order_payments(order, "captures")

    capture = _find(captures, payment_id)
    if capture is not None:
        return _capture_state(payment, capture, read_trackers(order, payment_id))

    authorization = _find(order_payments(order, "authorizations"), payment_id)
    if authorization is not None:
        return _authorization_state(payment, authorization, captures)

    refund = _find(order_payments(order, "refunds"), payment_id)
    if refund is not None:
        return _refund_state(payment, refund, captures)

    capture_ids = [capture_id for capture_id in map(_id, captures) if capture_id]
    if capture_ids:
        found = f"Its captures are {', '.join(capture_ids)}. Put the right one"
    else:
        order_status = _status_note(order)
        found = f"It has no captures yet{order_status}. Put the capture id"
    return RemotePayment(
        payment=payment,
        state=PaymentState.NOT_FOUND,
        message=(
            f"PayPal order {payment.paypal_order_id} has no capture, authorization or "
            f"refund with id {payment_id}. {found} in the payment_id column, or correct "
            "paypal_order_id."
        ),
    )


def read_trackers(order: Mapping[str, Any], capture_id: str) -> tuple[Tracker, ...]:
    """Return the order's trackers on one capture, in the sequence PayPal lists them."""
    prefix = f"{capture_id}-"
    trackers = []
    for unit in _objects(order.get("purchase_units")):
        shipping = unit.get("shipping")
        if not isinstance(shipping, Mapping):
            continue
        for tracker in _objects(shipping.get("trackers")):
            tracker_id = _text(tracker.get("id"))
            if tracker_id is None or not tracker_id.startswith(prefix):
                continue
            tracking_number = tracker_id[len(prefix) :]
            if not tracking_number:
                continue
            raw_status = _text(tracker.get("status"))
            status = _TRACKER_STATUSES.get(raw_status) if raw_status else None
            trackers.append(
                Tracker(
                    tracking_number=tracking_number,
                    carrier=None,
                    status=status,
                    tracker_id=tracker_id,
                    raw_status=raw_status if status is None else None,
                )
            )
    return tuple(trackers)


def _capture_state(
    payment: PaymentRef, capture: Mapping[str, Any], trackers: tuple[Tracker, ...]
) -> RemotePayment:
    capture_id = payment.payment_id
    status = _text(capture.get("status"))
    where = f"Capture {capture_id} of PayPal order {payment.paypal_order_id}"
    if status in USABLE_CAPTURE_STATUSES:
        return RemotePayment(
            payment=payment, state=PaymentState.READY, trackers=trackers, target_id=capture_id
        )

    if status in _WAITING_CAPTURE_STATUSES:
        details = capture.get("status_details")
        reason = _text(details.get("reason")) if isinstance(details, Mapping) else None
        because = f" (reason {reason})" if reason else ""
        return RemotePayment(
            payment=payment,
            state=PaymentState.WAITING_FOR_CAPTURE,
            trackers=trackers,
            target_id=capture_id,
            message=(
                f"{where} is {status}{because}. PayPal takes trackers only on completed "
                "captures, so the shipments are kept for the next run."
            ),
        )

    if status in _FINAL_CAPTURE_STATUSES:
        problem = f"{where} is {status}"
    else:
        problem = f"{where} has status {status!r}, which tracksync does not know"
    return RemotePayment(
        payment=payment,
        state=PaymentState.UNUSABLE,
        trackers=trackers,
        message=(
            f"{problem}, so its shipments are skipped. tracksync attaches trackers only to "
            "COMPLETED or PARTIALLY_REFUNDED captures."
        ),
    )


def _authorization_state(
    payment: PaymentRef,
    authorization: Mapping[str, Any],
    captures: Sequence[Mapping[str, Any]],
) -> RemotePayment:
    where = f"{payment.payment_id} is an authorization of PayPal order {payment.paypal_order_id}"
    usable = _usable_capture_ids(captures)
    if usable:
        return RemotePayment(
            payment=payment,
            state=PaymentState.UNUSABLE,
            message=f"{where}, not a capture. {_use_capture(usable)}",
        )

    status = _text(authorization.get("status"))
    status_note = _status_note(authorization)
    if status in _CLOSED_AUTHORIZATION_STATUSES:
        return RemotePayment(
            payment=payment,
            state=PaymentState.UNUSABLE,
            message=(
                f"{where} that is {status} and was never captured, so its shipments are skipped."
            ),
        )
    return RemotePayment(
        payment=payment,
        state=PaymentState.WAITING_FOR_CAPTURE,
        message=(
            f"{where} that is not captured yet{status_note}. The shipments are kept for "
            "the next run. Once the money is captured, put the capture id in the "
            "payment_id column."
        ),
    )


def _refund_state(
    payment: PaymentRef, refund: Mapping[str, Any], captures: Sequence[Mapping[str, Any]]
) -> RemotePayment:
    refunded = _refunded_capture_id(refund)
    capture_ids = [refunded] if refunded else [c for c in map(_id, captures) if c]
    advice = _use_capture(capture_ids) if capture_ids else "The order has no captures."
    return RemotePayment(
        payment=payment,
        state=PaymentState.UNUSABLE,
        message=(
            f"{payment.payment_id} is a refund of PayPal order {payment.paypal_order_id}, "
            f"not a capture. {advice}"
        ),
    )


def _use_capture(capture_ids: Sequence[str]) -> str:
    if len(capture_ids) == 1:
        return f"Trackers attach to the capture, so put {capture_ids[0]} in the payment_id column."
    return (
        "Trackers attach to a capture, so put one of "
        f"{', '.join(capture_ids)} in the payment_id column."
    )


def _usable_capture_ids(captures: Sequence[Mapping[str, Any]]) -> list[str]:
    ids = []
    for capture in captures:
        capture_id = _id(capture)
        if capture_id and _text(capture.get("status")) in USABLE_CAPTURE_STATUSES:
            ids.append(capture_id)
    return ids


def _refunded_capture_id(refund: Mapping[str, Any]) -> str | None:
    """Return the capture id from the refund's ``up`` link, which points at the capture."""
    for link in _objects(refund.get("links")):
        href = _text(link.get("href"))
        if link.get("rel") == "up" and href and _CAPTURE_PATH in href:
            return href.rstrip("/").rsplit("/", 1)[-1] or None
    return None


def _status_note(entry: Mapping[str, Any]) -> str:
    """Return `` (status X)`` for an entry's status, or nothing when it has none."""
    status = _text(entry.get("status"))
    return f" (status {status})" if status else ""


def order_payments(order: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    """Collect ``purchase_units[].payments.<kind>[]`` across every purchase unit."""
    found: list[Mapping[str, Any]] = []
    for unit in _objects(order.get("purchase_units")):
        payments = unit.get("payments")
        if isinstance(payments, Mapping):
            found.extend(_objects(payments.get(kind)))
    return found


def _find(entries: Sequence[Mapping[str, Any]], entry_id: str) -> Mapping[str, Any] | None:
    for entry in entries:
        if _id(entry) == entry_id:
            return entry
    return None


def _id(entry: Mapping[str, Any]) -> str | None:
    return _text(entry.get("id"))


def _objects(value: Any) -> list[Mapping[str, Any]]:
    """Return the JSON objects in a JSON array, or nothing when the value is no array."""
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, Mapping)]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
