"""A payment as read from Stripe, and the object that keeps its tracking.

A PaymentIntent payment (also one reached through a Checkout Session) can keep its
tracking on the PaymentIntent or on its latest Charge. The object is chosen in this order:

1. the Charge, when Stripe rejected a shipping update of a PaymentIntent earlier in the
   provider's life for the same account;
2. the one whose metadata contains tracksync's keys, the Charge first, because tracksync
   writes to the Charge only after the PaymentIntent rejected a write;
3. the one whose shipping contains a tracking number, the PaymentIntent first;
4. the PaymentIntent.

A Charge payment keeps its tracking on the Charge.
"""

from __future__ import annotations

import attrs

from ._ids import PaymentKind
from ._metadata import is_tracksync_key
from ._objects import Charge, CheckoutSession, PaymentIntent, ShippingObject

__all__ = ["NotFound", "StripePayment", "has_tracksync_keys"]


@attrs.frozen(kw_only=True)
class NotFound:
    """Stripe responded 404 ``resource_missing`` for an object the payment needs."""

    kind: str
    object_id: str
    request_id: str | None = None

    def message(self) -> str:
        """Describe the missing object, and what to check."""
        quoted = f" (request id {self.request_id})" if self.request_id else ""
        return (
            f"Stripe has no {self.kind} {self.object_id}{quoted}. Check the id, and that "
            "the API key belongs to the account and mode (live or test) that took the payment."
        )


@attrs.frozen(kw_only=True)
class StripePayment:
    """The objects one payment id leads to."""

    kind: PaymentKind
    payment_intent: PaymentIntent | None = None
    #: The Charge itself for a Charge id, else the PaymentIntent's latest Charge.
    charge: Charge | None = None
    session: CheckoutSession | None = None

    def tracking_object(self, *, prefer_charge: bool = False) -> ShippingObject | None:
        """Return the object that keeps the payment's tracking, or None when there is none.

        ``prefer_charge`` is true when Stripe rejected a PaymentIntent's shipping update
        earlier for this account.
        """
        intent = self.payment_intent.object if self.payment_intent else None
        charge = self.charge.object if self.charge else None
        if intent is None or charge is None:
            return intent or charge
        if prefer_charge or has_tracksync_keys(charge):
            return charge
        if has_tracksync_keys(intent):
            return intent
        if _has_tracking_number(intent) or not _has_tracking_number(charge):
            return intent
        return charge

    def sibling(self, target: ShippingObject) -> ShippingObject | None:
        """Return the other object of a PaymentIntent payment: its Charge or its PaymentIntent."""
        for candidate in (self.payment_intent, self.charge):
            if candidate is not None and candidate.object is not target:
                return candidate.object
        return None


def has_tracksync_keys(target: ShippingObject) -> bool:
    """Return whether the object's metadata contains any key that tracksync owns."""
    return any(is_tracksync_key(key) for key in target.metadata)


def _has_tracking_number(target: ShippingObject) -> bool:
    shipping = target.shipping
    return bool(shipping and shipping.tracking_number and shipping.tracking_number.strip())
