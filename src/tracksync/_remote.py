"""What a provider holds for a payment, as read by :meth:`TrackingProvider.fetch`."""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from ._models import Address, PaymentRef, ShipmentStatus

__all__ = ["PaymentState", "RemotePayment", "Tracker"]


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

    def active_tracker(self, tracking_number: str) -> Tracker | None:
        """Return the tracker with this number that is not cancelled, if there is one."""
        for tracker in self.trackers:
            if tracker.tracking_number == tracking_number and tracker.is_active:
                return tracker
        return None
