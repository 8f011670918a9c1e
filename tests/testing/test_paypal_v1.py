"""PayPalEmulator, Tracking API v1: batch adds, reads, full replacement and persistence."""

from __future__ import annotations

import json
import re
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
TRACKING_NUMBER = "443844607820"
TRACKER_ID = f"{CAPTURE_ID}-{TRACKING_NUMBER}"
TRACKING_SPEC = "paypal/shipping_shipment_tracking_v1.json"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@pytest.fixture
def emulator() -> PayPalEmulator:
    emulator = PayPalEmulator()
    emulator.add_order(ORDER_ID, captures={CAPTURE_ID: "COMPLETED"})
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


def tracker(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "transaction_id": CAPTURE_ID,
        "tracking_number": TRACKING_NUMBER,
        "status": "SHIPPED",
        "carrier": "FEDEX",
    }
    body.update(fields)
    return {key: value for key, value in body.items() if value is not None}


def batch(client: httpx.Client, *trackers: dict[str, Any]) -> httpx.Response:
    return client.post("/v1/shipping/trackers-batch", json={"trackers": list(trackers)})


def item_error(response: httpx.Response, position: int = 0) -> dict[str, Any]:
    """Return the first detail of the ``position``-th error of a batch response."""
    errors: list[dict[str, Any]] = response.json()["errors"]
    detail: dict[str, Any] = errors[position]["details"][0]
    return detail


def detail(response: httpx.Response) -> dict[str, Any]:
    details: list[dict[str, Any]] = response.json()["details"]
    return details[0]


def put(client: httpx.Client, body: dict[str, Any], tracker_id: str = TRACKER_ID) -> httpx.Response:
    return client.put(f"/v1/shipping/trackers/{tracker_id}", json=body)


def assert_valid(schema_name: str, body: object) -> None:
    """Assert that a response body fits a schema of the Tracking API v1 spec."""
    registry = Registry().with_resource(
        uri=TRACKING_SPEC,
        resource=Resource.from_contents(load_spec(TRACKING_SPEC), default_specification=DRAFT4),
    )
    schema = {"$ref": f"{TRACKING_SPEC}#/components/schemas/{schema_name}"}
    errors = [
        error.message for error in OAS30ReadValidator(schema, registry=registry).iter_errors(body)
    ]
    assert [] == errors


# --- POST /v1/shipping/trackers-batch: accepted ------------------------------------------------


def test_batch_adds_tracker(client: httpx.Client, emulator: PayPalEmulator) -> None:
    response = batch(client, tracker())
    assert 200 == response.status_code
    assert [TRACKER_ID] == [
        f"{item['transaction_id']}-{item['tracking_number']}"
        for item in emulator.shipping_trackers(CAPTURE_ID)
    ]


def test_batch_identifier_shape(client: httpx.Client) -> None:
    body = batch(client, tracker()).json()
    url = f"{BASE_URL}/v1/shipping/trackers/{TRACKER_ID}"
    expected = {
        "tracker_identifiers": [
            {
                "transaction_id": CAPTURE_ID,
                "tracking_number": TRACKING_NUMBER,
                "links": [
                    {"href": url, "rel": "self", "method": "GET"},
                    {"href": url, "rel": "replace", "method": "PUT"},
                ],
            }
        ]
    }
    assert expected == body


def test_batch_response_fits_spec(client: httpx.Client) -> None:
    response = batch(client, tracker(), tracker(transaction_id="UNKNOWN1"))
    assert_valid("batch_tracker_collection", response.json())


def test_batch_capture_without_order(client: httpx.Client, emulator: PayPalEmulator) -> None:
    response = batch(client, tracker(transaction_id=LONE_CAPTURE_ID))
    assert 1 == len(response.json()["tracker_identifiers"])
    assert 1 == len(emulator.shipping_trackers(LONE_CAPTURE_ID))


@pytest.mark.parametrize("status", ["SHIPPED", "ON_HOLD", "DELIVERED", "CANCELLED"])
def test_batch_input_statuses_accepted(client: httpx.Client, status: str) -> None:
    response = batch(client, tracker(status=status))
    assert "errors" not in response.json()


def test_batch_all_optional_fields(client: httpx.Client, emulator: PayPalEmulator) -> None:
    fields = {
        "tracking_number_type": "CARRIER_PROVIDED",
        "shipment_date": "2024-02-29",
        "notify_buyer": True,
        "last_updated_time": "2024-02-29T10:00:00Z",
        "shipment_direction": "FORWARD",
        "tracking_url": "https://www.fedex.com/fedextrack/?trknbr=443844607820",
    }
    response = batch(client, tracker(**fields))
    stored = emulator.shipping_trackers(CAPTURE_ID)[0]
    assert "errors" not in response.json()
    assert "2024-02-29" == stored["shipment_date"]
    assert stored["notify_buyer"] is True
    assert "CARRIER_PROVIDED" == stored["tracking_number_type"]
    assert "FORWARD" == stored["shipment_direction"]
    assert fields["tracking_url"] == stored["tracking_url"]
    assert fields["last_updated_time"] != stored["last_updated_time"]


def test_batch_other_carrier_with_name(client: httpx.Client, emulator: PayPalEmulator) -> None:
    response = batch(client, tracker(carrier="OTHER", carrier_name_other="Local Courier"))
    stored = emulator.shipping_trackers(CAPTURE_ID)[0]
    assert "errors" not in response.json()
    assert "Local Courier" == stored["carrier_name_other"]


@pytest.mark.parametrize("carrier", ["UK_DPD", "ACOMMMERCE", "ZYLLEM", "2EBOX"])
def test_batch_v1_carrier_codes_accepted(client: httpx.Client, carrier: str) -> None:
    response = batch(client, tracker(carrier=carrier))
    assert "errors" not in response.json()


@pytest.mark.parametrize(
    "tracking_number",
    ["1", "X" * 64, "1Z999AA10123456784", "9400 1000 0000 0000 0000 00", "5551234567"],
)
def test_batch_tracking_numbers_accepted(client: httpx.Client, tracking_number: str) -> None:
    response = batch(client, tracker(tracking_number=tracking_number))
    assert "errors" not in response.json()


def test_batch_twenty_trackers(client: httpx.Client, emulator: PayPalEmulator) -> None:
    trackers = [tracker(tracking_number=f"NUMBER{index}") for index in range(20)]
    response = batch(client, *trackers)
    assert 20 == len(response.json()["tracker_identifiers"])
    assert 20 == len(emulator.shipping_trackers(CAPTURE_ID))


def test_batch_partially_refunded_capture(client: httpx.Client, emulator: PayPalEmulator) -> None:
    emulator.set_capture_status(LONE_CAPTURE_ID, "PARTIALLY_REFUNDED")
    response = batch(client, tracker(transaction_id=LONE_CAPTURE_ID))
    assert "errors" not in response.json()


def test_batch_cancelled_tracker_revived(client: httpx.Client, emulator: PayPalEmulator) -> None:
    batch(client, tracker(status="CANCELLED"))
    response = batch(client, tracker(carrier="UPS"))
    stored = emulator.shipping_trackers(CAPTURE_ID)
    assert "errors" not in response.json()
    assert [("SHIPPED", "UPS")] == [(item["status"], item["carrier"]) for item in stored]


def test_batch_debug_id_in_errors_and_header(client: httpx.Client) -> None:
    response = batch(client, tracker(transaction_id="UNKNOWN1"))
    assert response.headers["Paypal-Debug-Id"] == response.json()["errors"][0]["debug_id"]


# --- POST /v1/shipping/trackers-batch: item errors ----------------------------------------------


def test_batch_unknown_transaction(client: httpx.Client) -> None:
    response = batch(client, tracker(transaction_id="UNKNOWN1"))
    error = response.json()["errors"][0]
    assert 200 == response.status_code
    assert "tracker_identifiers" not in response.json()
    assert "RESOURCE_NOT_FOUND" == error["name"]
    assert "INVALID_TRANSACTION_ID" == error["details"][0]["issue"]
    assert "/trackers/1/transaction_id" == error["details"][0]["field"]
    assert "body" == error["details"][0]["location"]
    assert "UNKNOWN1" == error["details"][0]["value"]


def test_batch_error_has_no_orders_link(client: httpx.Client) -> None:
    response = batch(client, tracker(transaction_id="UNKNOWN1"))
    assert "links" not in response.json()["errors"][0]


@pytest.mark.parametrize("status", ["PENDING", "REFUNDED", "DECLINED", "FAILED"])
def test_batch_capture_status_rejected(
    client: httpx.Client, emulator: PayPalEmulator, status: str
) -> None:
    emulator.set_capture_status(CAPTURE_ID, status)
    response = batch(client, tracker())
    assert "UNPROCESSABLE_ENTITY" == response.json()["errors"][0]["name"]
    assert "CAPTURE_STATUS_NOT_VALID" == item_error(response)["issue"]
    assert [] == emulator.shipping_trackers(CAPTURE_ID)


def test_batch_duplicate_active_tracker(client: httpx.Client, emulator: PayPalEmulator) -> None:
    batch(client, tracker())
    response = batch(client, tracker(status="DELIVERED"))
    assert "RESOURCE_CONFLICT" == response.json()["errors"][0]["name"]
    assert "/trackers/1/tracking_number" == item_error(response)["field"]
    assert "SHIPPED" == emulator.shipping_trackers(CAPTURE_ID)[0]["status"]


def test_batch_duplicate_within_request(client: httpx.Client, emulator: PayPalEmulator) -> None:
    response = batch(client, tracker(), tracker())
    assert 1 == len(response.json()["tracker_identifiers"])
    assert "/trackers/2/tracking_number" == item_error(response)["field"]


def test_batch_duplicate_of_orders_v2_tracker(client: httpx.Client) -> None:
    body = {"capture_id": CAPTURE_ID, "tracking_number": TRACKING_NUMBER, "carrier": "FEDEX"}
    client.post(f"/v2/checkout/orders/{ORDER_ID}/track", json=body)
    response = batch(client, tracker())
    assert "RESOURCE_CONFLICT" == response.json()["errors"][0]["name"]


@pytest.mark.parametrize(
    ("fields", "field", "issue"),
    [
        ({"transaction_id": None}, "transaction_id", "MISSING_REQUIRED_PARAMETER"),
        ({"transaction_id": ""}, "transaction_id", "INVALID_STRING_LENGTH"),
        ({"transaction_id": "A" * 51}, "transaction_id", "INVALID_STRING_LENGTH"),
        ({"transaction_id": "8MC5-85209"}, "transaction_id", "INVALID_PARAMETER_SYNTAX"),
        ({"transaction_id": 8}, "transaction_id", "INVALID_PARAMETER_SYNTAX"),
        ({"tracking_number": None}, "tracking_number", "MISSING_REQUIRED_PARAMETER"),
        ({"tracking_number": ""}, "tracking_number", "INVALID_STRING_LENGTH"),
        ({"tracking_number": "X" * 65}, "tracking_number", "INVALID_STRING_LENGTH"),
        ({"tracking_number": "NUMMER-Ä1"}, "tracking_number", "INVALID_PARAMETER_SYNTAX"),
        ({"tracking_number": "AB\t12"}, "tracking_number", "INVALID_PARAMETER_SYNTAX"),
        ({"tracking_number": "https://t.example/1"}, "tracking_number", "INVALID_PARAMETER_SYNTAX"),
        ({"tracking_number": "www.example.com"}, "tracking_number", "INVALID_PARAMETER_SYNTAX"),
        ({"tracking_number": "buyer@example.com"}, "tracking_number", "INVALID_PARAMETER_SYNTAX"),
        ({"tracking_number": "+14155550123"}, "tracking_number", "INVALID_PARAMETER_SYNTAX"),
        ({"tracking_number": "(415) 555-0123"}, "tracking_number", "INVALID_PARAMETER_SYNTAX"),
        ({"tracking_number_type": "OWN"}, "tracking_number_type", "INVALID_PARAMETER_VALUE"),
        ({"status": None}, "status", "MISSING_REQUIRED_PARAMETER"),
        ({"status": "SENT"}, "status", "INVALID_PARAMETER_VALUE"),
        ({"status": "IN_TRANSIT"}, "status", "INVALID_PARAMETER_VALUE"),
        ({"status": "shipped"}, "status", "INVALID_PARAMETER_VALUE"),
        ({"shipment_date": "2024-02-30"}, "shipment_date", "INVALID_PARAMETER_SYNTAX"),
        ({"shipment_date": "2024-2-01"}, "shipment_date", "INVALID_PARAMETER_SYNTAX"),
        ({"shipment_date": "2024-02-01T10:00:00Z"}, "shipment_date", "INVALID_STRING_LENGTH"),
        ({"shipment_date": "01.02.2024"}, "shipment_date", "INVALID_PARAMETER_SYNTAX"),
        ({"carrier": None}, "carrier", "MISSING_REQUIRED_PARAMETER"),
        ({"carrier": "DHL_API"}, "carrier", "INVALID_PARAMETER_VALUE"),
        ({"carrier": "fedex"}, "carrier", "INVALID_PARAMETER_VALUE"),
        ({"carrier": "OTHER"}, "carrier_name_other", "MISSING_REQUIRED_PARAMETER"),
        (
            {"carrier": "OTHER", "carrier_name_other": "X" * 65},
            "carrier_name_other",
            "INVALID_STRING_LENGTH",
        ),
        ({"carrier_name_other": "FedEx"}, "carrier_name_other", "INVALID_PARAMETER_VALUE"),
        ({"notify_buyer": "yes"}, "notify_buyer", "INVALID_PARAMETER_SYNTAX"),
        ({"last_updated_time": "2024-02-01"}, "last_updated_time", "INVALID_PARAMETER_SYNTAX"),
        ({"shipment_direction": "BACK"}, "shipment_direction", "INVALID_PARAMETER_VALUE"),
        ({"tracking_url": "fedex.com/track"}, "tracking_url", "INVALID_PARAMETER_SYNTAX"),
        ({"tracking_url": "https://x/" + "a" * 241}, "tracking_url", "INVALID_STRING_LENGTH"),
        ({"quantity": 1}, "quantity", "INVALID_PARAMETER_SYNTAX"),
        ({"account_id": "2GG279541U471"}, "account_id", "INVALID_PARAMETER_SYNTAX"),
        ({"colour": "red"}, "colour", "INVALID_PARAMETER_SYNTAX"),
    ],
)
def test_batch_item_rule_rejected(
    client: httpx.Client,
    emulator: PayPalEmulator,
    fields: dict[str, Any],
    field: str,
    issue: str,
) -> None:
    response = batch(client, tracker(**fields))
    errors = response.json()["errors"]
    assert 200 == response.status_code
    assert 1 == len(errors)
    assert "INVALID_REQUEST" == errors[0]["name"]
    assert issue == errors[0]["details"][0]["issue"]
    assert f"/trackers/1/{field}" == errors[0]["details"][0]["field"]
    assert [] == emulator.shipping_trackers(CAPTURE_ID)


def test_batch_item_not_object(client: httpx.Client) -> None:
    response = batch(client, tracker(), "8MC585209K746392H")  # type: ignore[arg-type]
    assert "/trackers/2" == item_error(response)["field"]
    assert "INVALID_PARAMETER_SYNTAX" == item_error(response)["issue"]


# --- Mixed batches under both index bases --------------------------------------------------------


@pytest.mark.parametrize("base", [0, 1])
def test_batch_mixed_items(base: int) -> None:
    emulator = PayPalEmulator(batch_error_index_base=base)
    emulator.add_capture(CAPTURE_ID)
    emulator.add_capture(LONE_CAPTURE_ID, "PENDING")
    with httpx.Client(transport=emulator, base_url=BASE_URL) as client:
        authorize(client)
        response = batch(
            client,
            tracker(tracking_number="GOOD1"),
            tracker(transaction_id="UNKNOWN1"),
            tracker(tracking_number="GOOD2", carrier="UPS"),
            tracker(tracking_number="BAD", status="IN_TRANSIT"),
            tracker(transaction_id=LONE_CAPTURE_ID),
        )
    body = response.json()
    assert 200 == response.status_code
    assert ["GOOD1", "GOOD2"] == [item["tracking_number"] for item in body["tracker_identifiers"]]
    expected_fields = [
        f"/trackers/{1 + base}/transaction_id",
        f"/trackers/{3 + base}/status",
        f"/trackers/{4 + base}/transaction_id",
    ]
    assert expected_fields == [error["details"][0]["field"] for error in body["errors"]]
    assert ["INVALID_TRANSACTION_ID", "INVALID_PARAMETER_VALUE", "CAPTURE_STATUS_NOT_VALID"] == [
        error["details"][0]["issue"] for error in body["errors"]
    ]
    assert 2 == len(emulator.shipping_trackers(CAPTURE_ID))


@pytest.mark.parametrize("base", [-1, 2])
def test_index_base_must_be_zero_or_one(base: int) -> None:
    with pytest.raises(ValueError, match="batch_error_index_base"):
        PayPalEmulator(batch_error_index_base=base)


# --- POST /v1/shipping/trackers-batch: whole-request errors -------------------------------------


def test_batch_twenty_one_rejected(client: httpx.Client, emulator: PayPalEmulator) -> None:
    trackers = [tracker(tracking_number=f"NUMBER{index}") for index in range(21)]
    response = batch(client, *trackers)
    assert 400 == response.status_code
    assert "INVALID_REQUEST" == response.json()["name"]
    assert "INVALID_ARRAY_MAX_ITEMS" == detail(response)["issue"]
    assert "/trackers" == detail(response)["field"]
    assert [] == emulator.shipping_trackers(CAPTURE_ID)


def test_batch_empty_rejected(client: httpx.Client) -> None:
    response = batch(client)
    assert 400 == response.status_code
    assert "INVALID_ARRAY_MIN_ITEMS" == detail(response)["issue"]


def test_batch_missing_trackers(client: httpx.Client) -> None:
    response = client.post("/v1/shipping/trackers-batch", json={})
    assert 400 == response.status_code
    assert "MISSING_REQUIRED_PARAMETER" == detail(response)["issue"]


def test_batch_trackers_not_array(client: httpx.Client) -> None:
    response = client.post("/v1/shipping/trackers-batch", json={"trackers": tracker()})
    assert 400 == response.status_code
    assert "INVALID_PARAMETER_SYNTAX" == detail(response)["issue"]


def test_batch_body_not_object(client: httpx.Client) -> None:
    response = client.post("/v1/shipping/trackers-batch", json=[tracker()])
    assert 400 == response.status_code
    assert "MALFORMED_REQUEST_JSON" == detail(response)["issue"]


def test_batch_unknown_top_level_field(client: httpx.Client) -> None:
    body = {"trackers": [tracker()], "links": []}
    response = client.post("/v1/shipping/trackers-batch", json=body)
    assert 400 == response.status_code
    assert "/links" == detail(response)["field"]


def test_batch_form_body(client: httpx.Client) -> None:
    response = client.post("/v1/shipping/trackers-batch", data={"trackers": "x"})
    assert 415 == response.status_code


def test_batch_error_fits_spec(client: httpx.Client) -> None:
    response = batch(client)
    assert_valid("error", response.json())


# --- POST /v1/shipping/trackers -----------------------------------------------------------------


def test_add_trackers(client: httpx.Client, emulator: PayPalEmulator) -> None:
    response = client.post("/v1/shipping/trackers", json={"trackers": [tracker()]})
    assert 200 == response.status_code
    assert CAPTURE_ID == response.json()["tracker_identifiers"][0]["transaction_id"]
    assert 1 == len(emulator.shipping_trackers(CAPTURE_ID))
    assert_valid("tracker_identifier_collection", response.json())


def test_add_trackers_all_or_nothing(client: httpx.Client, emulator: PayPalEmulator) -> None:
    body = {"trackers": [tracker(), tracker(transaction_id="UNKNOWN1")]}
    response = client.post("/v1/shipping/trackers", json=body)
    assert 404 == response.status_code
    assert "INVALID_TRANSACTION_ID" == detail(response)["issue"]
    assert "/trackers/2/transaction_id" == detail(response)["field"]
    assert [] == emulator.shipping_trackers(CAPTURE_ID)


def test_add_trackers_duplicate_within_request(
    client: httpx.Client, emulator: PayPalEmulator
) -> None:
    response = client.post("/v1/shipping/trackers", json={"trackers": [tracker(), tracker()]})
    assert 409 == response.status_code
    assert [] == emulator.shipping_trackers(CAPTURE_ID)


# --- GET /v1/shipping/trackers ------------------------------------------------------------------


def test_list_trackers(client: httpx.Client) -> None:
    batch(client, tracker(), tracker(tracking_number="1Z999AA10123456784", carrier="UPS"))
    response = client.get("/v1/shipping/trackers", params={"transaction_id": CAPTURE_ID})
    body = response.json()
    assert 200 == response.status_code
    assert [TRACKING_NUMBER, "1Z999AA10123456784"] == [
        item["tracking_number"] for item in body["trackers"]
    ]
    self_link = f"{BASE_URL}/v1/shipping/trackers?transaction_id={CAPTURE_ID}"
    assert [{"href": self_link, "rel": "self", "method": "GET"}] == body["links"]


def test_list_trackers_by_number(client: httpx.Client) -> None:
    batch(client, tracker(), tracker(tracking_number="1Z999AA10123456784", carrier="UPS"))
    params = {"transaction_id": CAPTURE_ID, "tracking_number": TRACKING_NUMBER}
    response = client.get("/v1/shipping/trackers", params=params)
    assert [TRACKING_NUMBER] == [item["tracking_number"] for item in response.json()["trackers"]]


def test_list_trackers_items_fit_spec(client: httpx.Client) -> None:
    batch(client, tracker(shipment_date="2024-05-01", notify_buyer=True))
    response = client.get("/v1/shipping/trackers", params={"transaction_id": CAPTURE_ID})
    for item in response.json()["trackers"]:
        assert_valid("tracker", item)


def test_list_trackers_none_yet(client: httpx.Client) -> None:
    response = client.get("/v1/shipping/trackers", params={"transaction_id": LONE_CAPTURE_ID})
    assert 200 == response.status_code
    assert [] == response.json()["trackers"]


def test_list_trackers_needs_transaction_id(client: httpx.Client) -> None:
    response = client.get("/v1/shipping/trackers")
    assert 400 == response.status_code
    assert "MISSING_REQUIRED_PARAMETER" == detail(response)["issue"]
    assert "query" == detail(response)["location"]


def test_list_trackers_transaction_id_syntax(client: httpx.Client) -> None:
    response = client.get("/v1/shipping/trackers", params={"transaction_id": "8MC5-85209"})
    assert 400 == response.status_code
    assert "INVALID_PARAMETER_SYNTAX" == detail(response)["issue"]


def test_list_trackers_unknown_transaction(client: httpx.Client) -> None:
    response = client.get("/v1/shipping/trackers", params={"transaction_id": "UNKNOWN1"})
    assert 404 == response.status_code
    assert "INVALID_TRANSACTION_ID" == detail(response)["issue"]


def test_list_trackers_account_id_syntax(client: httpx.Client) -> None:
    params = {"transaction_id": CAPTURE_ID, "account_id": "abc"}
    response = client.get("/v1/shipping/trackers", params=params)
    assert 400 == response.status_code
    assert "account_id" == detail(response)["field"]


# --- GET /v1/shipping/trackers/{id} -------------------------------------------------------------


def test_get_tracker(client: httpx.Client) -> None:
    batch(client, tracker(notify_buyer=True, shipment_date="2024-05-01"))
    response = client.get(f"/v1/shipping/trackers/{TRACKER_ID}")
    body = response.json()
    url = f"{BASE_URL}/v1/shipping/trackers/{TRACKER_ID}"
    assert 200 == response.status_code
    assert CAPTURE_ID == body["transaction_id"]
    assert TRACKING_NUMBER == body["tracking_number"]
    assert "SHIPPED" == body["status"]
    assert "FEDEX" == body["carrier"]
    assert body["notify_buyer"] is True
    assert "2024-05-01" == body["shipment_date"]
    assert RFC3339.match(body["last_updated_time"])
    assert [
        {"href": url, "rel": "self", "method": "GET"},
        {"href": url, "rel": "replace", "method": "PUT"},
    ] == body["links"]
    assert_valid("tracker", body)


def test_get_tracker_unknown(client: httpx.Client) -> None:
    response = client.get(f"/v1/shipping/trackers/{CAPTURE_ID}-NOPE")
    assert 404 == response.status_code
    assert "RESOURCE_NOT_FOUND" == response.json()["name"]
    assert "INVALID_TRACKER_ID" == detail(response)["issue"]
    assert "path" == detail(response)["location"]
    assert_valid("error", response.json())


def test_get_tracker_encoded_id(client: httpx.Client) -> None:
    batch(client, tracker(tracking_number="AB/12 3"))
    response = client.get(f"/v1/shipping/trackers/{CAPTURE_ID}-AB%2F12%203")
    assert 200 == response.status_code
    assert "AB/12 3" == response.json()["tracking_number"]


# --- PUT /v1/shipping/trackers/{id} -------------------------------------------------------------


def test_put_replaces_tracker(client: httpx.Client, emulator: PayPalEmulator) -> None:
    batch(client, tracker(notify_buyer=True, shipment_date="2024-05-01"))
    response = put(client, tracker(status="DELIVERED"))
    stored = emulator.shipping_trackers(CAPTURE_ID)[0]
    assert 204 == response.status_code
    assert b"" == response.content
    assert "DELIVERED" == stored["status"]
    assert stored["notify_buyer"] is False
    assert "shipment_date" not in stored


def test_put_cancels_tracker(client: httpx.Client, emulator: PayPalEmulator) -> None:
    batch(client, tracker())
    response = put(client, tracker(status="CANCELLED"))
    assert 204 == response.status_code
    assert "CANCELLED" == emulator.shipping_trackers(CAPTURE_ID)[0]["status"]


def test_put_unchanged_rejected(client: httpx.Client, emulator: PayPalEmulator) -> None:
    batch(client, tracker())
    before = emulator.shipping_trackers(CAPTURE_ID)
    response = put(client, tracker())
    body = response.json()
    assert 400 == response.status_code
    assert "Number of Updates More than Permissible" == body["name"]
    assert body["debug_id"] == response.headers["Paypal-Debug-Id"]
    assert before == emulator.shipping_trackers(CAPTURE_ID)


def test_put_same_status_new_carrier(client: httpx.Client) -> None:
    batch(client, tracker())
    response = put(client, tracker(carrier="FEDEX_UK"))
    assert 204 == response.status_code


def test_put_twice_second_rejected(client: httpx.Client) -> None:
    batch(client, tracker())
    put(client, tracker(status="DELIVERED"))
    response = put(client, tracker(status="DELIVERED"))
    assert 400 == response.status_code


def test_put_unknown_tracker(client: httpx.Client) -> None:
    response = put(client, tracker())
    assert 404 == response.status_code
    assert "INVALID_TRACKER_ID" == detail(response)["issue"]


def test_put_id_mismatch(client: httpx.Client) -> None:
    batch(client, tracker())
    response = put(client, tracker(tracking_number="OTHER1"))
    assert 400 == response.status_code
    assert "INVALID_PARAMETER_VALUE" == detail(response)["issue"]
    assert "path" == detail(response)["location"]


@pytest.mark.parametrize(
    ("fields", "field", "issue"),
    [
        ({"transaction_id": None}, "/transaction_id", "MISSING_REQUIRED_PARAMETER"),
        ({"status": None}, "/status", "MISSING_REQUIRED_PARAMETER"),
        ({"status": "IN_TRANSIT"}, "/status", "INVALID_PARAMETER_VALUE"),
        ({"carrier": "NOT_A_CARRIER"}, "/carrier", "INVALID_PARAMETER_VALUE"),
        ({"links": []}, "/links", "INVALID_PARAMETER_SYNTAX"),
    ],
)
def test_put_body_rejected(
    client: httpx.Client, emulator: PayPalEmulator, fields: dict[str, Any], field: str, issue: str
) -> None:
    batch(client, tracker())
    response = put(client, tracker(**fields))
    assert 400 == response.status_code
    assert issue == detail(response)["issue"]
    assert field == detail(response)["field"]
    assert "SHIPPED" == emulator.shipping_trackers(CAPTURE_ID)[0]["status"]


# --- One store for Orders v2 and Tracking API v1 -----------------------------------------------


def test_v2_tracker_visible_in_v1(client: httpx.Client) -> None:
    body = {"capture_id": CAPTURE_ID, "tracking_number": TRACKING_NUMBER, "carrier": "FEDEX"}
    client.post(f"/v2/checkout/orders/{ORDER_ID}/track", json=body)
    response = client.get(f"/v1/shipping/trackers/{TRACKER_ID}")
    assert 200 == response.status_code
    assert "SHIPPED" == response.json()["status"]


def test_v1_tracker_visible_in_order(client: httpx.Client, emulator: PayPalEmulator) -> None:
    batch(client, tracker())
    order = client.get(f"/v2/checkout/orders/{ORDER_ID}").json()
    trackers = order["purchase_units"][0]["shipping"]["trackers"]
    assert [TRACKER_ID] == [item["id"] for item in trackers]
    assert "FEDEX" == emulator.tracker_details(ORDER_ID)[0]["carrier"]


def test_v1_put_seen_by_order(client: httpx.Client, emulator: PayPalEmulator) -> None:
    batch(client, tracker())
    put(client, tracker(status="DELIVERED"))
    assert "DELIVERED" == emulator.trackers(ORDER_ID)[0]["status"]


def test_v2_patch_cancels_v1_tracker(client: httpx.Client, emulator: PayPalEmulator) -> None:
    batch(client, tracker())
    patch = [{"op": "replace", "path": "/status", "value": "CANCELLED"}]
    response = client.patch(f"/v2/checkout/orders/{ORDER_ID}/trackers/{TRACKER_ID}", json=patch)
    assert 204 == response.status_code
    assert "CANCELLED" == emulator.shipping_trackers(CAPTURE_ID)[0]["status"]


def test_v2_patch_tracker_of_other_order(client: httpx.Client, emulator: PayPalEmulator) -> None:
    emulator.add_order("ORDER2", captures={"CAPTURE2": "COMPLETED"})
    batch(client, tracker())
    patch = [{"op": "replace", "path": "/status", "value": "CANCELLED"}]
    response = client.patch(f"/v2/checkout/orders/ORDER2/trackers/{TRACKER_ID}", json=patch)
    assert 404 == response.status_code


def test_lone_capture_not_in_orders(client: httpx.Client, emulator: PayPalEmulator) -> None:
    batch(client, tracker(transaction_id=LONE_CAPTURE_ID))
    assert [] == emulator.trackers(ORDER_ID)


# --- Request log and persistence --------------------------------------------------------------


def test_writes_count_v1_post_and_put(client: httpx.Client, emulator: PayPalEmulator) -> None:
    batch(client, tracker())
    client.get(f"/v1/shipping/trackers/{TRACKER_ID}")
    put(client, tracker(status="DELIVERED"))
    client.post("/v1/shipping/trackers", json={"trackers": [tracker(tracking_number="N2")]})
    assert ["POST", "PUT", "POST"] == [request.method for request in emulator.writes()]


def test_dump_load_keeps_v1_trackers(client: httpx.Client, emulator: PayPalEmulator) -> None:
    batch(
        client,
        tracker(shipment_date="2024-05-01", tracking_number_type="CARRIER_PROVIDED"),
        tracker(transaction_id=LONE_CAPTURE_ID, carrier="OTHER", carrier_name_other="Courier"),
    )
    loaded = PayPalEmulator.load(json.loads(json.dumps(emulator.dump())))
    assert emulator.dump() == loaded.dump()
    assert emulator.shipping_trackers(CAPTURE_ID) == loaded.shipping_trackers(CAPTURE_ID)
    assert emulator.shipping_trackers(LONE_CAPTURE_ID) == loaded.shipping_trackers(LONE_CAPTURE_ID)


def test_load_keeps_index_base() -> None:
    loaded = PayPalEmulator.load(PayPalEmulator(batch_error_index_base=0).dump())
    loaded.add_capture(CAPTURE_ID)
    with httpx.Client(transport=loaded, base_url=BASE_URL) as client:
        authorize(client)
        response = batch(client, tracker(status="SENT"))
    assert "/trackers/0/status" == item_error(response)["field"]


def test_loaded_tracker_still_duplicate(client: httpx.Client, emulator: PayPalEmulator) -> None:
    batch(client, tracker())
    loaded = PayPalEmulator.load(emulator.dump())
    with httpx.Client(transport=loaded, base_url=BASE_URL) as other:
        authorize(other)
        response = batch(other, tracker())
    assert "RESOURCE_CONFLICT" == response.json()["errors"][0]["name"]


def test_shipping_trackers_unknown_capture(emulator: PayPalEmulator) -> None:
    with pytest.raises(KeyError):
        emulator.shipping_trackers("UNKNOWN1")
