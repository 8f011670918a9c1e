"""Read single values the way every input format needs them.

Each function raises :class:`RowInvalid` naming the column, the value and the fix, so that
a reader can report the row and go on.
"""

from __future__ import annotations

import datetime
import re
import urllib.parse
from collections.abc import Mapping

from .._models import (
    MAX_TRACKING_NUMBER_LENGTH,
    PAYPAL,
    STRIPE,
    Address,
    Item,
    Shipment,
    ShipmentStatus,
)
from ..errors import InvalidInputError
from ._records import shorten
from ._tabular import RowInvalid

__all__ = [
    "PROVIDERS",
    "carrier_from_link",
    "check_payment_id",
    "gateway_provider",
    "make_address",
    "make_item",
    "make_shipment",
    "parse_date",
    "parse_flag",
    "parse_status",
    "required",
    "text_of",
]

PROVIDERS = (PAYPAL, STRIPE)

# PayPal capture ids are letters and digits only; Stripe ids add underscores (pi_...).
_PAYMENT_ID_PATTERNS = {
    PAYPAL: re.compile(r"^[A-Za-z0-9]+$"),
    STRIPE: re.compile(r"^[A-Za-z0-9_]+$"),
}
_PAYMENT_ID_RULES = {
    PAYPAL: "PayPal capture ids contain only letters and digits, such as 8MC585209K746392H",
    STRIPE: "Stripe ids contain only letters, digits and underscores, such as pi_3MtwBwLkdIwHu7ix",
}

#: Ids that name their gateway by their form: a PayPal capture id has 17 capital letters
#: and digits; Stripe PaymentIntent and Charge ids start with pi_, ch_ or py_.
_GATEWAY_IDS = (
    (PAYPAL, re.compile(r"^[A-Z0-9]{17}$")),
    (STRIPE, re.compile(r"^(?:pi|ch|py)_[A-Za-z0-9]+$")),
)

_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0", ""}
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s.*)?$")
_ISO_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$")


def text_of(value: object, column: str) -> str:
    """Return a JSON or XML value as stripped text; None becomes ''.

    Raises:
        RowInvalid: the value is a list or an object.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value).strip()
    kind = "a list" if isinstance(value, list) else "an object"
    raise RowInvalid(
        column, shorten(str(value), 100), f"{column} is {kind}; give it as text or a number."
    )


def required(row: Mapping[str, str], column: str, *, label: str | None = None) -> str:
    """Return a column's value, or raise RowInvalid when it is empty."""
    value = row.get(column, "")
    if not value:
        name = label or column
        raise RowInvalid(name, value, f"{name} is empty; fill it in or remove the row.")
    return value


def gateway_provider(payment_id: str) -> str | None:
    """Return the provider whose id form the value has, or None."""
    for provider, pattern in _GATEWAY_IDS:
        if pattern.match(payment_id):
            return provider
    return None


def check_payment_id(provider: str, payment_id: str, *, column: str = "payment_id") -> None:
    """Raise RowInvalid when a payment id has characters that the provider never uses."""
    if not _PAYMENT_ID_PATTERNS[provider].match(payment_id):
        raise RowInvalid(
            column,
            payment_id,
            f"{column} {payment_id!r} is not a valid {provider} id; "
            f"{_PAYMENT_ID_RULES[provider]}. Remove spaces and punctuation.",
        )


def make_shipment(
    tracking_number: str,
    carrier: str,
    *,
    number_column: str = "tracking_number",
    status: ShipmentStatus = ShipmentStatus.SHIPPED,
    shipped_on: datetime.date | None = None,
    notify_buyer: bool = False,
    items: tuple[Item, ...] = (),
) -> Shipment:
    """Build a Shipment, turning the model's checks into RowInvalid."""
    if len(tracking_number) > MAX_TRACKING_NUMBER_LENGTH:
        raise RowInvalid(
            number_column,
            tracking_number,
            f"{number_column} is {len(tracking_number)} characters long; tracksync accepts at "
            f"most {MAX_TRACKING_NUMBER_LENGTH}, PayPal's limit. Put one tracking number per "
            "row, not a list or a URL.",
        )
    try:
        return Shipment(
            tracking_number=tracking_number,
            carrier=carrier,
            status=status,
            shipped_on=shipped_on,
            notify_buyer=notify_buyer,
            items=items,
        )
    except InvalidInputError as exc:
        raise RowInvalid(None, None, str(exc)) from exc


def make_item(name: str, quantity: str, sku: str, *, column: str) -> Item | None:
    """Build an Item from text, or return None when it has no name."""
    if not name:
        return None
    try:
        count = int(quantity) if quantity else 1
    except ValueError:
        raise RowInvalid(
            column, quantity, f"{column} {quantity!r} is not a whole number of items."
        ) from None
    try:
        return Item(name=name, quantity=count, sku=sku or None)
    except InvalidInputError as exc:
        raise RowInvalid(column, quantity, str(exc)) from exc


def parse_status(value: str, *, column: str = "status") -> ShipmentStatus:
    """Read a status such as ``delivered`` or ``on hold``; empty means SHIPPED."""
    if not value:
        return ShipmentStatus.SHIPPED
    normalised = value.upper().replace(" ", "_").replace("-", "_")
    try:
        return ShipmentStatus(normalised)
    except ValueError:
        allowed = ", ".join(status.value for status in ShipmentStatus)
        raise RowInvalid(
            column,
            value,
            f"{column} {value!r} is not one of {allowed}; leave it empty for SHIPPED.",
        ) from None


def parse_date(
    value: str, *, column: str = "shipped_on", us_dates: bool = False, timestamps: bool = False
) -> datetime.date | None:
    """Read a date written as ``YYYY-MM-DD``, or as an ISO date and time.

    ``us_dates`` also accepts ``MM/DD/YYYY`` (ShipStation), and ``timestamps`` accepts Unix
    timestamps in seconds, read as UTC dates (WooCommerce).
    """
    if not value:
        return None
    try:
        if timestamps and value.isdigit():
            moment = datetime.datetime.fromtimestamp(int(value), tz=datetime.timezone.utc)
            return moment.date()
        us_date = _US_DATE.match(value) if us_dates else None
        if us_date:
            month, day, year = (int(part) for part in us_date.groups())
            return datetime.date(year, month, day)
        iso = _ISO_DATE_PREFIX.match(value)
        if iso:
            return datetime.date.fromisoformat(iso.group(1))
    except (ValueError, OverflowError, OSError):
        pass
    forms = ["YYYY-MM-DD"]
    if us_dates:
        forms.append("MM/DD/YYYY")
    if timestamps:
        forms.append("a Unix timestamp")
    raise RowInvalid(
        column, value, f"{column} {value!r} is not a date; write it as {' or '.join(forms)}."
    )


def parse_flag(value: str, *, column: str = "notify_buyer") -> bool:
    """Read true/false, yes/no, y/n or 1/0; empty is false."""
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise RowInvalid(
        column,
        value,
        f"{column} {value!r} is not true or false; use true, false or leave it empty.",
    )


def make_address(
    *,
    line1: str = "",
    line2: str = "",
    city: str = "",
    state: str = "",
    postal_code: str = "",
    country: str = "",
    country_column: str = "country",
) -> Address | None:
    """Build an Address from text parts, or return None when every part is empty."""
    parts = {
        "line1": line1 or None,
        "line2": line2 or None,
        "city": city or None,
        "state": state or None,
        "postal_code": postal_code or None,
    }
    code = country.upper() or None
    if code is not None and not _COUNTRY.match(code):
        raise RowInvalid(
            country_column,
            country,
            f"{country_column} {country!r} is not a two-letter ISO 3166-1 code such as US or GB.",
        )
    if not any(parts.values()) and code is None:
        return None
    return Address(**parts, country=code)


def carrier_from_link(link: str) -> str | None:
    """Return the host name of a tracking link, such as ``www.royalmail.com``, or None."""
    host = urllib.parse.urlsplit(link.strip()).hostname
    return host or None
