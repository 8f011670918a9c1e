"""Add, update and cancel trackers through the v1 tracking API, as I/O-free flows.

New trackers go out in batches of up to 20 (see :mod:`._v1_batch`). An update or a
cancel replaces the whole tracker with ``PUT /v1/shipping/trackers/{id}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from ..._models import ShipmentStatus
from ..._plan import Change, ChangeResult, Outcome
from ...errors import InvalidInputError, PayPalError
from .._flow import Flow
from ._changes import target_capture_id, tracker_id_of
from ._errors import parse_error
from ._session import SCOPE_TRACKERS_READWRITE, PayPalSession
from ._v1_batch import BatchItem, build_add_trackers, parse_added_trackers
from ._v1_fetch import read_trackers_flow
from ._v1_trackers import build_put_tracker, parse_put_tracker, tracker_body

__all__ = ["add_batch_flow", "add_flow", "cancel_flow", "prepare_add", "update_flow"]


def prepare_add(change: Change) -> tuple[BatchItem, dict[str, Any]]:
    """Return the batch item and v1 tracker object that add the change's tracker.

    Raises:
        InvalidInputError: the change has no capture id, its shipment is CANCELLED, or
            its tracking number is not ASCII.
    """
    capture_id = target_capture_id(change)
    shipment = change.shipment
    if shipment.status is ShipmentStatus.CANCELLED:
        raise InvalidInputError(
            f"Cannot {change}: a new tracker cannot start as CANCELLED, so nothing was sent."
        )
    body = tracker_body(
        capture_id,
        shipment,
        status=shipment.status,
        carrier=shipment.carrier,
        notify_buyer=shipment.notify_buyer,
    )
    return BatchItem(capture_id, shipment.tracking_number), body


def add_batch_flow(
    session: PayPalSession, prepared: Sequence[tuple[BatchItem, dict[str, Any]]]
) -> Flow[list[ChangeResult | PayPalError]]:
    """Add up to 20 prepared trackers in one request and return each one's outcome.

    Raises:
        AccountError: PayPal rejected the credentials or their permissions.
        PayPalError: PayPal rejected the whole request.
    """
    items = [item for item, _ in prepared]
    bodies = [body for _, body in prepared]
    response = yield from session.call(
        lambda token: build_add_trackers(session.base_url, bodies, token=token),
        scope=SCOPE_TRACKERS_READWRITE,
        action=f"Adding {len(items)} trackers through PayPal's v1 API",
    )
    return parse_added_trackers(response, items)


def add_flow(session: PayPalSession, change: Change) -> Flow[ChangeResult]:
    """Add the change's tracker alone, in a batch request of one.

    Raises:
        InvalidInputError: the change cannot be sent (see :func:`prepare_add`).
        AccountError: PayPal rejected the credentials or their permissions.
        PayPalError: PayPal rejected the request or the tracker, or did not confirm it.
    """
    prepared = prepare_add(change)
    [output] = yield from add_batch_flow(session, [prepared])
    if isinstance(output, PayPalError):
        raise output
    return output


def update_flow(session: PayPalSession, change: Change) -> Flow[ChangeResult]:
    """Replace the tracker's carrier and status with the shipment's.

    The caller checks :func:`already_applied` first, so that no no-op is sent.

    Raises:
        InvalidInputError: the change has no capture id or a tracking number not in ASCII.
        AccountError: PayPal rejected the credentials or their permissions.
        PayPalError: PayPal responded with an error.
    """
    capture_id = target_capture_id(change)
    shipment = change.shipment
    body = tracker_body(
        capture_id,
        shipment,
        status=shipment.status,
        carrier=shipment.carrier,
        notify_buyer=shipment.notify_buyer,
    )
    tracker_id = tracker_id_of(change, capture_id)
    action = f"Updating tracker {tracker_id} on PayPal capture {capture_id}"
    response = yield from _put(session, tracker_id, body, action)
    return parse_put_tracker(
        response, outcome=Outcome.UPDATED, tracker_id=tracker_id, action=action
    )


def cancel_flow(session: PayPalSession, change: Change) -> Flow[ChangeResult]:
    """Set the tracker's status to CANCELLED, keeping the carrier PayPal stores.

    The caller checks :func:`already_applied` first, so that no no-op is sent.

    A 404 leads to reading the capture's trackers again: when none with the number is
    active, the result is UNCHANGED.

    Raises:
        InvalidInputError: the change has no capture id or a tracking number not in ASCII.
        AccountError: PayPal rejected the credentials or their permissions.
        PayPalError: PayPal responded with an error.
    """
    capture_id = target_capture_id(change)
    current = change.current
    carrier = current.carrier if current is not None and current.carrier else None
    shipment = change.shipment
    # The buyer is not e-mailed about a cancellation.
    body = tracker_body(
        capture_id,
        shipment,
        status=ShipmentStatus.CANCELLED,
        carrier=carrier or shipment.carrier,
        notify_buyer=False,
    )
    tracker_id = tracker_id_of(change, capture_id)
    action = f"Cancelling tracker {tracker_id} on PayPal capture {capture_id}"
    response = yield from _put(session, tracker_id, body, action)
    if response.status_code != 404:
        return parse_put_tracker(
            response, outcome=Outcome.CANCELLED, tracker_id=tracker_id, action=action
        )

    error = parse_error(response, action)
    try:
        trackers = yield from read_trackers_flow(session, capture_id)
    except PayPalError:
        raise error from None
    number = shipment.tracking_number
    if any(t.is_active and t.tracking_number.casefold() == number.casefold() for t in trackers):
        raise error
    return ChangeResult(
        outcome=Outcome.UNCHANGED,
        tracker_id=tracker_id,
        note=(
            f"PayPal capture {capture_id} has no active tracker {number} any more (it is "
            "missing or already cancelled), so nothing was cancelled."
        ),
    )


def _put(
    session: PayPalSession, tracker_id: str, body: dict[str, Any], action: str
) -> Flow[httpx.Response]:
    return (
        yield from session.call(
            lambda token: build_put_tracker(session.base_url, tracker_id, body, token=token),
            scope=SCOPE_TRACKERS_READWRITE,
            action=action,
        )
    )
