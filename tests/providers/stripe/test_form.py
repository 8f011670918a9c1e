"""Form encoding with bracket nesting, as Stripe's v1 API reads it."""

from __future__ import annotations

import urllib.parse

from tracksync.providers.stripe._form import FormValue, encode_form


def test_flat_strings() -> None:
    assert "a=1&b=two" == encode_form({"a": "1", "b": "two"})


def test_keeps_insertion_order() -> None:
    assert "z=1&a=2&m=3" == encode_form({"z": "1", "a": "2", "m": "3"})


def test_nested_brackets_unescaped() -> None:
    params: dict[str, FormValue] = {
        "shipping": {
            "name": "A",
            "address": {"line1": "B"},
            "carrier": "UPS",
            "tracking_number": "1Z999",
        }
    }

    expected = (
        "shipping[name]=A&shipping[address][line1]=B"
        "&shipping[carrier]=UPS&shipping[tracking_number]=1Z999"
    )
    assert expected == encode_form(params)


def test_spaces_as_plus() -> None:
    assert "name=Jana+M%C3%BCller" == encode_form({"name": "Jana Müller"})


def test_unicode_as_utf8() -> None:
    assert "city=%E6%9D%B1%E4%BA%AC" == encode_form({"city": "東京"})


def test_ampersand_and_equals_escaped() -> None:
    assert "note=a%26b%3Dc" == encode_form({"note": "a&b=c"})


def test_brackets_in_values_escaped() -> None:
    assert "note=%5Bx%5D" == encode_form({"note": "[x]"})


def test_comma_escaped() -> None:
    assert "tracking_number=1Z1%2C+1Z2" == encode_form({"tracking_number": "1Z1, 1Z2"})


def test_empty_string_kept() -> None:
    params = {"shipping": {"carrier": "", "tracking_number": ""}}

    assert "shipping[carrier]=&shipping[tracking_number]=" == encode_form(params)


def test_none_skipped() -> None:
    assert "a=1" == encode_form({"a": "1", "b": None, "c": {"d": None}})


def test_booleans_lowercase() -> None:
    assert "submit=false&capture=true" == encode_form({"submit": False, "capture": True})


def test_integers_as_text() -> None:
    assert "amount=4200" == encode_form({"amount": 4200})


def test_lists_indexed() -> None:
    assert "expand[0]=customer&expand[1]=latest_charge" == encode_form(
        {"expand": ["customer", "latest_charge"]}
    )


def test_list_of_mappings() -> None:
    params: dict[str, FormValue] = {"items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}]}

    expected = "items[0][sku]=A&items[0][qty]=1&items[1][sku]=B&items[1][qty]=2"
    assert expected == encode_form(params)


def test_key_characters_escaped() -> None:
    assert "metadata[order+id]=1%262" == encode_form({"metadata": {"order id": "1&2"}})


def test_empty_mapping_sends_nothing() -> None:
    assert "" == encode_form({})


def test_round_trip_with_parse_qsl() -> None:
    params = {"shipping": {"name": "O'Brien & Söhne = 100%", "carrier": "La Poste"}}

    decoded = urllib.parse.parse_qsl(encode_form(params), keep_blank_values=True)

    expected = [
        ("shipping[name]", "O'Brien & Söhne = 100%"),
        ("shipping[carrier]", "La Poste"),
    ]
    assert expected == decoded
