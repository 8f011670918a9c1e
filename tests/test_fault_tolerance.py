"""Runs against emulators that fail, rate-limit and lose answers: nothing lost, nothing twice."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from spec_validation import validate_request
from tracksync import (
    Address,
    MemoryLedger,
    Order,
    PaymentRef,
    Reconciler,
    Report,
    Shipment,
)
from tracksync.providers.paypal import PayPalProvider
from tracksync.providers.stripe import StripeProvider
from tracksync.testing import FaultSettings, PayPalEmulator, StripeEmulator

SHIPMENTS_PER_PROVIDER = 667  # PayPal Orders v2, PayPal v1 and Stripe: 2,001 in all
CLIENT_SECRET = "chaos-client-secret-value"
API_KEY = "sk_test_chaoskeyvalue"
STREET = "12 Chaos Street"
FAULTS = FaultSettings(
    seed=20261204,
    rate_limited=0.05,
    retry_after=0.5,
    server_error=0.05,
    unavailable=0.03,
    connection_reset=0.03,
    timeout=0.02,
    lost_response=0.02,
)


def build_orders() -> list[Order]:
    orders = []
    for index in range(SHIPMENTS_PER_PROVIDER):
        shipment = Shipment(tracking_number=f"1Z999AA1{index:010d}", carrier="UPS")
        orders.append(
            Order(
                id=f"v2-{index}",
                payments=[
                    PaymentRef(
                        provider="paypal",
                        payment_id=f"V2CAP{index:012d}",
                        paypal_order_id=f"V2ORDER{index:010d}",
                    )
                ],
                shipments=[shipment],
            )
        )
        orders.append(
            Order(
                id=f"v1-{index}",
                payments=[PaymentRef(provider="paypal", payment_id=f"V1CAP{index:012d}")],
                shipments=[Shipment(tracking_number=f"94001118{index:014d}", carrier="USPS")],
            )
        )
        orders.append(
            Order(
                id=f"st-{index}",
                payments=[PaymentRef(provider="stripe", payment_id=f"pi_chaos{index:08d}")],
                shipments=[Shipment(tracking_number=f"JD0146{index:010d}", carrier="DHL")],
                recipient_name="Ada Lovelace",
                ship_to=Address(line1=STREET, city="Springfield", country="US"),
            )
        )
    return orders


@pytest.fixture
def emulators() -> Iterator[tuple[PayPalEmulator, StripeEmulator]]:
    paypal = PayPalEmulator(client_secret=CLIENT_SECRET)
    stripe = StripeEmulator(api_key=API_KEY)
    for index in range(SHIPMENTS_PER_PROVIDER):
        paypal.add_order(f"V2ORDER{index:010d}", captures={f"V2CAP{index:012d}": "COMPLETED"})
        paypal.add_capture(f"V1CAP{index:012d}", "COMPLETED")
        stripe.add_payment_intent(f"pi_chaos{index:08d}")
    yield paypal, stripe
    for sent in paypal.requests[:300] + stripe.requests[:300]:
        validate_request(sent)


def run(
    paypal: PayPalEmulator, stripe: StripeEmulator, ledger: MemoryLedger, orders: list[Order]
) -> Report:
    with (
        httpx.Client(transport=paypal) as paypal_client,
        httpx.Client(transport=stripe) as stripe_client,
    ):
        providers = [
            PayPalProvider(paypal.client_id, CLIENT_SECRET, client=paypal_client),
            StripeProvider(API_KEY, client=stripe_client),
        ]
        reconciler = Reconciler(providers, ledger=ledger)
        return reconciler.apply(reconciler.plan(orders))


def trackers_per_shipment(paypal: PayPalEmulator, stripe: StripeEmulator) -> Counter[str]:
    counts: Counter[str] = Counter()
    for index in range(SHIPMENTS_PER_PROVIDER):
        for tracker in paypal.tracker_details(f"V2ORDER{index:010d}"):
            if tracker["status"] != "CANCELLED":
                counts[tracker["tracking_number"]] += 1
        for tracker in paypal.shipping_trackers(f"V1CAP{index:012d}"):
            if tracker["status"] != "CANCELLED":
                counts[tracker["tracking_number"]] += 1
        shipping = stripe.payment_intent(f"pi_chaos{index:08d}")["shipping"] or {}
        for number in (shipping.get("tracking_number") or "").split(","):
            if number.strip():
                counts[number.strip()] += 1
    return counts


def test_faulty_runs_converge_exactly_once(
    emulators: tuple[PayPalEmulator, StripeEmulator],
) -> None:
    paypal, stripe = emulators
    paypal.set_faults(FAULTS)
    stripe.set_faults(FAULTS)
    ledger = MemoryLedger()
    orders = build_orders()

    first = run(paypal, stripe, ledger, orders)
    assert first.summary()["added"] > 1000
    for _ in range(8):
        report = run(paypal, stripe, ledger, orders)
        if not report.has_failures and report.summary()["added"] == 0:
            break

    paypal.set_faults(None)
    stripe.set_faults(None)
    counts = trackers_per_shipment(paypal, stripe)
    wanted = {shipment.tracking_number for order in orders for shipment in order.shipments}
    assert len(wanted) == 3 * SHIPMENTS_PER_PROVIDER
    assert set(counts) == wanted
    assert {count for count in counts.values()} == {1}


def test_failing_provider_one_account_error(
    emulators: tuple[PayPalEmulator, StripeEmulator],
) -> None:
    paypal, stripe = emulators
    stripe.set_faults(FaultSettings(server_error=1.0))
    report = run(paypal, stripe, MemoryLedger(), build_orders()[:300])
    stripe_results = [result for result in report if result.provider == "stripe"]
    failed = [result for result in stripe_results if result.outcome.value == "failed"]
    assert [issue.provider for issue in report.account_errors] == ["stripe"]
    assert len(stripe_results) == 100
    # The circuit opens after five server errors; the other payments are not tried.
    assert len(failed) <= 5
    assert report.has_failures


def test_faulty_run_logs_no_secret(
    emulators: tuple[PayPalEmulator, StripeEmulator],
    caplog: pytest.LogCaptureFixture,
) -> None:
    paypal, stripe = emulators
    paypal.set_faults(FAULTS)
    stripe.set_faults(FAULTS)
    with caplog.at_level(logging.DEBUG, logger="tracksync"):
        report = run(paypal, stripe, MemoryLedger(), build_orders()[:300])
    text = caplog.text + str(report) + repr(report.to_dict())
    tokens = [
        request.headers["Authorization"].split(" ", 1)[1]
        for request in paypal.requests
        if request.headers.get("Authorization", "").startswith("Bearer ")
    ]
    assert caplog.records, "the faulty run logged nothing, so the check proves nothing"
    assert CLIENT_SECRET not in text
    assert API_KEY not in text
    assert STREET not in text
    assert tokens
    assert not any(token in text for token in tokens)
