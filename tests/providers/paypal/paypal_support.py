"""Golden payloads, sample values and response helpers for the PayPal adapter's tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from pytest_httpx import HTTPXMock

from tracksync import Item, PaymentRef, Shipment

GOLDEN = Path(__file__).parent / "golden"

BASE_URL = "https://api-m.sandbox.paypal.com"
ORDER_ID = "5O190127TN364715T"
CAPTURE_ID = "8MC585209K746392H"
CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret-s3cr3t"
TOKEN = "A21AA-golden-access-token"
REFUND_ID = "1JU08902781691411"
AUTHORIZATION_ID = "0VF52814937998046"

TOKEN_URL = f"{BASE_URL}/v1/oauth2/token"
ORDER_URL = f"{BASE_URL}/v2/checkout/orders/{ORDER_ID}"
CAPTURE_URL = f"{BASE_URL}/v2/payments/captures/{CAPTURE_ID}"
REFUND_URL = f"{BASE_URL}/v2/payments/refunds/{REFUND_ID}"
AUTHORIZATION_URL = f"{BASE_URL}/v2/payments/authorizations/{AUTHORIZATION_ID}"
V1_LIST_URL = f"{BASE_URL}/v1/shipping/trackers?transaction_id={CAPTURE_ID}"
V1_BATCH_URL = f"{BASE_URL}/v1/shipping/trackers-batch"
V1_TRACKER_URL = f"{BASE_URL}/v1/shipping/trackers/{CAPTURE_ID}-443844607820"


def load_golden(name: str) -> Any:
    """Read one JSON file from the golden folder."""
    return json.loads((GOLDEN / name).read_text(encoding="utf-8"))


def respond(status: int, body: Any = None, **headers: str) -> httpx.Response:
    """Build a response with a JSON, text or empty body, tied to a placeholder request."""
    request = httpx.Request("GET", BASE_URL)
    if body is None:
        return httpx.Response(status, headers=headers, request=request)
    if isinstance(body, (str, bytes)):
        return httpx.Response(status, content=body, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


def make_payment(payment_id: str = CAPTURE_ID, order_id: str | None = ORDER_ID) -> PaymentRef:
    return PaymentRef(provider="paypal", payment_id=payment_id, paypal_order_id=order_id)


def make_shipment(**changes: Any) -> Shipment:
    """The shipment that request_track.json describes, with any field changed."""
    fields: dict[str, Any] = {
        "tracking_number": "443844607820",
        "carrier": "FEDEX",
        "items": [Item(name="T-Shirt", quantity=2, sku="sku02"), Item(name="Socks")],
    }
    fields.update(changes)
    return Shipment(**fields)


def add_token(httpx_mock: HTTPXMock, token: str = TOKEN, *, reusable: bool = False) -> None:
    """Mock the token endpoint with the golden token."""
    body = dict(load_golden("token.json"), access_token=token)
    httpx_mock.add_response(method="POST", url=TOKEN_URL, json=body, is_reusable=reusable)


class FakeClock:
    """A monotonic clock that moves only when a test sets it."""

    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now
