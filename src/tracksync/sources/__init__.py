"""Readers that turn the files shops already have into :class:`tracksync.Order` objects."""

from ._csv import (
    OPTIONAL_COLUMNS,
    PAYPAL_LAYOUT_COLUMNS,
    REQUIRED_COLUMNS,
    CsvLayout,
    ReadResult,
    RowError,
    read_csv,
    read_csv_text,
)

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
