"""PayPalEmulator, Payments v2: captures without an order, and GET of each payment resource."""

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
from tracksync.testing import PayPalEmulator

BASE_URL = "https://api-m.sandbox.paypal.com"
ORDER_ID = "5O190127TN364715T"
CAPTURE_ID = "8MC585209K746392H"
LONE_CAPTURE_ID = "2GG279541U471931P"
AUTHORIZATION_ID = "0VF52814937998046"
REFUND_ID = "1JU08902781691411"
PAYMENTS_SPEC = "paypal/payments_payment_v2.json"


@pytest.fixture
def emulator() -> PayPalEmulator:
    emulator = PayPalEmulator()
    emulator.add_order(
        ORDER_ID,
        captures={CAPTURE_ID: "PARTIALLY_REFUNDED"},
        authorizations={AUTHORIZATION_ID: "CAPTURED"},
        refunds={REFUND_ID: CAPTURE_ID},
    )
    emulator.add_capture(LONE_CAPTURE_ID)
    return emulator


def authorize(client: httpx.Client) -> None:
    response = client.post(
        "/v1/oauth2/token",
        auth=("emulator-client-id", "emulator-client-secret"),
        data={"grant_type": "client_credentials"},
    )
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"


@pytest.fixture
def client(emulator: PayPalEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(transport=emulator, base_url=BASE_URL) as client:
        authorize(client)
        yield client


def detail(response: httpx.Response) -> dict[str, Any]:
    details: list[dict[str, Any]] = response.json()["details"]
    return details[0]


def assert_valid(schema_names: list[str], body: object) -> None:
    """Assert that a response body fits every named schema of the Payments v2 spec."""
    registry = Registry().with_resource(
        uri=PAYMENTS_SPEC,
        resource=Resource.from_contents(load_spec(PAYMENTS_SPEC), default_specification=DRAFT4),
    )
    schema = {
        "allOf": [{"$ref": f"{PAYMENTS_SPEC}#/components/schemas/{name}"} for name in schema_names]
    }
    errors = [
        error.message for error in OAS30ReadValidator(schema, registry=registry).iter_errors(body)
    ]
    assert [] == errors


def link(href: str, rel: str, method: str = "GET") -> dict[str, str]:
    return {"href": href, "rel": rel, "method": method}


# --- GET /v2/payments/captures/{capture_id} ----------------------------------------------------


def test_get_capture_of_order(client: httpx.Client) -> None:
    response = client.get(f"/v2/payments/captures/{CAPTURE_ID}")
    body = response.json()
    assert 200 == response.status_code
    assert CAPTURE_ID == body["id"]
    assert "PARTIALLY_REFUNDED" == body["status"]
    assert {"currency_code": "USD", "value": "10.00"} == body["amount"]
    assert {"related_ids": {"order_id": ORDER_ID}} == body["supplementary_data"]


def test_get_capture_links(client: httpx.Client) -> None:
    body = client.get(f"/v2/payments/captures/{CAPTURE_ID}").json()
    capture_url = f"{BASE_URL}/v2/payments/captures/{CAPTURE_ID}"
    expected = [
        link(capture_url, "self"),
        link(f"{capture_url}/refund", "refund", "POST"),
        link(f"{BASE_URL}/v2/checkout/orders/{ORDER_ID}", "up"),
    ]
    assert expected == body["links"]


def test_get_capture_fits_spec(client: httpx.Client) -> None:
    body = client.get(f"/v2/payments/captures/{CAPTURE_ID}").json()
    assert_valid(["capture-2"], body)


def test_get_lone_capture(client: httpx.Client) -> None:
    body = client.get(f"/v2/payments/captures/{LONE_CAPTURE_ID}").json()
    assert LONE_CAPTURE_ID == body["id"]
    assert "COMPLETED" == body["status"]
    assert "supplementary_data" not in body
    assert ["self", "refund"] == [item["rel"] for item in body["links"]]
    assert_valid(["capture-2"], body)


def test_get_capture_matches_order_view(client: httpx.Client, emulator: PayPalEmulator) -> None:
    capture = client.get(f"/v2/payments/captures/{CAPTURE_ID}").json()
    in_order = emulator.order(ORDER_ID)["purchase_units"][0]["payments"]["captures"][0]
    del capture["supplementary_data"]
    assert in_order == capture


def test_get_capture_unknown(client: httpx.Client) -> None:
    response = client.get("/v2/payments/captures/UNKNOWN1")
    assert 404 == response.status_code
    assert "RESOURCE_NOT_FOUND" == response.json()["name"]
    assert "INVALID_RESOURCE_ID" == detail(response)["issue"]
    assert "capture_id" == detail(response)["field"]
    assert "path" == detail(response)["location"]
    assert_valid(["error_404", "404"], response.json())


def test_get_capture_follows_status(client: httpx.Client, emulator: PayPalEmulator) -> None:
    emulator.set_capture_status(LONE_CAPTURE_ID, "REFUNDED")
    body = client.get(f"/v2/payments/captures/{LONE_CAPTURE_ID}").json()
    assert "REFUNDED" == body["status"]


# --- GET /v2/payments/refunds/{refund_id} ------------------------------------------------------


def test_get_refund(client: httpx.Client) -> None:
    response = client.get(f"/v2/payments/refunds/{REFUND_ID}")
    body = response.json()
    assert 200 == response.status_code
    assert REFUND_ID == body["id"]
    assert "COMPLETED" == body["status"]
    expected_links = [
        link(f"{BASE_URL}/v2/payments/refunds/{REFUND_ID}", "self"),
        link(f"{BASE_URL}/v2/payments/captures/{CAPTURE_ID}", "up"),
    ]
    assert expected_links == body["links"]
    assert_valid(["refund"], body)


def test_get_refund_unknown(client: httpx.Client) -> None:
    response = client.get("/v2/payments/refunds/UNKNOWN1")
    assert 404 == response.status_code
    assert "refund_id" == detail(response)["field"]


# --- GET /v2/payments/authorizations/{authorization_id} ----------------------------------------


def test_get_authorization(client: httpx.Client) -> None:
    response = client.get(f"/v2/payments/authorizations/{AUTHORIZATION_ID}")
    body = response.json()
    assert 200 == response.status_code
    assert AUTHORIZATION_ID == body["id"]
    assert "CAPTURED" == body["status"]
    assert {"related_ids": {"order_id": ORDER_ID}} == body["supplementary_data"]
    assert ["self", "up"] == [item["rel"] for item in body["links"]]
    assert_valid(["authorization-2"], body)


def test_get_authorization_unknown(client: httpx.Client) -> None:
    response = client.get("/v2/payments/authorizations/UNKNOWN1")
    assert 404 == response.status_code
    assert "authorization_id" == detail(response)["field"]


def test_capture_id_is_not_authorization(client: httpx.Client) -> None:
    response = client.get(f"/v2/payments/authorizations/{CAPTURE_ID}")
    assert 404 == response.status_code


# --- add_capture and friends -------------------------------------------------------------------


def test_add_capture_to_order(client: httpx.Client, emulator: PayPalEmulator) -> None:
    emulator.add_capture("3C679366HH908993F", "PENDING", order_id=ORDER_ID)
    captures = emulator.order(ORDER_ID)["purchase_units"][0]["payments"]["captures"]
    body = client.get("/v2/payments/captures/3C679366HH908993F").json()
    assert [CAPTURE_ID, "3C679366HH908993F"] == [capture["id"] for capture in captures]
    assert "PENDING" == body["status"]
    assert ORDER_ID == body["supplementary_data"]["related_ids"]["order_id"]


def test_add_capture_default_completed(emulator: PayPalEmulator) -> None:
    emulator.add_capture("3C679366HH908993F")
    assert emulator.has_capture("3C679366HH908993F")


def test_has_capture(emulator: PayPalEmulator) -> None:
    assert emulator.has_capture(CAPTURE_ID)
    assert emulator.has_capture(LONE_CAPTURE_ID)
    assert not emulator.has_capture(AUTHORIZATION_ID)


def test_add_capture_unknown_order(emulator: PayPalEmulator) -> None:
    with pytest.raises(KeyError, match="add_order"):
        emulator.add_capture("3C679366HH908993F", order_id="NOSUCHORDER")
    assert not emulator.has_capture("3C679366HH908993F")


@pytest.mark.parametrize("capture_id", [LONE_CAPTURE_ID, CAPTURE_ID, REFUND_ID, AUTHORIZATION_ID])
def test_add_capture_id_in_use(emulator: PayPalEmulator, capture_id: str) -> None:
    with pytest.raises(ValueError, match="more than once"):
        emulator.add_capture(capture_id)


@pytest.mark.parametrize("capture_id", ["", "8MC5-85209", "A" * 51])
def test_add_capture_invalid_id(emulator: PayPalEmulator, capture_id: str) -> None:
    with pytest.raises(ValueError, match="invalid"):
        emulator.add_capture(capture_id)


def test_add_capture_unknown_status(emulator: PayPalEmulator) -> None:
    with pytest.raises(ValueError, match="unknown status"):
        emulator.add_capture("3C679366HH908993F", "DONE")


def test_add_order_reuses_lone_capture_id(emulator: PayPalEmulator) -> None:
    with pytest.raises(ValueError, match="more than once"):
        emulator.add_order("ORDER2", captures={LONE_CAPTURE_ID: "COMPLETED"})


def test_set_status_of_lone_capture(emulator: PayPalEmulator) -> None:
    emulator.set_capture_status(LONE_CAPTURE_ID, "PENDING")
    with httpx.Client(transport=emulator, base_url=BASE_URL) as client:
        authorize(client)
        body = client.get(f"/v2/payments/captures/{LONE_CAPTURE_ID}").json()
    assert "PENDING" == body["status"]


def test_set_status_unknown_capture(emulator: PayPalEmulator) -> None:
    with pytest.raises(KeyError, match="UNKNOWN1"):
        emulator.set_capture_status("UNKNOWN1", "COMPLETED")


def test_lone_capture_not_trackable_by_orders(client: httpx.Client) -> None:
    body = {"capture_id": LONE_CAPTURE_ID, "tracking_number": "443844607820", "carrier": "FEDEX"}
    response = client.post(f"/v2/checkout/orders/{ORDER_ID}/track", json=body)
    assert 422 == response.status_code
    assert "CAPTURE_ID_NOT_FOUND" == detail(response)["issue"]


def test_payment_reads_are_not_writes(client: httpx.Client, emulator: PayPalEmulator) -> None:
    client.get(f"/v2/payments/captures/{CAPTURE_ID}")
    client.get(f"/v2/payments/refunds/{REFUND_ID}")
    assert [] == emulator.writes()


def test_dump_load_keeps_lone_capture(emulator: PayPalEmulator) -> None:
    emulator.add_capture("3C679366HH908993F", "PENDING", order_id=ORDER_ID)
    loaded = PayPalEmulator.load(json.loads(json.dumps(emulator.dump())))
    assert emulator.dump() == loaded.dump()
    assert loaded.has_capture(LONE_CAPTURE_ID)
    with httpx.Client(transport=loaded, base_url=BASE_URL) as client:
        authorize(client)
        response = client.get("/v2/payments/captures/3C679366HH908993F")
    assert ORDER_ID == response.json()["supplementary_data"]["related_ids"]["order_id"]
