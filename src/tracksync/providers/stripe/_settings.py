"""Settings that every Stripe request carries: the base URL, the API key and the API version."""

from __future__ import annotations

import attrs

from ..._version import __version__

__all__ = ["DEFAULT_BASE_URL", "STRIPE_API_VERSION", "ApiSettings"]

#: The API version tracksync sends as ``Stripe-Version``: the one stripe-python 16.1.0 pins.
#: Sending it on every request keeps responses stable when the account's default changes.
STRIPE_API_VERSION = "2026-10-28.endive"

DEFAULT_BASE_URL = "https://api.stripe.com"


@attrs.frozen(kw_only=True)
class ApiSettings:
    """The account-wide parts of every request. The API key is left out of ``repr``."""

    api_key: str = attrs.field(repr=False)
    #: Scheme, host and an optional path prefix, without a trailing slash.
    base_url: str = DEFAULT_BASE_URL
    api_version: str = STRIPE_API_VERSION

    def url(self, path: str) -> str:
        """Join the base URL and a path that starts with ``/``."""
        return f"{self.base_url}{path}"

    def headers(self, stripe_account: str | None = None) -> dict[str, str]:
        """Build the headers that every request sends.

        ``stripe_account`` is a connected account's id (``acct_...``), sent as
        ``Stripe-Account`` so that the request acts on that account through the platform's key.
        """
        headers = {
            "Authorization": f"Bearer {self.api_key}",
            "Stripe-Version": self.api_version,
            "Accept": "application/json",
            "User-Agent": f"tracksync/{__version__}",
        }
        if stripe_account is not None:
            headers["Stripe-Account"] = stripe_account
        return headers
