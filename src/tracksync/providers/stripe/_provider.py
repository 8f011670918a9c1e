"""StripeProvider: shipment tracking in the ``shipping`` hash of Stripe payments."""

from __future__ import annotations

import types
from collections.abc import Sequence

import httpx

from ..._models import STRIPE, PaymentRef, Shipment
from ..._plan import Change, ChangeResult
from ..._remote import RemotePayment
from ..._retry import RetryPolicy
from ...carriers import Overrides
from ...errors import TracksyncError
from .._flow import run_flow
from .._protocol import Capabilities
from .._units import Output, run_batch
from ._core import StripeCore
from ._settings import STRIPE_API_VERSION

__all__ = ["StripeProvider"]


class StripeProvider:
    """Keeps tracking numbers in the ``shipping`` hash of Stripe PaymentIntents and Charges.

    A payment id may name a PaymentIntent (``pi_...``), a Charge (``ch_...``, ``py_...``)
    or a Checkout Session (``cs_...``), whose PaymentIntent takes the tracking. Stripe
    stores one carrier and one tracking number field per object, so every package of a
    payment is kept there as a comma-separated list, and each package's status and
    shipped-on date go into the object's metadata. Every shipping update carries the
    recipient's name and address.

    Args:
        api_key: a secret (``sk_...``) or restricted (``rk_...``) key. It is sent only in
            the ``Authorization`` header and never shown in ``repr`` or messages.
        base_url: scheme, host and an optional path prefix, such as a test server's.
            The default is ``https://api.stripe.com``.
        account: the label that :attr:`PaymentRef.account` is matched against, to choose
            among several Stripe providers. A payment whose own account starts with
            ``acct_`` is sent to that connected account with a ``Stripe-Account`` header.
        client: an httpx client to send with. The provider closes only a client it created.
        api_version: sent as ``Stripe-Version`` on every request.
        timeout: seconds per request, for the client the provider creates; a given
            client keeps its own timeout.
        retry: when and how often to resend a request; None for the default
            :class:`~tracksync.RetryPolicy`. Every write carries an Idempotency-Key, so a
            resent write is never applied twice.
        carrier_overrides: the shop's own carrier names mapped to registry carriers,
            applied before tracksync's rules (see :func:`tracksync.carriers.normalize`).
        requests_per_second: the most requests this key sends per second; None for 20
            with a test key and 80 with a live key, below Stripe's limits of 25 and 100;
            ``math.inf`` for no limit.

    Raises:
        ConfigurationError: the API key is empty, or an option is invalid.
    """

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        account: str | None = None,
        client: httpx.Client | None = None,
        api_version: str = STRIPE_API_VERSION,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        requests_per_second: float | None = None,
        carrier_overrides: Overrides | None = None,
    ) -> None:
        self._core = StripeCore.create(
            api_key,
            base_url=base_url,
            account=account,
            api_version=api_version,
            timeout=timeout,
            retry=retry,
            requests_per_second=requests_per_second,
            carrier_overrides=carrier_overrides,
        )
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(timeout=timeout)

    @property
    def name(self) -> str:
        """The provider name that payments are matched against: ``"stripe"``."""
        return STRIPE

    @property
    def account(self) -> str | None:
        """The account label this provider serves, or None for the only Stripe account."""
        return self._core.account

    @property
    def capabilities(self) -> Capabilities:
        """Capabilities: carriers, statuses and removals, all of a payment's changes at once.

        A payment whose metadata has no room for tracksync's keys declares its own
        capabilities without statuses when it is fetched.
        """
        return self._core.capabilities

    def check_payment(self, payment: PaymentRef) -> str | None:
        """Return why tracksync cannot use the payment's id or connected account, or None."""
        return self._core.check_payment(payment)

    def stored_carrier(self, payment: PaymentRef, shipment: Shipment) -> str:
        """Return the carrier's display name, which is what Stripe gets as free text."""
        return self._core.stored_carrier(payment, shipment)

    def check_shipment(self, payment: PaymentRef, shipment: Shipment) -> str | None:
        """Return why Stripe would reject the shipment's carrier, or None."""
        return self._core.check_shipment(payment, shipment)

    def fetch(self, payment: PaymentRef) -> RemotePayment:
        """Read the payment's objects and the packages on the one that keeps its tracking.

        Raises:
            InvalidInputError: tracksync cannot use the payment id or connected account.
            AccountError: Stripe rejected the key or its permissions, now or earlier.
            StripeError: Stripe responded with an error other than "no such object".
            ProviderConnectionError: a request got no response.
        """
        flow = self._core.fetch_flow(payment)
        return run_flow(self._client, flow, provider=STRIPE, options=self._core.options)

    def apply(self, change: Change) -> ChangeResult:
        """Make one change, as :meth:`apply_batch` does.

        Raises:
            TracksyncError: the error that :meth:`apply_batch` returns for the change.
        """
        output = self.apply_batch([change])[0]
        if isinstance(output, TracksyncError):
            raise output
        return output

    def apply_batch(self, changes: Sequence[Change]) -> list[Output]:
        """Make the changes with one read and at most one write per payment.

        Changes are grouped by payment id and account. Each group is applied in its own
        order, so a cancel before an add of the same number takes effect first. A group's
        failure is the output of every change in it. A change with a value Stripe would
        reject fails alone, before any request.
        """
        batch = self._core.plan_batch(changes)
        return run_batch(self._client, batch, provider=STRIPE, options=self._core.options)

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
        return f"StripeProvider({self._core.describe()})"
