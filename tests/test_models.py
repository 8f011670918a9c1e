from __future__ import annotations

import datetime
import enum

import attrs
import pytest

from tracksync import (
    Address,
    InvalidInputError,
    Item,
    Order,
    PaymentRef,
    Shipment,
    ShipmentStatus,
)


def make_shipment(**changes: object) -> Shipment:
    values: dict[str, object] = {"tracking_number": "1Z999AA10123456784", "carrier": "UPS"}
    values.update(changes)
    return Shipment(**values)  # type: ignore[arg-type]


def test_shipment_defaults() -> None:
    shipment = make_shipment()
    assert shipment.status is ShipmentStatus.SHIPPED
    assert shipment.items == ()
    assert shipment.notify_buyer is False


def test_shipment_is_frozen() -> None:
    shipment = make_shipment()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        shipment.carrier = "DHL"  # type: ignore[misc]


@pytest.mark.parametrize("number", ["", "   ", " 1Z9", "1Z9 "])
def test_tracking_number_blank_or_padded(number: str) -> None:
    with pytest.raises(InvalidInputError, match="tracking_number"):
        make_shipment(tracking_number=number)


def test_tracking_number_too_long() -> None:
    with pytest.raises(InvalidInputError, match="65 characters long; tracksync accepts at most 64"):
        make_shipment(tracking_number="9" * 65)


class CarrierCode(str, enum.Enum):
    UPS = "UPS"


class Text(str):
    pass


def test_str_subclasses_accepted() -> None:
    shipment = make_shipment(carrier=CarrierCode.UPS, tracking_number=Text("1Z999"))
    assert shipment.carrier == "UPS"
    assert shipment.tracking_number == "1Z999"
    payment = PaymentRef(provider="paypal", payment_id=Text("CAP1"), account=Text("eu"))
    assert payment.payment_id == "CAP1"
    assert Order(id=Text("1"), payments=[payment], shipments=[shipment]).id == "1"
    assert Item(name=Text("Mug")).name == "Mug"


def test_str_subclass_too_long() -> None:
    with pytest.raises(InvalidInputError, match="65 characters long"):
        make_shipment(tracking_number=Text("9" * 65))


def test_str_subclass_padded() -> None:
    with pytest.raises(InvalidInputError, match="leading or trailing white space"):
        make_shipment(carrier=Text(" UPS"))


def test_tracking_number_at_limit() -> None:
    assert make_shipment(tracking_number="9" * 64).tracking_number == "9" * 64


def test_shipped_on_rejects_datetime() -> None:
    with pytest.raises(InvalidInputError, match=r"datetime\.date without a time"):
        make_shipment(shipped_on=datetime.datetime(2026, 3, 2, 10, 0))


def test_shipped_on_accepts_date() -> None:
    assert make_shipment(shipped_on=datetime.date(2026, 3, 2)).shipped_on == datetime.date(
        2026, 3, 2
    )


def test_items_list_becomes_tuple() -> None:
    shipment = make_shipment(items=[Item(name="T-shirt", sku="TEE-M", quantity=2)])
    assert shipment.items == (Item(name="T-shirt", sku="TEE-M", quantity=2),)


@pytest.mark.parametrize("quantity", [0, -1, True, 1.5])
def test_item_quantity_invalid(quantity: object) -> None:
    with pytest.raises(InvalidInputError, match="whole number of 1 or more"):
        Item(name="T-shirt", quantity=quantity)  # type: ignore[arg-type]


@pytest.mark.parametrize("country", ["gb", "GBR", "U1"])
def test_address_country_invalid(country: str) -> None:
    with pytest.raises(InvalidInputError, match="ISO 3166-1 alpha-2"):
        Address(country=country)


@pytest.mark.parametrize("provider", ["PayPal", "", "pay pal"])
def test_payment_provider_invalid(provider: str) -> None:
    with pytest.raises(InvalidInputError, match="lower-case name"):
        PaymentRef(provider=provider, payment_id="X")


def test_payment_str_names_account() -> None:
    payment = PaymentRef(provider="paypal", payment_id="8MC585209K746392H", account="eu")
    assert str(payment) == "paypal payment 8MC585209K746392H (account eu)"


def test_order_rejects_duplicate_tracking_number() -> None:
    with pytest.raises(InvalidInputError, match="twice; merge the two shipments"):
        Order(
            id="1001",
            payments=[PaymentRef(provider="paypal", payment_id="X")],
            shipments=[make_shipment(), make_shipment(carrier="DHL")],
        )


def test_order_rejects_duplicate_payment() -> None:
    payment = PaymentRef(provider="stripe", payment_id="pi_1")
    with pytest.raises(InvalidInputError, match="lists stripe payment pi_1 twice"):
        Order(id="1001", payments=[payment, payment], shipments=[])


def test_invalid_input_is_value_error() -> None:
    with pytest.raises(ValueError):
        make_shipment(tracking_number="")


def test_tracking_number_with_comma() -> None:
    with pytest.raises(InvalidInputError, match="contains a comma; give each package its own"):
        make_shipment(tracking_number="1Z1,1Z2")


@pytest.mark.parametrize("text", ["DELIVERED", "delivered", " Delivered "])
def test_status_name_converted(text: str) -> None:
    assert make_shipment(status=text).status is ShipmentStatus.DELIVERED


@pytest.mark.parametrize("status", ["bogus", 3, None])
def test_status_invalid(status: object) -> None:
    with pytest.raises(InvalidInputError, match="is not one of SHIPPED, ON_HOLD"):
        make_shipment(status=status)


@pytest.mark.parametrize("flag", ["false", 0, None])
def test_notify_buyer_not_bool(flag: object) -> None:
    with pytest.raises(InvalidInputError, match="give True or False"):
        make_shipment(notify_buyer=flag)
