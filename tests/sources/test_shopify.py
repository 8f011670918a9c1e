"""Shopify's order export joined with the fulfillments file."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from tracksync import Item, PaymentRef, ShipmentStatus
from tracksync.sources import OrderRecord, RowError, SkippedRow, open_orders, read_orders

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "shopify"

EXPORT_HEADER = (
    "Name,Financial Status,Fulfillment Status,Lineitem name,Shipping Name,Shipping Address1,"
    "Shipping City,Shipping Zip,Shipping Province,Shipping Country,Payment Method,"
    "Payment Reference,Id,Payment ID,Payment References"
)


def export(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "orders_export.csv"
    path.write_text("\n".join([EXPORT_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def fulfillments_csv(tmp_path: Path, *rows: str, header: str | None = None) -> Path:
    path = tmp_path / "fulfillments.csv"
    first = header or "order_id,name,tracking_company,tracking_numbers,tracking_urls,status"
    path.write_text("\n".join([first, *rows]) + "\n", encoding="utf-8")
    return path


def fulfillments_json(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "fulfillments.json"
    path.write_text(json.dumps(content, indent=2), encoding="utf-8")
    return path


PAYPAL_ROW = (
    "#1042,paid,fulfilled,Tote,Mara Quill,12 Example Road,Springfield,'62701,IL,US,"
    "PayPal Express Checkout,#1042.1,5550000042,,3KF48217TB5591027"
)


@pytest.mark.parametrize("fulfillments", ["fulfillments.csv", "fulfillments.json"])
def test_example_read(fulfillments: str) -> None:
    result = read_orders(EXAMPLES / "orders_export.csv", fulfillments=EXAMPLES / fulfillments)
    assert result.input_format == "shopify"
    first, second = result.orders
    assert first.id == "#1042"
    assert first.payments == (PaymentRef(provider="paypal", payment_id="3KF48217TB5591027"),)
    assert [(s.tracking_number, s.carrier, s.status) for s in first.shipments] == [
        ("9400111899560000000000", "USPS", ShipmentStatus.DELIVERED),
        ("9400111899560000000017", "USPS", ShipmentStatus.DELIVERED),
    ]
    assert first.shipments[0].shipped_on == datetime.date(2026, 3, 2)
    assert first.recipient_name == "Mara Quill"
    assert first.ship_to is not None
    assert (first.ship_to.line2, first.ship_to.postal_code) == ("Apt 4", "62701")
    assert second.payments == (PaymentRef(provider="stripe", payment_id="pi_3QxExampleD4e5F6"),)
    assert [skip.order_id for skip in result.skipped] == ["#1044"]
    assert [error.order_id for error in result.errors] == ["#1045"]
    assert result.rows == 5
    assert result.line_of("#1042", "9400111899560000000017") == 2


def test_fulfillment_line_items_become_items() -> None:
    result = read_orders(
        EXAMPLES / "orders_export.csv", fulfillments=EXAMPLES / "fulfillments.json"
    )
    sticker = result.orders[1].shipments[0]
    assert sticker.items == (Item(name="Sticker sheet", quantity=1, sku="STK-01"),)
    assert result.orders[0].shipments[0].items == ()


def test_export_payment_reference_explained(tmp_path: Path) -> None:
    row = (
        "#1045,paid,fulfilled,Mug,Noor Vance,9 Demo Avenue,Fairview,97024,OR,US,"
        "PayPal Express Checkout,#1045.1,5550000045,c2206783984.1,rPnExampleToken0000000001"
    )
    result = read_orders(
        export(tmp_path, row), fulfillments=fulfillments_csv(tmp_path, "5550000045,,UPS,1Z1,,")
    )
    error = result.errors[0]
    assert error.message == (
        "Line 2 (order #1045): the order was paid with PayPal Express Checkout, but the "
        "export contains only Shopify's own payment references (Payment References: "
        "rPnExampleToken0000000001; Payment Reference: #1045.1; Payment ID: c2206783984.1), "
        "not the PayPal capture id. Shopify's order export does not carry the gateway's "
        "payment id: it is the authorization of the order's transaction in the Admin API "
        "(orders/ORDER_ID/transactions.json). Put that id in the Payment ID column, or use "
        "the tracksync layout."
    )
    assert (error.column, error.value) == (
        "Payment References",
        "rPnExampleToken0000000001 + #1045.1 + c2206783984.1",
    )
    assert result.skipped == ()


def test_gateway_id_mismatch_rejected(tmp_path: Path) -> None:
    row = PAYPAL_ROW.replace("3KF48217TB5591027", "pi_3QxA")
    result = read_orders(
        export(tmp_path, row), fulfillments=fulfillments_csv(tmp_path, "5550000042,,UPS,1Z1,,")
    )
    assert result.errors[0].message == (
        "Line 2 (order #1042): Payment References contains the stripe id pi_3QxA, but Payment "
        "Method is 'PayPal Express Checkout'; correct one of the two."
    )


def test_other_gateway_skipped(tmp_path: Path) -> None:
    row = PAYPAL_ROW.replace("PayPal Express Checkout", "Shopify Payments").replace(
        "3KF48217TB5591027", ""
    )
    items = list(
        open_orders(
            export(tmp_path, row, "#1042,,,Mug,,,,,,,,,,,"),
            fulfillments=fulfillments_csv(tmp_path, "5550000042,,UPS,1Z1,,"),
        )
    )
    assert items == [
        SkippedRow(
            line=2,
            order_id="#1042",
            message=(
                "Line 2 (order #1042): order #1042 was paid with Shopify Payments; tracksync "
                "syncs PayPal and Stripe payments only."
            ),
            rows=2,
        )
    ]


def test_unfulfilled_order_skipped(tmp_path: Path) -> None:
    path = fulfillments_csv(tmp_path)
    items = list(open_orders(export(tmp_path, PAYPAL_ROW), fulfillments=path))
    assert [str(item) for item in items] == [
        f"Line 2 (order #1042): order #1042 has no fulfillment with a tracking number in "
        f"{path} (its fulfillment status is fulfilled), so there is nothing to sync."
    ]


def test_fulfillment_matched_by_name(tmp_path: Path) -> None:
    path = fulfillments_csv(tmp_path, ",#1042.1,Royal Mail,RR123456785GB,,success")
    result = read_orders(export(tmp_path, PAYPAL_ROW), fulfillments=path)
    assert result.orders[0].shipments[0].carrier == "Royal Mail"


def test_cdata_column_names_read(tmp_path: Path) -> None:
    path = fulfillments_csv(
        tmp_path,
        "gid://shopify/Order/5550000042,DHL,JD014600006281230947,,success,2026-03-02",
        header="OrderId,TrackingCompany,TrackingNumbers,TrackingUrls,Status,CreatedAt",
    )
    result = read_orders(export(tmp_path, PAYPAL_ROW), fulfillments=path)
    shipment = result.orders[0].shipments[0]
    assert (shipment.tracking_number, shipment.carrier) == ("JD014600006281230947", "DHL")
    assert shipment.shipped_on == datetime.date(2026, 3, 2)


def test_carrier_from_tracking_url(tmp_path: Path) -> None:
    path = fulfillments_csv(
        tmp_path, '5550000042,,,"1Z1,1Z2","https://www.ups.com/t?n=1Z1,https://www.ups.com/t?n=1Z2"'
    )
    result = read_orders(export(tmp_path, PAYPAL_ROW), fulfillments=path)
    assert [s.carrier for s in result.orders[0].shipments] == ["www.ups.com", "www.ups.com"]


def test_cancelled_fulfillment_cancels(tmp_path: Path) -> None:
    path = fulfillments_csv(
        tmp_path, "5550000042,,UPS,1Z1,,cancelled", "5550000042,,UPS,1Z2,,success"
    )
    shipments = read_orders(export(tmp_path, PAYPAL_ROW), fulfillments=path).orders[0].shipments
    assert [(s.tracking_number, s.status) for s in shipments] == [
        ("1Z1", ShipmentStatus.CANCELLED),
        ("1Z2", ShipmentStatus.SHIPPED),
    ]


def test_refulfilled_number_not_cancelled(tmp_path: Path) -> None:
    path = fulfillments_csv(
        tmp_path, "5550000042,,UPS,1Z1,,cancelled", "5550000042,,UPS,1Z1,,success"
    )
    result = read_orders(export(tmp_path, PAYPAL_ROW), fulfillments=path)
    assert result.errors == ()
    assert result.orders[0].shipments[0].status is ShipmentStatus.SHIPPED


def test_conflicting_fulfillments_reported(tmp_path: Path) -> None:
    path = fulfillments_csv(tmp_path, "5550000042,,UPS,1Z1,,success", "5550000042,,DHL,1Z1,,")
    result = read_orders(export(tmp_path, PAYPAL_ROW), fulfillments=path)
    assert result.orders[0].shipments[0].carrier == "UPS"
    error = result.errors[0]
    assert error.message == (
        f"{path}, line 3 (order #1042): tracking number 1Z1 is also at line 2 with another "
        "carrier, status or date; give each package one entry, or make the entries agree."
    )
    assert (error.file, error.rows) == (str(path), 0)


def test_fulfillment_problems_come_last(tmp_path: Path) -> None:
    path = fulfillments_csv(
        tmp_path,
        "5550000042,,UPS,1Z1,,lost",
        "5550000042,,,1Z2,,success",
        "5550000099,#1099.1,UPS,1Z3,,success",
    )
    items = list(open_orders(export(tmp_path, PAYPAL_ROW), fulfillments=path))
    assert [type(item) for item in items] == [SkippedRow, RowError, RowError, SkippedRow]
    assert [str(item) for item in items[1:]] == [
        f"{path}, line 2 (order 5550000042): status 'lost' is not one of canceled, "
        "cancelled, error, failure, in_progress, open, pending, success.",
        f"{path}, line 3 (order 5550000042): tracking_company is empty and there is no "
        "tracking URL to take the carrier from; fill in the tracking company.",
        f"{path}, line 4 (order #1099): the order export has no order #1099, so this "
        "fulfillment was not synced; export that order too.",
    ]
    assert all(item.rows == 0 for item in items[1:])


def test_admin_api_orders_json(tmp_path: Path) -> None:
    content = {
        "orders": [
            {
                "id": 5550000042,
                "name": "#1042",
                "fulfillments": [
                    {
                        "status": "success",
                        "shipment_status": "in_transit",
                        "tracking_company": "USPS",
                        "tracking_number": "9400111899560000000000",
                        "created_at": "2026-03-02T10:15:00-05:00",
                    }
                ],
            }
        ]
    }
    result = read_orders(
        export(tmp_path, PAYPAL_ROW), fulfillments=fulfillments_json(tmp_path, content)
    )
    shipment = result.orders[0].shipments[0]
    assert (shipment.tracking_number, shipment.status) == (
        "9400111899560000000000",
        ShipmentStatus.SHIPPED,
    )


def test_fulfillments_json_errors_located(tmp_path: Path) -> None:
    content = {"fulfillments": [{"order_id": 5550000042, "tracking_numbers": ["1Z1"]}, 7]}
    path = fulfillments_json(tmp_path, content)
    items = list(open_orders(export(tmp_path, PAYPAL_ROW), fulfillments=path))
    errors = [item for item in items if isinstance(item, RowError)]
    assert [(error.location, error.file) for error in errors] == [
        ("/fulfillments/0", str(path)),
        ("/fulfillments/1", str(path)),
    ]


def test_stripe_payment_in_payment_id_column(tmp_path: Path) -> None:
    row = (
        "#1043,paid,fulfilled,Sticker,Tobias Fenwick,7 Sample Street,Riverton,84065,UT,US,"
        "Stripe,#1043.1,5550000043,pi_3QxExampleD4e5F6,"
    )
    path = fulfillments_csv(tmp_path, "5550000043,,UPS,1Z1,,success")
    result = read_orders(export(tmp_path, row), fulfillments=path)
    records = [item for item in open_orders(export(tmp_path, row), fulfillments=path)]
    assert result.orders[0].payments[0].payment_id == "pi_3QxExampleD4e5F6"
    assert isinstance(records[0], OrderRecord)
    assert records[0].rows == 1


def test_export_rows_of_order_not_adjacent(tmp_path: Path) -> None:
    rows = [PAYPAL_ROW, PAYPAL_ROW.replace("#1042", "#1043"), "#1042,,,Mug,,,,,,,,,,,"]
    path = fulfillments_csv(tmp_path, "5550000042,,UPS,1Z1,,", "5550000043,,UPS,1Z2,,")
    result = read_orders(export(tmp_path, *rows), fulfillments=path)
    assert result.errors[0].message.startswith(
        "Line 4 (order #1042): order #1042 already appeared at line 2, before other orders"
    )
    assert result.errors[0].message.endswith(
        "Sort the file by Name so that the rows of each order are next to each other."
    )
