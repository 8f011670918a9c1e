"""Stripe's ``shipping`` hash and the packages tracksync keeps in it.

Stripe stores one ``carrier`` and one ``tracking_number`` per PaymentIntent or Charge. Its
OpenAPI spec describes ``tracking_number`` with "If multiple tracking numbers were generated
for this purchase, please separate them with commas." So tracksync keeps every package of
a payment in those two fields. The numbers are joined with ", ", and ``carrier`` contains
either one carrier for all of them or one per number in the same order. Everything here
is pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import attrs

from ..._models import Address
from ...errors import InvalidInputError
from ._form import FormValue

__all__ = [
    "ADDRESS_FIELDS",
    "MAX_FIELD_LENGTH",
    "Package",
    "Recipient",
    "StripeShipping",
    "address_parts",
    "carrier_text",
    "check_carrier",
    "check_field_length",
    "check_no_comma",
    "choose_recipient",
    "parse_packages",
    "shipping_params",
    "split_list",
    "to_address",
    "tracking_number_text",
]

#: The parts of Stripe's ``address`` hash, in the order tracksync sends them.
ADDRESS_FIELDS = ("line1", "line2", "city", "state", "postal_code", "country")

#: Stripe's maximum length for each string in ``shipping`` (its OpenAPI spec, 2023-08-16).
MAX_FIELD_LENGTH = 5000

_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")


@attrs.frozen(kw_only=True)
class StripeShipping:
    """A PaymentIntent's or Charge's ``shipping`` hash as Stripe returned it.

    Missing, null and non-string values are None. ``address`` contains only the parts that
    are non-empty strings, under Stripe's names, with Stripe's spelling.
    """

    name: str | None = None
    phone: str | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    address: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Package:
    """One tracking number in the ``shipping`` hash, with its carrier when that is known."""

    tracking_number: str
    carrier: str | None


@attrs.frozen
class Recipient:
    """The name and address sent with every shipping update, and the phone kept with them."""

    name: str
    address: Mapping[str, str]
    phone: str | None = None


def split_list(value: str | None) -> list[str]:
    """Split a comma-separated field, strip each part and skip empty parts."""
    if not value:
        return []
    parts = (part.strip() for part in value.split(","))
    return [part for part in parts if part]


def parse_packages(shipping: StripeShipping | None) -> tuple[Package, ...]:
    """Pair the tracking numbers with carriers.

    The carriers pair up with the numbers when there are as many of each. A single carrier
    applies to every number. Any other count gives no carrier for any number, because the
    pairing cannot be known.
    """
    if shipping is None:
        return ()
    numbers = split_list(shipping.tracking_number)
    carriers = split_list(shipping.carrier)
    if len(carriers) == len(numbers):
        return tuple(
            Package(number, carrier) for number, carrier in zip(numbers, carriers, strict=True)
        )
    if len(carriers) == 1:
        return tuple(Package(number, carriers[0]) for number in numbers)
    return tuple(Package(number, None) for number in numbers)


def carrier_text(packages: Sequence[Package], stored: str | None) -> str:
    """Build the ``carrier`` value for the packages.

    One carrier when all packages share it, otherwise one per package joined with ", ".
    When any package's carrier is unknown, the stored value is returned unchanged,
    because rewriting it would pair carriers with the wrong numbers.
    """
    if not packages:
        return ""
    carriers = [package.carrier for package in packages]
    known = [carrier for carrier in carriers if carrier is not None]
    if len(known) < len(carriers):
        return stored or ""
    if len(set(known)) == 1:
        return known[0]
    return ", ".join(known)


def tracking_number_text(packages: Sequence[Package]) -> str:
    """Join the packages' tracking numbers with ", "."""
    return ", ".join(package.tracking_number for package in packages)


def check_no_comma(value: str, field_label: str) -> None:
    """Raise InvalidInputError when a value would split into two in a comma list."""
    if "," in value:
        raise InvalidInputError(
            f"The {field_label} {value!r} contains a comma. Stripe keeps all of a payment's "
            f"{field_label}s in one comma-separated field, so remove the comma from the value."
        )


def check_carrier(carrier: str) -> None:
    """Raise InvalidInputError when Stripe would reject the carrier or split it in two.

    A carrier may not contain a comma, because the carriers of a payment's packages are
    joined with commas, and may not be longer than ``shipping.carrier`` allows by itself.
    """
    check_no_comma(carrier, "carrier")
    if len(carrier) > MAX_FIELD_LENGTH:
        raise InvalidInputError(
            f"The carrier {carrier[:40]!r}... is {len(carrier)} characters long, but Stripe "
            f"accepts at most {MAX_FIELD_LENGTH} in shipping.carrier. Give the carrier's name."
        )


def check_field_length(value: str, field: str, object_name: str) -> None:
    """Raise InvalidInputError when a shipping field is longer than Stripe accepts.

    ``object_name`` names the Stripe object in the message, such as ``"Charge ch_1"``.
    """
    if len(value) > MAX_FIELD_LENGTH:
        raise InvalidInputError(
            f"{object_name} would get a shipping.{field} of {len(value)} characters, but "
            f"Stripe accepts at most {MAX_FIELD_LENGTH}. Remove packages that are no "
            "longer needed from the order."
        )


def to_address(parts: Mapping[str, str]) -> Address | None:
    """Build an Address from Stripe's address parts, or None when no part is usable.

    Parts are stripped and empty ones skipped. A country that is not two capital letters
    is skipped rather than rejected, because Stripe returns the value as it was stored.
    """
    values: dict[str, str] = {}
    for field in ADDRESS_FIELDS:
        value = parts.get(field, "").strip()
        if not value:
            continue
        if field == "country" and not _COUNTRY_CODE.match(value):
            continue
        values[field] = value
    if not values:
        return None
    return Address(**values)


def address_parts(address: Address | None) -> dict[str, str]:
    """Return the non-empty parts of an Address under Stripe's names."""
    if address is None:
        return {}
    parts = {field: getattr(address, field) for field in ADDRESS_FIELDS}
    return {field: value for field, value in parts.items() if value}


def choose_recipient(
    shippings: Sequence[StripeShipping | None], name: str | None, address: Address | None
) -> Recipient | None:
    """Pick the name and address to send with a shipping update.

    The first Stripe shipping hash with both a name and a usable address wins, and its
    address and phone are resent as Stripe stored them. Otherwise the shop's name and
    address are used when both are given. None means no side has both.
    """
    for shipping in shippings:
        if shipping is None or not shipping.name or not shipping.name.strip():
            continue
        if to_address(shipping.address) is not None:
            return Recipient(shipping.name, dict(shipping.address), shipping.phone)
    shop_parts = address_parts(address)
    if name and shop_parts:
        return Recipient(name, shop_parts)
    return None


def shipping_params(
    recipient: Recipient, packages: Sequence[Package], stored_carrier: str | None
) -> dict[str, FormValue]:
    """Build the full ``shipping`` hash to send.

    Stripe requires ``name`` and ``address`` whenever ``shipping`` is sent, and tracksync
    also resends the phone rather than rely on which omitted fields Stripe keeps. With no
    packages left, ``carrier`` and ``tracking_number`` are sent as empty strings.
    """
    address: dict[str, FormValue] = {
        field: recipient.address[field] for field in ADDRESS_FIELDS if field in recipient.address
    }
    shipping: dict[str, FormValue] = {"name": recipient.name, "address": address}
    if recipient.phone:
        shipping["phone"] = recipient.phone
    shipping["carrier"] = carrier_text(packages, stored_carrier)
    shipping["tracking_number"] = tracking_number_text(packages)
    return {"shipping": shipping}
