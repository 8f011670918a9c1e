"""Orders v2: the order, and the trackers that PayPal shows inside it.

Endpoints: ``GET /v2/checkout/orders/{id}``, ``POST /v2/checkout/orders/{id}/track`` and
``PATCH /v2/checkout/orders/{id}/trackers/{tracker_id}``. Responses and error bodies have
the shapes of PayPal's Orders v2 API (spec version 2.13).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

import attrs
import httpx

from ._base import json_response, request_origin, rfc3339_now
from ._paypal_http import (
    Problem,
    link,
    optional_string,
    read_json,
    reject_unknown_fields,
    required_string,
    type_problem,
)
from ._paypal_payments import authorization_resource, capture_resource, money, refund_resource
from ._paypal_state import (
    CAPTURE_AMOUNT,
    CAPTURED_STATUSES,
    PAYMENT_ID,
    TRACKABLE_CAPTURE_STATUSES,
    Order,
    PayPalState,
    Tracker,
)

__all__ = [
    "add_tracker",
    "get_order",
    "patch_tracker",
    "render_order",
    "render_tracker",
]


_CARRIER = re.compile(r"^[0-9A-Z_]+$")
_QUANTITY = re.compile(r"^[1-9][0-9]{0,9}$")
_IMAGE_URL = re.compile(r"^(https:)([/|.|\w|\s|-])*\.(?:jpg|gif|png|jpeg|JPG|GIF|PNG|JPEG)")

_TRACK_FIELDS = frozenset(
    {"capture_id", "tracking_number", "carrier", "carrier_name_other", "notify_payer", "items"}
)
_ITEM_FIELDS = frozenset({"name", "quantity", "sku", "url", "image_url", "upc"})
_PATCH_OPS = frozenset({"add", "remove", "replace", "move", "copy", "test"})
#: Tracker fields that PATCH may change, with the operations each one accepts.
_PATCHABLE = {"/status": ("replace",), "/items": ("replace",), "/notify_payer": ("replace", "add")}


@attrs.frozen
class _TrackRequest:
    capture_id: str
    tracking_number: str
    carrier: str
    carrier_name_other: str | None
    notify_payer: bool
    items: list[dict[str, Any]]


# --- Request validation -----------------------------------------------------------------------


def _parse_items(value: object, pointer: str) -> list[dict[str, Any]]:
    """Check a list of ``tracker_item`` objects and return a copy of it."""
    if not isinstance(value, list):
        raise type_problem(pointer, value, "an array of items")
    items: list[dict[str, Any]] = []
    for index, item in enumerate(value):
        where = f"{pointer}/{index}"
        if not isinstance(item, dict):
            raise type_problem(where, item, "an item object")
        reject_unknown_fields(item, _ITEM_FIELDS, where)
        optional_string(item, "name", f"{where}/name", max_length=127)
        optional_string(item, "sku", f"{where}/sku", max_length=127)
        optional_string(item, "url", f"{where}/url", max_length=2048)
        quantity = optional_string(item, "quantity", f"{where}/quantity", max_length=10)
        if quantity is not None and not _QUANTITY.match(quantity):
            raise Problem(
                400,
                "INVALID_PARAMETER_SYNTAX",
                field=f"{where}/quantity",
                value=quantity,
                description="The quantity must be a whole number from 1, written as a string.",
            )
        image_url = optional_string(item, "image_url", f"{where}/image_url", max_length=2048)
        if image_url is not None and not _IMAGE_URL.match(image_url):
            raise Problem(
                400,
                "INVALID_PARAMETER_SYNTAX",
                field=f"{where}/image_url",
                value=image_url,
                description="The image_url must be an https URL of a jpg, jpeg, gif or png file.",
            )
        if "upc" in item and not isinstance(item["upc"], dict):
            raise type_problem(f"{where}/upc", item["upc"], "an object with type and code")
        items.append(json.loads(json.dumps(item)))
    return items


def _parse_track_request(body: object) -> _TrackRequest:
    """Check a /track body field by field, in the order PayPal's schema lists the fields."""
    if not isinstance(body, dict):
        raise Problem(
            400,
            "MALFORMED_REQUEST_JSON",
            description="The request body must be a JSON object.",
        )
    reject_unknown_fields(body, _TRACK_FIELDS, "")

    capture_id = required_string(body, "capture_id", "/capture_id", max_length=50)
    if not PAYMENT_ID.match(capture_id):
        raise Problem(400, "INVALID_PARAMETER_SYNTAX", field="/capture_id", value=capture_id)

    # NOTE: PayPal's Orders v2 schema makes tracking_number optional, but the tracker id
    # is built from it, and what PayPal does without one is not established. The emulator
    # requires it.
    tracking_number = required_string(body, "tracking_number", "/tracking_number", max_length=64)

    carrier = required_string(body, "carrier", "/carrier", max_length=64)
    if not _CARRIER.match(carrier):
        raise Problem(
            400,
            "INVALID_PARAMETER_VALUE",
            field="/carrier",
            value=carrier,
            description="The carrier must be a PayPal carrier code of A-Z, 0-9 and _, or OTHER.",
        )

    carrier_name_other = optional_string(
        body, "carrier_name_other", "/carrier_name_other", max_length=64
    )
    if carrier == "OTHER" and carrier_name_other is None:
        raise Problem(
            400,
            "MISSING_REQUIRED_PARAMETER",
            field="/carrier_name_other",
            description="carrier_name_other is required when carrier is OTHER.",
        )

    notify_payer = body.get("notify_payer", False)
    if not isinstance(notify_payer, bool):
        raise type_problem("/notify_payer", notify_payer, "true or false")

    items = _parse_items(body.get("items", []), "/items")
    return _TrackRequest(
        capture_id=capture_id,
        tracking_number=tracking_number,
        carrier=carrier,
        carrier_name_other=carrier_name_other,
        notify_payer=notify_payer,
        items=items,
    )


def _check_skus(order: Order, items: list[dict[str, Any]], pointer: str) -> None:
    """Raise 422 ITEM_SKU_MISMATCH for an item SKU the order was not created with."""
    if not order.skus:
        return
    for index, item in enumerate(items):
        sku = item.get("sku")
        if sku is not None and sku not in order.skus:
            raise Problem(422, "ITEM_SKU_MISMATCH", field=f"{pointer}/{index}/sku", value=sku)


def _check_trackable(order: Order, request: _TrackRequest) -> None:
    """Apply the business rules that come after the body is well formed (HTTP 422)."""
    if order.purchase_units > 1:
        raise Problem(422, "MSP_NOT_SUPPORTED")
    capture = order.capture(request.capture_id)
    if capture is None:
        raise Problem(422, "CAPTURE_ID_NOT_FOUND", field="/capture_id", value=request.capture_id)
    if capture.status not in TRACKABLE_CAPTURE_STATUSES:
        raise Problem(
            422, "CAPTURE_STATUS_NOT_VALID", field="/capture_id", value=request.capture_id
        )
    _check_skus(order, request.items, "/items")


# --- Rendering --------------------------------------------------------------------------------


def render_tracker(order: Order, tracker: Tracker, origin: str) -> dict[str, Any]:
    order_url = f"{origin}/v2/checkout/orders/{order.id}"
    tracker_url = f"{order_url}/trackers/{urllib.parse.quote(tracker.id, safe='')}"
    rendered: dict[str, Any] = {"id": tracker.id, "status": tracker.status}
    if tracker.items:
        rendered["items"] = json.loads(json.dumps(tracker.items))
    rendered["links"] = [link(order_url, "up", "GET"), link(tracker_url, "update", "PATCH")]
    rendered["create_time"] = tracker.create_time
    rendered["update_time"] = tracker.update_time
    return rendered


def _render_payments(order: Order, origin: str) -> dict[str, Any]:
    payments: dict[str, Any] = {}
    if order.authorizations:
        payments["authorizations"] = [
            authorization_resource(authorization, origin, order.id)
            for authorization in order.authorizations
        ]
    if order.captures:
        payments["captures"] = [
            capture_resource(capture, origin, order.id) for capture in order.captures
        ]
    if order.refunds:
        payments["refunds"] = [refund_resource(refund, origin) for refund in order.refunds]
    return payments


def render_order(state: PayPalState, order: Order, origin: str) -> dict[str, Any]:
    """Return the order as GET /v2/checkout/orders/{id} shows it.

    Captures, authorizations, refunds and trackers all belong to the first purchase unit.
    """
    trackers = state.order_trackers(order)
    units: list[dict[str, Any]] = []
    for index in range(order.purchase_units):
        unit: dict[str, Any] = {
            "reference_id": "default" if order.purchase_units == 1 else f"PU{index + 1}",
            "amount": money(CAPTURE_AMOUNT),
        }
        if order.skus:
            unit["items"] = [
                {
                    "name": f"Item {sku}",
                    "unit_amount": money(CAPTURE_AMOUNT),
                    "quantity": "1",
                    "sku": sku,
                }
                for sku in order.skus
            ]
        shipping: dict[str, Any] = {
            "name": {"full_name": "Emulated Buyer"},
            "address": {
                "address_line_1": "1 Main Street",
                "admin_area_2": "San Jose",
                "admin_area_1": "CA",
                "postal_code": "95131",
                "country_code": "US",
            },
        }
        if index == 0 and trackers:
            shipping["trackers"] = [render_tracker(order, tracker, origin) for tracker in trackers]
        unit["shipping"] = shipping
        payments = _render_payments(order, origin) if index == 0 else {}
        if payments:
            unit["payments"] = payments
        units.append(unit)

    captured = any(capture.status in CAPTURED_STATUSES for capture in order.captures)
    return {
        "id": order.id,
        "intent": "CAPTURE",
        "status": "COMPLETED" if captured else "APPROVED",
        "purchase_units": units,
        "create_time": order.create_time,
        "update_time": order.update_time,
        "links": [link(f"{origin}/v2/checkout/orders/{order.id}", "self", "GET")],
    }


# --- Handlers ---------------------------------------------------------------------------------


def _find_order(state: PayPalState, order_id: str) -> Order:
    order = state.orders.get(order_id)
    if order is None:
        raise Problem(404, "INVALID_RESOURCE_ID", field="order_id", value=order_id, location="path")
    return order


def get_order(
    state: PayPalState, request: httpx.Request, params: Mapping[str, str]
) -> httpx.Response:
    order = _find_order(state, params["order_id"])
    return json_response(200, render_order(state, order, request_origin(request)))


def add_tracker(
    state: PayPalState, request: httpx.Request, params: Mapping[str, str]
) -> httpx.Response:
    """Add a tracker: 201 when created or revived, 200 when it already exists unchanged."""
    order = _find_order(state, params["order_id"])
    track = _parse_track_request(read_json(request))
    _check_trackable(order, track)

    tracker_id = f"{track.capture_id}-{track.tracking_number}"
    existing = state.trackers.get(tracker_id)
    if existing is not None and existing.status != "CANCELLED":
        return json_response(200, render_order(state, order, request_origin(request)))

    now = rfc3339_now()
    if existing is None:
        state.trackers[tracker_id] = Tracker(
            id=tracker_id,
            capture_id=track.capture_id,
            tracking_number=track.tracking_number,
            carrier=track.carrier,
            carrier_name_other=track.carrier_name_other,
            notify_payer=track.notify_payer,
            items=track.items,
            status="SHIPPED",
            create_time=now,
            update_time=now,
        )
    else:
        # NOTE: what PayPal does when a cancelled tracker is posted again is not
        # established. The emulator makes it SHIPPED again with the new details.
        existing.carrier = track.carrier
        existing.carrier_name_other = track.carrier_name_other
        existing.notify_payer = track.notify_payer
        existing.items = track.items
        existing.status = "SHIPPED"
        existing.update_time = now
    order.update_time = now
    return json_response(201, render_order(state, order, request_origin(request)))


def patch_tracker(
    state: PayPalState, request: httpx.Request, params: Mapping[str, str]
) -> httpx.Response:
    """Apply a JSON Patch to a tracker. Every operation is checked before any is applied."""
    order = _find_order(state, params["order_id"])
    tracker = state.trackers.get(params["tracker_id"])
    if tracker is None or order.capture(tracker.capture_id) is None:
        raise Problem(
            404,
            "TRACKER_ID_NOT_FOUND",
            field="tracker_id",
            value=params["tracker_id"],
            location="path",
        )

    operations = read_json(request)
    if not isinstance(operations, list) or not operations:
        raise Problem(
            400,
            "MALFORMED_REQUEST_JSON",
            description="The request body must be a non-empty JSON Patch array.",
        )
    changes = [
        _parse_patch_operation(order, tracker, index, operation)
        for index, operation in enumerate(operations)
    ]

    for path, value in changes:
        if path == "/status":
            tracker.status = value
        elif path == "/items":
            tracker.items = value
        else:
            tracker.notify_payer = value
    now = rfc3339_now()
    tracker.update_time = now
    order.update_time = now
    return httpx.Response(204)


def _parse_patch_operation(
    order: Order, tracker: Tracker, index: int, operation: object
) -> tuple[str, Any]:
    """Check one JSON Patch operation and return the tracker field path and its new value."""
    where = f"/{index}"
    if not isinstance(operation, dict):
        raise Problem(
            400, "MALFORMED_REQUEST_JSON", field=where, description="Each patch must be an object."
        )
    if "op" not in operation:
        raise Problem(400, "MISSING_REQUIRED_PARAMETER", field=f"{where}/op")
    op = operation["op"]
    if op not in _PATCH_OPS:
        raise Problem(400, "INVALID_PATCH_OPERATION", field=f"{where}/op", value=op)
    if "path" not in operation:
        raise Problem(422, "PATCH_PATH_REQUIRED", field=f"{where}/path")
    path = operation["path"]
    if not isinstance(path, str) or not path.startswith("/"):
        raise Problem(422, "INVALID_JSON_POINTER_FORMAT", field=f"{where}/path", value=path)
    if path not in _PATCHABLE:
        raise Problem(400, "FIELD_NOT_PATCHABLE", field=path, value=path)
    if op not in _PATCHABLE[path]:
        raise Problem(
            400,
            "INVALID_PATCH_OPERATION",
            field=path,
            value=op,
            description=f"{path} accepts only {' or '.join(_PATCHABLE[path])}.",
        )
    if "value" not in operation:
        raise Problem(422, "PATCH_VALUE_REQUIRED", field=path)
    value = operation["value"]

    if path == "/status":
        if value != "CANCELLED":
            raise Problem(
                400,
                "INVALID_PARAMETER_VALUE",
                field=path,
                value=value,
                description="Only patching status to CANCELLED is supported.",
            )
        if tracker.status == "CANCELLED":
            # NOTE: PayPal rejects a repeated identical status update, but the issue code it
            # sends then is not established. The emulator uses INVALID_PARAMETER_VALUE.
            raise Problem(
                422,
                "INVALID_PARAMETER_VALUE",
                field=path,
                value=value,
                description=f"Tracker {tracker.id} already has status CANCELLED.",
            )
        return path, value
    if path == "/items":
        items = _parse_items(value, path)
        _check_skus(order, items, path)
        return path, items
    if not isinstance(value, bool):
        raise type_problem(path, value, "true or false")
    return path, value
