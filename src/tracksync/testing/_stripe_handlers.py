"""The Stripe emulator's endpoints: read and update PaymentIntents and Charges, read Sessions.

Each handler gets the state, the already-checked caller, the request and its path
parameters. It reads and changes only the objects of the caller's account, and it checks
every parameter before it changes anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from ._base import json_response
from ._stripe_access import Caller, require_permission
from ._stripe_errors import _Problem
from ._stripe_expand import RESOURCE_OF, expand_object, parse_expand
from ._stripe_params import (
    _MAX_DESCRIPTION,
    _decode_form,
    _merge_metadata,
    _optional_string,
    _parse_receipt_email,
    _parse_shipping,
    _read_form,
    _reject_unsupported,
    parse_charge_shipping,
    parse_fraud_details,
    required_string,
)
from ._stripe_state import (
    _Charge,
    _CheckoutSession,
    _PaymentIntent,
    _render_payment_intent,
    _StripeState,
    render_charge,
    render_checkout_session,
)

__all__ = [
    "Endpoint",
    "get_charge",
    "get_checkout_session",
    "get_payment_intent",
    "render_session",
    "update_charge",
    "update_payment_intent",
]

#: A handler: the state, the caller, the request and the path parameters.
Endpoint = Callable[[_StripeState, Caller, httpx.Request, Mapping[str, str]], httpx.Response]

#: Statuses in which Stripe lets other PaymentIntent fields change, as its
#: ``payment_intent_unexpected_state`` message lists them.
_UPDATABLE_STATUSES = ("requires_payment_method", "requires_confirmation", "requires_action")

#: Update parameters the emulator accepts. Stripe takes more, but the emulator rejects the
#: others as unknown, so a test notices when a client starts to send them.
_UPDATE_PARAMETERS = frozenset({"shipping", "metadata", "description", "receipt_email", "expand"})
#: Every parameter of Stripe's Charge update (``POST /v1/charges/{id}``, spec 2023-08-16).
_CHARGE_UPDATE_PARAMETERS = frozenset(
    {
        "customer",
        "description",
        "expand",
        "fraud_details",
        "metadata",
        "receipt_email",
        "shipping",
        "transfer_group",
    }
)
#: Maximum length of a Charge's description, from Stripe's spec.
_MAX_CHARGE_DESCRIPTION = 40000


# --- Lookup and expansion ---------------------------------------------------------------------


def _find_payment_intent(
    state: _StripeState, intent_id: str, account: str | None
) -> _PaymentIntent:
    intent = state.payment_intents.get(intent_id)
    if intent is None or intent.account != account:
        raise _Problem(
            404,
            f"No such payment_intent: '{intent_id}'",
            code="resource_missing",
            param="intent",
        )
    return intent


def _find_charge(state: _StripeState, charge_id: str, account: str | None) -> _Charge:
    charge = state.charges.get(charge_id)
    if charge is None or charge.account != account:
        raise _Problem(
            404, f"No such charge: '{charge_id}'", code="resource_missing", param="charge"
        )
    return charge


def _find_session(state: _StripeState, session_id: str, account: str | None) -> _CheckoutSession:
    session = state.checkout_sessions.get(session_id)
    if session is None or session.account != account:
        raise _Problem(
            404,
            f"No such checkout.session: '{session_id}'",
            code="resource_missing",
            param="session",
        )
    return session


def render_session(state: _StripeState, session: _CheckoutSession) -> dict[str, Any]:
    """Render a Checkout Session with the amounts of its PaymentIntent."""
    intent = None
    if session.payment_intent is not None:
        intent = state.payment_intents.get(session.payment_intent)
    return render_checkout_session(session, intent)


def _expansions(caller: Caller, params: Mapping[str, Any], root: str) -> list[str]:
    """Check the ``expand`` parameter, and the caller's read permission for what it reads."""
    if "expand" not in params:
        return []
    paths, reached = parse_expand(params["expand"], root)
    for kind in sorted(reached):
        require_permission(caller, RESOURCE_OF[kind], "read")
    return paths


def _respond_with(
    state: _StripeState, rendered: dict[str, Any], root: str, paths: list[str], caller: Caller
) -> httpx.Response:
    def lookup(kind: str, object_id: str) -> dict[str, Any] | None:
        if kind == "charge":
            charge = state.charges.get(object_id)
            if charge is not None and charge.account == caller.account:
                return render_charge(charge)
        elif kind == "payment_intent":
            intent = state.payment_intents.get(object_id)
            if intent is not None and intent.account == caller.account:
                return _render_payment_intent(intent)
        return None

    expand_object(rendered, root, paths, lookup)
    return json_response(200, rendered)


def _read_query(request: httpx.Request) -> dict[str, Any]:
    return _decode_form(request.url.query.decode("ascii"))


# --- PaymentIntents ---------------------------------------------------------------------------


def get_payment_intent(
    state: _StripeState, caller: Caller, request: httpx.Request, params: Mapping[str, str]
) -> httpx.Response:
    query = _read_query(request)
    _reject_unsupported(query, frozenset({"expand"}), frozenset({"client_secret"}))
    paths = _expansions(caller, query, "payment_intent")
    intent = _find_payment_intent(state, params["intent"], caller.account)
    return _respond_with(state, _render_payment_intent(intent), "payment_intent", paths, caller)


def update_payment_intent(
    state: _StripeState, caller: Caller, request: httpx.Request, params: Mapping[str, str]
) -> httpx.Response:
    """Update a PaymentIntent. Every parameter is checked before any is applied."""
    form = _read_form(request)
    intent = _find_payment_intent(state, params["intent"], caller.account)
    _reject_unsupported(form, _UPDATE_PARAMETERS, frozenset())
    paths = _expansions(caller, form, "payment_intent")

    shipping = _parse_shipping(form["shipping"]) if "shipping" in form else intent.shipping
    metadata = (
        _merge_metadata(intent.metadata, form["metadata"])
        if "metadata" in form
        else intent.metadata
    )
    description = (
        _optional_string(form["description"], "description", max_length=_MAX_DESCRIPTION)
        if "description" in form
        else intent.description
    )
    receipt_email = (
        _parse_receipt_email(form["receipt_email"])
        if "receipt_email" in form
        else intent.receipt_email
    )

    if (
        "shipping" in form
        and intent.status == "succeeded"
        and not state.shipping_update_on_succeeded
    ):
        # NOTE: whether Stripe accepts a shipping update on a succeeded PaymentIntent is
        # not established, and this option emulates a rejection. The error counts as
        # executed, so an idempotency key saves it.
        raise _Problem(
            400,
            "This PaymentIntent's shipping could not be updated because it has a status of "
            "succeeded. You may only update the shipping of a PaymentIntent with one of the "
            f"following statuses: {', '.join(_UPDATABLE_STATUSES)}.",
            code="payment_intent_unexpected_state",
            param="shipping",
            payment_intent=_render_payment_intent(intent),
            executed=True,
        )

    intent.shipping = shipping
    intent.metadata = metadata
    intent.description = description
    intent.receipt_email = receipt_email
    return _respond_with(state, _render_payment_intent(intent), "payment_intent", paths, caller)


# --- Charges ----------------------------------------------------------------------------------


def get_charge(
    state: _StripeState, caller: Caller, request: httpx.Request, params: Mapping[str, str]
) -> httpx.Response:
    query = _read_query(request)
    _reject_unsupported(query, frozenset({"expand"}), frozenset())
    paths = _expansions(caller, query, "charge")
    charge = _find_charge(state, params["charge"], caller.account)
    return _respond_with(state, render_charge(charge), "charge", paths, caller)


def update_charge(
    state: _StripeState, caller: Caller, request: httpx.Request, params: Mapping[str, str]
) -> httpx.Response:
    """Update a Charge in any status. Every parameter is checked before any is applied.

    Unlike a PaymentIntent's, a Charge's ``shipping`` cannot be unset with ``shipping=``,
    and ``customer`` and ``transfer_group`` can only be set while they are unset.
    """
    form = _read_form(request)
    charge = _find_charge(state, params["charge"], caller.account)
    _reject_unsupported(form, _CHARGE_UPDATE_PARAMETERS, frozenset())
    paths = _expansions(caller, form, "charge")

    updates: dict[str, Any] = {}
    if "customer" in form:
        updates["customer"] = _parse_customer(form["customer"], charge)
    if "description" in form:
        updates["description"] = required_string(
            form["description"], "description", max_length=_MAX_CHARGE_DESCRIPTION
        )
    if "fraud_details" in form:
        updates["user_report"] = parse_fraud_details(form["fraud_details"])
    if "metadata" in form:
        updates["metadata"] = _merge_metadata(charge.metadata, form["metadata"])
    if "receipt_email" in form:
        required_string(form["receipt_email"], "receipt_email")
        updates["receipt_email"] = _parse_receipt_email(form["receipt_email"])
    if "shipping" in form:
        updates["shipping"] = parse_charge_shipping(form["shipping"])
    if "transfer_group" in form:
        updates["transfer_group"] = _parse_transfer_group(form["transfer_group"], charge)

    for name, value in updates.items():
        setattr(charge, name, value)
    return _respond_with(state, render_charge(charge), "charge", paths, caller)


# NOTE: the emulator stores no Customers, so it takes any cus_ id as an existing Customer.
# Stripe's errors for setting customer or transfer_group a second time are not
# established, so the emulator rejects both with messages of its own.
def _parse_customer(value: object, charge: _Charge) -> str:
    customer = required_string(value, "customer")
    if not customer.startswith("cus_"):
        raise _Problem(
            400, f"No such customer: '{customer}'", code="resource_missing", param="customer"
        )
    if charge.customer not in (None, customer):
        raise _Problem(
            400,
            f"Charge {charge.id} already has customer {charge.customer}. A Charge's customer "
            "can only be set while it has none.",
            param="customer",
        )
    return customer


def _parse_transfer_group(value: object, charge: _Charge) -> str:
    group = required_string(value, "transfer_group")
    if charge.transfer_group not in (None, group):
        raise _Problem(
            400,
            f"Charge {charge.id} already has transfer_group {charge.transfer_group}. A Charge's "
            "transfer_group can only be set while it has none.",
            param="transfer_group",
        )
    return group


# --- Checkout Sessions ------------------------------------------------------------------------


def get_checkout_session(
    state: _StripeState, caller: Caller, request: httpx.Request, params: Mapping[str, str]
) -> httpx.Response:
    query = _read_query(request)
    _reject_unsupported(query, frozenset({"expand"}), frozenset())
    paths = _expansions(caller, query, "checkout.session")
    session = _find_session(state, params["session"], caller.account)
    return _respond_with(state, render_session(state, session), "checkout.session", paths, caller)
