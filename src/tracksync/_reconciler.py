"""The Reconciler: plan the changes that make each provider match the shop, then apply them."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from ._apply import apply_in_order
from ._models import Order, PaymentRef, Shipment, ShipmentStatus
from ._plan import (
    Change,
    ChangeKind,
    ChangeResult,
    Discrepancy,
    DiscrepancyKind,
    Outcome,
    Plan,
    PlanEntry,
    Report,
    Result,
    Unchanged,
)
from ._remote import Capabilities, PaymentState, RemotePayment, Tracker
from .errors import ConfigurationError, TracksyncError
from .providers._protocol import BatchingProvider, TrackingProvider

__all__ = ["Reconciler"]

logger = logging.getLogger("tracksync")

_STATE_DISCREPANCY = {
    PaymentState.NOT_FOUND: DiscrepancyKind.PAYMENT_NOT_FOUND,
    PaymentState.WAITING_FOR_CAPTURE: DiscrepancyKind.WAITING_FOR_CAPTURE,
    PaymentState.UNUSABLE: DiscrepancyKind.PAYMENT_UNUSABLE,
}


class Reconciler:
    """Plans and applies the tracker changes that make providers match the shop.

    ``plan()`` only reads; ``apply()`` is the only method that writes. Each provider is
    chosen by the payment's provider name and account: a payment without an account goes
    to the one provider of that name, and a provider built without an account also takes
    payments of any account when it is the only one of its name.

    Args:
        providers: one adapter per provider account, for example a
            :class:`~tracksync.providers.paypal.PayPalProvider` and a
            :class:`~tracksync.providers.stripe.StripeProvider`.

    Raises:
        ConfigurationError: two providers share a name and an account.
    """

    def __init__(self, providers: Iterable[TrackingProvider]) -> None:
        self._providers: dict[tuple[str, str | None], TrackingProvider] = {}
        for provider in providers:
            key = (provider.name, provider.account)
            if key in self._providers:
                account = f" account {provider.account!r}" if provider.account else ""
                raise ConfigurationError(
                    f"Two {provider.name}{account} providers were given; "
                    "give one provider per account, each with its own account name."
                )
            self._providers[key] = provider

    def provider_for(self, payment: PaymentRef) -> TrackingProvider | None:
        """Return the provider that handles the payment, or None if none is configured."""
        exact = self._providers.get((payment.provider, payment.account))
        if exact is not None:
            return exact
        same_name = [
            provider for (name, _), provider in self._providers.items() if name == payment.provider
        ]
        if len(same_name) != 1:
            return None
        only = same_name[0]
        if payment.account is None or only.account is None:
            return only
        return None

    def plan(self, orders: Iterable[Order]) -> Plan:
        """Read each payment's trackers and list the changes that make them match the shop.

        Writes nothing. One order's failure (a provider error, an unknown payment) becomes a
        discrepancy in the plan; the other orders are still planned.
        """
        entries: list[PlanEntry] = []
        order_count = 0
        for order in orders:
            order_count += 1
            for payment in order.payments:
                entries.extend(self._plan_payment(order, payment))
        plan = Plan(entries)
        logger.info("Planned %d orders: %s", order_count, _format_counts(plan.counts()))
        return plan

    def apply(self, plan: Plan) -> Report:
        """Perform the plan's changes and report every entry's outcome, in plan order.

        Each provider gets its changes in plan order, all together when it can batch them.
        A failed change is reported and the rest still run. When cancelling a tracker fails,
        the add that was to replace it is skipped, so no duplicate is created.
        """
        results: list[Result | None] = [None] * len(plan.entries)
        pending: dict[int, tuple[TrackingProvider, list[tuple[int, Change]]]] = {}
        for index, entry in enumerate(plan.entries):
            if not isinstance(entry, Change):
                results[index] = Result.from_entry(entry)
                continue
            provider = self.provider_for(entry.payment)
            if provider is None:
                results[index] = _change_result(
                    entry,
                    Outcome.FAILED,
                    error=f"No provider is configured for {entry.payment}; nothing was sent.",
                )
                continue
            pending.setdefault(id(provider), (provider, []))[1].append((index, entry))

        for provider, indexed in pending.values():
            changes = [change for _, change in indexed]
            if provider.capabilities.batch_size > 1 and isinstance(provider, BatchingProvider):
                outputs = provider.apply_batch(changes)
            else:
                outputs = apply_in_order(provider.apply, changes)
            if len(outputs) != len(changes):
                raise RuntimeError(
                    f"The {provider.name} provider returned {len(outputs)} results for "
                    f"{len(changes)} changes; this is a bug in the provider."
                )
            for (index, change), output in zip(indexed, outputs, strict=True):
                results[index] = _output_result(change, output)

        report = Report(results=[result for result in results if result is not None])
        logger.info("Applied plan: %s", _format_counts(report.summary()))
        return report

    def _plan_payment(self, order: Order, payment: PaymentRef) -> list[PlanEntry]:
        provider = self.provider_for(payment)
        if provider is None:
            return _for_each_shipment(
                order,
                payment,
                DiscrepancyKind.NO_PROVIDER,
                _no_provider_message(payment, sorted(self._providers)),
            )

        problem = provider.check_payment(payment)
        if problem is not None:
            return _for_each_shipment(order, payment, DiscrepancyKind.INVALID_PAYMENT, problem)

        try:
            remote = provider.fetch(payment)
        except TracksyncError as exc:
            logger.warning("Failed to read %s for order %s: %s", payment, order.id, exc)
            return _for_each_shipment(
                order,
                payment,
                DiscrepancyKind.FETCH_FAILED,
                f"Reading {payment} failed: {exc}",
            )

        if remote.state is not PaymentState.READY:
            message = remote.message or f"{payment} is {remote.state.value}."
            return _for_each_shipment(order, payment, _STATE_DISCREPANCY[remote.state], message)

        capabilities = remote.capabilities or provider.capabilities
        entries = diff_payment(order, payment, remote, capabilities)
        return [_check_shipment(provider, entry) for entry in entries]


def diff_payment(
    order: Order, payment: PaymentRef, remote: RemotePayment, capabilities: Capabilities
) -> list[PlanEntry]:
    """Compare the order's shipments with what the provider holds for one payment.

    Pure: it reads nothing and writes nothing, so it can be tested with plain values.
    """
    entries: list[PlanEntry] = []
    for shipment in order.shipments:
        entries.extend(_diff_shipment(order, payment, shipment, remote, capabilities))

    listed = {shipment.tracking_number for shipment in order.shipments}
    for tracker in remote.trackers:
        if tracker.is_active and tracker.tracking_number not in listed:
            entries.append(
                Discrepancy(
                    kind=DiscrepancyKind.NOT_IN_SHOP,
                    order_id=order.id,
                    payment=payment,
                    tracking_number=tracker.tracking_number,
                    message=(
                        f"{payment} holds tracker {tracker.tracking_number}, which order "
                        f"{order.id} does not list; tracksync leaves it in place. Add the "
                        "shipment to the order, or cancel it with status CANCELLED."
                    ),
                )
            )

    entries = _enforce_tracker_limit(order, payment, remote, capabilities, entries)
    return _require_recipient(order, payment, remote, capabilities, entries)


def _diff_shipment(
    order: Order,
    payment: PaymentRef,
    shipment: Shipment,
    remote: RemotePayment,
    capabilities: Capabilities,
) -> list[PlanEntry]:
    current = remote.active_tracker(shipment.tracking_number)

    def change(kind: ChangeKind, note: str | None = None) -> Change:
        return Change(
            kind=kind,
            order_id=order.id,
            payment=payment,
            shipment=shipment,
            current=current if kind is not ChangeKind.ADD else None,
            target_id=remote.target_id,
            recipient_name=order.recipient_name,
            ship_to=order.ship_to,
            note=note,
        )

    def unsupported(message: str) -> Discrepancy:
        return Discrepancy(
            kind=DiscrepancyKind.UNSUPPORTED_CHANGE,
            order_id=order.id,
            payment=payment,
            tracking_number=shipment.tracking_number,
            message=message,
        )

    def unchanged(note: str | None = None) -> Unchanged:
        return Unchanged(
            order_id=order.id,
            payment=payment,
            tracking_number=shipment.tracking_number,
            note=note,
        )

    if shipment.status is ShipmentStatus.CANCELLED:
        if current is None:
            return [unchanged("Cancelled in the shop, and the provider holds no active tracker.")]
        if not capabilities.can_cancel:
            return [
                unsupported(f"{payment.provider} cannot cancel tracker {current.tracking_number}.")
            ]
        return [change(ChangeKind.CANCEL)]

    stored = stored_status(shipment.status, capabilities)
    note = None
    if stored is not None and stored is not shipment.status:
        note = (
            f"{payment.provider} cannot store status {shipment.status.value} on this "
            f"payment; the tracker shows {stored.value}."
        )

    if current is None:
        return [change(ChangeKind.ADD, note)]

    carrier_differs = current.carrier is not None and not same_carrier(
        current.carrier, shipment.carrier
    )
    status_differs = (
        stored is not None and current.status is not None and current.status is not stored
    )
    if not carrier_differs and not status_differs:
        return [unchanged(note)]

    if carrier_differs and not capabilities.can_update_carrier:
        if not capabilities.can_cancel:
            return [
                unsupported(
                    f"{payment.provider} holds carrier {current.carrier!r} for "
                    f"{shipment.tracking_number} and cannot change it to {shipment.carrier!r}."
                )
            ]
        replaced = f"Replaces the tracker with carrier {current.carrier!r}."
        return [change(ChangeKind.CANCEL, replaced), change(ChangeKind.ADD, note)]

    if status_differs and not capabilities.can_update_status:
        assert stored is not None and current.status is not None
        return [
            unsupported(
                f"{payment.provider} holds status {current.status.value} for "
                f"{shipment.tracking_number} and cannot change it to {stored.value}."
            )
        ]
    return [change(ChangeKind.UPDATE, note)]


def stored_status(status: ShipmentStatus, capabilities: Capabilities) -> ShipmentStatus | None:
    """Return the status the provider will hold for a shipment in this status.

    None means the provider stores no status. A status the provider cannot store is held
    as SHIPPED when the provider stores SHIPPED.
    """
    if not capabilities.statuses:
        return None
    if status in capabilities.statuses:
        return status
    if ShipmentStatus.SHIPPED in capabilities.statuses:
        return ShipmentStatus.SHIPPED
    return None


def same_carrier(held: str, wanted: str) -> bool:
    """Compare carrier names the way providers do: ignoring case and outer spaces."""
    return held.strip().casefold() == wanted.strip().casefold()


def _enforce_tracker_limit(
    order: Order,
    payment: PaymentRef,
    remote: RemotePayment,
    capabilities: Capabilities,
    entries: list[PlanEntry],
) -> list[PlanEntry]:
    limit = capabilities.max_trackers_per_payment
    if limit is None:
        return entries
    active = sum(1 for tracker in remote.trackers if tracker.is_active)
    result: list[PlanEntry] = []
    for entry in entries:
        if isinstance(entry, Change) and entry.kind is ChangeKind.CANCEL:
            active -= 1
        if isinstance(entry, Change) and entry.kind is ChangeKind.ADD:
            if active >= limit:
                result.append(
                    Discrepancy(
                        kind=DiscrepancyKind.UNSUPPORTED_CHANGE,
                        order_id=order.id,
                        payment=payment,
                        tracking_number=entry.shipment.tracking_number,
                        message=(
                            f"{payment} already holds {limit} trackers, the most "
                            f"{payment.provider} allows; {entry.shipment.tracking_number} "
                            "was not added."
                        ),
                    )
                )
                continue
            active += 1
        result.append(entry)
    return result


def _require_recipient(
    order: Order,
    payment: PaymentRef,
    remote: RemotePayment,
    capabilities: Capabilities,
    entries: list[PlanEntry],
) -> list[PlanEntry]:
    if not capabilities.requires_recipient:
        return entries
    if remote.recipient_name and remote.ship_to:
        return entries
    if order.recipient_name and order.ship_to:
        return entries
    message = (
        f"{payment.provider} needs the recipient's name and address with every tracking "
        f"update, and neither {payment} nor order {order.id} has them; add recipient_name "
        "and the address columns to the order."
    )
    return [
        Discrepancy(
            kind=DiscrepancyKind.MISSING_RECIPIENT,
            order_id=entry.order_id,
            payment=payment,
            tracking_number=entry.shipment.tracking_number,
            message=message,
        )
        if isinstance(entry, Change)
        else entry
        for entry in entries
    ]


def _for_each_shipment(
    order: Order, payment: PaymentRef, kind: DiscrepancyKind, message: str
) -> list[PlanEntry]:
    """One discrepancy per shipment, so that every input row gets its own result."""
    numbers: Sequence[str | None] = [shipment.tracking_number for shipment in order.shipments]
    return [
        Discrepancy(
            kind=kind,
            order_id=order.id,
            payment=payment,
            tracking_number=number,
            message=message,
        )
        for number in (numbers or [None])
    ]


def _no_provider_message(payment: PaymentRef, configured: list[tuple[str, str | None]]) -> str:
    names = ", ".join(
        f"{name} (account {account})" if account else name for name, account in configured
    )
    return (
        f"No provider is configured for {payment}, so it was skipped. "
        f"Configured: {names or 'none'}. Give the credentials for {payment.provider} "
        "or correct the payment's provider."
    )


def _change_result(
    change: Change,
    outcome: Outcome,
    *,
    reason: str | None = None,
    error: str | None = None,
    tracker_id: str | None = None,
) -> Result:
    current: Tracker | None = change.current
    return Result(
        order_id=change.order_id,
        provider=change.payment.provider,
        account=change.payment.account,
        payment_id=change.payment.payment_id,
        tracking_number=change.shipment.tracking_number,
        outcome=outcome,
        reason=reason,
        error=error,
        tracker_id=tracker_id or (current.tracker_id if current else None),
    )


def _check_shipment(provider: TrackingProvider, entry: PlanEntry) -> PlanEntry:
    """Replace an add or update that the provider would reject with a discrepancy."""
    if not isinstance(entry, Change) or entry.kind is ChangeKind.CANCEL:
        return entry
    problem = provider.check_shipment(entry.payment, entry.shipment)
    if problem is None:
        return entry
    return Discrepancy(
        kind=DiscrepancyKind.INVALID_SHIPMENT,
        order_id=entry.order_id,
        payment=entry.payment,
        tracking_number=entry.shipment.tracking_number,
        message=problem,
    )


def _output_result(change: Change, output: ChangeResult | TracksyncError) -> Result:
    if isinstance(output, TracksyncError):
        return _change_result(change, Outcome.FAILED, error=str(output))
    notes = [note for note in (change.note, output.note) if note]
    return _change_result(
        change, output.outcome, reason=" ".join(notes) or None, tracker_id=output.tracker_id
    )


def _format_counts(counts: dict[str, int]) -> str:
    return (
        ", ".join(f"{count} {name}" for name, count in sorted(counts.items()) if count) or "nothing"
    )
