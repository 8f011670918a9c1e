"""The Stripe emulator's state: stored objects, their JSON rendering and ``dump()`` conversion.

Rendered PaymentIntents and Charges follow API version 2023-08-16. Checkout Sessions carry
the collected shipping in ``collected_information.shipping_details``, where Stripe has kept
it since API version 2025-03-31.basil, and no longer in ``shipping_details``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import cattrs

__all__ = [
    "_ADDRESS_KEYS",
    "_SHIPPING_KEYS",
    "_Address",
    "_Charge",
    "_CheckoutSession",
    "_PaymentIntent",
    "_SavedResponse",
    "_Shipping",
    "_StripeState",
    "_converter",
    "_render_payment_intent",
    "_shipping_from_seed",
    "render_charge",
    "render_checkout_session",
]

_SHIPPING_KEYS = frozenset({"name", "address", "carrier", "phone", "tracking_number"})
_ADDRESS_KEYS = ("city", "country", "line1", "line2", "postal_code", "state")

#: Seconds from a Checkout Session's ``created`` to its ``expires_at``, the emulator's choice.
_SESSION_LIFETIME = 24 * 60 * 60


@attrs.define
class _Address:
    city: str | None = None
    country: str | None = None
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    state: str | None = None


@attrs.define
class _Shipping:
    name: str
    address: _Address
    carrier: str | None = None
    phone: str | None = None
    tracking_number: str | None = None


@attrs.define
class _PaymentIntent:
    id: str
    status: str
    amount: int
    currency: str
    created: int
    shipping: _Shipping | None
    latest_charge: str | None
    metadata: dict[str, str]
    description: str | None = None
    receipt_email: str | None = None
    #: The connected account that owns the object, or None for the platform.
    account: str | None = None


@attrs.define
class _Charge:
    id: str
    status: str
    amount: int
    currency: str
    created: int
    payment_intent: str | None
    shipping: _Shipping | None
    metadata: dict[str, str]
    captured: bool = True
    customer: str | None = None
    description: str | None = None
    receipt_email: str | None = None
    transfer_group: str | None = None
    user_report: str | None = None
    account: str | None = None


@attrs.define
class _CheckoutSession:
    id: str
    status: str
    payment_status: str
    created: int
    payment_intent: str | None
    #: The shipping details the customer entered: a name and an address only.
    shipping: _Shipping | None = None
    account: str | None = None


@attrs.define
class _SavedResponse:
    """A response saved under an idempotency key, with the request that produced it."""

    method: str
    path: str
    params: dict[str, Any]
    status_code: int
    body: dict[str, Any]
    request_id: str
    account: str | None = None


@attrs.define
class _StripeState:
    api_key: str
    shipping_update_on_succeeded: bool
    payment_intents: dict[str, _PaymentIntent]
    idempotency_keys: dict[str, _SavedResponse]
    charges: dict[str, _Charge] = attrs.field(factory=dict)
    checkout_sessions: dict[str, _CheckoutSession] = attrs.field(factory=dict)
    #: Restricted keys, each with its permissions: resource name to ``read`` or ``write``.
    restricted_keys: dict[str, dict[str, str]] = attrs.field(factory=dict)

    def accounts(self) -> set[str]:
        """Return the connected accounts that own at least one object."""
        owners: set[str | None] = set()
        for objects in (self.payment_intents, self.charges, self.checkout_sessions):
            owners.update(item.account for item in objects.values())
        return {owner for owner in owners if owner is not None}


_converter = cattrs.Converter()


def _render_shipping(shipping: _Shipping | None) -> dict[str, Any] | None:
    if shipping is None:
        return None
    rendered: dict[str, Any] = _converter.unstructure(shipping)
    return rendered


def _render_payment_intent(intent: _PaymentIntent) -> dict[str, Any]:
    return {
        "id": intent.id,
        "object": "payment_intent",
        "amount": intent.amount,
        "amount_capturable": intent.amount if intent.status == "requires_capture" else 0,
        "amount_received": intent.amount if intent.status == "succeeded" else 0,
        "capture_method": "automatic",
        "confirmation_method": "automatic",
        "created": intent.created,
        "currency": intent.currency,
        "description": intent.description,
        "latest_charge": intent.latest_charge,
        "livemode": False,
        "metadata": dict(intent.metadata),
        "payment_method_types": ["card"],
        "receipt_email": intent.receipt_email,
        "shipping": _render_shipping(intent.shipping),
        "status": intent.status,
    }


def render_charge(charge: _Charge) -> dict[str, Any]:
    """Render a Charge as ``GET /v1/charges/{id}`` returns it."""
    fraud_details = {} if charge.user_report is None else {"user_report": charge.user_report}
    return {
        "id": charge.id,
        "object": "charge",
        "amount": charge.amount,
        "amount_captured": charge.amount if charge.captured else 0,
        "amount_refunded": 0,
        "billing_details": {
            "address": dict.fromkeys(_ADDRESS_KEYS),
            "email": None,
            "name": None,
            "phone": None,
        },
        "captured": charge.captured,
        "created": charge.created,
        "currency": charge.currency,
        "customer": charge.customer,
        "description": charge.description,
        "disputed": False,
        "fraud_details": fraud_details,
        "livemode": False,
        "metadata": dict(charge.metadata),
        "paid": charge.status == "succeeded",
        "payment_intent": charge.payment_intent,
        "receipt_email": charge.receipt_email,
        "refunded": False,
        "shipping": _render_shipping(charge.shipping),
        "status": charge.status,
        "transfer_group": charge.transfer_group,
    }


def render_checkout_session(
    session: _CheckoutSession, intent: _PaymentIntent | None
) -> dict[str, Any]:
    """Render a Checkout Session, with amounts taken from its PaymentIntent when it has one."""
    shipping_details = None
    if session.shipping is not None:
        shipping_details = {
            "address": _converter.unstructure(session.shipping.address),
            "name": session.shipping.name,
        }
    return {
        "id": session.id,
        "object": "checkout.session",
        "amount_subtotal": None if intent is None else intent.amount,
        "amount_total": None if intent is None else intent.amount,
        "automatic_tax": {"enabled": False, "status": None},
        "collected_information": {
            "business_name": None,
            "individual_name": None,
            "shipping_details": shipping_details,
        },
        "created": session.created,
        "currency": None if intent is None else intent.currency,
        "custom_fields": [],
        "custom_text": {"shipping_address": None, "submit": None},
        "expires_at": session.created + _SESSION_LIFETIME,
        "livemode": False,
        "metadata": {},
        "mode": "payment",
        "payment_intent": session.payment_intent,
        "payment_method_types": ["card"],
        "payment_status": session.payment_status,
        "phone_number_collection": {"enabled": False},
        "shipping_options": [],
        "status": session.status,
        "tax_id_collection": {"enabled": False},
    }


def _shipping_from_seed(
    shipping: Mapping[str, Any], allowed: frozenset[str] = _SHIPPING_KEYS
) -> _Shipping:
    unknown = set(shipping) - allowed
    if unknown:
        raise ValueError(f"shipping has unknown keys {sorted(unknown)}. Use {sorted(allowed)}.")
    if not shipping.get("name"):
        raise ValueError("shipping needs a non-empty 'name', as on Stripe.")
    address = dict(shipping.get("address") or {})
    unknown = set(address) - set(_ADDRESS_KEYS)
    if unknown:
        raise ValueError(
            f"shipping['address'] has unknown keys {sorted(unknown)}. Use {list(_ADDRESS_KEYS)}."
        )
    return _Shipping(
        name=str(shipping["name"]),
        address=_Address(**address),
        carrier=shipping.get("carrier"),
        phone=shipping.get("phone"),
        tracking_number=shipping.get("tracking_number"),
    )
