"""An in-memory TrackingProvider for testing the Reconciler without HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import attrs

from tracksync import (
    AccountError,
    Capabilities,
    Change,
    ChangeKind,
    ChangeResult,
    PaymentRef,
    PaymentState,
    ProviderError,
    RemotePayment,
    Shipment,
    ShipmentStatus,
    Tracker,
    TracksyncError,
)

TRACKER_CAPABILITIES = Capabilities(
    statuses=frozenset({ShipmentStatus.SHIPPED, ShipmentStatus.CANCELLED}),
    can_update_carrier=False,
    can_update_status=False,
    can_cancel=True,
    requires_recipient=False,
)


@attrs.define
class FakeProvider:
    """Holds trackers per payment id and records every fetch and apply."""

    name: str = "paypal"
    account: str | None = None
    capabilities: Capabilities = TRACKER_CAPABILITIES
    states: dict[str, PaymentState] = attrs.field(factory=dict)
    trackers: dict[str, list[Tracker]] = attrs.field(factory=dict)
    recipients: dict[str, str] = attrs.field(factory=dict)
    fail_fetch: set[str] = attrs.field(factory=set)
    #: When set, every fetch and apply raises AccountError with this message.
    account_error: str | None = None
    fail_apply: set[tuple[ChangeKind, str]] = attrs.field(factory=set)
    fetched: list[PaymentRef] = attrs.field(factory=list)
    applied: list[Change] = attrs.field(factory=list)

    def check_payment(self, payment: PaymentRef) -> str | None:
        if payment.payment_id.startswith("bad"):
            return f"{payment.payment_id} is not a valid id."
        return None

    def check_shipment(self, payment: PaymentRef, shipment: Shipment) -> str | None:
        if shipment.carrier == "BAD":
            return f"Carrier {shipment.carrier!r} is not accepted."
        return None

    def stored_carrier(self, payment: PaymentRef, shipment: Shipment) -> str:
        return shipment.carrier

    def fetch(self, payment: PaymentRef) -> RemotePayment:
        self.fetched.append(payment)
        if self.account_error is not None:
            raise AccountError(self.account_error, provider=self.name, account=self.account)
        if payment.payment_id in self.fail_fetch:
            raise ProviderError("server error", provider=self.name, status=500, request_id="r1")
        state = self.states.get(payment.payment_id, PaymentState.READY)
        return RemotePayment(
            payment=payment,
            state=state,
            trackers=self.trackers.get(payment.payment_id, []),
            target_id=f"T-{payment.payment_id}",
            message=None if state is PaymentState.READY else f"{payment} is {state.value}.",
        )

    def apply(self, change: Change) -> ChangeResult:
        self.applied.append(change)
        if self.account_error is not None:
            raise AccountError(self.account_error, provider=self.name, account=self.account)
        number = change.shipment.tracking_number
        if (change.kind, number) in self.fail_apply:
            raise ProviderError("rejected", provider=self.name, status=422, code="X")
        held = self.trackers.setdefault(change.payment.payment_id, [])
        held[:] = [tracker for tracker in held if tracker.tracking_number != number]
        status = (
            ShipmentStatus.CANCELLED if change.kind is ChangeKind.CANCEL else ShipmentStatus.SHIPPED
        )
        held.append(
            Tracker(
                tracking_number=number,
                carrier=change.shipment.carrier,
                status=status,
                tracker_id=f"id-{number}",
            )
        )
        return ChangeResult(outcome=change.expected_outcome, tracker_id=f"id-{number}")


BATCHING_CAPABILITIES = attrs.evolve(TRACKER_CAPABILITIES, batch_size=20)


@attrs.define
class FakeBatchingProvider(FakeProvider):
    """A FakeProvider that takes all its changes in one apply_batch call."""

    capabilities: Capabilities = BATCHING_CAPABILITIES
    batches: list[list[Change]] = attrs.field(factory=list)
    drop_one_result: bool = False

    def apply_batch(self, changes: Sequence[Change]) -> list[ChangeResult | TracksyncError]:
        self.batches.append(list(changes))
        outputs: list[ChangeResult | TracksyncError] = []
        for change in changes:
            try:
                outputs.append(self.apply(change))
            except TracksyncError as exc:
                outputs.append(exc)
        return outputs[:-1] if self.drop_one_result else outputs


@attrs.define
class FakeAsyncProvider:
    """An async provider over a FakeProvider's state, counting reads in flight at once."""

    inner: FakeProvider = attrs.field(factory=FakeProvider)
    max_concurrency: int = 4
    in_flight: int = 0
    most_in_flight: int = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def account(self) -> str | None:
        return self.inner.account

    @property
    def capabilities(self) -> Capabilities:
        return self.inner.capabilities

    def check_payment(self, payment: PaymentRef) -> str | None:
        return self.inner.check_payment(payment)

    def check_shipment(self, payment: PaymentRef, shipment: Shipment) -> str | None:
        return self.inner.check_shipment(payment, shipment)

    def stored_carrier(self, payment: PaymentRef, shipment: Shipment) -> str:
        return self.inner.stored_carrier(payment, shipment)

    async def fetch(self, payment: PaymentRef) -> RemotePayment:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.001)
        self.in_flight -= 1
        return self.inner.fetch(payment)

    async def apply_batch(self, changes: Sequence[Change]) -> list[ChangeResult | TracksyncError]:
        outputs: list[ChangeResult | TracksyncError] = []
        for change in changes:
            try:
                outputs.append(self.inner.apply(change))
            except TracksyncError as exc:
                outputs.append(exc)
        return outputs
