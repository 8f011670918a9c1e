"""Read a payment through the v1 tracking API, as an I/O-free flow.

The payment's id is checked first through Payments v2 (see :mod:`._payments`), so that
an authorization or refund id is never sent to the tracking API as a capture id. Then
the capture's trackers are read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import httpx

from ..._models import PaymentRef
from ..._remote import PaymentState, RemotePayment, Tracker
from ...errors import InvalidInputError
from .._flow import Flow
from ._http import json_text, link_target
from ._ids import check_payment, is_capture_id
from ._orders import build_get_order
from ._payments import (
    CAPTURES_PATH,
    CLOSED_AUTHORIZATION_STATUSES,
    authorization_capture,
    build_get_authorization,
    build_get_capture,
    build_get_refund,
    capture_state,
    not_found,
    read_object,
    related_order_id,
)
from ._session import (
    SCOPE_AUTHCAPTURE,
    SCOPE_PAYMENT,
    SCOPE_REFUND,
    SCOPE_TRACKERS_READ,
    PayPalSession,
)
from ._v1_trackers import build_list_trackers, parse_tracker_list

__all__ = ["fetch_flow", "read_trackers_flow"]

#: A request builder called as ``build(base_url, object_id, token=token)``.
_Build = Callable[..., httpx.Request]


def fetch_flow(session: PayPalSession, payment: PaymentRef) -> Flow[RemotePayment]:
    """Find the capture the payment's id belongs to, and return its state and trackers.

    Raises:
        InvalidInputError: the payment id does not have the form of a capture id.
        AccountError: PayPal rejected the credentials or their permissions.
        PayPalError: PayPal responded with an error other than 404.
    """
    problem = check_payment(payment, "v1")
    if problem is not None:
        raise InvalidInputError(problem)
    payment_id = payment.payment_id

    action = f"Reading PayPal capture {payment_id}"
    response = yield from _get(session, build_get_capture, payment_id, SCOPE_AUTHCAPTURE, action)
    if response.status_code != 404:
        capture = read_object(response, action)
        remote = capture_state(payment, capture, capture_id=payment_id)
        return (yield from _with_trackers(session, remote))

    action = f"Reading PayPal refund {payment_id}"
    response = yield from _get(session, build_get_refund, payment_id, SCOPE_REFUND, action)
    if response.status_code != 404:
        refund = read_object(response, action)
        return (yield from _refund_flow(session, payment, link_target(refund, "up", CAPTURES_PATH)))

    action = f"Reading PayPal authorization {payment_id}"
    response = yield from _get(
        session, build_get_authorization, payment_id, SCOPE_AUTHCAPTURE, action
    )
    if response.status_code != 404:
        authorization = read_object(response, action)
        return (yield from _authorization_flow(session, payment, authorization))
    return not_found(payment)


def _get(
    session: PayPalSession, build: _Build, object_id: str, scope: str, action: str
) -> Flow[httpx.Response]:
    return (
        yield from session.call(
            lambda token: build(session.base_url, object_id, token=token),
            scope=scope,
            action=action,
        )
    )


def _refund_flow(
    session: PayPalSession, payment: PaymentRef, capture_id: str | None
) -> Flow[RemotePayment]:
    refund_id = payment.payment_id
    if capture_id is None or not is_capture_id(capture_id):
        return RemotePayment(
            payment=payment,
            state=PaymentState.UNUSABLE,
            message=(
                f"{refund_id} is a PayPal refund id, not a capture id, and PayPal's response "
                "does not link the refund to its capture. Trackers attach to the capture, "
                "so put the capture id of the refunded payment in the payment_id column."
            ),
        )

    action = f"Reading PayPal capture {capture_id}"
    response = yield from _get(session, build_get_capture, capture_id, SCOPE_AUTHCAPTURE, action)
    if response.status_code == 404:
        return RemotePayment(
            payment=payment,
            state=PaymentState.UNUSABLE,
            message=(
                f"{refund_id} is a PayPal refund id of capture {capture_id}, which PayPal "
                "cannot find. Put the capture id of the refunded payment in the payment_id "
                "column."
            ),
        )
    found = (
        f"{refund_id} is a PayPal refund id, so tracksync uses the capture it refunds, "
        f"{capture_id}; put {capture_id} in the payment_id column to save this look-up. "
    )
    capture = read_object(response, action)
    remote = capture_state(payment, capture, capture_id=capture_id, found=found)
    return (yield from _with_trackers(session, remote))


def _authorization_flow(
    session: PayPalSession, payment: PaymentRef, authorization: Mapping[str, Any]
) -> Flow[RemotePayment]:
    order_id = related_order_id(authorization)
    order = None
    closed = json_text(authorization.get("status")) in CLOSED_AUTHORIZATION_STATUSES
    if order_id is not None and not closed:
        action = f"Reading PayPal order {order_id}"
        response = yield from _get(session, build_get_order, order_id, SCOPE_PAYMENT, action)
        if response.status_code != 404:
            order = read_object(response, action)

    resolved = authorization_capture(payment, authorization, order)
    if isinstance(resolved, RemotePayment):
        return resolved
    capture_id = json_text(resolved.get("id"))
    if capture_id is None or not is_capture_id(capture_id):
        return RemotePayment(
            payment=payment,
            state=PaymentState.UNUSABLE,
            message=(
                f"{payment.payment_id} is a PayPal authorization id, and its order "
                f"{order_id} lists a completed capture without a valid id. Put the capture "
                "id in the payment_id column."
            ),
        )
    found = (
        f"{payment.payment_id} is a PayPal authorization id of order {order_id}, so "
        f"tracksync uses its capture {capture_id}; put {capture_id} in the payment_id "
        "column to save this look-up. "
    )
    remote = capture_state(payment, resolved, capture_id=capture_id, found=found)
    return (yield from _with_trackers(session, remote))


def _with_trackers(session: PayPalSession, remote: RemotePayment) -> Flow[RemotePayment]:
    """Add the capture's trackers to a READY payment."""
    if remote.state is not PaymentState.READY or remote.target_id is None:
        return remote
    trackers = yield from read_trackers_flow(session, remote.target_id)
    return attrs.evolve(remote, trackers=trackers)


def read_trackers_flow(session: PayPalSession, capture_id: str) -> Flow[tuple[Tracker, ...]]:
    """Read the capture's trackers through ``GET /v1/shipping/trackers``."""
    response = yield from session.call(
        lambda token: build_list_trackers(session.base_url, capture_id, token=token),
        scope=SCOPE_TRACKERS_READ,
        action=f"Reading the trackers of PayPal capture {capture_id}",
    )
    return parse_tracker_list(response, capture_id)
