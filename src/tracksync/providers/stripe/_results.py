"""The result of each change once a payment's write is planned or made, without I/O."""

from __future__ import annotations

from ..._plan import ChangeKind, ChangeResult, Outcome
from ._changes import EditedPackages, Step
from ._objects import ObjectKind, ShippingObject
from ._writes import PlannedWrite

__all__ = ["change_results"]


def change_results(
    edited: EditedPackages, write: PlannedWrite, *, rejected_by: ShippingObject | None = None
) -> list[ChangeResult]:
    """Describe what the write does for each change, in the order of the changes.

    ``rejected_by`` is the PaymentIntent whose shipping update Stripe rejected when the
    write went to its Charge instead.
    """
    written_notes = []
    if rejected_by is not None:
        written_notes.append(
            f"Stripe rejected the shipping update of {rejected_by} because of its status, "
            f"so tracksync keeps the tracking on {write.target} instead."
        )
    return [_result(step, edited, write, written_notes) for step in edited.steps]


def _result(
    step: Step, edited: EditedPackages, write: PlannedWrite, written_notes: list[str]
) -> ChangeResult:
    change = step.change
    target = write.target
    number = change.shipment.tracking_number
    before, after = step.before, step.after

    if change.kind is ChangeKind.CANCEL:
        if not before.present:
            note = f"{target} has no tracking number {number}, so none was removed."
            return ChangeResult(outcome=Outcome.UNCHANGED, note=note)
        notes = list(written_notes)
        if not edited.packages and target.kind is ObjectKind.CHARGE:
            notes.append(_charge_kept_note(target))
        return ChangeResult(outcome=Outcome.CANCELLED, note=" ".join(notes) or None)

    if not before.present and change.kind is ChangeKind.UPDATE:
        note = (
            f"{target} no longer contains tracking number {number}, so its carrier and "
            "status were not changed. The next run adds it again."
        )
        return ChangeResult(outcome=Outcome.SKIPPED, note=note)

    notes = []
    if number in write.not_stored:
        notes.append(
            f"{target} does not store the status and shipped-on date of {number}, because "
            f"{write.not_stored[number]}."
        )
    carrier_changed = before.carrier != after.carrier
    if write.carrier_kept and carrier_changed:
        notes.append(_carrier_kept_note(write, change.shipment.carrier))

    shipping_effect = before.present != after.present or (
        carrier_changed and not write.carrier_kept
    )
    detail_effect = before.detail != after.detail and number not in write.not_stored
    if not shipping_effect and not detail_effect:
        return _not_written(step, target, notes)

    outcome = change.expected_outcome
    if change.kind is ChangeKind.ADD and before.present:
        outcome = Outcome.UPDATED
        notes.insert(
            0,
            f"{target} already had tracking number {number}, so tracksync updated its "
            "carrier and status.",
        )
    return ChangeResult(outcome=outcome, note=" ".join([*notes, *written_notes]) or None)


def _not_written(step: Step, target: ShippingObject, notes: list[str]) -> ChangeResult:
    """Describe an add or update for which the write changes nothing."""
    change = step.change
    before, after = step.before, step.after
    same_shipping = before.present == after.present and before.carrier == after.carrier
    if same_shipping and (change.kind is ChangeKind.ADD or before.detail == after.detail):
        number = change.shipment.tracking_number
        if change.kind is ChangeKind.UPDATE:
            already = (
                f"{target} already has tracking number {number} with carrier "
                f"{change.shipment.carrier} and status {change.shipment.status.value}."
            )
        else:
            already = f"{target} already has tracking number {number}."
        return ChangeResult(outcome=Outcome.UNCHANGED, note=" ".join([already, *notes]))
    return ChangeResult(outcome=Outcome.SKIPPED, note=" ".join(notes) or None)


def _carrier_kept_note(write: PlannedWrite, carrier: str) -> str:
    shipping = write.target.shipping
    stored = shipping.carrier if shipping else None
    stored_text = repr(stored) if stored else "empty"
    return (
        f"The shipping.carrier of {write.target} ({stored_text}) does not give one carrier "
        f"per tracking number, so tracksync left it as it is and did not write carrier "
        f"{carrier} there."
    )


def _charge_kept_note(target: ShippingObject) -> str:
    has_phone = target.shipping is not None and target.shipping.phone is not None
    kept_fields = "name, address and phone" if has_phone else "name and address"
    return (
        f"{target} has no tracking number left, but Stripe cannot remove shipping from a "
        f"Charge, so it keeps the recipient's {kept_fields}. Its carrier and tracking number "
        "were cleared."
    )
