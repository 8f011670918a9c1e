"""StripeEmulator: Charges, their link to PaymentIntents, updates, expand and idempotency."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openapi_schema_validator import OAS30ReadValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from spec_validation import load_spec
from tracksync.testing import StripeEmulator

BASE_URL = "https://api.stripe.com"
INTENT_ID = "pi_3MtwBwLkdIwHu7ix28a3tqPa"
CHARGE_ID = "ch_3MtwBwLkdIwHu7ix2VNz2Bnv"
CHARGE_PATH = f"/v1/charges/{CHARGE_ID}"
INTENT_PATH = f"/v1/payment_intents/{INTENT_ID}"
SHIPPING_FORM = {
    "shipping[name]": "Jenny Rosen",
    "shipping[address][line1]": "1 Main Street",
    "shipping[address][country]": "US",
    "shipping[carrier]": "UPS",
    "shipping[tracking_number]": "1Z999AA10123456784",
}
SEED_SHIPPING = {"name": "Jenny Rosen", "address": {"country": "US"}, "carrier": "DHL"}


@pytest.fixture
def emulator() -> StripeEmulator:
    emulator = StripeEmulator()
    emulator.add_payment_intent(INTENT_ID, latest_charge=CHARGE_ID, shipping=SEED_SHIPPING)
    return emulator


@pytest.fixture
def client(emulator: StripeEmulator) -> Iterator[httpx.Client]:
    headers = {"Authorization": "Bearer sk_test_emulator"}
    with httpx.Client(transport=emulator, base_url=BASE_URL, headers=headers) as client:
        yield client


def error(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    return body


def assert_matches_schema(body: object, schema_name: str) -> None:
    """Validate a response body against a schema of Stripe's OpenAPI spec."""
    spec = _allow_null_alternatives(load_spec("stripe/stripe_tracking_subset.json"))
    resource = Resource.from_contents(spec, default_specification=DRAFT4)
    registry = Registry().with_resource(uri="stripe", resource=resource)
    schema = {"$ref": f"stripe#/components/schemas/{schema_name}"}
    OAS30ReadValidator(schema, registry=registry).validate(body)


def _allow_null_alternatives(node: Any) -> Any:
    """Add null to each ``nullable`` ``anyOf`` and ``enum``, where the validator misses it."""
    if isinstance(node, list):
        return [_allow_null_alternatives(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _allow_null_alternatives(value) for key, value in node.items()}
    if result.get("nullable") and "anyOf" in result:
        result["anyOf"] = [*result["anyOf"], {"enum": [None]}]
    if result.get("nullable") and "enum" in result and None not in result["enum"]:
        result["enum"] = [*result["enum"], None]
    return result


# --- Seeding ----------------------------------------------------------------------------------


def test_latest_charge_created_implicitly(emulator: StripeEmulator) -> None:
    charge = emulator.charge(CHARGE_ID)
    assert INTENT_ID == charge["payment_intent"]
    assert "succeeded" == charge["status"]
    assert charge["captured"] is True
    assert 1000 == charge["amount"]
    assert "usd" == charge["currency"]
    assert "DHL" == charge["shipping"]["carrier"]


@pytest.mark.parametrize(
    ("intent_status", "charge_status", "captured"),
    [
        ("succeeded", "succeeded", True),
        ("requires_capture", "succeeded", False),
        ("processing", "pending", False),
        ("requires_payment_method", "failed", False),
        ("canceled", "failed", False),
    ],
)
def test_implicit_charge_status(intent_status: str, charge_status: str, captured: bool) -> None:
    emulator = StripeEmulator()
    emulator.add_payment_intent("pi_1", status=intent_status, latest_charge="ch_1")
    charge = emulator.charge("ch_1")
    assert charge_status == charge["status"]
    assert captured is charge["captured"]


def test_uncaptured_charge_amounts() -> None:
    emulator = StripeEmulator()
    emulator.add_payment_intent("pi_1", status="requires_capture", latest_charge="ch_1")
    assert 0 == emulator.charge("ch_1")["amount_captured"]


def test_seeded_charge_becomes_latest() -> None:
    emulator = StripeEmulator()
    emulator.add_payment_intent("pi_1")
    emulator.add_charge("py_1", payment_intent="pi_1")
    assert "py_1" == emulator.payment_intent("pi_1")["latest_charge"]


def test_seeded_charge_keeps_latest(emulator: StripeEmulator) -> None:
    emulator.add_charge("ch_older", payment_intent=INTENT_ID, status="failed")
    assert CHARGE_ID == emulator.payment_intent(INTENT_ID)["latest_charge"]


def test_existing_charge_linked_by_intent() -> None:
    emulator = StripeEmulator()
    emulator.add_charge("ch_1", amount=2500)
    emulator.add_payment_intent("pi_1", latest_charge="ch_1")
    assert "pi_1" == emulator.charge("ch_1")["payment_intent"]
    assert 2500 == emulator.charge("ch_1")["amount"]


def test_charge_of_other_intent_rejected(emulator: StripeEmulator) -> None:
    with pytest.raises(ValueError, match="already belongs"):
        emulator.add_payment_intent("pi_2", latest_charge=CHARGE_ID)
    assert not emulator.has_payment_intent("pi_2")


def test_charge_missing_intent_rejected() -> None:
    with pytest.raises(ValueError, match="pi_missing"):
        StripeEmulator().add_charge("ch_1", payment_intent="pi_missing")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"status": "paid"}, "status"),
        ({"amount": -5}, "amount"),
        ({"currency": "EUR"}, "currency"),
        ({"account": "acct-1"}, "account"),
        ({"metadata": {"order": ""}}, "metadata"),
        ({"shipping": {"name": "A", "tracking": "1Z"}}, "unknown keys"),
    ],
)
def test_add_charge_invalid(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StripeEmulator().add_charge("ch_1", **arguments)


@pytest.mark.parametrize("charge_id", ["pi_1", "ch-1", "ch_", "1"])
def test_add_charge_invalid_id(charge_id: str) -> None:
    with pytest.raises(ValueError, match="ch_ or py_"):
        StripeEmulator().add_charge(charge_id)


def test_latest_charge_invalid_id() -> None:
    with pytest.raises(ValueError, match="Charge id"):
        StripeEmulator().add_payment_intent("pi_1", latest_charge="re_1")


def test_add_charge_duplicate(emulator: StripeEmulator) -> None:
    with pytest.raises(ValueError, match="already exists"):
        emulator.add_charge(CHARGE_ID)


def test_charge_unknown_inspection(emulator: StripeEmulator) -> None:
    assert not emulator.has_charge("ch_missing")
    with pytest.raises(KeyError):
        emulator.charge("ch_missing")


# --- GET --------------------------------------------------------------------------------------


def test_get_charge(client: httpx.Client, emulator: StripeEmulator) -> None:
    response = client.get(CHARGE_PATH)
    charge = response.json()
    assert 200 == response.status_code
    assert "charge" == charge["object"]
    assert CHARGE_ID == charge["id"]
    assert INTENT_ID == charge["payment_intent"]
    assert emulator.charge(CHARGE_ID) == charge


def test_get_charge_matches_spec(client: httpx.Client) -> None:
    assert_matches_schema(client.get(CHARGE_PATH).json(), "charge")


def test_get_py_charge(client: httpx.Client, emulator: StripeEmulator) -> None:
    emulator.add_charge("py_3MtwBwLkdIwHu7ix0Ghs9Ncd", status="pending")
    response = client.get("/v1/charges/py_3MtwBwLkdIwHu7ix0Ghs9Ncd")
    assert "pending" == response.json()["status"]
    assert response.json()["paid"] is False


def test_get_unknown_charge(client: httpx.Client) -> None:
    response = client.get("/v1/charges/ch_missing")
    expected = {
        "error": {
            "code": "resource_missing",
            "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
            "message": "No such charge: 'ch_missing'",
            "param": "charge",
            "type": "invalid_request_error",
        }
    }
    assert 404 == response.status_code
    assert expected == response.json()


def test_get_charge_unknown_query(client: httpx.Client) -> None:
    response = client.get(CHARGE_PATH, params={"limit": "1"})
    assert 400 == response.status_code
    assert "parameter_unknown" == error(response)["code"]


def test_delete_charge_unrecognized(client: httpx.Client) -> None:
    response = client.delete(CHARGE_PATH)
    assert 404 == response.status_code
    assert error(response)["message"].startswith("Unrecognized request URL")


# --- Expand -----------------------------------------------------------------------------------


def test_expand_latest_charge(client: httpx.Client, emulator: StripeEmulator) -> None:
    response = client.get(INTENT_PATH, params={"expand[]": "latest_charge"})
    assert 200 == response.status_code
    assert emulator.charge(CHARGE_ID) == response.json()["latest_charge"]


def test_expand_indexed_form(client: httpx.Client) -> None:
    response = client.get(INTENT_PATH, params={"expand[0]": "latest_charge"})
    assert CHARGE_ID == response.json()["latest_charge"]["id"]


def test_expand_raw_brackets(client: httpx.Client) -> None:
    response = client.get(f"{INTENT_PATH}?expand[]=latest_charge")
    assert CHARGE_ID == response.json()["latest_charge"]["id"]


def test_expand_matches_spec(client: httpx.Client) -> None:
    body = client.get(INTENT_PATH, params={"expand[]": "latest_charge"}).json()
    assert_matches_schema(body, "payment_intent")


def test_expand_charge_payment_intent(client: httpx.Client, emulator: StripeEmulator) -> None:
    response = client.get(CHARGE_PATH, params={"expand[]": "payment_intent"})
    assert emulator.payment_intent(INTENT_ID) == response.json()["payment_intent"]


def test_expand_nested_path(client: httpx.Client) -> None:
    response = client.get(CHARGE_PATH, params={"expand[]": "payment_intent.latest_charge"})
    assert CHARGE_ID == response.json()["payment_intent"]["latest_charge"]["id"]


def test_expand_two_paths(client: httpx.Client) -> None:
    response = client.get(
        CHARGE_PATH, params=[("expand[]", "payment_intent"), ("expand[]", "payment_intent")]
    )
    assert INTENT_ID == response.json()["payment_intent"]["id"]


def test_expand_null_stays_null(client: httpx.Client, emulator: StripeEmulator) -> None:
    emulator.add_payment_intent("pi_nocharge")
    response = client.get("/v1/payment_intents/pi_nocharge", params={"expand[]": "latest_charge"})
    assert 200 == response.status_code
    assert response.json()["latest_charge"] is None


def test_expand_not_expandable(client: httpx.Client) -> None:
    response = client.get(INTENT_PATH, params={"expand[]": "metadata"})
    expected = {
        "error": {
            "message": "This property cannot be expanded (metadata).",
            "type": "invalid_request_error",
        }
    }
    assert 400 == response.status_code
    assert expected == response.json()


def test_expand_nested_not_expandable(client: httpx.Client) -> None:
    response = client.get(INTENT_PATH, params={"expand[]": "latest_charge.shipping"})
    assert 400 == response.status_code
    assert (
        "This property cannot be expanded (latest_charge.shipping)." == error(response)["message"]
    )


def test_expand_stripe_field_not_emulated(client: httpx.Client) -> None:
    response = client.get(CHARGE_PATH, params={"expand[]": "balance_transaction"})
    assert 400 == response.status_code
    assert "expand" == error(response)["param"]
    assert "does not emulate" in error(response)["message"]


def test_expand_too_deep(client: httpx.Client) -> None:
    path = "payment_intent.latest_charge.payment_intent.latest_charge.payment_intent"
    response = client.get(CHARGE_PATH, params={"expand[]": path})
    assert 400 == response.status_code
    assert "You cannot expand more than 4 levels of a property." == error(response)["message"]


def test_expand_four_levels_accepted(client: httpx.Client) -> None:
    path = "payment_intent.latest_charge.payment_intent.latest_charge"
    response = client.get(CHARGE_PATH, params={"expand[]": path})
    assert 200 == response.status_code


def test_expand_without_brackets_rejected(client: httpx.Client) -> None:
    response = client.get(INTENT_PATH, params={"expand": "latest_charge"})
    assert 400 == response.status_code
    assert {"message": "Invalid array", "param": "expand", "type": "invalid_request_error"} == (
        error(response)
    )


def test_expand_on_update(client: httpx.Client, emulator: StripeEmulator) -> None:
    form = {**SHIPPING_FORM, "expand[]": "payment_intent"}
    response = client.post(CHARGE_PATH, data=form)
    assert 200 == response.status_code
    assert INTENT_ID == response.json()["payment_intent"]["id"]
    assert INTENT_ID == emulator.charge(CHARGE_ID)["payment_intent"]


def test_expand_error_blocks_update(client: httpx.Client, emulator: StripeEmulator) -> None:
    response = client.post(CHARGE_PATH, data={**SHIPPING_FORM, "expand[]": "refunds"})
    assert 400 == response.status_code
    assert "DHL" == emulator.charge(CHARGE_ID)["shipping"]["carrier"]


def test_expand_on_intent_update(client: httpx.Client) -> None:
    response = client.post(INTENT_PATH, data={**SHIPPING_FORM, "expand[0]": "latest_charge"})
    assert 200 == response.status_code
    assert CHARGE_ID == response.json()["latest_charge"]["id"]


# --- POST: shipping ---------------------------------------------------------------------------


def test_update_charge_shipping(client: httpx.Client, emulator: StripeEmulator) -> None:
    response = client.post(CHARGE_PATH, data=SHIPPING_FORM)
    expected = {
        "name": "Jenny Rosen",
        "address": {
            "city": None,
            "country": "US",
            "line1": "1 Main Street",
            "line2": None,
            "postal_code": None,
            "state": None,
        },
        "carrier": "UPS",
        "phone": None,
        "tracking_number": "1Z999AA10123456784",
    }
    assert 200 == response.status_code
    assert expected == response.json()["shipping"]
    assert expected == emulator.charge(CHARGE_ID)["shipping"]


def test_update_charge_leaves_intent(client: httpx.Client, emulator: StripeEmulator) -> None:
    client.post(CHARGE_PATH, data=SHIPPING_FORM)
    assert "DHL" == emulator.payment_intent(INTENT_ID)["shipping"]["carrier"]


@pytest.mark.parametrize("status", ["succeeded", "pending", "failed"])
def test_update_charge_any_status(
    client: httpx.Client, emulator: StripeEmulator, status: str
) -> None:
    emulator.add_charge("ch_other", status=status)
    response = client.post("/v1/charges/ch_other", data=SHIPPING_FORM)
    assert 200 == response.status_code


def test_update_charge_shipping_unset_rejected(
    client: httpx.Client, emulator: StripeEmulator
) -> None:
    response = client.post(CHARGE_PATH, data={"shipping": ""})
    assert 400 == response.status_code
    assert "parameter_invalid_empty" == error(response)["code"]
    assert "shipping" == error(response)["param"]
    assert emulator.charge(CHARGE_ID)["shipping"] is not None


@pytest.mark.parametrize("missing", ["name", "address"])
def test_update_charge_shipping_missing(client: httpx.Client, missing: str) -> None:
    form = {
        key: value
        for key, value in SHIPPING_FORM.items()
        if not key.startswith(f"shipping[{missing}]")
    }
    response = client.post(CHARGE_PATH, data=form)
    assert 400 == response.status_code
    assert "parameter_missing" == error(response)["code"]
    assert f"shipping[{missing}]" == error(response)["param"]


def test_update_charge_shipping_unknown_key(client: httpx.Client) -> None:
    response = client.post(CHARGE_PATH, data={**SHIPPING_FORM, "shipping[tracking_url]": "x"})
    assert "parameter_unknown" == error(response)["code"]
    assert "shipping[tracking_url]" == error(response)["param"]


def test_update_charge_tracking_too_long(client: httpx.Client) -> None:
    response = client.post(
        CHARGE_PATH, data={**SHIPPING_FORM, "shipping[tracking_number]": "1" * 5001}
    )
    assert 400 == response.status_code
    assert "shipping[tracking_number]" == error(response)["param"]


# --- POST: other parameters -------------------------------------------------------------------


def test_update_charge_description(client: httpx.Client, emulator: StripeEmulator) -> None:
    response = client.post(CHARGE_PATH, data={"description": "d" * 40000})
    assert 200 == response.status_code
    assert 40000 == len(emulator.charge(CHARGE_ID)["description"])


def test_update_charge_description_too_long(client: httpx.Client) -> None:
    response = client.post(CHARGE_PATH, data={"description": "d" * 40001})
    assert 400 == response.status_code
    assert "description" == error(response)["param"]


@pytest.mark.parametrize("name", ["description", "receipt_email", "customer", "transfer_group"])
def test_update_charge_empty_rejected(client: httpx.Client, name: str) -> None:
    response = client.post(CHARGE_PATH, data={name: ""})
    assert 400 == response.status_code
    assert "parameter_invalid_empty" == error(response)["code"]
    assert name == error(response)["param"]


def test_update_charge_receipt_email(client: httpx.Client, emulator: StripeEmulator) -> None:
    client.post(CHARGE_PATH, data={"receipt_email": "jenny@example.com"})
    assert "jenny@example.com" == emulator.charge(CHARGE_ID)["receipt_email"]


def test_update_charge_receipt_email_invalid(client: httpx.Client) -> None:
    response = client.post(CHARGE_PATH, data={"receipt_email": "jenny"})
    assert "email_invalid" == error(response)["code"]


@pytest.mark.parametrize("report", ["fraudulent", "safe"])
def test_update_fraud_details(client: httpx.Client, emulator: StripeEmulator, report: str) -> None:
    client.post(CHARGE_PATH, data={"fraud_details[user_report]": report})
    assert {"user_report": report} == emulator.charge(CHARGE_ID)["fraud_details"]


def test_update_fraud_details_cleared(client: httpx.Client, emulator: StripeEmulator) -> None:
    client.post(CHARGE_PATH, data={"fraud_details[user_report]": "safe"})
    client.post(CHARGE_PATH, data={"fraud_details[user_report]": ""})
    assert {} == emulator.charge(CHARGE_ID)["fraud_details"]


@pytest.mark.parametrize(
    ("form", "param"),
    [
        ({"fraud_details[user_report]": "maybe"}, "fraud_details[user_report]"),
        ({"fraud_details[stripe_report]": "safe"}, "fraud_details[stripe_report]"),
        ({"fraud_details": "safe"}, "fraud_details"),
        ({"fraud_details": ""}, "fraud_details"),
    ],
)
def test_update_fraud_details_invalid(
    client: httpx.Client, form: dict[str, str], param: str
) -> None:
    response = client.post(CHARGE_PATH, data=form)
    assert 400 == response.status_code
    assert param == error(response)["param"]


def test_update_fraud_details_hash_without_report(client: httpx.Client) -> None:
    content = b"fraud_details[x]=1"
    response = client.post(
        CHARGE_PATH,
        content=content,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert "parameter_unknown" == error(response)["code"]


def test_update_charge_customer(client: httpx.Client, emulator: StripeEmulator) -> None:
    client.post(CHARGE_PATH, data={"customer": "cus_NffrFeUfNV2Hib"})
    again = client.post(CHARGE_PATH, data={"customer": "cus_NffrFeUfNV2Hib"})
    assert 200 == again.status_code
    assert "cus_NffrFeUfNV2Hib" == emulator.charge(CHARGE_ID)["customer"]


def test_update_charge_customer_once(client: httpx.Client, emulator: StripeEmulator) -> None:
    client.post(CHARGE_PATH, data={"customer": "cus_first"})
    response = client.post(CHARGE_PATH, data={"customer": "cus_second"})
    assert 400 == response.status_code
    assert "customer" == error(response)["param"]
    assert "cus_first" == emulator.charge(CHARGE_ID)["customer"]


def test_update_charge_customer_not_found(client: httpx.Client) -> None:
    response = client.post(CHARGE_PATH, data={"customer": "jenny"})
    assert 400 == response.status_code
    assert "resource_missing" == error(response)["code"]
    assert "No such customer: 'jenny'" == error(response)["message"]


def test_update_transfer_group_once(client: httpx.Client, emulator: StripeEmulator) -> None:
    first = client.post(CHARGE_PATH, data={"transfer_group": "ORDER_1001"})
    second = client.post(CHARGE_PATH, data={"transfer_group": "ORDER_1002"})
    assert 200 == first.status_code
    assert 400 == second.status_code
    assert "transfer_group" == error(second)["param"]
    assert "ORDER_1001" == emulator.charge(CHARGE_ID)["transfer_group"]


@pytest.mark.parametrize("name", ["amount", "capture", "payment_method", "statement_descriptor"])
def test_update_charge_unknown_parameter(client: httpx.Client, name: str) -> None:
    response = client.post(CHARGE_PATH, data={name: "1"})
    assert 400 == response.status_code
    assert "parameter_unknown" == error(response)["code"]
    assert name == error(response)["param"]


def test_update_charge_rejected_changes_nothing(
    client: httpx.Client, emulator: StripeEmulator
) -> None:
    before = emulator.charge(CHARGE_ID)
    form = {**SHIPPING_FORM, "description": "Order 1001", "receipt_email": "bad"}
    response = client.post(CHARGE_PATH, data=form)
    assert 400 == response.status_code
    assert before == emulator.charge(CHARGE_ID)


def test_update_unknown_charge(client: httpx.Client) -> None:
    response = client.post("/v1/charges/ch_missing", data=SHIPPING_FORM)
    assert 404 == response.status_code
    assert "resource_missing" == error(response)["code"]


def test_update_charge_matches_spec(client: httpx.Client) -> None:
    form = {**SHIPPING_FORM, "metadata[order_id]": "1001", "fraud_details[user_report]": "safe"}
    assert_matches_schema(client.post(CHARGE_PATH, data=form).json(), "charge")


def test_charge_error_matches_spec(client: httpx.Client) -> None:
    assert_matches_schema(client.post(CHARGE_PATH, data={"shipping": ""}).json(), "error")


# --- Idempotency and the request log ----------------------------------------------------------


def test_charge_idempotent_replay(client: httpx.Client, emulator: StripeEmulator) -> None:
    first = client.post(CHARGE_PATH, data=SHIPPING_FORM, headers={"Idempotency-Key": "k1"})
    client.post(CHARGE_PATH, data={"shipping[name]": "B", "shipping[address][country]": "DE"})
    replay = client.post(CHARGE_PATH, data=SHIPPING_FORM, headers={"Idempotency-Key": "k1"})
    assert "true" == replay.headers["Idempotent-Replayed"]
    assert first.json() == replay.json()
    assert "B" == emulator.charge(CHARGE_ID)["shipping"]["name"]


def test_charge_idempotency_other_params(client: httpx.Client) -> None:
    client.post(CHARGE_PATH, data=SHIPPING_FORM, headers={"Idempotency-Key": "k1"})
    response = client.post(
        CHARGE_PATH,
        data={**SHIPPING_FORM, "shipping[carrier]": "DHL"},
        headers={"Idempotency-Key": "k1"},
    )
    assert 400 == response.status_code
    assert "idempotency_error" == error(response)["type"]


def test_idempotency_key_across_objects(client: httpx.Client) -> None:
    client.post(INTENT_PATH, data=SHIPPING_FORM, headers={"Idempotency-Key": "k1"})
    response = client.post(CHARGE_PATH, data=SHIPPING_FORM, headers={"Idempotency-Key": "k1"})
    assert "idempotency_error" == error(response)["type"]


def test_charge_validation_failure_not_saved(client: httpx.Client) -> None:
    rejected = client.post(CHARGE_PATH, data={"shipping": ""}, headers={"Idempotency-Key": "k1"})
    accepted = client.post(CHARGE_PATH, data=SHIPPING_FORM, headers={"Idempotency-Key": "k1"})
    assert 400 == rejected.status_code
    assert 200 == accepted.status_code


def test_key_in_use_only_injected(client: httpx.Client, emulator: StripeEmulator) -> None:
    body = {
        "error": {
            "code": "idempotency_key_in_use",
            "message": "There is currently another in-progress request using this "
            "Idempotent Key (that probably means you submitted twice, and the other request "
            "is still going through): k1. Please try again later.",
            "type": "invalid_request_error",
        }
    }
    emulator.inject_fault(409, body=body, method="POST", path=CHARGE_PATH)
    conflict = client.post(CHARGE_PATH, data=SHIPPING_FORM, headers={"Idempotency-Key": "k1"})
    retry = client.post(CHARGE_PATH, data=SHIPPING_FORM, headers={"Idempotency-Key": "k1"})
    assert 409 == conflict.status_code
    assert 200 == retry.status_code
    assert "Idempotent-Replayed" not in retry.headers


def test_writes_count_posts(client: httpx.Client, emulator: StripeEmulator) -> None:
    client.get(CHARGE_PATH)
    client.post(CHARGE_PATH, data=SHIPPING_FORM)
    client.post(INTENT_PATH, data={"metadata[a]": "1"})
    client.get(INTENT_PATH, params={"expand[]": "latest_charge"})
    assert ["POST", "POST"] == [request.method for request in emulator.writes()]
    assert 4 == len(emulator.requests)


def test_charges_survive_dump_load(client: httpx.Client, emulator: StripeEmulator) -> None:
    client.post(CHARGE_PATH, data={**SHIPPING_FORM, "customer": "cus_1"})
    loaded = StripeEmulator.load(json.loads(json.dumps(emulator.dump())))
    assert emulator.charge(CHARGE_ID) == loaded.charge(CHARGE_ID)
    assert emulator.dump() == loaded.dump()
