from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from tracksync import Address, InvalidInputError, PaymentRef, Shipment, ShipmentStatus
from tracksync.sources import CsvLayout, read_csv, read_csv_text

HEADER = "order_id,provider,payment_id,tracking_number,carrier"


def test_minimal_row_read() -> None:
    result = read_csv_text(f"{HEADER}\n1001,paypal,8MC585209K746392H,1Z999,UPS\n")
    assert result.layout is CsvLayout.TRACKSYNC
    assert result.errors == ()
    assert result.orders[0].payments == (
        PaymentRef(provider="paypal", payment_id="8MC585209K746392H"),
    )
    assert result.orders[0].shipments == (Shipment(tracking_number="1Z999", carrier="UPS"),)


def test_optional_columns_read() -> None:
    text = (
        f"{HEADER},paypal_order_id,status,shipped_on,notify_buyer,recipient_name,"
        "address_line1,address_line2,city,state,postal_code,country\n"
        "1001,paypal,CAP1,1Z999,UPS,5O190127TN364715T,delivered,2026-03-02,yes,Ada Lovelace,"
        "1 Main St,Flat 2,Leeds,,LS1 1AA,gb\n"
    )
    order = read_csv_text(text).orders[0]
    assert order.payments[0].paypal_order_id == "5O190127TN364715T"
    assert order.shipments[0].status is ShipmentStatus.DELIVERED
    assert order.shipments[0].shipped_on == datetime.date(2026, 3, 2)
    assert order.shipments[0].notify_buyer is True
    assert order.recipient_name == "Ada Lovelace"
    assert order.ship_to == Address(
        line1="1 Main St", line2="Flat 2", city="Leeds", postal_code="LS1 1AA", country="GB"
    )


def test_rows_of_one_payment_are_packages() -> None:
    text = (
        f"{HEADER}\n1001,stripe,pi_1,TN1,DHL\n1001,stripe,pi_1,TN2,DHL\n1002,stripe,pi_2,TN3,DHL\n"
    )
    orders = read_csv_text(text).orders
    assert [order.id for order in orders] == ["1001", "1002"]
    assert [s.tracking_number for s in orders[0].shipments] == ["TN1", "TN2"]
    assert len(orders[0].payments) == 1


def test_order_split_by_other_orders_rejected() -> None:
    text = (
        f"{HEADER}\n1001,stripe,pi_1,TN1,DHL\n1002,stripe,pi_2,TN3,DHL\n1001,stripe,pi_1,TN2,DHL\n"
    )
    result = read_csv_text(text)
    assert [order.id for order in result.orders] == ["1001", "1002"]
    assert [s.tracking_number for s in result.orders[0].shipments] == ["TN1"]
    assert [str(error) for error in result.errors] == [
        "Line 4 (order 1001): order 1001 already appeared at line 2, before other orders, "
        "so this row was not read. Sort the file by order_id so that the rows of each "
        "order are next to each other."
    ]
    assert result.errors[0].rows == 1
    assert result.rows == 3


def test_header_case_and_spaces_ignored() -> None:
    text = " Order_ID ,Provider,PAYMENT_ID,tracking_number,carrier\n1,stripe,pi_1,TN,DHL\n"
    assert read_csv_text(text).errors == ()


def test_byte_order_mark_ignored(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + HEADER + "\r\n1,stripe,pi_1,TN,DHL\r\n").encode("utf-8"))
    assert read_csv(path).orders[0].id == "1"


def test_paypal_layout_read() -> None:
    text = (
        "transaction_id,tracking_number,carrier,status\n"
        "4UV25344YR923414N,9400111899560000000000,USPS,SHIPPED\n"
    )
    result = read_csv_text(text)
    assert result.layout is CsvLayout.PAYPAL
    assert result.orders[0].id == "4UV25344YR923414N"
    assert result.orders[0].payments == (
        PaymentRef(provider="paypal", payment_id="4UV25344YR923414N"),
    )


def test_unknown_header_rejected() -> None:
    with pytest.raises(InvalidInputError, match=r"missing: payment_id, tracking_number, carrier"):
        read_csv_text("order_id,provider\n1,paypal\n")


def test_empty_file_rejected() -> None:
    with pytest.raises(InvalidInputError, match="is empty"):
        read_csv_text("")


def test_duplicate_column_rejected() -> None:
    with pytest.raises(InvalidInputError, match=r"\['carrier'\] more than once"):
        read_csv_text(f"{HEADER},carrier\n")


def test_missing_file_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"Cannot read .*missing.csv: No such file"):
        read_csv(tmp_path / "missing.csv")


def test_windows_1252_file_read_with_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(f"{HEADER}\r\n1,stripe,pi_1,TN,Café Post \u2013 Express\r\n".encode("cp1252"))
    result = read_csv(path)
    assert result.orders[0].shipments[0].carrier == "Café Post \u2013 Express"
    assert result.warnings == (
        f"{path} is not UTF-8: line 2 contains the byte 0xE9, so tracksync reads the file "
        "as Windows-1252, the encoding Excel uses on Windows. Save the file as UTF-8 to be "
        "sure of its characters.",
    )
    assert caplog.messages == list(result.warnings)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "1,paypal,CAP1,   ,UPS",
            "Line 2 (order 1): tracking_number is empty; fill it in or remove the row.",
        ),
        (
            "1,square,CAP1,TN,UPS",
            "Line 2 (order 1): provider 'square' is not supported; use one of paypal, stripe.",
        ),
        (
            "1,paypal,CAP-1,TN,UPS",
            "Line 2 (order 1): payment_id 'CAP-1' is not a valid paypal id; PayPal capture ids "
            "contain only letters and digits, such as 8MC585209K746392H. "
            "Remove spaces and punctuation.",
        ),
        (
            "1,stripe,pi 1,TN,UPS",
            "Line 2 (order 1): payment_id 'pi 1' is not a valid stripe id; Stripe ids contain only "
            "letters, digits and underscores, such as pi_3MtwBwLkdIwHu7ix. "
            "Remove spaces and punctuation.",
        ),
        (
            "1,paypal,CAP1," + "9" * 65 + ",UPS",
            "Line 2 (order 1): tracking_number is 65 characters long; tracksync accepts at most "
            "64, PayPal's limit. Put one tracking number per row, not a list or a URL.",
        ),
        (",paypal,CAP1,TN,UPS", "Line 2: order_id is empty; fill it in or remove the row."),
        ("1,paypal,CAP1,TN,", "Line 2 (order 1): carrier is empty; fill it in or remove the row."),
    ],
)
def test_bad_row_message(row: str, message: str) -> None:
    result = read_csv_text(f"{HEADER}\n{row}\n")
    assert [str(error) for error in result.errors] == [message]


def test_bad_row_names_column_and_value() -> None:
    error = read_csv_text(f"{HEADER}\n1,paypal,CAP-1,TN,UPS\n").errors[0]
    assert (error.line, error.column, error.value) == (2, "payment_id", "CAP-1")


def test_bad_row_keeps_others() -> None:
    text = f"{HEADER}\n1,paypal,CAP1,TN1,UPS\n2,paypal,CAP2,,UPS\n3,stripe,pi_3,TN3,DHL\n"
    result = read_csv_text(text)
    assert [order.id for order in result.orders] == ["1", "3"]
    assert [error.line for error in result.errors] == [3]
    assert result.rows == 3


def test_blank_lines_skipped_but_counted() -> None:
    text = f"{HEADER}\n\n1,paypal,CAP1,TN1,UPS\n,,,,\n2,paypal,CAP2,,UPS\n"
    result = read_csv_text(text)
    assert [error.line for error in result.errors] == [5]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("status", "lost", "status 'lost' is not one of SHIPPED, ON_HOLD, DELIVERED, CANCELLED"),
        (
            "shipped_on",
            "02/03/2026",
            "shipped_on '02/03/2026' is not a date; write it as YYYY-MM-DD.",
        ),
        ("notify_buyer", "maybe", "notify_buyer 'maybe' is not true or false"),
        ("country", "GBR", "country 'GBR' is not a two-letter ISO 3166-1 code"),
    ],
)
def test_bad_optional_value(column: str, value: str, message: str) -> None:
    result = read_csv_text(f"{HEADER},{column}\n1,paypal,CAP1,TN,UPS,{value}\n")
    assert message in result.errors[0].message


def test_on_hold_spelled_with_space() -> None:
    result = read_csv_text(f"{HEADER},status\n1,paypal,CAP1,TN,UPS,on hold\n")
    assert result.orders[0].shipments[0].status is ShipmentStatus.ON_HOLD


def test_repeated_identical_row_merged() -> None:
    result = read_csv_text(f"{HEADER}\n1,paypal,CAP1,TN,UPS\n1,paypal,CAP1,TN,UPS\n")
    assert result.errors == ()
    assert len(result.orders[0].shipments) == 1


def test_conflicting_row_rejected() -> None:
    result = read_csv_text(f"{HEADER}\n1,paypal,CAP1,TN,UPS\n1,paypal,CAP1,TN,DHL\n")
    assert result.errors[0].message == (
        "Line 3 (order 1): tracking number TN is also on line 2 with other values; "
        "give each package one row, or make the rows agree."
    )


def test_extra_fields_rejected() -> None:
    result = read_csv_text(f"{HEADER}\n1,paypal,CAP1,TN,Royal Mail, Tracked 48\n")
    assert "more fields than the header" in result.errors[0].message


def test_quoted_comma_accepted() -> None:
    result = read_csv_text(f'{HEADER}\n1,paypal,CAP1,TN,"Royal Mail, Tracked 48"\n')
    assert result.orders[0].shipments[0].carrier == "Royal Mail, Tracked 48"


def test_comma_in_tracking_number_rejected() -> None:
    result = read_csv_text(f'{HEADER}\n1,stripe,pi_1,"TN1,TN2",DHL\n')
    assert result.errors[0].message == (
        "Line 2 (order 1): Tracking number 'TN1,TN2' contains a comma; give each package its "
        "own shipment with one tracking number."
    )


def test_country_message_shows_given_value() -> None:
    result = read_csv_text(f"{HEADER},country\n1,paypal,CAP1,TN,UPS,Germany\n")
    assert result.errors[0].value == "Germany"
    assert "country 'Germany' is not" in result.errors[0].message


def test_lines_of_packages_kept() -> None:
    text = f"{HEADER}\n1,stripe,pi_1,TN1,DHL\n\n1,stripe,pi_1,TN3,DHL\n2,stripe,pi_2,TN2,DHL\n"
    result = read_csv_text(text)
    assert result.line_of("1", "TN3") == 4
    assert result.line_of("2", "TN2") == 5
    assert result.line_of("1", None) == 2
    assert result.line_of("9", "TN1") is None
