"""All of one payment's changes applied to its packages and details, without I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from ..._plan import Change, ChangeKind
from ._metadata import ShipmentDetail, read_details
from ._objects import ShippingObject
from ._shipping import Package, parse_packages

__all__ = ["EditedPackages", "PackageState", "Step", "current_packages", "edit_packages"]


@attrs.frozen(kw_only=True)
class PackageState:
    """One tracking number on the object: whether it is there, its carrier and its detail."""

    present: bool = False
    carrier: str | None = None
    detail: ShipmentDetail | None = None


@attrs.frozen(kw_only=True)
class Step:
    """One change with the state of its tracking number just before and after it."""

    change: Change
    before: PackageState
    after: PackageState


@attrs.frozen(kw_only=True)
class EditedPackages:
    """The packages and details a payment should hold once all of its changes are made."""

    #: In the order of ``shipping.tracking_number``, with new packages last.
    packages: tuple[Package, ...]
    #: The detail of every package in ``packages`` that has one, by tracking number.
    details: Mapping[str, ShipmentDetail]
    steps: tuple[Step, ...]


def current_packages(
    target: ShippingObject,
) -> tuple[tuple[Package, ...], dict[str, ShipmentDetail]]:
    """Read the packages in the object's shipping with their stored details.

    A package whose carrier the shipping hash does not give (because the counts of
    numbers and carriers differ) takes the carrier of its stored detail. Details of
    numbers that are not in the shipping hash are left out.
    """
    details = read_details(target.metadata)
    packages = []
    for package in parse_packages(target.shipping):
        carrier = package.carrier
        detail = details.get(package.tracking_number)
        if carrier is None and detail is not None:
            carrier = detail.carrier
        packages.append(Package(package.tracking_number, carrier))
    numbers = {package.tracking_number for package in packages}
    return tuple(packages), {number: details[number] for number in numbers if number in details}


def edit_packages(target: ShippingObject, changes: Sequence[Change]) -> EditedPackages:
    """Apply the changes in order to the object's packages and details.

    ADD appends a package (or, when its number is there already, sets its carrier and
    detail like UPDATE), UPDATE sets the carrier and detail of a package that is there,
    and CANCEL removes the package and its detail. An UPDATE of a number that is not there
    changes nothing. The detail takes the shipment's carrier, status and shipped-on date.
    """
    packages, details = current_packages(target)
    carriers: dict[str, str | None] = {
        package.tracking_number: package.carrier for package in packages
    }

    def state(number: str) -> PackageState:
        if number not in carriers:
            return PackageState()
        return PackageState(present=True, carrier=carriers[number], detail=details.get(number))

    steps = []
    for change in changes:
        shipment = change.shipment
        number = shipment.tracking_number
        before = state(number)
        if change.kind is ChangeKind.CANCEL:
            carriers.pop(number, None)
            details.pop(number, None)
        elif before.present or change.kind is ChangeKind.ADD:
            # A shipment without a shipped-on date keeps the date stored before.
            stored_date = before.detail.shipped_on if before.detail else None
            carriers[number] = shipment.carrier
            details[number] = ShipmentDetail(
                tracking_number=number,
                carrier=shipment.carrier,
                status=shipment.status,
                shipped_on=shipment.shipped_on or stored_date,
            )
        steps.append(Step(change=change, before=before, after=state(number)))

    # dict keeps insertion order, so packages already there keep their places.
    edited = tuple(Package(number, carrier) for number, carrier in carriers.items())
    return EditedPackages(packages=edited, details=dict(details), steps=tuple(steps))
