"""The interface every provider adapter implements, and the capabilities it declares."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import attrs

from .._models import PaymentRef, ShipmentStatus
from .._plan import Change, ChangeResult
from .._remote import RemotePayment

__all__ = ["Capabilities", "TrackingProvider"]


@attrs.frozen(kw_only=True)
class Capabilities:
    """What a provider can store and change.

    Declared up front, so the planner never has to discover a limit by catching an error.
    """

    #: Statuses the provider stores. A shipment in another status is sent as SHIPPED when
    #: SHIPPED is stored; an empty set means the provider stores no status at all.
    statuses: frozenset[ShipmentStatus]
    #: Whether an existing tracker's carrier can be changed in place. When False, a new
    #: carrier means cancelling the tracker and adding a new one.
    can_update_carrier: bool
    #: Whether an existing tracker's status can be changed in place.
    can_update_status: bool
    #: Whether a tracker can be cancelled or removed.
    can_cancel: bool
    #: Whether every write must carry the recipient's name and address.
    requires_recipient: bool
    #: How many active trackers one payment can hold; None for no limit.
    max_trackers_per_payment: int | None = None
    #: How many changes one request can carry.
    batch_size: int = 1


@runtime_checkable
class TrackingProvider(Protocol):
    """A payment provider that can hold shipment trackers.

    Implementations read with :meth:`fetch` and write only in :meth:`apply`. Both raise
    :class:`~tracksync.errors.ProviderError` when the provider cannot be reached or answers
    with an error; a payment that does not exist is not an error but a
    :class:`~tracksync.RemotePayment` in state NOT_FOUND.
    """

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

    def fetch(self, payment: PaymentRef) -> RemotePayment:
        """Read what the provider holds for the payment now."""
        ...

    def apply(self, change: Change) -> ChangeResult:
        """Perform one planned change and return what was done."""
        ...
