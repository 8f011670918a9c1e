"""Read and replace trackers through PayPal's tracking v1 API (``/v1/shipping/trackers``).

A v1 tracker belongs to a capture (transaction) id, and its id is
``{transaction_id}-{tracking_number}``. v1 stores the carrier, so a tracker read here has
one, unlike a tracker read from an Orders v2 order.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Mapping
from typing import Any

import httpx

from ..._models import Shipment, ShipmentStatus
from ..._plan import ChangeResult, Outcome
from ..._remote import Tracker
from ...errors import InvalidInputError
from ._apis import Api
from ._carriers import OTHER, carrier_fields
from ._errors import parse_error
from ._http import api_request, json_objects, json_text, quote_id, read_json
from ._trackers import tracker_id_for

__all__ = [
    "TRACKERS_PATH",
    "build_list_trackers",
    "build_put_tracker",
    "check_ascii",
    "parse_put_tracker",
    "parse_tracker_list",
    "read_tracker",
    "tracker_body",
]

logger = logging.getLogger("tracksync.paypal")

TRACKERS_PATH = "/v1/shipping/trackers"

#: The statuses PayPal documents as input. The v1 spec lists 19 more, such as IN_TRANSIT,
#: which are kept as ``raw_status``.
_INPUT_STATUSES = {status.value: status for status in ShipmentStatus}


def build_list_trackers(base_url: str, transaction_id: str, *, token: str) -> httpx.Request:
    """Build ``GET /v1/shipping/trackers?transaction_id=...``."""
    query = urllib.parse.urlencode({"transaction_id": transaction_id})
    return api_request("GET", base_url, f"{TRACKERS_PATH}?{query}", token=token)


def parse_tracker_list(response: httpx.Response, transaction_id: str) -> tuple[Tracker, ...]:
    """Read the capture's trackers from the response to :func:`build_list_trackers`.

    A 404 or an empty body means the capture has no trackers.

    Raises:
        PayPalError: PayPal responded with another error.
    """
    # NOTE: the tracking v1 spec 1.6 declares the response as one `tracker` object, while
    # PayPal's newer reference describes a `tracker_list` with a `trackers` array. Both
    # shapes are read, because which one the live API returns is not established.
    if response.status_code == 404:
        return ()
    if not response.is_success:
        raise parse_error(response, f"Reading the trackers of PayPal capture {transaction_id}")

    body = read_json(response)
    if not isinstance(body, Mapping):
        return ()
    if "trackers" in body:
        entries = json_objects(body.get("trackers"))
    elif "tracking_number" in body or "transaction_id" in body:
        entries = [body]
    else:
        entries = []

    trackers = []
    for entry in entries:
        tracker = read_tracker(entry, transaction_id)
        if tracker is not None:
            trackers.append(tracker)
    return tuple(trackers)


def read_tracker(entry: Mapping[str, Any], transaction_id: str) -> Tracker | None:
    """Return the tracker that a v1 tracker object describes on the capture, if any.

    A tracker of another capture, or one without a tracking number, is skipped.
    """
    owner = json_text(entry.get("transaction_id"))
    number = json_text(entry.get("tracking_number"))
    if (owner is not None and owner != transaction_id) or number is None:
        logger.debug("Skipping a v1 tracker of capture %s without a match", transaction_id)
        return None

    carrier = json_text(entry.get("carrier"))
    if carrier == OTHER:
        carrier = json_text(entry.get("carrier_name_other")) or OTHER
    raw_status = json_text(entry.get("status"))
    status = _INPUT_STATUSES.get(raw_status) if raw_status else None
    return Tracker(
        tracking_number=number,
        carrier=carrier,
        status=status,
        tracker_id=tracker_id_for(transaction_id, number),
        raw_status=raw_status if status is None else None,
    )


def check_ascii(tracking_number: str) -> str | None:
    """Return why the v1 API cannot take the tracking number, or None when it can."""
    if tracking_number.isascii():
        return None
    return (
        f"Tracking number {tracking_number!r} has characters outside ASCII, which PayPal's "
        "v1 tracking API does not take."
    )


def tracker_body(
    transaction_id: str,
    shipment: Shipment,
    *,
    status: ShipmentStatus,
    carrier: str,
    notify_buyer: bool,
) -> dict[str, Any]:
    """Return a v1 ``tracker`` object for the shipment.

    Raises:
        InvalidInputError: the tracking number is not ASCII.
    """
    problem = check_ascii(shipment.tracking_number)
    if problem is not None:
        raise InvalidInputError(problem)
    body: dict[str, Any] = {
        "transaction_id": transaction_id,
        "tracking_number": shipment.tracking_number,
        "status": status.value,
        **carrier_fields(carrier, Api.V1),
    }
    if shipment.shipped_on is not None:
        body["shipment_date"] = shipment.shipped_on.isoformat()
    body["notify_buyer"] = notify_buyer
    return body


def build_put_tracker(
    base_url: str, tracker_id: str, body: Mapping[str, Any], *, token: str
) -> httpx.Request:
    """Build ``PUT /v1/shipping/trackers/{tracker_id}``, which replaces the whole tracker."""
    path = f"{TRACKERS_PATH}/{quote_id(tracker_id)}"
    return api_request("PUT", base_url, path, token=token, body=dict(body))


def parse_put_tracker(
    response: httpx.Response, *, outcome: Outcome, tracker_id: str, action: str
) -> ChangeResult:
    """Read the result of :func:`build_put_tracker`, which PayPal returns as 204 No Content.

    Raises:
        PayPalError: PayPal responded with an error.
    """
    if not response.is_success:
        raise parse_error(response, action)
    return ChangeResult(outcome=outcome, tracker_id=tracker_id)
