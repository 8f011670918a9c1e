"""Steps that the shop-export readers share: payment links, packages and finished orders."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import attrs

from .._models import Address, Order, PaymentRef, Shipment, ShipmentStatus
from ..errors import InvalidInputError
from ._records import OrderRecord, RowError, StreamItem, place
from ._tabular import RowInvalid
from ._values import PROVIDERS, check_payment_id, gateway_provider

__all__ = ["Package", "finish_order", "merge_packages", "payment_link"]


@attrs.frozen
class Package:
    """A shipment with the place it was read from."""

    shipment: Shipment
    line: int
    location: str | None = None
    #: The file the package was read from, when it is not the main input.
    file: str | None = None


def payment_link(
    payment_id: str,
    *,
    provider: str = "",
    paypal_order_id: str = "",
    id_column: str,
    provider_column: str,
) -> PaymentRef:
    """Build the PaymentRef for a payment id that the shop added to its export.

    The provider may be left empty when the id's form names it (a PayPal capture id of
    17 capital letters and digits, or a Stripe ``pi_``, ``ch_`` or ``py_`` id). A value
    such as ``paypal:8MC585209K746392H`` names the provider before the colon.
    """
    prefix, colon, rest = payment_id.partition(":")
    if colon and prefix.strip().lower() in PROVIDERS:
        provider, payment_id = prefix.strip(), rest.strip()
    chosen = provider.lower() or gateway_provider(payment_id)
    if chosen is None:
        raise RowInvalid(
            id_column,
            payment_id,
            f"{id_column} {payment_id!r} is neither a PayPal capture id (17 capital letters "
            "and digits) nor a Stripe pi_, ch_ or py_ id; add the provider in a "
            f"{provider_column} column, or write the id as paypal:ID or stripe:ID.",
        )
    if chosen not in PROVIDERS:
        raise RowInvalid(
            provider_column,
            provider,
            f"provider {provider!r} is not supported; use one of {', '.join(PROVIDERS)}.",
        )
    check_payment_id(chosen, payment_id, column=id_column)
    try:
        return PaymentRef(
            provider=chosen, payment_id=payment_id, paypal_order_id=paypal_order_id or None
        )
    except InvalidInputError as exc:
        raise RowInvalid(id_column, payment_id, str(exc)) from exc


def merge_packages(
    order_id: str, packages: Iterable[Package], *, conflict_rows: int
) -> tuple[dict[str, Package], list[RowError]]:
    """Merge packages by tracking number, and report those that disagree.

    ``conflict_rows`` is the number of input rows that a disagreeing package discards: 1
    where each row is one package, 0 where a package is a part of a row.

    Identical packages are one package. A cancelled package gives way to a package with
    the same number that is not cancelled, because a shop that cancels a fulfillment or
    voids a label and ships again under the same number has shipped the package.
    """
    merged: dict[str, Package] = {}
    conflicts: list[RowError] = []
    for package in packages:
        number = package.shipment.tracking_number
        known = merged.get(number)
        if known is None or known.shipment == package.shipment:
            merged.setdefault(number, package)
        elif known.shipment.status is ShipmentStatus.CANCELLED:
            merged[number] = package
        elif package.shipment.status is not ShipmentStatus.CANCELLED:
            conflicts.append(_conflict(order_id, package, known, rows=conflict_rows))
    return merged, conflicts


def _conflict(order_id: str, package: Package, known: Package, *, rows: int) -> RowError:
    number = package.shipment.tracking_number
    known_place = f"line {known.line}" + (f", {known.location}" if known.location else "")
    if known.file and known.file != package.file:
        known_place = f"{known.file}, {known_place}"
    where = place(package.line, location=package.location, order_id=order_id, file=package.file)
    return RowError(
        line=package.line,
        location=package.location,
        file=package.file,
        message=(
            f"{where}: tracking number {number} is also at {known_place} with another "
            "carrier, status or date; give each package one entry, or make the entries agree."
        ),
        order_id=order_id,
        tracking_number=number,
        value=number,
        rows=rows,
    )


def finish_order(
    order_id: str,
    *,
    payments: Iterable[PaymentRef],
    packages: dict[str, Package],
    recipient_name: str | None,
    ship_to: Address | None,
    first_line: int,
    rows: int,
    location: str | None = None,
    package_lines: bool = True,
) -> Iterator[StreamItem]:
    """Yield the order's record, or one RowError when the model rejects the order.

    With ``package_lines`` false (packages read from another file), every package maps to
    the order's first line.
    """
    unique = list(dict.fromkeys(payments))
    try:
        order = Order(
            id=order_id,
            payments=unique,
            shipments=(package.shipment for package in packages.values()),
            recipient_name=recipient_name,
            ship_to=ship_to,
        )
    except InvalidInputError as exc:
        yield RowError(
            line=first_line,
            location=location,
            message=f"{place(first_line, location=location, order_id=order_id)}: {exc}",
            order_id=order_id,
            rows=rows,
        )
        return
    lines = {
        number: package.line if package_lines else first_line
        for number, package in packages.items()
    }
    yield OrderRecord(order=order, first_line=first_line, lines=lines, rows=rows, location=location)
