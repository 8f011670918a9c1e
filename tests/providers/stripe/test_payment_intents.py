"""Pure request builders and response parsers for PaymentIntents, against golden JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_schema_validator import OAS30ReadValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from spec_validation import load_spec
from tracksync import Address, ChangeKind, PaymentRef, PaymentState, StripeError, Tracker
from tracksync.providers.stripe import STRIPE_API_VERSION
from tracksync.providers.stripe._errors import is_resource_missing, parse_error
from tracksync.providers.stripe._form import FormValue, encode_form
from tracksync.providers.stripe._payment_intents import (
    PaymentIntent,
    build_retrieve_payment_intent,
    build_update_payment_intent,
    describe_payment_id,
    idempotency_key,
    is_replayed,
    parse_payment_intent,
    to_remote_payment,
)
from tracksync.providers.stripe._settings import ApiSettings
from tracksync.providers.stripe._shipping import (
    Package,
    Recipient,
    StripeShipping,
    carrier_text,
    changed_packages,
    choose_recipient,
    parse_packages,
    shipping_params,
    to_address,
)

GOLDEN = Path(__file__).parent / "golden"
KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
SETTINGS = ApiSettings(api_key=KEY)
SUCCEEDED_ID = "pi_3QmZ8tLkdIwHu7ix0aBcDeFg"


def golden(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN / name).read_text(encoding="utf-8"))
    return data


def answer(name: str, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=golden(name), headers=headers)


def payment(payment_id: str = SUCCEEDED_ID) -> PaymentRef:
    return PaymentRef(provider="stripe", payment_id=payment_id)


def form(params: dict[str, Any]) -> str:
    return encode_form(params)


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
        ("error_resource_missing.json", "error"),
        ("error_parameter_unknown.json", "error"),
        ("error_invalid_api_key.json", "error"),
        ("error_lock_timeout.json", "error"),
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


# Requests.


def test_retrieve_request_line() -> None:
    request = build_retrieve_payment_intent(SETTINGS, SUCCEEDED_ID)

    assert "GET" == request.method
    assert f"https://api.stripe.com/v1/payment_intents/{SUCCEEDED_ID}" == str(request.url)


def test_retrieve_request_headers() -> None:
    request = build_retrieve_payment_intent(SETTINGS, SUCCEEDED_ID)

    assert f"Bearer {KEY}" == request.headers["Authorization"]
    assert STRIPE_API_VERSION == request.headers["Stripe-Version"]
    assert "2026-10-28.endive" == request.headers["Stripe-Version"]
    assert "Idempotency-Key" not in request.headers
    assert b"" == request.content


def test_retrieve_request_base_url() -> None:
    settings = ApiSettings(api_key=KEY, base_url="http://127.0.0.1:12111")

    request = build_retrieve_payment_intent(settings, "pi_123")

    assert "http://127.0.0.1:12111/v1/payment_intents/pi_123" == str(request.url)


def test_update_request_form_body() -> None:
    params: dict[str, FormValue] = {
        "shipping": {
            "name": "A",
            "address": {"line1": "B"},
            "carrier": "UPS",
            "tracking_number": "1Z999",
        }
    }

    request = build_update_payment_intent(SETTINGS, "pi_123", params, idempotency_key="k-1")

    expected = (
        b"shipping[name]=A&shipping[address][line1]=B"
        b"&shipping[carrier]=UPS&shipping[tracking_number]=1Z999"
    )
    assert "POST" == request.method
    assert expected == request.content
    assert "application/x-www-form-urlencoded" == request.headers["Content-Type"]
    assert "k-1" == request.headers["Idempotency-Key"]
    assert STRIPE_API_VERSION == request.headers["Stripe-Version"]


def test_settings_repr_hides_key() -> None:
    assert KEY not in repr(SETTINGS)


# Parsing PaymentIntents.


def test_parse_succeeded_shipping() -> None:
    intent = parse_payment_intent(answer("payment_intent_succeeded_two_packages.json"))

    expected = PaymentIntent(
        id=SUCCEEDED_ID,
        status="succeeded",
        shipping=StripeShipping(
            name="Jana Müller",
            phone="+49 30 1234567",
            carrier="UPS, DHL",
            tracking_number="1Z999AA10123456784, JD014600006281230704",
            address={
                "line1": "Friedrichstraße 68",
                "city": "Berlin",
                "postal_code": "10117",
                "country": "DE",
            },
        ),
    )
    assert expected == intent


def test_remote_succeeded_ready() -> None:
    intent = parse_payment_intent(answer("payment_intent_succeeded_two_packages.json"))

    remote = to_remote_payment(payment(), intent)

    assert PaymentState.READY == remote.state
    assert remote.message is None


def test_remote_succeeded_trackers() -> None:
    intent = parse_payment_intent(answer("payment_intent_succeeded_two_packages.json"))

    remote = to_remote_payment(payment(), intent)

    expected = (
        Tracker(tracking_number="1Z999AA10123456784", carrier="UPS"),
        Tracker(tracking_number="JD014600006281230704", carrier="DHL"),
    )
    assert expected == remote.trackers


def test_remote_succeeded_recipient() -> None:
    intent = parse_payment_intent(answer("payment_intent_succeeded_two_packages.json"))

    remote = to_remote_payment(payment(), intent)

    expected = Address(line1="Friedrichstraße 68", city="Berlin", postal_code="10117", country="DE")
    assert "Jana Müller" == remote.recipient_name
    assert expected == remote.ship_to


def test_remote_no_shipping() -> None:
    intent = parse_payment_intent(answer("payment_intent_no_shipping.json"))

    remote = to_remote_payment(payment(intent.id), intent)

    assert PaymentState.READY == remote.state
    assert () == remote.trackers
    assert remote.recipient_name is None
    assert remote.ship_to is None


def test_remote_requires_capture_waits() -> None:
    intent = parse_payment_intent(answer("payment_intent_requires_capture.json"))

    remote = to_remote_payment(payment(intent.id), intent)

    assert PaymentState.WAITING_FOR_CAPTURE == remote.state
    assert remote.message is not None
    assert "requires_capture" in remote.message
    assert () == remote.trackers


def test_remote_canceled_unusable() -> None:
    intent = parse_payment_intent(answer("payment_intent_canceled.json"))

    remote = to_remote_payment(payment(intent.id), intent)

    assert PaymentState.UNUSABLE == remote.state
    assert remote.message is not None
    assert "canceled" in remote.message


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("succeeded", PaymentState.READY),
        ("processing", PaymentState.WAITING_FOR_CAPTURE),
        ("requires_capture", PaymentState.WAITING_FOR_CAPTURE),
        ("canceled", PaymentState.UNUSABLE),
        ("requires_payment_method", PaymentState.UNUSABLE),
        ("requires_confirmation", PaymentState.UNUSABLE),
        ("requires_action", PaymentState.UNUSABLE),
        ("some_future_status", PaymentState.UNUSABLE),
    ],
)
def test_status_to_state(status: str, state: PaymentState) -> None:
    remote = to_remote_payment(payment("pi_1"), PaymentIntent(id="pi_1", status=status))

    assert state == remote.state


@pytest.mark.parametrize(
    "status",
    [
        "processing",
        "requires_capture",
        "canceled",
        "requires_payment_method",
        "requires_confirmation",
        "requires_action",
        "some_future_status",
    ],
)
def test_status_message_names_status(status: str) -> None:
    remote = to_remote_payment(payment("pi_1"), PaymentIntent(id="pi_1", status=status))

    assert remote.message is not None
    assert status in remote.message
    assert "pi_1" in remote.message


def test_parse_error_status_raises() -> None:
    response = answer("error_resource_missing.json", 404, {"Request-Id": "req_7dQ2mXk0Lc9vBa"})

    with pytest.raises(StripeError) as caught:
        parse_payment_intent(response)

    assert "resource_missing" == caught.value.code
    assert 404 == caught.value.status
    assert "req_7dQ2mXk0Lc9vBa" == caught.value.request_id


def test_parse_not_a_payment_intent() -> None:
    response = httpx.Response(200, html="<html>maintenance</html>")

    with pytest.raises(StripeError) as caught:
        parse_payment_intent(response)

    assert 200 == caught.value.status
    assert "not a PaymentIntent" in str(caught.value)


# Packages in the shipping hash.


def shipping(tracking_number: str | None, carrier: str | None) -> StripeShipping:
    return StripeShipping(tracking_number=tracking_number, carrier=carrier)


def test_packages_pair_up() -> None:
    expected = (Package("A1", "UPS"), Package("B2", "DHL"))

    assert expected == parse_packages(shipping("A1, B2", "UPS, DHL"))


def test_packages_single_carrier_for_all() -> None:
    expected = (Package("A1", "UPS"), Package("B2", "UPS"), Package("C3", "UPS"))

    assert expected == parse_packages(shipping("A1,B2, C3", "UPS"))


def test_packages_count_mismatch_no_carrier() -> None:
    expected = (Package("A1", None), Package("B2", None), Package("C3", None))

    assert expected == parse_packages(shipping("A1, B2, C3", "UPS, DHL"))


def test_packages_without_carrier() -> None:
    assert (Package("A1", None), Package("B2", None)) == parse_packages(shipping("A1, B2", None))


def test_packages_skip_empty_parts() -> None:
    expected = (Package("A1", "UPS"), Package("B2", "DHL"))

    assert expected == parse_packages(shipping(" A1 ,, B2, ", "UPS,,DHL,"))


def test_packages_none_without_shipping() -> None:
    assert () == parse_packages(None)


def test_packages_none_without_numbers() -> None:
    assert () == parse_packages(shipping(None, "UPS"))


def test_change_add_appends() -> None:
    packages = (Package("A1", "UPS"),)

    changed = changed_packages(packages, ChangeKind.ADD, "B2", "DHL")

    assert (Package("A1", "UPS"), Package("B2", "DHL")) == changed


def test_change_add_present_keeps() -> None:
    packages = (Package("A1", "UPS"),)

    assert packages == changed_packages(packages, ChangeKind.ADD, "A1", "DHL")


def test_change_cancel_removes() -> None:
    packages = (Package("A1", "UPS"), Package("B2", "DHL"))

    assert (Package("B2", "DHL"),) == changed_packages(packages, ChangeKind.CANCEL, "A1", "UPS")


def test_change_update_replaces_carrier() -> None:
    packages = (Package("A1", "UPS"), Package("B2", "DHL"))

    changed = changed_packages(packages, ChangeKind.UPDATE, "B2", "FedEx")

    assert (Package("A1", "UPS"), Package("B2", "FedEx")) == changed


def test_carrier_text_one_when_equal() -> None:
    assert "UPS" == carrier_text((Package("A1", "UPS"), Package("B2", "UPS")), None)


def test_carrier_text_joined_in_order() -> None:
    packages = (Package("A1", "UPS"), Package("B2", "DHL"), Package("C3", "UPS"))

    assert "UPS, DHL, UPS" == carrier_text(packages, None)


def test_carrier_text_unknown_keeps_stored() -> None:
    packages = (Package("A1", None), Package("B2", None), Package("C3", "UPS"))

    assert "UPS, DHL" == carrier_text(packages, "UPS, DHL")


def test_carrier_text_empty_without_packages() -> None:
    assert "" == carrier_text((), "UPS")


# Addresses and recipients.


def test_address_drops_empty_strings() -> None:
    address = to_address({"line1": "Main St 1", "line2": "", "city": "  ", "country": "US"})

    assert Address(line1="Main St 1", country="US") == address


def test_address_drops_bad_country() -> None:
    address = to_address({"line1": "Main St 1", "country": "usa"})

    assert Address(line1="Main St 1") == address


def test_address_none_when_all_empty() -> None:
    assert to_address({"line1": "", "country": ""}) is None


def test_address_strips_parts() -> None:
    assert Address(city="Berlin") == to_address({"city": " Berlin "})


def test_recipient_from_payment_intent() -> None:
    stored = StripeShipping(name="Jana", address={"line1": "X 1", "country": "de"})
    shop = Address(line1="Shop St 1", country="GB")

    recipient = choose_recipient(stored, "Order Name", shop)

    assert Recipient("Jana", {"line1": "X 1", "country": "de"}) == recipient


def test_recipient_from_shop_fallback() -> None:
    stored = StripeShipping(name="Jana")
    shop = Address(line1="Shop St 1", country="GB")

    recipient = choose_recipient(stored, "Order Name", shop)

    assert Recipient("Order Name", {"line1": "Shop St 1", "country": "GB"}) == recipient


def test_recipient_missing() -> None:
    assert choose_recipient(None, "Order Name", None) is None


def test_recipient_empty_shop_address_missing() -> None:
    assert choose_recipient(None, "Order Name", Address()) is None


# The exact form bodies sent.


RECIPIENT = Recipient(
    "Jana Müller", {"line1": "Friedrichstraße 68", "city": "Berlin", "country": "DE"}
)


def test_body_first_package() -> None:
    params = shipping_params(RECIPIENT, None, (Package("1Z999", "UPS"),), None)

    expected = (
        "shipping[name]=Jana+M%C3%BCller"
        "&shipping[address][line1]=Friedrichstra%C3%9Fe+68"
        "&shipping[address][city]=Berlin&shipping[address][country]=DE"
        "&shipping[carrier]=UPS&shipping[tracking_number]=1Z999"
    )
    assert expected == form(params)


def test_body_two_carriers_with_phone() -> None:
    packages = (Package("1Z999", "UPS"), Package("JD0146", "DHL"))

    params = shipping_params(RECIPIENT, "+49 30 1234567", packages, "UPS")

    expected = (
        "shipping[name]=Jana+M%C3%BCller"
        "&shipping[address][line1]=Friedrichstra%C3%9Fe+68"
        "&shipping[address][city]=Berlin&shipping[address][country]=DE"
        "&shipping[phone]=%2B49+30+1234567"
        "&shipping[carrier]=UPS%2C+DHL&shipping[tracking_number]=1Z999%2C+JD0146"
    )
    assert expected == form(params)


def test_body_same_carrier_once() -> None:
    packages = (Package("1Z1", "UPS"), Package("1Z2", "UPS"))

    params = shipping_params(Recipient("A", {"line1": "B"}), None, packages, None)

    expected = (
        "shipping[name]=A&shipping[address][line1]=B"
        "&shipping[carrier]=UPS&shipping[tracking_number]=1Z1%2C+1Z2"
    )
    assert expected == form(params)


def test_body_last_removed_empty_strings() -> None:
    params = shipping_params(Recipient("A", {"line1": "B"}), None, (), "UPS")

    expected = (
        "shipping[name]=A&shipping[address][line1]=B&shipping[carrier]=&shipping[tracking_number]="
    )
    assert expected == form(params)


def test_body_address_in_fixed_order() -> None:
    recipient = Recipient(
        "A",
        {
            "country": "US",
            "state": "CA",
            "city": "LA",
            "line2": "2",
            "line1": "1",
            "postal_code": "9",
        },
    )

    params = shipping_params(recipient, None, (), None)

    expected = (
        "shipping[name]=A&shipping[address][line1]=1&shipping[address][line2]=2"
        "&shipping[address][city]=LA&shipping[address][state]=CA"
        "&shipping[address][postal_code]=9&shipping[address][country]=US"
        "&shipping[carrier]=&shipping[tracking_number]="
    )
    assert expected == form(params)


# Idempotency keys.


BEFORE = StripeShipping(name="A", address={"line1": "B"})


def test_idempotency_key_stable() -> None:
    assert idempotency_key("pi_1", BEFORE, "x=1") == idempotency_key("pi_1", BEFORE, "x=1")


def test_idempotency_key_form() -> None:
    key = idempotency_key("pi_1", BEFORE, "x=1")

    assert key.startswith("tracksync-")
    assert 50 == len(key)


def test_idempotency_key_body_differs() -> None:
    assert idempotency_key("pi_1", BEFORE, "x=1") != idempotency_key("pi_1", BEFORE, "x=2")


def test_idempotency_key_before_differs() -> None:
    after = StripeShipping(name="A", address={"line1": "B"}, tracking_number="1Z1")

    assert idempotency_key("pi_1", BEFORE, "x=1") != idempotency_key("pi_1", after, "x=1")


def test_idempotency_key_intent_differs() -> None:
    assert idempotency_key("pi_1", BEFORE, "x=1") != idempotency_key("pi_2", BEFORE, "x=1")


def test_idempotency_key_after_replay_differs() -> None:
    first = idempotency_key("pi_1", BEFORE, "x=1")
    repeated = idempotency_key("pi_1", BEFORE, "x=1", replayed_request="req_1")

    assert first != repeated


def test_replay_header_detected() -> None:
    response = httpx.Response(200, headers={"Idempotent-Replayed": "true"})

    assert is_replayed(response)


def test_fresh_response_not_replayed() -> None:
    assert not is_replayed(httpx.Response(200))


def test_idempotency_key_without_shipping() -> None:
    assert idempotency_key("pi_1", None, "x=1") != idempotency_key("pi_1", BEFORE, "x=1")


# Errors.


def test_error_fields_from_body_and_headers() -> None:
    response = answer(
        "error_parameter_unknown.json",
        400,
        {"Request-Id": "req_Vb81KqP3sXw2Ze", "Stripe-Should-Retry": "false"},
    )

    error = parse_error(response)

    assert 400 == error.status
    assert "invalid_request_error" == error.type
    assert "parameter_unknown" == error.code
    assert "shipping[tracking_no]" == error.param
    assert "req_Vb81KqP3sXw2Ze" == error.request_id
    assert error.should_retry is False
    assert error.message.startswith("Received unknown parameter")


def test_error_str_lists_facts() -> None:
    response = answer("error_parameter_unknown.json", 400, {"Request-Id": "req_Vb81KqP3sXw2Ze"})

    text = str(parse_error(response))

    assert "HTTP 400" in text
    assert "type invalid_request_error" in text
    assert "code parameter_unknown" in text
    assert "param shipping[tracking_no]" in text
    assert "request id req_Vb81KqP3sXw2Ze" in text


def test_error_lock_timeout_should_retry() -> None:
    response = answer("error_lock_timeout.json", 429, {"Stripe-Should-Retry": "true"})

    error = parse_error(response)

    assert 429 == error.status
    assert "lock_timeout" == error.code
    assert error.should_retry is True


def test_error_without_retry_header() -> None:
    assert parse_error(answer("error_lock_timeout.json", 429)).should_retry is None


def test_error_not_json() -> None:
    response = httpx.Response(
        502, text="<html>Bad gateway</html>", headers={"Content-Type": "text/html"}
    )

    error = parse_error(response)

    assert 502 == error.status
    assert error.type is None
    assert "HTTP 502" in str(error)


def test_error_without_message() -> None:
    response = httpx.Response(500, json={"error": {"type": "api_error"}})

    error = parse_error(response)

    assert "api_error" == error.type
    assert "no message" in error.message


def test_error_redacts_secret() -> None:
    response = httpx.Response(
        401, json={"error": {"type": "invalid_request_error", "message": f"Bad key {KEY}."}}
    )

    error = parse_error(response, secret=KEY)

    assert KEY not in str(error)


def test_resource_missing_detected() -> None:
    assert is_resource_missing(answer("error_resource_missing.json", 404))


def test_other_404_not_missing() -> None:
    response = httpx.Response(404, json={"error": {"type": "invalid_request_error"}})

    assert not is_resource_missing(response)


# Payment ids.


def test_payment_intent_id_accepted() -> None:
    assert describe_payment_id("pi_3QmZ8tLkdIwHu7ix0aBcDeFg") is None


@pytest.mark.parametrize(
    ("payment_id", "guess"),
    [
        ("ch_3QmZ8tLkdIwHu7ix0sKzq4Vb", "Charge"),
        ("py_3QmZ8tLkdIwHu7ix0sKzq4Vb", "Charge"),
        ("cs_test_a1B2c3", "Checkout Session"),
        ("pi_12/../x", "invalid"),
        ("pi_", "invalid"),
        ("pm_1QmZ8sLkdIwHu7ix", "prefix"),
        ("1001", "prefix"),
        ("pi_" + "a" * 253, "longer than 255"),
    ],
)
def test_payment_id_rejected(payment_id: str, guess: str) -> None:
    message = describe_payment_id(payment_id)

    assert message is not None
    assert "pi_..." in message
    assert guess in message
    assert payment_id[:20] in message
    assert message.endswith(".")


def test_payment_id_max_length_accepted() -> None:
    assert describe_payment_id("pi_" + "a" * 252) is None
