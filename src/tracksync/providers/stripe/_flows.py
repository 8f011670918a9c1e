"""The Stripe operations as I/O-free flows: generators of requests (see ``run_flow``)."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import httpx

from ..._models import Address, PaymentRef
from ..._plan import Change, ChangeResult
from ..._remote import RemotePayment
from ...errors import InvalidInputError, StripeError
from .._flow import Flow
from ._changes import edit_packages
from ._errors import is_resource_missing, rejects_shipping_update
from ._form import encode_form
from ._ids import PaymentKind, require_payment_kind
from ._objects import (
    ObjectKind,
    parse_charge,
    parse_checkout_session,
    parse_payment_intent,
    parse_shipping_object,
)
from ._payments import NotFound, StripePayment
from ._requests import (
    build_retrieve,
    build_retrieve_checkout_session,
    build_update,
    idempotency_key,
    is_replayed,
)
from ._results import change_results
from ._settings import ApiSettings
from ._states import not_found, to_remote_payment
from ._writes import PlannedWrite, contains_sent, plan_write

__all__ = ["AppliedChanges", "apply_changes", "fetch_payment", "read_payment"]

#: How many keys one update tries when Stripe replays saved responses for them.
_MAX_WRITE_ATTEMPTS = 5


@attrs.frozen(kw_only=True)
class AppliedChanges:
    """The results of one payment's changes, in the order of the changes."""

    results: list[ChangeResult]
    #: Whether Stripe rejected the PaymentIntent's shipping update, so the Charge got it.
    wrote_to_charge: bool = False


def read_payment(
    settings: ApiSettings, payment_id: str, kind: PaymentKind, *, stripe_account: str | None
) -> Flow[StripePayment | NotFound]:
    """Read the objects a payment id leads to, expanded so that one request usually suffices.

    A PaymentIntent is read with its latest Charge, and a Checkout Session with both. When
    Stripe returns an object unexpanded, it is read with a request of its own.
    """
    secret = settings.api_key
    if kind is PaymentKind.CHARGE:
        response = yield build_retrieve(
            settings, ObjectKind.CHARGE, payment_id, stripe_account=stripe_account
        )
        if is_resource_missing(response):
            return _not_found("Charge", payment_id, response)
        return StripePayment(kind=kind, charge=parse_charge(response, secret=secret))

    session = None
    intent = None
    intent_id: str | None = payment_id
    if kind is PaymentKind.CHECKOUT_SESSION:
        response = yield build_retrieve_checkout_session(
            settings, payment_id, stripe_account=stripe_account
        )
        if is_resource_missing(response):
            return _not_found("Checkout Session", payment_id, response)
        session = parse_checkout_session(response, secret=secret)
        intent = session.payment_intent
        intent_id = session.payment_intent_id
    if intent_id is None:
        return StripePayment(kind=kind, session=session)

    if intent is None:
        response = yield build_retrieve(
            settings, ObjectKind.PAYMENT_INTENT, intent_id, stripe_account=stripe_account
        )
        if is_resource_missing(response):
            return _not_found("PaymentIntent", intent_id, response)
        intent = parse_payment_intent(response, secret=secret)

    charge = intent.latest_charge
    if charge is None and intent.latest_charge_id is not None:
        response = yield build_retrieve(
            settings, ObjectKind.CHARGE, intent.latest_charge_id, stripe_account=stripe_account
        )
        if not is_resource_missing(response):
            charge = parse_charge(response, secret=secret)
    return StripePayment(kind=kind, payment_intent=intent, charge=charge, session=session)


def fetch_payment(
    settings: ApiSettings,
    payment: PaymentRef,
    *,
    stripe_account: str | None = None,
    prefer_charge: bool = False,
) -> Flow[RemotePayment]:
    """Read a payment with its packages. A missing object is NOT_FOUND, not an error."""
    kind = require_payment_kind(payment)
    read = yield from read_payment(
        settings, payment.payment_id, kind, stripe_account=stripe_account
    )
    if isinstance(read, NotFound):
        return not_found(payment, read)
    return to_remote_payment(payment, read, prefer_charge=prefer_charge)


def apply_changes(
    settings: ApiSettings,
    payment: PaymentRef,
    changes: Sequence[Change],
    *,
    stripe_account: str | None = None,
    prefer_charge: bool = False,
    read: StripePayment | None = None,
) -> Flow[AppliedChanges]:
    """Read the payment once and make all of its changes in at most one write.

    ``read`` is the payment as fetch read it moments ago, to use instead of reading again.

    When Stripe rejects a PaymentIntent's shipping update because of its status
    (``payment_intent_unexpected_state``), the same packages are written to its latest
    Charge instead.

    NOTE: whether Stripe accepts a ``shipping`` update on a succeeded PaymentIntent is not
    documented, so both paths are kept.
    """
    kind = require_payment_kind(payment)
    if read is None:
        fresh = yield from read_payment(
            settings, payment.payment_id, kind, stripe_account=stripe_account
        )
        if isinstance(fresh, NotFound):
            raise StripeError(
                fresh.message(), status=404, code="resource_missing", request_id=fresh.request_id
            )
        read = fresh
    target = read.tracking_object(prefer_charge=prefer_charge)
    if target is None:
        raise InvalidInputError(
            f"{payment} leads to no PaymentIntent or Charge, so its tracking was not written. "
            "Give the id of the PaymentIntent or Charge that took the money."
        )

    edited = edit_packages(target, changes)
    recipient_name, ship_to = _shop_recipient(changes)
    sibling = read.sibling(target)
    write = plan_write(
        target,
        edited,
        recipient_sources=[target.shipping, sibling.shipping if sibling else None],
        recipient_name=recipient_name,
        ship_to=ship_to,
    )
    if write.is_empty:
        return AppliedChanges(results=change_results(edited, write))

    charge = read.charge.object if read.charge else None
    may_fall_back = target.kind is ObjectKind.PAYMENT_INTENT and charge is not None
    accepted = yield from _send(settings, write, stripe_account, may_fall_back=may_fall_back)
    if accepted:
        return AppliedChanges(results=change_results(edited, write))

    assert charge is not None
    fallback = plan_write(
        charge,
        edited,
        recipient_sources=[charge.shipping, target.shipping],
        recipient_name=recipient_name,
        ship_to=ship_to,
    )
    if not fallback.is_empty:
        yield from _send(settings, fallback, stripe_account, may_fall_back=False)
    return AppliedChanges(
        results=change_results(edited, fallback, rejected_by=target), wrote_to_charge=True
    )


def _send(
    settings: ApiSettings,
    write: PlannedWrite,
    stripe_account: str | None,
    *,
    may_fall_back: bool,
) -> Flow[bool]:
    """Send the write, and send it again under a new key when Stripe only replays one.

    Returns False when Stripe rejected a PaymentIntent's shipping update because of its
    status and ``may_fall_back`` is true. Any other error raises StripeError.

    A replayed response means an earlier, identical write used the key, so this request
    changed nothing. The object is read again, and unless it already contains the values
    sent, the write is sent with a key derived from the replayed request.

    NOTE: replays are recognised by the ``Idempotent-Replayed: true`` response header, which
    tracksync's Stripe emulator sends. Whether the Stripe API sends it was not verified.
    Without it, a write identical to one made within 24 hours is reported but not made.
    """
    target = write.target
    body = encode_form(write.params)
    replayed_request: str | None = None
    for attempt in range(1, _MAX_WRITE_ATTEMPTS + 1):
        key = idempotency_key(
            target, body, stripe_account=stripe_account, replayed_request=replayed_request
        )
        response = yield build_update(
            settings, target, write.params, idempotency_key=key, stripe_account=stripe_account
        )
        if may_fall_back and rejects_shipping_update(response):
            return False
        parse_shipping_object(response, target.kind, secret=settings.api_key)
        if not is_replayed(response):
            return True

        check = yield build_retrieve(
            settings, target.kind, target.id, stripe_account=stripe_account
        )
        current = parse_shipping_object(check, target.kind, secret=settings.api_key)
        if contains_sent(current, write):
            return True
        replayed_request = response.headers.get("Original-Request") or f"attempt {attempt}"

    raise StripeError(
        f"Stripe replayed saved responses for {_MAX_WRITE_ATTEMPTS} idempotency keys in a row, "
        f"so the update of {target} was not made. The same change was written and undone "
        "several times within 24 hours, so run again after that.",
        status=None,
    )


def _shop_recipient(changes: Sequence[Change]) -> tuple[str | None, Address | None]:
    """Return the first recipient name and address that the shop gave with the changes."""
    names = [change.recipient_name for change in changes if change.recipient_name]
    addresses = [change.ship_to for change in changes if change.ship_to]
    return (names[0] if names else None), (addresses[0] if addresses else None)


def _not_found(kind: str, object_id: str, response: httpx.Response) -> NotFound:
    return NotFound(kind=kind, object_id=object_id, request_id=response.headers.get("Request-Id"))
