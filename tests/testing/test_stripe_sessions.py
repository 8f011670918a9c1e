"""StripeEmulator: Checkout Sessions, their collected shipping details and expand."""

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
SESSION_ID = "cs_test_a1b2C3d4E5f6G7h8I9j0"
SESSION_PATH = f"/v1/checkout/sessions/{SESSION_ID}"
INTENT_ID = "pi_3MtwBwLkdIwHu7ix28a3tqPa"
CHARGE_ID = "ch_3MtwBwLkdIwHu7ix2VNz2Bnv"
SHIPPING = {
    "name": "Jenny Rosen",
    "address": {"line1": "1 Main Street", "city": "San Francisco", "country": "US"},
}


@pytest.fixture
def emulator() -> StripeEmulator:
    emulator = StripeEmulator()
    emulator.add_payment_intent(INTENT_ID, amount=2599, currency="eur", latest_charge=CHARGE_ID)
    emulator.add_checkout_session(SESSION_ID, payment_intent=INTENT_ID, shipping=SHIPPING)
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


# --- GET --------------------------------------------------------------------------------------


def test_get_session(client: httpx.Client) -> None:
    response = client.get(SESSION_PATH)
    session = response.json()
    assert 200 == response.status_code
    assert "checkout.session" == session["object"]
    assert SESSION_ID == session["id"]
    assert INTENT_ID == session["payment_intent"]
    assert "complete" == session["status"]
    assert "paid" == session["payment_status"]
    assert "payment" == session["mode"]
    assert 2599 == session["amount_total"]
    assert "eur" == session["currency"]
    assert session["expires_at"] > session["created"]


def test_get_session_collected_shipping(client: httpx.Client) -> None:
    session = client.get(SESSION_PATH).json()
    expected = {
        "address": {
            "city": "San Francisco",
            "country": "US",
            "line1": "1 Main Street",
            "line2": None,
            "postal_code": None,
            "state": None,
        },
        "name": "Jenny Rosen",
    }
    assert expected == session["collected_information"]["shipping_details"]


def test_get_session_no_legacy_shipping_details(client: httpx.Client) -> None:
    assert "shipping_details" not in client.get(SESSION_PATH).json()


def test_get_session_without_shipping(client: httpx.Client, emulator: StripeEmulator) -> None:
    emulator.add_checkout_session("cs_test_noshipping", payment_intent=INTENT_ID)
    session = client.get("/v1/checkout/sessions/cs_test_noshipping").json()
    assert session["collected_information"]["shipping_details"] is None


def test_get_session_without_intent(client: httpx.Client, emulator: StripeEmulator) -> None:
    emulator.add_checkout_session("cs_test_open", status="open", payment_status="unpaid")
    session = client.get("/v1/checkout/sessions/cs_test_open").json()
    assert session["payment_intent"] is None
    assert session["amount_total"] is None
    assert "open" == session["status"]


def test_get_session_matches_spec(client: httpx.Client) -> None:
    assert_matches_schema(client.get(SESSION_PATH).json(), "checkout.session")


def test_get_session_matches_inspection(client: httpx.Client, emulator: StripeEmulator) -> None:
    assert emulator.checkout_session(SESSION_ID) == client.get(SESSION_PATH).json()


def test_get_unknown_session(client: httpx.Client) -> None:
    response = client.get("/v1/checkout/sessions/cs_test_missing")
    expected = {
        "error": {
            "code": "resource_missing",
            "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
            "message": "No such checkout.session: 'cs_test_missing'",
            "param": "session",
            "type": "invalid_request_error",
        }
    }
    assert 404 == response.status_code
    assert expected == response.json()


def test_session_update_unrecognized(client: httpx.Client) -> None:
    response = client.post(SESSION_PATH, data={"metadata[a]": "1"})
    assert 404 == response.status_code
    assert error(response)["message"].startswith("Unrecognized request URL (POST:")


def test_session_unknown_query(client: httpx.Client) -> None:
    response = client.get(SESSION_PATH, params={"limit": "3"})
    assert "parameter_unknown" == error(response)["code"]


# --- Expand -----------------------------------------------------------------------------------


def test_expand_payment_intent(client: httpx.Client, emulator: StripeEmulator) -> None:
    response = client.get(SESSION_PATH, params={"expand[]": "payment_intent"})
    assert 200 == response.status_code
    assert emulator.payment_intent(INTENT_ID) == response.json()["payment_intent"]


def test_expand_intent_and_charge(client: httpx.Client, emulator: StripeEmulator) -> None:
    response = client.get(SESSION_PATH, params={"expand[]": "payment_intent.latest_charge"})
    charge = response.json()["payment_intent"]["latest_charge"]
    assert emulator.charge(CHARGE_ID) == charge


def test_expand_session_matches_spec(client: httpx.Client) -> None:
    body = client.get(SESSION_PATH, params={"expand[]": "payment_intent.latest_charge"}).json()
    assert_matches_schema(body, "checkout.session")


def test_expand_session_no_intent(client: httpx.Client, emulator: StripeEmulator) -> None:
    emulator.add_checkout_session("cs_test_open", status="open", payment_status="unpaid")
    response = client.get(
        "/v1/checkout/sessions/cs_test_open", params={"expand[]": "payment_intent"}
    )
    assert response.json()["payment_intent"] is None


@pytest.mark.parametrize("path", ["shipping_details", "collected_information", "url"])
def test_expand_session_not_expandable(client: httpx.Client, path: str) -> None:
    response = client.get(SESSION_PATH, params={"expand[]": path})
    assert 400 == response.status_code
    assert f"This property cannot be expanded ({path})." == error(response)["message"]


@pytest.mark.parametrize("path", ["line_items", "customer", "subscription"])
def test_expand_session_not_emulated(client: httpx.Client, path: str) -> None:
    response = client.get(SESSION_PATH, params={"expand[]": path})
    assert 400 == response.status_code
    assert "does not emulate" in error(response)["message"]


# --- Seeding and persistence ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"status": "completed"}, "status"),
        ({"payment_status": "succeeded"}, "payment_status"),
        ({"payment_intent": "pi_missing"}, "pi_missing"),
        ({"shipping": {"name": "A", "carrier": "UPS"}}, "unknown keys"),
        ({"shipping": {"address": {"country": "US"}}}, "name"),
        ({"account": "acct_"}, "account"),
    ],
)
def test_add_session_invalid(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StripeEmulator().add_checkout_session("cs_test_1", **arguments)


@pytest.mark.parametrize("session_id", ["pi_1", "cs-1", "cs_" + "a" * 64])
def test_add_session_invalid_id(session_id: str) -> None:
    with pytest.raises(ValueError, match="Checkout Session id"):
        StripeEmulator().add_checkout_session(session_id)


def test_add_session_duplicate(emulator: StripeEmulator) -> None:
    with pytest.raises(ValueError, match="already exists"):
        emulator.add_checkout_session(SESSION_ID)


def test_session_intent_other_account() -> None:
    emulator = StripeEmulator()
    emulator.add_payment_intent("pi_1", account="acct_1Nv0FGQ9RKHgCVdK")
    with pytest.raises(ValueError, match="does not exist in"):
        emulator.add_checkout_session("cs_test_1", payment_intent="pi_1")


def test_session_inspection_unknown(emulator: StripeEmulator) -> None:
    assert emulator.has_checkout_session(SESSION_ID)
    assert not emulator.has_checkout_session("cs_test_missing")
    with pytest.raises(KeyError):
        emulator.checkout_session("cs_test_missing")


def test_sessions_survive_dump_load(emulator: StripeEmulator) -> None:
    loaded = StripeEmulator.load(json.loads(json.dumps(emulator.dump())))
    assert emulator.checkout_session(SESSION_ID) == loaded.checkout_session(SESSION_ID)
    assert emulator.dump() == loaded.dump()
