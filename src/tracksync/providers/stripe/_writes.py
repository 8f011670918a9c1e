"""The one write that brings a PaymentIntent or Charge to its edited packages, without I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from ..._models import Address
from ...errors import InvalidInputError
from ._changes import EditedPackages
from ._form import FormValue
from ._metadata import plan_metadata
from ._objects import ShippingObject
from ._shipping import (
    StripeShipping,
    carrier_text,
    check_field_length,
    choose_recipient,
    shipping_params,
    split_list,
    tracking_number_text,
)

__all__ = ["PlannedWrite", "contains_sent", "plan_write"]


@attrs.frozen(kw_only=True)
class PlannedWrite:
    """The parameters of one update of a PaymentIntent or Charge, and what they leave out."""

    target: ShippingObject
    #: The form parameters, empty when the object already contains everything.
    params: Mapping[str, FormValue] = attrs.field(factory=dict)
    #: The ``tracking_number`` and ``carrier`` values sent, or None when shipping is not sent.
    shipping_sent: tuple[str, str] | None = None
    #: The metadata keys sent, with an empty value for each key unset.
    metadata_sent: Mapping[str, str] = attrs.field(factory=dict)
    #: Whether ``carrier`` was resent as stored, because some package's carrier is unknown.
    carrier_kept: bool = False
    #: Tracking number to the reason its detail was not stored, as a clause.
    not_stored: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def is_empty(self) -> bool:
        """Whether there is nothing to send."""
        return not self.params


def plan_write(
    target: ShippingObject,
    edited: EditedPackages,
    *,
    recipient_sources: Sequence[StripeShipping | None],
    recipient_name: str | None,
    ship_to: Address | None,
) -> PlannedWrite:
    """Plan the update that gives the object the edited packages and details.

    ``shipping`` is sent only when the joined tracking numbers or carriers change, with the
    name and address from the first of ``recipient_sources`` that has both, else the
    shop's. ``metadata`` is sent only for the tracksync keys that change.

    Raises:
        InvalidInputError: a joined value is longer than Stripe accepts, or shipping must
            be sent and no recipient name and address are known.
    """
    stored = target.shipping
    stored_numbers = stored.tracking_number if stored else None
    stored_carrier = stored.carrier if stored else None
    packages = edited.packages
    numbers = tracking_number_text(packages)
    carriers = carrier_text(packages, stored_carrier)
    carrier_kept = any(package.carrier is None for package in packages)

    params: dict[str, FormValue] = {}
    shipping_sent = None
    numbers_differ = split_list(numbers) != split_list(stored_numbers)
    if numbers_differ or split_list(carriers) != split_list(stored_carrier):
        check_field_length(numbers, "tracking_number", str(target))
        check_field_length(carriers, "carrier", str(target))
        recipient = choose_recipient(recipient_sources, recipient_name, ship_to)
        if recipient is None:
            raise InvalidInputError(
                f"Stripe needs the recipient's name and address with every shipping update, "
                f"and neither {target} nor the order has both. Add recipient_name and the "
                "address to the order."
            )
        params.update(shipping_params(recipient, packages, stored_carrier))
        shipping_sent = (numbers, carriers)

    details = [
        edited.details[package.tracking_number]
        for package in packages
        if package.tracking_number in edited.details
    ]
    metadata = plan_metadata(target.metadata, details)
    if metadata.params:
        params["metadata"] = dict(metadata.params)
    return PlannedWrite(
        target=target,
        params=params,
        shipping_sent=shipping_sent,
        metadata_sent=metadata.params,
        carrier_kept=carrier_kept,
        not_stored=metadata.not_stored,
    )


def contains_sent(current: ShippingObject, write: PlannedWrite) -> bool:
    """Return whether the object as read now contains every value the write sent."""
    if write.shipping_sent is not None:
        numbers, carriers = write.shipping_sent
        shipping = current.shipping
        if split_list(shipping.tracking_number if shipping else None) != split_list(numbers):
            return False
        if split_list(shipping.carrier if shipping else None) != split_list(carriers):
            return False
    sent = write.metadata_sent.items()
    return all(current.metadata.get(key, "") == value for key, value in sent)
