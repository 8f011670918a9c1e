"""CSV files as Excel and other spreadsheets write them: separators, encodings, quoting."""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

import pytest

from tracksync.sources import MAX_FIELD_LENGTH, read_csv, read_orders

HEADER = "order_id,provider,payment_id,tracking_number,carrier"


def write(tmp_path: Path, data: bytes, name: str = "orders.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_semicolon_separator_detected(tmp_path: Path) -> None:
    text = HEADER.replace(",", ";") + '\r\n1;stripe;pi_1;TN1;"DHL; Express"\r\n'
    result = read_csv(write(tmp_path, text.encode()))
    assert result.errors == ()
    assert result.orders[0].shipments[0].carrier == "DHL; Express"


def test_excel_sep_line_names_separator(tmp_path: Path) -> None:
    text = "sep=;\r\n" + HEADER.replace(",", ";") + "\r\n1;stripe;pi_1;TN1;DHL\r\n"
    result = read_csv(write(tmp_path, text.encode()))
    assert result.orders[0].id == "1"
    assert result.line_of("1", "TN1") == 3


def test_tab_separated_utf16_read(tmp_path: Path) -> None:
    text = HEADER.replace(",", "\t") + "\r\n1\tstripe\tpi_1\tTN1\tPoste Française\r\n"
    result = read_csv(write(tmp_path, codecs.BOM_UTF16_LE + text.encode("utf-16-le")))
    assert result.errors == ()
    assert result.orders[0].shipments[0].carrier == "Poste Française"


def test_trailing_empty_columns_ignored(tmp_path: Path) -> None:
    text = f"{HEADER},,,\r\n1,stripe,pi_1,TN1,DHL,,,\r\n2,stripe,pi_2,TN2,DHL,,,,,\r\n"
    result = read_csv(write(tmp_path, text.encode()))
    assert result.errors == ()
    assert [order.id for order in result.orders] == ["1", "2"]


def test_non_empty_extra_field_rejected(tmp_path: Path) -> None:
    text = f"{HEADER}\n1,stripe,pi_1,TN1,DHL,,surplus\n"
    error = read_csv(write(tmp_path, text.encode())).errors[0]
    assert error.message == (
        "Line 2 (order 1): the row has more fields than the header; quote values that "
        "contain commas."
    )
    assert error.value == "surplus"


def test_semicolon_extra_field_names_semicolons(tmp_path: Path) -> None:
    text = HEADER.replace(",", ";") + "\n1;stripe;pi_1;TN1;DHL;Express\n"
    error = read_csv(write(tmp_path, text.encode())).errors[0]
    assert error.message.endswith("quote values that contain semicolons.")


def test_multi_line_cell_keeps_line_numbers(tmp_path: Path) -> None:
    text = (
        f"{HEADER},recipient_name\r\n"
        '1,stripe,pi_1,TN1,DHL,"Mara\r\nQuill\r\nc/o Front Desk"\r\n'
        "2,stripe,pi_2,,DHL,Tobias\r\n"
    )
    result = read_csv(write(tmp_path, text.encode()))
    assert result.orders[0].recipient_name == "Mara\r\nQuill\r\nc/o Front Desk"
    assert result.line_of("1", "TN1") == 2
    assert [error.line for error in result.errors] == [5]


def test_field_over_excel_limit_reported(tmp_path: Path) -> None:
    long_value = "x" * (MAX_FIELD_LENGTH + 1)
    text = f'{HEADER}\n1,stripe,pi_1,TN1,"{long_value}"\n2,stripe,pi_2,TN2,DHL\n'
    result = read_csv(write(tmp_path, text.encode()))
    assert [order.id for order in result.orders] == ["2"]
    error = result.errors[0]
    assert error.message == (
        "Line 2 (order 1): carrier is 32,768 characters long; tracksync reads at most "
        "32,767, the maximum length of an Excel cell. Check the quotes of this row."
    )
    assert (error.column, len(error.value or "")) == ("carrier", 100)


def test_field_over_csv_limit_skips_record(tmp_path: Path) -> None:
    huge = "y\n" * (csv.field_size_limit() // 2 + 10)
    text = f'{HEADER}\n1,stripe,pi_1,TN1,"{huge}"\n2,stripe,pi_2,TN2,DHL\n'
    result = read_csv(write(tmp_path, text.encode()))
    assert [order.id for order in result.orders] == ["2"]
    assert result.line_of("2", "TN2") == huge.count("\n") + 3
    assert result.errors[0].line == 2
    limit = f"longer than the {csv.field_size_limit():,} characters the csv module reads"
    assert limit in result.errors[0].message
    assert result.rows == 2


def test_unclosed_quote_reported(tmp_path: Path) -> None:
    text = f'{HEADER}\n1,stripe,pi_1,TN1,DHL\n2,stripe,pi_2,TN2,"DHL\n3,stripe,pi_3,TN3,DHL\n'
    result = read_csv(write(tmp_path, text.encode()))
    assert [order.id for order in result.orders] == ["1"]
    assert result.errors[0].message == (
        "Line 3: a quoted value opened on this row is never closed, so lines 3 to 4 were "
        'read as one row. Close the quote (a quote inside a quoted value is written "").'
    )


def test_quote_inside_unquoted_value_kept(tmp_path: Path) -> None:
    text = f'{HEADER}\n1,stripe,pi_1,TN1,12" box post\n'
    result = read_csv(write(tmp_path, text.encode()))
    assert result.orders[0].shipments[0].carrier == '12" box post'


def test_nul_character_reported(tmp_path: Path) -> None:
    text = f"{HEADER}\n1,stripe,pi_1,TN1,D\0HL\n2,stripe,pi_2,TN2,DHL\n"
    result = read_csv(write(tmp_path, text.encode()))
    assert [order.id for order in result.orders] == ["2"]
    assert result.errors[0].line == 2
    assert "NUL character" in result.errors[0].message


def test_utf8_with_bom_and_crlf(tmp_path: Path) -> None:
    data = codecs.BOM_UTF8 + f"{HEADER}\r\n1,stripe,pi_1,TN1,Zustellung Süd\r\n".encode()
    result = read_csv(write(tmp_path, data))
    assert result.orders[0].shipments[0].carrier == "Zustellung Süd"
    assert result.warnings == ()


def test_latin1_when_windows_1252_undefined(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = f"{HEADER}\n1,stripe,pi_1,TN1,Café\n".encode("latin-1") + b"2,stripe,pi_2,TN\x81,X\n"
    path = write(tmp_path, data)
    result = read_orders(path)
    assert result.orders[0].shipments[0].carrier == "Café"
    assert result.orders[1].shipments[0].tracking_number == "TN\x81"
    assert result.warnings == (
        f"{path} is not UTF-8: line 2 contains the byte 0xE9, so tracksync reads the file "
        "as Latin-1. Save the file as UTF-8 to be sure of its characters.",
    )
    assert caplog.messages == list(result.warnings)


def test_utf8_then_windows_1252_read_as_one_encoding(tmp_path: Path) -> None:
    data = f"{HEADER}\n1,stripe,pi_1,TN1,Ä\n".encode() + b"2,stripe,pi_2,TN2,\xe9\n"
    result = read_orders(write(tmp_path, data))
    assert result.errors == ()
    assert result.orders[1].shipments[0].carrier == "é"
    assert "line 3 contains the byte 0xE9" in result.warnings[0]


def test_blank_and_whitespace_rows_not_counted(tmp_path: Path) -> None:
    text = f"{HEADER}\r\n\r\n  ,  , ,,\r\n1,stripe,pi_1,TN1,DHL\r\n\r\n"
    result = read_csv(write(tmp_path, text.encode()))
    assert result.rows == 1
    assert result.line_of("1", "TN1") == 4
