"""What StripeProvider and AsyncStripeProvider share: one key's state and every flow.

:class:`StripeCore` contains the API settings (key, base URL, version), the account memory
(Charge fallbacks and rejected accounts), the send options and the carrier overrides. It
turns a read into one I/O-free flow and a batch of changes into one unit per payment,
which the sync and the async provider send with their own client.
"""

from __future__ import annotations

import logging
import time
import urllib.parse
from collections import OrderedDict
from collections.abc import Callable, Sequence

import attrs

from ..._models import PaymentRef, Shipment
from ..._plan import Change, ChangeKind
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
from .._flow import Flow, SendOptions
from .._protocol import Capabilities
from .._sending import send_options
from .._units import Batch, Output
from ._accounts import AccountMemory
from ._flows import apply_changes, read_payment
from ._ids import connected_account, describe_account, describe_payment_id, require_payment_kind
from ._payments import NotFound, StripePayment
from ._settings import DEFAULT_BASE_URL, STRIPE_API_VERSION, ApiSettings
from ._shipping import check_carrier
from ._states import DETAIL_CAPABILITIES, not_found, to_remote_payment

__all__ = ["StripeCore", "display_carrier"]

logger = logging.getLogger("tracksync.stripe")


#: Seconds for which a payment that fetch read is reused by the write that follows.
READ_REUSE_SECONDS = 30.0

#: Payments kept between fetch and apply; older ones are dropped first.
_RECENT_READS_MAX = 10_000


@attrs.define
class RecentReads:
    """Payments that fetch read, kept briefly so that the write after it needs no read.

    A plan and its apply follow each other within seconds when the Reconciler runs them,
    so the write can start from the state the plan saw. A read older than
    :data:`READ_REUSE_SECONDS`, or one already used, is read again.
    """

    clock: Callable[[], float] = time.monotonic
    _reads: OrderedDict[tuple[str, str | None], tuple[float, StripePayment]] = attrs.field(
        factory=OrderedDict
    )

    def remember(self, key: tuple[str, str | None], read: StripePayment) -> None:
        """Keep a payment as fetch read it now."""
        self._reads[key] = (self.clock(), read)
        self._reads.move_to_end(key)
        while len(self._reads) > _RECENT_READS_MAX:
            self._reads.popitem(last=False)

    def take(self, key: tuple[str, str | None]) -> StripePayment | None:
        """Return a recent read of the payment once, or None when there is none."""
        entry = self._reads.pop(key, None)
        if entry is None:
            return None
        read_at, read = entry
        return read if self.clock() - read_at <= READ_REUSE_SECONDS else None


@attrs.define
class StripeCore:
    """One Stripe key's state, and the flows of every operation with it."""

    settings: ApiSettings
    #: The label that :attr:`PaymentRef.account` is matched against.
    account: str | None
    memory: AccountMemory
    options: SendOptions
    carrier_overrides: Overrides | None
    recent_reads: RecentReads = attrs.field(factory=lambda: RecentReads())

    @classmethod
    def create(
        cls,
        api_key: str,
        *,
        base_url: str | None,
        account: str | None,
        api_version: str,
        timeout: float,
        retry: RetryPolicy | None,
        requests_per_second: float | None,
        carrier_overrides: Overrides | None,
    ) -> StripeCore:
        """Check a provider's arguments and build its core.

        The arguments are those of :class:`~tracksync.providers.stripe.StripeProvider`;
        ``timeout`` is only checked, because the client is the provider's.

        Raises:
            ConfigurationError: the API key is empty, or an option is invalid.
        """
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
        if requests_per_second is None:
            requests_per_second = _default_rate(api_key)
        return cls(
            settings=ApiSettings(
                api_key=api_key, base_url=_clean_base_url(base_url), api_version=api_version
            ),
            account=account,
            memory=AccountMemory(label=account),
            options=send_options(
                retry=retry, requests_per_second=requests_per_second, account=account
            ),
            carrier_overrides=carrier_overrides,
        )

    # Pure checks, which send nothing.

    @property
    def capabilities(self) -> Capabilities:
        """Carriers, statuses and removals, with all of a payment's changes in one write."""
        return DETAIL_CAPABILITIES

    def check_payment(self, payment: PaymentRef) -> str | None:
        """Return why tracksync cannot use the payment's id or connected account, or None."""
        return describe_payment_id(payment.payment_id) or describe_account(payment)

    def stored_carrier(self, payment: PaymentRef, shipment: Shipment) -> str:
        """Return the carrier's display name, which is what Stripe gets as free text."""
        return display_carrier(shipment, self.carrier_overrides)

    def check_shipment(self, payment: PaymentRef, shipment: Shipment) -> str | None:
        """Return why Stripe would reject the shipment's carrier, or None."""
        try:
            check_carrier(shipment.carrier)
        except InvalidInputError as exc:
            return str(exc)
        return None

    # Flows: each operation as generators of requests.

    def fetch_flow(self, payment: PaymentRef) -> Flow[RemotePayment]:
        """Read the payment's objects and packages (see ``StripeProvider.fetch``)."""
        problem = describe_account(payment)
        if problem is not None:
            raise InvalidInputError(problem)
        account = connected_account(payment)
        self.memory.check(account)
        kind = require_payment_kind(payment)
        try:
            read = yield from read_payment(
                self.settings, payment.payment_id, kind, stripe_account=account
            )
        except StripeError as exc:
            rejected = self.memory.account_error(exc, account)
            if rejected is not None:
                raise rejected from exc
            raise
        if isinstance(read, NotFound):
            return not_found(payment, read)
        self.recent_reads.remember((payment.payment_id, account), read)
        return to_remote_payment(
            payment, read, prefer_charge=self.memory.writes_to_charges(account)
        )

    def plan_batch(self, changes: Sequence[Change]) -> Batch:
        """Group the changes by payment (see ``StripeProvider.apply_batch``) into units.

        A unit is one payment, or several payments that write to the same object, such as
        a Checkout Session and its PaymentIntent. Those run one after another, so that
        each reads what the one before wrote. A change with a value Stripe would reject
        gets its InvalidInputError without a unit.
        """
        changes = [self._with_display_carrier(change) for change in changes]
        batch = Batch(len(changes))
        groups: dict[tuple[str, str | None], list[int]] = {}
        for index, change in enumerate(changes):
            problem = self._check_change(change)
            if problem is not None:
                batch.decide(index, problem)
                continue
            key = (change.payment.payment_id, change.payment.account)
            groups.setdefault(key, []).append(index)

        for unit in _join_shared_targets(changes, list(groups.values())):
            flow = self._payments_flow([[changes[index] for index in group] for group in unit])
            batch.add_unit([index for group in unit for index in group], flow)
        return batch

    def describe(self) -> str:
        """Return the arguments that a provider's ``repr`` shows; never the key."""
        return (
            f"base_url={self.settings.base_url!r}, account={self.account!r}, "
            f"api_version={self.settings.api_version!r}"
        )

    def _payments_flow(self, groups: Sequence[Sequence[Change]]) -> Flow[list[Output]]:
        """Apply each payment's changes in turn, and return the outputs in that order."""
        outputs: list[Output] = []
        for changes in groups:
            outputs += yield from self._payment_flow(changes)
        return outputs

    def _payment_flow(self, changes: Sequence[Change]) -> Flow[list[Output]]:
        """Apply one payment's changes, with one read and at most one write.

        A failure is the output of every change; an AccountError stops the account.
        """
        payment = changes[0].payment
        account = connected_account(payment)
        try:
            self.memory.check(account)
        except AccountError as exc:
            # Logged once, when the account was stopped.
            return [exc] * len(changes)

        try:
            applied = yield from apply_changes(
                self.settings,
                payment,
                changes,
                stripe_account=account,
                prefer_charge=self.memory.writes_to_charges(account),
                read=self.recent_reads.take((payment.payment_id, account)),
            )
        except TracksyncError as exc:
            error = exc
            if isinstance(exc, StripeError):
                error = self.memory.account_error(exc, account) or exc
            logger.warning("Failed to apply %d changes to %s: %s", len(changes), payment, error)
            return [error] * len(changes)

        if applied.wrote_to_charge:
            self.memory.remember_charge_writes(account)
        return list(applied.results)

    def _check_change(self, change: Change) -> InvalidInputError | None:
        problem = self.check_payment(change.payment)
        if problem is None and change.kind is not ChangeKind.CANCEL:
            problem = self.check_shipment(change.payment, change.shipment)
        return InvalidInputError(problem) if problem is not None else None

    def _with_display_carrier(self, change: Change) -> Change:
        """Return the change with its carrier as the display name Stripe gets."""
        carrier = display_carrier(change.shipment, self.carrier_overrides)
        if carrier == change.shipment.carrier:
            return change
        return attrs.evolve(change, shipment=attrs.evolve(change.shipment, carrier=carrier))


def _join_shared_targets(
    changes: Sequence[Change], groups: Sequence[list[int]]
) -> list[list[list[int]]]:
    """Return the payment groups as units, joining groups that write to the same object.

    A change's object is its ``target_id``, the PaymentIntent or Charge that fetch found,
    or else its payment id. Each unit lists its groups in their order in ``groups``.
    """
    parent = list(range(len(groups)))

    def root(number: int) -> int:
        while parent[number] != number:
            number = parent[number]
        return number

    first_writer: dict[tuple[str | None, str], int] = {}
    for number, group in enumerate(groups):
        for index in group:
            change = changes[index]
            target = (change.payment.account, change.target_id or change.payment.payment_id)
            if target in first_writer:
                parent[root(number)] = root(first_writer[target])
            else:
                first_writer[target] = number

    units: dict[int, list[list[int]]] = {}
    for number, group in enumerate(groups):
        units.setdefault(root(number), []).append(group)
    return list(units.values())


def display_carrier(shipment: Shipment, overrides: Overrides | None) -> str:
    """Return the carrier's name as tracksync's registry writes it, or the shop's text."""
    match = normalize(
        shipment.carrier, tracking_number=shipment.tracking_number, overrides=overrides
    )
    return match.display_name or shipment.carrier


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
