"""Mirroring: plan the trackers one provider holds for an order onto its other payments.

An order paid at both PayPal and Stripe (paid in part at each, paid twice, or moving from
one to the other) names a payment at each. Mirroring reads the source payments' trackers,
turns them into the shipments of a new order that names only the target payments, and
plans that order as a sync would. The functions here are pure; the Reconcilers read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from ._models import Order, PaymentRef, Shipment, ShipmentStatus
from ._plan import Discrepancy, DiscrepancyKind, PlanEntry, Unchanged
from ._remote import RemotePayment, Tracker
from .carriers import DetectionConfidence, detect
from .errors import InvalidInputError

__all__ = ["Adjusted", "Mirror", "check_sides", "mirror_order", "relabel", "split"]

_DISTINCTIVE = (DetectionConfidence.HIGH, DetectionConfidence.MEDIUM)


#: The result of ``Mirror.adjust`` for planning a target payment: the order to compare with
#: the target, and entries that replace the comparison's own for their tracking numbers.
Adjusted = tuple[Order, list[PlanEntry]]


@attrs.frozen(kw_only=True)
class Mirror:
    """The order to plan onto the target payments, and what could not be mirrored."""

    #: The order with the source's trackers as shipments and the target payments; None
    #: when there is nothing to plan.
    order: Order | None
    entries: tuple[PlanEntry, ...] = ()
    #: Tracking numbers whose status the source does not have: Stripe packages that
    #: another tool wrote, without tracksync's status metadata.
    unknown_status: frozenset[str] = frozenset()
    #: Source trackers whose carrier is unknown, which only the target can settle.
    unknown_carrier: tuple[Tracker, ...] = ()

    def adjust(self, order: Order, remote: RemotePayment) -> Adjusted:
        """Fill in what the source payments lack, from the target payment as read.

        A shipment whose status the source does not store takes the target tracker's
        status, so that mirroring never changes a status it cannot read. A tracker with an
        unknown carrier that the target holds too takes the target's carrier, or is left
        as it is when the target has none. One that the target does not hold is reported.
        """
        shipments = [
            _with_target_status(shipment, remote)
            if shipment.tracking_number in self.unknown_status
            else shipment
            for shipment in order.shipments
        ]
        entries: list[PlanEntry] = []
        for tracker in self.unknown_carrier:
            current = remote.active_tracker(tracker.tracking_number)
            if current is not None and current.carrier is not None:
                shipments.append(
                    Shipment(
                        tracking_number=tracker.tracking_number,
                        carrier=current.carrier,
                        status=tracker.status or current.status or ShipmentStatus.SHIPPED,
                    )
                )
            elif current is not None:
                entries.append(
                    Unchanged(
                        order_id=order.id,
                        payment=remote.payment,
                        tracking_number=tracker.tracking_number,
                        note="Neither provider returns this tracker's carrier; left as it is.",
                    )
                )
            elif tracker.is_active:
                entries.append(_unknown_carrier(order, remote.payment, tracker))
        return attrs.evolve(order, shipments=shipments), entries


def check_sides(source: str, target: str, configured: Iterable[str]) -> None:
    """Raise InvalidInputError (a ValueError) when the source or the target is no configured
    provider's name, or both are the same."""
    names = sorted(set(configured))
    for side, name in (("source", source), ("target", target)):
        if name not in names:
            raise InvalidInputError(
                f"Mirror {side} {name!r} is not the name of a configured provider; give "
                f"that provider's credentials, or use one of "
                f"{', '.join(repr(known) for known in names) or 'none'} (lower case)."
            )
    if source == target:
        raise InvalidInputError(
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
        f"(it names {named}). List the order's {missing} payment with it, or correct its "
        "row if the report shows that row as invalid."
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
    whose number format it has, when only one carrier uses that format. Otherwise the
    target payment settles it: see :meth:`Mirror.adjust`.
    """
    shipments: dict[str, Shipment] = {}
    unknown_status: set[str] = set()
    unknown_carrier: list[Tracker] = []
    for tracker in _preferred(remotes):
        number = tracker.tracking_number
        carrier = tracker.carrier or _detected_carrier(number)
        if carrier is None:
            unknown_carrier.append(tracker)
            continue
        shipments[number] = Shipment(
            tracking_number=number,
            carrier=carrier,
            status=tracker.status or ShipmentStatus.SHIPPED,
        )
        if tracker.status is None:
            unknown_status.add(number)

    if not shipments and not unknown_carrier:
        return Mirror(order=None, entries=tuple(_nothing_to_mirror(order, targets, remotes)))
    mirrored = Order(
        id=order.id,
        payments=targets,
        shipments=shipments.values(),
        recipient_name=order.recipient_name,
        ship_to=order.ship_to,
    )
    return Mirror(
        order=mirrored,
        unknown_status=frozenset(unknown_status),
        unknown_carrier=tuple(unknown_carrier),
    )


def _with_target_status(shipment: Shipment, remote: RemotePayment) -> Shipment:
    current = remote.active_tracker(shipment.tracking_number)
    if current is None or current.status is None:
        return shipment
    return attrs.evolve(shipment, status=current.status)


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


def _unknown_carrier(order: Order, target: PaymentRef, tracker: Tracker) -> Discrepancy:
    number = tracker.tracking_number
    return Discrepancy(
        kind=DiscrepancyKind.UNKNOWN_CARRIER,
        order_id=order.id,
        payment=target,
        tracking_number=number,
        message=(
            f"The source returns no carrier for tracker {number}, and its number fits no "
            f"single carrier, so it was not copied to {target}. Sync the package with its "
            f"carrier onto {target} (a row for order {order.id} in the shop's file)."
        ),
    )


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
