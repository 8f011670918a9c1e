"""GET /v2/checkout/orders/{id}: the request and reading the payment from the order."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from providers.paypal.paypal_support import (
    BASE_URL,
    CAPTURE_ID,
    ORDER_ID,
    TOKEN,
    load_golden,
    make_payment,
    respond,
)
from tracksync import PaymentState, RemotePayment, ShipmentStatus, Tracker
from tracksync.errors import PayPalError
from tracksync.providers.paypal._http import quote_id
from tracksync.providers.paypal._orders import build_get_order, parse_order, read_payment

AUTHORIZATION_ID = "0VF52814937998046"
REFUND_ID = "1JU08902781691411"
FIRST_CAPTURE, SECOND_CAPTURE = "2GG279541U471931P", "7TK53561YB803214S"


def read(golden: str, payment_id: str = CAPTURE_ID) -> RemotePayment:
    return parse_order(make_payment(payment_id), respond(200, load_golden(golden)))


def with_capture_status(status: str) -> dict[str, Any]:
    order: dict[str, Any] = copy.deepcopy(load_golden("order_completed.json"))
    order["purchase_units"][0]["payments"]["captures"][0]["status"] = status
    return order


# build_get_order


def test_get_order_url() -> None:
    request = build_get_order(BASE_URL, ORDER_ID, token=TOKEN)
    assert (
        request.method,
        str(request.url),
    ) == ("GET", f"{BASE_URL}/v2/checkout/orders/{ORDER_ID}")


def test_get_order_headers() -> None:
    request = build_get_order(BASE_URL, ORDER_ID, token=TOKEN)
    assert (
        request.headers["Authorization"],
        request.headers["Accept"],
    ) == (f"Bearer {TOKEN}", "application/json")


def test_get_order_has_no_body() -> None:
    request = build_get_order(BASE_URL, ORDER_ID, token=TOKEN)
    assert (request.content, request.headers.get("Content-Type")) == (b"", None)


def test_get_order_quotes_id() -> None:
    request = build_get_order(BASE_URL, "A/B C", token=TOKEN)
    assert request.url.raw_path.decode() == "/v2/checkout/orders/A%2FB%20C"


def test_quote_id_escapes_slash() -> None:
    assert quote_id("1Z/99 X") == "1Z%2F99%20X"


# Captures


def test_completed_capture_is_ready() -> None:
    remote = read("order_completed.json")
    assert (
        remote.state,
        remote.target_id,
        remote.message,
    ) == (PaymentState.READY, CAPTURE_ID, None)


def test_completed_capture_trackers() -> None:
    expected = (
        Tracker(
            tracking_number="443844607820",
            status=ShipmentStatus.SHIPPED,
            tracker_id=f"{CAPTURE_ID}-443844607820",
        ),
        Tracker(
            tracking_number="1Z999AA10123456784",
            status=ShipmentStatus.CANCELLED,
            tracker_id=f"{CAPTURE_ID}-1Z999AA10123456784",
        ),
    )
    assert read("order_completed.json").trackers == expected


def test_partially_refunded_capture_is_ready() -> None:
    payment = make_payment()
    remote = read_payment(payment, with_capture_status("PARTIALLY_REFUNDED"))
    assert remote.state == PaymentState.READY


def test_pending_capture_waits() -> None:
    remote = read("order_pending.json")
    assert remote.state == PaymentState.WAITING_FOR_CAPTURE


def test_pending_capture_message() -> None:
    message = read("order_pending.json").message or ""
    assert "PENDING_REVIEW" in message
    assert "next run" in message


@pytest.mark.parametrize("status", ["REFUNDED", "DECLINED", "FAILED"])
def test_final_capture_is_unusable(status: str) -> None:
    remote = read_payment(make_payment(), with_capture_status(status))
    assert remote.state == PaymentState.UNUSABLE
    assert f"is {status}" in (remote.message or "")


def test_refunded_capture_golden() -> None:
    assert read("order_refunded.json").state == PaymentState.UNUSABLE


def test_unknown_capture_status_is_unusable() -> None:
    remote = read_payment(make_payment(), with_capture_status("ON_REVIEW"))
    assert remote.state == PaymentState.UNUSABLE
    assert "'ON_REVIEW'" in (remote.message or "")


# Trackers


def test_trackers_only_of_capture() -> None:
    remote = read("order_authorized_captured.json", FIRST_CAPTURE)
    assert tuple(t.tracking_number for t in remote.trackers) == ("443844607820",)


def test_unknown_tracker_status_kept_raw() -> None:
    order: dict[str, Any] = copy.deepcopy(load_golden("order_completed.json"))
    order["purchase_units"][0]["shipping"]["trackers"][0]["status"] = "DELIVERED"
    tracker = read_payment(make_payment(), order).trackers[0]
    assert (tracker.status, tracker.raw_status, tracker.is_active) == (None, "DELIVERED", True)


def test_tracker_id_with_any_number() -> None:
    # The spec's tracker_id pattern would reject the dash and the lower-case letters.
    order: dict[str, Any] = copy.deepcopy(load_golden("order_completed.json"))
    order["purchase_units"][0]["shipping"]["trackers"] = [
        {"id": f"{CAPTURE_ID}-jd-0146 00/7", "status": "SHIPPED"}
    ]
    tracker = read_payment(make_payment(), order).trackers[0]
    assert tracker.tracking_number == "jd-0146 00/7"


def test_tracker_without_number_skipped() -> None:
    order: dict[str, Any] = copy.deepcopy(load_golden("order_completed.json"))
    order["purchase_units"][0]["shipping"]["trackers"] = [{"id": f"{CAPTURE_ID}-"}, {}]
    assert read_payment(make_payment(), order).trackers == ()


def test_order_without_shipping_has_no_trackers() -> None:
    order: dict[str, Any] = copy.deepcopy(load_golden("order_completed.json"))
    del order["purchase_units"][0]["shipping"]
    assert read_payment(make_payment(), order).trackers == ()


# Authorizations, refunds and unknown ids


def test_uncaptured_authorization_waits() -> None:
    remote = read("order_authorized.json", AUTHORIZATION_ID)
    assert remote.state == PaymentState.WAITING_FOR_CAPTURE
    assert "(status CREATED)" in (remote.message or "")


def test_captured_authorization_is_unusable() -> None:
    remote = read("order_authorized_captured.json", AUTHORIZATION_ID)
    assert remote.state == PaymentState.UNUSABLE


def test_captured_authorization_names_captures() -> None:
    message = read("order_authorized_captured.json", AUTHORIZATION_ID).message or ""
    assert f"put one of {FIRST_CAPTURE}, {SECOND_CAPTURE} in the payment_id column" in message


def test_voided_authorization_is_unusable() -> None:
    order: dict[str, Any] = copy.deepcopy(load_golden("order_authorized.json"))
    order["purchase_units"][0]["payments"]["authorizations"][0]["status"] = "VOIDED"
    remote = read_payment(make_payment(AUTHORIZATION_ID), order)
    assert remote.state == PaymentState.UNUSABLE


def test_refund_id_is_unusable() -> None:
    remote = read("order_refunded.json", REFUND_ID)
    assert remote.state == PaymentState.UNUSABLE


def test_refund_id_names_capture() -> None:
    message = read("order_refunded.json", REFUND_ID).message or ""
    assert f"put {CAPTURE_ID} in the payment_id column" in message


def test_unknown_id_not_found() -> None:
    remote = read("order_authorized_captured.json", "9XX11111AA2222222")
    assert remote.state == PaymentState.NOT_FOUND


def test_unknown_id_lists_captures() -> None:
    message = read("order_authorized_captured.json", "9XX11111AA2222222").message or ""
    assert f"Its captures are {FIRST_CAPTURE}, {SECOND_CAPTURE}." in message


def test_unknown_id_without_captures() -> None:
    message = read("order_authorized.json", "9XX11111AA2222222").message or ""
    assert "It has no captures yet (status COMPLETED)." in message


# Responses that are not an order


def test_missing_order_not_found() -> None:
    remote = parse_order(make_payment(), respond(404, load_golden("error_404.json")))
    assert remote.state == PaymentState.NOT_FOUND
    assert f"PayPal has no order {ORDER_ID}" in (remote.message or "")


def test_server_error_raises() -> None:
    with pytest.raises(PayPalError) as caught:
        parse_order(make_payment(), respond(500, "upstream timed out"))
    assert caught.value.status == 500


def test_order_body_not_json_raises() -> None:
    with pytest.raises(PayPalError) as caught:
        parse_order(make_payment(), respond(200, "<html></html>"))
    assert "not a JSON order" in str(caught.value)
