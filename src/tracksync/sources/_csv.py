"""Read shipments from CSV files in the layouts shops already have.

Two layouts are recognised by their header row:

- the tracksync layout, with the required columns ``order_id, provider, payment_id,
  tracking_number, carrier`` and the optional columns in :data:`OPTIONAL_COLUMNS`;
- the PayPal tracking layout ``transaction_id, tracking_number, carrier, status`` that
  community PayPal tracking tools read, where the transaction id is a PayPal capture id.

A bad row becomes a :class:`RowError` naming the line, the column, the value and the fix;
the other rows are still read.
"""

from __future__ import annotations

import csv
import datetime
import enum
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO

import attrs

from .._models import (
    MAX_TRACKING_NUMBER_LENGTH,
    PAYPAL,
    STRIPE,
    Address,
    Order,
    PaymentRef,
    Shipment,
    ShipmentStatus,
)
from ..errors import InvalidInputError

__all__ = [
    "CsvLayout",
    "OPTIONAL_COLUMNS",
    "PAYPAL_LAYOUT_COLUMNS",
    "REQUIRED_COLUMNS",
    "ReadResult",
    "RowError",
    "read_csv",
    "read_csv_text",
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

PROVIDERS = (PAYPAL, STRIPE)

# PayPal capture ids are letters and digits only; Stripe ids add underscores (pi_...).
_PAYMENT_ID_PATTERNS = {
    PAYPAL: re.compile(r"^[A-Za-z0-9]+$"),
    STRIPE: re.compile(r"^[A-Za-z0-9_]+$"),
}
_PAYMENT_ID_RULES = {
    PAYPAL: "PayPal capture ids contain only letters and digits, such as 8MC585209K746392H",
    STRIPE: "Stripe ids contain only letters, digits and underscores, such as pi_3MtwBwLkdIwHu7ix",
}
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0", ""}


class CsvLayout(enum.Enum):
    """The column layouts that :func:`read_csv` recognises."""

    TRACKSYNC = "tracksync"
    PAYPAL = "paypal"


@attrs.frozen(kw_only=True)
class RowError:
    """A row that could not be read, and why."""

    #: The line in the file, counting the header as line 1.
    line: int
    message: str
    order_id: str | None = None
    provider: str | None = None
    payment_id: str | None = None
    tracking_number: str | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        return self.message


@attrs.frozen(kw_only=True)
class ReadResult:
    """The orders read from a file, and the rows that could not be read."""

    layout: CsvLayout
    orders: tuple[Order, ...]
    errors: tuple[RowError, ...]
    #: Number of data rows in the file, blank lines not counted.
    rows: int
    #: The line of each package, by order id and tracking number.
    lines: Mapping[tuple[str, str], int] = attrs.field(factory=dict)
    #: The first line of each order.
    order_lines: Mapping[str, int] = attrs.field(factory=dict)

    def line_of(self, order_id: str | None, tracking_number: str | None) -> int | None:
        """Return the line that a package, or else its order, was read from."""
        if order_id is None:
            return None
        if tracking_number is not None:
            line = self.lines.get((order_id, tracking_number))
            if line is not None:
                return line
        return self.order_lines.get(order_id)


class _RowInvalid(Exception):
    def __init__(self, column: str | None, value: str | None, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.value = value
        self.message = message


@attrs.define
class _OrderBuilder:
    """Collects the rows of one order, which need not be adjacent in the file."""

    order_id: str
    payments: dict[tuple[str, str], PaymentRef] = attrs.field(factory=dict)
    shipments: dict[str, tuple[int, Shipment]] = attrs.field(factory=dict)
    recipient_name: str | None = None
    ship_to: Address | None = None

    def build(self) -> Order:
        return Order(
            id=self.order_id,
            payments=self.payments.values(),
            shipments=(shipment for _, shipment in self.shipments.values()),
            recipient_name=self.recipient_name,
            ship_to=self.ship_to,
        )


def read_csv(source: str | Path | IO[str]) -> ReadResult:
    """Read orders from a CSV file in the tracksync or the PayPal tracking layout.

    Rows with the same ``order_id`` form one order, and several rows with one payment are
    several packages. A file can be given as a path or as an open text file.

    Raises:
        InvalidInputError: the file cannot be read, is not UTF-8, or its header matches
            neither layout. Errors in single rows are returned in ``ReadResult.errors``.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            # utf-8-sig drops the byte order mark that Excel writes.
            with path.open(encoding="utf-8-sig", newline="") as file:
                return _read(file, name=str(path))
        except OSError as exc:
            raise InvalidInputError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
        except UnicodeDecodeError as exc:
            line = _undecodable_line(path)
            raise InvalidInputError(
                f"{path} is not UTF-8 text: line {line} holds a byte that UTF-8 cannot decode. "
                "Save the file as CSV UTF-8 and try again."
            ) from exc
    return _read(source, name=getattr(source, "name", "the input"))


def _undecodable_line(path: Path) -> int:
    """Return the line of the first byte that is not UTF-8; the reader sees only a chunk."""
    data = path.read_bytes()
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1
    return 1


def _read(file: IO[str], *, name: str) -> ReadResult:
    reader = csv.reader(file)
    header = next(reader, None)
    if header is None:
        raise InvalidInputError(f"{name} is empty; it needs a header row and one row per package.")
    columns = [column.strip().lower().lstrip("\ufeff") for column in header]
    layout = _detect_layout(columns, name=name)

    builders: dict[str, _OrderBuilder] = {}
    errors: list[RowError] = []
    rows = 0
    for line, values in _numbered_rows(reader):
        rows += 1
        row = _as_mapping(columns, values)
        if layout is CsvLayout.PAYPAL:
            row = _from_paypal_layout(row)
        try:
            _add_row(builders, row, line)
        except _RowInvalid as exc:
            errors.append(_row_error(row, line, exc))

    orders = []
    lines: dict[tuple[str, str], int] = {}
    order_lines: dict[str, int] = {}
    for builder in builders.values():
        if builder.payments:
            orders.append(builder.build())
        for number, (line, _) in builder.shipments.items():
            lines[(builder.order_id, number)] = line
            order_lines[builder.order_id] = min(line, order_lines.get(builder.order_id, line))
    return ReadResult(
        layout=layout,
        orders=tuple(orders),
        errors=tuple(errors),
        rows=rows,
        lines=lines,
        order_lines=order_lines,
    )


def _detect_layout(columns: list[str], *, name: str) -> CsvLayout:
    present = set(columns)
    duplicated = sorted({column for column in columns if column and columns.count(column) > 1})
    if duplicated:
        raise InvalidInputError(
            f"{name} has the columns {duplicated} more than once; keep one of each."
        )
    if set(REQUIRED_COLUMNS) <= present:
        return CsvLayout.TRACKSYNC
    if {"transaction_id", "tracking_number", "carrier"} <= present:
        return CsvLayout.PAYPAL
    missing = [column for column in REQUIRED_COLUMNS if column not in present]
    raise InvalidInputError(
        f"{name} has neither known header. The tracksync layout needs the columns "
        f"{', '.join(REQUIRED_COLUMNS)} (missing: {', '.join(missing)}); the PayPal layout "
        f"needs {', '.join(PAYPAL_LAYOUT_COLUMNS[:3])}. Found: {', '.join(columns) or 'none'}."
    )


def _numbered_rows(reader: Iterable[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """Yield each non-blank row with its line number (the header is line 1)."""
    line = 1
    for values in reader:
        line += 1
        if any(value.strip() for value in values):
            yield line, values


def _as_mapping(columns: list[str], values: list[str]) -> dict[str, str]:
    row = {column: value.strip() for column, value in zip(columns, values, strict=False) if column}
    if len(values) > len(columns):
        row["\0extra"] = ",".join(values[len(columns) :])
    return row


def _from_paypal_layout(row: dict[str, str]) -> dict[str, str]:
    converted = dict(row)
    transaction_id = row.get("transaction_id", "")
    converted.update(order_id=transaction_id, provider=PAYPAL, payment_id=transaction_id)
    return converted


def _row_error(row: Mapping[str, str], line: int, exc: _RowInvalid) -> RowError:
    order_id = row.get("order_id") or None
    where = f"Line {line}" + (f" (order {order_id})" if order_id else "")
    return RowError(
        line=line,
        message=f"{where}: {exc.message}",
        order_id=order_id,
        provider=row.get("provider", "").lower() or None,
        payment_id=row.get("payment_id") or None,
        tracking_number=row.get("tracking_number") or None,
        column=exc.column,
        value=exc.value,
    )


def _add_row(builders: dict[str, _OrderBuilder], row: Mapping[str, str], line: int) -> None:
    if "\0extra" in row:
        raise _RowInvalid(
            None,
            row["\0extra"],
            "the row has more fields than the header; quote values that contain commas.",
        )
    order_id = _required(row, "order_id")
    payment = _payment(row)
    shipment = _shipment(row)
    recipient_name = row.get("recipient_name") or None
    ship_to = _address(row)

    builder = builders.get(order_id)
    if builder is None:
        builder = builders[order_id] = _OrderBuilder(order_id)

    known = builder.shipments.get(shipment.tracking_number)
    if known is not None and known[1] != shipment:
        raise _RowInvalid(
            "tracking_number",
            shipment.tracking_number,
            f"tracking number {shipment.tracking_number} is also on line {known[0]} with "
            "other values; give each package one row, or make the rows agree.",
        )
    if known is None:
        builder.shipments[shipment.tracking_number] = (line, shipment)
    builder.payments.setdefault((payment.provider, payment.payment_id), payment)
    builder.recipient_name = builder.recipient_name or recipient_name
    builder.ship_to = builder.ship_to or ship_to


def _required(row: Mapping[str, str], column: str) -> str:
    value = row.get(column, "")
    if not value:
        raise _RowInvalid(column, value, f"{column} is empty; fill it in or remove the row.")
    return value


def _payment(row: Mapping[str, str]) -> PaymentRef:
    provider = _required(row, "provider").lower()
    if provider not in PROVIDERS:
        raise _RowInvalid(
            "provider",
            provider,
            f"provider {provider!r} is not supported; use one of {', '.join(PROVIDERS)}.",
        )
    payment_id = _required(row, "payment_id")
    if not _PAYMENT_ID_PATTERNS[provider].match(payment_id):
        raise _RowInvalid(
            "payment_id",
            payment_id,
            f"payment_id {payment_id!r} is not a valid {provider} id; "
            f"{_PAYMENT_ID_RULES[provider]}. Remove spaces and punctuation.",
        )
    return PaymentRef(
        provider=provider,
        payment_id=payment_id,
        paypal_order_id=row.get("paypal_order_id") or None,
    )


def _shipment(row: Mapping[str, str]) -> Shipment:
    tracking_number = _required(row, "tracking_number")
    if len(tracking_number) > MAX_TRACKING_NUMBER_LENGTH:
        raise _RowInvalid(
            "tracking_number",
            tracking_number,
            f"tracking_number is {len(tracking_number)} characters long; tracksync accepts at "
            f"most {MAX_TRACKING_NUMBER_LENGTH}, PayPal's limit. Put one tracking number per "
            "row, not a list or a URL.",
        )
    carrier = _required(row, "carrier")
    try:
        return Shipment(
            tracking_number=tracking_number,
            carrier=carrier,
            status=_status(row.get("status", "")),
            shipped_on=_date(row.get("shipped_on", "")),
            notify_buyer=_flag(row.get("notify_buyer", "")),
        )
    except InvalidInputError as exc:
        raise _RowInvalid(None, None, str(exc)) from exc


def _status(value: str) -> ShipmentStatus:
    if not value:
        return ShipmentStatus.SHIPPED
    normalised = value.upper().replace(" ", "_").replace("-", "_")
    try:
        return ShipmentStatus(normalised)
    except ValueError:
        allowed = ", ".join(status.value for status in ShipmentStatus)
        raise _RowInvalid(
            "status",
            value,
            f"status {value!r} is not one of {allowed}; leave it empty for SHIPPED.",
        ) from None


def _date(value: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise _RowInvalid(
            "shipped_on", value, f"shipped_on {value!r} is not a date; write it as YYYY-MM-DD."
        ) from None


def _flag(value: str) -> bool:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise _RowInvalid(
        "notify_buyer",
        value,
        f"notify_buyer {value!r} is not true or false; use true, false or leave it empty.",
    )


def _address(row: Mapping[str, str]) -> Address | None:
    parts = {
        "line1": row.get("address_line1") or None,
        "line2": row.get("address_line2") or None,
        "city": row.get("city") or None,
        "state": row.get("state") or None,
        "postal_code": row.get("postal_code") or None,
    }
    given = row.get("country", "")
    country = given.upper() or None
    if country is not None and not re.fullmatch(r"[A-Z]{2}", country):
        raise _RowInvalid(
            "country",
            given,
            f"country {given!r} is not a two-letter ISO 3166-1 code such as US or GB.",
        )
    if not any(parts.values()) and country is None:
        return None
    return Address(**parts, country=country)


def read_csv_text(text: str) -> ReadResult:
    """Read orders from CSV text; the same as :func:`read_csv` on a file holding it."""
    return _read(io.StringIO(text), name="the input")
