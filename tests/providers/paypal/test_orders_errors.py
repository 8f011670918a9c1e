"""Orders v2 writes that PayPal rejects, and changes that need no request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from providers.paypal.paypal_support import (
    CAPTURE_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    ORDER_ID,
    ORDER_URL,
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
    Reconciler,
    RetryPolicy,
    ShipmentStatus,
    Tracker,
)
from tracksync.errors import PayPalError
from tracksync.providers.paypal import PayPalProvider

TRACK_URL = f"{ORDER_URL}/track"
TRACKER_ID = f"{CAPTURE_ID}-443844607820"
TRACKER_URL = f"{ORDER_URL}/trackers/{TRACKER_ID}"


@pytest.fixture
def provider() -> Iterator[PayPalProvider]:
    with PayPalProvider(
        CLIENT_ID, CLIENT_SECRET, clock=FakeClock(), retry=RetryPolicy(attempts=1)
    ) as provider:
        yield provider


def change(kind: ChangeKind = ChangeKind.ADD, **fields: Any) -> Change:
    values: dict[str, Any] = {
        "kind": kind,
        "order_id": "1001",
        "payment": make_payment(),
        "shipment": make_shipment(),
        "target_id": CAPTURE_ID,
    }
    values.update(fields)
    return Change(**values)


def shipped(status: ShipmentStatus = ShipmentStatus.SHIPPED) -> Tracker:
    return Tracker(tracking_number="443844607820", status=status, tracker_id=TRACKER_ID)


def reject_track(httpx_mock: HTTPXMock, golden: str, *, reusable: bool = False) -> None:
    httpx_mock.add_response(
        method="POST",
        url=TRACK_URL,
        status_code=422,
        json=load_golden(golden),
        is_reusable=reusable,
    )


def track_bodies(httpx_mock: HTTPXMock) -> list[dict[str, Any]]:
    return [json.loads(request.content) for request in httpx_mock.get_requests(url=TRACK_URL)]


# 422 on /track


def test_capture_not_completed_skipped(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    reject_track(httpx_mock, "error_422.json")
    result = provider.apply(change())
    assert result.outcome == Outcome.SKIPPED
    assert "kept for the next run" in (result.note or "")


def test_capture_not_found_names_capture(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    reject_track(httpx_mock, "error_422_capture_not_found.json")
    with pytest.raises(PayPalError) as caught:
        provider.apply(change())
    assert f"PayPal order {ORDER_ID} has no capture {CAPTURE_ID}" in caught.value.message
    assert caught.value.issues == ("CAPTURE_ID_NOT_FOUND",)


def test_sku_mismatch_fails(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    reject_track(httpx_mock, "error_422_sku.json")
    with pytest.raises(PayPalError) as caught:
        provider.apply(change())
    assert caught.value.issues == ("ITEM_SKU_MISMATCH",)
    assert len(track_bodies(httpx_mock)) == 1


def test_sku_mismatch_retried_without_items(httpx_mock: HTTPXMock) -> None:
    add_token(httpx_mock)
    reject_track(httpx_mock, "error_422_sku.json")
    httpx_mock.add_response(
        method="POST", url=TRACK_URL, status_code=201, json=load_golden("order_completed.json")
    )
    with PayPalProvider(CLIENT_ID, CLIENT_SECRET, retry_without_items=True) as provider:
        result = provider.apply(change())
    assert (result.outcome, result.tracker_id) == (Outcome.ADDED, TRACKER_ID)
    assert "added without its items" in (result.note or "")
    first, second = track_bodies(httpx_mock)
    assert first == load_golden("request_track.json")
    assert second == {key: value for key, value in first.items() if key != "items"}


def test_sku_retry_failure_raises(httpx_mock: HTTPXMock) -> None:
    add_token(httpx_mock)
    reject_track(httpx_mock, "error_422_sku.json")
    reject_track(httpx_mock, "error_422_capture_not_found.json")
    provider = PayPalProvider(CLIENT_ID, CLIENT_SECRET, retry_without_items=True)
    with provider, pytest.raises(PayPalError):
        provider.apply(change())
    assert len(track_bodies(httpx_mock)) == 2


def test_sku_retry_needs_items(httpx_mock: HTTPXMock) -> None:
    add_token(httpx_mock)
    reject_track(httpx_mock, "error_422_sku.json")
    provider = PayPalProvider(CLIENT_ID, CLIENT_SECRET, retry_without_items=True)
    with provider, pytest.raises(PayPalError):
        provider.apply(change(shipment=make_shipment(items=())))
    assert len(track_bodies(httpx_mock)) == 1


def test_several_purchase_units_fail(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    reject_track(httpx_mock, "error_422_msp.json")
    with pytest.raises(PayPalError) as caught:
        provider.apply(change())
    message = caught.value.message
    assert "takes no trackers on orders with several purchase units" in message
    assert "leave paypal_order_id empty" in message


# 404 TRACKER_ID_NOT_FOUND on a cancel


def order_with_tracker(status: str | None) -> dict[str, Any]:
    """The completed order with tracker 443844607820 in ``status``, or without it."""
    order: dict[str, Any] = load_golden("order_completed.json")
    trackers = order["purchase_units"][0]["shipping"]["trackers"]
    if status is None:
        del trackers[0]
    else:
        trackers[0]["status"] = status
    return order


@pytest.mark.parametrize("status", ["CANCELLED", None])
def test_cancel_of_gone_tracker_unchanged(
    status: str | None, httpx_mock: HTTPXMock, provider: PayPalProvider
) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(
        method="PATCH", url=TRACKER_URL, status_code=404, json=load_golden("error_404_tracker.json")
    )
    httpx_mock.add_response(method="GET", url=ORDER_URL, json=order_with_tracker(status))
    shipment = make_shipment(status=ShipmentStatus.CANCELLED)
    result = provider.apply(change(ChangeKind.CANCEL, shipment=shipment, current=shipped()))
    assert (result.outcome, result.tracker_id) == (Outcome.UNCHANGED, TRACKER_ID)
    assert "has no active tracker 443844607820" in (result.note or "")


def test_cancel_404_reread_fails(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(
        method="PATCH", url=TRACKER_URL, status_code=404, json=load_golden("error_404_tracker.json")
    )
    httpx_mock.add_response(method="GET", url=ORDER_URL, status_code=500, text="oops")
    shipment = make_shipment(status=ShipmentStatus.CANCELLED)
    with pytest.raises(PayPalError) as caught:
        provider.apply(change(ChangeKind.CANCEL, shipment=shipment, current=shipped()))
    assert caught.value.issues == ("TRACKER_ID_NOT_FOUND",)


def test_cancel_other_404_not_reread(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(
        method="PATCH", url=TRACKER_URL, status_code=404, json=load_golden("error_404.json")
    )
    shipment = make_shipment(status=ShipmentStatus.CANCELLED)
    with pytest.raises(PayPalError):
        provider.apply(change(ChangeKind.CANCEL, shipment=shipment, current=shipped()))
    assert httpx_mock.get_requests(method="GET") == []


# Changes that need no request


def test_cancel_of_cancelled_sends_nothing(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    shipment = make_shipment(status=ShipmentStatus.CANCELLED)
    current = shipped(ShipmentStatus.CANCELLED)
    result = provider.apply(change(ChangeKind.CANCEL, shipment=shipment, current=current))
    assert result == ChangeResult(
        outcome=Outcome.UNCHANGED,
        tracker_id=TRACKER_ID,
        note="PayPal already has tracker 443844607820 as CANCELLED, so nothing was sent.",
    )
    assert httpx_mock.get_requests() == []


def test_delivered_update_held_as_shipped(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    # Orders v2 stores DELIVERED as SHIPPED, so the tracker already shows what it can.
    current = Tracker(
        tracking_number="443844607820",
        carrier="FEDEX",
        status=ShipmentStatus.SHIPPED,
        tracker_id=TRACKER_ID,
    )
    shipment = make_shipment(status=ShipmentStatus.DELIVERED)
    result = provider.apply(change(ChangeKind.UPDATE, shipment=shipment, current=current))
    assert result.outcome == Outcome.UNCHANGED
    assert httpx_mock.get_requests() == []


def test_delivered_shipment_added_without_status(
    httpx_mock: HTTPXMock, provider: PayPalProvider
) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="GET", url=ORDER_URL, json=order_with_tracker(None))
    httpx_mock.add_response(
        method="POST", url=TRACK_URL, status_code=201, json=load_golden("order_completed.json")
    )
    shipment = make_shipment(status=ShipmentStatus.DELIVERED)
    order = Order(id="1001", payments=[make_payment()], shipments=[shipment])
    reconciler = Reconciler([provider])

    [result] = list(reconciler.apply(reconciler.plan([order])))

    assert result.outcome == Outcome.ADDED
    assert "cannot store status DELIVERED" in (result.reason or "")
    assert "status" not in track_bodies(httpx_mock)[0]
