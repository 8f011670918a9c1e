"""PayPalProvider on payments without an order id: Payments v2 checks and the v1 tracking API.

Every request goes through pytest-httpx and is checked against PayPal's specs.
"""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from providers.paypal.paypal_support import (
    AUTHORIZATION_ID,
    AUTHORIZATION_URL,
    BASE_URL,
    CAPTURE_ID,
    CAPTURE_URL,
    CLIENT_ID,
    CLIENT_SECRET,
    ORDER_ID,
    ORDER_URL,
    REFUND_ID,
    REFUND_URL,
    V1_BATCH_URL,
    V1_LIST_URL,
    V1_TRACKER_URL,
    FakeClock,
    add_token,
    load_golden,
    make_payment,
    make_shipment,
)
from tracksync import (
    Change,
    ChangeKind,
    ChangeResult,
    Order,
    Outcome,
    PaymentRef,
    PaymentState,
    Reconciler,
    RetryPolicy,
    ShipmentStatus,
    Tracker,
)
from tracksync.errors import InvalidInputError, PayPalError
from tracksync.providers.paypal import V1_CAPABILITIES, PayPalProvider

TRACKER_ID = f"{CAPTURE_ID}-443844607820"


@pytest.fixture
def provider() -> Iterator[PayPalProvider]:
    with PayPalProvider(
        CLIENT_ID, CLIENT_SECRET, clock=FakeClock(), retry=RetryPolicy(attempts=1)
    ) as provider:
        yield provider


def v1_payment(payment_id: str = CAPTURE_ID) -> PaymentRef:
    return make_payment(payment_id, order_id=None)


def not_found(httpx_mock: HTTPXMock, url: str) -> None:
    httpx_mock.add_response(
        method="GET", url=url, status_code=404, json=load_golden("error_404_payment.json")
    )


def add_capture(
    httpx_mock: HTTPXMock, golden: str = "capture_completed.json", **fields: Any
) -> None:
    httpx_mock.add_response(method="GET", url=CAPTURE_URL, json=dict(load_golden(golden), **fields))


def add_list(httpx_mock: HTTPXMock, golden: str = "v1_tracker_list.json") -> None:
    httpx_mock.add_response(method="GET", url=V1_LIST_URL, json=load_golden(golden))


def v1_change(kind: ChangeKind = ChangeKind.ADD, **fields: Any) -> Change:
    values: dict[str, Any] = {
        "kind": kind,
        "order_id": "1001",
        "payment": v1_payment(),
        "shipment": make_shipment(items=(), shipped_on=datetime.date(2024, 2, 5)),
        "target_id": CAPTURE_ID,
    }
    values.update(fields)
    return Change(**values)


def fedex(status: ShipmentStatus = ShipmentStatus.SHIPPED, carrier: str = "FEDEX") -> Tracker:
    return Tracker(
        tracking_number="443844607820", carrier=carrier, status=status, tracker_id=TRACKER_ID
    )


def sent_paths(httpx_mock: HTTPXMock) -> list[str]:
    return [
        f"{request.method} {request.url.path}"
        for request in httpx_mock.get_requests()
        if request.url.path != "/v1/oauth2/token"
    ]


# Choosing the API


def test_auto_uses_orders_v2_with_order_id(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="GET", url=ORDER_URL, json=load_golden("order_completed.json"))
    provider.fetch(make_payment())
    assert sent_paths(httpx_mock) == [f"GET /v2/checkout/orders/{ORDER_ID}"]


def test_auto_uses_v1_without_order_id(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    add_capture(httpx_mock)
    add_list(httpx_mock)
    provider.fetch(v1_payment())
    assert sent_paths(httpx_mock) == [
        f"GET /v2/payments/captures/{CAPTURE_ID}",
        "GET /v1/shipping/trackers",
    ]


def test_forced_v1_ignores_order_id(httpx_mock: HTTPXMock) -> None:
    add_token(httpx_mock)
    add_capture(httpx_mock)
    add_list(httpx_mock)
    with PayPalProvider(CLIENT_ID, CLIENT_SECRET, api="v1") as provider:
        remote = provider.fetch(make_payment())
    assert remote.capabilities == V1_CAPABILITIES


def test_forced_orders_v2_needs_order_id() -> None:
    with PayPalProvider(CLIENT_ID, CLIENT_SECRET, api="orders_v2") as provider:
        message = provider.check_payment(v1_payment()) or ""
    assert "api='orders_v2'" in message
    assert "paypal_order_id" in message


def test_unknown_api_rejected() -> None:
    from tracksync.errors import ConfigurationError

    with pytest.raises(ConfigurationError) as caught:
        PayPalProvider(CLIENT_ID, CLIENT_SECRET, api="v3")  # type: ignore[arg-type]
    assert "'auto', 'orders_v2' or 'v1'" in str(caught.value)


def test_v1_mode_capabilities() -> None:
    with PayPalProvider(CLIENT_ID, CLIENT_SECRET, api="v1") as provider:
        assert provider.capabilities == V1_CAPABILITIES


# fetch: captures


def test_fetch_ready_with_trackers(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    add_capture(httpx_mock)
    add_list(httpx_mock)
    remote = provider.fetch(v1_payment())
    assert (remote.state, remote.target_id, len(remote.trackers)) == (
        PaymentState.READY,
        CAPTURE_ID,
        4,
    )
    assert remote.capabilities == V1_CAPABILITIES


def test_fetch_single_tracker_shape(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    add_capture(httpx_mock)
    add_list(httpx_mock, "v1_tracker.json")
    assert provider.fetch(v1_payment()).trackers == (fedex(),)


def test_fetch_no_trackers_404(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    add_capture(httpx_mock)
    not_found(httpx_mock, V1_LIST_URL)
    remote = provider.fetch(v1_payment())
    assert (remote.state, remote.trackers) == (PaymentState.READY, ())


def test_fetch_no_trackers_empty_body(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    add_capture(httpx_mock)
    httpx_mock.add_response(method="GET", url=V1_LIST_URL, status_code=200)
    assert provider.fetch(v1_payment()).trackers == ()


def test_fetch_pending_capture_waits(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    add_capture(httpx_mock, "capture_pending.json")
    remote = provider.fetch(v1_payment())
    assert remote.state == PaymentState.WAITING_FOR_CAPTURE
    assert sent_paths(httpx_mock) == [f"GET /v2/payments/captures/{CAPTURE_ID}"]


@pytest.mark.parametrize("status", ["REFUNDED", "DECLINED", "FAILED"])
def test_fetch_final_capture_unusable(
    status: str, httpx_mock: HTTPXMock, provider: PayPalProvider
) -> None:
    add_token(httpx_mock)
    add_capture(httpx_mock, status=status)
    assert provider.fetch(v1_payment()).state == PaymentState.UNUSABLE


def test_fetch_capture_error(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="GET", url=CAPTURE_URL, status_code=500, text="oops")
    with pytest.raises(PayPalError) as caught:
        provider.fetch(v1_payment())
    assert f"Reading PayPal capture {CAPTURE_ID} failed" in caught.value.message


def test_fetch_invalid_id_sends_nothing(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    with pytest.raises(InvalidInputError):
        provider.fetch(v1_payment("pi_3MtwBwLkdIwHu7ix"))
    assert httpx_mock.get_requests() == []


# fetch: what else the id is


def test_fetch_unknown_id_not_found(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    not_found(httpx_mock, f"{BASE_URL}/v2/payments/captures/5TY05013RG002846N")
    not_found(httpx_mock, f"{BASE_URL}/v2/payments/refunds/5TY05013RG002846N")
    not_found(httpx_mock, f"{BASE_URL}/v2/payments/authorizations/5TY05013RG002846N")
    remote = provider.fetch(v1_payment("5TY05013RG002846N"))
    assert remote.state == PaymentState.NOT_FOUND
    assert "5TY05013RG002846N" in (remote.message or "")


def test_fetch_refund_uses_its_capture(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    not_found(httpx_mock, f"{BASE_URL}/v2/payments/captures/{REFUND_ID}")
    httpx_mock.add_response(method="GET", url=REFUND_URL, json=load_golden("refund.json"))
    add_capture(httpx_mock, status="PARTIALLY_REFUNDED")
    add_list(httpx_mock, "v1_tracker.json")
    remote = provider.fetch(v1_payment(REFUND_ID))
    assert (remote.state, remote.target_id, remote.trackers) == (
        PaymentState.READY,
        CAPTURE_ID,
        (fedex(),),
    )
    assert f"{REFUND_ID} is a PayPal refund id" in (remote.message or "")
    assert f"put {CAPTURE_ID} in the payment_id column" in (remote.message or "")


def test_refund_id_never_sent_as_capture(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    not_found(httpx_mock, f"{BASE_URL}/v2/payments/captures/{REFUND_ID}")
    httpx_mock.add_response(method="GET", url=REFUND_URL, json=load_golden("refund.json"))
    add_capture(httpx_mock)
    add_list(httpx_mock, "v1_tracker.json")
    provider.fetch(v1_payment(REFUND_ID))
    [listing] = httpx_mock.get_requests(method="GET", url=V1_LIST_URL)
    assert listing.url.params["transaction_id"] == CAPTURE_ID


def test_fetch_refund_without_link(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    refund = load_golden("refund.json")
    refund["links"] = refund["links"][:1]
    add_token(httpx_mock)
    not_found(httpx_mock, f"{BASE_URL}/v2/payments/captures/{REFUND_ID}")
    httpx_mock.add_response(method="GET", url=REFUND_URL, json=refund)
    remote = provider.fetch(v1_payment(REFUND_ID))
    message = remote.message or ""
    assert remote.state == PaymentState.UNUSABLE
    assert f"{REFUND_ID} is a PayPal refund id, not a capture id" in message
    assert "put the capture id of the refunded payment in the payment_id column" in message


def test_fetch_fully_refunded_capture(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    not_found(httpx_mock, f"{BASE_URL}/v2/payments/captures/{REFUND_ID}")
    httpx_mock.add_response(method="GET", url=REFUND_URL, json=load_golden("refund.json"))
    add_capture(httpx_mock, status="REFUNDED")
    remote = provider.fetch(v1_payment(REFUND_ID))
    assert remote.state == PaymentState.UNUSABLE
    assert f"PayPal capture {CAPTURE_ID} is REFUNDED" in (remote.message or "")


def authorization_order(*statuses: str) -> dict[str, Any]:
    order: dict[str, Any] = copy.deepcopy(load_golden("order_authorized_captured.json"))
    captures = order["purchase_units"][0]["payments"]["captures"]
    for capture, status in zip(captures, statuses, strict=True):
        capture["status"] = status
    return order


def mock_authorization(httpx_mock: HTTPXMock, order: dict[str, Any] | None) -> None:
    add_token(httpx_mock)
    not_found(httpx_mock, f"{BASE_URL}/v2/payments/captures/{AUTHORIZATION_ID}")
    not_found(httpx_mock, f"{BASE_URL}/v2/payments/refunds/{AUTHORIZATION_ID}")
    httpx_mock.add_response(
        method="GET", url=AUTHORIZATION_URL, json=load_golden("authorization.json")
    )
    if order is not None:
        httpx_mock.add_response(method="GET", url=ORDER_URL, json=order)


def test_fetch_authorization_uses_capture(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    mock_authorization(httpx_mock, authorization_order("COMPLETED", "DECLINED"))
    first_capture = "2GG279541U471931P"
    httpx_mock.add_response(
        method="GET",
        url=f"{BASE_URL}/v1/shipping/trackers?transaction_id={first_capture}",
        status_code=404,
    )
    remote = provider.fetch(v1_payment(AUTHORIZATION_ID))
    assert (remote.state, remote.target_id) == (PaymentState.READY, first_capture)
    assert f"{AUTHORIZATION_ID} is a PayPal authorization id of order {ORDER_ID}" in (
        remote.message or ""
    )
    assert all(AUTHORIZATION_ID not in str(r.url.params) for r in httpx_mock.get_requests())


def test_fetch_authorization_not_captured(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    mock_authorization(httpx_mock, load_golden("order_authorized.json"))
    remote = provider.fetch(v1_payment(AUTHORIZATION_ID))
    assert remote.state == PaymentState.WAITING_FOR_CAPTURE


def test_fetch_authorization_order_missing(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    mock_authorization(httpx_mock, None)
    not_found(httpx_mock, ORDER_URL)
    remote = provider.fetch(v1_payment(AUTHORIZATION_ID))
    message = remote.message or ""
    assert remote.state == PaymentState.UNUSABLE
    assert message.startswith(f"{AUTHORIZATION_ID} is a PayPal authorization, not a capture")
    assert f"could not read its order {ORDER_ID}" in message


# check_shipment: ASCII on v1


def test_v1_rejects_non_ascii_number(provider: PayPalProvider) -> None:
    message = provider.check_shipment(v1_payment(), make_shipment(tracking_number="ÄB123")) or ""
    assert "outside ASCII" in message
    assert "paypal_order_id" in message


def test_orders_v2_takes_unicode_number(provider: PayPalProvider) -> None:
    assert None is provider.check_shipment(make_payment(), make_shipment(tracking_number="ÄB123"))


def test_v1_takes_ascii_number(provider: PayPalProvider) -> None:
    assert None is provider.check_shipment(v1_payment(), make_shipment())


def test_forced_v1_message_names_mode() -> None:
    with PayPalProvider(CLIENT_ID, CLIENT_SECRET, api="v1") as provider:
        shipment = make_shipment(tracking_number="ÄB123")
        message = provider.check_shipment(make_payment(), shipment) or ""
    assert "api='v1'" in message


def test_apply_non_ascii_sends_nothing(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    change = v1_change(shipment=make_shipment(tracking_number="ÄB123", items=()))
    with pytest.raises(InvalidInputError):
        provider.apply(change)
    assert httpx_mock.get_requests() == []


# apply: add, update, cancel


def batch_response(*numbers: str) -> dict[str, Any]:
    return {
        "tracker_identifiers": [
            {"transaction_id": CAPTURE_ID, "tracking_number": number} for number in numbers
        ]
    }


def test_add_sends_batch(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="POST", url=V1_BATCH_URL, json=batch_response("443844607820"))
    result = provider.apply(v1_change())
    assert result == ChangeResult(outcome=Outcome.ADDED, tracker_id=TRACKER_ID)
    body = json.loads(httpx_mock.get_requests(url=V1_BATCH_URL)[0].content)
    assert body == {"trackers": [load_golden("request_v1_batch.json")["trackers"][0]]}


def test_add_unconfirmed_raises(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="POST", url=V1_BATCH_URL, json={})
    with pytest.raises(PayPalError) as caught:
        provider.apply(v1_change())
    assert "PayPal did not confirm tracker 443844607820" in caught.value.message


def test_add_translates_carrier(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="POST", url=V1_BATCH_URL, json=batch_response("443844607820"))
    provider.apply(v1_change(shipment=make_shipment(carrier="DPD_UK", items=())))
    body = json.loads(httpx_mock.get_requests(url=V1_BATCH_URL)[0].content)
    assert body["trackers"][0]["carrier"] == "UK_DPD"


def test_add_cancelled_rejected(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    change = v1_change(shipment=make_shipment(status=ShipmentStatus.CANCELLED, items=()))
    with pytest.raises(InvalidInputError):
        provider.apply(change)
    assert httpx_mock.get_requests() == []


def test_update_sends_put(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="PUT", url=V1_TRACKER_URL, status_code=204)
    shipment = make_shipment(
        items=(), status=ShipmentStatus.DELIVERED, shipped_on=datetime.date(2024, 2, 5)
    )
    result = provider.apply(v1_change(ChangeKind.UPDATE, shipment=shipment, current=fedex()))
    assert result == ChangeResult(outcome=Outcome.UPDATED, tracker_id=TRACKER_ID)
    body = json.loads(httpx_mock.get_requests(url=V1_TRACKER_URL)[0].content)
    assert body == load_golden("request_v1_update.json")


def test_update_no_op_sends_nothing(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    change = v1_change(ChangeKind.UPDATE, current=fedex())
    result = provider.apply(change)
    assert (result.outcome, result.tracker_id) == (Outcome.UNCHANGED, TRACKER_ID)
    assert httpx_mock.get_requests() == []


def test_update_alias_carrier_no_op(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    # PayPal stores UK_DPD, and the shop gives DPD_UK, the Orders v2 spelling of that code.
    change = v1_change(
        ChangeKind.UPDATE,
        shipment=make_shipment(carrier="DPD_UK", items=()),
        current=fedex(carrier="UK_DPD"),
    )
    assert provider.apply(change).outcome == Outcome.UNCHANGED
    assert httpx_mock.get_requests() == []


def test_cancel_sends_put(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="PUT", url=V1_TRACKER_URL, status_code=204)
    shipment = make_shipment(
        items=(), status=ShipmentStatus.CANCELLED, shipped_on=datetime.date(2024, 2, 5)
    )
    result = provider.apply(v1_change(ChangeKind.CANCEL, shipment=shipment, current=fedex()))
    assert result == ChangeResult(outcome=Outcome.CANCELLED, tracker_id=TRACKER_ID)
    body = json.loads(httpx_mock.get_requests(url=V1_TRACKER_URL)[0].content)
    assert body == load_golden("request_v1_cancel.json")


def test_cancel_keeps_held_carrier(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="PUT", url=V1_TRACKER_URL, status_code=204)
    shipment = make_shipment(carrier="UPS", items=(), status=ShipmentStatus.CANCELLED)
    provider.apply(v1_change(ChangeKind.CANCEL, shipment=shipment, current=fedex()))
    body = json.loads(httpx_mock.get_requests(url=V1_TRACKER_URL)[0].content)
    assert body["carrier"] == "FEDEX"


def test_cancel_of_cancelled_sends_nothing(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    current = fedex(status=ShipmentStatus.CANCELLED)
    change = v1_change(
        ChangeKind.CANCEL,
        shipment=make_shipment(status=ShipmentStatus.CANCELLED),
        current=current,
    )
    assert provider.apply(change).outcome == Outcome.UNCHANGED
    assert httpx_mock.get_requests() == []


def test_cancel_missing_tracker_unchanged(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(
        method="PUT",
        url=V1_TRACKER_URL,
        status_code=404,
        json=load_golden("error_404_payment.json"),
    )
    httpx_mock.add_response(method="GET", url=V1_LIST_URL, status_code=404)
    shipment = make_shipment(status=ShipmentStatus.CANCELLED, items=())
    result = provider.apply(v1_change(ChangeKind.CANCEL, shipment=shipment, current=fedex()))
    assert result.outcome == Outcome.UNCHANGED
    assert "has no active tracker 443844607820" in (result.note or "")


def test_cancel_404_with_active_tracker_fails(
    httpx_mock: HTTPXMock, provider: PayPalProvider
) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(
        method="PUT",
        url=V1_TRACKER_URL,
        status_code=404,
        json=load_golden("error_404_payment.json"),
    )
    add_list(httpx_mock, "v1_tracker.json")
    shipment = make_shipment(status=ShipmentStatus.CANCELLED, items=())
    with pytest.raises(PayPalError) as caught:
        provider.apply(v1_change(ChangeKind.CANCEL, shipment=shipment, current=fedex()))
    assert caught.value.status == 404


# apply_batch


def many_changes(count: int) -> list[Change]:
    return [
        v1_change(shipment=make_shipment(tracking_number=f"TN{index:04d}", items=()))
        for index in range(count)
    ]


def respond_with_errors(request: httpx.Request, failing: set[str], base: int) -> httpx.Response:
    """Confirm every tracker in the request but those in ``failing``, which get errors."""
    trackers = json.loads(request.content)["trackers"]
    identifiers, errors = [], []
    for position, tracker in enumerate(trackers):
        number = tracker["tracking_number"]
        if number in failing:
            errors.append(
                {
                    "name": "INVALID_REQUEST",
                    "message": "Request is not well-formed.",
                    "debug_id": "0a1b2c3d4e5f6",
                    "details": [
                        {
                            "field": f"/trackers/{position + base}/tracking_number",
                            "value": number,
                            "location": "body",
                            "issue": "INVALID_TRACKING_NUMBER",
                        }
                    ],
                }
            )
        else:
            identifiers.append({"transaction_id": CAPTURE_ID, "tracking_number": number})
    return httpx.Response(200, json={"tracker_identifiers": identifiers, "errors": errors})


@pytest.mark.parametrize("base", [0, 1])
def test_45_adds_in_three_requests(
    base: int, httpx_mock: HTTPXMock, provider: PayPalProvider
) -> None:
    failing = {"TN0000", "TN0019", "TN0020", "TN0033", "TN0044"}
    add_token(httpx_mock)
    httpx_mock.add_callback(
        lambda request: respond_with_errors(request, failing, base),
        method="POST",
        url=V1_BATCH_URL,
        is_reusable=True,
    )
    changes = many_changes(45)
    outputs = provider.apply_batch(changes)

    sizes = [
        len(json.loads(r.content)["trackers"]) for r in httpx_mock.get_requests(url=V1_BATCH_URL)
    ]
    assert sizes == [20, 20, 5]
    sent = [
        tracker["tracking_number"]
        for request in httpx_mock.get_requests(url=V1_BATCH_URL)
        for tracker in json.loads(request.content)["trackers"]
    ]
    assert sent == [change.shipment.tracking_number for change in changes]
    failed = [
        change.shipment.tracking_number
        for change, output in zip(changes, outputs, strict=True)
        if isinstance(output, PayPalError)
    ]
    assert failed == sorted(failing)
    added = [o for o in outputs if isinstance(o, ChangeResult) and o.outcome is Outcome.ADDED]
    assert len(added) == 40


def test_batch_request_failure_fails_its_items(
    httpx_mock: HTTPXMock, provider: PayPalProvider
) -> None:
    add_token(httpx_mock)
    httpx_mock.add_callback(
        lambda request: respond_with_errors(request, set(), 0), method="POST", url=V1_BATCH_URL
    )
    httpx_mock.add_response(
        method="POST", url=V1_BATCH_URL, status_code=500, json={"name": "INTERNAL_SERVER_ERROR"}
    )
    outputs = provider.apply_batch(many_changes(25))
    assert [isinstance(output, PayPalError) for output in outputs] == [False] * 20 + [True] * 5


def test_batch_keeps_invalid_item_apart(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_callback(
        lambda request: respond_with_errors(request, set(), 0), method="POST", url=V1_BATCH_URL
    )
    changes = many_changes(3)
    changes[1] = v1_change(shipment=make_shipment(tracking_number="ÄB123", items=()))
    outputs = provider.apply_batch(changes)
    assert [type(output).__name__ for output in outputs] == [
        "ChangeResult",
        "InvalidInputError",
        "ChangeResult",
    ]
    body = json.loads(httpx_mock.get_requests(url=V1_BATCH_URL)[0].content)
    assert len(body["trackers"]) == 2


def test_batch_mixes_apis_in_input_order(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    # An Orders v2 cancel-then-add pair, with v1 adds around it.
    add_token(httpx_mock)
    order_tracker = f"{ORDER_URL}/trackers/{TRACKER_ID}"
    httpx_mock.add_response(method="PATCH", url=order_tracker, status_code=500, text="oops")
    httpx_mock.add_callback(
        lambda request: respond_with_errors(request, set(), 0), method="POST", url=V1_BATCH_URL
    )
    v2_current = Tracker(
        tracking_number="443844607820", status=ShipmentStatus.SHIPPED, tracker_id=TRACKER_ID
    )
    changes = [
        many_changes(1)[0],
        v1_change(
            ChangeKind.CANCEL,
            payment=make_payment(),
            shipment=make_shipment(status=ShipmentStatus.CANCELLED),
            current=v2_current,
        ),
        v1_change(payment=make_payment(), shipment=make_shipment(carrier="UPS")),
        v1_change(shipment=make_shipment(tracking_number="TN0099", items=())),
    ]
    outputs = provider.apply_batch(changes)
    assert [getattr(o, "outcome", type(o).__name__) for o in outputs] == [
        Outcome.ADDED,
        "PayPalError",
        Outcome.SKIPPED,
        Outcome.ADDED,
    ]
    assert not any(path.endswith("/track") for path in sent_paths(httpx_mock))


def test_reconciler_batches_v1_adds(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    add_capture(httpx_mock)
    not_found(httpx_mock, V1_LIST_URL)
    httpx_mock.add_callback(
        lambda request: respond_with_errors(request, {"TN0003"}, 1),
        method="POST",
        url=V1_BATCH_URL,
        is_reusable=True,
    )
    shipments = [make_shipment(tracking_number=f"TN{index:04d}", items=()) for index in range(22)]
    order = Order(id="1001", payments=[v1_payment()], shipments=shipments)
    reconciler = Reconciler([provider])

    report = reconciler.apply(reconciler.plan([order]))

    outcomes = [result.outcome for result in report]
    assert outcomes == [Outcome.ADDED] * 3 + [Outcome.FAILED] + [Outcome.ADDED] * 18
    assert len(httpx_mock.get_requests(url=V1_BATCH_URL)) == 2


def test_reconciler_updates_v1_status(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    add_capture(httpx_mock)
    add_list(httpx_mock, "v1_tracker.json")
    httpx_mock.add_response(method="PUT", url=V1_TRACKER_URL, status_code=204)
    shipment = make_shipment(
        items=(), status=ShipmentStatus.DELIVERED, shipped_on=datetime.date(2024, 2, 5)
    )
    order = Order(id="1001", payments=[v1_payment()], shipments=[shipment])
    reconciler = Reconciler([provider])

    report = reconciler.apply(reconciler.plan([order]))

    assert [result.outcome for result in report] == [Outcome.UPDATED]
    body = json.loads(httpx_mock.get_requests(url=V1_TRACKER_URL)[0].content)
    assert body == load_golden("request_v1_update.json")
