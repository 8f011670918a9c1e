"""Readers that turn the files shops already have into :class:`tracksync.Order` objects.

:func:`open_orders` detects a file's format (or takes the one named) and returns an
:class:`OrderStream` that yields orders and problem rows one at a time; :func:`read_orders`
and :func:`read_csv` gather everything into a :class:`ReadResult`.
"""

from ._csv import OPTIONAL_COLUMNS, PAYPAL_LAYOUT_COLUMNS, REQUIRED_COLUMNS
from ._open import (
    INPUT_FORMATS,
    InputFormat,
    OrderStream,
    open_orders,
    read_csv,
    read_csv_text,
    read_orders,
)
from ._records import CsvLayout, OrderRecord, ReadResult, RowError, SkippedRow, StreamItem
from ._tabular import MAX_FIELD_LENGTH

__all__ = [
    "CsvLayout",
    "INPUT_FORMATS",
    "InputFormat",
    "MAX_FIELD_LENGTH",
    "OPTIONAL_COLUMNS",
    "OrderRecord",
    "OrderStream",
    "PAYPAL_LAYOUT_COLUMNS",
    "REQUIRED_COLUMNS",
    "ReadResult",
    "RowError",
    "SkippedRow",
    "StreamItem",
    "open_orders",
    "read_csv",
    "read_csv_text",
    "read_orders",
]
