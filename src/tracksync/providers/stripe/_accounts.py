"""The state a StripeProvider keeps per Stripe account for the rest of its life.

An account is a connected account's id (``acct_...``), or None for the account that owns
the API key.
"""

from __future__ import annotations

import logging

import attrs

from ...errors import AccountError, StripeError

__all__ = ["AccountMemory", "REQUIRED_PERMISSIONS"]

logger = logging.getLogger("tracksync.stripe")

#: The permissions a restricted key (rk_...) needs for everything tracksync does.
REQUIRED_PERMISSIONS = (
    "write access to PaymentIntents and Charges and read access to Checkout Sessions"
)


@attrs.define
class AccountMemory:
    """The accounts whose writes go to Charges, and the accounts Stripe rejected.

    A 401 means the API key itself is rejected, so it stops every account. A 403 stops the
    account that got it.
    """

    label: str | None = None
    _charge_writes: set[str | None] = attrs.field(factory=set)
    _rejected: dict[str | None, AccountError] = attrs.field(factory=dict)
    _key_rejected: AccountError | None = None

    def check(self, account: str | None) -> None:
        """Raise the AccountError that stopped this account, if one did."""
        if self._key_rejected is not None:
            raise self._key_rejected
        error = self._rejected.get(account)
        if error is not None:
            raise error

    def writes_to_charges(self, account: str | None) -> bool:
        """Return whether Stripe rejected a PaymentIntent's shipping update for this account."""
        return account in self._charge_writes

    def remember_charge_writes(self, account: str | None) -> None:
        """Send this account's later PaymentIntent writes straight to the latest Charge."""
        if account in self._charge_writes:
            return
        self._charge_writes.add(account)
        logger.info(
            "Stripe rejected a PaymentIntent shipping update for %s, so later PaymentIntent "
            "writes go to their latest Charge.",
            _account_text(account, self.label),
        )

    def account_error(self, error: StripeError, account: str | None) -> AccountError | None:
        """Convert a 401 or 403 into the AccountError that stops the account, else None."""
        if error.status not in (401, 403):
            return None

        # Async providers send several requests at once, so requests in flight when an
        # account stops may fail the same way. They get the first error, logged once.
        stopped = self._key_rejected
        if stopped is None and error.status == 403:
            stopped = self._rejected.get(account)
        if stopped is not None:
            return stopped

        where = _account_text(account, self.label)
        if error.status == 401:
            message = (
                f"Stripe rejected the API key (HTTP 401), so tracksync stops calling Stripe "
                f"with it. Give a current secret key (sk_...) or a restricted key (rk_...) "
                f"with {REQUIRED_PERMISSIONS}, from the account and mode (live or test) that "
                f"took the payments. Stripe's message: {error.message}"
            )
        else:
            connect = ""
            if account is not None:
                connect = f", and the platform must have access to connected account {account}"
            message = (
                f"The Stripe API key lacks a permission (HTTP 403), so tracksync stops calling "
                f"{where}. A restricted key (rk_...) needs {REQUIRED_PERMISSIONS}{connect}. "
                f"Stripe's message: {error.message}"
            )
        rejected = AccountError(
            message, provider="stripe", account=account or self.label, cause=error
        )
        if error.status == 401:
            self._key_rejected = rejected
        else:
            self._rejected[account] = rejected
        logger.warning("Stopped calling %s: %s", where, rejected)
        return rejected


def _account_text(account: str | None, label: str | None) -> str:
    if account is not None:
        return f"Stripe connected account {account}"
    if label is not None:
        return f"Stripe account {label}"
    return "the Stripe account"
