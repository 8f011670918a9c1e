"""The interface every provider adapter implements, and the capabilities it declares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from .._models import PaymentRef, Shipment
from .._plan import Change, ChangeResult
from .._remote import Capabilities, RemotePayment
from ..errors import TracksyncError

__all__ = [
    "AsyncTrackingProvider",
    "BatchingProvider",
    "Capabilities",
    "ProviderBase",
    "TrackingProvider",
]


@runtime_checkable
class ProviderBase(Protocol):
    """What every provider has, sync or async: its identity and the checks that send nothing."""

    @property
    def name(self) -> str:
        """The provider's name, matched against :attr:`PaymentRef.provider`."""
        ...

    @property
    def account(self) -> str | None:
        """The account this instance serves, matched against :attr:`PaymentRef.account`."""
        ...

    @property
    def capabilities(self) -> Capabilities:
        """What the provider can store and change."""
        ...

    def check_payment(self, payment: PaymentRef) -> str | None:
        """Return why the payment id cannot be used with this provider, or None."""
        ...

    def check_shipment(self, payment: PaymentRef, shipment: Shipment) -> str | None:
        """Return why the shipment cannot be written to this payment, or None.

        The planner calls it for every shipment it would add or update, so a value the
        provider rejects shows in the plan and in a dry run, not only when applying.
        """
        ...

    def stored_carrier(self, payment: PaymentRef, shipment: Shipment) -> str:
        """Return the carrier as the provider would store it for the shipment's carrier.

        The planner compares this, not the shop's text, with the carrier a tracker holds,
        so a carrier that the provider translates (a PayPal code renamed between its APIs,
        a name sent as OTHER) is not planned as a change on every run.
        """
        ...


@runtime_checkable
class TrackingProvider(ProviderBase, Protocol):
    """A payment provider that can hold shipment trackers.

    Implementations read with :meth:`fetch` and write only in :meth:`apply`. Both raise
    :class:`~tracksync.errors.ProviderError` when the provider cannot be reached or answers
    with an error; a payment that does not exist is not an error but a
    :class:`~tracksync.RemotePayment` in state NOT_FOUND.
    """

    def fetch(self, payment: PaymentRef) -> RemotePayment:
        """Read what the provider holds for the payment now."""
        ...

    def apply(self, change: Change) -> ChangeResult:
        """Perform one planned change and return what was done."""
        ...


@runtime_checkable
class BatchingProvider(TrackingProvider, Protocol):
    """A provider that can send several changes in fewer requests.

    The Reconciler calls :meth:`apply_batch` instead of :meth:`apply` for every provider
    whose :attr:`Capabilities.batch_size` is greater than 1.
    """

    def apply_batch(self, changes: Sequence[Change]) -> list[ChangeResult | TracksyncError]:
        """Perform the changes and return one entry per change, in the same order.

        Each entry is the change's result, or the error that made it fail. Changes to one
        tracker keep their order: a cancel comes before the add that replaces it, and that
        add is skipped when the cancel fails.
        """
        ...


@runtime_checkable
class AsyncTrackingProvider(ProviderBase, Protocol):
    """A provider whose reads and writes are coroutines, for :class:`~tracksync.AsyncReconciler`.

    The methods mean what :class:`TrackingProvider`'s and :class:`BatchingProvider`'s do.
    """

    async def fetch(self, payment: PaymentRef) -> RemotePayment:
        """Read what the provider holds for the payment now."""
        ...

    async def apply_batch(self, changes: Sequence[Change]) -> list[ChangeResult | TracksyncError]:
        """Perform the changes and return one entry per change, in the same order."""
        ...
