"""Build provider adapters from the ``TRACKSYNC_*`` environment variables.

Credentials come only from the environment (or, in Python, from arguments), never from
command-line flags, which other users of the machine can read in the process list.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from ..carriers import Overrides
from ..errors import ConfigurationError
from ..providers._protocol import AsyncTrackingProvider

__all__ = ["ENVIRONMENT_VARIABLES", "ProviderSettings", "providers_from_environment"]

ENVIRONMENT_VARIABLES = {
    "TRACKSYNC_PAYPAL_CLIENT_ID": "PayPal REST app client id",
    "TRACKSYNC_PAYPAL_CLIENT_SECRET": "PayPal REST app secret",
    "TRACKSYNC_PAYPAL_ENVIRONMENT": "sandbox (default) or live",
    "TRACKSYNC_PAYPAL_BASE_URL": "PayPal API base URL, overriding the environment's",
    "TRACKSYNC_STRIPE_API_KEY": "Stripe secret or restricted key",
    "TRACKSYNC_STRIPE_BASE_URL": "Stripe API base URL, overriding https://api.stripe.com",
}

PAYPAL_ENVIRONMENTS = ("sandbox", "live")


@attrs.frozen(kw_only=True)
class ProviderSettings:
    """Provider settings read from the environment; secrets are kept out of ``repr``."""

    paypal_client_id: str | None = None
    paypal_client_secret: str | None = attrs.field(default=None, repr=False)
    paypal_environment: str = "sandbox"
    paypal_base_url: str | None = None
    stripe_api_key: str | None = attrs.field(default=None, repr=False)
    stripe_base_url: str | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> ProviderSettings:
        """Read the settings, treating empty variables as unset.

        Raises:
            ConfigurationError: only one of the PayPal id and secret is set, or the PayPal
                environment is neither sandbox nor live.
        """

        def read(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        client_id = read("TRACKSYNC_PAYPAL_CLIENT_ID")
        client_secret = read("TRACKSYNC_PAYPAL_CLIENT_SECRET")
        if (client_id is None) != (client_secret is None):
            missing = (
                "TRACKSYNC_PAYPAL_CLIENT_SECRET"
                if client_secret is None
                else "TRACKSYNC_PAYPAL_CLIENT_ID"
            )
            raise ConfigurationError(
                f"{missing} is not set; PayPal needs both the client id and the secret."
            )
        environment = (read("TRACKSYNC_PAYPAL_ENVIRONMENT") or "sandbox").lower()
        if environment not in PAYPAL_ENVIRONMENTS:
            raise ConfigurationError(
                f"TRACKSYNC_PAYPAL_ENVIRONMENT is {environment!r}; set it to sandbox or live."
            )
        return cls(
            paypal_client_id=client_id,
            paypal_client_secret=client_secret,
            paypal_environment=environment,
            paypal_base_url=read("TRACKSYNC_PAYPAL_BASE_URL"),
            stripe_api_key=read("TRACKSYNC_STRIPE_API_KEY"),
            stripe_base_url=read("TRACKSYNC_STRIPE_BASE_URL"),
        )

    @property
    def has_paypal(self) -> bool:
        """Whether PayPal credentials are set."""
        return self.paypal_client_id is not None and self.paypal_client_secret is not None

    @property
    def has_stripe(self) -> bool:
        """Whether a Stripe key is set."""
        return self.stripe_api_key is not None


def providers_from_environment(
    environ: Mapping[str, str], *, overrides: Overrides | None = None
) -> list[AsyncTrackingProvider]:
    """Build one async provider per set of credentials found in the environment.

    Raises:
        ConfigurationError: no credentials are set, or the settings are invalid.
    """
    # Imported here so that reading a file or printing help does not load the HTTP stack.
    from ..providers.paypal import AsyncPayPalProvider
    from ..providers.stripe import AsyncStripeProvider

    settings = ProviderSettings.from_environment(environ)
    providers: list[AsyncTrackingProvider] = []
    if settings.paypal_client_id is not None and settings.paypal_client_secret is not None:
        providers.append(
            AsyncPayPalProvider(
                settings.paypal_client_id,
                settings.paypal_client_secret,
                environment=settings.paypal_environment,
                base_url=settings.paypal_base_url,
                carrier_overrides=overrides,
            )
        )
    if settings.stripe_api_key is not None:
        providers.append(
            AsyncStripeProvider(
                settings.stripe_api_key,
                base_url=settings.stripe_base_url,
                carrier_overrides=overrides,
            )
        )
    if not providers:
        raise ConfigurationError(
            "No provider credentials are set. Set TRACKSYNC_PAYPAL_CLIENT_ID and "
            "TRACKSYNC_PAYPAL_CLIENT_SECRET for PayPal, TRACKSYNC_STRIPE_API_KEY for Stripe, "
            "or add --emulate to run against the built-in emulators."
        )
    return providers
