"""Compare what the shop wants with what a provider holds, for one payment.

Everything here is pure: it reads nothing and writes nothing, so the rules can be tested
with plain values.
"""

from __future__ import annotations

from collections.abc import Callable

from ._ledger import fingerprint
from ._models import Order, PaymentRef, Shipment, ShipmentStatus
from ._plan import Change, ChangeKind, Discrepancy, DiscrepancyKind, PlanEntry, Unchanged
from ._remote import Capabilities, RemotePayment

__all__ = ["diff_payment", "same_carrier", "stored_status"]


def diff_payment(
    order: Order,
    payment: PaymentRef,
    remote: RemotePayment,
    capabilities: Capabilities,
    stored_carrier: Callable[[Shipment], str] = lambda shipment: shipment.carrier,
) -> list[PlanEntry]:
    """Compare the order's shipments with what the provider holds for one payment.

    ``stored_carrier`` turns a shipment's carrier into the value the provider stores (its
    code, or the name it keeps), which is what a tracker's carrier is compared with.
    Pure: it reads nothing and writes nothing, so it can be tested with plain values.
    """
    entries: list[PlanEntry] = []
    for shipment in order.shipments:
        entries.extend(
            _diff_shipment(order, payment, shipment, remote, capabilities, stored_carrier)
        )

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
    stored_carrier: Callable[[Shipment], str],
) -> list[PlanEntry]:
    current = remote.active_tracker(shipment.tracking_number)

    shipment_fingerprint = fingerprint(
        payment, shipment, recipient_name=order.recipient_name, ship_to=order.ship_to
    )

    def change(kind: ChangeKind, note: str | None = None) -> Change:
        return Change(
            fingerprint=shipment_fingerprint,
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
            fingerprint=shipment_fingerprint,
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
        current.carrier, stored_carrier(shipment)
    )
    # A tracker without a known status gets one when the provider can update it in place.
    status_differs = (
        stored is not None
        and current.status is not stored
        and (current.status is not None or capabilities.can_update_status)
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
