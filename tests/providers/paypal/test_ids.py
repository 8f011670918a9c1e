"""Checking a payment's capture and order ids before any request."""

from __future__ import annotations

import pytest

from providers.paypal.paypal_support import make_payment
from tracksync.providers.paypal._ids import check_payment


def test_valid_ids_pass() -> None:
    assert None is check_payment(make_payment())


def test_maximum_length_ids_pass() -> None:
    assert None is check_payment(make_payment("a" * 50, "A" * 36))


@pytest.mark.parametrize("payment_id", ["pi_3MtwBwLkdIwHu7ix", "8MC58520-9K746392H", "A" * 51])
def test_bad_capture_id_rejected(payment_id: str) -> None:
    message = check_payment(make_payment(payment_id)) or ""
    assert f"payment id {payment_id!r}, which is not a PayPal capture id" in message


def test_missing_order_id_explained() -> None:
    message = check_payment(make_payment(order_id=None), "orders_v2") or ""
    assert "PayPal order id (column paypal_order_id)" in message
    assert "api='orders_v2'" in message


def test_missing_order_id_names_fix() -> None:
    message = check_payment(make_payment(order_id=None), "orders_v2") or ""
    assert "build the provider with api='auto'" in message


def test_missing_order_id_fine_in_auto() -> None:
    assert None is check_payment(make_payment(order_id=None), "auto")


def test_v1_ignores_bad_order_id() -> None:
    assert None is check_payment(make_payment(order_id="bad-order"), "v1")


def test_v1_still_checks_capture_id() -> None:
    message = check_payment(make_payment("pi_3MtwBwLkdIwHu7ix", order_id=None), "v1") or ""
    assert "which is not a PayPal capture id" in message


@pytest.mark.parametrize("order_id", ["5o190127tn364715t", "5O19-0127", "A" * 37])
def test_bad_order_id_rejected(order_id: str) -> None:
    message = check_payment(make_payment(order_id=order_id)) or ""
    assert f"PayPal order id {order_id!r}, which is not valid" in message


def test_message_names_payment() -> None:
    message = check_payment(make_payment(order_id=None), "orders_v2") or ""
    assert message.startswith("paypal payment 8MC585209K746392H has no PayPal order id.")
