"""The Stripe operations as I/O-free flows: generators of requests (see ``run_flow``)."""

from __future__ import annotations

from ..._models import PaymentRef
from ..._plan import Change, ChangeKind, ChangeResult, Outcome
from ..._remote import RemotePayment
from ...errors import InvalidInputError, StripeError
from .._flow import Flow
from ._errors import is_resource_missing
from ._form import FormValue, encode_form
from ._payment_intents import (
    build_retrieve_payment_intent,
    build_update_payment_intent,
    idempotency_key,
    is_replayed,
    not_found_payment,
    parse_payment_intent,
    require_payment_intent_id,
    to_remote_payment,
)
from ._settings import ApiSettings
from ._shipping import (
    Package,
    StripeShipping,
    carrier_text,
    changed_packages,
    check_field_length,
    check_no_comma,
    choose_recipient,
    parse_packages,
    shipping_params,
    split_list,
    tracking_number_text,
)

__all__ = ["apply_change", "fetch_payment"]

#: How many keys one update tries when Stripe replays saved responses for them.
_MAX_WRITE_ATTEMPTS = 5


def fetch_payment(settings: ApiSettings, payment: PaymentRef) -> Flow[RemotePayment]:
    """Read a PaymentIntent with its shipping. A missing one is NOT_FOUND, not an error."""
    intent_id = require_payment_intent_id(payment)
    response = yield build_retrieve_payment_intent(settings, intent_id)
    if is_resource_missing(response):
        return not_found_payment(payment, response)
    intent = parse_payment_intent(response, secret=settings.api_key)
    return to_remote_payment(payment, intent)


def apply_change(settings: ApiSettings, change: Change) -> Flow[ChangeResult]:
    """Write one change into the PaymentIntent's ``shipping`` hash.

    The PaymentIntent is read again first, so that every package on it ends up in the one
    comma-separated value, also when other changes were written since the plan was made.
    """
    intent_id = require_payment_intent_id(change.payment)
    number = change.shipment.tracking_number
    carrier = change.shipment.carrier
    if change.kind is not ChangeKind.CANCEL:
        check_no_comma(number, "tracking number")
        check_no_comma(carrier, "carrier")

    # TODO: this read-modify-write reads the PaymentIntent once per change. Writing all
    # of a payment's packages in one update would save that extra read.
    response = yield build_retrieve_payment_intent(settings, intent_id)
    intent = parse_payment_intent(response, secret=settings.api_key)
    shipping = intent.shipping
    current = parse_packages(shipping)

    if change.kind is ChangeKind.UPDATE and not _holds(current, number):
        return ChangeResult(
            outcome=Outcome.SKIPPED,
            note=(
                f"PaymentIntent {intent_id} no longer contains tracking number {number}, so "
                "its carrier was not changed. The next run adds it again."
            ),
        )
    updated = changed_packages(current, change.kind, number, carrier)
    if updated == current:
        return ChangeResult(outcome=Outcome.UNCHANGED, note=_already_note(intent_id, change))

    stored_carrier = shipping.carrier if shipping else None
    # An unknown carrier means the stored carrier value is resent unchanged, so a change
    # that only sets a carrier would write nothing new.
    carrier_kept = any(package.carrier is None for package in updated)
    if carrier_kept and _numbers(updated) == _numbers(current):
        return ChangeResult(
            outcome=Outcome.UNCHANGED, note=_carrier_kept_note(intent_id, stored_carrier, carrier)
        )

    params = _update_params(intent_id, shipping, change, updated)
    sent = (tracking_number_text(updated), carrier_text(updated, stored_carrier))
    yield from _write_shipping(settings, intent_id, shipping, params, sent)

    note = None
    if carrier_kept and change.kind is not ChangeKind.CANCEL:
        note = _carrier_kept_note(intent_id, stored_carrier, carrier)
    return ChangeResult(outcome=change.expected_outcome, note=note)


def _write_shipping(
    settings: ApiSettings,
    intent_id: str,
    shipping_before: StripeShipping | None,
    params: dict[str, FormValue],
    sent: tuple[str, str],
) -> Flow[None]:
    """Send the update, and send it again under a new key when Stripe only replays one.

    A replayed response means an earlier, identical write used the key, so this request
    changed nothing. The PaymentIntent is read again, and unless it already contains the
    values sent, the update is sent with a key derived from the replayed request.

    NOTE: replays are recognised by the ``Idempotent-Replayed: true`` response header, which
    tracksync's Stripe emulator sends. Whether the Stripe API sends it was not verified.
    Without it, a write identical to one made within 24 hours is reported but not made.
    """
    body = encode_form(params)
    replayed_request: str | None = None
    for attempt in range(1, _MAX_WRITE_ATTEMPTS + 1):
        key = idempotency_key(intent_id, shipping_before, body, replayed_request=replayed_request)
        response = yield build_update_payment_intent(
            settings, intent_id, params, idempotency_key=key
        )
        parse_payment_intent(response, secret=settings.api_key)
        if not is_replayed(response):
            return

        check = yield build_retrieve_payment_intent(settings, intent_id)
        current = parse_payment_intent(check, secret=settings.api_key)
        if _contains_sent(current.shipping, sent):
            return
        replayed_request = response.headers.get("Original-Request") or f"attempt {attempt}"

    raise StripeError(
        f"Stripe replayed saved responses for {_MAX_WRITE_ATTEMPTS} idempotency keys in a row, "
        f"so the shipping update of PaymentIntent {intent_id} was not made. The same change "
        "was written and undone several times within 24 hours, so run again after that.",
        status=None,
    )


def _contains_sent(shipping: StripeShipping | None, sent: tuple[str, str]) -> bool:
    """Return whether the shipping contains the tracking numbers and carriers sent."""
    numbers, carriers = sent
    stored_numbers = shipping.tracking_number if shipping else None
    stored_carriers = shipping.carrier if shipping else None
    numbers_match = split_list(stored_numbers) == split_list(numbers)
    return numbers_match and split_list(stored_carriers) == split_list(carriers)


def _update_params(
    intent_id: str, shipping: StripeShipping | None, change: Change, updated: tuple[Package, ...]
) -> dict[str, FormValue]:
    """Build the update's parameters, or raise InvalidInputError when Stripe would reject them."""
    recipient = choose_recipient(shipping, change.recipient_name, change.ship_to)
    if recipient is None:
        raise InvalidInputError(
            "Stripe needs the recipient's name and address with every shipping update, "
            f"and neither PaymentIntent {intent_id} nor order {change.order_id} has both. "
            "Add recipient_name and the address to the order."
        )
    stored_carrier = shipping.carrier if shipping else None
    check_field_length(tracking_number_text(updated), "tracking_number", intent_id)
    check_field_length(carrier_text(updated, stored_carrier), "carrier", intent_id)
    phone = shipping.phone if shipping else None
    return shipping_params(recipient, phone, updated, stored_carrier)


def _numbers(packages: tuple[Package, ...]) -> list[str]:
    return [package.tracking_number for package in packages]


def _holds(packages: tuple[Package, ...], tracking_number: str) -> bool:
    return any(package.tracking_number == tracking_number for package in packages)


def _already_note(intent_id: str, change: Change) -> str:
    number = change.shipment.tracking_number
    if change.kind is ChangeKind.CANCEL:
        return f"PaymentIntent {intent_id} has no tracking number {number}, so none was removed."
    if change.kind is ChangeKind.UPDATE:
        return (
            f"PaymentIntent {intent_id} already has tracking number {number} with carrier "
            f"{change.shipment.carrier}."
        )
    return f"PaymentIntent {intent_id} already has tracking number {number}."


def _carrier_kept_note(intent_id: str, stored: str | None, carrier: str) -> str:
    stored_text = repr(stored) if stored else "empty"
    return (
        f"The shipping.carrier of PaymentIntent {intent_id} ({stored_text}) does not give one "
        f"carrier per tracking number, so tracksync left it as it is and did not store "
        f"carrier {carrier}."
    )
