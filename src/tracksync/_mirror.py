"""Mirroring: plan the trackers one provider holds for an order onto its other payments.

An order paid at both PayPal and Stripe (paid in part at each, paid twice, or moving from
one to the other) names a payment at each. Mirroring reads the source payments' trackers,
turns them into the shipments of a new order that names only the target payments, and
plans that order as a sync would. The functions here are pure; the Reconcilers read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import attrs

from ._models import Order, PaymentRef, Shipment, ShipmentStatus
from ._plan import Discrepancy, DiscrepancyKind, PlanEntry
from ._remote import RemotePayment, Tracker
from .carriers import DetectionConfidence, detect

__all__ = ["Mirror", "check_sides", "keep_target_status", "mirror_order", "relabel", "split"]

_DISTINCTIVE = (DetectionConfidence.HIGH, DetectionConfidence.MEDIUM)


@attrs.frozen(kw_only=True)
class Mirror:
    """The order to plan onto the target payments, and what could not be mirrored."""

    #: The order with the source's trackers as shipments and the target payments; None
    #: when there is nothing to plan.
    order: Order | None
    entries: tuple[PlanEntry, ...] = ()
    #: Tracking numbers whose status the source does not store (Stripe stores none).
    unknown_status: frozenset[str] = frozenset()


def check_sides(source: str, target: str) -> None:
    """Raise ValueError when the source and the target are the same provider."""
    if source == target:
        raise ValueError(
            f"Mirroring needs two providers, but source and target are both {source!r}; "
            "give another target, such as 'stripe' for source 'paypal'."
        )


def split(
    order: Order, source: str, target: str
) -> tuple[tuple[PaymentRef, ...], tuple[PaymentRef, ...], list[PlanEntry]]:
    """Return the order's source payments, its target payments, and why it cannot be
    mirrored when one side is missing."""
    sources = tuple(payment for payment in order.payments if payment.provider == source)
    targets = tuple(payment for payment in order.payments if payment.provider == target)
    if sources and targets:
        return sources, targets, []
    missing, present = (source, targets) if not sources else (target, sources)
    named = ", ".join(str(payment) for payment in order.payments) or "no payment"
    message = (
        f"Order {order.id} has no {missing} payment, so there is nothing to mirror "
        f"(it names {named}). Add the order's {missing} payment to the file."
    )
    payments: Sequence[PaymentRef | None] = present or [None]
    entries: list[PlanEntry] = [
        Discrepancy(
            kind=DiscrepancyKind.NO_MIRROR_PAYMENT,
            order_id=order.id,
            payment=payment,
            tracking_number=None,
            message=message,
        )
        for payment in payments
    ]
    return sources, targets, entries


def mirror_order(
    order: Order,
    targets: Sequence[PaymentRef],
    remotes: Sequence[RemotePayment],
) -> Mirror:
    """Turn the trackers of the source payments into shipments for the target payments.

    A tracker without a carrier (PayPal's Orders v2 API returns none) gets the carrier
    whose number format it has, when only one carrier uses that format. Otherwise it is
    not mirrored, and a discrepancy gives the reason.
    """
    shipments: dict[str, Shipment] = {}
    unknown_status: set[str] = set()
    entries: list[PlanEntry] = []
    for tracker in _preferred(remotes):
        number = tracker.tracking_number
        carrier = tracker.carrier or _detected_carrier(number)
        if carrier is None:
            entries.extend(_unknown_carrier(order, targets, tracker, remotes))
            continue
        shipments[number] = Shipment(
            tracking_number=number,
            carrier=carrier,
            status=tracker.status or ShipmentStatus.SHIPPED,
        )
        if tracker.status is None:
            unknown_status.add(number)

    if not shipments:
        if not entries:
            entries.extend(_nothing_to_mirror(order, targets, remotes))
        return Mirror(order=None, entries=tuple(entries))
    mirrored = Order(
        id=order.id,
        payments=targets,
        shipments=shipments.values(),
        recipient_name=order.recipient_name,
        ship_to=order.ship_to,
    )
    return Mirror(order=mirrored, entries=tuple(entries), unknown_status=frozenset(unknown_status))


def keep_target_status(unknown_status: frozenset[str]) -> Callable[[Order, RemotePayment], Order]:
    """Return the adjustment that gives a shipment the target tracker's own status when the
    source stores no status, so that mirroring never changes a status it cannot read."""

    def adjust(order: Order, remote: RemotePayment) -> Order:
        if not unknown_status:
            return order
        shipments = []
        for shipment in order.shipments:
            current = remote.active_tracker(shipment.tracking_number)
            if (
                shipment.tracking_number in unknown_status
                and current is not None
                and current.status is not None
            ):
                shipment = attrs.evolve(shipment, status=current.status)
            shipments.append(shipment)
        return attrs.evolve(order, shipments=shipments)

    return adjust


def relabel(entries: Iterable[PlanEntry], source: str) -> list[PlanEntry]:
    """Reword the target's extra trackers: the source does not hold them, not the shop."""
    relabelled: list[PlanEntry] = []
    for entry in entries:
        if isinstance(entry, Discrepancy) and entry.kind is DiscrepancyKind.NOT_IN_SHOP:
            entry = attrs.evolve(
                entry,
                message=(
                    f"{entry.payment} holds tracker {entry.tracking_number}, which no {source} "
                    f"payment of order {entry.order_id} holds; tracksync leaves it in place."
                ),
            )
        relabelled.append(entry)
    return relabelled


def _preferred(remotes: Sequence[RemotePayment]) -> list[Tracker]:
    """Return one tracker per number, the active one when a number also has cancelled ones."""
    chosen: dict[str, Tracker] = {}
    for remote in remotes:
        for tracker in remote.trackers:
            known = chosen.get(tracker.tracking_number)
            if known is None or (tracker.is_active and not known.is_active):
                chosen[tracker.tracking_number] = tracker
    return list(chosen.values())


def _detected_carrier(number: str) -> str | None:
    """Return the carrier of the number's format when the format belongs to one carrier.

    A format only one carrier uses (high or medium confidence, or low only because its
    check digit is wrong) names the carrier even for a mistyped number. Digits that fit
    several carriers name none.
    """
    candidates = [
        candidate
        for candidate in detect(number)
        if candidate.confidence in _DISTINCTIVE or candidate.check_digit_verified is False
    ]
    carriers = {candidate.carrier.id for candidate in candidates}
    if len(carriers) != 1:
        return None
    return candidates[0].carrier.name


def _unknown_carrier(
    order: Order,
    targets: Sequence[PaymentRef],
    tracker: Tracker,
    remotes: Sequence[RemotePayment],
) -> list[PlanEntry]:
    number = tracker.tracking_number
    holder = next(
        (remote.payment for remote in remotes if _holds(remote, number)),
        None,
    )
    source = str(holder) if holder is not None else "the source payment"
    message = (
        f"{source} returns no carrier for tracker {number}, and its number "
        "fits no single carrier, so it was not mirrored. List the shipment with its carrier "
        f"for order {order.id} in the shop's file and run tracksync sync."
    )
    return [
        Discrepancy(
            kind=DiscrepancyKind.UNKNOWN_CARRIER,
            order_id=order.id,
            payment=target,
            tracking_number=number,
            message=message,
        )
        for target in targets
    ]


def _holds(remote: RemotePayment, number: str) -> bool:
    return any(tracker.tracking_number == number for tracker in remote.trackers)


def _nothing_to_mirror(
    order: Order, targets: Sequence[PaymentRef], remotes: Sequence[RemotePayment]
) -> list[PlanEntry]:
    sources = " and ".join(str(remote.payment) for remote in remotes)
    return [
        Discrepancy(
            kind=DiscrepancyKind.NOTHING_TO_MIRROR,
            order_id=order.id,
            payment=target,
            tracking_number=None,
            message=f"{sources} has no tracker, so there is nothing to copy to {target}.",
        )
        for target in targets
    ]
