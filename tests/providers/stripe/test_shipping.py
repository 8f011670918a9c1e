"""The shipping hash: packages, carriers, recipients and the exact form bodies sent."""

from __future__ import annotations

from typing import Any

import pytest

from tracksync import Address, InvalidInputError
from tracksync.providers.stripe._form import encode_form
from tracksync.providers.stripe._shipping import (
    Package,
    Recipient,
    StripeShipping,
    carrier_text,
    check_carrier,
    check_field_length,
    choose_recipient,
    parse_packages,
    shipping_params,
    to_address,
)


def form(params: dict[str, Any]) -> str:
    return encode_form(params)


# Packages in the shipping hash.


def shipping(tracking_number: str | None, carrier: str | None) -> StripeShipping:
    return StripeShipping(tracking_number=tracking_number, carrier=carrier)


def test_packages_pair_up() -> None:
    expected = (Package("A1", "UPS"), Package("B2", "DHL"))

    assert expected == parse_packages(shipping("A1, B2", "UPS, DHL"))


def test_packages_single_carrier_for_all() -> None:
    expected = (Package("A1", "UPS"), Package("B2", "UPS"), Package("C3", "UPS"))

    assert expected == parse_packages(shipping("A1,B2, C3", "UPS"))


def test_packages_count_mismatch_no_carrier() -> None:
    expected = (Package("A1", None), Package("B2", None), Package("C3", None))

    assert expected == parse_packages(shipping("A1, B2, C3", "UPS, DHL"))


def test_packages_without_carrier() -> None:
    assert (Package("A1", None), Package("B2", None)) == parse_packages(shipping("A1, B2", None))


def test_packages_skip_empty_parts() -> None:
    expected = (Package("A1", "UPS"), Package("B2", "DHL"))

    assert expected == parse_packages(shipping(" A1 ,, B2, ", "UPS,,DHL,"))


def test_packages_none_without_shipping() -> None:
    assert () == parse_packages(None)


def test_packages_none_without_numbers() -> None:
    assert () == parse_packages(shipping(None, "UPS"))


def test_carrier_text_one_when_equal() -> None:
    assert "UPS" == carrier_text((Package("A1", "UPS"), Package("B2", "UPS")), None)


def test_carrier_text_joined_in_order() -> None:
    packages = (Package("A1", "UPS"), Package("B2", "DHL"), Package("C3", "UPS"))

    assert "UPS, DHL, UPS" == carrier_text(packages, None)


def test_carrier_text_unknown_keeps_stored() -> None:
    packages = (Package("A1", None), Package("B2", None), Package("C3", "UPS"))

    assert "UPS, DHL" == carrier_text(packages, "UPS, DHL")


def test_carrier_text_empty_without_packages() -> None:
    assert "" == carrier_text((), "UPS")


# Addresses and recipients.


def test_address_drops_empty_strings() -> None:
    address = to_address({"line1": "Main St 1", "line2": "", "city": "  ", "country": "US"})

    assert Address(line1="Main St 1", country="US") == address


def test_address_drops_bad_country() -> None:
    address = to_address({"line1": "Main St 1", "country": "usa"})

    assert Address(line1="Main St 1") == address


def test_address_none_when_all_empty() -> None:
    assert to_address({"line1": "", "country": ""}) is None


def test_address_strips_parts() -> None:
    assert Address(city="Berlin") == to_address({"city": " Berlin "})


def test_recipient_from_payment_intent() -> None:
    stored = StripeShipping(name="Jana", address={"line1": "X 1", "country": "de"})
    shop = Address(line1="Shop St 1", country="GB")

    recipient = choose_recipient([stored], "Order Name", shop)

    assert Recipient("Jana", {"line1": "X 1", "country": "de"}) == recipient


def test_recipient_from_shop_fallback() -> None:
    stored = StripeShipping(name="Jana")
    shop = Address(line1="Shop St 1", country="GB")

    recipient = choose_recipient([stored], "Order Name", shop)

    assert Recipient("Order Name", {"line1": "Shop St 1", "country": "GB"}) == recipient


def test_recipient_missing() -> None:
    assert choose_recipient([None], "Order Name", None) is None


def test_recipient_empty_shop_address_missing() -> None:
    assert choose_recipient([None], "Order Name", Address()) is None


# The exact form bodies sent.


RECIPIENT = Recipient(
    "Jana Müller", {"line1": "Friedrichstraße 68", "city": "Berlin", "country": "DE"}
)


def test_body_first_package() -> None:
    params = shipping_params(RECIPIENT, (Package("1Z999", "UPS"),), None)

    expected = (
        "shipping[name]=Jana+M%C3%BCller"
        "&shipping[address][line1]=Friedrichstra%C3%9Fe+68"
        "&shipping[address][city]=Berlin&shipping[address][country]=DE"
        "&shipping[carrier]=UPS&shipping[tracking_number]=1Z999"
    )
    assert expected == form(params)


def test_body_two_carriers_with_phone() -> None:
    packages = (Package("1Z999", "UPS"), Package("JD0146", "DHL"))

    recipient = Recipient(RECIPIENT.name, RECIPIENT.address, "+49 30 1234567")

    params = shipping_params(recipient, packages, "UPS")

    expected = (
        "shipping[name]=Jana+M%C3%BCller"
        "&shipping[address][line1]=Friedrichstra%C3%9Fe+68"
        "&shipping[address][city]=Berlin&shipping[address][country]=DE"
        "&shipping[phone]=%2B49+30+1234567"
        "&shipping[carrier]=UPS%2C+DHL&shipping[tracking_number]=1Z999%2C+JD0146"
    )
    assert expected == form(params)


def test_body_same_carrier_once() -> None:
    packages = (Package("1Z1", "UPS"), Package("1Z2", "UPS"))

    params = shipping_params(Recipient("A", {"line1": "B"}), packages, None)

    expected = (
        "shipping[name]=A&shipping[address][line1]=B"
        "&shipping[carrier]=UPS&shipping[tracking_number]=1Z1%2C+1Z2"
    )
    assert expected == form(params)


def test_body_last_removed_empty_strings() -> None:
    params = shipping_params(Recipient("A", {"line1": "B"}), (), "UPS")

    expected = (
        "shipping[name]=A&shipping[address][line1]=B&shipping[carrier]=&shipping[tracking_number]="
    )
    assert expected == form(params)


def test_body_address_in_fixed_order() -> None:
    recipient = Recipient(
        "A",
        {
            "country": "US",
            "state": "CA",
            "city": "LA",
            "line2": "2",
            "line1": "1",
            "postal_code": "9",
        },
    )

    params = shipping_params(recipient, (), None)

    expected = (
        "shipping[name]=A&shipping[address][line1]=1&shipping[address][line2]=2"
        "&shipping[address][city]=LA&shipping[address][state]=CA"
        "&shipping[address][postal_code]=9&shipping[address][country]=US"
        "&shipping[carrier]=&shipping[tracking_number]="
    )
    assert expected == form(params)


def test_recipient_from_second_source() -> None:
    intent_shipping = StripeShipping(name="Jana")
    charge_shipping = StripeShipping(name="Jana M", address={"line1": "X 1"}, phone="+49 1")

    recipient = choose_recipient([intent_shipping, charge_shipping], "Order Name", None)

    assert Recipient("Jana M", {"line1": "X 1"}, "+49 1") == recipient


def test_recipient_blank_name_skipped() -> None:
    stored = StripeShipping(name="  ", address={"line1": "X 1"})

    assert choose_recipient([stored], None, None) is None


# Values Stripe would reject.


def test_carrier_comma_rejected() -> None:
    with pytest.raises(InvalidInputError) as caught:
        check_carrier("UPS, DHL")

    assert "'UPS, DHL'" in str(caught.value)
    assert "comma" in str(caught.value)


def test_carrier_too_long_rejected() -> None:
    with pytest.raises(InvalidInputError) as caught:
        check_carrier("C" * 5001)

    assert "5001" in str(caught.value)
    assert "5000" in str(caught.value)


def test_carrier_at_limit_accepted() -> None:
    check_carrier("C" * 5000)


def test_joined_value_too_long() -> None:
    with pytest.raises(InvalidInputError) as caught:
        check_field_length("1" * 5001, "tracking_number", "Charge ch_1")

    assert str(caught.value).startswith("Charge ch_1 would get a shipping.tracking_number")
