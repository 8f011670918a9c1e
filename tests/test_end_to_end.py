"""The Reconciler with both adapters on the emulators, every request checked against the specs."""

from __future__ import annotations

import json
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


def paypal_v1_order(index: int, packages: int) -> Order:
    return Order(
        id=f"v1-{index}",
        payments=[PaymentRef(provider="paypal", payment_id=f"V1CAPTURE{index:08d}")],
        shipments=[
            Shipment(tracking_number=f"9400111899560{index:03d}{number:04d}", carrier="USPS")
            for number in range(packages)
        ],
    )


@pytest.fixture
def paypal_mix() -> Iterator[tuple[PayPalEmulator, Reconciler]]:
    paypal = PayPalEmulator()
    for index in range(3):
        paypal.add_capture(f"V1CAPTURE{index:08d}", "COMPLETED")
    paypal.add_order("5O190127TN364715T", captures={"8MC585209K746392H": "COMPLETED"})
    paypal.add_order("7XK21695MM4437319", captures={"3C679366HH908993F": "PENDING"})
    paypal.add_order("9RF31284LL2209876", captures={"1KP72983BB1234567": "PARTIALLY_REFUNDED"})
    with httpx.Client(transport=paypal) as client:
        provider = PayPalProvider(paypal.client_id, paypal.client_secret, client=client)
        yield paypal, Reconciler([provider])
    for sent in paypal.requests:
        validate_request(sent)


def mixed_orders() -> list[Order]:
    def v2(order_id: str, capture: str, number: str) -> Order:
        return Order(
            id=order_id,
            payments=[PaymentRef(provider="paypal", payment_id=capture, paypal_order_id=order_id)],
            shipments=[Shipment(tracking_number=number, carrier="UPS")],
        )

    return [
        paypal_v1_order(0, 15),
        paypal_v1_order(1, 15),
        paypal_v1_order(2, 15),
        v2("5O190127TN364715T", "8MC585209K746392H", "1Z999AA10123456784"),
        v2("7XK21695MM4437319", "3C679366HH908993F", "1Z999AA10123456791"),
        v2("9RF31284LL2209876", "1KP72983BB1234567", "1Z999AA10123456808"),
    ]


def test_v1_packages_sent_in_three_batches(
    paypal_mix: tuple[PayPalEmulator, Reconciler],
) -> None:
    paypal, reconciler = paypal_mix
    report = reconciler.apply(reconciler.plan(mixed_orders()))
    batches = [r for r in paypal.writes() if r.url.path == "/v1/shipping/trackers-batch"]
    assert [len(json.loads(r.content)["trackers"]) for r in batches] == [20, 20, 5]
    assert report.summary()["added"] == 47


def test_mixed_run_outcomes(paypal_mix: tuple[PayPalEmulator, Reconciler]) -> None:
    _, reconciler = paypal_mix
    report = reconciler.apply(reconciler.plan(mixed_orders()))
    by_order = {result.order_id: result for result in report}
    assert by_order["7XK21695MM4437319"].discrepancy is not None
    assert by_order["7XK21695MM4437319"].discrepancy.value == "waiting_for_capture"
    assert by_order["9RF31284LL2209876"].outcome is Outcome.ADDED
    assert by_order["5O190127TN364715T"].outcome is Outcome.ADDED
    assert not report.has_failures


def test_mixed_rerun_sends_no_write(paypal_mix: tuple[PayPalEmulator, Reconciler]) -> None:
    paypal, reconciler = paypal_mix
    reconciler.apply(reconciler.plan(mixed_orders()))
    writes = len(paypal.writes())
    report = reconciler.apply(reconciler.plan(mixed_orders()))
    assert len(paypal.writes()) == writes
    assert report.summary()["unchanged"] == 47


def test_v1_trackers_hold_carrier(paypal_mix: tuple[PayPalEmulator, Reconciler]) -> None:
    paypal, reconciler = paypal_mix
    reconciler.apply(reconciler.plan(mixed_orders()))
    trackers = paypal.shipping_trackers("V1CAPTURE00000000")
    assert len(trackers) == 15
    assert {tracker["carrier"] for tracker in trackers} == {"USPS"}


@pytest.fixture
def stripe_mix() -> Iterator[tuple[StripeEmulator, Reconciler]]:
    stripe = StripeEmulator()
    shipping = {"name": "Ada Lovelace", "address": {"line1": "12 Example Road", "country": "US"}}
    stripe.add_payment_intent("pi_3QxThreePackages", shipping=shipping)
    stripe.add_charge("ch_3QxChargeOnly", shipping=shipping)
    stripe.add_payment_intent("pi_3QxFromSession", shipping=shipping)
    stripe.add_checkout_session("cs_test_3QxSession", payment_intent="pi_3QxFromSession")
    stripe.add_payment_intent("pi_3QxNoAddress")
    with httpx.Client(transport=stripe) as client:
        yield stripe, Reconciler([StripeProvider(stripe.api_key, client=client)])
    for sent in stripe.requests:
        validate_request(sent)


def stripe_orders() -> list[Order]:
    def one(order_id: str, payment_id: str, *numbers: str) -> Order:
        return Order(
            id=order_id,
            payments=[PaymentRef(provider="stripe", payment_id=payment_id)],
            shipments=[Shipment(tracking_number=number, carrier="DHL") for number in numbers],
        )

    return [
        one("3001", "pi_3QxThreePackages", "JD0146000001", "JD0146000002", "JD0146000003"),
        one("3002", "ch_3QxChargeOnly", "JD0146000004"),
        one("3003", "cs_test_3QxSession", "JD0146000005"),
        one("3004", "pi_3QxNoAddress", "JD0146000006"),
    ]


def test_stripe_three_packages_one_write(stripe_mix: tuple[StripeEmulator, Reconciler]) -> None:
    stripe, reconciler = stripe_mix
    reconciler.apply(reconciler.plan(stripe_orders()))
    writes = [r for r in stripe.writes() if r.url.path == "/v1/payment_intents/pi_3QxThreePackages"]
    assert len(writes) == 1
    shipping = stripe.payment_intent("pi_3QxThreePackages")["shipping"]
    assert shipping["tracking_number"] == "JD0146000001, JD0146000002, JD0146000003"


def test_stripe_charge_and_session_tracked(
    stripe_mix: tuple[StripeEmulator, Reconciler],
) -> None:
    stripe, reconciler = stripe_mix
    report = reconciler.apply(reconciler.plan(stripe_orders()))
    by_order = {result.order_id: result for result in report}
    assert by_order["3002"].outcome is Outcome.ADDED
    assert by_order["3003"].outcome is Outcome.ADDED
    assert stripe.charge("ch_3QxChargeOnly")["shipping"]["tracking_number"] == "JD0146000004"
    session_intent = stripe.payment_intent("pi_3QxFromSession")
    assert session_intent["shipping"]["tracking_number"] == "JD0146000005"


def test_stripe_no_address_skipped(stripe_mix: tuple[StripeEmulator, Reconciler]) -> None:
    _, reconciler = stripe_mix
    report = reconciler.apply(reconciler.plan(stripe_orders()))
    skipped = [result for result in report if result.order_id == "3004"]
    assert [result.outcome for result in skipped] == [Outcome.SKIPPED]
    assert skipped[0].discrepancy is not None
    assert skipped[0].discrepancy.value == "missing_recipient"


def test_stripe_rerun_sends_no_write(stripe_mix: tuple[StripeEmulator, Reconciler]) -> None:
    stripe, reconciler = stripe_mix
    reconciler.apply(reconciler.plan(stripe_orders()))
    writes = len(stripe.writes())
    reconciler.apply(reconciler.plan(stripe_orders()))
    assert len(stripe.writes()) == writes
