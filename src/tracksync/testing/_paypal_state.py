"""The PayPal emulator's state: orders, payments, trackers and tokens, and their lookups.

Every class here is plain data that ``cattrs`` turns into JSON-compatible values for
``PayPalEmulator.dump()`` and back for ``load()``.
"""

from __future__ import annotations

import re
from typing import Any

import attrs
import cattrs

__all__ = [
    "AUTHORIZATION_STATUSES",
    "CAPTURED_STATUSES",
    "CAPTURE_AMOUNT",
    "CAPTURE_STATUSES",
    "CURRENCY",
    "ORDER_ID",
    "PAYMENT_ID",
    "TRACKABLE_CAPTURE_STATUSES",
    "Authorization",
    "Capture",
    "Order",
    "PayPalState",
    "Refund",
    "Token",
    "Tracker",
    "converter",
]

CAPTURE_STATUSES = frozenset(
    {"COMPLETED", "PARTIALLY_REFUNDED", "PENDING", "REFUNDED", "DECLINED", "FAILED"}
)
AUTHORIZATION_STATUSES = frozenset(
    {"CREATED", "CAPTURED", "DENIED", "PARTIALLY_CAPTURED", "VOIDED", "PENDING"}
)
#: Capture statuses that accept a tracker. PayPal's Orders v2 spec names only COMPLETED, but
#: a partially refunded capture was completed first, so it is accepted as well.
TRACKABLE_CAPTURE_STATUSES = frozenset({"COMPLETED", "PARTIALLY_REFUNDED"})
#: Capture statuses that make the order COMPLETED: the capture went through, refunded or not.
CAPTURED_STATUSES = frozenset({"COMPLETED", "PARTIALLY_REFUNDED", "REFUNDED"})

ORDER_ID = re.compile(r"^[A-Z0-9]{1,36}$")
PAYMENT_ID = re.compile(r"^[A-Za-z0-9]{1,50}$")

#: Every emulated payment is for this amount.
CAPTURE_AMOUNT = "10.00"
CURRENCY = "USD"


@attrs.define
class Capture:
    id: str
    status: str
    create_time: str
    update_time: str


@attrs.define
class Authorization:
    id: str
    status: str
    create_time: str


@attrs.define
class Refund:
    id: str
    capture_id: str
    create_time: str


@attrs.define
class Tracker:
    """A shipment tracker on a capture, added through Orders v2 or through Tracking API v1.

    ``notify_payer`` is the field that Tracking API v1 calls ``notify_buyer``. The last four
    fields exist only in Tracking API v1, and ``items`` only in Orders v2.
    """

    id: str
    capture_id: str
    tracking_number: str
    carrier: str
    carrier_name_other: str | None
    notify_payer: bool
    items: list[dict[str, Any]]
    status: str
    create_time: str
    update_time: str
    shipment_date: str | None = None
    tracking_number_type: str | None = None
    shipment_direction: str | None = None
    tracking_url: str | None = None


@attrs.define
class Order:
    id: str
    purchase_units: int
    skus: list[str]
    captures: list[Capture]
    authorizations: list[Authorization]
    refunds: list[Refund]
    create_time: str
    update_time: str

    def capture(self, capture_id: str) -> Capture | None:
        return next((capture for capture in self.captures if capture.id == capture_id), None)

    def payment_ids(self) -> list[str]:
        return [
            *(capture.id for capture in self.captures),
            *(authorization.id for authorization in self.authorizations),
            *(refund.id for refund in self.refunds),
        ]


@attrs.define
class Token:
    value: str
    expires_at: float


@attrs.define
class PayPalState:
    """Everything a dump keeps.

    ``captures`` contains only the captures that belong to no order. ``trackers`` contains
    the trackers of every capture, by tracker id, oldest first.
    """

    client_id: str
    client_secret: str
    token_lifetime: int
    tokens: list[Token]
    orders: dict[str, Order]
    captures: dict[str, Capture] = attrs.field(factory=dict)
    #: NOTE: one store serves Orders v2 and Tracking API v1, so each API shows the trackers
    #: the other added. That PayPal links the two APIs this way is assumed, not established.
    trackers: dict[str, Tracker] = attrs.field(factory=dict)
    #: The OAuth scopes that tokens carry. None grants every scope the emulator checks.
    scopes: list[str] | None = None
    #: Whether the N in a batch error's ``/trackers/N/...`` field counts from 0 or from 1.
    batch_error_index_base: int = 1

    def find_capture(self, capture_id: str) -> tuple[Capture, Order | None] | None:
        """Return the capture and the order it belongs to, or None when there is no such capture."""
        for order in self.orders.values():
            capture = order.capture(capture_id)
            if capture is not None:
                return capture, order
        capture = self.captures.get(capture_id)
        return None if capture is None else (capture, None)

    def find_authorization(self, authorization_id: str) -> tuple[Authorization, Order] | None:
        for order in self.orders.values():
            for authorization in order.authorizations:
                if authorization.id == authorization_id:
                    return authorization, order
        return None

    def find_refund(self, refund_id: str) -> tuple[Refund, Order] | None:
        for order in self.orders.values():
            for refund in order.refunds:
                if refund.id == refund_id:
                    return refund, order
        return None

    def payment_ids(self) -> set[str]:
        """Return the ids of every capture, authorization and refund."""
        ids = {payment_id for order in self.orders.values() for payment_id in order.payment_ids()}
        ids.update(self.captures)
        return ids

    def order_trackers(self, order: Order) -> list[Tracker]:
        """Return the trackers of the order's captures, oldest first."""
        capture_ids = {capture.id for capture in order.captures}
        return [tracker for tracker in self.trackers.values() if tracker.capture_id in capture_ids]

    def capture_trackers(self, capture_id: str) -> list[Tracker]:
        """Return the capture's trackers, oldest first."""
        return [tracker for tracker in self.trackers.values() if tracker.capture_id == capture_id]


converter = cattrs.Converter()
