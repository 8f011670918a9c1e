"""Opening an input file: format detection, a named format, and the stream it returns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracksync import InvalidInputError
from tracksync.sources import (
    INPUT_FORMATS,
    CsvLayout,
    OrderRecord,
    RowError,
    SkippedRow,
    open_orders,
    read_csv,
    read_orders,
)

TRACKSYNC_CSV = "order_id,provider,payment_id,tracking_number,carrier\n1,stripe,pi_1,TN1,DHL\n"
PAYPAL_CSV = "transaction_id,tracking_number,carrier,status\n4UV25344YR923414N,TN1,USPS,SHIPPED\n"
SHIPSTATION_CSV = "orderNumber,trackingNumber,carrierCode,paymentId\n2001,TN1,fedex,pi_1\n"
SHOPIFY_CSV = (
    "Name,Financial Status,Payment Method,Payment References,Id\n"
    "#1042,paid,Stripe,pi_3QxExample,5550000042\n"
)
FULFILLMENTS_CSV = "order_id,tracking_company,tracking_numbers\n5550000042,UPS,1Z1\n"
SHIPSTATION_JSON = {"shipments": [{"orderNumber": "2001", "trackingNumber": "TN1"}]}
WOO_JSON = [{"id": 3001, "_payment_method": "stripe", "_transaction_id": "pi_1"}]
SHIPNOTIFY_XML = "<ShipNotice><OrderNumber>1</OrderNumber></ShipNotice>"


def write(tmp_path: Path, name: str, content: str | object) -> Path:
    path = tmp_path / name
    text = content if isinstance(content, str) else json.dumps(content)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.csv", TRACKSYNC_CSV, "tracksync"),
        ("b.csv", PAYPAL_CSV, "paypal"),
        ("c.csv", SHIPSTATION_CSV, "shipstation"),
        ("d.json", SHIPSTATION_JSON, "shipstation"),
        ("e.json", SHIPSTATION_JSON["shipments"], "shipstation"),
        ("f.json", WOO_JSON, "woocommerce"),
        ("g.json", {"orders": WOO_JSON}, "woocommerce"),
        ("h.xml", SHIPNOTIFY_XML, "shipstation-xml"),
        ("i.xml", f"<Batch>{SHIPNOTIFY_XML}</Batch>", "shipstation-xml"),
    ],
)
def test_format_detected(tmp_path: Path, name: str, content: object, expected: str) -> None:
    stream = open_orders(write(tmp_path, name, content))
    assert stream.input_format == expected


def test_shopify_detected_with_fulfillments(tmp_path: Path) -> None:
    stream = open_orders(
        write(tmp_path, "orders.csv", SHOPIFY_CSV),
        fulfillments=write(tmp_path, "f.csv", FULFILLMENTS_CSV),
    )
    assert stream.input_format == "shopify"
    assert stream.fulfillments == tmp_path / "f.csv"


def test_formats_listed() -> None:
    assert INPUT_FORMATS == (
        "tracksync",
        "paypal",
        "shopify",
        "shipstation",
        "shipstation-xml",
        "woocommerce",
    )


def test_stream_layout_and_encoding(tmp_path: Path) -> None:
    stream = open_orders(write(tmp_path, "a.csv", PAYPAL_CSV))
    assert stream.layout is CsvLayout.PAYPAL
    assert stream.encoding == "utf-8"
    assert stream.warnings == ()
    assert repr(stream) == f"<OrderStream paypal {str(tmp_path / 'a.csv')!r}>"


def test_stream_read_twice(tmp_path: Path) -> None:
    stream = open_orders(write(tmp_path, "a.csv", TRACKSYNC_CSV))
    first = list(stream)
    assert first == list(stream)
    assert isinstance(first[0], OrderRecord)


def test_stream_yields_records_and_problems(tmp_path: Path) -> None:
    text = TRACKSYNC_CSV + "2,stripe,pi_2,,DHL\n"
    items = list(open_orders(write(tmp_path, "a.csv", text)))
    assert [type(item) for item in items] == [OrderRecord, RowError]
    record = items[0]
    assert isinstance(record, OrderRecord)
    assert (record.first_line, dict(record.lines), record.rows) == (2, {"TN1": 2}, 1)
    assert record.line_of("TN1") == 2
    assert record.line_of(None) == 2


def test_named_format_overrides_detection(tmp_path: Path) -> None:
    text = "transaction_id,order_id,provider,payment_id,tracking_number,carrier\n"
    text += "4UV25344YR923414N,1,stripe,pi_1,TN1,DHL\n"
    path = write(tmp_path, "a.csv", text)
    assert open_orders(path).input_format == "tracksync"
    stream = open_orders(path, input_format="paypal")
    assert stream.input_format == "paypal"
    record = next(iter(stream))
    assert isinstance(record, OrderRecord)
    assert record.order.payments[0].payment_id == "4UV25344YR923414N"


def test_named_format_header_mismatch(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as raised:
        open_orders(write(tmp_path, "a.csv", TRACKSYNC_CSV), input_format="shipstation")
    assert str(raised.value) == (
        f"{tmp_path / 'a.csv'} is not in the shipstation format, which needs:\n"
        '  shipstation: ShipStation shipments as JSON ({"shipments": [...]} or a list), or '
        "a CSV header with orderNumber, trackingNumber, carrierCode\n"
        "Found a CSV header with the columns order_id, provider, payment_id, "
        "tracking_number, carrier."
    )


def test_named_format_syntax_mismatch(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"is JSON, but the tracksync format is read"):
        open_orders(write(tmp_path, "a.json", WOO_JSON), input_format="tracksync")


def test_named_woocommerce_on_shipstation_json(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"without a list under any of the keys 'orders'"):
        open_orders(write(tmp_path, "a.json", SHIPSTATION_JSON), input_format="woocommerce")


def test_unknown_format_name_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as raised:
        open_orders(write(tmp_path, "a.csv", TRACKSYNC_CSV), input_format="magento")
    assert str(raised.value) == (
        "Input format 'magento' is unknown; use one of tracksync, paypal, shopify, "
        "shipstation, shipstation-xml, woocommerce."
    )


def test_unknown_csv_lists_every_format(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as raised:
        open_orders(write(tmp_path, "a.csv", "Name,Email\n#1001,mara@example.com\n"))
    lines = str(raised.value).splitlines()
    assert lines[0] == (
        f"{tmp_path / 'a.csv'} is in none of the formats tracksync reads, which need:"
    )
    assert [line.split(":")[0].strip() for line in lines[1:-1]] == list(INPUT_FORMATS)
    assert lines[1] == (
        "  tracksync: a CSV header with order_id, provider, payment_id, tracking_number, "
        "carrier (missing: order_id, provider, payment_id, tracking_number, carrier)"
    )
    assert lines[-1] == "Found a CSV header with the columns Name, Email."


def test_unknown_json_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"Found a JSON list whose first item"):
        open_orders(write(tmp_path, "a.json", [{"sku": "TOTE"}]))


def test_unknown_xml_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"Found an XML root element Orders\.$"):
        open_orders(write(tmp_path, "a.xml", "<Orders><Order/></Orders>"))


def test_empty_json_list_needs_named_format(tmp_path: Path) -> None:
    path = write(tmp_path, "a.json", [])
    with pytest.raises(InvalidInputError, match=r"is an empty JSON list"):
        open_orders(path)
    assert list(open_orders(path, input_format="woocommerce")) == []


def test_invalid_json_before_items_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"is not valid JSON at line 2: Expecting"):
        open_orders(write(tmp_path, "a.json", '[\n{"orderNumber": }]'))


def test_empty_file_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"is empty; it needs a header row"):
        open_orders(write(tmp_path, "a.csv", ""))


def test_missing_file_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"Cannot read .*missing.csv: No such file"):
        open_orders(tmp_path / "missing.csv")


def test_shopify_without_fulfillments_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"give the fulfillments file too"):
        open_orders(write(tmp_path, "orders.csv", SHOPIFY_CSV))


def test_fulfillments_for_other_format_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"takes no fulfillments file"):
        open_orders(
            write(tmp_path, "a.csv", TRACKSYNC_CSV),
            fulfillments=write(tmp_path, "f.csv", FULFILLMENTS_CSV),
        )


def test_wrong_fulfillments_file_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"is not a Shopify fulfillments file"):
        open_orders(
            write(tmp_path, "orders.csv", SHOPIFY_CSV),
            fulfillments=write(tmp_path, "f.csv", SHOPIFY_CSV),
        )


def test_read_orders_gathers_stream(tmp_path: Path) -> None:
    content = [
        {"orderNumber": "1", "trackingNumber": "TN1", "carrierCode": "fedex", "paymentId": "pi_1"},
        {"orderNumber": "2", "trackingNumber": "TN2", "carrierCode": "fedex"},
        {"orderNumber": "3", "trackingNumber": "TN3", "carrierCode": "ups", "isReturnLabel": True},
    ]
    result = read_orders(write(tmp_path, "a.json", content))
    assert result.input_format == "shipstation"
    assert result.layout is None
    assert [order.id for order in result.orders] == ["1"]
    assert [error.order_id for error in result.errors] == ["2"]
    assert [type(skip) for skip in result.skipped] == [SkippedRow]
    assert result.rows == 3
    assert result.line_of("1", "TN1") == 1


def test_read_csv_path_detects_any_format(tmp_path: Path) -> None:
    result = read_csv(write(tmp_path, "a.xml", SHIPNOTIFY_XML))
    assert result.input_format == "shipstation-xml"
