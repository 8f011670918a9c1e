"""Mapping the shop's carrier to PayPal's carrier and carrier_name_other, per tracking API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracksync.providers.paypal._apis import Api
from tracksync.providers.paypal._carrier_aliases import V1_TO_ORDERS_V2
from tracksync.providers.paypal._carriers import (
    carrier_code,
    carrier_codes,
    carrier_fields,
    stored_carrier,
)

SHARED = Path(__file__).resolve().parents[4] / "shared"
CARRIERS = SHARED / "providers" / "carriers"
SPECS = SHARED / "specs" / "paypal"
PACKAGE = Path(__file__).resolve().parents[3] / "src" / "tracksync" / "providers" / "paypal"


def published(name: str) -> set[str]:
    lines = (CARRIERS / name).read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip()}


V1_CODES = published("paypal_v1.txt")
ORDERS_V2_CODES = published("paypal_orders_v2.txt")


# The shipped lists


def test_v1_list_matches_published() -> None:
    assert carrier_codes(Api.V1) == V1_CODES


def test_orders_v2_list_matches_published() -> None:
    assert carrier_codes(Api.ORDERS_V2) == ORDERS_V2_CODES


def test_list_sizes() -> None:
    assert (len(carrier_codes(Api.V1)), len(carrier_codes(Api.ORDERS_V2))) == (817, 1276)


def test_v1_list_matches_spec_enum() -> None:
    spec = json.loads((SPECS / "shipping_shipment_tracking_v1.json").read_text(encoding="utf-8"))
    assert carrier_codes(Api.V1) == set(spec["components"]["schemas"]["carrier"]["enum"])


def test_orders_v2_list_matches_spec_enum() -> None:
    spec = json.loads((SPECS / "checkout_orders_v2.json").read_text(encoding="utf-8"))
    enum = spec["components"]["schemas"]["shipment_carrier"]["enum"]
    assert carrier_codes(Api.ORDERS_V2) == set(enum)


@pytest.mark.parametrize("name", ["carriers_v1.txt", "carriers_orders_v2.txt"])
def test_list_header_names_source(name: str) -> None:
    header = (PACKAGE / name).read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("# ")
    assert "paypal-rest-api-specifications" in header
    assert "Apache-2.0" in header
    assert "ec4d8f36" in header


# The translation table


@pytest.mark.parametrize(("v1", "orders_v2"), sorted(V1_TO_ORDERS_V2.items()))
def test_table_entry_in_claimed_lists(v1: str, orders_v2: str) -> None:
    assert (v1 in V1_CODES, v1 in ORDERS_V2_CODES) == (True, False)
    assert (orders_v2 in ORDERS_V2_CODES, orders_v2 in V1_CODES) == (True, False)


def test_table_is_one_to_one() -> None:
    assert len(set(V1_TO_ORDERS_V2.values())) == len(V1_TO_ORDERS_V2)


def test_table_listed_in_diff() -> None:
    diff = (CARRIERS / "paypal_v1_vs_orders_v2_diff.txt").read_text(encoding="utf-8")
    only_v1 = diff.split("## only in v1")[1].split("## only in orders v2")[0].split()
    only_v2 = diff.split("## only in orders v2")[1].split()
    assert set(V1_TO_ORDERS_V2) <= set(only_v1)
    assert set(V1_TO_ORDERS_V2.values()) <= set(only_v2)


@pytest.mark.parametrize(
    ("v1", "orders_v2"),
    [
        ("UK_DPD", "DPD_UK"),
        ("US_ONTRAC", "ONTRAC"),
        ("CA_PUROLATOR", "PUROLATOR"),
        ("ACOMMMERCE", "ACOMMERCE"),
        ("2EBOX", "_2EBOX"),
        ("360LION", "_360LION"),
        ("3JMSLOGISTICS", "_3JMSLOGISTICS"),
        ("4_72", "_4_72"),
        ("6LS", "_6LS"),
    ],
)
def test_known_renames_in_table(v1: str, orders_v2: str) -> None:
    assert V1_TO_ORDERS_V2[v1] == orders_v2


# carrier_code and carrier_fields


@pytest.mark.parametrize("api", list(Api))
@pytest.mark.parametrize("code", ["UPS", "FEDEX", "USPS", "DHL"])
def test_common_code_sent_as_is(code: str, api: Api) -> None:
    assert carrier_fields(code, api) == {"carrier": code}


@pytest.mark.parametrize("code", ["DHL_API", "DPD_UK", "YODEL", "_2EBOX"])
def test_orders_v2_code_sent_to_orders_v2(code: str) -> None:
    assert carrier_fields(code, Api.ORDERS_V2) == {"carrier": code}


@pytest.mark.parametrize("code", ["UK_DPD", "US_ONTRAC", "2EBOX", "ACOMMMERCE"])
def test_v1_code_sent_to_v1(code: str) -> None:
    assert carrier_fields(code, Api.V1) == {"carrier": code}


@pytest.mark.parametrize(
    ("code", "expected"),
    [("UK_DPD", "DPD_UK"), ("US_ONTRAC", "ONTRAC"), ("2EBOX", "_2EBOX"), ("IT_TNT", "TNT_IT")],
)
def test_v1_code_translated_for_orders_v2(code: str, expected: str) -> None:
    assert carrier_fields(code, Api.ORDERS_V2) == {"carrier": expected}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("DPD_UK", "UK_DPD"),
        ("PUROLATOR", "CA_PUROLATOR"),
        ("_6LS", "6LS"),
        ("YAMATO", "JP_KURO_NEKO_YAMATO_UNYUU"),
    ],
)
def test_orders_v2_code_translated_for_v1(code: str, expected: str) -> None:
    assert carrier_fields(code, Api.V1) == {"carrier": expected}


@pytest.mark.parametrize("code", ["DHL_API", "YODEL", "GLS"])
def test_unpaired_v2_code_other_on_v1(code: str) -> None:
    assert carrier_fields(code, Api.V1) == {"carrier": "OTHER", "carrier_name_other": code}


def test_unpaired_v1_code_other_on_v2() -> None:
    expected = {"carrier": "OTHER", "carrier_name_other": "AUS_TOLL"}
    assert carrier_fields("AUS_TOLL", Api.ORDERS_V2) == expected


@pytest.mark.parametrize("api", list(Api))
@pytest.mark.parametrize("name", ["Royal Mail", "ups", "DHL Express", "ACME_POST"])
def test_name_sent_as_other(name: str, api: Api) -> None:
    assert carrier_fields(name, api) == {"carrier": "OTHER", "carrier_name_other": name}


@pytest.mark.parametrize("api", list(Api))
def test_literal_other_allowed(api: Api) -> None:
    assert carrier_fields("OTHER", api) == {"carrier": "OTHER", "carrier_name_other": "OTHER"}


def test_other_has_a_code() -> None:
    assert carrier_code("OTHER", Api.V1) == "OTHER"


def test_unknown_name_has_no_code() -> None:
    assert carrier_code("Royal Mail", Api.ORDERS_V2) is None


def test_long_name_cut_to_64() -> None:
    name = "Kuehne + Nagel " + "x" * 100
    assert name[:64] == carrier_fields(name, Api.V1)["carrier_name_other"]


def test_cut_name_loses_trailing_space() -> None:
    name = "a" * 63 + " tail"
    assert carrier_fields(name, Api.ORDERS_V2)["carrier_name_other"] == "a" * 63


def test_stored_carrier_translates_for_v1() -> None:
    assert stored_carrier("DPD_UK", Api.V1) == "UK_DPD"


def test_stored_carrier_name_for_other() -> None:
    assert stored_carrier("Royal Mail Tracked 48", Api.V1) == "Royal Mail Tracked 48"
