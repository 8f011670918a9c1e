"""PayPalProvider: the TrackingProvider for PayPal's Orders v2 and v1 tracking APIs."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TypeVar

import httpx
from typing_extensions import Self

from ..._models import PAYPAL, PaymentRef, Shipment
from ..._plan import Change, ChangeResult
from ..._remote import RemotePayment
from ..._retry import RetryPolicy
from ...carriers import Overrides
from .._flow import Flow, run_flow
from .._protocol import Capabilities
from .._units import Output, run_batch
from ._apis import ApiMode
from ._core import (
    CAPABILITIES,
    DEFAULT_REQUESTS_PER_SECOND,
    LIVE_BASE_URL,
    SANDBOX_BASE_URL,
    PayPalCore,
)

__all__ = ["CAPABILITIES", "LIVE_BASE_URL", "SANDBOX_BASE_URL", "PayPalProvider"]

T = TypeVar("T")


class PayPalProvider:
    """Reads and writes trackers on PayPal payments through the Orders v2 or v1 tracking API.

    Each payment needs its capture id (``payment_id``). With ``api="auto"``, a payment that
    also has its PayPal order id (``paypal_order_id``) uses Orders v2, and any other uses
    the v1 tracking API, which first checks the id through Payments v2. An access token is
    requested with the client credentials on the first call and reused until 60 seconds
    before it expires.

    Once PayPal rejects the credentials, or denies a call for lack of permission, the
    provider raises that :class:`~tracksync.errors.AccountError` from every later
    ``fetch`` and ``apply`` without sending a request.

    Args:
        client_id: the REST app's client id.
        client_secret: the REST app's secret. tracksync puts it in no ``repr()``, error
            message or log line.
        environment: ``"sandbox"`` or ``"live"``, which chooses the base URL.
        base_url: another base URL, such as an emulator's; overrides ``environment``.
        account: the account name that payments use to pick this provider.
        api: ``"auto"``, ``"orders_v2"`` or ``"v1"``: which tracking API to use. The last
            two force one API for every payment.
        on_behalf_of: for a partner's app, the merchant whose payments these are: a PayPal
            payer (merchant) id, or an e-mail address. Every API call then carries a
            ``PayPal-Auth-Assertion`` header naming that merchant.
        retry_without_items: when Orders v2 rejects a new tracker's item SKUs
            (ITEM_SKU_MISMATCH), send it once more without items instead of failing.
        client: an ``httpx.Client`` to send requests with. The provider closes only a
            client it created itself.
        timeout: seconds to wait for PayPal, for the client the provider creates.
        retry: when and how often to resend a request; None for the default
            :class:`~tracksync.RetryPolicy`. Tracking writes, which PayPal takes without an
            idempotency key, are resent only when PayPal cannot have received them.
        requests_per_second: the most requests this account sends per second;
            ``math.inf`` for no limit.
        carrier_overrides: the shop's own carrier names mapped to registry carriers or
            PayPal codes, applied before tracksync's rules (see
            :func:`tracksync.carriers.normalize`).
        clock: seconds from a monotonic clock, for the token's expiry.

    Raises:
        ConfigurationError: a credential is empty or has outer white space, or the
            environment, base URL, ``api`` or ``on_behalf_of`` is invalid.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        environment: str = "sandbox",
        base_url: str | None = None,
        account: str | None = None,
        api: ApiMode = "auto",
        on_behalf_of: str | None = None,
        retry_without_items: bool = False,
        client: httpx.Client | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        requests_per_second: float = DEFAULT_REQUESTS_PER_SECOND,
        carrier_overrides: Overrides | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._core = PayPalCore.create(
            client_id,
            client_secret,
            owner=type(self).__name__,
            environment=environment,
            base_url=base_url,
            account=account,
            api=api,
            on_behalf_of=on_behalf_of,
            retry_without_items=retry_without_items,
            retry=retry,
            requests_per_second=requests_per_second,
            carrier_overrides=carrier_overrides,
            clock=clock,
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
        return self._core.session.account

    @property
    def capabilities(self) -> Capabilities:
        """What trackers can hold and change when a payment declares nothing else.

        Every payment that ``fetch`` reads declares its own API's capabilities. The batch
        size is 20 in every mode, so that the Reconciler sends changes through
        :meth:`apply_batch`.
        """
        return self._core.capabilities

    @property
    def base_url(self) -> str:
        """The base URL requests go to, without a trailing slash."""
        return self._core.session.base_url

    def check_payment(self, payment: PaymentRef) -> str | None:
        """Return why the payment's capture or order id cannot be used, or None."""
        return self._core.check_payment(payment)

    def stored_carrier(self, payment: PaymentRef, shipment: Shipment) -> str:
        """Return the carrier code the payment's API stores, or the name sent with OTHER."""
        return self._core.stored_carrier(payment, shipment)

    def check_shipment(self, payment: PaymentRef, shipment: Shipment) -> str | None:
        """Return why the shipment cannot be sent to the payment's API, or None.

        The v1 API takes only ASCII tracking numbers; Orders v2 takes any valid Shipment.
        """
        return self._core.check_shipment(payment, shipment)

    def fetch(self, payment: PaymentRef) -> RemotePayment:
        """Read the payment's capture state and trackers.

        Raises:
            InvalidInputError: the payment's ids fail :meth:`check_payment`.
            AccountError: PayPal rejected the credentials or their permissions, now or
                earlier.
            ProviderError: PayPal could not be reached or responded with an error other
                than 404.
        """
        return self._run(self._core.fetch_flow(payment))

    def apply(self, change: Change) -> ChangeResult:
        """Add, update or cancel one tracker.

        A change whose result PayPal already stores returns UNCHANGED without a request.

        Raises:
            InvalidInputError: the change is one the payment's API cannot make (an UPDATE
                on Orders v2), has no capture id, or has a value PayPal does not take.
            AccountError: PayPal rejected the credentials or their permissions, now or
                earlier.
            ProviderError: PayPal could not be reached or responded with an error.
        """
        return self._run(self._core.apply_flow(change))

    def apply_batch(self, changes: Sequence[Change]) -> list[Output]:
        """Perform the changes and return one result or error per change, in input order.

        New trackers on v1 payments go out 20 per request, in plan order. Every other
        change is applied one by one in plan order, and an add is skipped when cancelling
        the tracker it replaces failed.
        """
        batch = self._core.plan_batch(changes)
        return run_batch(self._client, batch, provider=PAYPAL, options=self._core.options)

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
        return f"PayPalProvider({self._core.describe()})"

    def _run(self, flow: Flow[T]) -> T:
        return run_flow(self._client, flow, provider=PAYPAL, options=self._core.options)
