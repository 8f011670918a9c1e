"""Add and cancel trackers through PayPal's Orders v2 API.

Neither endpoint takes a ``PayPal-Request-Id`` header, so a write cannot be made
idempotent. Instead, the reconciler reads the order before it plans any write.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx

from ..._models import Item, Shipment
from ..._plan import ChangeResult, Outcome
from ._apis import Api
from ._carriers import carrier_fields
from ._errors import parse_error
from ._http import api_request, quote_id, read_json
from ._orders import order_path, read_trackers

__all__ = [
    "CANCEL_PATCH",
    "MAX_ITEM_NAME_LENGTH",
    "add_action",
    "add_tracker_body",
    "build_add_tracker",
    "build_cancel_tracker",
    "parse_added_tracker",
    "parse_cancelled_tracker",
    "tracker_id_for",
]

logger = logging.getLogger("tracksync.paypal")

#: The JSON Patch that cancels a tracker. PayPal supports no other status change.
CANCEL_PATCH = ({"op": "replace", "path": "/status", "value": "CANCELLED"},)

#: Maximum length of ``tracker_item.name`` that PayPal accepts, in characters.
MAX_ITEM_NAME_LENGTH = 127


def tracker_id_for(capture_id: str, tracking_number: str) -> str:
    """Return the id PayPal gives a tracker: ``{capture_id}-{tracking_number}``."""
    return f"{capture_id}-{tracking_number}"


def add_tracker_body(capture_id: str, shipment: Shipment) -> dict[str, Any]:
    """Return the JSON body of ``POST /v2/checkout/orders/{id}/track`` for a shipment.

    The body has no ``status`` and no ``transaction_id``, which the endpoint does not
    take: a new tracker is always SHIPPED.
    """
    body: dict[str, Any] = {
        "capture_id": capture_id,
        "tracking_number": shipment.tracking_number,
        **carrier_fields(shipment.carrier, Api.ORDERS_V2, tracking_number=shipment.tracking_number),
        "notify_payer": shipment.notify_buyer,
    }
    if shipment.items:
        body["items"] = [_item_body(item) for item in shipment.items]
    return body


def _item_body(item: Item) -> dict[str, str]:
    # The name is only shown to people, so a long one is cut to fit. A SKU is sent
    # whole, because PayPal matches it against the SKUs of the order.
    body = {"name": item.name[:MAX_ITEM_NAME_LENGTH].rstrip()}
    if item.sku is not None:
        body["sku"] = item.sku
    body["quantity"] = str(item.quantity)
    return body


def build_add_tracker(
    base_url: str, order_id: str, capture_id: str, shipment: Shipment, *, token: str
) -> httpx.Request:
    """Build ``POST /v2/checkout/orders/{order_id}/track`` that adds the shipment's tracker."""
    # NOTE: a tracking number whose tracker was cancelled gets the same tracker id again,
    # and whether PayPal then reactivates that tracker or rejects the request is untested.
    path = f"{order_path(order_id)}/track"
    body = add_tracker_body(capture_id, shipment)
    return api_request("POST", base_url, path, token=token, body=body)


def build_cancel_tracker(
    base_url: str, order_id: str, tracker_id: str, *, token: str
) -> httpx.Request:
    """Build ``PATCH /v2/checkout/orders/{order_id}/trackers/{tracker_id}`` that cancels it."""
    path = f"{order_path(order_id)}/trackers/{quote_id(tracker_id)}"
    return api_request("PATCH", base_url, path, token=token, body=list(CANCEL_PATCH))


def add_action(order_id: str, capture_id: str, tracking_number: str) -> str:
    """Describe adding a tracker, as the start of an error message."""
    return f"Adding tracker {tracking_number} to capture {capture_id} of PayPal order {order_id}"


def parse_added_tracker(
    response: httpx.Response, *, order_id: str, capture_id: str, tracking_number: str
) -> ChangeResult:
    """Read the result of :func:`build_add_tracker`.

    PayPal responds with 200 or 201, both with the whole order. The tracker id is taken from
    that order, matching the tracking number without regard to case, or built from the
    capture id and tracking number when the order does not list the tracker.

    Raises:
        PayPalError: PayPal responded with an error.
    """
    if not response.is_success:
        raise parse_error(response, add_action(order_id, capture_id, tracking_number))

    tracker_id = tracker_id_for(capture_id, tracking_number)
    order = read_json(response)
    if isinstance(order, Mapping):
        for tracker in read_trackers(order, capture_id):
            if tracker.tracking_number.casefold() == tracking_number.casefold():
                tracker_id = tracker.tracker_id or tracker_id
                break
        else:
            logger.debug(
                "PayPal order %s does not list the tracker just added to capture %s",
                order_id,
                capture_id,
            )
    return ChangeResult(outcome=Outcome.ADDED, tracker_id=tracker_id)


def parse_cancelled_tracker(
    response: httpx.Response, *, order_id: str, tracker_id: str
) -> ChangeResult:
    """Read the result of :func:`build_cancel_tracker`, which PayPal returns as 204 No Content.

    Raises:
        PayPalError: PayPal responded with an error.
    """
    if not response.is_success:
        raise parse_error(response, f"Cancelling tracker {tracker_id} on PayPal order {order_id}")
    return ChangeResult(outcome=Outcome.CANCELLED, tracker_id=tracker_id)
