"""The PayPal operations as I/O-free flows: token, request, 401 retry and parsing.

Each flow yields the requests to send and returns the operation's result, so a sync and
an async client can run the same code.
"""

from __future__ import annotations

from ..._models import PaymentRef
from ..._plan import Change, ChangeKind, ChangeResult
from ..._remote import RemotePayment
from ...errors import InvalidInputError
from .._flow import Flow
from ._auth import PayPalAuth
from ._ids import check_payment
from ._orders import build_get_order, parse_order
from ._trackers import (
    build_add_tracker,
    build_cancel_tracker,
    parse_added_tracker,
    parse_cancelled_tracker,
    tracker_id_for,
)

__all__ = ["apply_flow", "fetch_flow"]


def fetch_flow(auth: PayPalAuth, payment: PaymentRef) -> Flow[RemotePayment]:
    """Read the payment's order and return its state and trackers.

    Raises:
        InvalidInputError: the payment's ids fail :func:`check_payment`.
        PayPalError: PayPal responded with an error other than 404.
    """
    order_id = _order_id(payment)
    response = yield from auth.auth_flow(
        lambda token: build_get_order(auth.base_url, order_id, token=token)
    )
    return parse_order(payment, response)


def apply_flow(auth: PayPalAuth, change: Change) -> Flow[ChangeResult]:
    """Add or cancel the change's tracker.

    Raises:
        InvalidInputError: the change is an UPDATE, has no capture id (``target_id``), or
            its payment's ids fail :func:`check_payment`.
        PayPalError: PayPal responded with an error.
    """
    if change.kind is ChangeKind.UPDATE:
        raise InvalidInputError(
            f"Cannot {change}: PayPal's Orders v2 API cannot change a tracker's carrier or "
            "status in place, only cancel it. Plan the order again with this provider, "
            "which then cancels the tracker and adds a new one."
        )
    order_id = _order_id(change.payment)
    capture_id = change.target_id
    if capture_id is None:
        raise InvalidInputError(
            f"Cannot {change}: the change has no target_id, the PayPal capture id that "
            "reading the order finds. Apply changes from a plan made by Reconciler.plan."
        )

    number = change.shipment.tracking_number
    if change.kind is ChangeKind.ADD:
        response = yield from auth.auth_flow(
            lambda token: build_add_tracker(
                auth.base_url, order_id, capture_id, change.shipment, token=token
            )
        )
        return parse_added_tracker(
            response, order_id=order_id, capture_id=capture_id, tracking_number=number
        )

    current_id = change.current.tracker_id if change.current is not None else None
    tracker_id = current_id or tracker_id_for(capture_id, number)
    response = yield from auth.auth_flow(
        lambda token: build_cancel_tracker(auth.base_url, order_id, tracker_id, token=token)
    )
    return parse_cancelled_tracker(response, order_id=order_id, tracker_id=tracker_id)


def _order_id(payment: PaymentRef) -> str:
    """Return the payment's PayPal order id, or raise when its ids are not usable."""
    problem = check_payment(payment)
    if problem is not None:
        raise InvalidInputError(problem)
    assert payment.paypal_order_id is not None, "check_payment rejects a missing order id"
    return payment.paypal_order_id
