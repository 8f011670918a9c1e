"""ShipStation shipments: API JSON, flattened CSV and ShipNotify XML."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from tracksync import InvalidInputError, Item, PaymentRef, ShipmentStatus
from tracksync.sources import OrderRecord, RowError, SkippedRow, open_orders, read_orders

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "shipstation"


def shipment(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "orderNumber": "2001",
        "trackingNumber": "9400111899560000000024",
        "carrierCode": "stamps_com",
        "paymentId": "7GH10384WX2265931",
    }
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


def write_json(tmp_path: Path, shipments: list[object], *, indent: int | None = 1) -> Path:
    path = tmp_path / "shipments.json"
    path.write_text(json.dumps({"shipments": shipments, "page": 1}, indent=indent))
    return path


def test_json_example_read() -> None:
    result = read_orders(EXAMPLES / "shipments.json")
    assert result.input_format == "shipstation"
    first, second = result.orders
    assert first.payments == (PaymentRef(provider="paypal", payment_id="7GH10384WX2265931"),)
    assert [(s.tracking_number, s.carrier, s.status) for s in first.shipments] == [
        ("9400111899560000000024", "USPS", ShipmentStatus.SHIPPED),
        ("1Z999AA10123456791", "UPS", ShipmentStatus.CANCELLED),
    ]
    assert first.shipments[0].items == (Item(name="Canvas tote", quantity=1, sku="TOTE-NAT"),)
    assert first.shipments[0].shipped_on == datetime.date(2026, 3, 2)
    assert first.recipient_name == "Mara Quill"
    assert first.ship_to is not None
    assert first.ship_to.postal_code == "62701"
    assert second.payments == (PaymentRef(provider="stripe", payment_id="pi_3QxExampleG7h8I9"),)
    assert [skip.order_id for skip in result.skipped] == ["2003"]
    assert result.errors == ()
    assert result.rows == 4


def test_csv_example_read() -> None:
    result = read_orders(EXAMPLES / "shipments.csv")
    assert result.input_format == "shipstation"
    assert result.errors == ()
    assert [order.id for order in result.orders] == ["2001", "2002"]
    assert result.orders[0].shipments[1].status is ShipmentStatus.CANCELLED
    assert result.line_of("2001", "1Z999AA10123456791") == 3


def test_xml_example_read() -> None:
    result = read_orders(EXAMPLES / "shipnotify.xml")
    assert result.input_format == "shipstation-xml"
    assert result.errors == ()
    first, second = result.orders
    assert first.shipments[0].carrier == "USPS"
    assert first.shipments[0].shipped_on == datetime.date(2026, 3, 2)
    assert first.ship_to is not None
    assert (first.ship_to.line1, first.ship_to.line2) == ("12 Example Road", "Apt 4")
    assert second.payments[0].provider == "stripe"
    assert result.line_of("2002", "794600000012") == 33


def test_return_label_skipped(tmp_path: Path) -> None:
    items = list(open_orders(write_json(tmp_path, [shipment(isReturnLabel=True)])))
    assert items == [
        SkippedRow(
            line=3,
            location="/shipments/0",
            order_id="2001",
            tracking_number="9400111899560000000024",
            message=(
                "Line 3, /shipments/0 (order 2001): shipment 9400111899560000000024 is a "
                "return label; tracksync does not sync return shipments yet."
            ),
        )
    ]


def test_voided_label_cancels(tmp_path: Path) -> None:
    result = read_orders(write_json(tmp_path, [shipment(voided=True)]))
    assert result.orders[0].shipments[0].status is ShipmentStatus.CANCELLED


def test_voided_then_reshipped_same_number(tmp_path: Path) -> None:
    shipments = [shipment(voided=True), shipment(voided=False)]
    result = read_orders(write_json(tmp_path, shipments))
    assert result.errors == ()
    assert result.orders[0].shipments[0].status is ShipmentStatus.SHIPPED


def test_payment_on_one_shipment_enough(tmp_path: Path) -> None:
    shipments = [shipment(), shipment(trackingNumber="TN2", paymentId=None)]
    result = read_orders(write_json(tmp_path, shipments))
    assert len(result.orders[0].shipments) == 2
    assert result.rows == 2


def test_missing_payment_reported_for_order(tmp_path: Path) -> None:
    shipments = [shipment(paymentId=None), shipment(trackingNumber="TN2", paymentId=None)]
    error = read_orders(write_json(tmp_path, shipments)).errors[0]
    assert error.message == (
        "Line 3, /shipments/0 (order 2001): no payment id; ShipStation's records do not "
        "carry the PayPal or Stripe payment id, so add a paymentId field with the PayPal "
        "capture id or Stripe PaymentIntent id to the order's first shipment, or put the id "
        "into advancedOptions.customField1 as paypal:ID or stripe:ID."
    )
    assert error.rows == 2


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"paymentId": "pi_3QxA"}, PaymentRef(provider="stripe", payment_id="pi_3QxA")),
        (
            {"paymentId": "CAP1", "provider": "PayPal", "paypalOrderId": "5O190127TN364715T"},
            PaymentRef(provider="paypal", payment_id="CAP1", paypal_order_id="5O190127TN364715T"),
        ),
        (
            {"paymentId": None, "advancedOptions": {"customField1": "paypal:CAP2"}},
            PaymentRef(provider="paypal", payment_id="CAP2"),
        ),
        (
            {"paymentId": None, "advancedOptions": {"customField1": "ch_3QxB"}},
            PaymentRef(provider="stripe", payment_id="ch_3QxB"),
        ),
    ],
)
def test_payment_link_read(tmp_path: Path, fields: dict[str, object], expected: object) -> None:
    result = read_orders(write_json(tmp_path, [shipment(**fields)]))
    assert result.orders[0].payments == (expected,)


@pytest.mark.parametrize(
    ("fields", "column", "message"),
    [
        (
            {"paymentId": "12345"},
            "paymentId",
            "paymentId '12345' is neither a PayPal capture id (17 capital letters and "
            "digits) nor a Stripe pi_, ch_ or py_ id; add the provider in a provider column, "
            "or write the id as paypal:ID or stripe:ID.",
        ),
        (
            {"paymentId": "CAP-1", "provider": "paypal"},
            "paymentId",
            "paymentId 'CAP-1' is not a valid paypal id",
        ),
        (
            {"paymentId": "X1", "provider": "square"},
            "provider",
            "provider 'square' is not supported; use one of paypal, stripe.",
        ),
        ({"trackingNumber": ""}, "trackingNumber", "trackingNumber is empty"),
        ({"carrierCode": ""}, "carrierCode", "carrierCode is empty"),
        ({"shipDate": "yesterday"}, "shipDate", "shipDate 'yesterday' is not a date"),
        ({"voided": "perhaps"}, "voided", "voided 'perhaps' is not true or false"),
        ({"shipTo": {"country": "USA"}}, "shipTo.country", "shipTo.country 'USA' is not a"),
        ({"trackingNumber": ["TN1"]}, "trackingNumber", "trackingNumber is empty"),
        ({"orderNumber": {"a": 1}}, "orderNumber", "orderNumber is empty"),
        ({"paymentId": ["pi_1"]}, "paymentId", "no payment id"),
    ],
)
def test_bad_shipment_reported(
    tmp_path: Path, fields: dict[str, object], column: str, message: str
) -> None:
    items = list(open_orders(write_json(tmp_path, [shipment(**fields)])))
    assert len(items) == 1
    error = items[0]
    assert isinstance(error, RowError)
    assert error.column == column
    assert message in error.message
    assert error.location == "/shipments/0"


def test_unknown_carrier_code_kept(tmp_path: Path) -> None:
    result = read_orders(write_json(tmp_path, [shipment(carrierCode="globalpost")]))
    assert result.orders[0].shipments[0].carrier == "globalpost"


def test_iso_datetime_ship_date(tmp_path: Path) -> None:
    fields = {"shipDate": "2026-03-02T00:00:00.0000000"}
    result = read_orders(write_json(tmp_path, [shipment(**fields)]))
    assert result.orders[0].shipments[0].shipped_on == datetime.date(2026, 3, 2)


def test_non_adjacent_order_reported(tmp_path: Path) -> None:
    shipments = [shipment(), shipment(orderNumber="2002"), shipment(trackingNumber="TN9")]
    result = read_orders(write_json(tmp_path, shipments, indent=None))
    assert [order.id for order in result.orders] == ["2001", "2002"]
    assert result.errors[0].message == (
        "Line 1, /shipments/2 (order 2001): order 2001 already appeared at line 1, "
        "/shipments/0, before other orders, so this row was not read. Sort the file by "
        "orderNumber so that the rows of each order are next to each other."
    )


def test_item_not_object_reported(tmp_path: Path) -> None:
    path = write_json(tmp_path, [shipment(), "oops"])
    line = path.read_text().splitlines().index('  "oops"') + 1
    result = read_orders(path)
    assert [order.id for order in result.orders] == ["2001"]
    assert result.errors[0].message == (
        f"Line {line}, /shipments/1: the item is not a JSON object; remove it."
    )


def test_invalid_json_midway_keeps_earlier(tmp_path: Path) -> None:
    path = tmp_path / "shipments.json"
    good = json.dumps(shipment())
    path.write_text(f'{{"shipments": [\n{good},\n{{"orderNumber": "2002",,}}]}}')
    result = read_orders(path)
    assert [order.id for order in result.orders] == ["2001"]
    assert result.errors[0].message == (
        "Line 3: the JSON is invalid (Expecting property name enclosed in double quotes), "
        "so the rest of the file was not read; correct the file and run again."
    )
    assert result.errors[0].rows == 0


def test_csv_missing_payment_names_column(tmp_path: Path) -> None:
    path = tmp_path / "shipments.csv"
    path.write_text("orderNumber,trackingNumber,carrierCode\n2001,TN1,fedex\n")
    error = read_orders(path).errors[0]
    assert "so add a payment_id column with the PayPal capture id" in error.message


def test_xml_single_notice(tmp_path: Path) -> None:
    path = tmp_path / "notice.xml"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<ShipNotice>\n'
        "<OrderNumber>3001</OrderNumber><Carrier>OnTrac</Carrier>\n"
        "<TrackingNumber>C11111111111111</TrackingNumber>\n"
        "<CustomField1>stripe:pi_3QxC</CustomField1><ShipDate>12/8/2025</ShipDate>\n"
        "<Items><Item><SKU>A</SKU><Name>Lamp</Name><Quantity>x</Quantity></Item></Items>\n"
        "</ShipNotice>\n"
    )
    items = list(open_orders(path))
    assert len(items) == 1
    error = items[0]
    assert isinstance(error, RowError)
    assert error.location == "/ShipNotice"
    assert (
        error.message
        == "Line 2, /ShipNotice (order 3001): quantity 'x' is not a whole number of items."
    )


def test_xml_declared_latin1_read(tmp_path: Path) -> None:
    path = tmp_path / "notice.xml"
    xml = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><ShipNotice><OrderNumber>1</OrderNumber>'
        "<Carrier>Poste Française</Carrier><TrackingNumber>T1</TrackingNumber>"
        "<PaymentID>pi_1</PaymentID></ShipNotice>"
    )
    path.write_bytes(xml.encode("latin-1"))
    result = read_orders(path)
    assert result.orders[0].shipments[0].carrier == "Poste Française"
    assert result.warnings == ()


def test_xml_doctype_rejected(tmp_path: Path) -> None:
    path = tmp_path / "notice.xml"
    path.write_text('<!DOCTYPE x [<!ENTITY a "aaaa">]><ShipNotice>&a;</ShipNotice>')
    with pytest.raises(InvalidInputError) as raised:
        open_orders(path)
    assert str(raised.value) == (
        f"{path} has a DOCTYPE declaration, which tracksync does not read; remove it."
    )


def test_xml_broken_midway_keeps_earlier(tmp_path: Path) -> None:
    path = tmp_path / "notices.xml"
    notice = (
        "<ShipNotice><OrderNumber>{0}</OrderNumber><Carrier>UPS</Carrier>"
        "<TrackingNumber>T{0}</TrackingNumber><PaymentID>pi_{0}</PaymentID></ShipNotice>\n"
    )
    path.write_text(f"<Batch>\n{notice.format(1)}{notice.format(2)}<ShipNotice><Order>\n</Batch>")
    items = list(open_orders(path))
    assert [item.order.id for item in items if isinstance(item, OrderRecord)] == ["1", "2"]
    last = items[-1]
    assert isinstance(last, RowError)
    assert last.message == (
        "Line 5: the XML is not well-formed (mismatched tag), so the rest of the file was "
        "not read; correct the file and run again."
    )


def test_xml_other_element_reported(tmp_path: Path) -> None:
    path = tmp_path / "notices.xml"
    path.write_text("<Batch><ShipNotice><OrderNumber>1</OrderNumber></ShipNotice><Note/></Batch>")
    messages = [str(item) for item in open_orders(path)]
    assert messages[-1] == (
        "Line 1, /Batch/Note[1]: element Note is not a ShipNotice; remove it, or give the "
        "ShipNotice elements alone."
    )


def test_xml_deep_nesting_stops_reading(tmp_path: Path) -> None:
    path = tmp_path / "notices.xml"
    deep = "<a>" * 40 + "</a>" * 40
    path.write_text(f"<Batch><ShipNotice><OrderNumber>1</OrderNumber>{deep}</ShipNotice></Batch>")
    items = list(open_orders(path))
    assert [str(item) for item in items] == [
        "Line 1: the elements are nested more than 32 deep, so the rest of the file was not "
        "read; correct the file and run again."
    ]
