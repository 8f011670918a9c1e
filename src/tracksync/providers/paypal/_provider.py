"""PayPalProvider: the TrackingProvider for PayPal's Orders v2 tracking API."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType

import httpx
from typing_extensions import Self

from ..._models import PAYPAL, PaymentRef, Shipment, ShipmentStatus
from ..._plan import Change, ChangeResult
from ..._remote import RemotePayment
from ...errors import ConfigurationError
from .._flow import run_flow
from .._protocol import Capabilities
from ._auth import CLIENT_ID_VARIABLE, CLIENT_SECRET_VARIABLE, PayPalAuth, TokenCache
from ._flows import apply_flow, fetch_flow
from ._ids import check_payment

__all__ = ["CAPABILITIES", "LIVE_BASE_URL", "SANDBOX_BASE_URL", "PayPalProvider"]

SANDBOX_BASE_URL = "https://api-m.sandbox.paypal.com"
LIVE_BASE_URL = "https://api-m.paypal.com"

_BASE_URLS = {"sandbox": SANDBOX_BASE_URL, "live": LIVE_BASE_URL}

#: Capabilities of Orders v2 trackers: status SHIPPED or CANCELLED, with no carrier or
#: status change in place, so a new carrier means cancelling and adding a tracker.
CAPABILITIES = Capabilities(
    statuses=frozenset({ShipmentStatus.SHIPPED, ShipmentStatus.CANCELLED}),
    can_update_carrier=False,
    can_update_status=False,
    can_cancel=True,
    requires_recipient=False,
)


class PayPalProvider:
    """Reads and writes trackers on PayPal payments through the Orders v2 API.

    Each payment needs its capture id (``payment_id``) and its PayPal order id
    (``paypal_order_id``). An access token is requested with the client credentials on
    the first call and reused until 60 seconds before it expires.

    Args:
        client_id: the REST app's client id.
        client_secret: the REST app's secret. tracksync puts it in no ``repr()``, error
            message or log line.
        environment: ``"sandbox"`` or ``"live"``, which chooses the base URL.
        base_url: another base URL, such as an emulator's; overrides ``environment``.
        account: the account name that payments use to pick this provider.
        client: an ``httpx.Client`` to send requests with. The provider closes only a
            client it created itself.
        timeout: seconds to wait for PayPal, for the client the provider creates.
        clock: seconds from a monotonic clock, for the token's expiry.

    Raises:
        ConfigurationError: a credential is empty or has outer white space, or the
            environment or base URL is invalid.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        environment: str = "sandbox",
        base_url: str | None = None,
        account: str | None = None,
        client: httpx.Client | None = None,
        timeout: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        _check_credential("client_id", client_id, CLIENT_ID_VARIABLE)
        _check_credential("client_secret", client_secret, CLIENT_SECRET_VARIABLE)
        if environment not in _BASE_URLS:
            raise ConfigurationError(
                f"PayPal environment {environment!r} is unknown; use 'sandbox' or 'live'."
            )
        if base_url is None:
            base_url = _BASE_URLS[environment]
        elif not base_url.startswith(("https://", "http://")):
            raise ConfigurationError(
                f"PayPal base URL {base_url!r} is not an http or https URL; give one such "
                f"as {SANDBOX_BASE_URL!r}."
            )

        self._environment = environment
        self._account = account
        self._auth = PayPalAuth(
            base_url=base_url.rstrip("/"),
            client_id=client_id,
            client_secret=client_secret,
            cache=TokenCache(clock),
        )
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(timeout=timeout)

    @property
    def name(self) -> str:
        """The provider name that payments use: ``"paypal"``."""
        return PAYPAL

    @property
    def account(self) -> str | None:
        """The account name this provider serves, or None for the only PayPal account."""
        return self._account

    @property
    def capabilities(self) -> Capabilities:
        """What PayPal's Orders v2 trackers can hold and change."""
        return CAPABILITIES

    @property
    def base_url(self) -> str:
        """The base URL requests go to, without a trailing slash."""
        return self._auth.base_url

    def check_payment(self, payment: PaymentRef) -> str | None:
        """Return why the payment's capture or order id cannot be used, or None."""
        return check_payment(payment)

    def check_shipment(self, payment: PaymentRef, shipment: Shipment) -> str | None:
        """Return None: every valid Shipment can be sent to Orders v2."""
        return None

    def fetch(self, payment: PaymentRef) -> RemotePayment:
        """Read the payment's order and return the capture's state and trackers.

        Raises:
            InvalidInputError: the payment's ids fail :meth:`check_payment`.
            ProviderError: PayPal could not be reached or responded with an error other
                than 404.
        """
        return run_flow(self._client, fetch_flow(self._auth, payment), provider=PAYPAL)

    def apply(self, change: Change) -> ChangeResult:
        """Add or cancel one tracker.

        Raises:
            InvalidInputError: the change is an UPDATE, which Orders v2 cannot make, or
                has no capture id, or its payment's ids are invalid.
            ProviderError: PayPal could not be reached or responded with an error.
        """
        return run_flow(self._client, apply_flow(self._auth, change), provider=PAYPAL)

    def close(self) -> None:
        """Close the HTTP client if the provider created it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"PayPalProvider(client_id={self._auth.client_id!r}, "
            f"environment={self._environment!r}, base_url={self.base_url!r}, "
            f"account={self._account!r})"
        )


def _check_credential(name: str, value: str, variable: str) -> None:
    """Raise ConfigurationError for an empty credential or one with outer white space.

    The message never shows the value.
    """
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(
            f"The PayPal {name} is empty; set {variable} or pass {name} to PayPalProvider."
        )
    if value != value.strip():
        raise ConfigurationError(
            f"The PayPal {name} has leading or trailing white space, such as a line break "
            f"copied with it; strip it from {variable} or the {name} argument."
        )
