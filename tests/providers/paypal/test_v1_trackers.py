"""Tracking v1 reads and the tracker object sent by batch adds and PUT."""

from __future__ import annotations

import datetime
import json

import httpx
import pytest

from providers.paypal.paypal_support import (
    BASE_URL,
    CAPTURE_ID,
    TOKEN,
    load_golden,
    make_shipment,
    respond,
)
from tracksync import ChangeResult, Outcome, Shipment, ShipmentStatus, Tracker
from tracksync.errors import InvalidInputError, PayPalError
from tracksync.providers.paypal._v1_trackers import (
    build_list_trackers,
    build_put_tracker,
    check_ascii,
    parse_put_tracker,
    parse_tracker_list,
    tracker_body,
)

TRACKER_ID = f"{CAPTURE_ID}-443844607820"
FEDEX = Tracker(
    tracking_number="443844607820",
    carrier="FEDEX",
    status=ShipmentStatus.SHIPPED,
    tracker_id=TRACKER_ID,
)


# GET /v1/shipping/trackers


def test_list_request_url() -> None:
    request = build_list_trackers(BASE_URL, CAPTURE_ID, token=TOKEN)
    expected = f"{BASE_URL}/v1/shipping/trackers?transaction_id={CAPTURE_ID}"
    assert (request.method, str(request.url)) == ("GET", expected)


def test_single_tracker_shape() -> None:
    trackers = parse_tracker_list(respond(200, load_golden("v1_tracker.json")), CAPTURE_ID)
    assert trackers == (FEDEX,)


def test_tracker_list_shape() -> None:
    trackers = parse_tracker_list(respond(200, load_golden("v1_tracker_list.json")), CAPTURE_ID)
    assert [tracker.tracking_number for tracker in trackers] == [
        "443844607820",
        "JD014600006281230000",
        "9400111899223100001234",
        "1Z999AA10123456784",
    ]


def test_other_carrier_read_as_name() -> None:
    trackers = parse_tracker_list(respond(200, load_golden("v1_tracker_list.json")), CAPTURE_ID)
    assert (trackers[1].carrier, trackers[1].status) == (
        "Kurier Nowak Express",
        ShipmentStatus.DELIVERED,
    )


def test_other_status_kept_raw() -> None:
    trackers = parse_tracker_list(respond(200, load_golden("v1_tracker_list.json")), CAPTURE_ID)
    assert (trackers[2].status, trackers[2].raw_status) == (None, "IN_TRANSIT")


def test_cancelled_tracker_inactive() -> None:
    trackers = parse_tracker_list(respond(200, load_golden("v1_tracker_list.json")), CAPTURE_ID)
    assert (trackers[3].status, trackers[3].is_active) == (ShipmentStatus.CANCELLED, False)


def test_tracker_ids_built() -> None:
    trackers = parse_tracker_list(respond(200, load_golden("v1_tracker_list.json")), CAPTURE_ID)
    ids = [tracker.tracker_id for tracker in trackers]
    assert ids == [f"{CAPTURE_ID}-{tracker.tracking_number}" for tracker in trackers]


@pytest.mark.parametrize("response", [respond(200), respond(200, {}), respond(200, {"links": []})])
def test_empty_response_no_trackers(response: httpx.Response) -> None:
    assert parse_tracker_list(response, CAPTURE_ID) == ()


def test_404_no_trackers() -> None:
    assert parse_tracker_list(respond(404, load_golden("error_404_payment.json")), CAPTURE_ID) == ()


def test_list_error_raises() -> None:
    with pytest.raises(PayPalError) as caught:
        parse_tracker_list(respond(500, "oops"), CAPTURE_ID)
    assert f"Reading the trackers of PayPal capture {CAPTURE_ID}" in caught.value.message


def test_tracker_of_other_capture_skipped() -> None:
    body = dict(load_golden("v1_tracker.json"), transaction_id="9ZZ00000000000000")
    assert parse_tracker_list(respond(200, body), CAPTURE_ID) == ()


def test_tracker_without_number_skipped() -> None:
    body = {"trackers": [{"transaction_id": CAPTURE_ID, "status": "SHIPPED"}]}
    assert parse_tracker_list(respond(200, body), CAPTURE_ID) == ()


# The tracker object


def batch_shipments() -> list[tuple[Shipment, ShipmentStatus]]:
    return [
        (
            make_shipment(items=(), shipped_on=datetime.date(2024, 2, 5)),
            ShipmentStatus.SHIPPED,
        ),
        (
            make_shipment(
                tracking_number="JD014600006281230000",
                carrier="Kurier Nowak Express",
                status=ShipmentStatus.DELIVERED,
                notify_buyer=True,
                items=(),
            ),
            ShipmentStatus.DELIVERED,
        ),
        (
            make_shipment(
                tracking_number="15501234567890",
                carrier="DPD_UK",
                status=ShipmentStatus.ON_HOLD,
                items=(),
            ),
            ShipmentStatus.ON_HOLD,
        ),
    ]


def test_tracker_bodies_match_golden() -> None:
    bodies = [
        tracker_body(
            CAPTURE_ID,
            shipment,
            status=status,
            carrier=shipment.carrier,
            notify_buyer=shipment.notify_buyer,
        )
        for shipment, status in batch_shipments()
    ]
    assert {"trackers": bodies} == load_golden("request_v1_batch.json")


def test_shipment_date_is_date_only() -> None:
    shipment = make_shipment(shipped_on=datetime.date(2024, 12, 31))
    body = tracker_body(
        CAPTURE_ID, shipment, status=ShipmentStatus.SHIPPED, carrier="UPS", notify_buyer=False
    )
    assert body["shipment_date"] == "2024-12-31"


def test_body_without_date() -> None:
    body = tracker_body(
        CAPTURE_ID,
        make_shipment(),
        status=ShipmentStatus.SHIPPED,
        carrier="UPS",
        notify_buyer=False,
    )
    assert "shipment_date" not in body


def test_body_has_no_items() -> None:
    body = tracker_body(
        CAPTURE_ID,
        make_shipment(),
        status=ShipmentStatus.SHIPPED,
        carrier="UPS",
        notify_buyer=False,
    )
    assert "items" not in body


def test_non_ascii_number_rejected() -> None:
    shipment = make_shipment(tracking_number="ÄB123")
    with pytest.raises(InvalidInputError) as caught:
        tracker_body(
            CAPTURE_ID, shipment, status=ShipmentStatus.SHIPPED, carrier="UPS", notify_buyer=False
        )
    assert "outside ASCII" in str(caught.value)


def test_check_ascii_accepts_ascii() -> None:
    assert check_ascii("1Z999AA10123456784") is None


# PUT /v1/shipping/trackers/{id}


def test_put_request() -> None:
    body = load_golden("request_v1_update.json")
    request = build_put_tracker(BASE_URL, TRACKER_ID, body, token=TOKEN)
    assert (request.method, str(request.url)) == (
        "PUT",
        f"{BASE_URL}/v1/shipping/trackers/{TRACKER_ID}",
    )
    assert json.loads(request.content) == body


def test_put_result() -> None:
    result = parse_put_tracker(
        respond(204), outcome=Outcome.UPDATED, tracker_id=TRACKER_ID, action="Updating"
    )
    assert result == ChangeResult(outcome=Outcome.UPDATED, tracker_id=TRACKER_ID)


def test_put_error_raises() -> None:
    with pytest.raises(PayPalError) as caught:
        parse_put_tracker(
            respond(400, load_golden("error_400.json")),
            outcome=Outcome.UPDATED,
            tracker_id=TRACKER_ID,
            action="Updating tracker X",
        )
    assert caught.value.message.startswith("Updating tracker X failed")
