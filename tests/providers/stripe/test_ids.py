"""Payment ids the Stripe adapter takes, and connected accounts."""

from __future__ import annotations

import pytest

from providers.stripe.stripe_support import CONNECTED, ref
from tracksync import InvalidInputError
from tracksync.providers.stripe._ids import (
    PaymentKind,
    connected_account,
    describe_account,
    describe_payment_id,
    payment_kind,
    require_payment_kind,
)


@pytest.mark.parametrize(
    ("payment_id", "kind"),
    [
        ("pi_3QmZ8tLkdIwHu7ix0aBcDeFg", PaymentKind.PAYMENT_INTENT),
        ("ch_3QmZ8tLkdIwHu7ix0sKzq4Vb", PaymentKind.CHARGE),
        ("py_3QmZ8tLkdIwHu7ix0sKzq4Vb", PaymentKind.CHARGE),
        ("cs_test_a1Qm9ZtLkdIwHu7ixSessionB0c1D2e3F4g5H6", PaymentKind.CHECKOUT_SESSION),
        ("cs_live_a1Qm9ZtLkdIwHu7ix", PaymentKind.CHECKOUT_SESSION),
        ("cs_a1Qm9ZtLkdIwHu7ix", PaymentKind.CHECKOUT_SESSION),
        ("pi_" + "a" * 252, PaymentKind.PAYMENT_INTENT),
        ("cs_test_" + "a" * 58, PaymentKind.CHECKOUT_SESSION),
    ],
)
def test_payment_kind_accepted(payment_id: str, kind: PaymentKind) -> None:
    assert kind == payment_kind(payment_id)
    assert describe_payment_id(payment_id) is None


@pytest.mark.parametrize(
    ("payment_id", "reason"),
    [
        ("pi_12/../x", "after its prefix a PaymentIntent id contains only letters and digits"),
        ("pi_", "after its prefix a PaymentIntent id"),
        ("ch_1-2", "after its prefix a Charge id"),
        ("cs_test_a b", "after its prefix a Checkout Session id"),
        ("cs_test_" + "a" * 59, "longer than the 66 characters of a Checkout Session id"),
        ("pm_1QmZ8sLkdIwHu7ix", "prefix that tracksync does not know"),
        ("1001", "prefix that tracksync does not know"),
        ("pi_" + "a" * 253, "longer than 255"),
    ],
)
def test_payment_id_rejected(payment_id: str, reason: str) -> None:
    message = describe_payment_id(payment_id)

    assert message is not None
    assert reason in message
    assert payment_id[:20] in message
    assert message.endswith(".")


def test_rejection_lists_accepted_prefixes() -> None:
    message = describe_payment_id("in_1QmZ8sLkdIwHu7ix")

    assert message is not None
    for prefix in ("pi_...", "ch_...", "py_...", "cs_..."):
        assert prefix in message


def test_long_id_shortened_in_message() -> None:
    message = describe_payment_id("x" * 300)

    assert message is not None
    assert "x" * 77 + "..." in message
    assert "x" * 78 not in message


def test_require_kind_raises() -> None:
    with pytest.raises(InvalidInputError) as caught:
        require_payment_kind(ref("pm_1"))

    assert "'pm_1'" in str(caught.value)


def test_require_kind_returns_kind() -> None:
    assert PaymentKind.CHARGE == require_payment_kind(ref("ch_1"))


def test_connected_account_from_acct() -> None:
    assert CONNECTED == connected_account(ref(account=CONNECTED))


@pytest.mark.parametrize("account", [None, "eu-shop", "acct"])
def test_label_is_not_connected_account(account: str | None) -> None:
    assert connected_account(ref(account=account)) is None


def test_valid_account_accepted() -> None:
    assert describe_account(ref(account=CONNECTED)) is None


def test_label_account_accepted() -> None:
    assert describe_account(ref(account="eu-shop")) is None


def test_invalid_acct_rejected() -> None:
    message = describe_account(ref(account="acct_12 34"))

    assert message is not None
    assert "'acct_12 34'" in message
    assert "does not start with acct_" in message
