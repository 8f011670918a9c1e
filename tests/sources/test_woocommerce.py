"""WooCommerce orders with the Shipment Tracking extension's meta."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from tracksync import Address, PaymentRef
from tracksync.sources import OrderRecord, RowError, SkippedRow, open_orders, read_orders

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "woocommerce"

ROYAL_MAIL = {
    "tracking_provider": "",
    "custom_tracking_provider": "Royal Mail Tracked 48",
    "custom_tracking_link": "https://www.royalmail.com/track-your-item#/tracking-results/%1$s",
    "tracking_number": "AB123456789GB",
    "date_shipped": "1772409600",
    "tracking_id": "5f1e0b6c",
}


def order(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": 3001,
        "_payment_method": "ppcp-gateway",
        "_transaction_id": "5RT90412KD3318452",
        "_wc_shipment_tracking_items": [ROYAL_MAIL],
    }
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


def write(tmp_path: Path, orders: list[object]) -> Path:
    path = tmp_path / "orders.json"
    path.write_text(json.dumps({"orders": orders}, indent=2), encoding="utf-8")
    return path


def test_example_read() -> None:
    result = read_orders(EXAMPLES / "orders.json")
    assert result.input_format == "woocommerce"
    first, second, third = result.orders
    assert first.payments == (
        PaymentRef(
            provider="paypal",
            payment_id="5RT90412KD3318452",
            paypal_order_id="8JW63015PL4409127",
        ),
    )
    assert [(s.tracking_number, s.carrier) for s in first.shipments] == [
        ("9400111899560000000048", "usps"),
        ("AB123456789GB", "Royal Mail Tracked 48"),
    ]
    assert first.shipments[1].shipped_on == datetime.date(2026, 3, 3)
    assert first.recipient_name == "Mara Quill"
    assert second.payments == (PaymentRef(provider="stripe", payment_id="pi_3QxExampleJ1k2L3"),)
    assert second.shipments[0].tracking_number == "794600000029"
    assert second.ship_to == Address(
        line1="7 Sample Street", city="Riverton", state="UT", postal_code="84065", country="US"
    )
    assert third.shipments[0].carrier == "Evri"
    assert [skip.order_id for skip in result.skipped] == ["3004"]
    assert result.errors == ()
    assert result.rows == 4


def test_unix_timestamp_read_as_utc_date(tmp_path: Path) -> None:
    item = dict(ROYAL_MAIL, date_shipped="1772495999")
    result = read_orders(write(tmp_path, [order(_wc_shipment_tracking_items=[item])]))
    assert result.orders[0].shipments[0].shipped_on == datetime.date(2026, 3, 2)


def test_rest_date_form_read(tmp_path: Path) -> None:
    item = dict(ROYAL_MAIL, date_shipped="2026-03-05")
    result = read_orders(write(tmp_path, [order(_wc_shipment_tracking_items=[item])]))
    assert result.orders[0].shipments[0].shipped_on == datetime.date(2026, 3, 5)


def test_carrier_from_custom_link_host(tmp_path: Path) -> None:
    item = dict(ROYAL_MAIL, custom_tracking_provider="")
    result = read_orders(write(tmp_path, [order(_wc_shipment_tracking_items=[item])]))
    assert result.orders[0].shipments[0].carrier == "www.royalmail.com"


def test_items_as_object_read(tmp_path: Path) -> None:
    items = {"0": ROYAL_MAIL, "2": dict(ROYAL_MAIL, tracking_number="AB987654321GB")}
    result = read_orders(write(tmp_path, [order(_wc_shipment_tracking_items=items)]))
    assert len(result.orders[0].shipments) == 2


def test_items_as_json_text_read(tmp_path: Path) -> None:
    text = json.dumps([ROYAL_MAIL])
    result = read_orders(write(tmp_path, [order(_wc_shipment_tracking_items=text)]))
    assert result.orders[0].shipments[0].tracking_number == "AB123456789GB"


def test_bad_item_reported_others_kept(tmp_path: Path) -> None:
    items = [ROYAL_MAIL, dict(ROYAL_MAIL, tracking_number="", custom_tracking_provider="X")]
    stream = list(open_orders(write(tmp_path, [order(_wc_shipment_tracking_items=items)])))
    record, error = stream
    assert isinstance(record, OrderRecord)
    assert record.rows == 1
    assert isinstance(error, RowError)
    assert error.message == (
        "Line 3, /orders/0/_wc_shipment_tracking_items/1 (order 3001): tracking_number is "
        "empty; fill it in or remove the item."
    )
    assert error.rows == 0


def test_all_items_bad_discards_order(tmp_path: Path) -> None:
    items = [dict(ROYAL_MAIL, date_shipped="someday")]
    stream = list(open_orders(write(tmp_path, [order(_wc_shipment_tracking_items=items)])))
    assert [type(item) for item in stream] == [RowError]
    assert stream[0].rows == 1
    assert "date_shipped 'someday' is not a date; write it as YYYY-MM-DD or a Unix" in str(
        stream[0]
    )


def test_unreadable_serialized_items(tmp_path: Path) -> None:
    text = 'a:1:{i:0;O:8:"stdClass":0:{}}'
    stream = list(open_orders(write(tmp_path, [order(_wc_shipment_tracking_items=text)])))
    assert [type(item) for item in stream] == [RowError]
    assert "is neither JSON nor PHP-serialized text" in str(stream[0])
    assert stream[0].rows == 1


def test_no_tracking_skipped(tmp_path: Path) -> None:
    stream = list(open_orders(write(tmp_path, [order(_wc_shipment_tracking_items=[])])))
    assert stream == [
        SkippedRow(
            line=3,
            location="/orders/0",
            order_id="3001",
            message=(
                "Line 3, /orders/0 (order 3001): order 3001 has no shipment tracking items, "
                "so there is nothing to sync."
            ),
        )
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"_transaction_id": ""},
            "_transaction_id is empty; WooCommerce stores the gateway's transaction id there "
            "when ppcp-gateway takes the payment, and tracking attaches to that payment.",
        ),
        (
            {"_payment_method": "stripe", "_transaction_id": "src_123"},
            "_transaction_id 'src_123' is not a Stripe PaymentIntent (pi_) or Charge (ch_, "
            "py_) id.",
        ),
        (
            {"_transaction_id": "5RT-90412"},
            "_transaction_id '5RT-90412' is not a valid paypal id",
        ),
        ({"id": ""}, "id is empty; give each order its WooCommerce id."),
        ({"_shipping_country": "Germany"}, "shipping country 'Germany' is not a two-letter"),
    ],
)
def test_bad_order_reported(tmp_path: Path, fields: dict[str, object], message: str) -> None:
    stream = list(open_orders(write(tmp_path, [order(**fields)])))
    assert len(stream) == 1
    assert isinstance(stream[0], RowError)
    assert message in str(stream[0])
    assert stream[0].rows == 1


def test_other_gateway_skipped(tmp_path: Path) -> None:
    stream = list(open_orders(write(tmp_path, [order(_payment_method="woocommerce_payments")])))
    assert [str(item) for item in stream] == [
        "Line 3, /orders/0 (order 3001): order 3001 was paid with woocommerce_payments; "
        "tracksync syncs PayPal and Stripe payments only."
    ]


def test_rest_api_order_read(tmp_path: Path) -> None:
    rest_order = {
        "id": 3005,
        "number": "3005",
        "payment_method": "ppcp-gateway",
        "transaction_id": "2LM55821QZ7730418",
        "shipping": {"first_name": "Noor", "last_name": "Vance", "country": "US"},
        "meta_data": [
            {"id": 1, "key": "_ppcp_paypal_order_id", "value": "8JW63015PL4409127"},
            {"id": 2, "key": "_wc_shipment_tracking_items", "value": [ROYAL_MAIL]},
        ],
    }
    result = read_orders(write(tmp_path, [rest_order]))
    placed = result.orders[0]
    assert placed.payments[0].paypal_order_id == "8JW63015PL4409127"
    assert placed.recipient_name == "Noor Vance"
    assert placed.shipments[0].tracking_number == "AB123456789GB"


def test_meta_data_item_located(tmp_path: Path) -> None:
    rest_order = {
        "id": 3005,
        "payment_method": "ppcp-gateway",
        "transaction_id": "2LM55821QZ7730418",
        "meta_data": [
            {"id": 2, "key": "_wc_shipment_tracking_items", "value": [{"tracking_number": "1"}]}
        ],
    }
    stream = list(open_orders(write(tmp_path, [rest_order])))
    assert stream[0].location == "/orders/0/meta_data/0/value/0"


def test_legacy_meta_ignored_when_items_present(tmp_path: Path) -> None:
    result = read_orders(write(tmp_path, [order(_tracking_number="OLD1", _tracking_provider="x")]))
    assert [s.tracking_number for s in result.orders[0].shipments] == ["AB123456789GB"]


def test_list_of_orders_without_envelope(tmp_path: Path) -> None:
    path = tmp_path / "orders.json"
    path.write_text(json.dumps([order()]), encoding="utf-8")
    result = read_orders(path)
    assert result.input_format == "woocommerce"
    assert result.orders[0].id == "3001"
