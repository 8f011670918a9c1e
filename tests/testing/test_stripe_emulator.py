"""StripeEmulator: PaymentIntent read and update, authentication, idempotency and persistence."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tracksync.testing import StripeEmulator

BASE_URL = "https://api.stripe.com"
INTENT_ID = "pi_3MtwBwLkdIwHu7ix28a3tqPa"
INTENT_PATH = f"/v1/payment_intents/{INTENT_ID}"
SHIPPING_FORM = {
    "shipping[name]": "Jenny Rosen",
    "shipping[address][line1]": "1 Main Street",
    "shipping[address][city]": "San Francisco",
    "shipping[address][country]": "US",
    "shipping[carrier]": "UPS",
    "shipping[tracking_number]": "1Z999AA10123456784",
}


@pytest.fixture
def emulator() -> StripeEmulator:
    emulator = StripeEmulator()
    emulator.add_payment_intent(INTENT_ID, latest_charge="ch_3MtwBwLkdIwHu7ix2VNz2Bnv")
    return emulator


@pytest.fixture
def client(emulator: StripeEmulator) -> Iterator[httpx.Client]:
    headers = {"Authorization": "Bearer sk_test_emulator"}
    with httpx.Client(transport=emulator, base_url=BASE_URL, headers=headers) as client:
        yield client


def update(client: httpx.Client, form: dict[str, str], **headers: str) -> httpx.Response:
    return client.post(INTENT_PATH, data=form, headers=headers)


def error(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    return body


# --- Authentication ---------------------------------------------------------------------------


def test_no_api_key(emulator: StripeEmulator) -> None:
    with httpx.Client(transport=emulator, base_url=BASE_URL) as client:
        response = client.get(INTENT_PATH)
    assert 401 == response.status_code
    assert "invalid_request_error" == error(response)["type"]
    assert error(response)["message"].startswith("You did not provide an API key.")


def test_wrong_api_key(emulator: StripeEmulator) -> None:
    headers = {"Authorization": "Bearer sk_test_51Hwrongkey9876"}
    with httpx.Client(transport=emulator, base_url=BASE_URL, headers=headers) as client:
        response = client.get(INTENT_PATH)
    assert 401 == response.status_code
    assert {
        "error": {
            "message": "Invalid API Key provided: sk_test_****9876",
            "type": "invalid_request_error",
        }
    } == response.json()


def test_wrong_api_key_never_echoed(emulator: StripeEmulator) -> None:
    headers = {"Authorization": "Bearer sk_test_51Hwrongkey9876"}
    with httpx.Client(transport=emulator, base_url=BASE_URL, headers=headers) as client:
        response = client.get(INTENT_PATH)
    assert "51Hwrongkey" not in response.text


def test_short_wrong_key_fully_masked(emulator: StripeEmulator) -> None:
    headers = {"Authorization": "Bearer secret"}
    with httpx.Client(transport=emulator, base_url=BASE_URL, headers=headers) as client:
        response = client.get(INTENT_PATH)
    assert "Invalid API Key provided: ****" == error(response)["message"]


def test_basic_auth_accepted(emulator: StripeEmulator) -> None:
    with httpx.Client(
        transport=emulator, base_url=BASE_URL, auth=("sk_test_emulator", "")
    ) as client:
        response = client.get(INTENT_PATH)
    assert 200 == response.status_code


def test_basic_auth_wrong_key(emulator: StripeEmulator) -> None:
    credentials = base64.b64encode(b"sk_test_other:").decode()
    headers = {"Authorization": f"Basic {credentials}"}
    with httpx.Client(transport=emulator, base_url=BASE_URL, headers=headers) as client:
        response = client.get(INTENT_PATH)
    assert 401 == response.status_code


def test_custom_api_key() -> None:
    emulator = StripeEmulator("sk_test_shop")
    emulator.add_payment_intent(INTENT_ID)
    headers = {"Authorization": "Bearer sk_test_shop"}
    with httpx.Client(transport=emulator, base_url=BASE_URL, headers=headers) as client:
        response = client.get(INTENT_PATH)
    assert 200 == response.status_code


@pytest.mark.parametrize("path", [INTENT_PATH, "/v1/payment_intents/pi_missing", "/v1/charges"])
def test_request_id_header(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert re.fullmatch(r"req_[A-Za-z0-9]{14}", response.headers["Request-Id"])


def test_request_id_on_401(emulator: StripeEmulator) -> None:
    with httpx.Client(transport=emulator, base_url=BASE_URL) as client:
        response = client.get(INTENT_PATH)
    assert response.headers["Request-Id"].startswith("req_")


# --- GET --------------------------------------------------------------------------------------


def test_get_payment_intent(client: httpx.Client) -> None:
    response = client.get(INTENT_PATH)
    intent = response.json()
    assert 200 == response.status_code
    assert INTENT_ID == intent["id"]
    assert "payment_intent" == intent["object"]
    assert 1000 == intent["amount"]
    assert "usd" == intent["currency"]
    assert "succeeded" == intent["status"]
    assert intent["shipping"] is None
    assert "ch_3MtwBwLkdIwHu7ix2VNz2Bnv" == intent["latest_charge"]
    assert {} == intent["metadata"]
    assert intent["livemode"] is False
    assert isinstance(intent["created"], int)


def test_get_matches_inspection(client: httpx.Client, emulator: StripeEmulator) -> None:
    assert emulator.payment_intent(INTENT_ID) == client.get(INTENT_PATH).json()


def test_get_seeded_shipping(client: httpx.Client, emulator: StripeEmulator) -> None:
    emulator.add_payment_intent(
        "pi_shipped",
        shipping={"name": "Jenny Rosen", "address": {"country": "US"}, "carrier": "DHL"},
    )
    shipping = client.get("/v1/payment_intents/pi_shipped").json()["shipping"]
    expected = {
        "name": "Jenny Rosen",
        "address": {
            "city": None,
            "country": "US",
            "line1": None,
            "line2": None,
            "postal_code": None,
            "state": None,
        },
        "carrier": "DHL",
        "phone": None,
        "tracking_number": None,
    }
    assert expected == shipping


def test_get_unknown_payment_intent(client: httpx.Client) -> None:
    response = client.get("/v1/payment_intents/pi_missing")
    expected = {
        "error": {
            "code": "resource_missing",
            "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
            "message": "No such payment_intent: 'pi_missing'",
            "param": "intent",
            "type": "invalid_request_error",
        }
    }
    assert 404 == response.status_code
    assert expected == response.json()


def test_get_unknown_query_parameter(client: httpx.Client) -> None:
    response = client.get(INTENT_PATH, params={"color": "red"})
    assert 400 == response.status_code
    assert "parameter_unknown" == error(response)["code"]
    assert "color" == error(response)["param"]


def test_get_client_secret_not_emulated(client: httpx.Client) -> None:
    response = client.get(INTENT_PATH, params={"client_secret": "pi_secret"})
    assert 400 == response.status_code
    assert "client_secret" == error(response)["param"]
    assert "does not emulate" in error(response)["message"]


# --- POST: shipping ---------------------------------------------------------------------------


def test_update_shipping(client: httpx.Client, emulator: StripeEmulator) -> None:
    response = update(client, SHIPPING_FORM)
    expected = {
        "name": "Jenny Rosen",
        "address": {
            "city": "San Francisco",
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
    assert expected == emulator.payment_intent(INTENT_ID)["shipping"]


def test_update_returns_payment_intent(client: httpx.Client) -> None:
    response = update(client, SHIPPING_FORM)
    assert INTENT_ID == response.json()["id"]
    assert "payment_intent" == response.json()["object"]


def test_update_replaces_shipping(client: httpx.Client, emulator: StripeEmulator) -> None:
    update(client, {**SHIPPING_FORM, "shipping[phone]": "+15555550100"})
    update(client, {"shipping[name]": "Jenny Rosen", "shipping[address][country]": "DE"})
    shipping = emulator.payment_intent(INTENT_ID)["shipping"]
    assert shipping["phone"] is None
    assert shipping["carrier"] is None
    assert shipping["address"]["line1"] is None
    assert "DE" == shipping["address"]["country"]


def test_update_unsets_shipping(client: httpx.Client, emulator: StripeEmulator) -> None:
    update(client, SHIPPING_FORM)
    response = update(client, {"shipping": ""})
    assert 200 == response.status_code
    assert emulator.payment_intent(INTENT_ID)["shipping"] is None


@pytest.mark.parametrize("key", ["carrier", "tracking_number", "phone"])
def test_update_empty_string_stores_null(client: httpx.Client, key: str) -> None:
    response = update(client, {**SHIPPING_FORM, f"shipping[{key}]": ""})
    assert response.json()["shipping"][key] is None


def test_update_without_params_changes_nothing(
    client: httpx.Client, emulator: StripeEmulator
) -> None:
    before = emulator.payment_intent(INTENT_ID)
    response = client.post(INTENT_PATH)
    assert 200 == response.status_code
    assert before == emulator.payment_intent(INTENT_ID)


def test_update_unknown_parameter(client: httpx.Client) -> None:
    response = update(client, {"tracking_number": "1Z999"})
    expected = {
        "error": {
            "code": "parameter_unknown",
            "doc_url": "https://stripe.com/docs/error-codes/parameter-unknown",
            "message": "Received unknown parameter: tracking_number",
            "param": "tracking_number",
            "type": "invalid_request_error",
        }
    }
    assert 400 == response.status_code
    assert expected == response.json()


@pytest.mark.parametrize("name", ["amount", "payment_method"])
def test_update_other_parameters_rejected(client: httpx.Client, name: str) -> None:
    response = update(client, {name: "1"})
    assert 400 == response.status_code
    assert name == error(response)["param"]


def test_update_unknown_shipping_key(client: httpx.Client) -> None:
    response = update(client, {**SHIPPING_FORM, "shipping[tracking_no]": "1Z999"})
    assert "parameter_unknown" == error(response)["code"]
    assert "shipping[tracking_no]" == error(response)["param"]
    assert "Received unknown parameter: shipping[tracking_no]" == error(response)["message"]


def test_update_unknown_address_key(client: httpx.Client) -> None:
    response = update(client, {**SHIPPING_FORM, "shipping[address][zip]": "94107"})
    assert "parameter_unknown" == error(response)["code"]
    assert "shipping[address][zip]" == error(response)["param"]


@pytest.mark.parametrize("missing", ["name", "address"])
def test_update_shipping_missing_field(client: httpx.Client, missing: str) -> None:
    form = {
        key: value
        for key, value in SHIPPING_FORM.items()
        if not key.startswith(f"shipping[{missing}]")
    }
    response = update(client, form)
    assert 400 == response.status_code
    assert "parameter_missing" == error(response)["code"]
    assert f"shipping[{missing}]" == error(response)["param"]


def test_update_shipping_empty_name(client: httpx.Client) -> None:
    response = update(client, {**SHIPPING_FORM, "shipping[name]": ""})
    assert 400 == response.status_code
    assert "parameter_invalid_empty" == error(response)["code"]
    assert "shipping[name]" == error(response)["param"]


def test_update_shipping_not_a_hash(client: httpx.Client) -> None:
    response = update(client, {"shipping": "UPS"})
    assert 400 == response.status_code
    assert "shipping" == error(response)["param"]


def test_update_value_and_hash_conflict(client: httpx.Client) -> None:
    response = client.post(
        INTENT_PATH,
        content=b"shipping=&shipping[name]=A",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert 400 == response.status_code
    assert "shipping" == error(response)["param"]


@pytest.mark.parametrize(
    "param", ["shipping[tracking_number]", "shipping[carrier]", "shipping[address][line1]"]
)
def test_update_string_too_long(client: httpx.Client, param: str) -> None:
    response = update(client, {**SHIPPING_FORM, param: "9" * 5001})
    assert 400 == response.status_code
    assert "invalid_request_error" == error(response)["type"]
    assert param == error(response)["param"]
    assert "code" not in error(response)
    assert "must be at most 5000 characters" in error(response)["message"]


def test_update_string_max_length(client: httpx.Client) -> None:
    response = update(client, {**SHIPPING_FORM, "shipping[tracking_number]": "9" * 5000})
    assert 200 == response.status_code


def test_update_bracket_names_unescaped(client: httpx.Client, emulator: StripeEmulator) -> None:
    body = (
        b"shipping[name]=A&shipping[address][line1]=B"
        b"&shipping[carrier]=UPS&shipping[tracking_number]=1Z999"
    )
    response = client.post(
        INTENT_PATH, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert 200 == response.status_code
    assert "1Z999" == emulator.payment_intent(INTENT_ID)["shipping"]["tracking_number"]


def test_update_json_body_rejected(client: httpx.Client) -> None:
    response = client.post(INTENT_PATH, json={"shipping": {"name": "A"}})
    assert 400 == response.status_code
    assert "application/x-www-form-urlencoded" in error(response)["message"]


def test_update_unknown_payment_intent(client: httpx.Client) -> None:
    response = client.post("/v1/payment_intents/pi_missing", data=SHIPPING_FORM)
    assert 404 == response.status_code
    assert "resource_missing" == error(response)["code"]


def test_update_rejected_changes_nothing(client: httpx.Client, emulator: StripeEmulator) -> None:
    update(client, {**SHIPPING_FORM, "metadata[order_id]": "1001", "shipping[zip]": "1"})
    intent = emulator.payment_intent(INTENT_ID)
    assert intent["shipping"] is None
    assert {} == intent["metadata"]


# --- POST: other parameters -------------------------------------------------------------------


def test_update_metadata_merges(client: httpx.Client, emulator: StripeEmulator) -> None:
    update(client, {"metadata[order_id]": "1001", "metadata[shop]": "north"})
    update(client, {"metadata[order_id]": "1002", "metadata[shop]": ""})
    assert {"order_id": "1002"} == emulator.payment_intent(INTENT_ID)["metadata"]


def test_update_metadata_cleared(client: httpx.Client, emulator: StripeEmulator) -> None:
    update(client, {"metadata[order_id]": "1001"})
    update(client, {"metadata": ""})
    assert {} == emulator.payment_intent(INTENT_ID)["metadata"]


def test_update_metadata_key_too_long(client: httpx.Client) -> None:
    response = update(client, {f"metadata[{'k' * 41}]": "v"})
    assert 400 == response.status_code


def test_update_metadata_value_too_long(client: httpx.Client) -> None:
    response = update(client, {"metadata[order_id]": "v" * 501})
    assert 400 == response.status_code
    assert "metadata[order_id]" == error(response)["param"]


def test_update_metadata_too_many_keys(client: httpx.Client) -> None:
    response = update(client, {f"metadata[key{number}]": "v" for number in range(51)})
    assert 400 == response.status_code
    assert "metadata" == error(response)["param"]


def test_update_description(client: httpx.Client, emulator: StripeEmulator) -> None:
    update(client, {"description": "Order 1001"})
    assert "Order 1001" == emulator.payment_intent(INTENT_ID)["description"]


def test_update_description_too_long(client: httpx.Client) -> None:
    response = update(client, {"description": "d" * 1001})
    assert 400 == response.status_code
    assert "description" == error(response)["param"]


def test_update_receipt_email(client: httpx.Client, emulator: StripeEmulator) -> None:
    update(client, {"receipt_email": "jenny@example.com"})
    assert "jenny@example.com" == emulator.payment_intent(INTENT_ID)["receipt_email"]


def test_update_receipt_email_invalid(client: httpx.Client) -> None:
    response = update(client, {"receipt_email": "jenny"})
    assert 400 == response.status_code
    assert "email_invalid" == error(response)["code"]


# --- Succeeded PaymentIntents -----------------------------------------------------------------


@pytest.fixture
def strict_client() -> Iterator[tuple[StripeEmulator, httpx.Client]]:
    emulator = StripeEmulator(shipping_update_on_succeeded=False)
    emulator.add_payment_intent(INTENT_ID)
    emulator.add_payment_intent("pi_uncaptured", status="requires_capture")
    headers = {"Authorization": "Bearer sk_test_emulator"}
    with httpx.Client(transport=emulator, base_url=BASE_URL, headers=headers) as client:
        yield emulator, client


def test_succeeded_shipping_rejected(strict_client: tuple[StripeEmulator, httpx.Client]) -> None:
    emulator, client = strict_client
    response = update(client, SHIPPING_FORM)
    assert 400 == response.status_code
    assert "payment_intent_unexpected_state" == error(response)["code"]
    assert "shipping" == error(response)["param"]
    assert error(response)["message"].startswith(
        "This PaymentIntent's shipping could not be updated because it has a status of succeeded."
    )
    assert INTENT_ID == error(response)["payment_intent"]["id"]
    assert emulator.payment_intent(INTENT_ID)["shipping"] is None


def test_succeeded_metadata_accepted(strict_client: tuple[StripeEmulator, httpx.Client]) -> None:
    _, client = strict_client
    response = update(client, {"metadata[order_id]": "1001"})
    assert 200 == response.status_code


def test_uncaptured_shipping_accepted(strict_client: tuple[StripeEmulator, httpx.Client]) -> None:
    _, client = strict_client
    response = client.post("/v1/payment_intents/pi_uncaptured", data=SHIPPING_FORM)
    assert 200 == response.status_code


def test_succeeded_rejection_saved(strict_client: tuple[StripeEmulator, httpx.Client]) -> None:
    _, client = strict_client
    first = update(client, SHIPPING_FORM, **{"Idempotency-Key": "key-state"})
    second = update(client, SHIPPING_FORM, **{"Idempotency-Key": "key-state"})
    assert first.json() == second.json()
    assert "true" == second.headers["Idempotent-Replayed"]


# --- Idempotency ------------------------------------------------------------------------------


def test_idempotent_replay(client: httpx.Client) -> None:
    first = update(client, SHIPPING_FORM, **{"Idempotency-Key": "key-1"})
    second = update(client, SHIPPING_FORM, **{"Idempotency-Key": "key-1"})
    assert 200 == second.status_code
    assert first.json() == second.json()
    assert "true" == second.headers["Idempotent-Replayed"]
    assert first.headers["Request-Id"] == second.headers["Original-Request"]


def test_idempotent_first_not_replayed(client: httpx.Client) -> None:
    response = update(client, SHIPPING_FORM, **{"Idempotency-Key": "key-1"})
    assert "Idempotent-Replayed" not in response.headers
    assert "key-1" == response.headers["Idempotency-Key"]


def test_idempotent_replay_changes_nothing(client: httpx.Client, emulator: StripeEmulator) -> None:
    update(client, SHIPPING_FORM, **{"Idempotency-Key": "key-1"})
    update(client, {"shipping": ""})
    replay = update(client, SHIPPING_FORM, **{"Idempotency-Key": "key-1"})
    assert replay.json()["shipping"] is not None
    assert emulator.payment_intent(INTENT_ID)["shipping"] is None


def test_idempotent_param_order_ignored(client: httpx.Client) -> None:
    update(client, SHIPPING_FORM, **{"Idempotency-Key": "key-1"})
    reordered = dict(reversed(list(SHIPPING_FORM.items())))
    response = update(client, reordered, **{"Idempotency-Key": "key-1"})
    assert "true" == response.headers["Idempotent-Replayed"]


def test_idempotency_key_other_params(client: httpx.Client) -> None:
    update(client, SHIPPING_FORM, **{"Idempotency-Key": "key-1"})
    response = update(
        client, {**SHIPPING_FORM, "shipping[carrier]": "DHL"}, **{"Idempotency-Key": "key-1"}
    )
    assert 400 == response.status_code
    assert "idempotency_error" == error(response)["type"]
    assert error(response)["message"].startswith(
        "Keys for idempotent requests can only be used with the same parameters"
    )


def test_idempotency_key_other_path(client: httpx.Client, emulator: StripeEmulator) -> None:
    emulator.add_payment_intent("pi_second")
    update(client, SHIPPING_FORM, **{"Idempotency-Key": "key-1"})
    response = client.post(
        "/v1/payment_intents/pi_second", data=SHIPPING_FORM, headers={"Idempotency-Key": "key-1"}
    )
    assert "idempotency_error" == error(response)["type"]


def test_validation_failure_not_saved(client: httpx.Client) -> None:
    rejected = update(client, {"tracking_number": "1Z"}, **{"Idempotency-Key": "key-1"})
    accepted = update(client, SHIPPING_FORM, **{"Idempotency-Key": "key-1"})
    assert 400 == rejected.status_code
    assert 200 == accepted.status_code
    assert "Idempotent-Replayed" not in accepted.headers


def test_missing_intent_not_saved(client: httpx.Client, emulator: StripeEmulator) -> None:
    client.post(
        "/v1/payment_intents/pi_later", data=SHIPPING_FORM, headers={"Idempotency-Key": "k"}
    )
    emulator.add_payment_intent("pi_later")
    response = client.post(
        "/v1/payment_intents/pi_later", data=SHIPPING_FORM, headers={"Idempotency-Key": "k"}
    )
    assert 200 == response.status_code


def test_idempotency_key_too_long(client: httpx.Client) -> None:
    response = update(client, SHIPPING_FORM, **{"Idempotency-Key": "k" * 256})
    assert 400 == response.status_code


def test_idempotency_keys_in_dump(client: httpx.Client, emulator: StripeEmulator) -> None:
    first = update(client, SHIPPING_FORM, **{"Idempotency-Key": "key-1"})
    loaded = StripeEmulator.load(json.loads(json.dumps(emulator.dump())))
    with httpx.Client(transport=loaded, base_url=BASE_URL, headers=client.headers) as other:
        replay = other.post(INTENT_PATH, data=SHIPPING_FORM, headers={"Idempotency-Key": "key-1"})
    assert "true" == replay.headers["Idempotent-Replayed"]
    assert first.json() == replay.json()


# --- Routing ----------------------------------------------------------------------------------


def test_unknown_path(client: httpx.Client) -> None:
    response = client.get("/v1/refunds/re_1")
    assert 404 == response.status_code
    assert "invalid_request_error" == error(response)["type"]
    assert error(response)["message"].startswith(
        "Unrecognized request URL (GET: /v1/refunds/re_1)."
    )


def test_unsupported_method(client: httpx.Client) -> None:
    response = client.delete(INTENT_PATH)
    assert 404 == response.status_code
    assert error(response)["message"].startswith(
        f"Unrecognized request URL (DELETE: {INTENT_PATH})."
    )


# --- Seeding and inspection -------------------------------------------------------------------


def test_add_payment_intent_duplicate(emulator: StripeEmulator) -> None:
    with pytest.raises(ValueError, match="already exists"):
        emulator.add_payment_intent(INTENT_ID)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"status": "paid"}, "status"),
        ({"currency": "USD"}, "currency"),
        ({"amount": -1}, "amount"),
        ({"shipping": {"name": "A", "tracking": "1Z"}}, "unknown keys"),
        ({"shipping": {"address": {}}}, "name"),
        ({"shipping": {"name": "A", "address": {"zip": "1"}}}, "unknown keys"),
    ],
)
def test_add_payment_intent_invalid(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StripeEmulator().add_payment_intent(INTENT_ID, **arguments)


def test_add_payment_intent_invalid_id() -> None:
    with pytest.raises(ValueError, match="id"):
        StripeEmulator().add_payment_intent("pi/1")


def test_payment_intent_unknown(emulator: StripeEmulator) -> None:
    with pytest.raises(KeyError):
        emulator.payment_intent("pi_missing")


def test_empty_api_key() -> None:
    with pytest.raises(ValueError, match="api_key"):
        StripeEmulator("")


# --- Request log and persistence --------------------------------------------------------------


def test_request_log(client: httpx.Client, emulator: StripeEmulator) -> None:
    client.get(INTENT_PATH)
    update(client, SHIPPING_FORM)
    assert ["GET", "POST"] == [request.method for request in emulator.requests]
    assert ["POST"] == [request.method for request in emulator.writes()]


def test_request_log_keeps_body(client: httpx.Client, emulator: StripeEmulator) -> None:
    update(client, {"shipping": ""})
    assert b"shipping=" == emulator.requests[-1].content


def test_dump_load_round_trip(client: httpx.Client, emulator: StripeEmulator) -> None:
    update(client, {**SHIPPING_FORM, "metadata[order_id]": "1001"}, **{"Idempotency-Key": "key-1"})
    loaded = StripeEmulator.load(json.loads(json.dumps(emulator.dump())))
    assert emulator.dump() == loaded.dump()
    assert emulator.payment_intent(INTENT_ID) == loaded.payment_intent(INTENT_ID)


def test_load_keeps_options() -> None:
    original = StripeEmulator("sk_test_shop", shipping_update_on_succeeded=False)
    original.add_payment_intent(INTENT_ID)
    loaded = StripeEmulator.load(original.dump())
    headers = {"Authorization": "Bearer sk_test_shop"}
    with httpx.Client(transport=loaded, base_url=BASE_URL, headers=headers) as client:
        response = update(client, SHIPPING_FORM)
    assert "payment_intent_unexpected_state" == error(response)["code"]


def test_load_leaves_request_log(client: httpx.Client, emulator: StripeEmulator) -> None:
    client.get(INTENT_PATH)
    assert [] == StripeEmulator.load(emulator.dump()).requests


def test_load_paypal_dump_rejected() -> None:
    with pytest.raises(ValueError, match="format"):
        StripeEmulator.load({"format": "PayPalEmulator", "version": 1, "state": {}})


def test_load_not_a_dict() -> None:
    with pytest.raises(ValueError, match="dict"):
        StripeEmulator.load([])  # type: ignore[arg-type]
