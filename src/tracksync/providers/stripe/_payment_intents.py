"""Pure request builders and response parsers for Stripe PaymentIntents."""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any, TypeGuard

import attrs
import httpx

from ..._models import PaymentRef
from ..._remote import PaymentState, RemotePayment, Tracker
from ...errors import InvalidInputError, StripeError
from ._errors import parse_error
from ._form import FormValue, encode_form
from ._settings import ApiSettings
from ._shipping import ADDRESS_FIELDS, StripeShipping, parse_packages, to_address

__all__ = [
    "MAX_ID_LENGTH",
    "PaymentIntent",
    "build_retrieve_payment_intent",
    "build_update_payment_intent",
    "describe_payment_id",
    "idempotency_key",
    "is_replayed",
    "not_found_payment",
    "parse_payment_intent",
    "parse_shipping",
    "require_payment_intent_id",
    "to_remote_payment",
]

#: Maximum length of a payment id that tracksync accepts. Stripe documents no maximum, so
#: this is tracksync's own limit, which rejects a whole CSV cell pasted by mistake.
MAX_ID_LENGTH = 255

_PAYMENT_INTENT_ID = re.compile(r"^pi_[A-Za-z0-9]+$")

_STATES = {
    "succeeded": PaymentState.READY,
    "processing": PaymentState.WAITING_FOR_CAPTURE,
    "requires_capture": PaymentState.WAITING_FOR_CAPTURE,
    "canceled": PaymentState.UNUSABLE,
    "requires_payment_method": PaymentState.UNUSABLE,
    "requires_confirmation": PaymentState.UNUSABLE,
    "requires_action": PaymentState.UNUSABLE,
}


@attrs.frozen(kw_only=True)
class PaymentIntent:
    """The parts of a PaymentIntent that tracksync reads."""

    id: str
    status: str
    shipping: StripeShipping | None = None


def describe_payment_id(payment_id: str) -> str | None:
    """Return why a payment id is not a PaymentIntent id, or None when it is one."""
    if len(payment_id) <= MAX_ID_LENGTH and _PAYMENT_INTENT_ID.match(payment_id):
        return None
    # NOTE: Charge (ch_, py_) and Checkout Session (cs_) ids are not accepted yet, although
    # each of them leads to a PaymentIntent that could take the tracking.
    display_id = payment_id if len(payment_id) <= 80 else payment_id[:77] + "..."
    if payment_id.startswith(("ch_", "py_")):
        guess = "looks like a Charge id. Use the Charge's payment_intent instead"
    elif payment_id.startswith("cs_"):
        guess = "looks like a Checkout Session id. Use the Session's payment_intent instead"
    elif len(payment_id) > MAX_ID_LENGTH:
        guess = f"is longer than {MAX_ID_LENGTH} characters, so it is not a single id"
    elif payment_id.startswith("pi_"):
        guess = "is invalid, because after pi_ a PaymentIntent id contains only letters and digits"
    else:
        guess = "has a prefix that tracksync does not know"
    return (
        f"Stripe payment id {display_id!r} cannot be used, because tracksync takes "
        f"PaymentIntent ids (pi_...) and this one {guess}."
    )


def require_payment_intent_id(payment: PaymentRef) -> str:
    """Return the payment's PaymentIntent id, or raise InvalidInputError."""
    problem = describe_payment_id(payment.payment_id)
    if problem is not None:
        raise InvalidInputError(problem)
    return payment.payment_id


def _payment_intent_path(intent_id: str) -> str:
    return f"/v1/payment_intents/{urllib.parse.quote(intent_id, safe='')}"


def build_retrieve_payment_intent(settings: ApiSettings, intent_id: str) -> httpx.Request:
    """Build ``GET /v1/payment_intents/{id}``."""
    return httpx.Request(
        "GET", settings.url(_payment_intent_path(intent_id)), headers=settings.headers()
    )


def build_update_payment_intent(
    settings: ApiSettings,
    intent_id: str,
    params: Mapping[str, FormValue],
    *,
    idempotency_key: str,
) -> httpx.Request:
    """Build ``POST /v1/payment_intents/{id}`` with a form-encoded body."""
    headers = settings.headers()
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Idempotency-Key"] = idempotency_key
    return httpx.Request(
        "POST",
        settings.url(_payment_intent_path(intent_id)),
        headers=headers,
        content=encode_form(params).encode("ascii"),
    )


def idempotency_key(
    intent_id: str,
    shipping_before: StripeShipping | None,
    body: str,
    *,
    replayed_request: str | None = None,
) -> str:
    """Derive the ``Idempotency-Key`` of one shipping update.

    The key depends on the PaymentIntent, its shipping as read before the write and the
    body to send. A retry of the same write therefore reuses the key, and a different
    write gets a new one. Stripe keeps keys for at least 24 hours, so a write that repeats
    an earlier one exactly (add a number, cancel it, add it again) gets the earlier key and
    Stripe replays the saved response. ``replayed_request`` then names the replayed
    request, which gives the repeated write a key of its own.
    """
    before = "null" if shipping_before is None else _canonical_json(attrs.asdict(shipping_before))
    text = f"{intent_id}\n{before}\n{body}"
    if replayed_request is not None:
        text += f"\nafter {replayed_request}"
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"tracksync-{digest[:40]}"


def is_replayed(response: httpx.Response) -> bool:
    """Return whether Stripe replayed a saved response for a reused Idempotency-Key."""
    value: str = response.headers.get("Idempotent-Replayed", "")
    return value.strip().lower() == "true"


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def parse_payment_intent(response: httpx.Response, *, secret: str | None = None) -> PaymentIntent:
    """Read a PaymentIntent from a 2xx response.

    Raises:
        StripeError: the response is an error (non-2xx), or not a PaymentIntent.
    """
    if not response.is_success:
        raise parse_error(response, secret=secret)
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    is_intent = isinstance(body, dict) and _is_text(body.get("id")) and _is_text(body.get("status"))
    if not is_intent:
        raise StripeError(
            f"Stripe responded with HTTP {response.status_code}, but the body is not a "
            "PaymentIntent. Check that base_url points at the Stripe API.",
            status=response.status_code,
            request_id=response.headers.get("Request-Id"),
        )
    return PaymentIntent(
        id=body["id"], status=body["status"], shipping=parse_shipping(body.get("shipping"))
    )


def parse_shipping(value: object) -> StripeShipping | None:
    """Read Stripe's ``shipping`` hash, or return None when it is null or not an object."""
    if not isinstance(value, dict):
        return None
    raw_address = value.get("address")
    address: dict[str, str] = {}
    if isinstance(raw_address, dict):
        for field in ADDRESS_FIELDS:
            part = raw_address.get(field)
            if _is_text(part):
                address[field] = part
    return StripeShipping(
        name=_text(value.get("name")),
        phone=_text(value.get("phone")),
        carrier=_text(value.get("carrier")),
        tracking_number=_text(value.get("tracking_number")),
        address=address,
    )


def to_remote_payment(payment: PaymentRef, intent: PaymentIntent) -> RemotePayment:
    """Describe a PaymentIntent the way the planner reads payments."""
    shipping = intent.shipping
    trackers = tuple(
        Tracker(tracking_number=package.tracking_number, carrier=package.carrier)
        for package in parse_packages(shipping)
    )
    name = shipping.name.strip() if shipping and shipping.name else None
    return RemotePayment(
        payment=payment,
        state=_STATES.get(intent.status, PaymentState.UNUSABLE),
        trackers=trackers,
        recipient_name=name or None,
        ship_to=to_address(shipping.address) if shipping else None,
        message=_status_message(intent),
    )


def not_found_payment(payment: PaymentRef, response: httpx.Response) -> RemotePayment:
    """Describe a PaymentIntent for which Stripe responded with 404 ``resource_missing``."""
    request_id = response.headers.get("Request-Id")
    quoted = f" (request id {request_id})" if request_id else ""
    return RemotePayment(
        payment=payment,
        state=PaymentState.NOT_FOUND,
        message=(
            f"Stripe has no PaymentIntent {payment.payment_id}{quoted}. Check the id, and "
            "that the API key belongs to the account and mode (live or test) that took "
            "the payment."
        ),
    )


def _status_message(intent: PaymentIntent) -> str | None:
    status = intent.status
    name = f"PaymentIntent {intent.id} has status {status}"
    if status == "succeeded":
        return None
    if status == "processing":
        return f"{name}. The payment is not complete yet, so the next run adds the tracking."
    if status == "requires_capture":
        return (
            f"{name}, so the money is authorized but not captured. Capture it, and the next "
            "run adds the tracking."
        )
    if status == "canceled":
        return f"{name}, so it can never take tracking."
    if status in _STATES:
        return (
            f"{name}, so the customer has not completed the payment and tracksync adds no "
            "tracking to it."
        )
    return (
        f"{name}, which tracksync does not know. It adds tracking only to succeeded PaymentIntents."
    )


def _is_text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
