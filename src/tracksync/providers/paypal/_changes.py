"""Checks on a planned change that both tracking APIs make before sending it."""

from __future__ import annotations

from ..._models import ShipmentStatus
from ..._plan import Change, ChangeKind, ChangeResult, Outcome
from ...errors import InvalidInputError
from ._apis import Api, stored_status
from ._carriers import carrier_fields
from ._trackers import tracker_id_for

__all__ = ["already_applied", "target_capture_id", "tracker_id_of"]


def target_capture_id(change: Change) -> str:
    """Return the capture id the change's tracker belongs to.

    Raises:
        InvalidInputError: the change has no ``target_id``.
    """
    if change.target_id is None:
        raise InvalidInputError(
            f"Cannot {change}: the change has no target_id, the PayPal capture id that "
            "reading the payment finds. Apply changes from a plan made by Reconciler.plan."
        )
    return change.target_id


def tracker_id_of(change: Change, capture_id: str) -> str:
    """Return the id of the tracker the change updates or cancels."""
    current_id = change.current.tracker_id if change.current is not None else None
    return current_id or tracker_id_for(capture_id, change.shipment.tracking_number)


def already_applied(change: Change, api: Api) -> ChangeResult | None:
    """Return an UNCHANGED result when PayPal already stores what the change would write.

    The planner plans no such change, but a plan can be applied later, or built for other
    capabilities. A carrier that was not read (None) is never taken as equal.
    """
    current = change.current
    if current is None or change.kind is ChangeKind.ADD:
        return None
    number = change.shipment.tracking_number

    if change.kind is ChangeKind.CANCEL:
        if current.status is not ShipmentStatus.CANCELLED:
            return None
        note = f"PayPal already has tracker {number} as CANCELLED, so nothing was sent."
        return ChangeResult(outcome=Outcome.UNCHANGED, tracker_id=current.tracker_id, note=note)

    target = stored_status(api, change.shipment.status)
    if current.status is not target or current.carrier is None:
        return None
    if carrier_fields(current.carrier, api) != carrier_fields(change.shipment.carrier, api):
        return None
    note = (
        f"PayPal already has tracker {number} with carrier {current.carrier!r} and status "
        f"{target.value}, so no update was sent."
    )
    return ChangeResult(outcome=Outcome.UNCHANGED, tracker_id=current.tracker_id, note=note)
