"""The AsyncReconciler and Reconciler.run: the same rules, concurrent or in chunks."""

from __future__ import annotations

import pytest

from fakes import FakeAsyncProvider, FakeProvider
from tracksync import (
    AsyncReconciler,
    AsyncTrackingProvider,
    MemoryLedger,
    Order,
    Outcome,
    PaymentRef,
    PaymentState,
    Reconciler,
    Shipment,
)


def orders(count: int) -> list[Order]:
    return [
        Order(
            id=str(1000 + index),
            payments=[PaymentRef(provider="paypal", payment_id=f"CAP{index}")],
            shipments=[Shipment(tracking_number=f"1Z{index}", carrier="UPS")],
        )
        for index in range(count)
    ]


def test_fake_is_async_provider() -> None:
    assert isinstance(FakeAsyncProvider(), AsyncTrackingProvider)


@pytest.mark.anyio
async def test_async_plan_matches_sync() -> None:
    sync_plan = Reconciler([FakeProvider()]).plan(orders(20))
    async_plan = await AsyncReconciler([FakeAsyncProvider()]).plan(orders(20))
    assert async_plan == sync_plan


@pytest.mark.anyio
async def test_async_reads_bounded_concurrency() -> None:
    provider = FakeAsyncProvider(max_concurrency=4)
    await AsyncReconciler([provider]).plan(orders(40))
    assert provider.most_in_flight == 4


@pytest.mark.anyio
async def test_async_apply_then_unchanged() -> None:
    provider = FakeAsyncProvider()
    reconciler = AsyncReconciler([provider])
    report = await reconciler.apply(await reconciler.plan(orders(5)))
    assert [result.outcome for result in report] == [Outcome.ADDED] * 5
    again = await reconciler.plan(orders(5))
    assert not again


@pytest.mark.anyio
async def test_async_ledger_skips_reads() -> None:
    provider = FakeAsyncProvider()
    async with AsyncReconciler([provider], ledger=MemoryLedger()) as reconciler:
        await reconciler.apply(await reconciler.plan(orders(5)))
        provider.inner.fetched.clear()
        await reconciler.plan(orders(5))
    assert provider.inner.fetched == []


@pytest.mark.anyio
async def test_async_run_yields_chunks() -> None:
    reconciler = AsyncReconciler([FakeAsyncProvider()])
    reports = [report async for report in reconciler.run(orders(25), chunk_size=10)]
    assert [len(report.results) for report in reports] == [10, 10, 5]


@pytest.mark.anyio
async def test_async_waiting_payment_reported() -> None:
    inner = FakeProvider(states={"CAP0": PaymentState.WAITING_FOR_CAPTURE})
    plan = await AsyncReconciler([FakeAsyncProvider(inner=inner)]).plan(orders(1))
    assert [entry.kind.value for entry in plan.discrepancies] == ["waiting_for_capture"]


def test_run_yields_chunks() -> None:
    reports = list(Reconciler([FakeProvider()]).run(orders(25), chunk_size=10))
    assert [len(report.results) for report in reports] == [10, 10, 5]
    assert sum(report.summary()["added"] for report in reports) == 25


def test_run_reads_lazily() -> None:
    consumed = []

    def generate() -> object:
        for order in orders(30):
            consumed.append(order.id)
            yield order

    run = Reconciler([FakeProvider()]).run(generate(), chunk_size=10)  # type: ignore[arg-type]
    next(run)
    assert len(consumed) == 10


def test_run_dry_run_writes_nothing() -> None:
    provider = FakeProvider()
    reports = list(Reconciler([provider]).run(orders(5), dry_run=True))
    assert provider.applied == []
    assert reports[0].dry_run


def test_chunk_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="chunk_size must be 1 or more"):
        list(Reconciler([FakeProvider()]).run(orders(1), chunk_size=0))


def test_ledger_bulk_lookup() -> None:
    ledger = MemoryLedger()
    reconciler = Reconciler([FakeProvider()], ledger=ledger)
    reconciler.apply(reconciler.plan(orders(3)))
    payments = [order.payments[0] for order in orders(4)]
    found = ledger.entries_for_payments(payments)
    assert sorted(payment.payment_id for payment in found) == ["CAP0", "CAP1", "CAP2"]
