"""Reconciler.audit: where the shop and the providers disagree, read without writing."""

from __future__ import annotations

import attrs
import pytest

from fakes import TRACKER_CAPABILITIES, FakeAsyncProvider, FakeProvider
from tracksync import (
    AsyncReconciler,
    FindingKind,
    MemoryLedger,
    Order,
    PaymentRef,
    PaymentState,
    Reconciler,
    Shipment,
    ShipmentStatus,
    Tracker,
)

PAYPAL = PaymentRef(provider="paypal", payment_id="CAP1")
STRIPE = PaymentRef(provider="stripe", payment_id="pi_1")


def order(*shipments: Shipment, payments: tuple[PaymentRef, ...] = (PAYPAL,)) -> Order:
    return Order(id="1001", payments=payments, shipments=shipments)


def shipment(number: str = "1Z1", carrier: str = "UPS", **fields: object) -> Shipment:
    return Shipment(tracking_number=number, carrier=carrier, **fields)  # type: ignore[arg-type]


def held(
    number: str, carrier: str | None = "UPS", status: ShipmentStatus = ShipmentStatus.SHIPPED
) -> Tracker:
    return Tracker(tracking_number=number, carrier=carrier, status=status)


def kinds(provider: FakeProvider, *orders: Order) -> list[str]:
    audit = Reconciler([provider]).audit(orders)
    return [finding.kind.value for finding in audit.findings]


def test_everything_matches() -> None:
    provider = FakeProvider(trackers={"CAP1": [held("1Z1")]})
    audit = Reconciler([provider]).audit([order(shipment())])
    assert not audit
    assert audit.matched == 1


def test_missing_on_provider() -> None:
    assert kinds(FakeProvider(), order(shipment())) == ["missing_on_provider"]


def test_not_in_shop() -> None:
    provider = FakeProvider(trackers={"CAP1": [held("1Z1"), held("OLD1"), held("OLD2")]})
    assert kinds(provider, order(shipment())) == ["not_in_shop", "not_in_shop"]


def test_one_missing_one_extra_is_number_differs() -> None:
    provider = FakeProvider(trackers={"CAP1": [held("1Z9")]})
    audit = Reconciler([provider]).audit([order(shipment("1Z1"))])
    (finding,) = audit.findings
    assert finding.kind is FindingKind.NUMBER_DIFFERS
    assert (finding.shop, finding.provider_value) == ("1Z1", "1Z9")


def test_carrier_differs_once() -> None:
    provider = FakeProvider(trackers={"CAP1": [held("1Z1", carrier="DHL")]})
    audit = Reconciler([provider]).audit([order(shipment(carrier="UPS"))])
    assert [finding.kind for finding in audit.findings] == [FindingKind.CARRIER_DIFFERS]
    assert (audit.findings[0].shop, audit.findings[0].provider_value) == ("UPS", "DHL")


def test_status_differs() -> None:
    provider = FakeProvider(trackers={"CAP1": [held("1Z1")]})
    audit = Reconciler([provider]).audit([order(shipment(status=ShipmentStatus.CANCELLED))])
    (finding,) = audit.findings
    assert finding.kind is FindingKind.STATUS_DIFFERS
    assert (finding.shop, finding.provider_value) == ("CANCELLED", "SHIPPED")


@pytest.mark.parametrize(
    ("state", "kind"),
    [
        (PaymentState.NOT_FOUND, "payment_not_found"),
        (PaymentState.WAITING_FOR_CAPTURE, "capture_not_completed"),
        (PaymentState.UNUSABLE, "not_checked"),
    ],
)
def test_payment_states(state: PaymentState, kind: str) -> None:
    assert kinds(FakeProvider(states={"CAP1": state}), order(shipment())) == [kind]


def test_providers_differ() -> None:
    paypal = FakeProvider(trackers={"CAP1": [held("1Z1"), held("1Z2")]})
    stripe = FakeProvider(name="stripe", trackers={"pi_1": [held("1Z1")]})
    audit = Reconciler([paypal, stripe]).audit(
        [order(shipment("1Z1"), shipment("1Z2"), payments=(PAYPAL, STRIPE))]
    )
    assert [finding.kind.value for finding in audit.findings] == [
        "missing_on_provider",
        "providers_differ",
    ]
    assert "only on the first: 1Z2" in audit.findings[1].message


def test_audit_writes_nothing() -> None:
    provider = FakeProvider()
    Reconciler([provider]).audit([order(shipment())])
    assert provider.applied == []


def test_audit_reads_past_ledger() -> None:
    provider = FakeProvider()
    ledger = MemoryLedger()
    reconciler = Reconciler([provider], ledger=ledger)
    reconciler.apply(reconciler.plan([order(shipment())]))
    provider.trackers["CAP1"] = []  # deleted at the provider; the ledger cannot know
    provider.fetched.clear()
    audit = reconciler.audit([order(shipment())])
    assert provider.fetched == [PAYPAL]
    assert [finding.kind.value for finding in audit.findings] == ["missing_on_provider"]


def test_counts_every_kind() -> None:
    audit = Reconciler([FakeProvider()]).audit([order(shipment())])
    counts = audit.to_dict()["counts"]
    assert set(counts) == {kind.value for kind in FindingKind}
    assert counts["missing_on_provider"] == 1


def test_translated_carrier_not_a_difference() -> None:
    @attrs.define
    class Translating(FakeProvider):
        def stored_carrier(self, payment: PaymentRef, shipment: Shipment) -> str:
            return {"DPD_UK": "UK_DPD"}.get(shipment.carrier, shipment.carrier)

    provider = Translating(
        capabilities=attrs.evolve(TRACKER_CAPABILITIES, can_update_carrier=True),
        trackers={"CAP1": [held("1Z1", carrier="UK_DPD")]},
    )
    assert kinds(provider, order(shipment(carrier="DPD_UK"))) == []


@pytest.mark.anyio
async def test_async_audit_matches_sync() -> None:
    inner = FakeProvider(trackers={"CAP1": [held("1Z9")]})
    sync_audit = Reconciler([inner]).audit([order(shipment("1Z1"))])
    async_audit = await AsyncReconciler([FakeAsyncProvider(inner=inner)]).audit(
        [order(shipment("1Z1"))]
    )
    assert async_audit == sync_audit


def test_audit_prints_summary_and_findings() -> None:
    audit = Reconciler([FakeProvider()]).audit([order(shipment("1Z1"))])
    lines = str(audit).splitlines()
    assert lines[0] == "Audit: 0 packages match; 1 missing_on_provider"
    assert lines[1].startswith("  missing_on_provider: ")
    assert "1Z1" in lines[1]


def test_matching_audit_prints_one_line() -> None:
    provider = FakeProvider(trackers={"CAP1": [held("1Z1")]})
    audit = Reconciler([provider]).audit([order(shipment("1Z1"))])
    assert str(audit) == "Audit: 1 package matches; no disagreements"
