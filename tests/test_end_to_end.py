"""The Reconciler with both adapters on the emulators, every request checked against the specs."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from spec_validation import validate_request
from tracksync import Address, Order, Outcome, PaymentRef, Reconciler, Shipment, ShipmentStatus
from tracksync.providers.paypal import PayPalProvider
from tracksync.providers.stripe import StripeProvider
from tracksync.testing import PayPalEmulator, StripeEmulator

PAYPAL_PAYMENT = PaymentRef(
    provider="paypal", payment_id="8MC585209K746392H", paypal_order_id="5O190127TN364715T"
)
STRIPE_PAYMENT = PaymentRef(provider="stripe", payment_id="pi_3QxExampleA1b2C3d4")
ADDRESS = Address(
    line1="12 Example Road", city="Springfield", state="IL", postal_code="62701", country="US"
)


@pytest.fixture
def emulators() -> Iterator[tuple[PayPalEmulator, StripeEmulator]]:
    paypal = PayPalEmulator()
    paypal.add_order("5O190127TN364715T", captures={"8MC585209K746392H": "COMPLETED"})
    paypal.add_order("7XK21695MM4437319", captures={"3C679366HH908993F": "PENDING"})
    stripe = StripeEmulator()
    stripe.add_payment_intent("pi_3QxExampleA1b2C3d4")
    yield paypal, stripe
    for sent in paypal.requests + stripe.requests:
        validate_request(sent)


@pytest.fixture
def reconciler(emulators: tuple[PayPalEmulator, StripeEmulator]) -> Iterator[Reconciler]:
    paypal, stripe = emulators
    with (
        httpx.Client(transport=paypal) as paypal_client,
        httpx.Client(transport=stripe) as stripe_client,
    ):
        yield Reconciler(
            [
                PayPalProvider(paypal.client_id, paypal.client_secret, client=paypal_client),
                StripeProvider(stripe.api_key, client=stripe_client),
            ]
        )


def orders(status: ShipmentStatus = ShipmentStatus.SHIPPED) -> list[Order]:
    packages = [
        Shipment(tracking_number="1Z999AA10123456784", carrier="UPS"),
        Shipment(tracking_number="1Z999AA10123456791", carrier="UPS", status=status),
    ]
    return [
        Order(id="1001", payments=[PAYPAL_PAYMENT], shipments=packages),
        Order(
            id="1003",
            payments=[STRIPE_PAYMENT],
            shipments=packages,
            recipient_name="Ada Lovelace",
            ship_to=ADDRESS,
        ),
        Order(
            id="1002",
            payments=[
                PaymentRef(
                    provider="paypal",
                    payment_id="3C679366HH908993F",
                    paypal_order_id="7XK21695MM4437319",
                )
            ],
            shipments=[Shipment(tracking_number="RR123456785GB", carrier="Royal Mail")],
        ),
    ]


def test_first_run_adds_everything(reconciler: Reconciler) -> None:
    report = reconciler.apply(reconciler.plan(orders()))
    assert [result.outcome for result in report] == [Outcome.ADDED] * 4 + [Outcome.SKIPPED]
    assert report.results[-1].discrepancy is not None
    assert report.results[-1].discrepancy.value == "waiting_for_capture"


def test_trackers_land_on_providers(
    reconciler: Reconciler, emulators: tuple[PayPalEmulator, StripeEmulator]
) -> None:
    paypal, stripe = emulators
    reconciler.apply(reconciler.plan(orders()))
    tracker_ids = [tracker["id"] for tracker in paypal.trackers("5O190127TN364715T")]
    assert tracker_ids == [
        "8MC585209K746392H-1Z999AA10123456784",
        "8MC585209K746392H-1Z999AA10123456791",
    ]
    shipping = stripe.payment_intent("pi_3QxExampleA1b2C3d4")["shipping"]
    assert shipping["tracking_number"] == "1Z999AA10123456784, 1Z999AA10123456791"
    assert shipping["carrier"] == "UPS"
    assert shipping["name"] == "Ada Lovelace"


def test_second_run_sends_no_write(
    reconciler: Reconciler, emulators: tuple[PayPalEmulator, StripeEmulator]
) -> None:
    paypal, stripe = emulators
    reconciler.apply(reconciler.plan(orders()))
    writes_before = len(paypal.writes()) + len(stripe.writes())
    report = reconciler.apply(reconciler.plan(orders()))
    assert len(paypal.writes()) + len(stripe.writes()) == writes_before
    assert report.summary()["unchanged"] == 4


def test_cancel_reaches_both_providers(
    reconciler: Reconciler, emulators: tuple[PayPalEmulator, StripeEmulator]
) -> None:
    paypal, stripe = emulators
    reconciler.apply(reconciler.plan(orders()))
    report = reconciler.apply(reconciler.plan(orders(status=ShipmentStatus.CANCELLED)))
    assert report.summary()["cancelled"] == 2
    statuses = [tracker["status"] for tracker in paypal.trackers("5O190127TN364715T")]
    assert statuses == ["SHIPPED", "CANCELLED"]
    shipping = stripe.payment_intent("pi_3QxExampleA1b2C3d4")["shipping"]
    assert shipping["tracking_number"] == "1Z999AA10123456784"


def test_captured_payment_tracked_next_run(
    reconciler: Reconciler, emulators: tuple[PayPalEmulator, StripeEmulator]
) -> None:
    paypal, _ = emulators
    reconciler.apply(reconciler.plan(orders()))
    paypal.set_capture_status("3C679366HH908993F", "COMPLETED")
    report = reconciler.apply(reconciler.plan(orders()))
    assert report.results[-1].outcome is Outcome.ADDED
