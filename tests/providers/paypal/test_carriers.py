"""The carrier and carrier_name_other fields the PayPal adapter sends, per tracking API."""

from __future__ import annotations

import pytest

from tracksync.carriers import Overrides
from tracksync.providers.paypal._apis import Api
from tracksync.providers.paypal._carriers import carrier_fields, stored_carrier


@pytest.mark.parametrize("api", list(Api))
@pytest.mark.parametrize("code", ["UPS", "FEDEX", "USPS", "DHL"])
def test_common_code_sent_as_is(code: str, api: Api) -> None:
    assert carrier_fields(code, api) == {"carrier": code}


@pytest.mark.parametrize(
    ("code", "expected"),
    [("UK_DPD", "DPD_UK"), ("US_ONTRAC", "ONTRAC"), ("2EBOX", "_2EBOX"), ("IT_TNT", "TNT_IT")],
)
def test_v1_code_translated_for_orders_v2(code: str, expected: str) -> None:
    assert carrier_fields(code, Api.ORDERS_V2) == {"carrier": expected}


@pytest.mark.parametrize(
    ("code", "expected"),
    [("DPD_UK", "UK_DPD"), ("PUROLATOR", "CA_PUROLATOR"), ("_6LS", "6LS"), ("YODEL", "UK_YODEL")],
)
def test_orders_v2_code_translated_for_v1(code: str, expected: str) -> None:
    assert carrier_fields(code, Api.V1) == {"carrier": expected}


def test_unpaired_v1_code_other_on_v2() -> None:
    expected = {"carrier": "OTHER", "carrier_name_other": "AUS_TOLL"}
    assert carrier_fields("AUS_TOLL", Api.ORDERS_V2) == expected


@pytest.mark.parametrize("api", list(Api))
@pytest.mark.parametrize(
    ("name", "code"),
    [("Royal Mail", "ROYAL_MAIL"), ("Royal Mail Tracked 48", "ROYAL_MAIL"), ("ups", "UPS")],
)
def test_known_name_gets_code(name: str, code: str, api: Api) -> None:
    assert carrier_fields(name, api) == {"carrier": code}


def test_code_missing_in_v1_sends_display_name() -> None:
    expected = {"carrier": "OTHER", "carrier_name_other": "DHL Paket"}
    assert carrier_fields("dhl paket", Api.V1) == expected


@pytest.mark.parametrize("api", list(Api))
@pytest.mark.parametrize("name", ["ACME_POST", "Kurier Nowak"])
def test_unknown_name_sent_as_other(name: str, api: Api) -> None:
    assert carrier_fields(name, api) == {"carrier": "OTHER", "carrier_name_other": name}


@pytest.mark.parametrize("api", list(Api))
def test_literal_other_allowed(api: Api) -> None:
    assert carrier_fields("OTHER", api) == {"carrier": "OTHER", "carrier_name_other": "OTHER"}


def test_long_name_cut_to_64() -> None:
    name = "Kuehne Nagel Overland " + "x" * 100
    assert carrier_fields(name, Api.V1)["carrier_name_other"] == name[:64]


def test_tracking_number_picks_shared_brand() -> None:
    fields = carrier_fields("DHL", Api.V1, tracking_number="1Z999AA10123456784")
    assert fields == {"carrier": "DHL"}


def test_override_applied_first() -> None:
    overrides = Overrides({"Our courier": "royal-mail"})
    assert carrier_fields("Our courier", Api.V1, overrides=overrides) == {"carrier": "ROYAL_MAIL"}


def test_stored_carrier_translates_for_v1() -> None:
    assert stored_carrier("DPD_UK", Api.V1) == "UK_DPD"


def test_stored_carrier_name_for_other() -> None:
    assert stored_carrier("Kurier Nowak", Api.V1) == "Kurier Nowak"


def test_stored_carrier_stable() -> None:
    for text in ["Royal Mail Tracked 48", "dhl paket", "Kurier Nowak", "DPD_UK"]:
        for api in Api:
            once = stored_carrier(text, api)
            assert stored_carrier(once, api) == once
