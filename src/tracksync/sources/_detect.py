"""Tell an input file's format from its content, and explain what each format needs.

The first non-blank character decides between JSON (``{`` or ``[``), XML (``<``) and CSV.
A CSV file's format is read from its header. A JSON file's format is read from the key
that contains its list or from the fields of its first item, and an XML file's from its
root element.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import IO, Literal, get_args

from ..errors import InvalidInputError
from ._csv import PAYPAL_LAYOUT_COLUMNS, REQUIRED_COLUMNS, detect_layout
from ._json import JsonItems, JsonSyntaxError
from ._records import CsvLayout
from ._shipstation import CSV_COLUMNS, is_shipstation_header, is_shipstation_item
from ._shopify import EXPORT_COLUMNS, has_payment_column, is_shopify_header
from ._tabular import CsvTable, compact_key, plain_key
from ._woocommerce import is_woocommerce_item

__all__ = [
    "INPUT_FORMATS",
    "JSON_KEYS",
    "SYNTAXES",
    "InputFormat",
    "Syntax",
    "check_format_name",
    "csv_format",
    "detect_csv",
    "detect_json",
    "sniff",
    "unknown_format",
]

#: The name of an input format.
InputFormat = Literal[
    "tracksync", "paypal", "shopify", "shipstation", "shipstation-xml", "woocommerce"
]

#: Every input format, as ``open_orders(..., input_format=...)`` and the CLI name them.
INPUT_FORMATS: tuple[InputFormat, ...] = get_args(InputFormat)

Syntax = Literal["csv", "json", "xml"]

#: The syntaxes each format is read from.
SYNTAXES: dict[InputFormat, tuple[Syntax, ...]] = {
    "tracksync": ("csv",),
    "paypal": ("csv",),
    "shopify": ("csv",),
    "shipstation": ("json", "csv"),
    "shipstation-xml": ("xml",),
    "woocommerce": ("json",),
}

#: The keys of a top-level JSON object that hold each format's list.
JSON_KEYS: dict[InputFormat, tuple[str, ...]] = {
    "shipstation": ("shipments",),
    "woocommerce": ("orders",),
}

_NEEDS = {
    "tracksync": f"a CSV header with {', '.join(REQUIRED_COLUMNS)}",
    "paypal": f"a CSV header with {', '.join(PAYPAL_LAYOUT_COLUMNS[:3])}",
    "shopify": (
        f"Shopify's order export, a CSV header with {', '.join(EXPORT_COLUMNS)} and "
        "Payment References (or Payment Reference, or Payment ID), given with its "
        "fulfillments file"
    ),
    "shipstation": (
        'ShipStation shipments as JSON ({"shipments": [...]} or a list), or a CSV '
        f"header with {', '.join(CSV_COLUMNS)}"
    ),
    "shipstation-xml": "ShipNotify XML: a ShipNotice element, or a root of ShipNotice elements",
    "woocommerce": (
        'a JSON list of WooCommerce orders, or {"orders": [...]}, with '
        "_wc_shipment_tracking_items or _tracking_number"
    ),
}


def check_format_name(input_format: str | None) -> InputFormat | None:
    if input_format is None:
        return None
    for known in INPUT_FORMATS:
        if input_format == known:
            return known
    raise InvalidInputError(
        f"Input format {input_format!r} is unknown; use one of {', '.join(INPUT_FORMATS)}."
    )


def sniff(path: Path) -> tuple[Syntax, bytes]:
    """Return the file's syntax, from its first non-blank character, and its first bytes."""
    try:
        with path.open("rb") as file:
            head = file.read(1024)
    except OSError as exc:
        raise InvalidInputError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    else:
        text = head.removeprefix(codecs.BOM_UTF8).decode("latin-1")
    first = text.lstrip()[:1]
    if first in ("{", "["):
        return "json", head
    if first == "<":
        return "xml", head
    return "csv", head


def detect_json(file: IO[str], path: Path, expected: InputFormat | None) -> InputFormat:
    keys = JSON_KEYS[expected] if expected is not None else ("shipments", "orders")
    try:
        items = JsonItems(file, name=str(path), keys=keys)
        if expected is not None:
            return expected
        if items.key == "shipments":
            return "shipstation"
        if items.key == "orders":
            return "woocommerce"
        first = next(iter(items), None)
    except JsonSyntaxError as exc:
        raise InvalidInputError(
            f"{path} is not valid JSON at line {exc.line}: {exc.reason}."
        ) from None
    if first is None:
        raise InvalidInputError(
            f"{path} is an empty JSON list, so its format cannot be detected; it contains "
            "no orders, or give the format with input_format."
        )
    if is_shipstation_item(first.value):
        return "shipstation"
    if is_woocommerce_item(first.value):
        return "woocommerce"
    raise unknown_format(path, "a JSON list whose first item has neither format's fields")


def detect_csv(
    file: IO[str], path: Path, expected: InputFormat | None
) -> tuple[InputFormat, CsvLayout | None]:
    table = CsvTable(file, name=str(path), key=plain_key)
    return csv_format(table.header, name=str(path), expected=expected)


def csv_format(
    header: list[str], *, name: str, expected: InputFormat | None
) -> tuple[InputFormat, CsvLayout | None]:
    plain = [plain_key(column) for column in header]
    compact = [compact_key(column) for column in header]
    layout = detect_layout(plain)
    found: InputFormat | None = None
    if layout is not None:
        found = "paypal" if layout is CsvLayout.PAYPAL else "tracksync"
    elif is_shopify_header(compact):
        found = "shopify"
    elif is_shipstation_header(compact):
        found = "shipstation"

    if expected == "paypal" and layout is not None and "transaction_id" in plain:
        return "paypal", CsvLayout.PAYPAL
    if found is None or (expected is not None and expected != found):
        found_header = f"a CSV header with the columns {', '.join(header) or 'none'}"
        raise unknown_format(name, found_header, columns=plain, expected=expected)
    if found == "shopify" and not has_payment_column(compact):
        raise InvalidInputError(
            f"{name} is a Shopify order export without a payment column; export it with "
            "the Payment References (or Payment Reference, or Payment ID) column."
        )
    return found, layout


def unknown_format(
    name: str | Path,
    found: str,
    *,
    columns: list[str] | None = None,
    expected: InputFormat | None = None,
) -> InvalidInputError:
    formats = [expected] if expected is not None else list(INPUT_FORMATS)
    needs = []
    for input_format in formats:
        need = _NEEDS[input_format]
        if input_format == "tracksync" and columns is not None:
            missing = [column for column in REQUIRED_COLUMNS if column not in columns]
            need += f" (missing: {', '.join(missing)})"
        needs.append(f"  {input_format}: {need}")
    intro = (
        f"{name} is not in the {expected} format, which needs:"
        if expected is not None
        else f"{name} is in none of the formats tracksync reads, which need:"
    )
    return InvalidInputError("\n".join([intro, *needs, f"Found {found}."]))
