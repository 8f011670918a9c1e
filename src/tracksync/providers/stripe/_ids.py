"""The Stripe ids that tracksync takes as payment ids, and the connected account of a payment."""

from __future__ import annotations

import enum
import re

from ..._models import PaymentRef
from ...errors import InvalidInputError

__all__ = [
    "ACCEPTED_IDS",
    "MAX_ID_LENGTH",
    "MAX_SESSION_ID_LENGTH",
    "PaymentKind",
    "connected_account",
    "describe_account",
    "describe_payment_id",
    "payment_kind",
    "require_payment_kind",
]

#: Maximum length of a payment id that tracksync accepts. Stripe documents no maximum, so
#: this is tracksync's own limit, which rejects a whole CSV cell pasted by mistake.
MAX_ID_LENGTH = 255

#: Stripe's OpenAPI spec (2023-08-16) limits the Checkout Session id in the path to 66
#: characters.
MAX_SESSION_ID_LENGTH = 66

#: The accepted kinds of id with their prefixes, as error messages list them.
ACCEPTED_IDS = (
    "PaymentIntent ids (pi_...), Charge ids (ch_... or py_...) and Checkout Session ids (cs_...)"
)


class PaymentKind(enum.Enum):
    """The kind of Stripe object that a payment id names."""

    PAYMENT_INTENT = "PaymentIntent"
    CHARGE = "Charge"
    CHECKOUT_SESSION = "Checkout Session"


_PATTERNS = {
    PaymentKind.PAYMENT_INTENT: re.compile(r"^pi_[A-Za-z0-9]+$"),
    PaymentKind.CHARGE: re.compile(r"^(?:ch|py)_[A-Za-z0-9]+$"),
    PaymentKind.CHECKOUT_SESSION: re.compile(r"^cs_(?:test_|live_)?[A-Za-z0-9]+$"),
}

_PREFIXES = {
    "pi_": PaymentKind.PAYMENT_INTENT,
    "ch_": PaymentKind.CHARGE,
    "py_": PaymentKind.CHARGE,
    "cs_": PaymentKind.CHECKOUT_SESSION,
}

_ACCOUNT_ID = re.compile(r"^acct_[A-Za-z0-9]+$")


def payment_kind(payment_id: str) -> PaymentKind | None:
    """Return the kind of object the id names, or None when tracksync cannot use the id."""
    if len(payment_id) > MAX_ID_LENGTH:
        return None
    for kind, pattern in _PATTERNS.items():
        if pattern.match(payment_id):
            if kind is PaymentKind.CHECKOUT_SESSION and len(payment_id) > MAX_SESSION_ID_LENGTH:
                return None
            return kind
    return None


def describe_payment_id(payment_id: str) -> str | None:
    """Return why tracksync cannot use a payment id, or None when it can."""
    if payment_kind(payment_id) is not None:
        return None
    display_id = payment_id if len(payment_id) <= 80 else payment_id[:77] + "..."
    return (
        f"Stripe payment id {display_id!r} cannot be used, because tracksync takes "
        f"{ACCEPTED_IDS}, and this one {_reason(payment_id)}."
    )


def _reason(payment_id: str) -> str:
    if len(payment_id) > MAX_ID_LENGTH:
        return f"is longer than {MAX_ID_LENGTH} characters, so it is not a single id"
    kind = _PREFIXES.get(payment_id[:3])
    if kind is PaymentKind.CHECKOUT_SESSION and len(payment_id) > MAX_SESSION_ID_LENGTH:
        return f"is longer than the {MAX_SESSION_ID_LENGTH} characters of a Checkout Session id"
    if kind is not None:
        return (
            f"is invalid, because after its prefix a {kind.value} id contains only letters "
            "and digits"
        )
    return "has a prefix that tracksync does not know"


def require_payment_kind(payment: PaymentRef) -> PaymentKind:
    """Return the kind of the payment's id, or raise InvalidInputError."""
    kind = payment_kind(payment.payment_id)
    if kind is None:
        raise InvalidInputError(describe_payment_id(payment.payment_id))
    return kind


def connected_account(payment: PaymentRef) -> str | None:
    """Return the connected account to send as ``Stripe-Account``, or None.

    A payment's ``account`` that starts with ``acct_`` names a connected account. Any other
    account is a label that only chooses among several Stripe providers.
    """
    account = payment.account
    if account is not None and account.startswith("acct_"):
        return account
    return None


def describe_account(payment: PaymentRef) -> str | None:
    """Return why the payment's connected account id is invalid, or None."""
    account = connected_account(payment)
    if account is None or _ACCOUNT_ID.match(account):
        return None
    return (
        f"Stripe account {account!r} of payment {payment.payment_id} starts with acct_ but "
        "is not a Stripe account id, which contains only letters and digits after acct_. "
        "Correct the account, or give a label that does not start with acct_."
    )
