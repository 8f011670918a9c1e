"""What PayPalProvider and AsyncPayPalProvider share: one account's state and every flow.

:class:`PayPalCore` contains the credentials, the token cache and the account stop (in its
:class:`PayPalSession`), the send options and the carrier overrides. It turns each public
operation into one I/O-free flow, or a batch into independent units of flows, which the
sync and the async provider send with their own client.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import attrs

from ..._models import PaymentRef, Shipment
from ..._plan import Change, ChangeKind, ChangeResult
from ..._remote import RemotePayment
from ..._retry import RetryPolicy
from ...carriers import Overrides
from ...errors import ConfigurationError
from .._flow import Flow, SendOptions
from .._protocol import Capabilities
from .._sending import send_options
from .._units import Batch
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
from ._batching import plan_batch
from ._carriers import stored_carrier
from ._changes import already_applied
from ._ids import check_payment
from ._session import PayPalSession
from ._v1_apply import add_flow, cancel_flow, update_flow
from ._v1_trackers import check_ascii

__all__ = [
    "CAPABILITIES",
    "DEFAULT_REQUESTS_PER_SECOND",
    "LIVE_BASE_URL",
    "SANDBOX_BASE_URL",
    "PayPalCore",
]

SANDBOX_BASE_URL = "https://api-m.sandbox.paypal.com"
LIVE_BASE_URL = "https://api-m.paypal.com"

_BASE_URLS = {"sandbox": SANDBOX_BASE_URL, "live": LIVE_BASE_URL}

# NOTE: PayPal publishes no numeric rate limits; 10 requests per second is a conservative
# guess, not a documented figure. Raise it with requests_per_second= if PayPal allows more.
DEFAULT_REQUESTS_PER_SECOND = 10.0

#: Capabilities of Orders v2 trackers, kept under its first name.
CAPABILITIES = ORDERS_V2_CAPABILITIES

#: The provider's own capabilities in modes "auto" and "orders_v2": Orders v2 trackers,
#: with the v1 batch size so that the Reconciler calls ``apply_batch``.
_PROVIDER_CAPABILITIES = attrs.evolve(ORDERS_V2_CAPABILITIES, batch_size=V1_BATCH_SIZE)


@attrs.define
class PayPalCore:
    """One PayPal account's state, and the flows of every operation on it."""

    session: PayPalSession
    environment: str
    api: ApiMode
    retry_without_items: bool
    options: SendOptions
    carrier_overrides: Overrides | None

    @classmethod
    def create(
        cls,
        client_id: str,
        client_secret: str,
        *,
        owner: str,
        environment: str,
        base_url: str | None,
        account: str | None,
        api: ApiMode,
        on_behalf_of: str | None,
        retry_without_items: bool,
        retry: RetryPolicy | None,
        requests_per_second: float,
        carrier_overrides: Overrides | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> PayPalCore:
        """Check a provider's arguments and build its core.

        ``owner`` is the provider's class name, for error messages. The other arguments
        are those of :class:`~tracksync.providers.paypal.PayPalProvider`.

        Raises:
            ConfigurationError: a credential is empty or has outer white space, or the
                environment, base URL, ``api`` or ``on_behalf_of`` is invalid.
        """
        _check_credential("client_id", client_id, CLIENT_ID_VARIABLE, owner)
        _check_credential("client_secret", client_secret, CLIENT_SECRET_VARIABLE, owner)
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

        auth = PayPalAuth(
            base_url=base_url.rstrip("/"),
            client_id=client_id,
            client_secret=client_secret,
            cache=TokenCache(clock),
        )
        return cls(
            session=PayPalSession(auth=auth, account=account, on_behalf_of=on_behalf_of),
            environment=environment,
            api=api,
            retry_without_items=retry_without_items,
            options=send_options(
                retry=retry, requests_per_second=requests_per_second, account=account
            ),
            carrier_overrides=carrier_overrides,
        )

    # Pure checks, which send nothing.

    @property
    def capabilities(self) -> Capabilities:
        """The capabilities of payments that declare none, with batch size 20 in every mode."""
        if self.api == "v1":
            return V1_CAPABILITIES
        return _PROVIDER_CAPABILITIES

    def api_for(self, payment: PaymentRef) -> Api:
        """Return the tracking API that serves the payment."""
        return choose_api(self.api, payment)

    def check_payment(self, payment: PaymentRef) -> str | None:
        """Return why the payment's capture or order id cannot be used, or None."""
        return check_payment(payment, self.api)

    def stored_carrier(self, payment: PaymentRef, shipment: Shipment) -> str:
        """Return the carrier code the payment's API stores, or the name sent with OTHER."""
        return stored_carrier(
            shipment.carrier,
            self.api_for(payment),
            tracking_number=shipment.tracking_number,
            overrides=self.carrier_overrides,
        )

    def check_shipment(self, payment: PaymentRef, shipment: Shipment) -> str | None:
        """Return why the shipment cannot be sent to the payment's API, or None.

        The v1 API takes only ASCII tracking numbers; Orders v2 takes any valid Shipment.
        """
        if self.api_for(payment) is Api.ORDERS_V2:
            return None
        problem = check_ascii(shipment.tracking_number)
        if problem is None:
            return None
        if self.api == "v1":
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

    def needs_token(self) -> bool:
        """Return whether a flow's first request would be a request for an access token."""
        return self.session.account_error is None and self.session.auth.cache.get() is None

    # Flows: each operation as one generator of requests.

    def fetch_flow(self, payment: PaymentRef) -> Flow[RemotePayment]:
        """Read the payment's capture state and trackers (see ``PayPalProvider.fetch``)."""
        self.session.check_account()
        if self.api_for(payment) is Api.ORDERS_V2:
            return (yield from _flows.fetch_flow(self.session, payment, self.api))
        return (yield from _v1_fetch.fetch_flow(self.session, payment))

    def apply_flow(self, change: Change) -> Flow[ChangeResult]:
        """Add, update or cancel one tracker (see ``PayPalProvider.apply``).

        A change whose result PayPal already stores returns UNCHANGED without a request.
        """
        self.session.check_account()
        change = self._with_stored_carrier(change)
        api = self.api_for(change.payment)
        unchanged = already_applied(change, api)
        if unchanged is not None:
            return unchanged
        if api is Api.ORDERS_V2:
            return (
                yield from _flows.apply_flow(
                    self.session, change, self.api, retry_without_items=self.retry_without_items
                )
            )
        if change.kind is ChangeKind.ADD:
            return (yield from add_flow(self.session, change))
        if change.kind is ChangeKind.UPDATE:
            return (yield from update_flow(self.session, change))
        return (yield from cancel_flow(self.session, change))

    def plan_batch(self, changes: Sequence[Change]) -> Batch:
        """Split the changes into independent units (see ``PayPalProvider.apply_batch``)."""
        return plan_batch(
            [self._with_stored_carrier(change) for change in changes],
            self.session,
            is_v1_add=self._is_v1_add,
            apply=self.apply_flow,
        )

    def describe(self) -> str:
        """Return the arguments that a provider's ``repr`` shows; never the secret."""
        return (
            f"client_id={self.session.auth.client_id!r}, environment={self.environment!r}, "
            f"base_url={self.session.base_url!r}, account={self.session.account!r}, "
            f"api={self.api!r}, on_behalf_of={self.session.on_behalf_of!r}"
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

    def _is_v1_add(self, change: Change) -> bool:
        return change.kind is ChangeKind.ADD and self.api_for(change.payment) is Api.V1


def _check_credential(name: str, value: str, variable: str, owner: str) -> None:
    """Raise ConfigurationError for an empty credential or one with outer white space.

    The message never shows the value.
    """
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(
            f"The PayPal {name} is empty; set {variable} or pass {name} to {owner}."
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
