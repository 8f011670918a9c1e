from __future__ import annotations

import json

import attrs
import pytest

from fakes import TRACKER_CAPABILITIES, FakeBatchingProvider, FakeProvider
from tracksync import (
    Address,
    Change,
    ChangeKind,
    ConfigurationError,
    Discrepancy,
    DiscrepancyKind,
    Order,
    Outcome,
    PaymentRef,
    PaymentState,
    Plan,
    Reconciler,
    RemotePayment,
    Shipment,
    ShipmentStatus,
    Tracker,
    Unchanged,
)

PAYMENT = PaymentRef(provider="paypal", payment_id="CAP1", paypal_order_id="ORDER1")


def order(*shipments: Shipment, payment: PaymentRef = PAYMENT, **fields: object) -> Order:
    return Order(id="1001", payments=[payment], shipments=shipments, **fields)  # type: ignore[arg-type]


def shipment(number: str = "1Z1", carrier: str = "UPS", **fields: object) -> Shipment:
    return Shipment(tracking_number=number, carrier=carrier, **fields)  # type: ignore[arg-type]


def active(number: str, carrier: str | None = "UPS") -> Tracker:
    return Tracker(
        tracking_number=number,
        carrier=carrier,
        status=ShipmentStatus.SHIPPED,
        tracker_id=f"id-{number}",
    )


def kinds(plan: Plan) -> list[str]:
    return [
        entry.kind.value if isinstance(entry, (Change, Discrepancy)) else "unchanged"
        for entry in plan.entries
    ]


def test_new_shipment_planned_as_add() -> None:
    plan = Reconciler([FakeProvider()]).plan([order(shipment())])
    assert kinds(plan) == ["add"]


def test_add_carries_target_and_recipient() -> None:
    address = Address(line1="1 Main St", country="US")
    plan = Reconciler([FakeProvider()]).plan(
        [order(shipment(), recipient_name="Ada", ship_to=address)]
    )
    change = plan.changes[0]
    assert change.target_id == "T-CAP1"
    assert change.recipient_name == "Ada"
    assert change.ship_to == address


def test_plan_sends_no_write() -> None:
    provider = FakeProvider()
    Reconciler([provider]).plan([order(shipment())])
    assert provider.applied == []


def test_apply_then_replan_is_unchanged() -> None:
    provider = FakeProvider()
    reconciler = Reconciler([provider])
    orders = [order(shipment("1Z1"), shipment("1Z2"))]
    report = reconciler.apply(reconciler.plan(orders))
    assert [result.outcome for result in report] == [Outcome.ADDED, Outcome.ADDED]
    second = reconciler.plan(orders)
    assert kinds(second) == ["unchanged", "unchanged"]
    assert not second


def test_rerun_sends_no_write() -> None:
    provider = FakeProvider()
    reconciler = Reconciler([provider])
    orders = [order(shipment())]
    reconciler.apply(reconciler.plan(orders))
    writes = len(provider.applied)
    reconciler.apply(reconciler.plan(orders))
    assert len(provider.applied) == writes


def test_cancelled_shipment_cancels_tracker() -> None:
    provider = FakeProvider(trackers={"CAP1": [active("1Z1")]})
    plan = Reconciler([provider]).plan([order(shipment(status=ShipmentStatus.CANCELLED))])
    assert kinds(plan) == ["cancel"]
    assert plan.changes[0].current == active("1Z1")


def test_cancelled_shipment_without_tracker_unchanged() -> None:
    plan = Reconciler([FakeProvider()]).plan([order(shipment(status=ShipmentStatus.CANCELLED))])
    assert kinds(plan) == ["unchanged"]


def test_cancelled_tracker_readded() -> None:
    cancelled = attrs.evolve(active("1Z1"), status=ShipmentStatus.CANCELLED)
    provider = FakeProvider(trackers={"CAP1": [cancelled]})
    plan = Reconciler([provider]).plan([order(shipment())])
    assert kinds(plan) == ["add"]


def test_tracker_not_in_shop_reported() -> None:
    provider = FakeProvider(trackers={"CAP1": [active("OLD")]})
    plan = Reconciler([provider]).plan([order(shipment())])
    assert kinds(plan) == ["add", "not_in_shop"]
    assert "OLD" in plan.discrepancies[0].message


def test_unstored_status_sent_as_shipped_with_note() -> None:
    provider = FakeProvider()
    reconciler = Reconciler([provider])
    orders = [order(shipment(status=ShipmentStatus.DELIVERED))]
    plan = reconciler.plan(orders)
    assert plan.changes[0].note == (
        "paypal cannot store status DELIVERED on this payment; the tracker shows SHIPPED."
    )
    reconciler.apply(plan)
    assert kinds(reconciler.plan(orders)) == ["unchanged"]


def test_new_carrier_replaces_tracker() -> None:
    provider = FakeProvider(trackers={"CAP1": [active("1Z1", carrier="DHL")]})
    plan = Reconciler([provider]).plan([order(shipment(carrier="UPS"))])
    assert kinds(plan) == ["cancel", "add"]


def test_carrier_compared_without_case() -> None:
    provider = FakeProvider(trackers={"CAP1": [active("1Z1", carrier="ups ")]})
    plan = Reconciler([provider]).plan([order(shipment(carrier="UPS"))])
    assert kinds(plan) == ["unchanged"]


def test_unknown_remote_carrier_not_compared() -> None:
    provider = FakeProvider(trackers={"CAP1": [active("1Z1", carrier=None)]})
    plan = Reconciler([provider]).plan([order(shipment(carrier="UPS"))])
    assert kinds(plan) == ["unchanged"]


def test_new_carrier_updated_in_place() -> None:
    capabilities = attrs.evolve(TRACKER_CAPABILITIES, can_update_carrier=True)
    provider = FakeProvider(capabilities=capabilities, trackers={"CAP1": [active("1Z1", "DHL")]})
    plan = Reconciler([provider]).plan([order(shipment(carrier="UPS"))])
    assert kinds(plan) == ["update"]


def test_status_change_unsupported() -> None:
    capabilities = attrs.evolve(
        TRACKER_CAPABILITIES, statuses=frozenset(ShipmentStatus), can_update_status=False
    )
    provider = FakeProvider(capabilities=capabilities, trackers={"CAP1": [active("1Z1")]})
    plan = Reconciler([provider]).plan([order(shipment(status=ShipmentStatus.DELIVERED))])
    assert kinds(plan) == ["unsupported_change"]


def test_status_change_updated() -> None:
    capabilities = attrs.evolve(
        TRACKER_CAPABILITIES, statuses=frozenset(ShipmentStatus), can_update_status=True
    )
    provider = FakeProvider(capabilities=capabilities, trackers={"CAP1": [active("1Z1")]})
    plan = Reconciler([provider]).plan([order(shipment(status=ShipmentStatus.DELIVERED))])
    assert kinds(plan) == ["update"]


def test_provider_without_statuses_ignores_status() -> None:
    capabilities = attrs.evolve(TRACKER_CAPABILITIES, statuses=frozenset())
    provider = FakeProvider(
        capabilities=capabilities, trackers={"CAP1": [Tracker(tracking_number="1Z1")]}
    )
    plan = Reconciler([provider]).plan([order(shipment(status=ShipmentStatus.DELIVERED))])
    assert kinds(plan) == ["unchanged"]
    assert plan.unchanged[0].note is None


def test_payment_without_provider_skipped() -> None:
    stripe_payment = PaymentRef(provider="stripe", payment_id="pi_1")
    plan = Reconciler([FakeProvider()]).plan([order(shipment(), payment=stripe_payment)])
    assert kinds(plan) == ["no_provider"]
    report = Reconciler([FakeProvider()]).apply(plan)
    assert report.results[0].outcome is Outcome.SKIPPED


def test_no_provider_message_names_fix() -> None:
    stripe_payment = PaymentRef(provider="stripe", payment_id="pi_1")
    plan = Reconciler([FakeProvider()]).plan([order(shipment(), payment=stripe_payment)])
    assert plan.discrepancies[0].message == (
        "No provider is configured for stripe payment pi_1, so it was skipped. "
        "Configured: paypal. Give the credentials for stripe or correct the payment's provider."
    )


def test_account_routes_to_its_provider() -> None:
    europe = FakeProvider(account="eu")
    america = FakeProvider(account="us")
    payment = PaymentRef(provider="paypal", payment_id="CAP1", account="us")
    Reconciler([europe, america]).plan([order(shipment(), payment=payment)])
    assert america.fetched == [payment]
    assert europe.fetched == []


def test_unknown_account_skipped() -> None:
    payment = PaymentRef(provider="paypal", payment_id="CAP1", account="asia")
    plan = Reconciler([FakeProvider(account="eu"), FakeProvider(account="us")]).plan(
        [order(shipment(), payment=payment)]
    )
    assert kinds(plan) == ["no_provider"]


def test_single_provider_takes_any_account() -> None:
    payment = PaymentRef(provider="paypal", payment_id="CAP1", account="eu")
    provider = FakeProvider()
    Reconciler([provider]).plan([order(shipment(), payment=payment)])
    assert provider.fetched == [payment]


def test_duplicate_providers_rejected() -> None:
    with pytest.raises(ConfigurationError, match="Two paypal account 'eu' providers"):
        Reconciler([FakeProvider(account="eu"), FakeProvider(account="eu")])


def test_invalid_payment_fails_without_fetch() -> None:
    provider = FakeProvider()
    payment = PaymentRef(provider="paypal", payment_id="bad1")
    plan = Reconciler([provider]).plan([order(shipment(), payment=payment)])
    assert kinds(plan) == ["invalid_payment"]
    assert provider.fetched == []


def test_fetch_failure_does_not_stop_others() -> None:
    provider = FakeProvider(fail_fetch={"CAP1"})
    other = Order(
        id="1002",
        payments=[PaymentRef(provider="paypal", payment_id="CAP2")],
        shipments=[shipment("1Z2")],
    )
    plan = Reconciler([provider]).plan([order(shipment()), other])
    assert kinds(plan) == ["fetch_failed", "add"]
    assert "HTTP 500" in plan.discrepancies[0].message


@pytest.mark.parametrize(
    ("state", "kind", "outcome"),
    [
        (PaymentState.NOT_FOUND, "payment_not_found", Outcome.FAILED),
        (PaymentState.WAITING_FOR_CAPTURE, "waiting_for_capture", Outcome.SKIPPED),
        (PaymentState.UNUSABLE, "payment_unusable", Outcome.SKIPPED),
    ],
)
def test_payment_state_reported(state: PaymentState, kind: str, outcome: Outcome) -> None:
    provider = FakeProvider(states={"CAP1": state})
    reconciler = Reconciler([provider])
    plan = reconciler.plan([order(shipment("1Z1"), shipment("1Z2"))])
    assert kinds(plan) == [kind, kind]
    report = reconciler.apply(plan)
    assert [result.outcome for result in report] == [outcome, outcome]


def test_missing_recipient_skips_changes() -> None:
    capabilities = attrs.evolve(TRACKER_CAPABILITIES, requires_recipient=True)
    plan = Reconciler([FakeProvider(capabilities=capabilities)]).plan([order(shipment())])
    assert kinds(plan) == ["missing_recipient"]


def test_order_recipient_satisfies_provider() -> None:
    capabilities = attrs.evolve(TRACKER_CAPABILITIES, requires_recipient=True)
    plan = Reconciler([FakeProvider(capabilities=capabilities)]).plan(
        [order(shipment(), recipient_name="Ada", ship_to=Address(country="GB"))]
    )
    assert kinds(plan) == ["add"]


def test_tracker_limit_enforced() -> None:
    capabilities = attrs.evolve(TRACKER_CAPABILITIES, max_trackers_per_payment=2)
    provider = FakeProvider(capabilities=capabilities, trackers={"CAP1": [active("1Z1")]})
    plan = Reconciler([provider]).plan([order(shipment("1Z1"), shipment("1Z2"), shipment("1Z3"))])
    assert kinds(plan) == ["unchanged", "add", "unsupported_change"]


def test_failed_change_does_not_stop_others() -> None:
    provider = FakeProvider(fail_apply={(ChangeKind.ADD, "1Z1")})
    reconciler = Reconciler([provider])
    report = reconciler.apply(reconciler.plan([order(shipment("1Z1"), shipment("1Z2"))]))
    assert [result.outcome for result in report] == [Outcome.FAILED, Outcome.ADDED]
    assert report.results[0].error == "paypal: rejected (HTTP 422, code X)"


def test_failed_cancel_skips_replacement() -> None:
    provider = FakeProvider(
        trackers={"CAP1": [active("1Z1", carrier="DHL")]},
        fail_apply={(ChangeKind.CANCEL, "1Z1")},
    )
    reconciler = Reconciler([provider])
    report = reconciler.apply(reconciler.plan([order(shipment("1Z1", carrier="UPS"))]))
    assert [result.outcome for result in report] == [Outcome.FAILED, Outcome.SKIPPED]
    assert [change.kind for change in provider.applied] == [ChangeKind.CANCEL]


def test_plan_round_trips_through_json() -> None:
    provider = FakeProvider(trackers={"CAP1": [active("OLD")]})
    plan = Reconciler([provider]).plan(
        [
            order(
                shipment(status=ShipmentStatus.DELIVERED),
                recipient_name="Ada",
                ship_to=Address(city="Leeds"),
            )
        ]
    )
    data = json.loads(json.dumps(plan.to_dict()))
    assert Plan.from_dict(data) == plan


def test_plan_str_lists_changes() -> None:
    provider = FakeProvider(trackers={"CAP1": [active("OLD")]})
    plan = Reconciler([provider]).plan([order(shipment())])
    assert str(plan).splitlines()[0] == (
        "Plan: 1 to add, 0 to update, 0 to cancel, 0 unchanged, 1 discrepancy"
    )
    assert "add 1Z1 (UPS, SHIPPED) on paypal payment CAP1, order 1001" in str(plan)


def test_report_summary_has_every_outcome() -> None:
    reconciler = Reconciler([FakeProvider()])
    report = reconciler.apply(reconciler.plan([order(shipment())]))
    assert report.to_dict()["summary"] == {
        "added": 1,
        "updated": 0,
        "cancelled": 0,
        "unchanged": 0,
        "skipped": 0,
        "failed": 0,
    }


def test_report_result_keys() -> None:
    reconciler = Reconciler([FakeProvider()])
    report = reconciler.apply(reconciler.plan([order(shipment())]))
    result = report.to_dict()["results"][0]
    assert {
        "order_id",
        "provider",
        "payment_id",
        "tracking_number",
        "outcome",
        "reason",
        "error",
    } <= set(result)
    assert result["tracker_id"] == "id-1Z1"


def test_unchanged_entries_equal() -> None:
    first = Unchanged(order_id="1", payment=PAYMENT, tracking_number="1Z1")
    second = Unchanged(order_id="1", payment=PAYMENT, tracking_number="1Z1")
    assert first == second


def test_batching_provider_gets_one_call() -> None:
    provider = FakeBatchingProvider()
    reconciler = Reconciler([provider])
    second = Order(
        id="1002",
        payments=[PaymentRef(provider="paypal", payment_id="CAP2")],
        shipments=[shipment("1Z3")],
    )
    report = reconciler.apply(reconciler.plan([order(shipment("1Z1"), shipment("1Z2")), second]))
    assert [[c.shipment.tracking_number for c in batch] for batch in provider.batches] == [
        ["1Z1", "1Z2", "1Z3"]
    ]
    assert [result.outcome for result in report] == [Outcome.ADDED] * 3


def test_batch_error_reported_per_change() -> None:
    provider = FakeBatchingProvider(fail_apply={(ChangeKind.ADD, "1Z2")})
    reconciler = Reconciler([provider])
    report = reconciler.apply(reconciler.plan([order(shipment("1Z1"), shipment("1Z2"))]))
    assert [result.outcome for result in report] == [Outcome.ADDED, Outcome.FAILED]
    assert report.results[1].error == "paypal: rejected (HTTP 422, code X)"


def test_batch_result_count_checked() -> None:
    provider = FakeBatchingProvider(drop_one_result=True)
    reconciler = Reconciler([provider])
    plan = reconciler.plan([order(shipment("1Z1"), shipment("1Z2"))])
    with pytest.raises(RuntimeError, match="returned 1 results for 2 changes"):
        reconciler.apply(plan)


def test_results_keep_plan_order() -> None:
    paypal = FakeProvider()
    stripe = FakeProvider(name="stripe")
    stripe_order = Order(
        id="1002",
        payments=[PaymentRef(provider="stripe", payment_id="pi_1")],
        shipments=[shipment("TN2")],
    )
    reconciler = Reconciler([paypal, stripe])
    report = reconciler.apply(
        reconciler.plan([order(shipment("1Z1")), stripe_order, order(shipment("1Z3"))])
    )
    assert [result.tracking_number for result in report] == ["1Z1", "TN2", "1Z3"]


@attrs.define
class UpdatableCarrierPayments(FakeProvider):
    """Reports per-payment capabilities that allow carrier updates, unlike its default."""

    def fetch(self, payment: PaymentRef) -> RemotePayment:
        capabilities = attrs.evolve(TRACKER_CAPABILITIES, can_update_carrier=True)
        return attrs.evolve(super().fetch(payment), capabilities=capabilities)


def test_payment_capabilities_override_provider() -> None:
    provider = UpdatableCarrierPayments(trackers={"CAP1": [active("1Z1", carrier="DHL")]})
    plan = Reconciler([provider]).plan([order(shipment(carrier="UPS"))])
    assert kinds(plan) == ["update"]


def test_rejected_shipment_fails_at_plan() -> None:
    provider = FakeProvider()
    plan = Reconciler([provider]).plan([order(shipment(carrier="BAD"))])
    assert kinds(plan) == ["invalid_shipment"]
    assert plan.discrepancies[0].message == "Carrier 'BAD' is not accepted."
    assert Reconciler([provider]).apply(plan).results[0].outcome is Outcome.FAILED


def test_plan_str_one_discrepancy() -> None:
    provider = FakeProvider(trackers={"CAP1": [active("OLD")]})
    plan = Reconciler([provider]).plan([order(shipment())])
    assert str(plan).splitlines()[0].endswith("1 discrepancy")


def many_orders(count: int) -> list[Order]:
    return [
        Order(
            id=str(1000 + index),
            payments=[PaymentRef(provider="paypal", payment_id=f"CAP{index}")],
            shipments=[shipment(f"1Z{index}")],
        )
        for index in range(count)
    ]


def test_account_error_reported_once() -> None:
    provider = FakeProvider(account_error="PayPal rejected the client id and secret.")
    reconciler = Reconciler([provider])
    plan = reconciler.plan(many_orders(50))
    report = reconciler.apply(plan)
    assert [issue.message for issue in report.account_errors] == [
        "paypal: PayPal rejected the client id and secret."
    ]
    assert report.summary()["skipped"] == 50
    assert report.summary()["failed"] == 0
    assert report.has_failures


def test_account_error_rows_point_to_it() -> None:
    provider = FakeProvider(account_error="Denied.")
    reconciler = Reconciler([provider])
    result = reconciler.apply(reconciler.plan(many_orders(1))).results[0]
    assert result.discrepancy is DiscrepancyKind.ACCOUNT_UNAVAILABLE
    assert result.reason == (
        "Not tried, because the paypal account is unavailable; see its account error."
    )


def test_account_error_during_apply() -> None:
    provider = FakeProvider()
    reconciler = Reconciler([provider])
    plan = reconciler.plan(many_orders(3))
    provider.account_error = "Permission denied."
    report = reconciler.apply(plan)
    assert len(report.account_errors) == 1
    assert [result.outcome for result in report] == [Outcome.SKIPPED] * 3
    assert report.to_dict()["account_errors"] == [
        {"provider": "paypal", "account": None, "error": "paypal: Permission denied."}
    ]


def test_other_account_keeps_going() -> None:
    broken = FakeProvider(account="eu", account_error="Denied.")
    working = FakeProvider(account="us")
    orders = [
        Order(
            id="1",
            payments=[PaymentRef(provider="paypal", payment_id="CAP1", account="eu")],
            shipments=[shipment("1Z1")],
        ),
        Order(
            id="2",
            payments=[PaymentRef(provider="paypal", payment_id="CAP2", account="us")],
            shipments=[shipment("1Z2")],
        ),
    ]
    reconciler = Reconciler([broken, working])
    report = reconciler.apply(reconciler.plan(orders))
    assert [result.outcome for result in report] == [Outcome.SKIPPED, Outcome.ADDED]


@attrs.define
class TranslatingProvider(FakeProvider):
    """Stores the shop's DPD_UK under the code UK_DPD, as PayPal's v1 API does."""

    def stored_carrier(self, payment: PaymentRef, shipment: Shipment) -> str:
        return {"DPD_UK": "UK_DPD"}.get(shipment.carrier, shipment.carrier)


def test_translated_carrier_unchanged() -> None:
    provider = TranslatingProvider(trackers={"CAP1": [active("1Z1", carrier="UK_DPD")]})
    plan = Reconciler([provider]).plan([order(shipment(carrier="DPD_UK"))])
    assert kinds(plan) == ["unchanged"]


def test_translated_carrier_change_detected() -> None:
    provider = TranslatingProvider(trackers={"CAP1": [active("1Z1", carrier="UK_DPD")]})
    plan = Reconciler([provider]).plan([order(shipment(carrier="UPS"))])
    assert kinds(plan) == ["cancel", "add"]
