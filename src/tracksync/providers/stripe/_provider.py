"""StripeProvider: shipment tracking in the ``shipping`` hash of Stripe PaymentIntents."""

from __future__ import annotations

import types
import urllib.parse

import httpx

from ..._models import STRIPE, PaymentRef, Shipment
from ..._plan import Change, ChangeResult
from ..._remote import RemotePayment
from ...errors import ConfigurationError, InvalidInputError
from .._flow import run_flow
from .._protocol import Capabilities
from ._flows import apply_change, fetch_payment
from ._payment_intents import describe_payment_id
from ._settings import DEFAULT_BASE_URL, STRIPE_API_VERSION, ApiSettings
from ._shipping import check_no_comma

__all__ = ["StripeProvider"]


class StripeProvider:
    """Keeps tracking numbers in the ``shipping`` hash of Stripe PaymentIntents.

    Stripe stores one carrier and one tracking number field per PaymentIntent, so every
    package of a payment is kept there as a comma-separated list. Stripe stores no
    shipment status, and every update must carry the recipient's name and address.

    Args:
        api_key: a secret (``sk_...``) or restricted (``rk_...``) key. It is sent only in
            the ``Authorization`` header and never shown in ``repr`` or messages.
        base_url: scheme, host and an optional path prefix, such as a test server's.
            The default is ``https://api.stripe.com``.
        account: the label that :attr:`PaymentRef.account` is matched against. It selects
            this provider only; no ``Stripe-Account`` header is sent.
        client: an httpx client to send with. The provider closes only a client it created.
        api_version: sent as ``Stripe-Version`` on every request.
        timeout: seconds per request, for the client the provider creates; a given
            client keeps its own timeout.

    Raises:
        ConfigurationError: the API key is empty, or an option is invalid.
    """

    _CAPABILITIES = Capabilities(
        statuses=frozenset(),
        can_update_carrier=True,
        can_update_status=False,
        can_cancel=True,
        requires_recipient=True,
    )

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        account: str | None = None,
        client: httpx.Client | None = None,
        api_version: str = STRIPE_API_VERSION,
        timeout: float = 30.0,
    ) -> None:
        _check_api_key(api_key)
        if account is not None and (not account.strip() or account != account.strip()):
            raise ConfigurationError(
                f"The Stripe account label {account!r} is blank or has outer white space. "
                "Give a label such as 'eu-shop', or None."
            )
        if not api_version.strip():
            raise ConfigurationError(
                f"The Stripe API version is empty. Leave it out to send {STRIPE_API_VERSION}."
            )
        if timeout <= 0:
            raise ConfigurationError(
                f"The Stripe timeout is {timeout!r} seconds. Give a positive number."
            )
        self._settings = ApiSettings(
            api_key=api_key,
            base_url=_clean_base_url(base_url),
            api_version=api_version,
        )
        self._account = account
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(timeout=timeout)

    @property
    def name(self) -> str:
        """The provider name that payments are matched against: ``"stripe"``."""
        return STRIPE

    @property
    def account(self) -> str | None:
        """The account label this provider serves, or None for the only Stripe account."""
        return self._account

    @property
    def capabilities(self) -> Capabilities:
        """Capabilities: carriers can be changed and packages removed, but no status is stored."""
        return self._CAPABILITIES

    def check_payment(self, payment: PaymentRef) -> str | None:
        """Return why the payment id is not a PaymentIntent id, or None."""
        return describe_payment_id(payment.payment_id)

    def check_shipment(self, payment: PaymentRef, shipment: Shipment) -> str | None:
        """Return why the shipment's carrier cannot join Stripe's comma-separated list."""
        try:
            check_no_comma(shipment.carrier, "carrier")
        except InvalidInputError as exc:
            return str(exc)
        return None

    def fetch(self, payment: PaymentRef) -> RemotePayment:
        """Read the PaymentIntent and the packages in its ``shipping`` hash.

        Raises:
            InvalidInputError: the payment id is not a PaymentIntent id.
            StripeError: Stripe responded with an error other than "no such PaymentIntent".
            ProviderConnectionError: the request got no response.
        """
        return run_flow(self._client, fetch_payment(self._settings, payment), provider=STRIPE)

    def apply(self, change: Change) -> ChangeResult:
        """Read the PaymentIntent again and write its ``shipping`` with the change made.

        Sends nothing when the PaymentIntent already contains what the change requests.

        Raises:
            InvalidInputError: the payment id is not a PaymentIntent id, a value contains
                a comma, or no recipient name and address are known.
            StripeError: Stripe responded with an error.
            ProviderConnectionError: a request got no response.
        """
        return run_flow(self._client, apply_change(self._settings, change), provider=STRIPE)

    def close(self) -> None:
        """Close the HTTP client if this provider created it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> StripeProvider:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"StripeProvider(base_url={self._settings.base_url!r}, account={self._account!r}, "
            f"api_version={self._settings.api_version!r})"
        )


def _check_api_key(api_key: str) -> None:
    # The messages never include the key, not even in part.
    if not isinstance(api_key, str) or not api_key:
        raise ConfigurationError(
            "The Stripe API key is empty. Give a secret key (sk_...) or a restricted key "
            "(rk_...) from the Stripe Dashboard."
        )
    if any(character.isspace() for character in api_key):
        raise ConfigurationError(
            "The Stripe API key contains white space, such as a line break read from a "
            "file. Strip it and try again."
        )


def _clean_base_url(base_url: str | None) -> str:
    if base_url is None:
        return DEFAULT_BASE_URL
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigurationError(
            f"The Stripe base_url {base_url!r} is not an http or https URL. Give one such "
            "as 'https://api.stripe.com'."
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(
            f"The Stripe base_url {base_url!r} has a query or fragment. Give only the "
            "scheme, host and an optional path prefix."
        )
    return base_url.rstrip("/")
