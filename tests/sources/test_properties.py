"""Every reader, fed malformed rows, odd encodings, blank lines and huge fields.

Each test writes a file the way a spreadsheet or shop export might and reads it. Nothing
may crash, and every data row must be accounted for as part of an order, a RowError or a
SkippedRow: their ``rows`` add up to the number of rows written.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracksync import InvalidInputError
from tracksync.sources import OrderRecord, RowError, SkippedRow, StreamItem, open_orders

PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Text that can be written in any of the encodings below, XML included.
_XML_SAFE = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"
) | st.sampled_from("\t\n\r")
_ANY_TEXT = st.characters(blacklist_categories=("Cs",))

_PLAUSIBLE = st.sampled_from(
    [
        "",
        " ",
        "1001",
        "1002",
        "paypal",
        "Stripe",
        "square",
        "8MC585209K746392H",
        "pi_3QxExample",
        "ch_3Qx",
        "CAP-1",
        "UPS",
        "stamps_com",
        "1Z999AA10123456784",
        "TN1,TN2",
        "2026-03-02",
        "03/02/2026",
        "1772409600",
        "someday",
        "true",
        "maybe",
        "GB",
        "Germany",
        "cancelled",
        "PayPal Express Checkout",
        "Shopify Payments",
        "#1042",
        "#1042.1",
        "5550000042",
        "x" * 70,
    ]
)
_HUGE = st.sampled_from(["z" * 40_000, "h\n" * 70_000])
_FIELD = st.one_of(_PLAUSIBLE, _PLAUSIBLE, st.text(_ANY_TEXT, max_size=20), _HUGE)
_ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])


def encode(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8")


def accounted_rows(items: list[StreamItem]) -> int:
    """Return the rows of the main input that the items account for."""
    total = 0
    for item in items:
        assert isinstance(item, (OrderRecord, RowError, SkippedRow))
        if isinstance(item, OrderRecord):
            assert item.rows >= 1
            total += item.rows
        elif item.file is None:
            total += item.rows
        else:
            assert item.rows == 0
    return total


@st.composite
def csv_files(draw: st.DrawFn, header: list[str]) -> tuple[bytes, int]:
    """Return a CSV file's bytes and its number of non-blank data rows."""
    rows: list[list[str]] = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 5)) == 0:
            rows.append([""] * draw(st.integers(1, len(header) + 2)))
            continue
        width = len(header) + draw(st.integers(-2, 2))
        row = [draw(_FIELD) for _ in range(max(width, 1))]
        rows.append(row)
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    # csv quotes a lone "\r" only when the line terminator contains one.
    terminator, quoting = draw(
        st.sampled_from([("\r\n", csv.QUOTE_MINIMAL), ("\n", csv.QUOTE_ALL)])
    )
    buffer = io.StringIO()
    if delimiter != "," and draw(st.booleans()):
        buffer.write(f"sep={delimiter}{terminator}")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=terminator, quoting=quoting)
    writer.writerow(header)
    writer.writerows(rows)
    expected = sum(1 for row in rows if any(value.strip() for value in row))
    return encode(buffer.getvalue(), draw(_ENCODINGS)), expected


def read_all(path: Path, **options: object) -> list[StreamItem]:
    return list(open_orders(path, **options))  # type: ignore[arg-type]


TRACKSYNC_HEADER = [
    "order_id",
    "provider",
    "payment_id",
    "tracking_number",
    "carrier",
    "status",
    "shipped_on",
    "notify_buyer",
    "country",
]
PAYPAL_HEADER = ["transaction_id", "tracking_number", "carrier", "status"]
SHIPSTATION_HEADER = [
    "orderNumber",
    "trackingNumber",
    "carrierCode",
    "voided",
    "isReturnLabel",
    "shipDate",
    "shipTo.country",
    "payment_id",
    "advancedOptions.customField1",
]
SHOPIFY_HEADER = [
    "Name",
    "Financial Status",
    "Payment Method",
    "Payment References",
    "Payment ID",
    "Id",
    "Shipping Name",
    "Shipping Country",
]
FULFILLMENTS_HEADER = ["order_id", "name", "tracking_company", "tracking_numbers", "status"]


@pytest.mark.parametrize(
    ("header", "input_format"),
    [
        (TRACKSYNC_HEADER, "tracksync"),
        (PAYPAL_HEADER, "paypal"),
        (SHIPSTATION_HEADER, "shipstation"),
    ],
)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_csv_rows_accounted(
    tmp_path_factory: pytest.TempPathFactory,
    header: list[str],
    input_format: str,
    data: st.DataObject,
) -> None:
    content, expected = data.draw(csv_files(header))
    path = tmp_path_factory.mktemp("csv") / "input.csv"
    path.write_bytes(content)
    stream = open_orders(path)
    assert stream.input_format == input_format
    assert accounted_rows(list(stream)) == expected


@PROPERTY_SETTINGS
@given(data=st.data())
def test_shopify_rows_accounted(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    orders, expected = data.draw(csv_files(SHOPIFY_HEADER))
    fulfillments, _ = data.draw(csv_files(FULFILLMENTS_HEADER))
    folder = tmp_path_factory.mktemp("shopify")
    (folder / "orders.csv").write_bytes(orders)
    (folder / "fulfillments.csv").write_bytes(fulfillments)
    items = read_all(folder / "orders.csv", fulfillments=folder / "fulfillments.csv")
    assert accounted_rows(items) == expected


_JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(_ANY_TEXT, max_size=10),
    _PLAUSIBLE,
)
_JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


def objects(keys: dict[str, st.SearchStrategy[object]]) -> st.SearchStrategy[object]:
    """Objects with some of the keys, or any JSON value at all."""
    fixed = st.fixed_dictionaries({}, optional=keys)
    return st.one_of(fixed, fixed, fixed, _JSON_VALUES)


_SHIPMENT = objects(
    {
        "orderNumber": st.sampled_from(["2001", "2002", "2003", ""]) | _JSON_SCALARS,
        "trackingNumber": _PLAUSIBLE | _JSON_VALUES,
        "carrierCode": _PLAUSIBLE,
        "paymentId": _PLAUSIBLE | _JSON_VALUES,
        "provider": _PLAUSIBLE,
        "voided": st.booleans() | _PLAUSIBLE,
        "isReturnLabel": st.booleans() | _PLAUSIBLE,
        "shipDate": _PLAUSIBLE,
        "shipTo": _JSON_VALUES | st.fixed_dictionaries({"name": _PLAUSIBLE, "country": _PLAUSIBLE}),
        "shipmentItems": _JSON_VALUES,
        "advancedOptions": _JSON_VALUES,
        "labelData": _HUGE,
    }
)
_TRACKING_ITEM = objects(
    {
        "tracking_provider": _PLAUSIBLE,
        "custom_tracking_provider": _PLAUSIBLE,
        "custom_tracking_link": st.sampled_from(["", "https://track.example/%1$s", "::"]),
        "tracking_number": _PLAUSIBLE | _JSON_VALUES,
        "date_shipped": _PLAUSIBLE | st.integers(),
    }
)
_WOO_ORDER = objects(
    {
        "id": st.sampled_from([3001, 3002, "3003", ""]) | _JSON_SCALARS,
        "_payment_method": st.sampled_from(["ppcp-gateway", "paypal", "stripe", "bacs", ""]),
        "_transaction_id": _PLAUSIBLE,
        "_stripe_intent_id": _PLAUSIBLE,
        "_wc_shipment_tracking_items": st.lists(_TRACKING_ITEM, max_size=3)
        | _JSON_VALUES
        | st.sampled_from(['a:1:{i:0;a:1:{s:15:"tracking_number";s:2:"T1";}}', "a:1:{", "[]"]),
        "meta_data": st.lists(
            st.fixed_dictionaries({"key": _PLAUSIBLE, "value": _JSON_VALUES}), max_size=2
        )
        | _JSON_VALUES,
        "_tracking_number": _PLAUSIBLE,
        "shipping": _JSON_VALUES,
    }
)


@pytest.mark.parametrize(
    ("key", "items", "input_format"),
    [("shipments", _SHIPMENT, "shipstation"), ("orders", _WOO_ORDER, "woocommerce")],
)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_json_items_accounted(
    tmp_path_factory: pytest.TempPathFactory,
    key: str,
    items: st.SearchStrategy[object],
    input_format: str,
    data: st.DataObject,
) -> None:
    values = data.draw(st.lists(items, max_size=6))
    indent = data.draw(st.sampled_from([None, 0, 2]))
    document: object = {key: values} if data.draw(st.booleans()) else values
    text = json.dumps(document, indent=indent, ensure_ascii=data.draw(st.booleans()))
    path = tmp_path_factory.mktemp("json") / "input.json"
    path.write_bytes(encode(text, data.draw(_ENCODINGS)))
    try:
        stream = open_orders(path, input_format=input_format)
    except InvalidInputError:
        # A bare list whose first item is itself a list has no items to detect from.
        assert isinstance(document, list)
        return
    assert accounted_rows(list(stream)) == len(values)


_NOTICE_TAGS = st.sampled_from(
    [
        "OrderNumber",
        "OrderID",
        "Carrier",
        "TrackingNumber",
        "ShipDate",
        "PaymentID",
        "Provider",
        "CustomField1",
        "Items",
    ]
)


@st.composite
def notices(draw: st.DrawFn) -> str:
    children = []
    for _ in range(draw(st.integers(0, 6))):
        tag = draw(_NOTICE_TAGS)
        if tag == "Items":
            quantity = escape(draw(st.text(_XML_SAFE, max_size=3)))
            children.append(
                f"<Items><Item><Name>Mug</Name><Quantity>{quantity}</Quantity></Item></Items>"
            )
            continue
        value = draw(_PLAUSIBLE | st.text(_XML_SAFE, max_size=12))
        children.append(f"<{tag}>{escape(value)}</{tag}>")
    tag = draw(st.sampled_from(["ShipNotice", "ShipNotice", "ShipNotice", "Other"]))
    return f"<{tag}>{''.join(children)}</{tag}>"


@PROPERTY_SETTINGS
@given(
    elements=st.lists(notices(), min_size=1, max_size=6),
    separator=st.sampled_from(["", "\n", "\r\n\r\n  "]),
    encoding=st.sampled_from(["utf-8", "cp1252", "iso-8859-1"]),
)
def test_xml_notices_accounted(
    tmp_path_factory: pytest.TempPathFactory,
    elements: list[str],
    separator: str,
    encoding: str,
) -> None:
    body = separator.join(elements)
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n' if encoding != "cp1252" else ""
    text = f"{declaration}<ShipNotices>{separator}{body}{separator}</ShipNotices>"
    data = text.encode(encoding, errors="replace") if encoding != "utf-8" else text.encode()
    path = tmp_path_factory.mktemp("xml") / "input.xml"
    path.write_bytes(data)
    try:
        stream = open_orders(path)
    except InvalidInputError:
        # The first element is not a ShipNotice, so the file is not ShipNotify XML.
        assert elements[0].startswith("<Other>")
        return
    assert accounted_rows(list(stream)) == len(elements)
