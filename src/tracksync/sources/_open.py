"""Open an input file in any supported format, and read it as a stream of orders."""

from __future__ import annotations

import codecs
import io
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from ..errors import InvalidInputError
from ._csv import read_layout
from ._decode import Decoding, choose_encoding, open_binary, open_text
from ._detect import (
    INPUT_FORMATS,
    JSON_KEYS,
    SYNTAXES,
    InputFormat,
    Syntax,
    check_format_name,
    csv_format,
    detect_csv,
    detect_json,
    sniff,
    unknown_format,
)
from ._json import JsonItems
from ._records import CsvLayout, OrderRecord, ReadResult, RowError, SkippedRow, StreamItem
from ._shipstation import read_shipstation_csv, read_shipstation_json, read_shipstation_xml
from ._shopify import read_shopify
from ._shopify_fulfillments import FulfillmentIndex
from ._tabular import CsvTable, compact_key, plain_key
from ._woocommerce import read_woocommerce
from ._xml import XmlItems, declared_encoding

__all__ = [
    "INPUT_FORMATS",
    "InputFormat",
    "OrderStream",
    "collect",
    "open_orders",
    "read_csv",
    "read_csv_text",
    "read_orders",
]


class OrderStream:
    """The orders of one input file, read while the stream is iterated.

    Iterating yields, in file order, an :class:`OrderRecord` per order, a
    :class:`RowError` per row that cannot be read and a :class:`SkippedRow` per row that
    is not synced; problems with the Shopify fulfillments file come last. Each iteration
    reads the file again from its start and keeps only the current order's rows in memory.
    """

    def __init__(
        self,
        path: Path,
        *,
        input_format: InputFormat,
        syntax: Syntax,
        decoding: Decoding,
        xml_encoding: str | None = None,
        fulfillments: Path | None = None,
        fulfillments_decoding: Decoding | None = None,
        layout: CsvLayout | None = None,
    ) -> None:
        #: The file the stream reads.
        self.path = path
        #: The format the file is read in, one of :data:`INPUT_FORMATS`.
        self.input_format: InputFormat = input_format
        #: The layout of a file in tracksync's own CSV layouts, None for other formats.
        self.layout = layout
        #: The Shopify fulfillments file, when the format is ``shopify``.
        self.fulfillments = fulfillments
        self._syntax = syntax
        self._decoding = decoding
        self._xml_encoding = xml_encoding
        self._fulfillments_decoding = fulfillments_decoding
        self._index: FulfillmentIndex | None = None
        if fulfillments is not None and fulfillments_decoding is not None:
            # Read once here, so that a wrong fulfillments file fails at open_orders().
            self._index = FulfillmentIndex(fulfillments, fulfillments_decoding)

    @property
    def encoding(self) -> str:
        """The encoding the file is decoded with, such as ``utf-8`` or ``cp1252``."""
        return self._xml_encoding or self._decoding.encoding

    @property
    def warnings(self) -> tuple[str, ...]:
        """Warnings about the files as a whole, such as an encoding other than UTF-8."""
        decodings = (self._decoding, self._fulfillments_decoding)
        return tuple(d.warning for d in decodings if d is not None and d.warning)

    def __repr__(self) -> str:
        return f"<OrderStream {self.input_format} {str(self.path)!r}>"

    def __iter__(self) -> Iterator[StreamItem]:
        if self._syntax == "xml":
            return self._read_xml()
        return self._read_text()

    def _read_xml(self) -> Iterator[StreamItem]:
        with open_binary(self.path) as file:
            items = XmlItems(
                file, name=str(self.path), item_tag="ShipNotice", encoding=self._xml_encoding
            )
            yield from read_shipstation_xml(items)

    def _read_text(self) -> Iterator[StreamItem]:
        with open_text(self.path, self._decoding) as file:
            if self._syntax == "json":
                keys = JSON_KEYS[self.input_format]
                items = JsonItems(file, name=str(self.path), keys=keys)
                if self.input_format == "woocommerce":
                    yield from read_woocommerce(items)
                else:
                    yield from read_shipstation_json(items)
                return
            yield from read_table(
                CsvTable(file, name=str(self.path), key=plain_key),
                self.input_format,
                fulfillments=self._take_index(),
                layout=self.layout,
            )

    def _take_index(self) -> FulfillmentIndex | None:
        if self.fulfillments is None or self._fulfillments_decoding is None:
            return None
        index, self._index = self._index, None
        return index or FulfillmentIndex(self.fulfillments, self._fulfillments_decoding)


def open_orders(
    path: str | os.PathLike[str],
    *,
    input_format: str | None = None,
    fulfillments: str | os.PathLike[str] | None = None,
) -> OrderStream:
    """Open an input file and detect its format, or check it against ``input_format``.

    ``fulfillments`` is the Shopify fulfillments file (CSV or Admin API JSON) that the
    ``shopify`` format needs, because Shopify's order export has no tracking numbers.

    Raises:
        InvalidInputError: a file cannot be read, its format cannot be detected or does
            not match ``input_format``, or a file's header or shape is not the format's.
    """
    source = Path(path)
    expected = check_format_name(input_format)
    syntax, head = sniff(source)
    if expected is not None and syntax not in SYNTAXES[expected]:
        readable = " or ".join(kind.upper() for kind in SYNTAXES[expected])
        raise InvalidInputError(
            f"{source} is {syntax.upper()}, but the {expected} format is read from {readable}."
        )
    if syntax == "xml":
        return _open_xml(source, head, fulfillments)

    decoding = choose_encoding(source)
    with open_text(source, decoding) as file:
        if syntax == "json":
            detected, layout = detect_json(file, source, expected), None
        else:
            detected, layout = detect_csv(file, source, expected)
    return _stream(
        source,
        input_format=detected,
        syntax=syntax,
        decoding=decoding,
        layout=layout,
        fulfillments=fulfillments,
    )


def read_orders(
    path: str | os.PathLike[str],
    *,
    input_format: str | None = None,
    fulfillments: str | os.PathLike[str] | None = None,
) -> ReadResult:
    """Read a whole input file into a :class:`ReadResult`; see :func:`open_orders`."""
    stream = open_orders(path, input_format=input_format, fulfillments=fulfillments)
    return collect(
        stream, layout=stream.layout, input_format=stream.input_format, warnings=stream.warnings
    )


def read_csv(source: str | os.PathLike[str] | IO[str]) -> ReadResult:
    """Read orders from a file in any format that needs no second file.

    A path is read as :func:`read_orders` reads it, so its format is detected. An open
    text file is read as CSV in the tracksync, PayPal or ShipStation layout. The rows of
    one order must be next to each other.

    Raises:
        InvalidInputError: the file cannot be read, or its header or shape matches no
            format. Errors in single rows are returned in ``ReadResult.errors``.
    """
    if isinstance(source, (str, os.PathLike)):
        return read_orders(source)
    return _read_text_table(source, name=getattr(source, "name", "the input"))


def read_csv_text(text: str) -> ReadResult:
    """Read orders from CSV text; the same as :func:`read_csv` on a file holding it."""
    return _read_text_table(io.StringIO(text), name="the input")


def _read_text_table(file: IO[str], *, name: str) -> ReadResult:
    table = CsvTable(file, name=name, key=plain_key)
    input_format, layout = csv_format(table.header, name=name, expected=None)
    if input_format == "shopify":
        raise InvalidInputError(
            f"{name} is a Shopify order export, which has no tracking numbers; read it with "
            "open_orders(path, fulfillments=FULFILLMENTS_FILE)."
        )
    items = read_table(table, input_format, fulfillments=None, layout=layout)
    return collect(items, layout=layout, input_format=input_format, warnings=())


def read_table(
    table: CsvTable,
    input_format: InputFormat,
    *,
    fulfillments: FulfillmentIndex | None,
    layout: CsvLayout | None = None,
) -> Iterator[StreamItem]:
    """Yield the orders of a CSV table whose header has been read."""
    if input_format == "tracksync":
        return read_layout(table, layout or CsvLayout.TRACKSYNC)
    if input_format == "paypal":
        return read_layout(table, CsvLayout.PAYPAL)
    table.use_key(compact_key)
    if input_format == "shipstation":
        return read_shipstation_csv(table)
    if input_format == "shopify" and fulfillments is not None:
        return read_shopify(table, fulfillments)
    raise InvalidInputError(f"{table.name} cannot be read as {input_format} CSV.")


def collect(
    items: Iterable[StreamItem],
    *,
    layout: CsvLayout | None,
    input_format: str,
    warnings: tuple[str, ...],
) -> ReadResult:
    """Gather a stream into a ReadResult."""
    orders = []
    errors: list[RowError] = []
    skipped: list[SkippedRow] = []
    lines: dict[tuple[str, str], int] = {}
    order_lines: dict[str, int] = {}
    rows = 0
    for item in items:
        rows += item.rows
        if isinstance(item, OrderRecord):
            orders.append(item.order)
            order_lines[item.order.id] = item.first_line
            for number, line in item.lines.items():
                lines[(item.order.id, number)] = line
        elif isinstance(item, RowError):
            errors.append(item)
        else:
            skipped.append(item)
    return ReadResult(
        layout=layout,
        orders=tuple(orders),
        errors=tuple(errors),
        rows=rows,
        lines=lines,
        order_lines=order_lines,
        skipped=tuple(skipped),
        input_format=input_format,
        warnings=warnings,
    )


def _open_xml(path: Path, head: bytes, fulfillments: str | os.PathLike[str] | None) -> OrderStream:
    override = None
    declared = declared_encoding(head)
    decoding = Decoding(declared or "utf-8")
    has_bom = head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not has_bom and declared is None:
        # XML without a declaration or byte order mark must be UTF-8. A file that is not
        # is read as Windows-1252 or Latin-1, as a CSV file is.
        decoding = choose_encoding(path)
        if decoding.encoding in ("cp1252", "latin-1"):
            override = decoding.encoding
    with open_binary(path) as file:
        items = XmlItems(file, name=str(path), item_tag="ShipNotice", encoding=override)
        if "ShipNotice" not in (items.root, items.first_child):
            raise unknown_format(path, f"an XML root element {items.root}")
    return _stream(
        path,
        input_format="shipstation-xml",
        syntax="xml",
        decoding=decoding,
        xml_encoding=override,
        fulfillments=fulfillments,
    )


def _stream(
    path: Path,
    *,
    input_format: InputFormat,
    syntax: Syntax,
    decoding: Decoding,
    xml_encoding: str | None = None,
    layout: CsvLayout | None = None,
    fulfillments: str | os.PathLike[str] | None,
) -> OrderStream:
    fulfillments_path = Path(fulfillments) if fulfillments is not None else None
    if input_format == "shopify" and fulfillments_path is None:
        raise InvalidInputError(
            f"{path} is a Shopify order export, which has no tracking numbers; give the "
            "fulfillments file too (fulfillments=PATH, or --fulfillments PATH on the "
            "command line)."
        )
    if input_format != "shopify" and fulfillments_path is not None:
        raise InvalidInputError(
            f"{path} is in the {input_format} format, which takes no fulfillments file; "
            "a fulfillments file goes with a Shopify order export only."
        )
    fulfillments_decoding = None
    if fulfillments_path is not None:
        fulfillments_decoding = choose_encoding(fulfillments_path)
    return OrderStream(
        path,
        input_format=input_format,
        syntax=syntax,
        decoding=decoding,
        xml_encoding=xml_encoding,
        fulfillments=fulfillments_path,
        fulfillments_decoding=fulfillments_decoding,
        layout=layout,
    )
