"""Whether a Stripe payment can take tracking now, and the payment as the planner reads it."""

from __future__ import annotations

from ..._models import Address, PaymentRef, ShipmentStatus
from ..._remote import Capabilities, PaymentState, RemotePayment, Tracker
from ._changes import current_packages
from ._metadata import MAX_KEYS, has_room
from ._objects import Charge, CheckoutSession, PaymentIntent, ShippingObject
from ._payments import NotFound, StripePayment
from ._shipping import to_address

__all__ = ["DETAIL_CAPABILITIES", "SHIPPING_ONLY_CAPABILITIES", "not_found", "to_remote_payment"]

# One write carries all of a payment's changes, so any batch size above 1 fits. 50 is the
# maximum number of packages whose detail one object's metadata can hold.

#: A payment whose metadata has room for tracksync's keys: statuses are stored there.
DETAIL_CAPABILITIES = Capabilities(
    statuses=frozenset(ShipmentStatus),
    can_update_carrier=True,
    can_update_status=True,
    can_cancel=True,
    requires_recipient=True,
    batch_size=MAX_KEYS,
)

#: A payment whose metadata is full of the merchant's keys: only shipping is written.
SHIPPING_ONLY_CAPABILITIES = Capabilities(
    statuses=frozenset(),
    can_update_carrier=True,
    can_update_status=False,
    can_cancel=True,
    requires_recipient=True,
    batch_size=MAX_KEYS,
)

_INTENT_STATES = {
    "succeeded": PaymentState.READY,
    "processing": PaymentState.WAITING_FOR_CAPTURE,
    "requires_capture": PaymentState.WAITING_FOR_CAPTURE,
    "canceled": PaymentState.UNUSABLE,
    "requires_payment_method": PaymentState.UNUSABLE,
    "requires_confirmation": PaymentState.UNUSABLE,
    "requires_action": PaymentState.UNUSABLE,
}


def not_found(payment: PaymentRef, missing: NotFound) -> RemotePayment:
    """Describe a payment whose object Stripe does not have."""
    return RemotePayment(payment=payment, state=PaymentState.NOT_FOUND, message=missing.message())


def to_remote_payment(
    payment: PaymentRef, read: StripePayment, *, prefer_charge: bool = False
) -> RemotePayment:
    """Describe a Stripe payment the way the planner reads payments."""
    state, message = _state(read)
    target = read.tracking_object(prefer_charge=prefer_charge)
    if target is None or state is not PaymentState.READY:
        return RemotePayment(payment=payment, state=state, message=message)

    packages, details = current_packages(target)
    trackers = []
    for package in packages:
        detail = details.get(package.tracking_number)
        trackers.append(
            Tracker(
                tracking_number=package.tracking_number,
                carrier=package.carrier,
                status=detail.status if detail else None,
                raw_status=detail.raw_status if detail else None,
            )
        )
    name, address = _recipient(target, read.sibling(target))
    return RemotePayment(
        payment=payment,
        state=state,
        trackers=trackers,
        target_id=target.id if target.id != payment.payment_id else None,
        recipient_name=name,
        ship_to=address,
        capabilities=_capabilities(target),
    )


def _capabilities(target: ShippingObject) -> Capabilities:
    if has_room(target.metadata):
        return DETAIL_CAPABILITIES
    return SHIPPING_ONLY_CAPABILITIES


def _recipient(
    target: ShippingObject, sibling: ShippingObject | None
) -> tuple[str | None, Address | None]:
    for candidate in (target, sibling):
        shipping = candidate.shipping if candidate else None
        if shipping is None or not shipping.name or not shipping.name.strip():
            continue
        address = to_address(shipping.address)
        if address is not None:
            return shipping.name.strip(), address
    return None, None


def _state(read: StripePayment) -> tuple[PaymentState, str | None]:
    if read.session is not None and read.payment_intent is None:
        return PaymentState.UNUSABLE, _session_message(read.session)
    if read.payment_intent is not None:
        state, message = _intent_state(read.payment_intent)
        if message is not None and read.session is not None:
            message += f" It is the PaymentIntent of Checkout Session {read.session.id}."
        return state, message
    assert read.charge is not None
    return _charge_state(read.charge)


def _intent_state(intent: PaymentIntent) -> tuple[PaymentState, str | None]:
    status = intent.status
    name = f"PaymentIntent {intent.object.id} has status {status}"
    charge = intent.latest_charge
    if status == "succeeded" and charge is not None and charge.refunded:
        return PaymentState.UNUSABLE, (
            f"PaymentIntent {intent.object.id} was refunded in full (Charge "
            f"{charge.object.id}), so tracksync adds no tracking to it."
        )
    state = _INTENT_STATES.get(status, PaymentState.UNUSABLE)
    if status == "succeeded":
        return state, None
    if status == "processing":
        return state, f"{name}. The payment is not complete yet, so the next run adds the tracking."
    if status == "requires_capture":
        return state, (
            f"{name}, so the money is authorized but not captured. Capture it, and the next "
            "run adds the tracking."
        )
    if status == "canceled":
        return state, f"{name}, so it can never take tracking."
    if status in _INTENT_STATES:
        return state, (
            f"{name}, so the customer has not completed the payment and tracksync adds no "
            "tracking to it."
        )
    return state, (
        f"{name}, which tracksync does not know. It adds tracking only to succeeded PaymentIntents."
    )


def _charge_state(charge: Charge) -> tuple[PaymentState, str | None]:
    name = f"Charge {charge.object.id}"
    if charge.status == "succeeded":
        if charge.refunded:
            return PaymentState.UNUSABLE, (
                f"{name} was refunded in full, so tracksync adds no tracking to it."
            )
        if not charge.captured:
            return PaymentState.WAITING_FOR_CAPTURE, (
                f"{name} is authorized but not captured. Capture it, and the next run adds "
                "the tracking."
            )
        return PaymentState.READY, None
    if charge.status == "pending":
        return PaymentState.WAITING_FOR_CAPTURE, (
            f"{name} has status pending, so the payment is not complete yet. The next run adds "
            "the tracking."
        )
    if charge.status == "failed":
        return PaymentState.UNUSABLE, f"{name} has status failed, so it can never take tracking."
    return PaymentState.UNUSABLE, (
        f"{name} has status {charge.status}, which tracksync does not know. It adds tracking "
        "only to succeeded Charges."
    )


def _session_message(session: CheckoutSession) -> str:
    name = f"Checkout Session {session.id}"
    if session.mode is not None and session.mode != "payment":
        return (
            f"{name} is in {session.mode} mode, so it has no PaymentIntent to take tracking. "
            "Give the id of the PaymentIntent or Charge that took the money instead."
        )
    status = session.status or "unknown"
    payment_status = session.payment_status or "unknown"
    return (
        f"{name} has no PaymentIntent (status {status}, payment status {payment_status}), "
        "so it cannot take tracking. A Session gets one when the customer pays, so check "
        "that this is the Session of the order."
    )
