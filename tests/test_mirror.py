"""Mirroring trackers between PayPal and Stripe, on the emulators, requests checked against
the specs."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from spec_validation import validate_request
from tracksync import (
    Address,
    AsyncReconciler,
    Change,
    ChangeKind,
    Discrepancy,
    MemoryLedger,
    Order,
    Outcome,
    PaymentRef,
    PaymentState,
    Reconciler,
    RemotePayment,
    Shipment,
    ShipmentStatus,
    Tracker,
    Unchanged,
)
from tracksync._mirror import mirror_order
from tracksync.providers.paypal import AsyncPayPalProvider, PayPalProvider
from tracksync.providers.stripe import AsyncStripeProvider, StripeProvider
from tracksync.testing import PayPalEmulator, StripeEmulator

ORDERS_V2 = PaymentRef(
    provider="paypal", payment_id="8MC585209K746392H", paypal_order_id="5O190127TN364715T"
)
V1 = PaymentRef(provider="paypal", payment_id="3C679366HH908993F")
STRIPE = PaymentRef(provider="stripe", payment_id="pi_3QxExampleA1b2C3d4")
ADDRESS = Address(line1="12 Example Road", city="Springfield", postal_code="62701", country="US")
UPS = "1Z999AA10123456784"
UPS_2 = "1Z999AA10123456791"
ROYAL_MAIL = "RR123456785GB"


@pytest.fixture
def paypal() -> Iterator[PayPalEmulator]:
    emulator = PayPalEmulator()
    emulator.add_order("5O190127TN364715T", captures={"8MC585209K746392H": "COMPLETED"})
    emulator.add_capture("3C679366HH908993F")
    yield emulator
    for sent in emulator.requests:
        validate_request(sent)


@pytest.fixture
def stripe() -> Iterator[StripeEmulator]:
    emulator = StripeEmulator()
    emulator.add_payment_intent("pi_3QxExampleA1b2C3d4")
    yield emulator
    for sent in emulator.requests:
        validate_request(sent)


@pytest.fixture
def ledger() -> MemoryLedger:
    return MemoryLedger()


@pytest.fixture
def reconciler(
    paypal: PayPalEmulator, stripe: StripeEmulator, ledger: MemoryLedger
) -> Iterator[Reconciler]:
    with (
        httpx.Client(transport=paypal) as paypal_client,
        httpx.Client(transport=stripe) as stripe_client,
    ):
        yield Reconciler(
            [
                PayPalProvider(paypal.client_id, paypal.client_secret, client=paypal_client),
                StripeProvider(stripe.api_key, client=stripe_client),
            ],
            ledger=ledger,
        )


def shop(payment: PaymentRef, *shipments: Shipment) -> Order:
    return Order(
        id="1001",
        payments=[payment],
        shipments=shipments,
        recipient_name="Ada Lovelace",
        ship_to=ADDRESS,
    )


def both(*payments: PaymentRef) -> Order:
    """An order paid at both providers, as a mirror reads it: payments and no shipments."""
    return Order(
        id="1001",
        payments=payments or (ORDERS_V2, STRIPE),
        shipments=(),
        recipient_name="Ada Lovelace",
        ship_to=ADDRESS,
    )


def written_elsewhere(
    stripe: StripeEmulator, intent_id: str, number: str, *, carrier: str | None = None
) -> PaymentRef:
    """Create a PaymentIntent whose tracking another tool wrote, without tracksync's metadata."""
    shipping = {"name": "Ada Lovelace", "address": {"line1": "1 Road"}, "tracking_number": number}
    if carrier is not None:
        shipping["carrier"] = carrier
    stripe.add_payment_intent(intent_id, shipping=shipping)
    return PaymentRef(provider="stripe", payment_id=intent_id)


def sync(reconciler: Reconciler, order: Order) -> None:
    report = reconciler.apply(reconciler.plan([order]))
    assert not report.has_failures


def test_paypal_v2_to_stripe_adds(reconciler: Reconciler, stripe: StripeEmulator) -> None:
    sync(
        reconciler,
        shop(
            ORDERS_V2,
            Shipment(tracking_number=UPS, carrier="UPS"),
            Shipment(tracking_number=ROYAL_MAIL, carrier="Royal Mail"),
        ),
    )
    plan = reconciler.plan_mirror([both()], source="paypal", target="stripe")
    # Orders v2 returns no carrier, so each one comes from its number's format.
    assert [(entry.kind, entry.shipment.carrier) for entry in plan.changes] == [
        (ChangeKind.ADD, "UPS"),
        (ChangeKind.ADD, "Royal Mail"),
    ]
    report = reconciler.apply(plan)
    assert [result.outcome for result in report.results] == [Outcome.ADDED, Outcome.ADDED]
    shipping = stripe.payment_intent("pi_3QxExampleA1b2C3d4")["shipping"]
    # Stripe has one tracking number field, which contains every package of the payment.
    assert shipping["tracking_number"] == f"{UPS}, {ROYAL_MAIL}"
    assert shipping["name"] == "Ada Lovelace"


def test_second_mirror_unchanged(reconciler: Reconciler, stripe: StripeEmulator) -> None:
    sync(reconciler, shop(ORDERS_V2, Shipment(tracking_number=UPS, carrier="UPS")))
    reconciler.apply(reconciler.plan_mirror([both()], source="paypal", target="stripe"))
    writes = len([sent for sent in stripe.requests if sent.method == "POST"])
    plan = reconciler.plan_mirror([both()], source="paypal", target="stripe")
    assert [type(entry) for entry in plan.entries] == [Unchanged]
    assert reconciler.apply(plan).results[0].outcome is Outcome.UNCHANGED
    assert len([sent for sent in stripe.requests if sent.method == "POST"]) == writes


def test_ledger_spares_target_read(
    reconciler: Reconciler, paypal: PayPalEmulator, stripe: StripeEmulator
) -> None:
    sync(reconciler, shop(ORDERS_V2, Shipment(tracking_number=UPS, carrier="UPS")))
    reconciler.apply(reconciler.plan_mirror([both()], source="paypal", target="stripe"))
    paypal_reads, stripe_reads = len(paypal.requests), len(stripe.requests)
    plan = reconciler.plan_mirror([both()], source="paypal", target="stripe")
    [entry] = plan.entries
    assert isinstance(entry, Unchanged)
    assert entry.from_ledger
    # The source is always read, because only the source has the trackers.
    assert len(paypal.requests) > paypal_reads
    assert len(stripe.requests) == stripe_reads


def test_v1_carrier_code_translated(reconciler: Reconciler, stripe: StripeEmulator) -> None:
    sync(reconciler, shop(V1, Shipment(tracking_number=ROYAL_MAIL, carrier="Royal Mail")))
    plan = reconciler.plan_mirror([both(V1, STRIPE)], source="paypal", target="stripe")
    [change] = plan.changes
    assert change.shipment.carrier == "ROYAL_MAIL"
    reconciler.apply(plan)
    shipping = stripe.payment_intent("pi_3QxExampleA1b2C3d4")["shipping"]
    assert shipping["carrier"] == "Royal Mail"


def test_stripe_to_paypal(reconciler: Reconciler, paypal: PayPalEmulator) -> None:
    sync(
        reconciler,
        shop(
            STRIPE,
            Shipment(tracking_number=UPS, carrier="UPS"),
            Shipment(tracking_number=UPS_2, carrier="UPS"),
        ),
    )
    plan = reconciler.plan_mirror([both()], source="stripe", target="paypal")
    assert sorted(change.shipment.tracking_number for change in plan.changes) == [UPS, UPS_2]
    reconciler.apply(plan)
    trackers = paypal.shipping_trackers("8MC585209K746392H")
    numbers = {tracker["tracking_number"] for tracker in trackers}
    assert numbers == {UPS, UPS_2}


def test_stripe_without_metadata_keeps_status(
    reconciler: Reconciler, stripe: StripeEmulator
) -> None:
    # Another tool wrote Stripe's tracking, so Stripe has no status for the package.
    other = written_elsewhere(stripe, "pi_3QxExampleOtherTool", UPS, carrier="UPS")
    delivered = Shipment(tracking_number=UPS, carrier="UPS", status=ShipmentStatus.DELIVERED)
    sync(reconciler, shop(V1, delivered))
    plan = reconciler.plan_mirror([both(other, V1)], source="stripe", target="paypal")
    assert plan.changes == ()
    assert [type(entry) for entry in plan.entries] == [Unchanged]


def test_stripe_status_copied(reconciler: Reconciler) -> None:
    sync(reconciler, shop(STRIPE, Shipment(tracking_number=UPS, carrier="UPS")))
    delivered = Shipment(tracking_number=UPS, carrier="UPS", status=ShipmentStatus.DELIVERED)
    sync(reconciler, shop(V1, delivered))
    plan = reconciler.plan_mirror([both(STRIPE, V1)], source="stripe", target="paypal")
    [change] = plan.changes
    assert change.kind is ChangeKind.UPDATE
    assert change.shipment.status is ShipmentStatus.SHIPPED


def test_two_sources_merged(reconciler: Reconciler) -> None:
    sync(reconciler, shop(V1, Shipment(tracking_number=UPS, carrier="UPS")))
    sync(
        reconciler,
        shop(
            ORDERS_V2,
            Shipment(tracking_number=UPS_2, carrier="UPS"),
            Shipment(tracking_number=UPS, carrier="UPS"),
        ),
    )
    plan = reconciler.plan_mirror([both(V1, ORDERS_V2, STRIPE)], source="paypal", target="stripe")
    numbers = [change.shipment.tracking_number for change in plan.changes]
    assert numbers == [UPS, UPS_2]
    assert {change.payment for change in plan.changes} == {STRIPE}


def test_unknown_carrier_not_mirrored(reconciler: Reconciler) -> None:
    sync(reconciler, shop(ORDERS_V2, Shipment(tracking_number="PARCEL42", carrier="Local")))
    plan = reconciler.plan_mirror([both()], source="paypal", target="stripe")
    [entry] = plan.entries
    assert isinstance(entry, Discrepancy)
    assert entry.kind.value == "unknown_carrier"
    assert entry.payment == STRIPE
    assert "PARCEL42" in entry.message
    assert entry.is_failure


def test_unknown_carrier_taken_from_target(reconciler: Reconciler) -> None:
    sync(reconciler, shop(ORDERS_V2, Shipment(tracking_number="PARCEL42", carrier="Local")))
    sync(reconciler, shop(STRIPE, Shipment(tracking_number="PARCEL42", carrier="Local")))
    plan = reconciler.plan_mirror([both()], source="paypal", target="stripe")
    [entry] = plan.entries
    assert isinstance(entry, Unchanged)
    assert entry.payment == STRIPE


def test_unknown_carrier_on_both_left(reconciler: Reconciler, stripe: StripeEmulator) -> None:
    # Another tool set Stripe's tracking number without a carrier.
    target = written_elsewhere(stripe, "pi_3QxExampleNoCarrier", "PARCEL42")
    sync(reconciler, shop(ORDERS_V2, Shipment(tracking_number="PARCEL42", carrier="Local")))
    plan = reconciler.plan_mirror([both(ORDERS_V2, target)], source="paypal", target="stripe")
    [entry] = plan.entries
    assert isinstance(entry, Unchanged)
    assert entry.note is not None
    assert "Neither provider" in entry.note


def test_unknown_carrier_reads_past_ledger(reconciler: Reconciler, stripe: StripeEmulator) -> None:
    sync(
        reconciler,
        shop(
            ORDERS_V2,
            Shipment(tracking_number=UPS, carrier="UPS"),
            Shipment(tracking_number="PARCEL42", carrier="Local"),
        ),
    )
    reconciler.apply(reconciler.plan_mirror([both()], source="paypal", target="stripe"))
    reads = len(stripe.requests)
    plan = reconciler.plan_mirror([both()], source="paypal", target="stripe")
    # The ledger vouches for the UPS package, but only a read settles PARCEL42.
    assert len(stripe.requests) > reads
    kinds = sorted(type(entry).__name__ for entry in plan.entries)
    assert kinds == ["Discrepancy", "Unchanged"]


def test_no_target_payment(reconciler: Reconciler, stripe: StripeEmulator) -> None:
    plan = reconciler.plan_mirror([both(ORDERS_V2)], source="paypal", target="stripe")
    [entry] = plan.entries
    assert isinstance(entry, Discrepancy)
    assert entry.kind.value == "no_mirror_payment"
    assert "no stripe payment" in entry.message
    assert not entry.is_failure
    assert stripe.requests == []


def test_nothing_to_mirror(reconciler: Reconciler, stripe: StripeEmulator) -> None:
    plan = reconciler.plan_mirror([both()], source="paypal", target="stripe")
    [entry] = plan.entries
    assert isinstance(entry, Discrepancy)
    assert entry.kind.value == "nothing_to_mirror"
    assert entry.payment == STRIPE
    assert stripe.requests == []


def test_source_not_found(reconciler: Reconciler, stripe: StripeEmulator) -> None:
    missing = PaymentRef(provider="paypal", payment_id="9ZZ00000000000000")
    plan = reconciler.plan_mirror([both(missing, STRIPE)], source="paypal", target="stripe")
    [entry] = plan.entries
    assert isinstance(entry, Discrepancy)
    assert entry.kind.value == "payment_not_found"
    assert entry.payment == missing
    assert stripe.requests == []


def test_target_extra_tracker_kept(reconciler: Reconciler) -> None:
    sync(reconciler, shop(ORDERS_V2, Shipment(tracking_number=UPS, carrier="UPS")))
    sync(reconciler, shop(STRIPE, Shipment(tracking_number=UPS_2, carrier="UPS")))
    plan = reconciler.plan_mirror([both()], source="paypal", target="stripe")
    [change] = plan.changes
    assert change.shipment.tracking_number == UPS
    [extra] = [entry for entry in plan.entries if isinstance(entry, Discrepancy)]
    assert extra.tracking_number == UPS_2
    assert "no paypal payment of order 1001 holds" in extra.message
    assert "leaves it in place" in extra.message


def test_cancelled_source_cancels_target(reconciler: Reconciler) -> None:
    sync(reconciler, shop(ORDERS_V2, Shipment(tracking_number=UPS, carrier="UPS")))
    reconciler.apply(reconciler.plan_mirror([both()], source="paypal", target="stripe"))
    sync(
        reconciler,
        shop(
            ORDERS_V2,
            Shipment(tracking_number=UPS, carrier="UPS", status=ShipmentStatus.CANCELLED),
        ),
    )
    plan = reconciler.plan_mirror([both()], source="paypal", target="stripe")
    [change] = plan.changes
    assert isinstance(change, Change)
    assert change.kind is ChangeKind.CANCEL


def test_same_provider_rejected(reconciler: Reconciler) -> None:
    with pytest.raises(ValueError, match="both 'paypal'"):
        reconciler.plan_mirror([both()], source="paypal", target="paypal")


@pytest.mark.anyio
async def test_async_plan_matches_sync(
    reconciler: Reconciler, paypal: PayPalEmulator, stripe: StripeEmulator
) -> None:
    sync(
        reconciler,
        shop(
            ORDERS_V2,
            Shipment(tracking_number=UPS, carrier="UPS"),
            Shipment(tracking_number="PARCEL42", carrier="Local"),
        ),
    )
    sync(reconciler, shop(STRIPE, Shipment(tracking_number=UPS_2, carrier="UPS")))
    orders = [both(), both(ORDERS_V2), both(V1, STRIPE)]
    expected = Reconciler(
        [
            PayPalProvider(
                paypal.client_id, paypal.client_secret, client=httpx.Client(transport=paypal)
            ),
            StripeProvider(stripe.api_key, client=httpx.Client(transport=stripe)),
        ]
    ).plan_mirror(orders, source="paypal", target="stripe")
    async with (
        httpx.AsyncClient(transport=paypal) as paypal_client,
        httpx.AsyncClient(transport=stripe) as stripe_client,
    ):
        providers = [
            AsyncPayPalProvider(paypal.client_id, paypal.client_secret, client=paypal_client),
            AsyncStripeProvider(stripe.api_key, client=stripe_client),
        ]
        async with AsyncReconciler(providers) as async_reconciler:
            plan = await async_reconciler.plan_mirror(orders, source="paypal", target="stripe")
    assert plan == expected
    assert len(plan.entries) == 5


def remote(*trackers: Tracker) -> RemotePayment:
    return RemotePayment(payment=ORDERS_V2, state=PaymentState.READY, trackers=trackers)


@pytest.mark.parametrize(
    ("number", "carrier"),
    [
        (UPS, "UPS"),
        # A 1Z number with a wrong check digit is still a UPS format.
        (UPS_2, "UPS"),
        ("00340434161094042557", "DHL Paket"),
        # Twelve digits fit FedEx and others: no carrier is certain.
        ("123456789012", None),
        ("PARCEL42", None),
    ],
)
def test_carrier_from_number(number: str, carrier: str | None) -> None:
    mirror = mirror_order(both(), [STRIPE], [remote(Tracker(tracking_number=number))])
    assert mirror.order is not None
    assert [shipment.carrier for shipment in mirror.order.shipments] == (
        [carrier] if carrier else []
    )
    # A number that names no carrier waits for the target: it may hold the tracker.
    assert [tracker.tracking_number for tracker in mirror.unknown_carrier] == (
        [] if carrier else [number]
    )


def test_active_tracker_preferred() -> None:
    cancelled = Tracker(tracking_number=UPS, carrier="UPS", status=ShipmentStatus.CANCELLED)
    active = Tracker(tracking_number=UPS, carrier="UPS", status=ShipmentStatus.DELIVERED)
    mirror = mirror_order(both(), [STRIPE], [remote(cancelled), remote(active)])
    assert mirror.order is not None
    assert [shipment.status for shipment in mirror.order.shipments] == [ShipmentStatus.DELIVERED]


def test_unknown_status_recorded() -> None:
    mirror = mirror_order(both(), [STRIPE], [remote(Tracker(tracking_number=UPS, carrier="UPS"))])
    assert mirror.unknown_status == frozenset({UPS})


@pytest.mark.parametrize("source", ["square", "PayPal"])
def test_unknown_source_rejected(reconciler: Reconciler, source: str) -> None:
    with pytest.raises(ValueError, match=f"source '{source}' is not the name"):
        reconciler.plan_mirror([both()], source=source, target="stripe")
