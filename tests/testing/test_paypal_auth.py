"""PayPalEmulator: OAuth scopes with their 403 responses, and the PayPal-Auth-Assertion header."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from tracksync.testing import PayPalEmulator

BASE_URL = "https://api-m.sandbox.paypal.com"
ORDER_ID = "5O190127TN364715T"
CAPTURE_ID = "8MC585209K746392H"
REFUND_ID = "1JU08902781691411"
TRACKER_ID = f"{CAPTURE_ID}-443844607820"

PAYMENT = "https://uri.paypal.com/services/payments/payment"
AUTHCAPTURE = "https://uri.paypal.com/services/payments/payment/authcapture"
REFUND = "https://uri.paypal.com/services/payments/refund"
READWRITE = "https://uri.paypal.com/services/shipping/trackers/readwrite"
READ = "https://uri.paypal.com/services/shipping/trackers/read"

V1_TRACKER = {
    "transaction_id": CAPTURE_ID,
    "tracking_number": "443844607820",
    "status": "SHIPPED",
    "carrier": "FEDEX",
}


def make_emulator(scopes: list[str] | None = None) -> PayPalEmulator:
    emulator = PayPalEmulator(scopes=scopes)
    emulator.add_order(
        ORDER_ID, captures={CAPTURE_ID: "COMPLETED"}, refunds={REFUND_ID: CAPTURE_ID}
    )
    return emulator


def token_body(emulator: PayPalEmulator) -> dict[str, Any]:
    with httpx.Client(transport=emulator, base_url=BASE_URL) as client:
        response = client.post(
            "/v1/oauth2/token",
            auth=(emulator.client_id, emulator.client_secret),
            data={"grant_type": "client_credentials"},
        )
    body: dict[str, Any] = response.json()
    return body


def call(
    emulator: PayPalEmulator,
    method: str,
    path: str,
    body: object = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    token = token_body(emulator)["access_token"]
    all_headers = {"Authorization": f"Bearer {token}", **(headers or {})}
    with httpx.Client(transport=emulator, base_url=BASE_URL, headers=all_headers) as client:
        return client.request(method, path, json=body)


def encode(part: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")


def assertion(payload: object, header: object = None) -> str:
    return f"{encode(header or {'alg': 'none'})}.{encode(payload)}."


#: One request per endpoint, with the scopes that grant it.
ENDPOINTS = [
    ("GET", f"/v2/checkout/orders/{ORDER_ID}", None, [PAYMENT]),
    (
        "POST",
        f"/v2/checkout/orders/{ORDER_ID}/track",
        {"capture_id": CAPTURE_ID, "tracking_number": "443844607820", "carrier": "FEDEX"},
        [PAYMENT],
    ),
    ("GET", f"/v2/payments/captures/{CAPTURE_ID}", None, [AUTHCAPTURE]),
    ("GET", f"/v2/payments/refunds/{REFUND_ID}", None, [REFUND]),
    ("POST", "/v1/shipping/trackers-batch", {"trackers": [V1_TRACKER]}, [READWRITE]),
    ("POST", "/v1/shipping/trackers", {"trackers": [V1_TRACKER]}, [READWRITE]),
    ("GET", f"/v1/shipping/trackers?transaction_id={CAPTURE_ID}", None, [READ, READWRITE]),
]


# --- Scopes -----------------------------------------------------------------------------------


def test_token_lists_every_scope_by_default() -> None:
    scope = token_body(make_emulator())["scope"]
    assert list(PayPalEmulator.ALL_SCOPES) == scope.split(" ")
    assert {PAYMENT, AUTHCAPTURE, REFUND, READWRITE, READ} == set(scope.split(" "))


def test_token_lists_given_scopes() -> None:
    scope = token_body(make_emulator([READWRITE, PAYMENT, READWRITE]))["scope"]
    assert f"{READWRITE} {PAYMENT}" == scope


def test_scopes_property() -> None:
    assert (READ,) == make_emulator([READ]).scopes


@pytest.mark.parametrize(("method", "path", "body", "granting"), ENDPOINTS)
def test_endpoint_granted_by_its_scope(
    method: str, path: str, body: object, granting: list[str]
) -> None:
    for scope in granting:
        response = call(make_emulator([scope]), method, path, body)
        assert response.status_code in {200, 201}, (scope, response.json())


@pytest.mark.parametrize(("method", "path", "body", "granting"), ENDPOINTS)
def test_endpoint_denied_without_its_scope(
    method: str, path: str, body: object, granting: list[str]
) -> None:
    others = [scope for scope in PayPalEmulator.ALL_SCOPES if scope not in granting]
    emulator = make_emulator(others)
    response = call(emulator, method, path, body)
    assert 403 == response.status_code
    assert "NOT_AUTHORIZED" == response.json()["name"]
    assert "Authorization failed due to insufficient permissions." == response.json()["message"]
    assert [] == emulator.tracker_details(ORDER_ID)


def test_orders_403_has_permission_denied() -> None:
    response = call(make_emulator([READWRITE]), "GET", f"/v2/checkout/orders/{ORDER_ID}")
    detail = response.json()["details"][0]
    assert "PERMISSION_DENIED" == detail["issue"]
    assert "location" not in detail
    assert response.json()["links"][0]["href"].endswith("#PERMISSION_DENIED")


def test_payments_403_has_permission_denied() -> None:
    response = call(make_emulator([PAYMENT]), "GET", f"/v2/payments/captures/{CAPTURE_ID}")
    assert "PERMISSION_DENIED" == response.json()["details"][0]["issue"]


def test_v1_403_has_no_details() -> None:
    response = call(make_emulator([PAYMENT]), "GET", f"/v1/shipping/trackers/{TRACKER_ID}")
    assert 403 == response.status_code
    assert "details" not in response.json()


def test_put_needs_readwrite() -> None:
    emulator = make_emulator([READ, PAYMENT])
    call(emulator, "POST", f"/v2/checkout/orders/{ORDER_ID}/track", ENDPOINTS[1][2])
    changed = {**V1_TRACKER, "status": "DELIVERED"}
    response = call(emulator, "PUT", f"/v1/shipping/trackers/{TRACKER_ID}", changed)
    assert 403 == response.status_code


def test_no_scopes_denies_everything() -> None:
    emulator = make_emulator([])
    assert "" == token_body(emulator)["scope"]
    assert 403 == call(emulator, "GET", f"/v2/checkout/orders/{ORDER_ID}").status_code


def test_unknown_path_is_404_before_scope() -> None:
    assert 404 == call(make_emulator([]), "GET", "/v2/unknown").status_code


def test_missing_token_is_401_before_scope() -> None:
    with httpx.Client(transport=make_emulator([]), base_url=BASE_URL) as client:
        response = client.get(f"/v2/checkout/orders/{ORDER_ID}")
    assert 401 == response.status_code


@pytest.mark.parametrize("scopes", [["has space"], [""], "https://uri.paypal.com/services/x"])
def test_invalid_scopes_rejected(scopes: Any) -> None:
    with pytest.raises(ValueError, match="scope"):
        PayPalEmulator(scopes=scopes)


def test_load_keeps_scopes() -> None:
    loaded = PayPalEmulator.load(make_emulator([READ]).dump())
    assert (READ,) == loaded.scopes
    assert 403 == call(loaded, "GET", f"/v2/checkout/orders/{ORDER_ID}").status_code


def test_load_keeps_all_scopes() -> None:
    loaded = PayPalEmulator.load(make_emulator().dump())
    assert PayPalEmulator.ALL_SCOPES == loaded.scopes


# --- PayPal-Auth-Assertion ---------------------------------------------------------------------


def test_assertion_with_payer_id_accepted() -> None:
    emulator = make_emulator()
    value = assertion({"iss": emulator.client_id, "payer_id": "C7CYMKZDG8D6E"})
    response = call(
        emulator, "GET", f"/v2/checkout/orders/{ORDER_ID}", headers={"PayPal-Auth-Assertion": value}
    )
    assert 200 == response.status_code
    assert [{"iss": emulator.client_id, "payer_id": "C7CYMKZDG8D6E"}] == emulator.auth_assertions()


def test_assertion_with_email_accepted() -> None:
    emulator = make_emulator()
    payload = {"iss": emulator.client_id, "email": "merchant@example.com"}
    headers = {"PayPal-Auth-Assertion": assertion(payload)}
    response = call(
        emulator, "POST", "/v1/shipping/trackers-batch", {"trackers": [V1_TRACKER]}, headers
    )
    assert 200 == response.status_code
    assert [payload] == emulator.auth_assertions()


def test_assertions_in_request_order() -> None:
    emulator = make_emulator()
    for payer_id in ["MERCHANT1", "MERCHANT2"]:
        value = assertion({"iss": emulator.client_id, "payer_id": payer_id})
        call(
            emulator,
            "GET",
            f"/v2/checkout/orders/{ORDER_ID}",
            headers={"PayPal-Auth-Assertion": value},
        )
    call(emulator, "GET", f"/v2/checkout/orders/{ORDER_ID}")
    assert ["MERCHANT1", "MERCHANT2"] == [item["payer_id"] for item in emulator.auth_assertions()]


def test_assertion_request_kept_in_log() -> None:
    emulator = make_emulator()
    value = assertion({"iss": emulator.client_id, "payer_id": "MERCHANT1"})
    call(
        emulator, "GET", f"/v2/checkout/orders/{ORDER_ID}", headers={"PayPal-Auth-Assertion": value}
    )
    assert value == emulator.requests[-1].headers["PayPal-Auth-Assertion"]


def test_clear_requests_clears_assertions() -> None:
    emulator = make_emulator()
    value = assertion({"iss": emulator.client_id, "payer_id": "MERCHANT1"})
    call(
        emulator, "GET", f"/v2/checkout/orders/{ORDER_ID}", headers={"PayPal-Auth-Assertion": value}
    )
    emulator.clear_requests()
    assert [] == emulator.auth_assertions()


NOT_JSON = base64.urlsafe_b64encode(b"not json").decode().rstrip("=")
MALFORMED = {
    "two parts": f"{encode({'alg': 'none'})}.{encode({'iss': 'emulator-client-id'})}",
    "four parts": assertion({"iss": "emulator-client-id", "payer_id": "M1"}) + ".x",
    "empty payload": f"{encode({'alg': 'none'})}..",
    "not base64url": "e30.e+/9.",
    "padding": f"{encode({'alg': 'none'})}.{encode({'iss': 'x'})}==.",
    "payload not json": f"{encode({'alg': 'none'})}.{NOT_JSON}.",
    "payload not object": assertion(["emulator-client-id"]),
    "header not object": assertion({"iss": "emulator-client-id", "payer_id": "M1"}, "none"),
    "wrong issuer": assertion({"iss": "other-client", "payer_id": "M1"}),
    "no issuer": assertion({"payer_id": "M1"}),
    "no merchant": assertion({"iss": "emulator-client-id"}),
    "empty payer_id": assertion({"iss": "emulator-client-id", "payer_id": ""}),
    "payer_id not string": assertion({"iss": "emulator-client-id", "payer_id": 7}),
}


@pytest.mark.parametrize("value", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_assertion_rejected(value: str) -> None:
    emulator = make_emulator()
    body = {"capture_id": CAPTURE_ID, "tracking_number": "443844607820", "carrier": "FEDEX"}
    response = call(
        emulator,
        "POST",
        f"/v2/checkout/orders/{ORDER_ID}/track",
        body,
        {"PayPal-Auth-Assertion": value},
    )
    assert 401 == response.status_code
    assert "AUTHENTICATION_FAILURE" == response.json()["name"]
    assert [] == emulator.tracker_details(ORDER_ID)
    assert [] == emulator.auth_assertions()
