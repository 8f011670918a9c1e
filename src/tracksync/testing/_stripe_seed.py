"""Checks of the arguments that seed the Stripe emulator, which raise ValueError."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping

from ._stripe_access import ACCESS_LEVELS, CONNECT, RESOURCES
from ._stripe_errors import _Problem
from ._stripe_params import MAX_METADATA_KEYS, check_metadata_entry
from ._stripe_state import _Charge, _PaymentIntent

__all__ = [
    "CHARGE_STATUSES",
    "PAYMENT_INTENT_STATUSES",
    "SESSION_PAYMENT_STATUSES",
    "SESSION_STATUSES",
    "check_account",
    "check_amount_and_currency",
    "check_id",
    "check_choice",
    "check_permissions",
    "implicit_charge",
    "seed_metadata",
]

PAYMENT_INTENT_STATUSES = frozenset(
    {
        "requires_payment_method",
        "requires_confirmation",
        "requires_action",
        "processing",
        "requires_capture",
        "canceled",
        "succeeded",
    }
)
CHARGE_STATUSES = frozenset({"failed", "pending", "succeeded"})
SESSION_STATUSES = frozenset({"complete", "expired", "open"})
SESSION_PAYMENT_STATUSES = frozenset({"no_payment_required", "paid", "unpaid"})

_ID_PATTERNS = {
    "PaymentIntent": (re.compile(r"^[A-Za-z0-9_]+$"), "letters, digits and _"),
    "Charge": (re.compile(r"^(?:ch|py)_[A-Za-z0-9_]+$"), "ch_ or py_, then letters, digits and _"),
    "Checkout Session": (re.compile(r"^cs_[A-Za-z0-9_]+$"), "cs_, then letters, digits and _"),
}
#: Maximum length of a Checkout Session id, from the path parameter in Stripe's spec.
_MAX_SESSION_ID = 66
_CURRENCY = re.compile(r"^[a-z]{3}$")
_ACCOUNT = re.compile(r"^acct_[A-Za-z0-9]+$")

#: The Charge that ``add_payment_intent(latest_charge=...)`` creates, by PaymentIntent
#: status: the Charge's status and whether it is captured.
_IMPLICIT_CHARGE = {
    "succeeded": ("succeeded", True),
    "requires_capture": ("succeeded", False),
    "processing": ("pending", False),
}


def check_id(kind: str, object_id: str) -> None:
    pattern, rule = _ID_PATTERNS[kind]
    if not pattern.match(object_id):
        raise ValueError(f"{kind} id {object_id!r} is invalid: use {rule}.")
    if kind == "Checkout Session" and len(object_id) > _MAX_SESSION_ID:
        raise ValueError(
            f"Checkout Session id {object_id!r} is invalid: Stripe's ids are at most "
            f"{_MAX_SESSION_ID} characters."
        )


def check_choice(kind: str, value: str, allowed: frozenset[str]) -> None:
    if value not in allowed:
        raise ValueError(f"Unknown {kind} {value!r}. Use one of {', '.join(sorted(allowed))}.")


def check_amount_and_currency(amount: int, currency: str) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValueError(f"amount must be an int of 0 or more, not {amount!r}.")
    if not _CURRENCY.match(currency):
        raise ValueError(
            f"currency must be a lowercase three-letter code such as 'usd', not {currency!r}."
        )


def check_account(account: str | None) -> None:
    if account is not None and not _ACCOUNT.match(account):
        raise ValueError(
            f"account {account!r} is invalid: use a connected account id such as "
            "'acct_1032D82eZvKYlo2C', or None for the platform."
        )


def seed_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    """Check seeded metadata against the limits that Stripe applies to updates."""
    result = dict(metadata or {})
    if len(result) > MAX_METADATA_KEYS:
        raise ValueError(
            f"metadata has {len(result)} keys, but Stripe allows at most {MAX_METADATA_KEYS}."
        )
    for key, value in result.items():
        if not isinstance(key, str) or not isinstance(value, str) or not value:
            raise ValueError(
                f"metadata keys and values must be non-empty strings, not {key!r}: {value!r}."
            )
        try:
            check_metadata_entry(key, value)
        except _Problem as problem:
            raise ValueError(problem.message) from None
    return result


def check_permissions(key: str, api_key: str, permissions: Mapping[str, str]) -> dict[str, str]:
    if not key.startswith(("rk_test_", "rk_live_")) or len(key) <= len("rk_test_"):
        raise ValueError(f"A restricted key starts with rk_test_ or rk_live_, not {key[:8]!r}.")
    if key == api_key:
        raise ValueError("The restricted key must differ from the emulator's api_key.")
    resources = (*RESOURCES, CONNECT)
    for resource, level in permissions.items():
        if resource not in resources:
            raise ValueError(
                f"Unknown resource {resource!r} in permissions. Use {', '.join(resources)}."
            )
        if level not in ACCESS_LEVELS:
            raise ValueError(
                f"Permission {level!r} for {resource} is invalid. Use 'read' or 'write'."
            )
    return dict(permissions)


def implicit_charge(intent: _PaymentIntent, charge_id: str, created: int) -> _Charge:
    """Build the Charge that a PaymentIntent seeded with ``latest_charge`` refers to.

    It copies the PaymentIntent's amount, currency, shipping and account. A succeeded
    PaymentIntent gets a captured, succeeded Charge, and ``requires_capture`` an uncaptured
    one. ``processing`` gets a pending Charge, and any other status a failed one.
    """
    status, captured = _IMPLICIT_CHARGE.get(intent.status, ("failed", False))
    return _Charge(
        id=charge_id,
        status=status,
        amount=intent.amount,
        currency=intent.currency,
        created=created,
        payment_intent=intent.id,
        shipping=copy.deepcopy(intent.shipping),
        metadata={},
        captured=captured,
        account=intent.account,
    )
