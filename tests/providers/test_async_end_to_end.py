"""The async providers against the emulators: the same state as the sync providers, sooner.

Two identical pairs of emulators get the same plans. One pair is written by PayPalProvider
and StripeProvider, the other by AsyncPayPalProvider and AsyncStripeProvider through
``httpx.AsyncClient``, and the trackers they end up with are compared.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import httpx
import pytest

from spec_validation import validate_request
from tracksync import (
    Address,
    Change,
    ChangeResult,
    Order,
    PaymentRef,
    Plan,
    Reconciler,
    Shipment,
    ShipmentStatus,
    TracksyncError,
)
from tracksync.providers.paypal import AsyncPayPalProvider, PayPalProvider
from tracksync.providers.stripe import AsyncStripeProvider, StripeProvider
from tracksync.testing import FaultSettings, PayPalEmulator, StripeEmulator

pytestmark = pytest.mark.anyio

Output = ChangeResult | TracksyncError

STRIPE_SHIPPING = {
    "name": "Ada Lovelace",
    "address": {"line1": "12 Example Road", "city": "Springfield", "country": "US"},
}
ADDRESS = Address(line1="12 Example Road", city="Springfield", country="US")

#: Timestamps that the emulators set from the clock, which differ between two runs.
CLOCK_FIELDS = frozenset({"create_time", "update_time", "last_updated_time"})


def package_counts(total: int) -> list[int]:
    """Split ``total`` packages over payments with 3, 1, 2, 3, 1, 2, ... packages each.

    With these counts, some payments' v1 adds fall into two batch requests of 20.
    """
    counts: list[int] = []
    pattern = itertools.cycle((3, 1, 2))
    while sum(counts) < total:
        counts.append(min(next(pattern), total - sum(counts)))
    return counts


@attrs.define
class Shop:
    """What one shop sells and pays with, and both providers' emulators."""

    packages: int
    paypal: PayPalEmulator = attrs.field(factory=PayPalEmulator)
    stripe: StripeEmulator = attrs.field(factory=StripeEmulator)

    def __attrs_post_init__(self) -> None:
        counts = package_counts(self.packages)
        for index in range(len(counts)):
            self.paypal.add_capture(v1_capture(index), "COMPLETED")
            order_id, capture_id = v2_ids(index)
            self.paypal.add_order(order_id, captures={capture_id: "COMPLETED"})
            self.stripe.add_payment_intent(stripe_intent(index), shipping=STRIPE_SHIPPING)

    def orders(self, second_run: bool = False) -> list[Order]:
        """Return the shop's orders; in the second run some packages change (see below)."""
        orders = []
        for index, count in enumerate(package_counts(self.packages)):
            orders += [
                v1_order(index, count, second_run),
                v2_order(index, count, second_run),
                stripe_order(index, count, second_run),
            ]
        return orders

    def plan(self, second_run: bool = False) -> Plan:
        """Plan with the sync providers, which send only reads."""
        with (
            httpx.Client(transport=self.paypal) as paypal_client,
            httpx.Client(transport=self.stripe) as stripe_client,
        ):
            reconciler = Reconciler(
                [
                    PayPalProvider(
                        self.paypal.client_id, self.paypal.client_secret, client=paypal_client
                    ),
                    StripeProvider(self.stripe.api_key, client=stripe_client),
                ]
            )
            return reconciler.plan(self.orders(second_run))

    def state(self) -> dict[str, Any]:
        """Return every tracker the emulators hold, without the timestamps."""
        counts = package_counts(self.packages)
        v1 = {
            # A capture's v1 adds split over two concurrent batch requests may be stored in
            # either order, so these trackers are compared by tracking number.
            v1_capture(index): sorted(
                (
                    without_clock(tracker)
                    for tracker in self.paypal.shipping_trackers(v1_capture(index))
                ),
                key=lambda tracker: str(tracker["tracking_number"]),
            )
            for index in range(len(counts))
        }
        orders_v2 = {
            v2_ids(index)[0]: [
                without_clock(tracker) for tracker in self.paypal.tracker_details(v2_ids(index)[0])
            ]
            for index in range(len(counts))
        }
        stripe = {}
        for index in range(len(counts)):
            intent = self.stripe.payment_intent(stripe_intent(index))
            stripe[stripe_intent(index)] = (intent["shipping"], intent["metadata"])
        return {"v1": v1, "orders_v2": orders_v2, "stripe": stripe}

    def check_requests(self) -> None:
        for sent in self.paypal.requests + self.stripe.requests:
            validate_request(sent)

    def set_latency(self, seconds: float | None) -> None:
        """Delay every response by ``seconds``, or by nothing with None."""
        faults = None if seconds is None else FaultSettings(latency=seconds)
        self.paypal.set_faults(faults)
        self.stripe.set_faults(faults)


def without_clock(tracker: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in tracker.items() if key not in CLOCK_FIELDS}


def v1_capture(index: int) -> str:
    return f"V1CAPTURE{index:08d}"


def v2_ids(index: int) -> tuple[str, str]:
    return f"ORDER{index:012d}", f"CAPTURE{index:010d}"


def stripe_intent(index: int) -> str:
    return f"pi_3QxAsyncRun{index:08d}"


def v1_order(index: int, count: int, second_run: bool) -> Order:
    # The second run delivers every first package, which updates its v1 tracker in place.
    shipments = [
        Shipment(
            tracking_number=f"9400111899{index:05d}{number:04d}",
            carrier="USPS",
            status=ShipmentStatus.DELIVERED
            if second_run and number == 0
            else ShipmentStatus.SHIPPED,
        )
        for number in range(count)
    ]
    payment = PaymentRef(provider="paypal", payment_id=v1_capture(index))
    return Order(id=f"v1-{index}", payments=[payment], shipments=shipments)


def v2_order(index: int, count: int, second_run: bool) -> Order:
    # The second run cancels every last package and adds one more package to each order.
    order_id, capture_id = v2_ids(index)
    numbers = range(count + 1 if second_run else count)
    shipments = [
        Shipment(
            tracking_number=f"1Z999AA1{index:05d}{number:04d}",
            carrier="UPS",
            status=ShipmentStatus.CANCELLED
            if second_run and number == count - 1
            else ShipmentStatus.SHIPPED,
        )
        for number in numbers
    ]
    payment = PaymentRef(provider="paypal", payment_id=capture_id, paypal_order_id=order_id)
    return Order(id=order_id, payments=[payment], shipments=shipments)


def stripe_order(index: int, count: int, second_run: bool) -> Order:
    # The second run removes every first package and moves the others to another carrier.
    shipments = [
        Shipment(
            tracking_number=f"JD01460{index:05d}{number:04d}",
            carrier="UPS" if second_run else "DHL",
            status=ShipmentStatus.CANCELLED
            if second_run and number == 0
            else ShipmentStatus.SHIPPED,
        )
        for number in range(count)
    ]
    payment = PaymentRef(provider="stripe", payment_id=stripe_intent(index))
    return Order(
        id=f"s-{index}",
        payments=[payment],
        shipments=shipments,
        recipient_name="Ada Lovelace",
        ship_to=ADDRESS,
    )


def split(changes: Sequence[Change]) -> tuple[list[Change], list[Change]]:
    paypal = [change for change in changes if change.payment.provider == "paypal"]
    stripe = [change for change in changes if change.payment.provider == "stripe"]
    return paypal, stripe


def apply_sync(shop: Shop, plan: Plan, latency: float = 0.001) -> list[Output]:
    """Apply the plan with the sync providers, each response ``latency`` seconds late."""
    paypal_changes, stripe_changes = split(plan.changes)
    shop.set_latency(latency)
    with (
        httpx.Client(transport=shop.paypal) as paypal_client,
        httpx.Client(transport=shop.stripe) as stripe_client,
    ):
        paypal = PayPalProvider(
            shop.paypal.client_id, shop.paypal.client_secret, client=paypal_client
        )
        stripe = StripeProvider(shop.stripe.api_key, client=stripe_client)
        outputs = paypal.apply_batch(paypal_changes) + stripe.apply_batch(stripe_changes)
    shop.set_latency(None)
    return outputs


async def apply_async(shop: Shop, plan: Plan, latency: float = 0.001) -> list[Output]:
    """Apply the plan with the async providers, each response ``latency`` seconds late.

    Even a short wait makes the emulators suspend each request, so the units interleave.
    """
    paypal_changes, stripe_changes = split(plan.changes)
    shop.set_latency(latency)
    async with (
        httpx.AsyncClient(transport=shop.paypal) as paypal_client,
        httpx.AsyncClient(transport=shop.stripe) as stripe_client,
        AsyncPayPalProvider(
            shop.paypal.client_id, shop.paypal.client_secret, client=paypal_client
        ) as paypal,
        AsyncStripeProvider(shop.stripe.api_key, client=stripe_client) as stripe,
    ):
        paypal_outputs, stripe_outputs = await asyncio.gather(
            paypal.apply_batch(paypal_changes), stripe.apply_batch(stripe_changes)
        )
    shop.set_latency(None)
    return paypal_outputs + stripe_outputs


@pytest.fixture
def shops() -> Iterator[tuple[Shop, Shop]]:
    """Two shops with the same payments: one for the sync run, one for the async run."""
    pair = (Shop(packages=200), Shop(packages=200))
    yield pair
    for shop in pair:
        shop.check_requests()


async def test_first_run_same_state(shops: tuple[Shop, Shop]) -> None:
    sync_shop, async_shop = shops
    plan = sync_shop.plan()
    assert plan == async_shop.plan()
    assert len(plan.changes) == 600

    sync_outputs = apply_sync(sync_shop, plan)
    async_outputs = await apply_async(async_shop, plan)

    assert sync_outputs == async_outputs
    assert all(isinstance(output, ChangeResult) for output in async_outputs)
    assert sync_shop.state() == async_shop.state()


async def test_second_run_same_state(shops: tuple[Shop, Shop]) -> None:
    sync_shop, async_shop = shops
    plan = sync_shop.plan()
    apply_sync(sync_shop, plan)
    await apply_async(async_shop, plan)

    second = sync_shop.plan(second_run=True)
    assert second == async_shop.plan(second_run=True)
    kinds = second.counts()
    assert (kinds["add"], kinds["update"], kinds["cancel"]) == (100, 200, 200)

    sync_outputs = apply_sync(sync_shop, second)
    async_outputs = await apply_async(async_shop, second)

    assert sync_outputs == async_outputs
    assert all(isinstance(output, ChangeResult) for output in async_outputs)
    assert sync_shop.state() == async_shop.state()


async def test_async_fetch_same_as_sync(shops: tuple[Shop, Shop]) -> None:
    sync_shop, async_shop = shops
    apply_sync(sync_shop, sync_shop.plan())
    await apply_async(async_shop, async_shop.plan())
    payments = [payment for order in async_shop.orders() for payment in order.payments]

    with (
        httpx.Client(transport=sync_shop.paypal) as paypal_client,
        httpx.Client(transport=sync_shop.stripe) as stripe_client,
    ):
        sync_providers: dict[str, PayPalProvider | StripeProvider] = {
            "paypal": PayPalProvider(
                sync_shop.paypal.client_id, sync_shop.paypal.client_secret, client=paypal_client
            ),
            "stripe": StripeProvider(sync_shop.stripe.api_key, client=stripe_client),
        }
        expected = [sync_providers[payment.provider].fetch(payment) for payment in payments]

    async_shop.set_latency(0.001)
    async with (
        httpx.AsyncClient(transport=async_shop.paypal) as async_paypal_client,
        httpx.AsyncClient(transport=async_shop.stripe) as async_stripe_client,
        AsyncPayPalProvider(
            async_shop.paypal.client_id,
            async_shop.paypal.client_secret,
            client=async_paypal_client,
        ) as paypal,
        AsyncStripeProvider(async_shop.stripe.api_key, client=async_stripe_client) as stripe,
    ):
        async_providers: dict[str, AsyncPayPalProvider | AsyncStripeProvider] = {
            "paypal": paypal,
            "stripe": stripe,
        }
        actual = await asyncio.gather(
            *(async_providers[payment.provider].fetch(payment) for payment in payments)
        )
    assert expected == actual


async def test_latency_overlaps() -> None:
    # A behaviour check, not a benchmark. Each response takes 50 ms, and the async run
    # overlaps requests, so it takes a fraction of the sync run's time.
    sync_shop, async_shop = Shop(packages=30), Shop(packages=30)
    plan = sync_shop.plan()
    assert plan == async_shop.plan()

    started = time.perf_counter()
    sync_outputs = apply_sync(sync_shop, plan, latency=0.05)
    sync_seconds = time.perf_counter() - started
    started = time.perf_counter()
    async_outputs = await apply_async(async_shop, plan, latency=0.05)
    async_seconds = time.perf_counter() - started

    print(f"{len(plan.changes)} changes: sync {sync_seconds:.2f} s, async {async_seconds:.2f} s")
    assert sync_outputs == async_outputs
    assert sync_shop.state() == async_shop.state()
    assert async_seconds < sync_seconds / 3
