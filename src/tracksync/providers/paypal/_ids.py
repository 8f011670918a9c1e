"""Check a payment's PayPal ids before any request is sent."""

from __future__ import annotations

import re

from ..._models import PaymentRef
from ._apis import Api, ApiMode, choose_api

__all__ = ["check_payment", "is_capture_id"]

#: A capture (transaction) id, as the /track request's ``capture_id`` takes it.
_CAPTURE_ID = re.compile(r"^[A-Za-z0-9]{1,50}$")

#: An order id, as the Orders v2 paths take it.
_ORDER_ID = re.compile(r"^[A-Z0-9]{1,36}$")


def is_capture_id(value: str) -> bool:
    """Return whether the value has the form of a PayPal capture (transaction) id."""
    return _CAPTURE_ID.match(value) is not None


def check_payment(payment: PaymentRef, mode: ApiMode = "auto") -> str | None:
    """Return why the payment's ids cannot be used under the ``api`` mode, or None."""
    if not is_capture_id(payment.payment_id):
        return (
            f"{payment} has payment id {payment.payment_id!r}, which is not a PayPal "
            "capture id. A capture id has 1 to 50 letters and digits, such as "
            "'8MC585209K746392H'. Put the capture (transaction) id in the payment_id column."
        )
    if choose_api(mode, payment) is Api.V1:
        return None

    order_id = payment.paypal_order_id
    if order_id is None:
        return (
            f"{payment} has no PayPal order id. This PayPalProvider was built with "
            "api='orders_v2', which attaches trackers through Orders v2 and needs the "
            "PayPal order id (column paypal_order_id). Add the order id to the order, or "
            "build the provider with api='auto' so that payments without one use PayPal's "
            "v1 tracking API."
        )
    if not _ORDER_ID.match(order_id):
        return (
            f"{payment} has PayPal order id {order_id!r}, which is not valid. An order id "
            "has 1 to 36 capital letters and digits, such as '5O190127TN364715T'. Correct "
            "the paypal_order_id column."
        )
    return None
