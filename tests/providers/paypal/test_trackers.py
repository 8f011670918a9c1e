"""POST /track and PATCH /trackers/{id}: the exact requests and reading their results."""

from __future__ import annotations

import json

import pytest

from providers.paypal.paypal_support import (
    BASE_URL,
    CAPTURE_ID,
    ORDER_ID,
    TOKEN,
    load_golden,
    make_shipment,
    respond,
)
from tracksync import ChangeResult, Item, Outcome
from tracksync.errors import PayPalError
from tracksync.providers.paypal._trackers import (
    add_tracker_body,
    build_add_tracker,
    build_cancel_tracker,
    parse_added_tracker,
    parse_cancelled_tracker,
)

TRACKER_ID = f"{CAPTURE_ID}-443844607820"


# The /track body


def test_track_body_matches_golden() -> None:
    assert add_tracker_body(CAPTURE_ID, make_shipment()) == load_golden("request_track.json")


def test_track_body_for_carrier_name() -> None:
    shipment = make_shipment(
        tracking_number="JD014600006281230000",
        carrier="Kurier Nowak Express",
        items=(),
        notify_buyer=True,
    )
    expected = load_golden("request_track_other.json")
    assert add_tracker_body(CAPTURE_ID, shipment) == expected


def test_track_body_without_items() -> None:
    body = add_tracker_body(CAPTURE_ID, make_shipment(items=()))
    assert "items" not in body


def test_track_body_has_no_status() -> None:
    body = add_tracker_body(CAPTURE_ID, make_shipment())
    assert set() == {"status", "transaction_id"} & set(body)


def test_track_item_name_cut_to_127() -> None:
    shipment = make_shipment(items=[Item(name="n" * 200)])
    assert add_tracker_body(CAPTURE_ID, shipment)["items"][0]["name"] == "n" * 127


# build_add_tracker


def test_add_request_url() -> None:
    request = build_add_tracker(BASE_URL, ORDER_ID, CAPTURE_ID, make_shipment(), token=TOKEN)
    assert (
        request.method,
        str(request.url),
    ) == ("POST", f"{BASE_URL}/v2/checkout/orders/{ORDER_ID}/track")


def test_add_request_headers() -> None:
    request = build_add_tracker(BASE_URL, ORDER_ID, CAPTURE_ID, make_shipment(), token=TOKEN)
    assert (
        request.headers["Authorization"],
        request.headers["Accept"],
        request.headers["Content-Type"],
    ) == (f"Bearer {TOKEN}", "application/json", "application/json")


def test_add_request_has_no_request_id() -> None:
    request = build_add_tracker(BASE_URL, ORDER_ID, CAPTURE_ID, make_shipment(), token=TOKEN)
    assert "PayPal-Request-Id" not in request.headers


def test_add_request_body() -> None:
    request = build_add_tracker(BASE_URL, ORDER_ID, CAPTURE_ID, make_shipment(), token=TOKEN)
    assert json.loads(request.content) == load_golden("request_track.json")


# build_cancel_tracker


def test_cancel_request_url() -> None:
    request = build_cancel_tracker(BASE_URL, ORDER_ID, TRACKER_ID, token=TOKEN)
    assert (
        request.method,
        str(request.url),
    ) == ("PATCH", f"{BASE_URL}/v2/checkout/orders/{ORDER_ID}/trackers/{TRACKER_ID}")


def test_cancel_request_body() -> None:
    request = build_cancel_tracker(BASE_URL, ORDER_ID, TRACKER_ID, token=TOKEN)
    assert json.loads(request.content) == load_golden("request_cancel.json")


def test_cancel_request_content_type() -> None:
    request = build_cancel_tracker(BASE_URL, ORDER_ID, TRACKER_ID, token=TOKEN)
    assert request.headers["Content-Type"] == "application/json"


def test_cancel_request_quotes_tracker_id() -> None:
    request = build_cancel_tracker(BASE_URL, ORDER_ID, f"{CAPTURE_ID}-AB 12/3", token=TOKEN)
    expected = f"/v2/checkout/orders/{ORDER_ID}/trackers/{CAPTURE_ID}-AB%2012%2F3"
    assert request.url.raw_path.decode() == expected


# parse_added_tracker and parse_cancelled_tracker


@pytest.mark.parametrize("status", [200, 201])
def test_added_tracker_id_from_order(status: int) -> None:
    response = respond(status, load_golden("order_completed.json"))
    result = parse_added_tracker(
        response, order_id=ORDER_ID, capture_id=CAPTURE_ID, tracking_number="443844607820"
    )
    assert result == ChangeResult(outcome=Outcome.ADDED, tracker_id=TRACKER_ID)


def test_added_tracker_id_case_from_order() -> None:
    order = load_golden("order_completed.json")
    order["purchase_units"][0]["shipping"]["trackers"][0]["id"] = f"{CAPTURE_ID}-AB12"
    result = parse_added_tracker(
        respond(201, order), order_id=ORDER_ID, capture_id=CAPTURE_ID, tracking_number="ab12"
    )
    assert result.tracker_id == f"{CAPTURE_ID}-AB12"


def test_added_tracker_id_built_without_body() -> None:
    result = parse_added_tracker(
        respond(201), order_id=ORDER_ID, capture_id=CAPTURE_ID, tracking_number="NEW1"
    )
    assert result == ChangeResult(outcome=Outcome.ADDED, tracker_id=f"{CAPTURE_ID}-NEW1")


def test_add_rejected_raises() -> None:
    with pytest.raises(PayPalError) as caught:
        parse_added_tracker(
            respond(422, load_golden("error_422.json")),
            order_id=ORDER_ID,
            capture_id=CAPTURE_ID,
            tracking_number="443844607820",
        )
    assert caught.value.issues == ("CAPTURE_STATUS_NOT_VALID",)


def test_add_error_names_tracker() -> None:
    with pytest.raises(PayPalError) as caught:
        parse_added_tracker(
            respond(400, load_golden("error_400.json")),
            order_id=ORDER_ID,
            capture_id=CAPTURE_ID,
            tracking_number="443844607820",
        )
    expected = f"Adding tracker 443844607820 to capture {CAPTURE_ID} of PayPal order {ORDER_ID}"
    assert caught.value.message.startswith(expected)


def test_cancelled_tracker() -> None:
    result = parse_cancelled_tracker(respond(204), order_id=ORDER_ID, tracker_id=TRACKER_ID)
    assert result == ChangeResult(outcome=Outcome.CANCELLED, tracker_id=TRACKER_ID)


def test_cancel_unknown_tracker_raises() -> None:
    with pytest.raises(PayPalError) as caught:
        parse_cancelled_tracker(
            respond(404, load_golden("error_404_tracker.json")),
            order_id=ORDER_ID,
            tracker_id=TRACKER_ID,
        )
    assert caught.value.issues == ("TRACKER_ID_NOT_FOUND",)


def test_track_body_maps_known_name() -> None:
    shipment = make_shipment(carrier="Royal Mail Tracked 24", items=())
    body = add_tracker_body(CAPTURE_ID, shipment)
    assert body["carrier"] == "ROYAL_MAIL"
    assert "carrier_name_other" not in body
