"""Mapping the shop's carrier to PayPal's carrier and carrier_name_other."""

from __future__ import annotations

import pytest

from tracksync.providers.paypal._carriers import carrier_fields


@pytest.mark.parametrize("code", ["UPS", "FEDEX", "DHL_API", "DPD_UK", "4PX"])
def test_code_sent_as_carrier(code: str) -> None:
    assert carrier_fields(code) == {"carrier": code}


@pytest.mark.parametrize("name", ["Royal Mail", "ups", "DHL Express", "La Poste-Colissimo"])
def test_name_sent_as_other(name: str) -> None:
    assert carrier_fields(name) == {"carrier": "OTHER", "carrier_name_other": name}


def test_literal_other_sent_as_other() -> None:
    assert carrier_fields("OTHER") == {"carrier": "OTHER", "carrier_name_other": "OTHER"}


def test_long_name_cut_to_64() -> None:
    name = "Kuehne + Nagel " + "x" * 100
    assert name[:64] == carrier_fields(name)["carrier_name_other"]


def test_cut_name_loses_trailing_space() -> None:
    name = "a" * 63 + " tail"
    assert carrier_fields(name)["carrier_name_other"] == "a" * 63
