"""Tracking API v1: trackers on captures, added in batches and read or replaced by id.

Endpoints: ``POST /v1/shipping/trackers-batch``, ``POST /v1/shipping/trackers``,
``GET /v1/shipping/trackers?transaction_id=...``, and ``GET`` and ``PUT``
``/v1/shipping/trackers/{id}``. Bodies have the shapes of PayPal's Tracking API v1 spec
(version 1.6). The checks of request bodies are in ``_paypal_tracking_v1_input``.

The trackers share one store with the trackers that Orders v2 ``/track`` adds.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Collection, Mapping
from typing import Any

import attrs
import httpx

from ._base import json_response, random_hex, request_origin, rfc3339_now
from ._paypal_http import Problem, link, read_json
from ._paypal_state import PAYMENT_ID, TRACKABLE_CAPTURE_STATUSES, PayPalState, Tracker
from ._paypal_tracking_v1_input import (
    TrackerInput,
    check_account_id,
    parse_collection,
    parse_tracker,
)

__all__ = [
    "add_trackers",
    "add_trackers_batch",
    "get_tracker",
    "list_trackers",
    "render_shipping_tracker",
    "replace_tracker",
]


# --- Business rules ---------------------------------------------------------------------------


def _check_addable(
    state: PayPalState, tracker: TrackerInput, pointer: str, pending: Collection[str] = ()
) -> None:
    """Apply the rules that need the stored captures and trackers.

    ``pending`` contains the ids of trackers that the same request adds before this one.
    """
    found = state.find_capture(tracker.transaction_id)
    if found is None:
        # PayPal was seen returning this name and issue for an unknown transaction id.
        raise Problem(
            404,
            "INVALID_TRANSACTION_ID",
            field=f"{pointer}/transaction_id",
            value=tracker.transaction_id,
            description="The PayPal transaction id is invalid",
        )
    capture, _ = found
    if capture.status not in TRACKABLE_CAPTURE_STATUSES:
        # NOTE: the issue Tracking API v1 reports for a capture that is not completed is not
        # established. The emulator uses Orders v2's CAPTURE_STATUS_NOT_VALID.
        raise Problem(
            422,
            "CAPTURE_STATUS_NOT_VALID",
            field=f"{pointer}/transaction_id",
            value=tracker.transaction_id,
            description=f"Capture {capture.id} has status {capture.status}. Trackers can be "
            "added only to COMPLETED or PARTIALLY_REFUNDED captures.",
        )
    existing = state.trackers.get(tracker.tracker_id)
    if tracker.tracker_id in pending or (existing is not None and existing.status != "CANCELLED"):
        # NOTE: PayPal's response to a tracker that already exists is not established. The
        # emulator rejects it with an issue of its own, DUPLICATE_TRACKER, so that a client
        # changes trackers with PUT.
        raise Problem(
            409,
            "DUPLICATE_TRACKER",
            field=f"{pointer}/tracking_number",
            value=tracker.tracking_number,
            description=f"Tracker {tracker.tracker_id} already exists. Change it with "
            f"PUT /v1/shipping/trackers/{tracker.tracker_id}.",
        )


# --- Storing and rendering --------------------------------------------------------------------


def _store(state: PayPalState, tracker: TrackerInput) -> None:
    """Add the tracker, or revive a cancelled one with the new details."""
    now = rfc3339_now()
    existing = state.trackers.get(tracker.tracker_id)
    if existing is None:
        state.trackers[tracker.tracker_id] = Tracker(
            id=tracker.tracker_id,
            capture_id=tracker.transaction_id,
            tracking_number=tracker.tracking_number,
            carrier=tracker.carrier,
            carrier_name_other=tracker.carrier_name_other,
            notify_payer=tracker.notify_buyer,
            items=[],
            status=tracker.status,
            create_time=now,
            update_time=now,
            shipment_date=tracker.shipment_date,
            tracking_number_type=tracker.tracking_number_type,
            shipment_direction=tracker.shipment_direction,
            tracking_url=tracker.tracking_url,
        )
    else:
        _replace_fields(existing, tracker)
        existing.update_time = now
    _touch_order(state, tracker.transaction_id, now)


def _replace_fields(stored: Tracker, tracker: TrackerInput) -> None:
    stored.status = tracker.status
    stored.carrier = tracker.carrier
    stored.carrier_name_other = tracker.carrier_name_other
    stored.notify_payer = tracker.notify_buyer
    stored.shipment_date = tracker.shipment_date
    stored.tracking_number_type = tracker.tracking_number_type
    stored.shipment_direction = tracker.shipment_direction
    stored.tracking_url = tracker.tracking_url


def _touch_order(state: PayPalState, capture_id: str, now: str) -> None:
    found = state.find_capture(capture_id)
    if found is not None and found[1] is not None:
        found[1].update_time = now


def _tracker_url(origin: str, tracker_id: str) -> str:
    return f"{origin}/v1/shipping/trackers/{urllib.parse.quote(tracker_id, safe='')}"


def _tracker_links(origin: str, tracker_id: str) -> list[dict[str, str]]:
    url = _tracker_url(origin, tracker_id)
    return [link(url, "self", "GET"), link(url, "replace", "PUT")]


def _identifier(tracker: TrackerInput, origin: str) -> dict[str, Any]:
    return {
        "transaction_id": tracker.transaction_id,
        "tracking_number": tracker.tracking_number,
        "links": _tracker_links(origin, tracker.tracker_id),
    }


def render_shipping_tracker(tracker: Tracker, origin: str) -> dict[str, Any]:
    """Return the tracker as GET /v1/shipping/trackers/{id} shows it."""
    rendered: dict[str, Any] = {
        "transaction_id": tracker.capture_id,
        "tracking_number": tracker.tracking_number,
        "status": tracker.status,
        "carrier": tracker.carrier,
    }
    optional = {
        "carrier_name_other": tracker.carrier_name_other,
        "shipment_date": tracker.shipment_date,
        "tracking_number_type": tracker.tracking_number_type,
        "shipment_direction": tracker.shipment_direction,
        "tracking_url": tracker.tracking_url,
    }
    rendered.update({key: value for key, value in optional.items() if value is not None})
    rendered["notify_buyer"] = tracker.notify_payer
    rendered["last_updated_time"] = tracker.update_time
    rendered["links"] = _tracker_links(origin, tracker.id)
    return rendered


# --- Handlers ---------------------------------------------------------------------------------


def _item_pointer(state: PayPalState, index: int) -> str:
    # NOTE: whether PayPal counts N in "/trackers/N/..." from 0 or from 1 is not established
    # (the one sample seen, for a single tracker, had 1). The batch_error_index_base
    # option picks the base.
    return f"/trackers/{index + state.batch_error_index_base}"


def add_trackers_batch(
    state: PayPalState, request: httpx.Request, params: Mapping[str, str]
) -> httpx.Response:
    """Add each valid tracker. Invalid ones come back in ``errors`` inside the 200 response."""
    items = parse_collection(read_json(request))
    origin = request_origin(request)
    debug_id = random_hex(13)
    identifiers: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        pointer = _item_pointer(state, index)
        try:
            tracker = parse_tracker(item, pointer)
            _check_addable(state, tracker, pointer)
        except Problem as problem:
            errors.append(problem.body(debug_id, orders_link=False))
            continue
        _store(state, tracker)
        identifiers.append(_identifier(tracker, origin))

    # NOTE: a response sample from the field had "tracker_identifiers": [], but the spec
    # gives both arrays minItems 1. The emulator leaves an empty array out.
    body: dict[str, Any] = {}
    if identifiers:
        body["tracker_identifiers"] = identifiers
    if errors:
        body["errors"] = errors
    return json_response(200, body, {"Paypal-Debug-Id": debug_id})


def add_trackers(
    state: PayPalState, request: httpx.Request, params: Mapping[str, str]
) -> httpx.Response:
    """Add every tracker, or none: the first invalid one is the error response."""
    # NOTE: this endpoint's response has no errors array, so the emulator assumes that
    # PayPal adds all the trackers or none of them.
    items = parse_collection(read_json(request))
    trackers: list[TrackerInput] = []
    for index, item in enumerate(items):
        pointer = _item_pointer(state, index)
        tracker = parse_tracker(item, pointer)
        _check_addable(state, tracker, pointer, pending={added.tracker_id for added in trackers})
        trackers.append(tracker)

    for tracker in trackers:
        _store(state, tracker)
    origin = request_origin(request)
    identifiers = [_identifier(tracker, origin) for tracker in trackers]
    return json_response(200, {"tracker_identifiers": identifiers})


def list_trackers(
    state: PayPalState, request: httpx.Request, params: Mapping[str, str]
) -> httpx.Response:
    """Return the trackers of one capture, optionally only the one with a tracking number."""
    query = request.url.params
    transaction_id = query.get("transaction_id")
    if not transaction_id:
        raise Problem(
            400,
            "MISSING_REQUIRED_PARAMETER",
            field="transaction_id",
            location="query",
            description="The transaction_id query parameter is required.",
        )
    if not PAYMENT_ID.match(transaction_id):
        raise Problem(
            400,
            "INVALID_PARAMETER_SYNTAX",
            field="transaction_id",
            value=transaction_id,
            location="query",
            description="The transaction_id must be 1 to 50 letters and digits.",
        )
    check_account_id(request)
    if state.find_capture(transaction_id) is None:
        raise Problem(
            404,
            "INVALID_TRANSACTION_ID",
            field="transaction_id",
            value=transaction_id,
            location="query",
            description="The PayPal transaction id is invalid",
        )

    tracking_number = query.get("tracking_number")
    trackers = [
        tracker
        for tracker in state.capture_trackers(transaction_id)
        if tracking_number is None or tracker.tracking_number == tracking_number
    ]
    origin = request_origin(request)
    self_query = {"transaction_id": transaction_id}
    if tracking_number is not None:
        self_query["tracking_number"] = tracking_number
    self_url = f"{origin}/v1/shipping/trackers?{urllib.parse.urlencode(self_query)}"
    # NOTE: the 1.6 spec says this returns one tracker, while PayPal's newer reference
    # describes a tracker_list with trackers[]. The emulator returns the list.
    body = {
        "trackers": [render_shipping_tracker(tracker, origin) for tracker in trackers],
        "links": [link(self_url, "self", "GET")],
    }
    return json_response(200, body)


def _find_tracker(state: PayPalState, tracker_id: str) -> Tracker:
    # The spec's path pattern for the id (^[a-zA-Z0-9-_]*$, at most 100 characters) rejects
    # ids of valid trackers, whose tracking number may hold other ASCII characters and whose
    # id may have 115, so the id is only looked up.
    tracker = state.trackers.get(tracker_id)
    if tracker is None:
        # NOTE: PayPal was seen naming an unknown tracker INVALID_TRACKER_ID ("Invalid data
        # provided"), but its HTTP status and error shape are not established. The emulator
        # returns 404 RESOURCE_NOT_FOUND with that issue.
        raise Problem(
            404,
            "INVALID_TRACKER_ID",
            field="id",
            value=tracker_id,
            location="path",
            description=f"No tracker has id {tracker_id}. Tracker ids are "
            "transaction_id-tracking_number.",
        )
    return tracker


def get_tracker(
    state: PayPalState, request: httpx.Request, params: Mapping[str, str]
) -> httpx.Response:
    tracker = _find_tracker(state, params["id"])
    check_account_id(request)
    return json_response(200, render_shipping_tracker(tracker, request_origin(request)))


def replace_tracker(
    state: PayPalState, request: httpx.Request, params: Mapping[str, str]
) -> httpx.Response:
    """Replace every Tracking API v1 field of a tracker and return 204 with no body."""
    stored = _find_tracker(state, params["id"])
    replacement = parse_tracker(read_json(request), "")
    if replacement.tracker_id != stored.id:
        raise Problem(
            400,
            "INVALID_PARAMETER_VALUE",
            field="id",
            value=params["id"],
            location="path",
            description=f"The body describes tracker {replacement.tracker_id}, not "
            f"{stored.id}. The id must be transaction_id-tracking_number of the body.",
        )

    before = render_shipping_tracker(stored, "")
    candidate = attrs.evolve(stored)
    _replace_fields(candidate, replacement)
    if render_shipping_tracker(candidate, "") == before:
        # NOTE: PayPal was seen rejecting repeated identical updates with HTTP 400 and this
        # name and message. Whether it rejects the first unchanged update, and the exact
        # body, are not established. The emulator rejects every update that changes nothing.
        raise Problem(
            400,
            name="Number of Updates More than Permissible",
            message="The requested resource ID was not found",
        )

    now = rfc3339_now()
    _replace_fields(stored, replacement)
    stored.update_time = now
    _touch_order(state, stored.capture_id, now)
    return httpx.Response(204)
