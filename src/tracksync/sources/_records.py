"""Records of input rows: orders with the input lines they came from, and problem rows.

A reader yields, in file order, an :class:`OrderRecord` for each order it could build, a
:class:`RowError` for each row it could not read, and a :class:`SkippedRow` for each valid
row that tracksync does not sync (a return label, an order paid by another gateway).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeAlias

import attrs

from .._models import Order

__all__ = [
    "CsvLayout",
    "OrderRecord",
    "ReadResult",
    "RowError",
    "SkippedRow",
    "StreamItem",
    "place",
    "shorten",
]

#: Maximum length of a value that a message quotes in full; longer values are cut.
_MAX_QUOTED_LENGTH = 80


class CsvLayout(enum.Enum):
    """The column layouts of tracksync's own CSV files."""

    TRACKSYNC = "tracksync"
    PAYPAL = "paypal"
    #: The tracksync layout without ``tracking_number`` and ``carrier``: each row names a
    #: payment of an order, the input of ``tracksync mirror``.
    PAYMENTS = "payments"


@attrs.frozen(kw_only=True)
class RowError:
    """A row that could not be read, and why."""

    #: The line in the file, counting the header as line 1. For JSON and XML input, the
    #: line where the item starts.
    line: int
    message: str
    order_id: str | None = None
    provider: str | None = None
    payment_id: str | None = None
    tracking_number: str | None = None
    column: str | None = None
    value: str | None = None
    #: The item in a JSON or XML file: a JSON Pointer such as ``/shipments/3``, or an
    #: XPath such as ``/ShipNotices/ShipNotice[4]``. None for CSV input.
    location: str | None = None
    #: The file that ``line`` is in, when it is not the main input (the Shopify
    #: fulfillments file); None for the main input.
    file: str | None = None
    #: The number of input rows (CSV records, or JSON and XML items) that this error
    #: discards: 1 for a bad row, more when a whole order fails, 0 when the rest of the
    #: row still went into an order or the error is about another file.
    rows: int = 1

    def __str__(self) -> str:
        return self.message


@attrs.frozen(kw_only=True)
class SkippedRow:
    """A valid row that tracksync does not sync, and why: nothing is wrong with the file."""

    #: The line in the file, as for :attr:`RowError.line`.
    line: int
    message: str
    order_id: str | None = None
    tracking_number: str | None = None
    location: str | None = None
    file: str | None = None
    #: The number of input rows skipped, as for :attr:`RowError.rows`.
    rows: int = 1

    def __str__(self) -> str:
        return self.message


@attrs.frozen(kw_only=True)
class OrderRecord:
    """An order read from a file, with the lines its packages came from."""

    order: Order
    #: The line of the order's first row (or item).
    first_line: int
    #: The line of each package, by tracking number.
    lines: Mapping[str, int] = attrs.field(factory=dict)
    #: The number of input rows that went into the order.
    rows: int = 1
    #: The order's first item in a JSON or XML file, as for :attr:`RowError.location`.
    location: str | None = None
    #: The first line naming each payment, by provider and payment id, where the format
    #: gives payments rows of their own.
    payment_lines: Mapping[tuple[str, str], int] = attrs.field(factory=dict)

    def line_of(
        self,
        tracking_number: str | None,
        *,
        provider: str | None = None,
        payment_id: str | None = None,
    ) -> int:
        """Return the line of a package, else of the payment's first row, else the order's
        first line."""
        if tracking_number is not None and tracking_number in self.lines:
            return self.lines[tracking_number]
        if provider is not None and payment_id is not None:
            return self.payment_lines.get((provider, payment_id), self.first_line)
        return self.first_line


#: One thing a reader yields.
StreamItem: TypeAlias = OrderRecord | RowError | SkippedRow


@attrs.frozen(kw_only=True)
class ReadResult:
    """The orders read from a file, and the rows that could not be read or were skipped."""

    #: The layout of a file in tracksync's own CSV layouts, None for the other formats.
    layout: CsvLayout | None
    orders: tuple[Order, ...]
    errors: tuple[RowError, ...]
    #: Number of data rows in the file (JSON and XML items), blank lines not counted.
    rows: int
    #: The line of each package, by order id and tracking number.
    lines: Mapping[tuple[str, str], int] = attrs.field(factory=dict)
    #: The first line of each order.
    order_lines: Mapping[str, int] = attrs.field(factory=dict)
    skipped: tuple[SkippedRow, ...] = ()
    #: The format the file was read as, one of ``INPUT_FORMATS``.
    input_format: str = "tracksync"
    #: Warnings about the file as a whole, such as an encoding other than UTF-8.
    warnings: tuple[str, ...] = ()

    def line_of(self, order_id: str | None, tracking_number: str | None) -> int | None:
        """Return the line that a package, or else its order, was read from."""
        if order_id is None:
            return None
        if tracking_number is not None:
            line = self.lines.get((order_id, tracking_number))
            if line is not None:
                return line
        return self.order_lines.get(order_id)


def place(
    line: int,
    *,
    location: str | None = None,
    order_id: str | None = None,
    file: str | None = None,
) -> str:
    """Return the start of a row message: ``Line 5 (order 1042)`` and the like."""
    where = f"{file}, line {line}" if file else f"Line {line}"
    if location:
        where += f", {location}"
    if order_id:
        where += f" (order {order_id})"
    return where


def shorten(value: str, limit: int = _MAX_QUOTED_LENGTH) -> str:
    """Return the value, cut to ``limit`` characters with "..." when it is longer."""
    if len(value) <= limit:
        return value
    return value[: limit - 3] + "..."
