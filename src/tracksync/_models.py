"""Provider-agnostic models of what the shop knows: orders, their payments and shipments.

The models validate their own invariants on construction and raise
:class:`~tracksync.errors.InvalidInputError` (a ``ValueError``) naming the field, the value
and the fix. Rules that belong to one provider (PayPal's alphanumeric capture ids, Stripe's
``pi_`` prefix) are checked by that provider's adapter, not here.
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Iterable
from typing import Any, NoReturn, TypeGuard

import attrs

from .errors import InvalidInputError

__all__ = [
    "Address",
    "Item",
    "Order",
    "PAYPAL",
    "PaymentRef",
    "STRIPE",
    "Shipment",
    "ShipmentStatus",
]

PAYPAL = "paypal"
STRIPE = "stripe"

#: Longest tracking number tracksync accepts. PayPal's tracking APIs (v1 and Orders v2)
#: take 1 to 64 characters; Stripe takes up to 5,000, but no carrier issues longer numbers.
MAX_TRACKING_NUMBER_LENGTH = 64

_PROVIDER_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
# Names checked once need no regex again; orders come a million at a time.
_KNOWN_PROVIDER_NAMES = frozenset({PAYPAL, STRIPE})


class ShipmentStatus(enum.Enum):
    """Where a shipment stands, in the four statuses PayPal documents as input."""

    SHIPPED = "SHIPPED"
    ON_HOLD = "ON_HOLD"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


def _require_text(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """Reject empty strings and strings with leading or trailing white space."""
    if value is not None and not _is_plain_text(value):
        _reject_text(instance, attribute.name, value)


def _is_plain_text(value: object) -> TypeGuard[str]:
    """Return whether the value is a non-empty string with no white space at either end."""
    # isinstance rather than type(), because str subclasses such as StrEnum members are text.
    return (
        isinstance(value, str)
        and bool(value)
        and not value[0].isspace()
        and not value[-1].isspace()
    )


def _reject_text(instance: Any, name: str, value: object) -> NoReturn:
    """Raise the error that explains why the value is not plain text."""
    if not isinstance(value, str):
        raise InvalidInputError(
            f"{type(instance).__name__}.{name} must be a string, "
            f"not {type(value).__name__} {value!r}."
        )
    if not value.strip():
        raise InvalidInputError(
            f"{type(instance).__name__}.{name} is empty; give a non-blank value."
        )
    raise InvalidInputError(
        f"{type(instance).__name__}.{name} {value!r} has leading or trailing "
        "white space; strip it before building the model."
    )


@attrs.frozen(kw_only=True)
class Address:
    """A postal address. Every part is optional because shops store partial addresses."""

    line1: str | None = attrs.field(default=None, validator=_require_text)
    line2: str | None = attrs.field(default=None, validator=_require_text)
    city: str | None = attrs.field(default=None, validator=_require_text)
    state: str | None = attrs.field(default=None, validator=_require_text)
    postal_code: str | None = attrs.field(default=None, validator=_require_text)
    #: ISO 3166-1 alpha-2 code in capitals, such as ``"GB"``.
    country: str | None = attrs.field(default=None)

    @country.validator
    def _check_country(self, attribute: attrs.Attribute[Any], value: str | None) -> None:
        if value is not None and not _COUNTRY_CODE.match(value):
            raise InvalidInputError(
                f"Address.country {value!r} is not an ISO 3166-1 alpha-2 code; "
                "use two capital letters such as 'US' or 'GB'."
            )


@attrs.frozen(kw_only=True)
class Item:
    """One line of a shipment: what was in the parcel."""

    name: str = attrs.field(validator=_require_text)
    quantity: int = attrs.field(default=1)
    sku: str | None = attrs.field(default=None, validator=_require_text)

    @quantity.validator
    def _check_quantity(self, attribute: attrs.Attribute[Any], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidInputError(
                f"Item {self.name!r} has quantity {value!r}; give a whole number of 1 or more."
            )


def _to_items(value: Iterable[Item]) -> tuple[Item, ...]:
    return tuple(value)


def _to_status(value: ShipmentStatus | str) -> ShipmentStatus:
    if isinstance(value, ShipmentStatus):
        return value
    if isinstance(value, str) and value.strip().upper() in ShipmentStatus.__members__:
        return ShipmentStatus[value.strip().upper()]
    names = ", ".join(ShipmentStatus.__members__)
    raise InvalidInputError(
        f"Shipment status {value!r} is not one of {names}; give a ShipmentStatus such as "
        "ShipmentStatus.DELIVERED."
    )


@attrs.frozen(kw_only=True)
class Shipment:
    """One parcel with its carrier's tracking number."""

    tracking_number: str
    #: The carrier as the shop names it, or a provider's carrier code such as ``"UPS"``.
    carrier: str
    #: A ShipmentStatus; its name as text, in any case, is converted.
    status: ShipmentStatus = attrs.field(default=ShipmentStatus.SHIPPED, converter=_to_status)
    shipped_on: datetime.date | None = None
    items: tuple[Item, ...] = attrs.field(default=(), converter=_to_items)
    #: Whether the provider should e-mail the buyer about this tracker (PayPal only).
    notify_buyer: bool = False

    # One check for all fields rather than a validator each, because shipments are built
    # a million at a time and each validator is a function call.
    def __attrs_post_init__(self) -> None:
        number = self.tracking_number
        if not _is_plain_text(number) or len(number) > MAX_TRACKING_NUMBER_LENGTH or "," in number:
            self._reject_tracking_number(number)
        if not _is_plain_text(self.carrier):
            _reject_text(self, "carrier", self.carrier)
        shipped_on = self.shipped_on
        # A datetime is a date too, but its time part would be dropped without notice.
        if shipped_on is not None and (
            isinstance(shipped_on, datetime.datetime) or not isinstance(shipped_on, datetime.date)
        ):
            raise InvalidInputError(
                f"Shipment {number!r} has shipped_on {shipped_on!r}; "
                "give a datetime.date without a time."
            )
        if type(self.notify_buyer) is not bool:
            raise InvalidInputError(
                f"Shipment {number!r} has notify_buyer {self.notify_buyer!r}; give True or False."
            )

    def _reject_tracking_number(self, value: object) -> NoReturn:
        if not _is_plain_text(value):
            _reject_text(self, "tracking_number", value)
        if len(value) > MAX_TRACKING_NUMBER_LENGTH:
            raise InvalidInputError(
                f"Tracking number {value!r} is {len(value)} characters long; tracksync "
                f"accepts at most {MAX_TRACKING_NUMBER_LENGTH}, PayPal's limit. Check that the "
                "value is one tracking number, not a list or a URL."
            )
        raise InvalidInputError(
            f"Tracking number {value!r} contains a comma; give each package its own "
            "shipment with one tracking number."
        )


# The hash is cached: plans look payments up in dictionaries a million times per run.
@attrs.frozen(kw_only=True, cache_hash=True)
class PaymentRef:
    """A payment at one provider that an order was paid with.

    ``payment_id`` is the provider's id of the money movement that tracking attaches to:
    a PayPal capture (transaction) id, or a Stripe PaymentIntent id (``pi_...``).
    """

    #: The provider's name in lower case: ``"paypal"`` or ``"stripe"``.
    provider: str
    payment_id: str
    #: The PayPal order id, when known; tracksync then uses the Orders v2 tracking API.
    paypal_order_id: str | None = None
    #: Which of several accounts at the provider holds the payment; None for the only one.
    account: str | None = None

    # One check for all fields, as in Shipment.
    def __attrs_post_init__(self) -> None:
        provider = self.provider
        if provider not in _KNOWN_PROVIDER_NAMES and (
            not isinstance(provider, str) or not _PROVIDER_NAME.match(provider)
        ):
            raise InvalidInputError(
                f"PaymentRef.provider {provider!r} is not a provider name; use a lower-case "
                f"name such as {PAYPAL!r} or {STRIPE!r}."
            )
        if not _is_plain_text(self.payment_id):
            _reject_text(self, "payment_id", self.payment_id)
        order_id = self.paypal_order_id
        if order_id is not None and not _is_plain_text(order_id):
            _reject_text(self, "paypal_order_id", order_id)
        account = self.account
        if account is not None and not _is_plain_text(account):
            _reject_text(self, "account", account)

    def __str__(self) -> str:
        account = f" (account {self.account})" if self.account else ""
        return f"{self.provider} payment {self.payment_id}{account}"


def _to_payments(value: Iterable[PaymentRef]) -> tuple[PaymentRef, ...]:
    return tuple(value)


def _to_shipments(value: Iterable[Shipment]) -> tuple[Shipment, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Order:
    """A shop order: the payments it was paid with and the parcels it was shipped in.

    Every shipment belongs on every payment of the order, so that each provider can show
    proof of delivery in a dispute.
    """

    id: str
    payments: tuple[PaymentRef, ...] = attrs.field(converter=_to_payments)
    shipments: tuple[Shipment, ...] = attrs.field(converter=_to_shipments)
    recipient_name: str | None = None
    ship_to: Address | None = None

    # One check for all fields, as in Shipment.
    def __attrs_post_init__(self) -> None:
        if not _is_plain_text(self.id):
            _reject_text(self, "id", self.id)
        name = self.recipient_name
        if name is not None and not _is_plain_text(name):
            _reject_text(self, "recipient_name", name)
        if len(self.payments) > 1:
            self._check_payments()
        if len(self.shipments) > 1:
            self._check_shipments()

    def _check_payments(self) -> None:
        seen: set[tuple[str, str, str | None]] = set()
        for payment in self.payments:
            key = (payment.provider, payment.payment_id, payment.account)
            if key in seen:
                raise InvalidInputError(
                    f"Order {self.id!r} lists {payment} twice; list each payment once."
                )
            seen.add(key)

    def _check_shipments(self) -> None:
        seen: set[str] = set()
        for shipment in self.shipments:
            if shipment.tracking_number in seen:
                raise InvalidInputError(
                    f"Order {self.id!r} lists tracking number {shipment.tracking_number!r} "
                    "twice; merge the two shipments into one."
                )
            seen.add(shipment.tracking_number)
