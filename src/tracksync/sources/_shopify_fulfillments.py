"""Read the fulfillments of a Shopify shop, which carry the tracking numbers.

Two layouts are read. A CSV with an order column (``order_id``, ``order_name``, or the
fulfillment's ``name`` such as ``#1042.1``), ``tracking_numbers`` (several joined with
commas), and optionally ``tracking_company``, ``tracking_urls``, ``status``,
``shipment_status`` and ``created_at``. Column names are matched on their letters and
digits only, so the CData driver's ``OrderId`` and ``TrackingNumbers`` are read as well.
And the Admin API's JSON: ``{"fulfillments": [...]}``, or ``{"orders": [...]}`` with each
order's ``fulfillments``.

A fulfillment whose ``status`` is cancelled, error or failure cancels its trackers; one
whose ``shipment_status`` is delivered marks them delivered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

import attrs

from .._models import Item, ShipmentStatus
from ..errors import InvalidInputError
from ._decode import Decoding
from ._json import JsonItems, JsonSyntaxError
from ._orders import Package
from ._records import RowError, SkippedRow, StreamItem, place
from ._tabular import CsvRow, CsvTable, RowInvalid, check_row, compact_key
from ._values import carrier_from_link, make_item, make_shipment, parse_date, text_of

__all__ = ["FULFILLMENT_COLUMNS", "Fulfillment", "FulfillmentIndex"]

#: The columns a fulfillments CSV needs: an order column, and the tracking numbers.
FULFILLMENT_COLUMNS = ("order_id or name", "tracking_numbers", "tracking_company")

_SHIPPED_STATES = {"", "success", "open", "pending", "in_progress"}
_CANCELLED_STATES = {"cancelled", "canceled", "error", "failure"}
_FULFILLMENT_NAME = re.compile(r"^(.*)\.\d+$")
_LIST_SEPARATORS = re.compile(r"[,\s]+")


@attrs.frozen
class Fulfillment:
    """One fulfillment's packages, with where it was read."""

    #: The fulfillment's position in the file, from 1.
    serial: int
    line: int
    location: str | None
    packages: tuple[Package, ...]


class FulfillmentIndex:
    """The fulfillments of a Shopify shop, by order id and by order name.

    NOTE: the whole fulfillments file is held in memory, a few hundred bytes per
    fulfillment; only the order export is streamed.
    """

    def __init__(self, path: Path, decoding: Decoding) -> None:
        self.name = str(path)
        self._by_id: dict[str, list[Fulfillment]] = {}
        self._by_name: dict[str, list[Fulfillment]] = {}
        self._unused: dict[int, tuple[Fulfillment, str]] = {}
        self._count = 0
        self.problems: list[StreamItem] = []
        try:
            with path.open(encoding=decoding.encoding, errors="replace", newline="") as file:
                first = file.read(1)
                while first.isspace():
                    first = file.read(1)
                file.seek(0)
                if first in ("{", "["):
                    self._load_json(file)
                else:
                    self._load_csv(file)
        except OSError as exc:
            raise InvalidInputError(f"Cannot read {path}: {exc.strerror or exc}.") from exc

    def _load_csv(self, file: IO[str]) -> None:
        table = CsvTable(file, name=self.name, key=compact_key)
        columns = set(table.columns)
        has_numbers = bool(columns & {"trackingnumbers", "trackingnumber"})
        if not has_numbers or not columns & {"orderid", "ordername", "name"}:
            raise InvalidInputError(
                f"{self.name} is not a Shopify fulfillments file: it needs the columns "
                f"{', '.join(FULFILLMENT_COLUMNS)} (tracking_urls and status are optional). "
                f"Found: {', '.join(table.header) or 'none'}."
            )
        for item in table.rows():
            if isinstance(item, RowError):
                self.problems.append(attrs.evolve(item, file=self.name, rows=0))
                continue
            self._add_csv_row(item, table.delimiter)

    def _add_csv_row(self, row: CsvRow, delimiter: str) -> None:
        values = row.values
        try:
            check_row(row, delimiter=delimiter)
            record = _Record(
                order_id=_numeric_id(values.get("orderid", "")),
                order_name=values.get("ordername", "") or _order_name(values.get("name", "")),
                company=values.get("trackingcompany", ""),
                numbers=_split(values.get("trackingnumbers") or values.get("trackingnumber", "")),
                links=_split(values.get("trackingurls") or values.get("trackingurl", "")),
                status=values.get("status", ""),
                shipment_status=values.get("shipmentstatus", ""),
                created_at=values.get("createdat", ""),
            )
        except RowInvalid as exc:
            self._problem(row.line, None, None, exc)
            return
        self._add(record, row.line, None)

    def _load_json(self, file: IO[str]) -> None:
        try:
            items = JsonItems(file, name=self.name, keys=("fulfillments", "orders"))
            for item in items:
                value = item.value
                nested = value.get("fulfillments") if isinstance(value, dict) else None
                if isinstance(value, dict) and isinstance(nested, list):
                    self._add_json_order(value, nested, item.line, item.pointer)
                else:
                    self._add_json(value, item.line, item.pointer, order_id="", order_name="")
        except JsonSyntaxError as exc:
            self.problems.append(
                RowError(
                    line=exc.line,
                    file=self.name,
                    rows=0,
                    message=(
                        f"{place(exc.line, file=self.name)}: the JSON is invalid ({exc.reason}), "
                        "so the rest of the file was not read; correct the file and run again."
                    ),
                )
            )

    def _add_json_order(
        self, order: Mapping[str, object], fulfillments: list[object], line: int, pointer: str
    ) -> None:
        try:
            order_id = _numeric_id(text_of(order.get("id"), "id"))
            order_name = text_of(order.get("name"), "name")
        except RowInvalid as exc:
            self._problem(line, pointer, None, exc)
            return
        for index, fulfillment in enumerate(fulfillments):
            location = f"{pointer}/fulfillments/{index}"
            self._add_json(fulfillment, line, location, order_id=order_id, order_name=order_name)

    def _add_json(
        self, value: object, line: int, location: str, *, order_id: str, order_name: str
    ) -> None:
        if not isinstance(value, dict):
            exc = RowInvalid(None, None, "the fulfillment is not a JSON object; remove it.")
            self._problem(line, location, order_id or order_name or None, exc)
            return
        try:
            record = _Record(
                order_id=order_id or _numeric_id(text_of(value.get("order_id"), "order_id")),
                order_name=order_name or _order_name(text_of(value.get("name"), "name")),
                company=text_of(value.get("tracking_company"), "tracking_company"),
                numbers=_json_list(value, "tracking_numbers", "tracking_number"),
                links=_json_list(value, "tracking_urls", "tracking_url"),
                status=text_of(value.get("status"), "status"),
                shipment_status=text_of(value.get("shipment_status"), "shipment_status"),
                created_at=text_of(value.get("created_at"), "created_at"),
                items=tuple(_line_items(value.get("line_items"))),
            )
        except RowInvalid as exc:
            self._problem(line, location, order_id or order_name or None, exc)
            return
        self._add(record, line, location)

    def _add(self, record: _Record, line: int, location: str | None) -> None:
        order_label = record.order_name or record.order_id
        if not record.order_id and not record.order_name:
            exc = RowInvalid("order_id", "", "order_id is empty; give the order's id or name.")
            self._problem(line, location, None, exc)
            return
        packages = []
        for position, number in enumerate(record.numbers):
            link = record.links[position] if position < len(record.links) else ""
            try:
                packages.append(self._package(record, number, link, line, location))
            except RowInvalid as exc:
                self._problem(line, location, order_label, exc, tracking_number=number)
        if not packages:
            return
        self._count += 1
        fulfillment = Fulfillment(self._count, line, location, tuple(packages))
        self._unused[fulfillment.serial] = (fulfillment, order_label)
        if record.order_id:
            self._by_id.setdefault(record.order_id, []).append(fulfillment)
        if record.order_name:
            self._by_name.setdefault(record.order_name, []).append(fulfillment)

    def _package(
        self, record: _Record, number: str, link: str, line: int, location: str | None
    ) -> Package:
        carrier = record.company or carrier_from_link(link)
        if not carrier:
            raise RowInvalid(
                "tracking_company",
                "",
                "tracking_company is empty and there is no tracking URL to take the "
                "carrier from; fill in the tracking company.",
            )
        shipment = make_shipment(
            number,
            carrier,
            number_column="tracking_numbers",
            status=_status(record.status, record.shipment_status),
            shipped_on=parse_date(record.created_at, column="created_at"),
            items=record.items if len(record.numbers) == 1 else (),
        )
        return Package(shipment, line, location, file=self.name)

    def _problem(
        self,
        line: int,
        location: str | None,
        order_label: str | None,
        exc: RowInvalid,
        *,
        tracking_number: str | None = None,
    ) -> None:
        where = place(line, location=location, order_id=order_label, file=self.name)
        self.problems.append(
            RowError(
                line=line,
                location=location,
                file=self.name,
                order_id=order_label,
                tracking_number=tracking_number,
                column=exc.column,
                value=exc.value,
                message=f"{where}: {exc.message}",
                rows=0,
            )
        )

    def take(self, order_id: str, order_name: str) -> list[Fulfillment]:
        """Return the fulfillments of an order, and mark them as used."""
        found = {
            fulfillment.serial: fulfillment
            for fulfillment in (self._by_id.get(_numeric_id(order_id), []) if order_id else [])
            + self._by_name.get(order_name, [])
        }
        for serial in found:
            self._unused.pop(serial, None)
        return sorted(found.values(), key=lambda fulfillment: fulfillment.serial)

    def leftovers(self) -> Iterator[StreamItem]:
        """Yield the fulfillments file's problems, and a SkippedRow per unused fulfillment."""
        yield from self.problems
        for fulfillment, order_label in self._unused.values():
            where = place(
                fulfillment.line,
                location=fulfillment.location,
                order_id=order_label,
                file=self.name,
            )
            yield SkippedRow(
                line=fulfillment.line,
                location=fulfillment.location,
                file=self.name,
                order_id=order_label,
                message=(
                    f"{where}: the order export has no order {order_label}, so this "
                    "fulfillment was not synced; export that order too."
                ),
                rows=0,
            )


@attrs.frozen(kw_only=True)
class _Record:
    """One fulfillment as either file layout gives it."""

    order_id: str
    order_name: str
    company: str
    numbers: list[str]
    links: list[str]
    status: str
    shipment_status: str
    created_at: str
    items: tuple[Item, ...] = ()


def _numeric_id(value: str) -> str:
    """Return an order id without a GraphQL prefix: gid://shopify/Order/123 becomes 123."""
    return value.rsplit("/", 1)[-1].strip()


def _order_name(fulfillment_name: str) -> str:
    """Return the order name of a fulfillment name: #1042.1 becomes #1042."""
    match = _FULFILLMENT_NAME.match(fulfillment_name)
    return match.group(1) if match else fulfillment_name


def _split(value: str) -> list[str]:
    return [part for part in _LIST_SEPARATORS.split(value) if part]


def _json_list(value: Mapping[str, object], plural: str, singular: str) -> list[str]:
    many = value.get(plural)
    if isinstance(many, list):
        return [text for entry in many if (text := text_of(entry, plural))]
    if many is not None:
        return _split(text_of(many, plural))
    single = text_of(value.get(singular), singular)
    return [single] if single else []


def _line_items(raw: object) -> Iterator[Item]:
    if not isinstance(raw, list):
        return
    for entry in raw:
        if not isinstance(entry, dict):
            continue
        item = make_item(
            text_of(entry.get("name") or entry.get("title"), "line_items.name"),
            text_of(entry.get("quantity"), "line_items.quantity"),
            text_of(entry.get("sku"), "line_items.sku"),
            column="line_items.quantity",
        )
        if item is not None:
            yield item


def _status(status: str, shipment_status: str) -> ShipmentStatus:
    lowered = status.lower()
    if lowered in _CANCELLED_STATES:
        return ShipmentStatus.CANCELLED
    if lowered not in _SHIPPED_STATES:
        allowed = ", ".join(sorted(_SHIPPED_STATES - {""} | _CANCELLED_STATES))
        raise RowInvalid("status", status, f"status {status!r} is not one of {allowed}.")
    if shipment_status.lower() == "delivered":
        return ShipmentStatus.DELIVERED
    return ShipmentStatus.SHIPPED
