from __future__ import annotations

import datetime
import sqlite3
from pathlib import Path

import attrs
import pytest

from fakes import FakeProvider
from tracksync import (
    Address,
    ConfigurationError,
    EntryState,
    Item,
    LedgerEntry,
    MemoryLedger,
    Order,
    Outcome,
    PaymentRef,
    PaymentState,
    ProviderConnectionError,
    Reconciler,
    Shipment,
    ShipmentStatus,
    SQLiteLedger,
    Tracker,
)
from tracksync._ledger import fingerprint

PAYMENT = PaymentRef(provider="paypal", payment_id="CAP1", paypal_order_id="ORDER1")
TIME = datetime.datetime(2026, 12, 4, 12, 0, tzinfo=datetime.timezone.utc)


def order(*shipments: Shipment) -> Order:
    return Order(id="1001", payments=[PAYMENT], shipments=shipments)


def shipment(number: str = "1Z1", **fields: object) -> Shipment:
    return Shipment(tracking_number=number, carrier="UPS", **fields)  # type: ignore[arg-type]


def entry(**fields: object) -> LedgerEntry:
    values: dict[str, object] = {
        "provider": "paypal",
        "account": None,
        "payment_id": "CAP1",
        "tracking_number": "1Z1",
        "order_id": "1001",
        "fingerprint": "f1",
        "state": EntryState.APPLIED,
        "created_at": TIME,
        "updated_at": TIME,
    }
    values.update(fields)
    return LedgerEntry(**values)  # type: ignore[arg-type]


@pytest.fixture(params=["memory", "sqlite"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> object:
    if request.param == "memory":
        return MemoryLedger()
    sqlite_ledger = SQLiteLedger(tmp_path / "ledger.sqlite3")
    request.addfinalizer(sqlite_ledger.close)
    return sqlite_ledger


def test_entry_round_trip(ledger: MemoryLedger) -> None:
    ledger.record([entry(tracker_id="T1", error=None)])
    assert ledger.entries_for_payment(PAYMENT) == [entry(tracker_id="T1")]


def test_update_keeps_created_and_tracker(ledger: MemoryLedger) -> None:
    later = TIME + datetime.timedelta(hours=1)
    ledger.record([entry(tracker_id="T1")])
    ledger.record([entry(created_at=later, updated_at=later, state=EntryState.FAILED, error="x")])
    (stored,) = ledger.entries_for_payment(PAYMENT)
    assert stored.created_at == TIME
    assert stored.updated_at == later
    assert stored.tracker_id == "T1"
    assert stored.state is EntryState.FAILED


def test_entries_split_by_account(ledger: MemoryLedger) -> None:
    ledger.record([entry(), entry(account="eu")])
    assert len(ledger.entries_for_payment(PAYMENT)) == 1
    assert len(ledger.entries_for_payment(attrs.evolve(PAYMENT, account="eu"))) == 1


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    with SQLiteLedger(tmp_path / "l.sqlite3"):
        pass
    connection = sqlite3.connect(tmp_path / "l.sqlite3")
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    connection.close()


def test_sqlite_survives_reopen(tmp_path: Path) -> None:
    with SQLiteLedger(tmp_path / "l.sqlite3") as first:
        first.record([entry()])
    with SQLiteLedger(tmp_path / "l.sqlite3") as second:
        assert list(second.entries()) == [entry()]


def test_sqlite_rejects_other_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database, just text that is long enough to have a header" * 20)
    with pytest.raises(ConfigurationError, match="is not a tracksync ledger"):
        SQLiteLedger(path)


def test_sqlite_rejects_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite3"
    with SQLiteLedger(path):
        pass
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE ledger_meta SET value = '99' WHERE key = 'schema_version'")
    connection.close()
    with pytest.raises(ConfigurationError, match="schema version 99"):
        SQLiteLedger(path)


def test_fingerprint_changes_with_carrier() -> None:
    first = fingerprint(PAYMENT, shipment())
    assert first == fingerprint(PAYMENT, shipment())
    assert first != fingerprint(PAYMENT, attrs.evolve(shipment(), carrier="DHL"))


def test_fingerprint_changes_with_recipient() -> None:
    assert fingerprint(PAYMENT, shipment()) != fingerprint(
        PAYMENT, shipment(), recipient_name="Ada"
    )


def test_fingerprint_keeps_fields_apart() -> None:
    """Values containing the separator or quotes must not shift text into the next field."""
    base = Shipment(tracking_number="1Z|'UPS'", carrier="A")
    shifted = Shipment(tracking_number="1Z", carrier="'UPS'|A")
    assert fingerprint(PAYMENT, base) != fingerprint(PAYMENT, shifted)
    assert fingerprint(PAYMENT, shipment(), recipient_name="None") != fingerprint(
        PAYMENT, shipment(), recipient_name=None
    )
    assert fingerprint(PAYMENT, shipment(), ship_to=Address()) != fingerprint(PAYMENT, shipment())
    with_item = attrs.evolve(shipment(), items=[Item(name="Mug")])
    assert fingerprint(PAYMENT, with_item) != fingerprint(PAYMENT, shipment())
    dated = attrs.evolve(shipment(), shipped_on=datetime.date(2026, 12, 4))
    assert fingerprint(PAYMENT, dated) != fingerprint(PAYMENT, shipment())


def test_applied_run_skips_fetch(ledger: MemoryLedger) -> None:
    provider = FakeProvider()
    reconciler = Reconciler([provider], ledger=ledger)
    reconciler.apply(reconciler.plan([order(shipment())]))
    provider.fetched.clear()
    plan = reconciler.plan([order(shipment())])
    assert provider.fetched == []
    assert [result.outcome for result in reconciler.apply(plan)] == [Outcome.UNCHANGED]


def test_changed_shipment_reads_provider(ledger: MemoryLedger) -> None:
    provider = FakeProvider()
    reconciler = Reconciler([provider], ledger=ledger)
    reconciler.apply(reconciler.plan([order(shipment())]))
    provider.fetched.clear()
    plan = reconciler.plan([order(shipment(status=ShipmentStatus.CANCELLED))])
    assert provider.fetched == [PAYMENT]
    assert [change.kind.value for change in plan.changes] == ["cancel"]


def test_new_shipment_reads_provider(ledger: MemoryLedger) -> None:
    provider = FakeProvider()
    reconciler = Reconciler([provider], ledger=ledger)
    reconciler.apply(reconciler.plan([order(shipment("1Z1"))]))
    provider.fetched.clear()
    reconciler.plan([order(shipment("1Z1"), shipment("1Z2"))])
    assert provider.fetched == [PAYMENT]


def test_removed_shipment_reads_provider(ledger: MemoryLedger) -> None:
    provider = FakeProvider()
    reconciler = Reconciler([provider], ledger=ledger)
    reconciler.apply(reconciler.plan([order(shipment("1Z1"), shipment("1Z2"))]))
    provider.fetched.clear()
    plan = reconciler.plan([order(shipment("1Z1"))])
    assert provider.fetched == [PAYMENT]
    assert [d.kind.value for d in plan.discrepancies] == ["not_in_shop"]


def test_full_run_reads_provider(ledger: MemoryLedger) -> None:
    provider = FakeProvider()
    Reconciler([provider], ledger=ledger).apply(
        Reconciler([provider], ledger=ledger).plan([order(shipment())])
    )
    provider.fetched.clear()
    provider.trackers["CAP1"] = []  # deleted on the provider's side
    plan = Reconciler([provider], ledger=ledger, full=True).plan([order(shipment())])
    assert provider.fetched == [PAYMENT]
    assert [change.kind.value for change in plan.changes] == ["add"]


def test_pending_entry_verified_not_resent(ledger: MemoryLedger) -> None:
    provider = FakeProvider(
        trackers={"CAP1": [Tracker(tracking_number="1Z1", status=ShipmentStatus.SHIPPED)]}
    )
    expected = fingerprint(PAYMENT, shipment())
    ledger.record([entry(fingerprint=expected, state=EntryState.PENDING)])
    reconciler = Reconciler([provider], ledger=ledger)
    report = reconciler.apply(reconciler.plan([order(shipment())]))
    assert provider.fetched == [PAYMENT]
    assert provider.applied == []
    assert [result.outcome for result in report] == [Outcome.UNCHANGED]
    assert ledger.entries_for_payment(PAYMENT)[0].state is EntryState.APPLIED


def test_pending_entry_missing_is_added(ledger: MemoryLedger) -> None:
    provider = FakeProvider()
    expected = fingerprint(PAYMENT, shipment())
    ledger.record([entry(fingerprint=expected, state=EntryState.PENDING)])
    reconciler = Reconciler([provider], ledger=ledger)
    report = reconciler.apply(reconciler.plan([order(shipment())]))
    assert [result.outcome for result in report] == [Outcome.ADDED]


def test_write_marked_pending_before_send(ledger: MemoryLedger) -> None:
    states_seen: list[EntryState] = []

    @attrs.define
    class Watching(FakeProvider):
        def apply(self, change):  # type: ignore[no-untyped-def]
            states_seen.extend(e.state for e in ledger.entries_for_payment(change.payment))
            return super().apply(change)

    reconciler = Reconciler([Watching()], ledger=ledger)
    reconciler.apply(reconciler.plan([order(shipment())]))
    assert states_seen == [EntryState.PENDING]
    assert ledger.entries_for_payment(PAYMENT)[0].state is EntryState.APPLIED


def test_failed_write_recorded_and_retried(ledger: MemoryLedger) -> None:
    from tracksync import ChangeKind

    provider = FakeProvider(fail_apply={(ChangeKind.ADD, "1Z1")})
    reconciler = Reconciler([provider], ledger=ledger)
    reconciler.apply(reconciler.plan([order(shipment())]))
    (stored,) = ledger.entries_for_payment(PAYMENT)
    assert stored.state is EntryState.FAILED
    assert stored.error == "paypal: rejected (HTTP 422, code X)"
    provider.fail_apply.clear()
    report = reconciler.apply(reconciler.plan([order(shipment())]))
    assert [result.outcome for result in report] == [Outcome.ADDED]


def test_waiting_payment_recorded(ledger: MemoryLedger) -> None:
    provider = FakeProvider(states={"CAP1": PaymentState.WAITING_FOR_CAPTURE})
    reconciler = Reconciler([provider], ledger=ledger)
    reconciler.apply(reconciler.plan([order(shipment())]))
    assert ledger.entries_for_payment(PAYMENT)[0].state is EntryState.WAITING
    provider.fetched.clear()
    reconciler.plan([order(shipment())])
    assert provider.fetched == [PAYMENT]


def test_dry_run_plan_writes_no_entry(ledger: MemoryLedger) -> None:
    Reconciler([FakeProvider()], ledger=ledger).plan([order(shipment())])
    assert list(ledger.entries()) == []


def test_reconciler_opens_ledger_path(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "ledger.sqlite3"
    with Reconciler([FakeProvider()], ledger=path) as reconciler:
        reconciler.apply(reconciler.plan([order(shipment())]))
    with SQLiteLedger(path) as reopened:
        assert [e.state for e in reopened.entries()] == [EntryState.APPLIED]


def test_unanswered_write_stays_pending(ledger: MemoryLedger) -> None:
    @attrs.define
    class Timeout(FakeProvider):
        def apply(self, change):  # type: ignore[no-untyped-def]
            super().apply(change)  # the provider applied it, but the answer was lost
            raise ProviderConnectionError("POST /track timed out.", provider="paypal")

    provider = Timeout()
    reconciler = Reconciler([provider], ledger=ledger)
    reconciler.apply(reconciler.plan([order(shipment())]))
    assert ledger.entries_for_payment(PAYMENT)[0].state is EntryState.PENDING
    provider.applied.clear()
    report = reconciler.apply(reconciler.plan([order(shipment())]))
    assert provider.applied == []
    assert [result.outcome for result in report] == [Outcome.UNCHANGED]


def test_bulk_lookup_matches_single(ledger: MemoryLedger) -> None:
    other = PaymentRef(provider="stripe", payment_id="pi_1")
    europe = attrs.evolve(PAYMENT, account="eu")
    ledger.record([entry(), entry(account="eu", tracking_number="1Z2")])
    found = ledger.entries_for_payments([PAYMENT, europe, other])
    assert found == {PAYMENT: [entry()], europe: [entry(account="eu", tracking_number="1Z2")]}


def test_bulk_lookup_many_payments(ledger: MemoryLedger) -> None:
    payments = [PaymentRef(provider="paypal", payment_id=f"CAP{index}") for index in range(1200)]
    ledger.record([entry(payment_id=payment.payment_id) for payment in payments])
    assert len(ledger.entries_for_payments(payments)) == 1200
