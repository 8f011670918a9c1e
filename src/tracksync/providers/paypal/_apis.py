"""PayPal's two tracking APIs, which one serves a payment, and what each can store."""

from __future__ import annotations

import enum
from typing import Literal

from ..._models import PaymentRef, ShipmentStatus
from ..._remote import Capabilities

__all__ = [
    "API_MODES",
    "Api",
    "ApiMode",
    "ORDERS_V2_CAPABILITIES",
    "V1_BATCH_SIZE",
    "V1_CAPABILITIES",
    "capabilities_of",
    "choose_api",
    "stored_status",
]


class Api(enum.Enum):
    """A PayPal API that stores trackers."""

    #: ``/v2/checkout/orders/{id}/track``: needs the order id, takes Unicode tracking numbers.
    ORDERS_V2 = "orders_v2"
    #: ``/v1/shipping/trackers``: needs only the capture (transaction) id.
    V1 = "v1"


#: How a provider picks the API. ``"auto"`` uses Orders v2 for payments with a PayPal
#: order id and v1 for the others. The other two force one API for every payment.
ApiMode = Literal["auto", "orders_v2", "v1"]

API_MODES: tuple[ApiMode, ...] = ("auto", "orders_v2", "v1")

#: Trackers per ``POST /v1/shipping/trackers-batch`` request: the ``maxItems`` of the
#: request's ``trackers`` array in PayPal's tracking v1 spec 1.6.
V1_BATCH_SIZE = 20

#: Capabilities of Orders v2 trackers: status SHIPPED or CANCELLED, with no carrier or
#: status change in place, so a new carrier means cancelling and adding a tracker.
ORDERS_V2_CAPABILITIES = Capabilities(
    statuses=frozenset({ShipmentStatus.SHIPPED, ShipmentStatus.CANCELLED}),
    can_update_carrier=False,
    can_update_status=False,
    can_cancel=True,
    requires_recipient=False,
)

#: Capabilities of v1 trackers: the four statuses PayPal documents as input, with carrier
#: and status replaced in place by ``PUT``, and up to 20 new trackers per request.
V1_CAPABILITIES = Capabilities(
    statuses=frozenset(ShipmentStatus),
    can_update_carrier=True,
    can_update_status=True,
    can_cancel=True,
    requires_recipient=False,
    batch_size=V1_BATCH_SIZE,
)

_CAPABILITIES = {Api.ORDERS_V2: ORDERS_V2_CAPABILITIES, Api.V1: V1_CAPABILITIES}


def choose_api(mode: ApiMode, payment: PaymentRef) -> Api:
    """Return the API that serves the payment under the provider's ``api`` mode."""
    if mode == "v1":
        return Api.V1
    if mode == "orders_v2" or payment.paypal_order_id is not None:
        return Api.ORDERS_V2
    return Api.V1


def capabilities_of(api: Api) -> Capabilities:
    """Return what the API's trackers can hold and change."""
    return _CAPABILITIES[api]


def stored_status(api: Api, status: ShipmentStatus) -> ShipmentStatus:
    """Return the status a tracker stores on this API for a shipment in ``status``.

    Orders v2 stores only SHIPPED and CANCELLED, so ON_HOLD and DELIVERED are held as
    SHIPPED there.
    """
    if status in capabilities_of(api).statuses:
        return status
    return ShipmentStatus.SHIPPED
