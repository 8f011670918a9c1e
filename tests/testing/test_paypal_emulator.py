"""PayPalEmulator: OAuth, orders, trackers, errors, request log and persistence."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tracksync.testing import PayPalEmulator

BASE_URL = "https://api-m.sandbox.paypal.com"
ORDER_ID = "5O190127TN364715T"
CAPTURE_ID = "8MC585209K746392H"
TRACKING_NUMBER = "443844607820"
TRACKER_ID = f"{CAPTURE_ID}-{TRACKING_NUMBER}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@pytest.fixture
def emulator() -> PayPalEmulator:
    emulator = PayPalEmulator()
    emulator.add_order(ORDER_ID, captures={CAPTURE_ID: "COMPLETED"}, skus=["sku01", "sku02"])
    return emulator


def fetch_token(
    client: httpx.Client,
    client_id: str = "emulator-client-id",
    client_secret: str = "emulator-client-secret",
) -> httpx.Response:
    return client.post(
        "/v1/oauth2/token",
        auth=(client_id, client_secret),
        data={"grant_type": "client_credentials"},
    )


@pytest.fixture
def client(emulator: PayPalEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(transport=emulator, base_url=BASE_URL) as client:
        token = fetch_token(client).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def track(client: httpx.Client, order_id: str = ORDER_ID, **fields: Any) -> httpx.Response:
    body = {"capture_id": CAPTURE_ID, "tracking_number": TRACKING_NUMBER, "carrier": "FEDEX"}
    body.update(fields)
    return client.post(f"/v2/checkout/orders/{order_id}/track", json=body)


def patch(client: httpx.Client, operations: object, tracker_id: str = TRACKER_ID) -> httpx.Response:
    return client.patch(f"/v2/checkout/orders/{ORDER_ID}/trackers/{tracker_id}", json=operations)


def cancel(client: httpx.Client) -> httpx.Response:
    return patch(client, [{"op": "replace", "path": "/status", "value": "CANCELLED"}])


def detail(response: httpx.Response) -> dict[str, Any]:
    details: list[dict[str, Any]] = response.json()["details"]
    return details[0]


# --- OAuth ------------------------------------------------------------------------------------


def test_token_issued(emulator: PayPalEmulator) -> None:
    with httpx.Client(transport=emulator, base_url=BASE_URL) as client:
        response = fetch_token(client)
    body = response.json()
    assert 200 == response.status_code
    assert {"scope", "access_token", "token_type", "app_id", "expires_in", "nonce"} == set(body)
    assert "Bearer" == body["token_type"]
    assert 32400 == body["expires_in"]
    assert body["access_token"]


def test_token_lifetime_configurable() -> None:
    emulator = PayPalEmulator(token_lifetime=60)
    with httpx.Client(transport=emulator, base_url=BASE_URL) as client:
        response = fetch_token(client)
    assert 60 == response.json()["expires_in"]


def test_token_custom_credentials() -> None:
    emulator = PayPalEmulator("shop-id", "shop-secret")
    with httpx.Client(transport=emulator, base_url=BASE_URL) as client:
        response = fetch_token(client, "shop-id", "shop-secret")
    assert 200 == response.status_code


@pytest.mark.parametrize(
    ("client_id", "client_secret"),
    [("emulator-client-id", "wrong"), ("wrong", "emulator-client-secret")],
)
def test_token_wrong_credentials(
    emulator: PayPalEmulator, client_id: str, client_secret: str
) -> None:
    with httpx.Client(transport=emulator, base_url=BASE_URL) as client:
        response = fetch_token(client, client_id, client_secret)
    assert 401 == response.status_code
    assert {
        "error": "invalid_client",
        "error_description": "Client Authentication failed",
    } == response.json()


def test_token_without_basic_auth(emulator: PayPalEmulator) -> None:
    with httpx.Client(transport=emulator, base_url=BASE_URL) as client:
        response = client.post("/v1/oauth2/token", data={"grant_type": "client_credentials"})
    assert 401 == response.status_code


def test_token_wrong_grant(emulator: PayPalEmulator) -> None:
    with httpx.Client(transport=emulator, base_url=BASE_URL) as client:
        response = client.post(
            "/v1/oauth2/token",
            auth=("emulator-client-id", "emulator-client-secret"),
            data={"grant_type": "password"},
        )
    assert 400 == response.status_code
    assert "unsupported_grant_type" == response.json()["error"]


def test_token_missing_grant(emulator: PayPalEmulator) -> None:
    with httpx.Client(transport=emulator, base_url=BASE_URL) as client:
        response = client.post(
            "/v1/oauth2/token", auth=("emulator-client-id", "emulator-client-secret")
        )
    assert 400 == response.status_code
    assert "unsupported_grant_type" == response.json()["error"]


def test_token_get_not_allowed(emulator: PayPalEmulator) -> None:
    with httpx.Client(transport=emulator, base_url=BASE_URL) as client:
        response = client.get("/v1/oauth2/token")
    assert 405 == response.status_code
    assert "POST" == response.headers["Allow"]


# --- Bearer tokens and error shape ------------------------------------------------------------


def test_api_without_token(emulator: PayPalEmulator) -> None:
    with httpx.Client(transport=emulator, base_url=BASE_URL) as client:
        response = client.get(f"/v2/checkout/orders/{ORDER_ID}")
    body = response.json()
    assert 401 == response.status_code
    assert "AUTHENTICATION_FAILURE" == body["name"]
    assert body["message"]
    assert "information_link" == body["links"][0]["rel"]


def test_api_unknown_token(emulator: PayPalEmulator) -> None:
    with httpx.Client(transport=emulator, base_url=BASE_URL) as client:
        response = client.get(
            f"/v2/checkout/orders/{ORDER_ID}", headers={"Authorization": "Bearer made-up"}
        )
    assert 401 == response.status_code


def test_expired_tokens_rejected(emulator: PayPalEmulator, client: httpx.Client) -> None:
    emulator.expire_tokens()
    response = client.get(f"/v2/checkout/orders/{ORDER_ID}")
    assert 401 == response.status_code


def test_new_token_after_expiry(emulator: PayPalEmulator, client: httpx.Client) -> None:
    emulator.expire_tokens()
    token = fetch_token(client).json()["access_token"]
    response = client.get(
        f"/v2/checkout/orders/{ORDER_ID}", headers={"Authorization": f"Bearer {token}"}
    )
    assert 200 == response.status_code


def test_zero_lifetime_token_rejected() -> None:
    emulator = PayPalEmulator(token_lifetime=0)
    emulator.add_order(ORDER_ID, captures={CAPTURE_ID: "COMPLETED"})
    with httpx.Client(transport=emulator, base_url=BASE_URL) as client:
        token = fetch_token(client).json()["access_token"]
        response = client.get(
            f"/v2/checkout/orders/{ORDER_ID}", headers={"Authorization": f"Bearer {token}"}
        )
    assert 401 == response.status_code


def test_error_debug_id_header(client: httpx.Client) -> None:
    response = client.get("/v2/checkout/orders/UNKNOWN1")
    debug_id = response.json()["debug_id"]
    assert debug_id == response.headers["Paypal-Debug-Id"]
    assert re.fullmatch(r"[0-9a-f]+", debug_id)


def test_error_debug_ids_differ(client: httpx.Client) -> None:
    first = client.get("/v2/checkout/orders/UNKNOWN1").json()["debug_id"]
    second = client.get("/v2/checkout/orders/UNKNOWN1").json()["debug_id"]
    assert first != second


def test_error_information_link(client: httpx.Client) -> None:
    response = track(client, capture_id="NOTINORDER")
    expected = {
        "href": "https://developer.paypal.com/api/rest/reference/orders/v2/errors/#CAPTURE_ID_NOT_FOUND",
        "rel": "information_link",
        "method": "GET",
    }
    assert [expected] == response.json()["links"]


def test_success_has_debug_id_header(client: httpx.Client) -> None:
    response = client.get(f"/v2/checkout/orders/{ORDER_ID}")
    assert response.headers["Paypal-Debug-Id"]


# --- GET order --------------------------------------------------------------------------------


def test_get_order(client: httpx.Client) -> None:
    response = client.get(f"/v2/checkout/orders/{ORDER_ID}")
    order = response.json()
    unit = order["purchase_units"][0]
    assert 200 == response.status_code
    assert ORDER_ID == order["id"]
    assert "CAPTURE" == order["intent"]
    assert "COMPLETED" == order["status"]
    assert "default" == unit["reference_id"]
    assert ["sku01", "sku02"] == [item["sku"] for item in unit["items"]]
    assert [(CAPTURE_ID, "COMPLETED")] == [
        (capture["id"], capture["status"]) for capture in unit["payments"]["captures"]
    ]


def test_get_order_without_trackers(client: httpx.Client) -> None:
    order = client.get(f"/v2/checkout/orders/{ORDER_ID}").json()
    assert "trackers" not in order["purchase_units"][0]["shipping"]


def test_get_order_links(client: httpx.Client) -> None:
    order = client.get(f"/v2/checkout/orders/{ORDER_ID}").json()
    expected = [
        {"href": f"{BASE_URL}/v2/checkout/orders/{ORDER_ID}", "rel": "self", "method": "GET"}
    ]
    assert expected == order["links"]


def test_get_order_matches_inspection(emulator: PayPalEmulator, client: httpx.Client) -> None:
    track(client)
    response = client.get(f"/v2/checkout/orders/{ORDER_ID}")
    assert emulator.order(ORDER_ID) == response.json()


def test_order_approved_without_completed_capture(
    client: httpx.Client, emulator: PayPalEmulator
) -> None:
    emulator.add_order("PENDINGORDER1", captures={"PENDINGCAPTURE1": "PENDING"})
    order = client.get("/v2/checkout/orders/PENDINGORDER1").json()
    assert "APPROVED" == order["status"]


def test_order_completed_when_refunded(client: httpx.Client, emulator: PayPalEmulator) -> None:
    emulator.add_order("REFUNDEDORDER1", captures={"REFUNDEDCAPTURE1": "REFUNDED"})
    order = client.get("/v2/checkout/orders/REFUNDEDORDER1").json()
    assert "COMPLETED" == order["status"]


def test_order_authorizations_and_refunds(client: httpx.Client, emulator: PayPalEmulator) -> None:
    emulator.add_order(
        "MIXEDORDER1",
        captures={"CAPTUREA": "PARTIALLY_REFUNDED"},
        authorizations={"AUTHA": "CAPTURED"},
        refunds={"REFUNDA": "CAPTUREA"},
    )
    payments = client.get("/v2/checkout/orders/MIXEDORDER1").json()["purchase_units"][0]["payments"]
    assert [("AUTHA", "CAPTURED")] == [(a["id"], a["status"]) for a in payments["authorizations"]]
    assert ["REFUNDA"] == [refund["id"] for refund in payments["refunds"]]


def test_get_unknown_order(client: httpx.Client) -> None:
    response = client.get("/v2/checkout/orders/UNKNOWN1")
    assert 404 == response.status_code
    assert "RESOURCE_NOT_FOUND" == response.json()["name"]
    assert "INVALID_RESOURCE_ID" == detail(response)["issue"]
    assert "path" == detail(response)["location"]


# --- POST /track ------------------------------------------------------------------------------


def test_track_creates_tracker(client: httpx.Client, emulator: PayPalEmulator) -> None:
    response = track(client)
    tracker = emulator.trackers(ORDER_ID)[0]
    assert 201 == response.status_code
    assert TRACKER_ID == tracker["id"]
    assert "SHIPPED" == tracker["status"]
    assert RFC3339.match(tracker["create_time"])
    assert RFC3339.match(tracker["update_time"])


def test_track_tracker_fields(client: httpx.Client, emulator: PayPalEmulator) -> None:
    track(client, items=[{"name": "T-Shirt", "sku": "sku02", "quantity": "1"}])
    tracker = emulator.trackers(ORDER_ID)[0]
    assert ["id", "status", "items", "links", "create_time", "update_time"] == list(tracker)


def test_track_tracker_links(client: httpx.Client, emulator: PayPalEmulator) -> None:
    track(client)
    order_url = f"{BASE_URL}/v2/checkout/orders/{ORDER_ID}"
    expected = [
        {"href": order_url, "rel": "up", "method": "GET"},
        {"href": f"{order_url}/trackers/{TRACKER_ID}", "rel": "update", "method": "PATCH"},
    ]
    assert expected == emulator.trackers(ORDER_ID)[0]["links"]


def test_track_returns_order(client: httpx.Client) -> None:
    order = track(client).json()
    trackers = order["purchase_units"][0]["shipping"]["trackers"]
    assert ORDER_ID == order["id"]
    assert [TRACKER_ID] == [tracker["id"] for tracker in trackers]


def test_track_details_keep_carrier(client: httpx.Client, emulator: PayPalEmulator) -> None:
    track(client, carrier="OTHER", carrier_name_other="Local Courier", notify_payer=True)
    details = emulator.tracker_details(ORDER_ID)[0]
    assert "OTHER" == details["carrier"]
    assert "Local Courier" == details["carrier_name_other"]
    assert TRACKING_NUMBER == details["tracking_number"]
    assert CAPTURE_ID == details["capture_id"]
    assert details["notify_payer"] is True


def test_track_same_again_unchanged(client: httpx.Client, emulator: PayPalEmulator) -> None:
    track(client)
    before = emulator.tracker_details(ORDER_ID)
    response = track(client, carrier="UPS")
    assert 200 == response.status_code
    assert before == emulator.tracker_details(ORDER_ID)


def test_track_second_number_adds_tracker(client: httpx.Client, emulator: PayPalEmulator) -> None:
    track(client)
    response = track(client, tracking_number="1Z999AA10123456784", carrier="UPS")
    assert 201 == response.status_code
    assert 2 == len(emulator.trackers(ORDER_ID))


def test_track_cancelled_tracker_revived(client: httpx.Client, emulator: PayPalEmulator) -> None:
    track(client)
    cancel(client)
    response = track(client, carrier="UPS")
    details = emulator.tracker_details(ORDER_ID)
    assert 201 == response.status_code
    assert ["SHIPPED"] == [tracker["status"] for tracker in details]
    assert "UPS" == details[0]["carrier"]


def test_track_unknown_order(client: httpx.Client) -> None:
    response = track(client, order_id="UNKNOWN1")
    assert 404 == response.status_code
    assert "INVALID_RESOURCE_ID" == detail(response)["issue"]


def test_track_body_array(client: httpx.Client) -> None:
    response = client.post(f"/v2/checkout/orders/{ORDER_ID}/track", json=[])
    assert 400 == response.status_code
    assert "MALFORMED_REQUEST_JSON" == detail(response)["issue"]


def test_track_body_not_json(client: httpx.Client) -> None:
    response = client.post(
        f"/v2/checkout/orders/{ORDER_ID}/track",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert 400 == response.status_code
    assert "MALFORMED_REQUEST_JSON" == detail(response)["issue"]


def test_track_form_body(client: httpx.Client) -> None:
    response = client.post(f"/v2/checkout/orders/{ORDER_ID}/track", data={"capture_id": CAPTURE_ID})
    assert 415 == response.status_code
    assert "UNSUPPORTED_MEDIA_TYPE" == response.json()["name"]


def test_track_missing_capture_id(client: httpx.Client) -> None:
    response = client.post(
        f"/v2/checkout/orders/{ORDER_ID}/track",
        json={"tracking_number": TRACKING_NUMBER, "carrier": "FEDEX"},
    )
    assert 400 == response.status_code
    assert "INVALID_REQUEST" == response.json()["name"]
    assert "MISSING_REQUIRED_PARAMETER" == detail(response)["issue"]
    assert "/capture_id" == detail(response)["field"]


def test_track_capture_id_syntax(client: httpx.Client) -> None:
    response = track(client, capture_id="8MC5-85209")
    assert "INVALID_PARAMETER_SYNTAX" == detail(response)["issue"]


def test_track_missing_tracking_number(client: httpx.Client) -> None:
    response = client.post(
        f"/v2/checkout/orders/{ORDER_ID}/track", json={"capture_id": CAPTURE_ID, "carrier": "FEDEX"}
    )
    assert "MISSING_REQUIRED_PARAMETER" == detail(response)["issue"]
    assert "/tracking_number" == detail(response)["field"]


@pytest.mark.parametrize("tracking_number", ["", "9" * 65])
def test_track_tracking_number_length(client: httpx.Client, tracking_number: str) -> None:
    response = track(client, tracking_number=tracking_number)
    assert 400 == response.status_code
    assert "INVALID_STRING_LENGTH" == detail(response)["issue"]
    assert "/tracking_number" == detail(response)["field"]


def test_track_tracking_number_max_length(client: httpx.Client) -> None:
    response = track(client, tracking_number="9" * 64)
    assert 201 == response.status_code


def test_track_tracking_number_type(client: httpx.Client) -> None:
    response = track(client, tracking_number=443844607820)
    assert 400 == response.status_code
    assert "/tracking_number" == detail(response)["field"]


def test_track_missing_carrier(client: httpx.Client) -> None:
    response = client.post(
        f"/v2/checkout/orders/{ORDER_ID}/track",
        json={"capture_id": CAPTURE_ID, "tracking_number": TRACKING_NUMBER},
    )
    assert "MISSING_REQUIRED_PARAMETER" == detail(response)["issue"]
    assert "/carrier" == detail(response)["field"]


@pytest.mark.parametrize("carrier", ["fedex", "DHL-EXPRESS", "UPS "])
def test_track_carrier_pattern(client: httpx.Client, carrier: str) -> None:
    response = track(client, carrier=carrier)
    assert 400 == response.status_code
    assert "INVALID_PARAMETER_VALUE" == detail(response)["issue"]
    assert "/carrier" == detail(response)["field"]


def test_track_carrier_not_in_enum_accepted(client: httpx.Client) -> None:
    response = track(client, carrier="SOME_NEW_CARRIER_2030")
    assert 201 == response.status_code


def test_track_other_needs_name(client: httpx.Client) -> None:
    response = track(client, carrier="OTHER")
    assert "MISSING_REQUIRED_PARAMETER" == detail(response)["issue"]
    assert "/carrier_name_other" == detail(response)["field"]


@pytest.mark.parametrize("name", ["", "x" * 65])
def test_track_other_name_length(client: httpx.Client, name: str) -> None:
    response = track(client, carrier="OTHER", carrier_name_other=name)
    assert "INVALID_STRING_LENGTH" == detail(response)["issue"]
    assert "/carrier_name_other" == detail(response)["field"]


def test_track_other_with_name(client: httpx.Client) -> None:
    response = track(client, carrier="OTHER", carrier_name_other="x" * 64)
    assert 201 == response.status_code


def test_track_notify_payer_type(client: httpx.Client) -> None:
    response = track(client, notify_payer="yes")
    assert 400 == response.status_code
    assert "/notify_payer" == detail(response)["field"]


def test_track_unknown_field(client: httpx.Client) -> None:
    response = track(client, transaction_id=CAPTURE_ID)
    assert 400 == response.status_code
    assert "/transaction_id" == detail(response)["field"]


@pytest.mark.parametrize("quantity", ["0", "01", "1.5", "-1", "12345678901", 1])
def test_track_item_quantity_rejected(client: httpx.Client, quantity: object) -> None:
    response = track(client, items=[{"sku": "sku01", "quantity": quantity}])
    assert 400 == response.status_code
    assert "/items/0/quantity" == detail(response)["field"]


@pytest.mark.parametrize("quantity", ["1", "12", "9999999999"])
def test_track_item_quantity_accepted(client: httpx.Client, quantity: str) -> None:
    response = track(client, items=[{"sku": "sku01", "quantity": quantity}])
    assert 201 == response.status_code


@pytest.mark.parametrize("key", ["name", "sku"])
def test_track_item_text_too_long(client: httpx.Client, key: str) -> None:
    item = {"name": "T-Shirt", "sku": "sku01", key: "x" * 128}
    response = track(client, items=[item])
    assert "INVALID_STRING_LENGTH" == detail(response)["issue"]
    assert f"/items/0/{key}" == detail(response)["field"]


def test_track_item_name_max_length(client: httpx.Client) -> None:
    response = track(client, items=[{"name": "x" * 127, "sku": "sku01"}])
    assert 201 == response.status_code


def test_track_items_not_array(client: httpx.Client) -> None:
    response = track(client, items={"sku": "sku01"})
    assert 400 == response.status_code
    assert "/items" == detail(response)["field"]


def test_track_multiple_purchase_units(client: httpx.Client, emulator: PayPalEmulator) -> None:
    emulator.add_order("MSPORDER1", captures={"MSPCAPTURE1": "COMPLETED"}, purchase_units=2)
    response = track(client, order_id="MSPORDER1", capture_id="MSPCAPTURE1")
    assert 422 == response.status_code
    assert "UNPROCESSABLE_ENTITY" == response.json()["name"]
    assert "MSP_NOT_SUPPORTED" == detail(response)["issue"]


def test_track_unknown_capture(client: httpx.Client) -> None:
    response = track(client, capture_id="NOTINORDER")
    assert 422 == response.status_code
    assert "CAPTURE_ID_NOT_FOUND" == detail(response)["issue"]


def test_track_capture_of_other_order(client: httpx.Client, emulator: PayPalEmulator) -> None:
    emulator.add_order("OTHERORDER1", captures={"OTHERCAPTURE1": "COMPLETED"})
    response = track(client, capture_id="OTHERCAPTURE1")
    assert "CAPTURE_ID_NOT_FOUND" == detail(response)["issue"]


@pytest.mark.parametrize("status", ["PENDING", "REFUNDED", "DECLINED", "FAILED"])
def test_track_capture_status_rejected(
    client: httpx.Client, emulator: PayPalEmulator, status: str
) -> None:
    emulator.set_capture_status(CAPTURE_ID, status)
    response = track(client)
    assert 422 == response.status_code
    assert "CAPTURE_STATUS_NOT_VALID" == detail(response)["issue"]


def test_track_partially_refunded_capture(client: httpx.Client, emulator: PayPalEmulator) -> None:
    emulator.set_capture_status(CAPTURE_ID, "PARTIALLY_REFUNDED")
    response = track(client)
    assert 201 == response.status_code


def test_track_sku_mismatch(client: httpx.Client) -> None:
    response = track(client, items=[{"sku": "sku99", "quantity": "1"}])
    assert 422 == response.status_code
    assert "ITEM_SKU_MISMATCH" == detail(response)["issue"]
    assert "/items/0/sku" == detail(response)["field"]


def test_track_any_sku_without_seeded_skus(client: httpx.Client, emulator: PayPalEmulator) -> None:
    emulator.add_order("NOSKUORDER1", captures={"NOSKUCAPTURE1": "COMPLETED"})
    response = track(
        client, order_id="NOSKUORDER1", capture_id="NOSKUCAPTURE1", items=[{"sku": "anything"}]
    )
    assert 201 == response.status_code


def test_track_rejected_changes_nothing(client: httpx.Client, emulator: PayPalEmulator) -> None:
    track(client, items=[{"sku": "sku99"}])
    assert [] == emulator.trackers(ORDER_ID)


# --- PATCH tracker ----------------------------------------------------------------------------


def test_patch_cancel(client: httpx.Client, emulator: PayPalEmulator) -> None:
    track(client)
    response = cancel(client)
    assert 204 == response.status_code
    assert b"" == response.content
    assert "CANCELLED" == emulator.trackers(ORDER_ID)[0]["status"]


def test_patch_cancel_twice(client: httpx.Client) -> None:
    track(client)
    cancel(client)
    response = cancel(client)
    assert 422 == response.status_code
    assert "UNPROCESSABLE_ENTITY" == response.json()["name"]
    assert "INVALID_PARAMETER_VALUE" == detail(response)["issue"]
    assert "already has status CANCELLED" in detail(response)["description"]


def test_patch_unknown_tracker(client: httpx.Client) -> None:
    response = cancel(client)
    assert 404 == response.status_code
    assert "TRACKER_ID_NOT_FOUND" == detail(response)["issue"]


def test_patch_unknown_order(client: httpx.Client) -> None:
    response = client.patch(
        f"/v2/checkout/orders/UNKNOWN1/trackers/{TRACKER_ID}",
        json=[{"op": "replace", "path": "/status", "value": "CANCELLED"}],
    )
    assert 404 == response.status_code
    assert "INVALID_RESOURCE_ID" == detail(response)["issue"]


@pytest.mark.parametrize("body", [[], {"op": "replace"}, "CANCELLED"])
def test_patch_malformed_body(client: httpx.Client, body: object) -> None:
    track(client)
    response = patch(client, body)
    assert 400 == response.status_code
    assert "INVALID_REQUEST" == response.json()["name"]
    assert "MALFORMED_REQUEST_JSON" == detail(response)["issue"]


@pytest.mark.parametrize("value", ["SHIPPED", "DELIVERED", "cancelled"])
def test_patch_status_value(client: httpx.Client, value: str) -> None:
    track(client)
    response = patch(client, [{"op": "replace", "path": "/status", "value": value}])
    assert 400 == response.status_code
    assert "INVALID_PARAMETER_VALUE" == detail(response)["issue"]


@pytest.mark.parametrize("op", ["add", "remove"])
def test_patch_status_other_op(client: httpx.Client, op: str) -> None:
    track(client)
    response = patch(client, [{"op": op, "path": "/status", "value": "CANCELLED"}])
    assert 400 == response.status_code
    assert "INVALID_PATCH_OPERATION" == detail(response)["issue"]


def test_patch_unknown_op(client: httpx.Client) -> None:
    track(client)
    response = patch(client, [{"op": "merge", "path": "/status", "value": "CANCELLED"}])
    assert 400 == response.status_code
    assert "INVALID_PATCH_OPERATION" == detail(response)["issue"]


@pytest.mark.parametrize("path", ["/carrier", "/tracking_number", "/id"])
def test_patch_field_not_patchable(client: httpx.Client, path: str) -> None:
    track(client)
    response = patch(client, [{"op": "replace", "path": path, "value": "UPS"}])
    assert 400 == response.status_code
    assert "FIELD_NOT_PATCHABLE" == detail(response)["issue"]


def test_patch_missing_value(client: httpx.Client) -> None:
    track(client)
    response = patch(client, [{"op": "replace", "path": "/status"}])
    assert 422 == response.status_code
    assert "PATCH_VALUE_REQUIRED" == detail(response)["issue"]


def test_patch_missing_path(client: httpx.Client) -> None:
    track(client)
    response = patch(client, [{"op": "replace", "value": "CANCELLED"}])
    assert 422 == response.status_code
    assert "PATCH_PATH_REQUIRED" == detail(response)["issue"]


def test_patch_items(client: httpx.Client, emulator: PayPalEmulator) -> None:
    track(client)
    items = [{"name": "Mug", "sku": "sku02", "quantity": "2"}]
    response = patch(client, [{"op": "replace", "path": "/items", "value": items}])
    assert 204 == response.status_code
    assert items == emulator.trackers(ORDER_ID)[0]["items"]


def test_patch_items_sku_mismatch(client: httpx.Client) -> None:
    track(client)
    response = patch(client, [{"op": "replace", "path": "/items", "value": [{"sku": "sku99"}]}])
    assert 422 == response.status_code
    assert "ITEM_SKU_MISMATCH" == detail(response)["issue"]


def test_patch_items_bad_quantity(client: httpx.Client) -> None:
    track(client)
    response = patch(client, [{"op": "replace", "path": "/items", "value": [{"quantity": "0"}]}])
    assert 400 == response.status_code
    assert "/items/0/quantity" == detail(response)["field"]


@pytest.mark.parametrize("op", ["add", "replace"])
def test_patch_notify_payer(client: httpx.Client, emulator: PayPalEmulator, op: str) -> None:
    track(client)
    response = patch(client, [{"op": op, "path": "/notify_payer", "value": True}])
    assert 204 == response.status_code
    assert emulator.tracker_details(ORDER_ID)[0]["notify_payer"] is True


def test_patch_applies_all_or_nothing(client: httpx.Client, emulator: PayPalEmulator) -> None:
    track(client)
    response = patch(
        client,
        [
            {"op": "replace", "path": "/status", "value": "CANCELLED"},
            {"op": "replace", "path": "/carrier", "value": "UPS"},
        ],
    )
    assert 400 == response.status_code
    assert "SHIPPED" == emulator.trackers(ORDER_ID)[0]["status"]


def test_patch_encoded_tracker_id(client: httpx.Client, emulator: PayPalEmulator) -> None:
    track(client, tracking_number="AB/12 3")
    response = patch(
        client,
        [{"op": "replace", "path": "/status", "value": "CANCELLED"}],
        tracker_id=f"{CAPTURE_ID}-AB%2F12%203",
    )
    assert 204 == response.status_code
    assert "CANCELLED" == emulator.trackers(ORDER_ID)[0]["status"]


# --- Routing ----------------------------------------------------------------------------------


def test_unknown_path(client: httpx.Client) -> None:
    response = client.get("/v2/checkout/widgets")
    assert 404 == response.status_code
    assert "RESOURCE_NOT_FOUND" == response.json()["name"]


def test_wrong_method(client: httpx.Client) -> None:
    response = client.delete(f"/v2/checkout/orders/{ORDER_ID}")
    assert 405 == response.status_code
    assert "GET" == response.headers["Allow"]


# --- Seeding and inspection -------------------------------------------------------------------


@pytest.mark.parametrize("order_id", ["", "lowercase1", "WITH-DASH", "X" * 37])
def test_add_order_invalid_id(order_id: str) -> None:
    with pytest.raises(ValueError, match="Order id"):
        PayPalEmulator().add_order(order_id)


def test_add_order_duplicate(emulator: PayPalEmulator) -> None:
    with pytest.raises(ValueError, match="already exists"):
        emulator.add_order(ORDER_ID)


def test_add_order_unknown_capture_status() -> None:
    with pytest.raises(ValueError, match="unknown status 'CAPTURED'"):
        PayPalEmulator().add_order(ORDER_ID, captures={CAPTURE_ID: "CAPTURED"})


def test_add_order_unknown_authorization_status() -> None:
    with pytest.raises(ValueError, match="unknown status"):
        PayPalEmulator().add_order(ORDER_ID, authorizations={"AUTH1": "COMPLETED"})


def test_add_order_refund_of_unknown_capture() -> None:
    with pytest.raises(ValueError, match="not among"):
        PayPalEmulator().add_order(ORDER_ID, refunds={"REFUND1": CAPTURE_ID})


def test_add_order_capture_id_reused(emulator: PayPalEmulator) -> None:
    with pytest.raises(ValueError, match="more than once"):
        emulator.add_order("SECONDORDER1", captures={CAPTURE_ID: "COMPLETED"})


@pytest.mark.parametrize("purchase_units", [0, 11])
def test_add_order_purchase_units(purchase_units: int) -> None:
    with pytest.raises(ValueError, match="purchase_units"):
        PayPalEmulator().add_order(ORDER_ID, purchase_units=purchase_units)


def test_set_capture_status_unknown_capture(emulator: PayPalEmulator) -> None:
    with pytest.raises(KeyError):
        emulator.set_capture_status("NOSUCHCAPTURE", "REFUNDED")


def test_set_capture_status_unknown_status(emulator: PayPalEmulator) -> None:
    with pytest.raises(ValueError, match="Unknown capture status"):
        emulator.set_capture_status(CAPTURE_ID, "DONE")


def test_order_unknown(emulator: PayPalEmulator) -> None:
    with pytest.raises(KeyError):
        emulator.order("UNKNOWN1")


def test_trackers_hide_carrier(client: httpx.Client, emulator: PayPalEmulator) -> None:
    track(client)
    tracker = emulator.trackers(ORDER_ID)[0]
    assert "carrier" not in tracker
    assert "tracking_number" not in tracker


def test_negative_token_lifetime() -> None:
    with pytest.raises(ValueError, match="token_lifetime"):
        PayPalEmulator(token_lifetime=-1)


# --- Request log ------------------------------------------------------------------------------


def test_request_log_order(emulator: PayPalEmulator, client: httpx.Client) -> None:
    client.get(f"/v2/checkout/orders/{ORDER_ID}")
    track(client)
    expected = [
        ("POST", "/v1/oauth2/token"),
        ("GET", f"/v2/checkout/orders/{ORDER_ID}"),
        ("POST", f"/v2/checkout/orders/{ORDER_ID}/track"),
    ]
    assert expected == [(request.method, request.url.path) for request in emulator.requests]


def test_request_log_keeps_body(emulator: PayPalEmulator, client: httpx.Client) -> None:
    track(client)
    body = json.loads(emulator.requests[-1].content)
    assert CAPTURE_ID == body["capture_id"]


def test_writes_skip_reads_and_tokens(emulator: PayPalEmulator, client: httpx.Client) -> None:
    client.get(f"/v2/checkout/orders/{ORDER_ID}")
    track(client)
    cancel(client)
    assert ["POST", "PATCH"] == [request.method for request in emulator.writes()]


def test_rejected_requests_logged(emulator: PayPalEmulator, client: httpx.Client) -> None:
    track(client, capture_id="NOTINORDER")
    assert 1 == len(emulator.writes())


def test_clear_requests(emulator: PayPalEmulator, client: httpx.Client) -> None:
    track(client)
    emulator.clear_requests()
    assert [] == emulator.requests
    assert 1 == len(emulator.trackers(ORDER_ID))


# --- Persistence ------------------------------------------------------------------------------


def test_dump_is_json(emulator: PayPalEmulator, client: httpx.Client) -> None:
    track(client)
    dumped = emulator.dump()
    assert dumped == json.loads(json.dumps(dumped))


def test_dump_load_round_trip(emulator: PayPalEmulator, client: httpx.Client) -> None:
    track(client, items=[{"sku": "sku01", "quantity": "1"}])
    cancel(client)
    loaded = PayPalEmulator.load(json.loads(json.dumps(emulator.dump())))
    assert emulator.dump() == loaded.dump()


def test_load_keeps_tokens(emulator: PayPalEmulator, client: httpx.Client) -> None:
    loaded = PayPalEmulator.load(emulator.dump())
    with httpx.Client(transport=loaded, base_url=BASE_URL, headers=client.headers) as other:
        response = other.get(f"/v2/checkout/orders/{ORDER_ID}")
    assert 200 == response.status_code


def test_load_keeps_credentials() -> None:
    loaded = PayPalEmulator.load(PayPalEmulator("shop-id", "shop-secret", token_lifetime=5).dump())
    with httpx.Client(transport=loaded, base_url=BASE_URL) as client:
        response = fetch_token(client, "shop-id", "shop-secret")
    assert 5 == response.json()["expires_in"]


def test_load_leaves_request_log(emulator: PayPalEmulator, client: httpx.Client) -> None:
    track(client)
    loaded = PayPalEmulator.load(emulator.dump())
    assert [] == loaded.requests


def test_load_wrong_format(emulator: PayPalEmulator) -> None:
    dumped = emulator.dump()
    dumped["format"] = "StripeEmulator"
    with pytest.raises(ValueError, match="format"):
        PayPalEmulator.load(dumped)


def test_load_wrong_version(emulator: PayPalEmulator) -> None:
    dumped = emulator.dump()
    dumped["version"] = 99
    with pytest.raises(ValueError, match="version"):
        PayPalEmulator.load(dumped)


def test_load_malformed_state(emulator: PayPalEmulator) -> None:
    dumped = emulator.dump()
    del dumped["state"]["orders"][ORDER_ID]["captures"]
    with pytest.raises(ValueError, match="malformed"):
        PayPalEmulator.load(dumped)


# --- Threads ----------------------------------------------------------------------------------


def test_concurrent_tracks(emulator: PayPalEmulator, client: httpx.Client) -> None:
    def post(number: int) -> None:
        track(client, tracking_number=f"NUMBER{number}")

    threads = [threading.Thread(target=post, args=(number,)) for number in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 20 == len(emulator.trackers(ORDER_ID))
    assert 21 == len(emulator.requests)
