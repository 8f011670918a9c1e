"""StripeProvider: shipment tracking in the ``shipping`` hash of Stripe payments."""

from __future__ import annotations

import logging
import types
import urllib.parse
from collections.abc import Sequence

import attrs
import httpx

from ..._models import STRIPE, PaymentRef, Shipment
from ..._plan import Change, ChangeKind, ChangeResult
from ..._remote import RemotePayment
from ..._retry import RetryPolicy
from ...carriers import Overrides, normalize
from ...errors import (
    AccountError,
    ConfigurationError,
    InvalidInputError,
    StripeError,
    TracksyncError,
)
from .._flow import run_flow
from .._protocol import Capabilities
from .._sending import send_options
from ._accounts import AccountMemory
from ._flows import apply_changes, fetch_payment
from ._ids import connected_account, describe_account, describe_payment_id
from ._settings import DEFAULT_BASE_URL, STRIPE_API_VERSION, ApiSettings
from ._shipping import check_carrier
from ._states import DETAIL_CAPABILITIES

__all__ = ["StripeProvider"]

logger = logging.getLogger("tracksync.stripe")

_Output = ChangeResult | TracksyncError


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

    _CAPABILITIES = DETAIL_CAPABILITIES

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
        self._memory = AccountMemory(label=account)
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(timeout=timeout)
        if requests_per_second is None:
            requests_per_second = _default_rate(api_key)
        self._carrier_overrides = carrier_overrides
        self._options = send_options(
            retry=retry, requests_per_second=requests_per_second, account=account
        )

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
        """Capabilities: carriers, statuses and removals, all of a payment's changes at once.

        A payment whose metadata has no room for tracksync's keys declares its own
        capabilities without statuses when it is fetched.
        """
        return self._CAPABILITIES

    def check_payment(self, payment: PaymentRef) -> str | None:
        """Return why tracksync cannot use the payment's id or connected account, or None."""
        return describe_payment_id(payment.payment_id) or describe_account(payment)

    def stored_carrier(self, payment: PaymentRef, shipment: Shipment) -> str:
        """Return the carrier's display name, which is what Stripe gets as free text."""
        return display_carrier(shipment, self._carrier_overrides)

    def check_shipment(self, payment: PaymentRef, shipment: Shipment) -> str | None:
        """Return why Stripe would reject the shipment's carrier, or None."""
        try:
            check_carrier(shipment.carrier)
        except InvalidInputError as exc:
            return str(exc)
        return None

    def fetch(self, payment: PaymentRef) -> RemotePayment:
        """Read the payment's objects and the packages on the one that keeps its tracking.

        Raises:
            InvalidInputError: tracksync cannot use the payment id or connected account.
            AccountError: Stripe rejected the key or its permissions, now or earlier.
            StripeError: Stripe responded with an error other than "no such object".
            ProviderConnectionError: a request got no response.
        """
        problem = describe_account(payment)
        if problem is not None:
            raise InvalidInputError(problem)
        account = connected_account(payment)
        self._memory.check(account)
        flow = fetch_payment(
            self._settings,
            payment,
            stripe_account=account,
            prefer_charge=self._memory.writes_to_charges(account),
        )
        try:
            return run_flow(self._client, flow, provider=STRIPE, options=self._options)
        except StripeError as exc:
            rejected = self._memory.account_error(exc, account)
            if rejected is not None:
                raise rejected from exc
            raise

    def apply(self, change: Change) -> ChangeResult:
        """Make one change, as :meth:`apply_batch` does.

        Raises:
            TracksyncError: the error that :meth:`apply_batch` returns for the change.
        """
        output = self.apply_batch([change])[0]
        if isinstance(output, TracksyncError):
            raise output
        return output

    def apply_batch(self, changes: Sequence[Change]) -> list[ChangeResult | TracksyncError]:
        """Make the changes with one read and at most one write per payment.

        Changes are grouped by payment id and account. Each group is applied in its own
        order, so a cancel before an add of the same number takes effect first. A group's
        failure is the output of every change in it. A change with a value Stripe would
        reject fails alone, before any request.
        """
        changes = [self._with_display_carrier(change) for change in changes]
        outputs: list[_Output | None] = [None] * len(changes)
        groups: dict[tuple[str, str | None], list[int]] = {}
        for index, change in enumerate(changes):
            problem = self._check_change(change)
            if problem is not None:
                outputs[index] = problem
                continue
            key = (change.payment.payment_id, change.payment.account)
            groups.setdefault(key, []).append(index)

        for indexes in groups.values():
            group = [changes[index] for index in indexes]
            for index, output in zip(indexes, self._apply_payment(group), strict=True):
                outputs[index] = output
        return [output for output in outputs if output is not None]

    def _check_change(self, change: Change) -> InvalidInputError | None:
        problem = self.check_payment(change.payment)
        if problem is None and change.kind is not ChangeKind.CANCEL:
            problem = self.check_shipment(change.payment, change.shipment)
        return InvalidInputError(problem) if problem is not None else None

    def _apply_payment(self, changes: Sequence[Change]) -> list[_Output]:
        payment = changes[0].payment
        account = connected_account(payment)
        try:
            self._memory.check(account)
        except AccountError as exc:
            # Logged once, when the account was stopped.
            return [exc] * len(changes)

        try:
            flow = apply_changes(
                self._settings,
                payment,
                changes,
                stripe_account=account,
                prefer_charge=self._memory.writes_to_charges(account),
            )
            applied = run_flow(self._client, flow, provider=STRIPE, options=self._options)
        except TracksyncError as exc:
            error = exc
            if isinstance(exc, StripeError):
                error = self._memory.account_error(exc, account) or exc
            logger.warning("Failed to apply %d changes to %s: %s", len(changes), payment, error)
            return [error] * len(changes)

        if applied.wrote_to_charge:
            self._memory.remember_charge_writes(account)
        return list(applied.results)

    def _with_display_carrier(self, change: Change) -> Change:
        """Return the change with its carrier as the display name Stripe gets."""
        carrier = display_carrier(change.shipment, self._carrier_overrides)
        if carrier == change.shipment.carrier:
            return change
        return attrs.evolve(change, shipment=attrs.evolve(change.shipment, carrier=carrier))

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


def _default_rate(api_key: str) -> float:
    """Return the default rate limit for the key's mode, below Stripe's published limits.

    Stripe allows 25 requests per second in test mode and 100 in live mode
    (docs.stripe.com/rate-limits); tracksync stays at 80% of each.
    """
    if api_key.startswith(("sk_test_", "rk_test_")):
        return 20.0
    return 80.0


def display_carrier(shipment: Shipment, overrides: Overrides | None) -> str:
    """Return the carrier's name as tracksync's registry writes it, or the shop's text."""
    match = normalize(
        shipment.carrier, tracking_number=shipment.tracking_number, overrides=overrides
    )
    return match.display_name or shipment.carrier
