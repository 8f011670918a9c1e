"""StripeProvider inside the Reconciler, against a Stripe fake that keeps state."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import httpx
import pytest
from pytest_httpx import HTTPXMock

from providers.stripe.stripe_support import (
    BASE,
    CHARGE,
    CONNECTED,
    DHL,
    KEY,
    OWN_CHARGE,
    PI,
    SESSION,
    SHOP_ADDRESS,
    UPS,
    USPS,
    FakeStripe,
    charge,
    golden,
    intent,
    ref,
)
from tracksync import (
    DiscrepancyKind,
    Order,
    Outcome,
    PaymentRef,
    Reconciler,
    Shipment,
    ShipmentStatus,
)
from tracksync.providers.stripe import StripeProvider
from tracksync.providers.stripe._metadata import metadata_key


@pytest.fixture
def provider() -> Iterator[StripeProvider]:
    with StripeProvider(KEY, base_url=BASE) as stripe:
        yield stripe


def order(
    *statuses: ShipmentStatus, payment: PaymentRef | None = None, shop_recipient: bool = False
) -> Order:
    numbers = [(UPS, "UPS"), (DHL, "DHL Express"), (USPS, "USPS")]
    shipments = [
        Shipment(tracking_number=number, carrier=carrier, status=status)
        for (number, carrier), status in zip(numbers, statuses, strict=False)
    ]
    return Order(
        id="1001",
        payments=[payment or ref()],
        shipments=shipments,
        recipient_name="Sam Smith" if shop_recipient else None,
        ship_to=SHOP_ADDRESS if shop_recipient else None,
    )


def run(provider: StripeProvider, *orders: Order) -> list[Outcome]:
    reconciler = Reconciler([provider])
    report = reconciler.apply(reconciler.plan(orders))
    return [result.outcome for result in report]


def fake_with(httpx_mock: HTTPXMock, **options: bool) -> FakeStripe:
    fake = FakeStripe(**options)
    fake.add_intent(intent())
    httpx_mock.add_callback(fake, is_reusable=True)
    return fake


SHIPPED = ShipmentStatus.SHIPPED
DELIVERED = ShipmentStatus.DELIVERED
CANCELLED = ShipmentStatus.CANCELLED


def test_url_is_loopback() -> None:
    assert "127.0.0.1" == urllib.parse.urlsplit(BASE).hostname


def test_first_run_one_write(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    fake = fake_with(httpx_mock)

    outcomes = run(provider, order(SHIPPED, DELIVERED, SHIPPED))

    shipping = fake.intent()["shipping"]
    assert [Outcome.ADDED] * 3 == outcomes
    assert 1 == len(fake.keys)
    assert f"{UPS}, {DHL}, {USPS}" == shipping["tracking_number"]
    assert "UPS, DHL Express, USPS" == shipping["carrier"]
    assert '"s":"DELIVERED"' in fake.intent()["metadata"][metadata_key(DHL)]
    assert "1001" == fake.intent()["metadata"]["order_id"]


def test_second_run_no_write(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    fake = fake_with(httpx_mock)
    run(provider, order(SHIPPED, DELIVERED, SHIPPED))

    outcomes = run(provider, order(SHIPPED, DELIVERED, SHIPPED))

    assert [Outcome.UNCHANGED] * 3 == outcomes
    assert 1 == len(fake.keys)


def test_status_change_metadata_only(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    fake = fake_with(httpx_mock)
    run(provider, order(SHIPPED, SHIPPED))
    shipping_before = dict(fake.intent()["shipping"])

    outcomes = run(provider, order(SHIPPED, DELIVERED))

    assert [Outcome.UNCHANGED, Outcome.UPDATED] == outcomes
    assert 2 == len(fake.keys)
    assert shipping_before == fake.intent()["shipping"]
    assert '"s":"DELIVERED"' in fake.intent()["metadata"][metadata_key(DHL)]


def test_cancel_one_then_last(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    fake = fake_with(httpx_mock)
    run(provider, order(SHIPPED, SHIPPED))

    first = run(provider, order(CANCELLED, SHIPPED))
    second = run(provider, order(CANCELLED, CANCELLED))

    assert [Outcome.CANCELLED, Outcome.UNCHANGED] == first
    assert [Outcome.UNCHANGED, Outcome.CANCELLED] == second
    assert fake.intent()["shipping"]["tracking_number"] is None
    assert fake.intent()["shipping"]["carrier"] is None
    assert {"order_id": "1001"} == fake.intent()["metadata"]


def test_rejecting_intent_uses_charge(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    fake = fake_with(httpx_mock, reject_intent_shipping=True)

    first = run(provider, order(SHIPPED, DELIVERED))
    with StripeProvider(KEY, base_url=BASE) as next_run:
        second = run(next_run, order(SHIPPED, DELIVERED))

    assert [Outcome.ADDED, Outcome.ADDED] == first
    assert [Outcome.UNCHANGED, Outcome.UNCHANGED] == second
    assert f"{UPS}, {DHL}" == fake.charge(CHARGE)["shipping"]["tracking_number"]
    assert fake.intent()["shipping"]["tracking_number"] is None
    assert 2 == len(fake.keys)


def test_checkout_session_payment(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    fake = FakeStripe()
    fake.add_session(golden("checkout_session_complete.json"))
    httpx_mock.add_callback(fake, is_reusable=True)

    outcomes = run(provider, order(SHIPPED, payment=ref(SESSION)))
    again = run(provider, order(SHIPPED, payment=ref(SESSION)))

    assert [Outcome.ADDED] == outcomes
    assert [Outcome.UNCHANGED] == again
    assert UPS == fake.intent(PI)["shipping"]["tracking_number"]


def test_charge_payment_cancel_last(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    fake = FakeStripe()
    fake.add_charge(charge(own=True))
    httpx_mock.add_callback(fake, is_reusable=True)
    run(provider, order(SHIPPED, payment=ref(OWN_CHARGE)))

    reconciler = Reconciler([provider])
    report = reconciler.apply(reconciler.plan([order(CANCELLED, payment=ref(OWN_CHARGE))]))

    [result] = report.results
    assert Outcome.CANCELLED == result.outcome
    assert result.reason is not None
    assert "Stripe cannot remove shipping from a Charge" in result.reason
    assert "Jana Müller" == fake.charge(OWN_CHARGE)["shipping"]["name"]
    assert fake.charge(OWN_CHARGE)["shipping"]["tracking_number"] is None


def test_full_metadata_stores_no_status(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    merchant = {f"shop_key_{index:02d}": "x" for index in range(50)}
    fake = FakeStripe()
    fake.add_intent(intent(metadata=merchant))
    httpx_mock.add_callback(fake, is_reusable=True)

    reconciler = Reconciler([provider])
    report = reconciler.apply(reconciler.plan([order(DELIVERED)]))
    again = run(provider, order(SHIPPED))

    [result] = report.results
    assert Outcome.ADDED == result.outcome
    assert result.reason is not None
    assert "does not store the status" in result.reason
    assert [Outcome.UNCHANGED] == again
    assert merchant == fake.intent()["metadata"]


def test_missing_recipient_discrepancy(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    body = intent(shipping=False)
    body["latest_charge"]["shipping"] = None
    fake = FakeStripe()
    fake.add_intent(body)
    httpx_mock.add_callback(fake, is_reusable=True)
    reconciler = Reconciler([provider])

    plan = reconciler.plan([order(SHIPPED)])

    assert [DiscrepancyKind.MISSING_RECIPIENT] == [entry.kind for entry in plan.discrepancies]
    assert [] == fake.keys


def test_shop_recipient_written(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    body = intent(shipping=False)
    body["latest_charge"]["shipping"] = None
    fake = FakeStripe()
    fake.add_intent(body)
    httpx_mock.add_callback(fake, is_reusable=True)

    outcomes = run(provider, order(SHIPPED, shop_recipient=True))

    assert [Outcome.ADDED] == outcomes
    assert "Sam Smith" == fake.intent()["shipping"]["name"]


def test_connected_payment_routed(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    fake = fake_with(httpx_mock)

    outcomes = run(provider, order(SHIPPED, payment=ref(account=CONNECTED)))

    accounts = {request.headers.get("Stripe-Account") for request in httpx_mock.get_requests()}
    assert [Outcome.ADDED] == outcomes
    assert {CONNECTED} == accounts
    assert 1 == len(fake.keys)


def test_two_labelled_providers(httpx_mock: HTTPXMock) -> None:
    fake = fake_with(httpx_mock)
    with (
        StripeProvider(KEY, base_url=BASE, account="eu-shop") as europe,
        StripeProvider("sk_test_other", base_url=BASE, account="us-shop") as america,
    ):
        reconciler = Reconciler([europe, america])
        report = reconciler.apply(reconciler.plan([order(SHIPPED, payment=ref(account="eu-shop"))]))

    keys = {request.headers["Authorization"] for request in httpx_mock.get_requests()}
    assert [Outcome.ADDED] == [result.outcome for result in report]
    assert {f"Bearer {KEY}"} == keys
    assert "Stripe-Account" not in httpx_mock.get_requests()[0].headers
    assert 1 == len(fake.keys)


def test_fake_rejects_reused_key() -> None:
    fake = FakeStripe()
    fake.add_intent(intent())
    headers = {"Idempotency-Key": "k-1", "Content-Type": "application/x-www-form-urlencoded"}

    with httpx.Client(transport=httpx.MockTransport(fake)) as client:
        client.post(f"{BASE}/v1/payment_intents/{PI}", content=b"metadata[a]=1", headers=headers)
        second = client.post(
            f"{BASE}/v1/payment_intents/{PI}", content=b"metadata[a]=2", headers=headers
        )

    assert 400 == second.status_code
    assert "idempotency_error" == second.json()["error"]["type"]


def test_connected_label_routes(httpx_mock: HTTPXMock) -> None:
    fake = fake_with(httpx_mock)
    with (
        StripeProvider(KEY, base_url=BASE, account=CONNECTED) as platform,
        StripeProvider("sk_test_other", base_url=BASE, account="us-shop") as america,
    ):
        reconciler = Reconciler([platform, america])
        report = reconciler.apply(reconciler.plan([order(SHIPPED, payment=ref(account=CONNECTED))]))

    requests = httpx_mock.get_requests()
    assert [Outcome.ADDED] == [result.outcome for result in report]
    assert {f"Bearer {KEY}"} == {request.headers["Authorization"] for request in requests}
    assert {CONNECTED} == {request.headers.get("Stripe-Account") for request in requests}
    assert 1 == len(fake.keys)
