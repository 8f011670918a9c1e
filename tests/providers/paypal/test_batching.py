"""How a PayPal batch splits into units, without I/O, and the sync run of those units."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from providers.paypal.paypal_support import (
    CAPTURE_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    V1_BATCH_URL,
    V1_TRACKER_URL,
    add_token,
    make_payment,
    make_shipment,
)
from tracksync import (
    Change,
    ChangeKind,
    ChangeResult,
    Outcome,
    RetryPolicy,
    ShipmentStatus,
    Tracker,
)
from tracksync.errors import AccountError, InvalidInputError
from tracksync.providers.paypal import PayPalProvider
from tracksync.providers.paypal._core import PayPalCore

OTHER_CAPTURE = "3C679366HH908993F"


@pytest.fixture
def core() -> PayPalCore:
    return PayPalCore.create(
        CLIENT_ID,
        CLIENT_SECRET,
        owner="PayPalProvider",
        environment="sandbox",
        base_url=None,
        account=None,
        api="auto",
        on_behalf_of=None,
        retry_without_items=False,
        retry=None,
        requests_per_second=10.0,
        carrier_overrides=None,
    )


def change(
    kind: ChangeKind = ChangeKind.ADD,
    number: str = "TN0000",
    *,
    capture: str = CAPTURE_ID,
    order_id: str | None = None,
    **fields: Any,
) -> Change:
    current = None
    status = ShipmentStatus.SHIPPED
    if kind is not ChangeKind.ADD:
        current = Tracker(
            tracking_number=number,
            carrier="FEDEX",
            status=ShipmentStatus.SHIPPED,
            tracker_id=f"{capture}-{number}",
        )
        status = ShipmentStatus.CANCELLED if kind is ChangeKind.CANCEL else ShipmentStatus.DELIVERED
    values: dict[str, Any] = {
        "kind": kind,
        "order_id": "1001",
        "payment": make_payment(capture, order_id=order_id),
        "shipment": make_shipment(tracking_number=number, items=(), status=status),
        "current": current,
        "target_id": capture,
    }
    values.update(fields)
    return Change(**values)


def unit_indexes(core: PayPalCore, changes: list[Change]) -> list[tuple[int, ...]]:
    return [unit.indexes for unit in core.plan_batch(changes).units]


def test_v1_adds_twenty_per_unit(core: PayPalCore) -> None:
    changes = [change(number=f"TN{index:04d}") for index in range(45)]
    assert unit_indexes(core, changes) == [
        tuple(range(0, 20)),
        tuple(range(20, 40)),
        tuple(range(40, 45)),
    ]


def test_other_changes_one_unit_per_capture(core: PayPalCore) -> None:
    changes = [
        change(ChangeKind.UPDATE, "TN0001"),
        change(number="TN0002", capture=OTHER_CAPTURE),
        change(ChangeKind.CANCEL, "TN0003", capture=OTHER_CAPTURE),
        change(ChangeKind.CANCEL, "TN0004"),
        change(number="TN0005"),
    ]
    assert unit_indexes(core, changes) == [(0, 3), (2,), (1, 4)]


def test_readd_joins_capture_unit(core: PayPalCore) -> None:
    changes = [
        change(number="TN0001"),
        change(ChangeKind.CANCEL, "TN0002"),
        change(number="TN0002"),
    ]
    assert unit_indexes(core, changes) == [(1, 2), (0,)]


def test_orders_v2_changes_in_capture_unit(core: PayPalCore) -> None:
    changes = [
        change(ChangeKind.CANCEL, "TN0001", order_id="5O190127TN364715T"),
        change(number="TN0001", order_id="5O190127TN364715T"),
        change(number="TN0002"),
    ]
    assert unit_indexes(core, changes) == [(0, 1), (2,)]


def test_invalid_add_decided_without_unit(core: PayPalCore) -> None:
    batch = core.plan_batch([change(number="TN0001"), change(number="ÄB123")])
    assert [unit.indexes for unit in batch.units] == [(0,)]
    assert isinstance(batch.decided[1], InvalidInputError)


def test_sync_failed_cancel_skips_readd(httpx_mock: HTTPXMock) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="PUT", url=V1_TRACKER_URL, status_code=500, text="oops")
    httpx_mock.add_response(
        method="POST",
        url=V1_BATCH_URL,
        json={"tracker_identifiers": [{"transaction_id": CAPTURE_ID, "tracking_number": "TN1"}]},
    )
    changes = [
        change(ChangeKind.CANCEL, "443844607820"),
        change(number="443844607820"),
        change(number="TN1"),
    ]
    with PayPalProvider(CLIENT_ID, CLIENT_SECRET, retry=RetryPolicy(attempts=1)) as provider:
        outputs = provider.apply_batch(changes)
    assert isinstance(outputs[0], Exception)
    assert outputs[1] == ChangeResult(
        outcome=Outcome.SKIPPED,
        note=(
            "Not added, because cancelling the old tracker 443844607820 failed; run again to retry."
        ),
    )
    assert isinstance(outputs[2], ChangeResult)
    assert outputs[2].outcome is Outcome.ADDED
    [batch] = httpx_mock.get_requests(url=V1_BATCH_URL)
    assert b"443844607820" not in batch.content


def test_unit_flow_sends_nothing_when_stopped(core: PayPalCore) -> None:
    stop = httpx.Response(403, json={"name": "NOT_AUTHORIZED", "message": "No."})
    flow = core.fetch_flow(make_payment())
    next(flow)  # the token request
    flow.send(httpx.Response(200, json={"access_token": "t", "expires_in": 3600}))
    with pytest.raises(AccountError, match="was denied"):
        flow.send(stop)
    [unit] = core.plan_batch([change(number="TN0001")]).units
    with pytest.raises(StopIteration) as stopped:
        next(unit.flow)
    [output] = stopped.value.value
    assert output is core.session.account_error
