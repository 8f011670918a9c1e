"""PayPalProvider: the TrackingProvider for PayPal's Orders v2 and v1 tracking APIs."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from types import TracebackType

import attrs
import httpx
from typing_extensions import Self

from ..._models import PAYPAL, PaymentRef, Shipment
from ..._plan import Change, ChangeKind, ChangeResult
from ..._remote import RemotePayment
from ..._retry import RetryPolicy
from ...carriers import Overrides
from ...errors import ConfigurationError, TracksyncError
from .._flow import run_flow
from .._protocol import Capabilities
from .._sending import send_options
from . import _flows, _v1_fetch
from ._apis import (
    API_MODES,
    ORDERS_V2_CAPABILITIES,
    V1_BATCH_SIZE,
    V1_CAPABILITIES,
    Api,
    ApiMode,
    choose_api,
)
from ._auth import CLIENT_ID_VARIABLE, CLIENT_SECRET_VARIABLE, PayPalAuth, TokenCache
from ._batching import apply_with_batches, send_v1_adds
from ._carriers import stored_carrier
from ._changes import already_applied
from ._ids import check_payment
from ._session import PayPalSession
from ._v1_apply import cancel_flow, update_flow
from ._v1_trackers import check_ascii

__all__ = ["CAPABILITIES", "LIVE_BASE_URL", "SANDBOX_BASE_URL", "PayPalProvider"]

SANDBOX_BASE_URL = "https://api-m.sandbox.paypal.com"
LIVE_BASE_URL = "https://api-m.paypal.com"

_BASE_URLS = {"sandbox": SANDBOX_BASE_URL, "live": LIVE_BASE_URL}

# NOTE: PayPal publishes no numeric rate limits; 10 requests per second is a conservative
# guess, not a documented figure. Raise it with requests_per_second= if PayPal allows more.
DEFAULT_REQUESTS_PER_SECOND = 10.0

#: Capabilities of Orders v2 trackers, kept under its first name.
CAPABILITIES = ORDERS_V2_CAPABILITIES

#: The provider's own capabilities in modes "auto" and "orders_v2": Orders v2 trackers,
#: with the v1 batch size so that the Reconciler calls :meth:`PayPalProvider.apply_batch`.
_PROVIDER_CAPABILITIES = attrs.evolve(ORDERS_V2_CAPABILITIES, batch_size=V1_BATCH_SIZE)

_OutputList = list[ChangeResult | TracksyncError]


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
        if api not in API_MODES:
            raise ConfigurationError(
                f"PayPal api {api!r} is unknown; use 'auto', 'orders_v2' or 'v1'."
            )
        if on_behalf_of is not None:
            _check_merchant(on_behalf_of)

        self._environment = environment
        self._api: ApiMode = api
        self._retry_without_items = retry_without_items
        auth = PayPalAuth(
            base_url=base_url.rstrip("/"),
            client_id=client_id,
            client_secret=client_secret,
            cache=TokenCache(clock),
        )
        self._session = PayPalSession(auth=auth, account=account, on_behalf_of=on_behalf_of)
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(timeout=timeout)
        self._carrier_overrides = carrier_overrides
        self._options = send_options(
            retry=retry, requests_per_second=requests_per_second, account=account
        )

    @property
    def name(self) -> str:
        """The provider name that payments use: ``"paypal"``."""
        return PAYPAL

    @property
    def account(self) -> str | None:
        """The account name this provider serves, or None for the only PayPal account."""
        return self._session.account

    @property
    def capabilities(self) -> Capabilities:
        """What trackers can hold and change when a payment declares nothing else.

        Every payment that ``fetch`` reads declares its own API's capabilities. The batch
        size is 20 in every mode, so that the Reconciler sends changes through
        :meth:`apply_batch`.
        """
        if self._api == "v1":
            return V1_CAPABILITIES
        return _PROVIDER_CAPABILITIES

    @property
    def base_url(self) -> str:
        """The base URL requests go to, without a trailing slash."""
        return self._session.base_url

    def check_payment(self, payment: PaymentRef) -> str | None:
        """Return why the payment's capture or order id cannot be used, or None."""
        return check_payment(payment, self._api)

    def stored_carrier(self, payment: PaymentRef, shipment: Shipment) -> str:
        """Return the carrier code the payment's API stores, or the name sent with OTHER."""
        return stored_carrier(
            shipment.carrier,
            self._api_for(payment),
            tracking_number=shipment.tracking_number,
            overrides=self._carrier_overrides,
        )

    def _with_stored_carrier(self, change: Change) -> Change:
        """Return the change with its carrier as the payment's API stores it.

        The builders then send that code, or that name with OTHER, and apply the shop's
        carrier overrides once, here.
        """
        carrier = self.stored_carrier(change.payment, change.shipment)
        if carrier == change.shipment.carrier:
            return change
        return attrs.evolve(change, shipment=attrs.evolve(change.shipment, carrier=carrier))

    def check_shipment(self, payment: PaymentRef, shipment: Shipment) -> str | None:
        """Return why the shipment cannot be sent to the payment's API, or None.

        The v1 API takes only ASCII tracking numbers; Orders v2 takes any valid Shipment.
        """
        if self._api_for(payment) is Api.ORDERS_V2:
            return None
        problem = check_ascii(shipment.tracking_number)
        if problem is None:
            return None
        if self._api == "v1":
            return (
                f"{problem} This PayPalProvider was built with api='v1'. Build it with "
                "api='auto' and add the PayPal order id (column paypal_order_id), so that "
                f"tracksync uses Orders v2 for {payment}, which takes Unicode tracking "
                "numbers, or correct the tracking number."
            )
        return (
            f"{problem} {payment} uses that API because it has no PayPal order id. Add the "
            "order id (column paypal_order_id) so that tracksync uses Orders v2, which "
            "takes Unicode tracking numbers, or correct the tracking number."
        )

    def fetch(self, payment: PaymentRef) -> RemotePayment:
        """Read the payment's capture state and trackers.

        Raises:
            InvalidInputError: the payment's ids fail :meth:`check_payment`.
            AccountError: PayPal rejected the credentials or their permissions, now or
                earlier.
            ProviderError: PayPal could not be reached or responded with an error other
                than 404.
        """
        self._session.check_account()
        if self._api_for(payment) is Api.ORDERS_V2:
            flow = _flows.fetch_flow(self._session, payment, self._api)
        else:
            flow = _v1_fetch.fetch_flow(self._session, payment)
        return run_flow(self._client, flow, provider=PAYPAL, options=self._options)

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
        self._session.check_account()
        change = self._with_stored_carrier(change)
        api = self._api_for(change.payment)
        # A flow must send a request before it returns, so the no-op check comes first.
        unchanged = already_applied(change, api)
        if unchanged is not None:
            return unchanged
        if api is Api.ORDERS_V2:
            flow = _flows.apply_flow(
                self._session, change, self._api, retry_without_items=self._retry_without_items
            )
        elif change.kind is ChangeKind.ADD:
            [output] = self._send_v1_adds([change])
            if isinstance(output, TracksyncError):
                raise output
            return output
        elif change.kind is ChangeKind.UPDATE:
            flow = update_flow(self._session, change)
        else:
            flow = cancel_flow(self._session, change)
        return run_flow(self._client, flow, provider=PAYPAL, options=self._options)

    def apply_batch(self, changes: Sequence[Change]) -> _OutputList:
        """Perform the changes and return one result or error per change, in input order.

        New trackers on v1 payments go out 20 per request, in plan order. Every other
        change is applied one by one in plan order, and an add is skipped when cancelling
        the tracker it replaces failed.
        """
        return apply_with_batches(
            [self._with_stored_carrier(change) for change in changes],
            is_batched=self._is_v1_add,
            apply=self.apply,
            add_batch=self._send_v1_adds,
        )

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
            f"PayPalProvider(client_id={self._session.auth.client_id!r}, "
            f"environment={self._environment!r}, base_url={self.base_url!r}, "
            f"account={self.account!r}, api={self._api!r}, "
            f"on_behalf_of={self._session.on_behalf_of!r})"
        )

    def _api_for(self, payment: PaymentRef) -> Api:
        return choose_api(self._api, payment)

    def _is_v1_add(self, change: Change) -> bool:
        return change.kind is ChangeKind.ADD and self._api_for(change.payment) is Api.V1

    def _send_v1_adds(self, changes: Sequence[Change]) -> _OutputList:
        if self._session.account_error is not None:
            return [self._session.account_error] * len(changes)
        return send_v1_adds(self._client, self._session, changes, options=self._options)


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


def _check_merchant(value: str) -> None:
    """Raise ConfigurationError unless the value can name a merchant in the partner header."""
    if not isinstance(value, str) or not value or any(char.isspace() for char in value):
        raise ConfigurationError(
            f"PayPal on_behalf_of {value!r} is not a merchant id or e-mail address; give "
            "the merchant's PayPal payer id, such as '7KNGBPH2U58GQ', or its e-mail address."
        )
