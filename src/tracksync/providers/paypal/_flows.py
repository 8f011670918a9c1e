"""The Orders v2 operations as I/O-free flows: read the order, add and cancel trackers.

Each flow yields the requests to send and returns the operation's result, so a sync and
an async client can run the same code.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import httpx

from ..._models import PaymentRef, Shipment
from ..._plan import Change, ChangeKind, ChangeResult, Outcome
from ..._remote import RemotePayment
from ...errors import InvalidInputError, PayPalError
from .._flow import Flow
from ._apis import ORDERS_V2_CAPABILITIES, ApiMode
from ._changes import target_capture_id, tracker_id_of
from ._errors import parse_error
from ._http import read_json
from ._ids import check_payment
from ._orders import build_get_order, parse_order, read_trackers
from ._session import SCOPE_PAYMENT, PayPalSession
from ._trackers import (
    add_action,
    build_add_tracker,
    build_cancel_tracker,
    parse_added_tracker,
    parse_cancelled_tracker,
)

__all__ = ["apply_flow", "fetch_flow"]


def fetch_flow(session: PayPalSession, payment: PaymentRef, mode: ApiMode) -> Flow[RemotePayment]:
    """Read the payment's order and return its state and trackers.

    Raises:
        InvalidInputError: the payment's ids fail :func:`check_payment`.
        AccountError: PayPal rejected the credentials or their permissions.
        PayPalError: PayPal responded with an error other than 404.
    """
    order_id = _order_id(payment, mode)
    response = yield from session.call(
        lambda token: build_get_order(session.base_url, order_id, token=token),
        scope=SCOPE_PAYMENT,
        action=f"Reading PayPal order {order_id}",
    )
    return attrs.evolve(parse_order(payment, response), capabilities=ORDERS_V2_CAPABILITIES)


def apply_flow(
    session: PayPalSession, change: Change, mode: ApiMode, *, retry_without_items: bool = False
) -> Flow[ChangeResult]:
    """Add or cancel the change's tracker.

    The caller checks :func:`already_applied` first, so that no no-op is sent.

    Raises:
        InvalidInputError: the change is an UPDATE, has no capture id (``target_id``), or
            its payment's ids fail :func:`check_payment`.
        AccountError: PayPal rejected the credentials or their permissions.
        PayPalError: PayPal responded with an error.
    """
    if change.kind is ChangeKind.UPDATE:
        raise InvalidInputError(
            f"Cannot {change}: PayPal's Orders v2 API cannot change a tracker's carrier or "
            "status in place, only cancel it. Plan the order again with this provider, "
            "which then cancels the tracker and adds a new one."
        )
    order_id = _order_id(change.payment, mode)
    capture_id = target_capture_id(change)

    if change.kind is ChangeKind.ADD:
        return (
            yield from _add_flow(
                session, order_id, capture_id, change.shipment, retry_without_items
            )
        )
    return (yield from _cancel_flow(session, change, order_id, capture_id))


def _add_flow(
    session: PayPalSession,
    order_id: str,
    capture_id: str,
    shipment: Shipment,
    retry_without_items: bool,
) -> Flow[ChangeResult]:
    number = shipment.tracking_number
    action = add_action(order_id, capture_id, number)
    response = yield from _post_track(session, order_id, capture_id, shipment)
    if response.is_success:
        return parse_added_tracker(
            response, order_id=order_id, capture_id=capture_id, tracking_number=number
        )

    error = parse_error(response, action)
    if "CAPTURE_STATUS_NOT_VALID" in error.issues:
        return ChangeResult(
            outcome=Outcome.SKIPPED,
            note=(
                f"PayPal capture {capture_id} is not completed yet, so tracker {number} was "
                "not added; it waits for the capture and is kept for the next run."
            ),
        )
    if "CAPTURE_ID_NOT_FOUND" in error.issues:
        raise PayPalError(
            f"{action} failed: PayPal order {order_id} has no capture {capture_id}. Check "
            "the payment_id column, which must hold a capture id of that order, and the "
            "paypal_order_id column.",
            status=error.status,
            name=error.name,
            details=error.details,
            debug_id=error.debug_id,
        )
    if "ITEM_SKU_MISMATCH" in error.issues and retry_without_items and shipment.items:
        response = yield from _post_track(
            session, order_id, capture_id, attrs.evolve(shipment, items=())
        )
        result = parse_added_tracker(
            response, order_id=order_id, capture_id=capture_id, tracking_number=number
        )
        return attrs.evolve(
            result,
            note=(
                "PayPal rejected the items' SKUs (ITEM_SKU_MISMATCH), so the tracker was "
                "added without its items."
            ),
        )
    raise error


def _post_track(
    session: PayPalSession, order_id: str, capture_id: str, shipment: Shipment
) -> Flow[httpx.Response]:
    return (
        yield from session.call(
            lambda token: build_add_tracker(
                session.base_url, order_id, capture_id, shipment, token=token
            ),
            scope=SCOPE_PAYMENT,
            action=add_action(order_id, capture_id, shipment.tracking_number),
        )
    )


def _cancel_flow(
    session: PayPalSession, change: Change, order_id: str, capture_id: str
) -> Flow[ChangeResult]:
    tracker_id = tracker_id_of(change, capture_id)
    action = f"Cancelling tracker {tracker_id} on PayPal order {order_id}"
    response = yield from session.call(
        lambda token: build_cancel_tracker(session.base_url, order_id, tracker_id, token=token),
        scope=SCOPE_PAYMENT,
        action=action,
    )
    if response.status_code != 404:
        return parse_cancelled_tracker(response, order_id=order_id, tracker_id=tracker_id)

    error = parse_error(response, action)
    if "TRACKER_ID_NOT_FOUND" not in error.issues:
        raise error
    # The tracker may be gone or cancelled already; only the order can tell.
    response = yield from session.call(
        lambda token: build_get_order(session.base_url, order_id, token=token),
        scope=SCOPE_PAYMENT,
        action=f"Reading PayPal order {order_id}",
    )
    order = read_json(response)
    if not response.is_success or not isinstance(order, Mapping):
        raise error
    number = change.shipment.tracking_number
    for tracker in read_trackers(order, capture_id):
        same = tracker.tracker_id == tracker_id or (
            tracker.tracking_number.casefold() == number.casefold()
        )
        if same and tracker.is_active:
            raise error
    return ChangeResult(
        outcome=Outcome.UNCHANGED,
        tracker_id=tracker_id,
        note=(
            f"PayPal order {order_id} has no active tracker {number} any more (it is "
            "missing or already cancelled), so nothing was cancelled."
        ),
    )


def _order_id(payment: PaymentRef, mode: ApiMode) -> str:
    """Return the payment's PayPal order id, or raise when its ids are not usable."""
    problem = check_payment(payment, mode)
    if problem is not None:
        raise InvalidInputError(problem)
    assert payment.paypal_order_id is not None, "check_payment rejects a missing order id"
    return payment.paypal_order_id
