"""Read ShipStation shipments: API JSON, the same fields flattened to CSV, and ShipNotify XML.

ShipStation records carry no PayPal or Stripe payment id, so the shop adds it. It goes in
a ``payment_id`` field (``paymentId``, ``PaymentID``), with ``provider`` when the id's
form does not name the provider and optionally ``paypal_order_id``. Or it goes in
``advancedOptions.customField1`` (``CustomField1`` in XML), written as ``paypal:ID``,
``stripe:ID`` or the id alone. One row of an order is enough, because the other
shipments of the order use the same payment.

A voided label cancels its tracker. A return label is skipped, because tracksync's model
has no return shipments yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import attrs

from .._models import Address, Item, PaymentRef, ShipmentStatus
from ._grouping import Numbered, Parsed, group_orders
from ._json import JsonItem, JsonItems
from ._json import items_or_error as json_items_or_error
from ._orders import Package, finish_order, merge_packages, payment_link
from ._records import RowError, SkippedRow, StreamItem, place
from ._tabular import CsvRow, CsvTable, RowInvalid, check_row, compact_key
from ._values import make_address, make_item, make_shipment, parse_date, parse_flag, text_of
from ._xml import XmlItem, XmlItems
from ._xml import items_or_error as xml_items_or_error

__all__ = [
    "CSV_COLUMNS",
    "is_shipstation_header",
    "is_shipstation_item",
    "read_shipstation_csv",
    "read_shipstation_json",
    "read_shipstation_xml",
]

#: The columns that identify the flattened CSV layout.
CSV_COLUMNS = ("orderNumber", "trackingNumber", "carrierCode")

# NOTE: the carrier registry in tracksync.carriers is to replace this table. Until then,
# a carrier code that is not listed here is kept as ShipStation wrote it.
_CARRIER_NAMES = {
    "stamps_com": "USPS",
    "endicia": "USPS",
    "usps": "USPS",
    "ups": "UPS",
    "ups_walleted": "UPS",
    "fedex": "FedEx",
    "fedex_walleted": "FedEx",
    "dhl_express": "DHL Express",
    "dhl_express_worldwide": "DHL Express",
    "dhl_global_mail": "DHL eCommerce",
    "canada_post": "Canada Post",
    "australia_post": "Australia Post",
    "royal_mail": "Royal Mail",
    "ontrac": "OnTrac",
    "purolator_ca": "Purolator",
    "asendia": "Asendia",
    "firstmile": "FirstMile",
}

#: Field locations: the name in the API and CSV layouts, the name in ShipNotify, and the
#: compact names the value is looked up by.
_FIELDS = {
    "order": ("orderNumber", "OrderNumber", ("ordernumber",)),
    "tracking": ("trackingNumber", "TrackingNumber", ("trackingnumber",)),
    "carrier": ("carrierCode", "Carrier", ("carriercode", "carrier")),
    "date": ("shipDate", "ShipDate", ("shipdate",)),
    "voided": ("voided", "Voided", ("voided",)),
    "return": ("isReturnLabel", "IsReturnLabel", ("isreturnlabel",)),
    "payment_id": ("paymentId", "PaymentID", ("paymentid",)),
    "custom": (
        "advancedOptions.customField1",
        "CustomField1",
        ("advancedoptionscustomfield1", "customfield1"),
    ),
    "provider": ("provider", "Provider", ("provider", "paymentprovider")),
    "paypal_order_id": ("paypalOrderId", "PayPalOrderID", ("paypalorderid",)),
    "name": ("shipTo.name", "Recipient/Name", ("shiptoname", "recipientname")),
    "line1": ("shipTo.street1", "Recipient/Address1", ("shiptostreet1", "recipientaddress1")),
    "line2": ("shipTo.street2", "Recipient/Address2", ("shiptostreet2", "recipientaddress2")),
    "line3": ("shipTo.street3", "Recipient/Address3", ("shiptostreet3", "recipientaddress3")),
    "city": ("shipTo.city", "Recipient/City", ("shiptocity", "recipientcity")),
    "state": ("shipTo.state", "Recipient/State", ("shiptostate", "recipientstate")),
    "postal_code": (
        "shipTo.postalCode",
        "Recipient/PostalCode",
        ("shiptopostalcode", "recipientpostalcode"),
    ),
    "country": ("shipTo.country", "Recipient/Country", ("shiptocountry", "recipientcountry")),
}

#: The field that the payment id goes in, by layout.
_PAYMENT_FIELDS = {"json": "paymentId", "csv": "payment_id", "xml": "PaymentID"}

_HINTS = {
    "json": (
        "add a paymentId field with the PayPal capture id or Stripe PaymentIntent id to "
        "the order's first shipment, or put the id into advancedOptions.customField1 as "
        "paypal:ID or stripe:ID"
    ),
    "csv": (
        "add a payment_id column with the PayPal capture id or Stripe PaymentIntent id, "
        "or put the id into the advancedOptions.customField1 column as paypal:ID or "
        "stripe:ID"
    ),
    "xml": (
        "add a PaymentID element with the PayPal capture id or Stripe PaymentIntent id "
        "to the order's ShipNotice, or a CustomField1 element holding paypal:ID or "
        "stripe:ID"
    ),
}


#: Deepest nesting of objects read; ShipStation's records nest two levels.
_MAX_DEPTH = 16


@attrs.frozen
class Fields:
    """A record's scalar values by compact name, each with the name as the file spells it."""

    values: dict[str, tuple[str, str]]
    #: Whether the record is ShipNotify XML, whose field names are spelled differently.
    xml: bool = False


@attrs.frozen
class _Label:
    """One shipping label: a package, and the payment when the row names it."""

    payment: PaymentRef | None
    package: Package
    recipient_name: str | None
    ship_to: Address | None


def is_shipstation_header(columns: Iterable[str]) -> bool:
    """Return whether a CSV header has the flattened API fields."""
    return {compact_key(column) for column in CSV_COLUMNS} <= set(columns)


def is_shipstation_item(value: object) -> bool:
    """Return whether a JSON item looks like a ShipStation shipment."""
    return isinstance(value, dict) and "trackingNumber" in value and "orderNumber" in value


def read_shipstation_csv(table: CsvTable) -> Iterator[StreamItem]:
    """Yield the orders of a ShipStation CSV whose columns are the API's field names."""
    labels = dict(zip(table.columns, table.header, strict=True))

    def parse(item: CsvRow | RowError) -> Parsed[_Label]:
        if isinstance(item, RowError):
            return Parsed(item.line, None, problems=(item,))
        fields = Fields({key: (labels[key], value) for key, value in item.values.items()})
        order_id = _value(fields, "order") or None
        try:
            check_row(item, delimiter=table.delimiter)
        except RowInvalid as exc:
            return Parsed(item.line, order_id, problems=(_error(fields, item.line, None, exc),))
        return _parse(fields, (), line=item.line, location=None)

    return _grouped((parse(item) for item in table.rows()), "csv")


def read_shipstation_json(items: JsonItems) -> Iterator[StreamItem]:
    """Yield the orders of ShipStation's shipments JSON, a list or ``{"shipments": [...]}``."""

    def parse(item: JsonItem | RowError) -> Parsed[_Label]:
        if isinstance(item, RowError):
            return Parsed(item.line, None, problems=(item,))
        if not isinstance(item.value, dict):
            return Parsed(item.line, None, problems=(_not_an_object(item.line, item.pointer),))
        try:
            fields = Fields(_flatten(item.value))
        except RowInvalid as exc:
            problem = _error(Fields({}), item.line, item.pointer, exc)
            return Parsed(item.line, None, problems=(problem,))
        raw_items = item.value.get("shipmentItems")
        return _parse(fields, _json_items(raw_items), line=item.line, location=item.pointer)

    return _grouped((parse(item) for item in json_items_or_error(items)), "json")


def read_shipstation_xml(items: XmlItems) -> Iterator[StreamItem]:
    """Yield the orders of ShipNotify XML: one ShipNotice, or a root of ShipNotice elements."""

    def parse(item: XmlItem | RowError) -> Parsed[_Label]:
        if isinstance(item, RowError):
            return Parsed(item.line, None, problems=(item,))
        if item.tag != "ShipNotice":
            problem = RowError(
                line=item.line,
                location=item.path,
                message=(
                    f"{place(item.line, location=item.path)}: element {item.tag} is not a "
                    "ShipNotice; remove it, or give the ShipNotice elements alone."
                ),
            )
            return Parsed(item.line, None, problems=(problem,))
        try:
            fields = Fields(_flatten(item.value, separator="/"), xml=True)
        except RowInvalid as exc:
            problem = _error(Fields({}, xml=True), item.line, item.path, exc)
            return Parsed(item.line, None, problems=(problem,))
        container = item.value.get("Items")
        raw_items = container.get("Item") if isinstance(container, dict) else None
        return _parse(fields, _xml_items(raw_items), line=item.line, location=item.path)

    return _grouped((parse(item) for item in xml_items_or_error(items)), "xml")


def _grouped(parsed: Iterable[Parsed[_Label]], layout: str) -> Iterator[StreamItem]:
    sort_by = "OrderNumber" if layout == "xml" else "orderNumber"

    def build(order_id: str, rows: list[Numbered[_Label]]) -> Iterator[StreamItem]:
        return _build(order_id, rows, hint=_HINTS[layout], column=_PAYMENT_FIELDS[layout])

    return group_orders(parsed, build, sort_by=sort_by)


def _flatten(
    value: Mapping[str, object], prefix: str = "", *, separator: str = ".", depth: int = 0
) -> dict[str, tuple[str, str]]:
    """Return the scalar fields of an object by compact path name; lists are left out."""
    if depth > _MAX_DEPTH:
        raise RowInvalid(
            prefix.rstrip(separator), None, f"objects are nested more than {_MAX_DEPTH} deep."
        )
    fields: dict[str, tuple[str, str]] = {}
    for key, inner in value.items():
        label = f"{prefix}{key}"
        if isinstance(inner, dict):
            nested = _flatten(inner, f"{label}{separator}", separator=separator, depth=depth + 1)
            fields.update(nested)
        elif not isinstance(inner, list):
            fields[compact_key(label)] = (label, text_of(inner, label))
    return fields


def _field(fields: Fields, name: str) -> tuple[str, str]:
    """Return the label and value of the first field present for ``name``."""
    api_label, xml_label, keys = _FIELDS[name]
    for key in keys:
        if key in fields.values:
            return fields.values[key]
    return (xml_label if fields.xml else api_label), ""


def _value(fields: Fields, name: str) -> str:
    return _field(fields, name)[1]


def _parse(
    fields: Fields, raw_items: Iterable[Mapping[str, object]], *, line: int, location: str | None
) -> Parsed[_Label]:
    order_label, order_id = _field(fields, "order")
    if not order_id:
        exc = RowInvalid(order_label, "", f"{order_label} is empty; fill it in or remove the row.")
        return Parsed(line, None, problems=(_error(fields, line, location, exc),))
    try:
        if parse_flag(_value(fields, "return"), column=_field(fields, "return")[0]):
            return Parsed(line, order_id, problems=(_return_label(fields, line, location),))
        label = _label(fields, raw_items, line=line, location=location)
    except RowInvalid as exc:
        return Parsed(line, order_id, problems=(_error(fields, line, location, exc),))
    return Parsed(line, order_id, row=label, location=location)


def _label(
    fields: Fields, raw_items: Iterable[Mapping[str, object]], *, line: int, location: str | None
) -> _Label:
    tracking_label, tracking_number = _field(fields, "tracking")
    if not tracking_number:
        raise RowInvalid(
            tracking_label, "", f"{tracking_label} is empty; fill it in or remove the row."
        )
    voided = parse_flag(_value(fields, "voided"), column=_field(fields, "voided")[0])
    date_label, date = _field(fields, "date")
    shipment = make_shipment(
        tracking_number,
        _carrier(fields),
        number_column=tracking_label,
        status=ShipmentStatus.CANCELLED if voided else ShipmentStatus.SHIPPED,
        shipped_on=parse_date(date, column=date_label, us_dates=True),
        items=tuple(_items(raw_items)),
    )
    street = ", ".join(part for part in (_value(fields, "line2"), _value(fields, "line3")) if part)
    ship_to = make_address(
        line1=_value(fields, "line1"),
        line2=street,
        city=_value(fields, "city"),
        state=_value(fields, "state"),
        postal_code=_value(fields, "postal_code"),
        country=_value(fields, "country"),
        country_column=_field(fields, "country")[0],
    )
    return _Label(
        payment=_payment(fields),
        package=Package(shipment, line, location),
        recipient_name=_value(fields, "name") or None,
        ship_to=ship_to,
    )


def _carrier(fields: Fields) -> str:
    code = fields.values.get("carriercode")
    if code is not None and code[1]:
        return _CARRIER_NAMES.get(code[1].lower(), code[1])
    label, text = _field(fields, "carrier")
    if text:
        return text
    raise RowInvalid(label, "", f"{label} is empty; fill it in or remove the row.")


def _payment(fields: Fields) -> PaymentRef | None:
    id_label, payment_id = _field(fields, "payment_id")
    if not payment_id:
        id_label, payment_id = _field(fields, "custom")
    if not payment_id:
        return None
    provider_label, provider = _field(fields, "provider")
    return payment_link(
        payment_id,
        provider=provider,
        paypal_order_id=_value(fields, "paypal_order_id"),
        id_column=id_label,
        provider_column=provider_label,
    )


def _json_items(raw: object) -> list[Mapping[str, object]]:
    if not isinstance(raw, list):
        return []
    return [entry for entry in raw if isinstance(entry, dict)]


def _xml_items(raw: object) -> list[Mapping[str, object]]:
    if isinstance(raw, dict):
        return [raw]
    return _json_items(raw)


def _items(raw_items: Iterable[Mapping[str, object]]) -> Iterator[Item]:
    for entry in raw_items:
        fields = {compact_key(key): value for key, value in entry.items()}
        item = make_item(
            text_of(fields.get("name"), "name"),
            text_of(fields.get("quantity"), "quantity"),
            text_of(fields.get("sku"), "sku"),
            column="quantity",
        )
        if item is not None:
            yield item


def _build(
    order_id: str, rows: list[Numbered[_Label]], *, hint: str, column: str
) -> Iterator[StreamItem]:
    payments = [numbered.row.payment for numbered in rows if numbered.row.payment is not None]
    first = rows[0]
    if not payments:
        yield RowError(
            line=first.line,
            location=first.location,
            order_id=order_id,
            column=column,
            value="",
            message=(
                f"{place(first.line, location=first.location, order_id=order_id)}: no "
                "payment id; ShipStation's records do not carry the PayPal or Stripe payment "
                f"id, so {hint}."
            ),
            rows=len(rows),
        )
        return
    packages, conflicts = merge_packages(
        order_id, (numbered.row.package for numbered in rows), conflict_rows=1
    )
    yield from conflicts
    labels = [numbered.row for numbered in rows]
    names = (label.recipient_name for label in labels if label.recipient_name)
    yield from finish_order(
        order_id,
        payments=payments,
        packages=packages,
        recipient_name=next(names, None),
        ship_to=next((label.ship_to for label in labels if label.ship_to), None),
        first_line=first.line,
        rows=len(rows) - len(conflicts),
        location=first.location,
    )


def _error(fields: Fields, line: int, location: str | None, exc: RowInvalid) -> RowError:
    order_id = _value(fields, "order") or None
    return RowError(
        line=line,
        location=location,
        message=f"{place(line, location=location, order_id=order_id)}: {exc.message}",
        order_id=order_id,
        tracking_number=_value(fields, "tracking") or None,
        column=exc.column,
        value=exc.value,
        rows=exc.rows,
    )


def _return_label(fields: Fields, line: int, location: str | None) -> SkippedRow:
    order_id = _value(fields, "order")
    number = _value(fields, "tracking") or None
    # NOTE: Shipment has no direction, so a return label would be sent as an outgoing
    # package. PayPal's v1 API takes returns as shipment_direction RETURN.
    return SkippedRow(
        line=line,
        location=location,
        order_id=order_id,
        tracking_number=number,
        message=(
            f"{place(line, location=location, order_id=order_id)}: shipment "
            f"{number or '(no tracking number)'} is a return label; tracksync does not "
            "sync return shipments yet."
        ),
    )


def _not_an_object(line: int, pointer: str) -> RowError:
    return RowError(
        line=line,
        location=pointer,
        message=f"{place(line, location=pointer)}: the item is not a JSON object; remove it.",
    )
