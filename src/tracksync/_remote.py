"""The state of a payment at its provider, as read by :meth:`TrackingProvider.fetch`."""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from ._models import Address, PaymentRef, ShipmentStatus

__all__ = ["Capabilities", "PaymentState", "RemotePayment", "Tracker"]


@attrs.frozen(kw_only=True)
class Capabilities:
    """The values a provider can store and change.

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
    #: How many changes one request can carry. Above 1, the provider implements
    #: :meth:`BatchingProvider.apply_batch`, and the Reconciler sends its changes through it.
    batch_size: int = 1


class PaymentState(enum.Enum):
    """Whether a payment can take trackers now."""

    #: The payment exists and trackers can be attached.
    READY = "ready"
    #: The provider has no payment under that id (or not under that order).
    NOT_FOUND = "not_found"
    #: The money is authorized or pending but not captured yet; try again later.
    WAITING_FOR_CAPTURE = "waiting_for_capture"
    #: The payment exists but can never take a tracker (refunded, voided, wrong kind of id).
    UNUSABLE = "unusable"


@attrs.frozen(kw_only=True)
class Tracker:
    """A tracker as a provider holds it.

    Fields a provider does not return are None: PayPal's Orders v2 API returns no carrier,
    and Stripe stores no status.
    """

    tracking_number: str
    carrier: str | None = None
    status: ShipmentStatus | None = None
    #: The provider's id of the tracker, needed to change it later (PayPal only).
    tracker_id: str | None = None
    #: The status exactly as the provider spelled it, kept when it maps to no ShipmentStatus.
    raw_status: str | None = None

    @property
    def is_active(self) -> bool:
        """Whether the tracker counts: every tracker that is not cancelled."""
        return self.status is not ShipmentStatus.CANCELLED


def _to_trackers(value: Iterable[Tracker]) -> tuple[Tracker, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class RemotePayment:
    """A payment as the provider holds it now, with its trackers."""

    payment: PaymentRef
    state: PaymentState
    trackers: tuple[Tracker, ...] = attrs.field(default=(), converter=_to_trackers)
    #: The provider object that trackers attach to, when it differs from the payment id
    #: (for a PayPal order: the capture id).
    target_id: str | None = None
    #: The recipient the provider already holds (Stripe's ``shipping.name`` and ``address``).
    recipient_name: str | None = None
    ship_to: Address | None = None
    #: Why the payment is not READY, in a sentence for the report.
    message: str | None = None
    #: What this payment's trackers can hold and change, when it differs from the
    #: provider's default (a PayPal payment served by the v1 tracking API, for example).
    capabilities: Capabilities | None = None

    def active_tracker(self, tracking_number: str) -> Tracker | None:
        """Return the tracker with this number that is not cancelled, if there is one."""
        for tracker in self.trackers:
            if tracker.tracking_number == tracking_number and tracker.is_active:
                return tracker
        return None
