"""The Stripe objects tracksync reads, and pure parsers for Stripe's responses.

A PaymentIntent's ``latest_charge`` and a Checkout Session's ``payment_intent`` are read
expanded (full objects) when Stripe returns them so, and as bare ids otherwise.
"""

from __future__ import annotations

import enum
import json
import urllib.parse
from collections.abc import Mapping
from typing import Any, TypeGuard

import attrs
import httpx

from ...errors import StripeError
from ._errors import parse_error
from ._shipping import ADDRESS_FIELDS, StripeShipping

__all__ = [
    "Charge",
    "CheckoutSession",
    "ObjectKind",
    "PaymentIntent",
    "ShippingObject",
    "charge_from",
    "parse_charge",
    "parse_checkout_session",
    "parse_payment_intent",
    "parse_shipping",
    "parse_shipping_object",
    "payment_intent_from",
]


class ObjectKind(enum.Enum):
    """A kind of Stripe object with a ``shipping`` hash and ``metadata``."""

    PAYMENT_INTENT = "PaymentIntent"
    CHARGE = "Charge"

    def path(self, object_id: str) -> str:
        """Return the object's API path, such as ``/v1/charges/ch_1``."""
        collection = "payment_intents" if self is ObjectKind.PAYMENT_INTENT else "charges"
        return f"/v1/{collection}/{urllib.parse.quote(object_id, safe='')}"


@attrs.frozen(kw_only=True)
class ShippingObject:
    """A PaymentIntent or Charge as far as tracking goes: its shipping hash and metadata."""

    kind: ObjectKind
    id: str
    shipping: StripeShipping | None = None
    #: The string keys and values of the object's ``metadata``.
    metadata: Mapping[str, str] = attrs.field(factory=dict)

    def __str__(self) -> str:
        return f"{self.kind.value} {self.id}"


@attrs.frozen(kw_only=True)
class Charge:
    """The parts of a Charge that tracksync reads."""

    object: ShippingObject
    #: ``succeeded``, ``pending`` or ``failed``.
    status: str
    captured: bool = True
    #: True only when the whole amount was refunded.
    refunded: bool = False


@attrs.frozen(kw_only=True)
class PaymentIntent:
    """The parts of a PaymentIntent that tracksync reads."""

    object: ShippingObject
    status: str
    #: The latest Charge when Stripe returned it expanded.
    latest_charge: Charge | None = None
    #: The latest Charge's id, also when it was not expanded.
    latest_charge_id: str | None = None


@attrs.frozen(kw_only=True)
class CheckoutSession:
    """The parts of a Checkout Session that tracksync reads."""

    id: str
    #: ``payment``, ``setup`` or ``subscription``.
    mode: str | None = None
    #: ``open``, ``complete`` or ``expired``.
    status: str | None = None
    payment_status: str | None = None
    #: The session's PaymentIntent when Stripe returned it expanded.
    payment_intent: PaymentIntent | None = None
    #: The PaymentIntent's id, also when it was not expanded.
    payment_intent_id: str | None = None


def parse_payment_intent(response: httpx.Response, *, secret: str | None = None) -> PaymentIntent:
    """Read a PaymentIntent from a response.

    Raises:
        StripeError: the response is an error (non-2xx), or not a PaymentIntent.
    """
    body = _json_body(response, "PaymentIntent", secret=secret)
    intent = payment_intent_from(body)
    if intent is None:
        raise _not_an_object(response, "PaymentIntent")
    return intent


def parse_charge(response: httpx.Response, *, secret: str | None = None) -> Charge:
    """Read a Charge from a response.

    Raises:
        StripeError: the response is an error (non-2xx), or not a Charge.
    """
    body = _json_body(response, "Charge", secret=secret)
    charge = charge_from(body)
    if charge is None:
        raise _not_an_object(response, "Charge")
    return charge


def parse_checkout_session(
    response: httpx.Response, *, secret: str | None = None
) -> CheckoutSession:
    """Read a Checkout Session, with its PaymentIntent when that is expanded.

    Raises:
        StripeError: the response is an error (non-2xx), or not a Checkout Session.
    """
    body = _json_body(response, "Checkout Session", secret=secret)
    if not _is_text(body.get("id")):
        raise _not_an_object(response, "Checkout Session")
    raw_intent = body.get("payment_intent")
    intent = payment_intent_from(raw_intent) if isinstance(raw_intent, dict) else None
    if isinstance(raw_intent, dict) and intent is None:
        raise _not_an_object(response, "Checkout Session with a PaymentIntent")
    return CheckoutSession(
        id=body["id"],
        mode=_text(body.get("mode")),
        status=_text(body.get("status")),
        payment_status=_text(body.get("payment_status")),
        payment_intent=intent,
        payment_intent_id=intent.object.id if intent else _text(raw_intent),
    )


def parse_shipping_object(
    response: httpx.Response, kind: ObjectKind, *, secret: str | None = None
) -> ShippingObject:
    """Read the shipping and metadata of a PaymentIntent or Charge from a response."""
    if kind is ObjectKind.PAYMENT_INTENT:
        return parse_payment_intent(response, secret=secret).object
    return parse_charge(response, secret=secret).object


def payment_intent_from(body: object) -> PaymentIntent | None:
    """Read a PaymentIntent from decoded JSON, or return None when it is not one."""
    if not isinstance(body, dict) or not _has_id_and_status(body):
        return None
    raw_charge = body.get("latest_charge")
    charge = None
    charge_id = _text(raw_charge)
    if isinstance(raw_charge, dict):
        # An expanded Charge that does not parse is read again by its id.
        charge = charge_from(raw_charge)
        charge_id = _text(raw_charge.get("id"))
    return PaymentIntent(
        object=_shipping_object(ObjectKind.PAYMENT_INTENT, body),
        status=body["status"],
        latest_charge=charge,
        latest_charge_id=charge_id,
    )


def charge_from(body: object) -> Charge | None:
    """Read a Charge from decoded JSON, or return None when it is not one."""
    if not isinstance(body, dict) or not _has_id_and_status(body):
        return None
    return Charge(
        object=_shipping_object(ObjectKind.CHARGE, body),
        status=body["status"],
        # Stripe's schema requires both fields. A test server's Charge without them counts
        # as captured and not refunded.
        captured=body.get("captured") is not False,
        refunded=body.get("refunded") is True,
    )


def parse_shipping(value: object) -> StripeShipping | None:
    """Read Stripe's ``shipping`` hash, or return None when it is null or not an object."""
    if not isinstance(value, dict):
        return None
    raw_address = value.get("address")
    address: dict[str, str] = {}
    if isinstance(raw_address, dict):
        for field in ADDRESS_FIELDS:
            part = raw_address.get(field)
            if _is_text(part):
                address[field] = part
    return StripeShipping(
        name=_text(value.get("name")),
        phone=_text(value.get("phone")),
        carrier=_text(value.get("carrier")),
        tracking_number=_text(value.get("tracking_number")),
        address=address,
    )


def _shipping_object(kind: ObjectKind, body: dict[str, Any]) -> ShippingObject:
    raw_metadata = body.get("metadata")
    metadata: dict[str, str] = {}
    if isinstance(raw_metadata, dict):
        metadata = {
            key: value
            for key, value in raw_metadata.items()
            if isinstance(key, str) and isinstance(value, str)
        }
    return ShippingObject(
        kind=kind,
        id=body["id"],
        shipping=parse_shipping(body.get("shipping")),
        metadata=metadata,
    )


def _json_body(response: httpx.Response, what: str, *, secret: str | None) -> dict[str, Any]:
    if not response.is_success:
        raise parse_error(response, secret=secret)
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise _not_an_object(response, what)
    return body


def _not_an_object(response: httpx.Response, what: str) -> StripeError:
    return StripeError(
        f"Stripe responded with HTTP {response.status_code}, but the body is not a {what}. "
        "Check that base_url points at the Stripe API.",
        status=response.status_code,
        request_id=response.headers.get("Request-Id"),
    )


def _has_id_and_status(body: dict[str, Any]) -> bool:
    return _is_text(body.get("id")) and _is_text(body.get("status"))


def _is_text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
