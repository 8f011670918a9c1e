"""Parsing PaymentIntents, Charges and Checkout Sessions, against golden JSON."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from openapi_schema_validator import OAS30ReadValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from providers.stripe.stripe_support import (
    CHARGE,
    OPEN_SESSION,
    OWN_CHARGE,
    PI,
    SESSION,
    golden,
    intent,
)
from spec_validation import load_spec
from tracksync import StripeError
from tracksync.providers.stripe._objects import (
    ObjectKind,
    ShippingObject,
    parse_charge,
    parse_checkout_session,
    parse_payment_intent,
    parse_shipping_object,
)
from tracksync.providers.stripe._shipping import StripeShipping

BERLIN = {"line1": "Friedrichstraße 68", "city": "Berlin", "postal_code": "10117", "country": "DE"}


def answer(body: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body, headers={"Request-Id": "req_1"})


# Golden files match Stripe's published schemas.


def with_null_allowed(node: Any) -> Any:
    """Rewrite OpenAPI 3.0 ``nullable: true`` as an explicit null choice.

    openapi-schema-validator 0.8 ignores ``nullable`` beside ``anyOf`` and ``enum``, both
    of which Stripe's spec uses for nullable fields.
    """
    if isinstance(node, list):
        return [with_null_allowed(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: with_null_allowed(value) for key, value in node.items()}
    if converted.pop("nullable", False) is True:
        return {"anyOf": [{"enum": [None]}, converted]}
    return converted


@pytest.mark.parametrize(
    ("name", "schema"),
    [
        ("payment_intent_succeeded_two_packages.json", "payment_intent"),
        ("payment_intent_no_shipping.json", "payment_intent"),
        ("payment_intent_requires_capture.json", "payment_intent"),
        ("payment_intent_canceled.json", "payment_intent"),
        ("payment_intent_expanded_charge.json", "payment_intent"),
        ("payment_intent_three_packages.json", "payment_intent"),
        ("charge_succeeded.json", "charge"),
        ("checkout_session_complete.json", "checkout.session"),
        ("checkout_session_open.json", "checkout.session"),
        ("error_resource_missing.json", "error"),
        ("error_parameter_unknown.json", "error"),
        ("error_invalid_api_key.json", "error"),
        ("error_lock_timeout.json", "error"),
        ("error_unexpected_state.json", "error"),
        ("error_idempotency.json", "error"),
        ("error_idempotency_key_in_use.json", "error"),
        ("error_permission.json", "error"),
    ],
)
def test_golden_matches_spec(name: str, schema: str) -> None:
    spec_name = "stripe/stripe_tracking_subset.json"
    document = with_null_allowed(load_spec(spec_name))
    resource = Resource.from_contents(document, default_specification=DRAFT4)
    registry = Registry().with_resource(uri=spec_name, resource=resource)
    validator = OAS30ReadValidator(
        {"$ref": f"{spec_name}#/components/schemas/{schema}"}, registry=registry
    )

    errors = [error.message for error in validator.iter_errors(golden(name))]

    assert [] == errors


# PaymentIntents.


def test_intent_shipping_and_metadata() -> None:
    parsed = parse_payment_intent(answer(golden("payment_intent_succeeded_two_packages.json")))

    expected = ShippingObject(
        kind=ObjectKind.PAYMENT_INTENT,
        id=PI,
        shipping=StripeShipping(
            name="Jana Müller",
            phone="+49 30 1234567",
            carrier="UPS, DHL",
            tracking_number="1Z999AA10123456784, JD014600006281230704",
            address=BERLIN,
        ),
        metadata={"order_id": "1001"},
    )
    assert expected == parsed.object
    assert "succeeded" == parsed.status


def test_intent_unexpanded_charge_id() -> None:
    parsed = parse_payment_intent(answer(golden("payment_intent_succeeded_two_packages.json")))

    assert parsed.latest_charge is None
    assert CHARGE == parsed.latest_charge_id


def test_intent_expanded_charge() -> None:
    parsed = parse_payment_intent(answer(golden("payment_intent_expanded_charge.json")))

    assert parsed.latest_charge is not None
    assert CHARGE == parsed.latest_charge_id
    assert ObjectKind.CHARGE == parsed.latest_charge.object.kind
    assert CHARGE == parsed.latest_charge.object.id
    assert "Jana Müller" == parsed.latest_charge.object.shipping.name  # type: ignore[union-attr]
    assert parsed.latest_charge.captured
    assert not parsed.latest_charge.refunded


def test_intent_without_charge() -> None:
    parsed = parse_payment_intent(answer(golden("payment_intent_canceled.json")))

    assert parsed.latest_charge is None
    assert parsed.latest_charge_id is None
    assert parsed.object.shipping is None


def test_metadata_keeps_only_strings() -> None:
    body = intent(metadata={"order_id": "1001"})
    body["metadata"]["count"] = 3

    parsed = parse_payment_intent(answer(body))

    assert {"order_id": "1001"} == parsed.object.metadata


def test_intent_error_raises() -> None:
    response = answer(golden("error_resource_missing.json"), 404)

    with pytest.raises(StripeError) as caught:
        parse_payment_intent(response)

    assert "resource_missing" == caught.value.code
    assert 404 == caught.value.status
    assert "req_1" == caught.value.request_id


def test_not_a_payment_intent() -> None:
    response = httpx.Response(200, html="<html>maintenance</html>")

    with pytest.raises(StripeError) as caught:
        parse_payment_intent(response)

    assert 200 == caught.value.status
    assert "not a PaymentIntent" in str(caught.value)


def test_unreadable_charge_keeps_id() -> None:
    body = intent()
    del body["latest_charge"]["status"]

    parsed = parse_payment_intent(answer(body))

    assert parsed.latest_charge is None
    assert CHARGE == parsed.latest_charge_id


# Charges.


def test_charge_parsed() -> None:
    parsed = parse_charge(answer(golden("charge_succeeded.json")))

    assert OWN_CHARGE == parsed.object.id
    assert ObjectKind.CHARGE == parsed.object.kind
    assert "succeeded" == parsed.status
    assert parsed.captured
    assert not parsed.refunded
    assert {"order_id": "1002"} == parsed.object.metadata
    assert BERLIN == parsed.object.shipping.address  # type: ignore[union-attr]


def test_charge_uncaptured_and_refunded() -> None:
    body = golden("charge_succeeded.json")
    body["captured"] = False
    body["refunded"] = True

    parsed = parse_charge(answer(body))

    assert not parsed.captured
    assert parsed.refunded


def test_not_a_charge() -> None:
    with pytest.raises(StripeError) as caught:
        parse_charge(answer({"object": "list"}))

    assert "not a Charge" in str(caught.value)


def test_shipping_object_by_kind() -> None:
    parsed = parse_shipping_object(answer(golden("charge_succeeded.json")), ObjectKind.CHARGE)

    assert OWN_CHARGE == parsed.id


# Checkout Sessions.


def test_session_expanded() -> None:
    parsed = parse_checkout_session(answer(golden("checkout_session_complete.json")))

    assert SESSION == parsed.id
    assert "payment" == parsed.mode
    assert "complete" == parsed.status
    assert "paid" == parsed.payment_status
    assert PI == parsed.payment_intent_id
    assert parsed.payment_intent is not None
    assert parsed.payment_intent.latest_charge is not None
    assert CHARGE == parsed.payment_intent.latest_charge.object.id


def test_session_without_intent() -> None:
    parsed = parse_checkout_session(answer(golden("checkout_session_open.json")))

    assert OPEN_SESSION == parsed.id
    assert parsed.payment_intent is None
    assert parsed.payment_intent_id is None
    assert "open" == parsed.status


def test_session_unexpanded_intent() -> None:
    body = golden("checkout_session_complete.json")
    body["payment_intent"] = PI

    parsed = parse_checkout_session(answer(body))

    assert parsed.payment_intent is None
    assert PI == parsed.payment_intent_id


def test_session_with_broken_intent() -> None:
    body = golden("checkout_session_complete.json")
    body["payment_intent"] = {"object": "payment_intent"}

    with pytest.raises(StripeError) as caught:
        parse_checkout_session(answer(body))

    assert "Checkout Session" in str(caught.value)


def test_object_path_quoted() -> None:
    assert "/v1/charges/ch_1" == ObjectKind.CHARGE.path("ch_1")
    assert "/v1/payment_intents/pi_1%2F.." == ObjectKind.PAYMENT_INTENT.path("pi_1/..")
