"""Check a payment's PayPal ids before any request is sent."""

from __future__ import annotations

import re

from ..._models import PaymentRef

__all__ = ["check_payment"]

#: A capture (transaction) id, as the /track request's ``capture_id`` takes it.
_CAPTURE_ID = re.compile(r"^[A-Za-z0-9]{1,50}$")

#: An order id, as the Orders v2 paths take it.
_ORDER_ID = re.compile(r"^[A-Z0-9]{1,36}$")


def check_payment(payment: PaymentRef) -> str | None:
    """Return why the payment's ids cannot be used with Orders v2, or None when they can."""
    if not _CAPTURE_ID.match(payment.payment_id):
        return (
            f"{payment} has payment id {payment.payment_id!r}, which is not a PayPal "
            "capture id. A capture id has 1 to 50 letters and digits, such as "
            "'8MC585209K746392H'. Put the capture (transaction) id in the payment_id column."
        )

    order_id = payment.paypal_order_id
    if order_id is None:
        # NOTE: payments known only by a transaction id need PayPal's v1 tracking API
        # (/v1/shipping/trackers-batch), which this adapter does not call yet.
        return (
            f"{payment} has no PayPal order id. tracksync needs the PayPal order id "
            "(column paypal_order_id) to attach trackers through Orders v2; add it to the "
            "order."
        )
    if not _ORDER_ID.match(order_id):
        return (
            f"{payment} has PayPal order id {order_id!r}, which is not valid. An order id "
            "has 1 to 36 capital letters and digits, such as '5O190127TN364715T'. Correct "
            "the paypal_order_id column."
        )
    return None
