"""Read shipments from CSV files in tracksync's own layouts.

Three layouts are recognised by their header row:

- the tracksync layout, with the required columns ``order_id, provider, payment_id,
  tracking_number, carrier`` and the optional columns in :data:`OPTIONAL_COLUMNS`;
- the payments layout: the tracksync layout without ``tracking_number`` and ``carrier``,
  whose rows name the payments of orders (for mirroring between providers);
- the PayPal tracking layout ``transaction_id, tracking_number, carrier, status`` that
  community PayPal tracking tools read, where the transaction id is a PayPal capture id.

A bad row becomes a :class:`RowError` naming the line, the column, the value and the fix;
the other rows are still read. The rows of one order must be next to each other.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import attrs

from .._models import PAYPAL, Address, Order, PaymentRef, Shipment
from ..errors import InvalidInputError
from ._grouping import Numbered, Parsed, group_orders
from ._records import CsvLayout, OrderRecord, RowError, StreamItem, place
from ._tabular import CsvRow, CsvTable, RowInvalid, check_row
from ._values import (
    PROVIDERS,
    check_payment_id,
    make_address,
    make_shipment,
    parse_date,
    parse_flag,
    parse_status,
    required,
)

__all__ = [
    "OPTIONAL_COLUMNS",
    "PAYMENT_COLUMNS",
    "PAYPAL_LAYOUT_COLUMNS",
    "REQUIRED_COLUMNS",
    "detect_layout",
    "read_layout",
]

REQUIRED_COLUMNS = ("order_id", "provider", "payment_id", "tracking_number", "carrier")
OPTIONAL_COLUMNS = (
    "paypal_order_id",
    "status",
    "shipped_on",
    "notify_buyer",
    "recipient_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
)
PAYPAL_LAYOUT_COLUMNS = ("transaction_id", "tracking_number", "carrier", "status")
#: The required columns of the payments layout, which has no package columns.
PAYMENT_COLUMNS = ("order_id", "provider", "payment_id")


def detect_layout(columns: list[str]) -> CsvLayout | None:
    """Return the layout whose required columns the header has, or None."""
    present = set(columns)
    if set(REQUIRED_COLUMNS) <= present:
        return CsvLayout.TRACKSYNC
    if set(PAYPAL_LAYOUT_COLUMNS[:3]) <= present:
        return CsvLayout.PAYPAL
    if set(PAYMENT_COLUMNS) <= present and not {"tracking_number", "carrier"} & present:
        return CsvLayout.PAYMENTS
    return None


@attrs.frozen
class _Package:
    """One row of the tracksync layout: a package on one payment, or in the payments
    layout a payment alone."""

    payment: PaymentRef
    shipment: Shipment | None
    recipient_name: str | None
    ship_to: Address | None


def read_layout(table: CsvTable, layout: CsvLayout) -> Iterator[StreamItem]:
    """Yield the orders of a CSV file in one of tracksync's layouts."""
    sort_by = "transaction_id" if layout is CsvLayout.PAYPAL else "order_id"
    parsed = (_parse(row, layout, table.delimiter) for row in table.rows())
    return group_orders(parsed, _build, sort_by=sort_by)


def _parse(item: CsvRow | RowError, layout: CsvLayout, delimiter: str) -> Parsed[_Package]:
    if isinstance(item, RowError):
        return Parsed(item.line, None, problems=(item,))
    row = item.values
    if layout is CsvLayout.PAYPAL:
        row = _from_paypal_layout(row)
    order_id = row.get("order_id") or None
    try:
        check_row(item, delimiter=delimiter)
        package = _package(row, with_shipment=layout is not CsvLayout.PAYMENTS)
    except RowInvalid as exc:
        return Parsed(item.line, order_id, problems=(_row_error(row, item.line, exc),))
    return Parsed(item.line, row["order_id"], row=package)


def _from_paypal_layout(row: Mapping[str, str]) -> dict[str, str]:
    converted = dict(row)
    transaction_id = row.get("transaction_id", "")
    converted.update(order_id=transaction_id, provider=PAYPAL, payment_id=transaction_id)
    return converted


def _row_error(row: Mapping[str, str], line: int, exc: RowInvalid) -> RowError:
    order_id = row.get("order_id") or None
    return RowError(
        line=line,
        message=f"{place(line, order_id=order_id)}: {exc.message}",
        order_id=order_id,
        provider=row.get("provider", "").lower() or None,
        payment_id=row.get("payment_id") or None,
        tracking_number=row.get("tracking_number") or None,
        column=exc.column,
        value=exc.value,
    )


def _package(row: Mapping[str, str], *, with_shipment: bool) -> _Package:
    required(row, "order_id")
    payment = _payment(row)
    shipment = None
    if with_shipment:
        shipment = make_shipment(
            required(row, "tracking_number"),
            required(row, "carrier"),
            status=parse_status(row.get("status", "")),
            shipped_on=parse_date(row.get("shipped_on", "")),
            notify_buyer=parse_flag(row.get("notify_buyer", "")),
        )
    ship_to = make_address(
        line1=row.get("address_line1", ""),
        line2=row.get("address_line2", ""),
        city=row.get("city", ""),
        state=row.get("state", ""),
        postal_code=row.get("postal_code", ""),
        country=row.get("country", ""),
    )
    return _Package(payment, shipment, row.get("recipient_name") or None, ship_to)


def _payment(row: Mapping[str, str]) -> PaymentRef:
    provider = required(row, "provider").lower()
    if provider not in PROVIDERS:
        raise RowInvalid(
            "provider",
            provider,
            f"provider {provider!r} is not supported; use one of {', '.join(PROVIDERS)}.",
        )
    payment_id = required(row, "payment_id")
    check_payment_id(provider, payment_id)
    return PaymentRef(
        provider=provider,
        payment_id=payment_id,
        paypal_order_id=row.get("paypal_order_id") or None,
    )


def _build(order_id: str, rows: list[Numbered[_Package]]) -> Iterator[StreamItem]:
    payments: dict[tuple[str, str], PaymentRef] = {}
    shipments: dict[str, tuple[int, Shipment]] = {}
    payment_lines: dict[tuple[str, str], int] = {}
    recipient_name: str | None = None
    ship_to: Address | None = None
    used = 0
    for numbered in rows:
        package = numbered.row
        if package.shipment is not None:
            number = package.shipment.tracking_number
            known = shipments.get(number)
            if known is not None and known[1] != package.shipment:
                yield _conflict(order_id, numbered.line, package, number, known[0])
                continue
            if known is None:
                shipments[number] = (numbered.line, package.shipment)
        used += 1
        key = (package.payment.provider, package.payment.payment_id)
        payments.setdefault(key, package.payment)
        payment_lines.setdefault(key, numbered.line)
        recipient_name = recipient_name or package.recipient_name
        ship_to = ship_to or package.ship_to

    if not used:
        return
    try:
        order = Order(
            id=order_id,
            payments=payments.values(),
            shipments=(shipment for _, shipment in shipments.values()),
            recipient_name=recipient_name,
            ship_to=ship_to,
        )
    except InvalidInputError as exc:
        first = rows[0].line
        yield RowError(
            line=first,
            message=f"{place(first, order_id=order_id)}: {exc}",
            order_id=order_id,
            rows=used,
        )
        return
    yield OrderRecord(
        order=order,
        first_line=rows[0].line,
        lines={number: line for number, (line, _) in shipments.items()},
        rows=used,
        payment_lines=payment_lines,
    )


def _conflict(
    order_id: str, line: int, package: _Package, number: str, known_line: int
) -> RowError:
    return RowError(
        line=line,
        message=(
            f"{place(line, order_id=order_id)}: tracking number {number} is also on line "
            f"{known_line} with other values; give each package one row, or make the rows "
            "agree."
        ),
        order_id=order_id,
        provider=package.payment.provider,
        payment_id=package.payment.payment_id,
        tracking_number=number,
        column="tracking_number",
        value=number,
    )
