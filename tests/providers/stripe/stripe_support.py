"""Golden payloads, sample values, request checks and a stateful Stripe fake for the tests.

Golden request files are compared field by field. After a deliberate change to what
tracksync sends, run the tests once with ``TRACKSYNC_UPDATE_GOLDEN=1`` to rewrite them,
and review the diff.
"""

from __future__ import annotations

import copy
import datetime
import json
import os
import re
import urllib.parse
from pathlib import Path
from typing import Any

import httpx
from pytest_httpx import HTTPXMock

from spec_validation import parse_form
from tracksync import Address, Change, ChangeKind, PaymentRef, Shipment, ShipmentStatus

GOLDEN = Path(__file__).parent / "golden"

KEY = "sk_test_51QmZ8tLkdIwHu7ixSecretKeyValue00"
BASE = "http://127.0.0.1:12111"
PI = "pi_3QmZ8tLkdIwHu7ix0aBcDeFg"
CHARGE = "ch_3QmZ8tLkdIwHu7ix0sKzq4Vb"
OWN_CHARGE = "ch_3QmZ9eLkdIwHu7ix5ChargeQ"
SESSION = "cs_test_a1Qm9ZtLkdIwHu7ixSessionB0c1D2e3F4g5H6"
OPEN_SESSION = "cs_test_b2Rn0AuMleJxIv8jyOpenC1d2E3f4G5h6I7"
CONNECTED = "acct_1QmZ7rLkdIwHu7ix"

PI_URL = f"{BASE}/v1/payment_intents/{PI}"
PI_READ_URL = f"{PI_URL}?expand[]=latest_charge"
CHARGE_URL = f"{BASE}/v1/charges/{CHARGE}"
OWN_CHARGE_URL = f"{BASE}/v1/charges/{OWN_CHARGE}"
SESSION_URL = f"{BASE}/v1/checkout/sessions/{SESSION}?expand[]=payment_intent.latest_charge"

SHOP_ADDRESS = Address(line1="1 High Street", city="Leeds", postal_code="LS1 1AA", country="GB")

UPS = "1Z999AA10123456784"
DHL = "JD014600006281230704"
USPS = "9400111899560000000000"


def golden(name: str) -> dict[str, Any]:
    """Read one JSON file from the golden folder."""
    data: dict[str, Any] = json.loads((GOLDEN / name).read_text(encoding="utf-8"))
    return data


def intent(
    tracking_number: str | None = None,
    carrier: str | None = None,
    *,
    metadata: dict[str, str] | None = None,
    status: str = "succeeded",
    charge: dict[str, Any] | None = None,
    shipping: bool = True,
) -> dict[str, Any]:
    """A PaymentIntent read with its latest Charge expanded, with the given tracking."""
    body = golden("payment_intent_expanded_charge.json")
    body["status"] = status
    if shipping:
        body["shipping"]["tracking_number"] = tracking_number
        body["shipping"]["carrier"] = carrier
    else:
        body["shipping"] = None
    if metadata is not None:
        body["metadata"] = metadata
    if charge is not None:
        body["latest_charge"] = charge
    return body


def charge(
    tracking_number: str | None = None,
    carrier: str | None = None,
    *,
    metadata: dict[str, str] | None = None,
    own: bool = False,
) -> dict[str, Any]:
    """A Charge: the PaymentIntent's latest one, or with ``own`` the one read by its id."""
    if own:
        body = golden("charge_succeeded.json")
    else:
        body = golden("payment_intent_expanded_charge.json")["latest_charge"]
    body["shipping"]["tracking_number"] = tracking_number
    body["shipping"]["carrier"] = carrier
    if metadata is not None:
        body["metadata"] = metadata
    return body


def ref(payment_id: str = PI, account: str | None = None) -> PaymentRef:
    return PaymentRef(provider="stripe", payment_id=payment_id, account=account)


def change(
    kind: ChangeKind,
    number: str,
    carrier: str = "UPS",
    *,
    status: ShipmentStatus = ShipmentStatus.SHIPPED,
    shipped_on: datetime.date | None = None,
    payment_id: str = PI,
    account: str | None = None,
    recipient_name: str | None = None,
    ship_to: Address | None = None,
) -> Change:
    return Change(
        kind=kind,
        order_id="1001",
        payment=ref(payment_id, account),
        shipment=Shipment(
            tracking_number=number, carrier=carrier, status=status, shipped_on=shipped_on
        ),
        recipient_name=recipient_name,
        ship_to=ship_to,
    )


def posted(httpx_mock: HTTPXMock) -> list[httpx.Request]:
    return [request for request in httpx_mock.get_requests() if request.method == "POST"]


def sent_form(request: httpx.Request) -> dict[str, Any]:
    return parse_form(request.content.decode())


def request_record(request: httpx.Request) -> dict[str, Any]:
    """Describe a request the way golden request files store it."""
    body = request.content.decode()
    return {
        "method": request.method,
        "path": request.url.raw_path.decode(),
        "headers": {
            name: request.headers.get(name)
            for name in ("Idempotency-Key", "Stripe-Account", "Content-Type")
        },
        "form": body.split("&") if body else [],
    }


def assert_golden_request(name: str, request: httpx.Request) -> None:
    """Compare a request with its golden file: line, headers and the exact form body."""
    if os.environ.get("TRACKSYNC_UPDATE_GOLDEN") == "1":
        text = json.dumps(request_record(request), indent=2, ensure_ascii=False)
        (GOLDEN / name).write_text(text + "\n", encoding="utf-8")
    assert golden(name) == request_record(request)


class FakeStripe:
    """Keeps PaymentIntents, Charges and Checkout Sessions and applies form updates to them.

    It expands ``latest_charge`` and ``payment_intent.latest_charge`` when asked. It
    replays a POST whose Idempotency-Key and body came before (with
    ``Idempotent-Replayed: true``) and rejects a key reused with another body
    (``idempotency_error``). It enforces Stripe's metadata limits. With
    ``reject_intent_shipping`` it rejects shipping updates of PaymentIntents with
    ``payment_intent_unexpected_state``.
    """

    def __init__(self, *, reject_intent_shipping: bool = False) -> None:
        self.reject_intent_shipping = reject_intent_shipping
        self.intents: dict[str, dict[str, Any]] = {}
        self.charges: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.keys: list[str] = []
        self.saved: dict[str, tuple[str, httpx.Response]] = {}

    def add_intent(self, body: dict[str, Any]) -> None:
        body = copy.deepcopy(body)
        latest = body.get("latest_charge")
        if isinstance(latest, dict):
            self.charges[latest["id"]] = latest
            body["latest_charge"] = latest["id"]
        self.intents[body["id"]] = body

    def add_charge(self, body: dict[str, Any]) -> None:
        self.charges[body["id"]] = copy.deepcopy(body)

    def add_session(self, body: dict[str, Any]) -> None:
        body = copy.deepcopy(body)
        if isinstance(body.get("payment_intent"), dict):
            self.add_intent(body["payment_intent"])
            body["payment_intent"] = body["payment_intent"]["id"]
        self.sessions[body["id"]] = body

    def intent(self, intent_id: str = PI) -> dict[str, Any]:
        return self.intents[intent_id]

    def charge(self, charge_id: str = CHARGE) -> dict[str, Any]:
        return self.charges[charge_id]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        expand = parse_form(request.url.query.decode()).get("expand", [])
        match = re.fullmatch(r"/v1/(payment_intents|charges|checkout/sessions)/([^/]+)", path)
        assert match is not None, path
        collection, object_id = match.group(1), urllib.parse.unquote(match.group(2))
        if request.method == "GET":
            return self._get(collection, object_id, expand)
        return self._post(request, collection, object_id)

    def _get(self, collection: str, object_id: str, expand: list[str]) -> httpx.Response:
        if collection == "checkout/sessions":
            body = copy.deepcopy(self.sessions[object_id])
            if "payment_intent.latest_charge" in expand and body["payment_intent"]:
                body["payment_intent"] = self._expanded_intent(body["payment_intent"])
            return httpx.Response(200, json=body, headers={"Request-Id": "req_get"})
        store = self.intents if collection == "payment_intents" else self.charges
        if object_id not in store:
            return httpx.Response(404, json=golden("error_resource_missing.json"))
        body = copy.deepcopy(store[object_id])
        if collection == "payment_intents" and "latest_charge" in expand:
            body = self._expanded_intent(object_id)
        return httpx.Response(200, json=body, headers={"Request-Id": "req_get"})

    def _expanded_intent(self, intent_id: str) -> dict[str, Any]:
        body = copy.deepcopy(self.intents[intent_id])
        if body.get("latest_charge"):
            body["latest_charge"] = copy.deepcopy(self.charges[body["latest_charge"]])
        return body

    def _post(self, request: httpx.Request, collection: str, object_id: str) -> httpx.Response:
        key = request.headers["Idempotency-Key"]
        self.keys.append(key)
        body = request.content.decode()
        if key in self.saved:
            saved_body, saved = self.saved[key]
            if saved_body != body:
                return httpx.Response(400, json=golden("error_idempotency.json"))
            headers = {"Idempotent-Replayed": "true", "Original-Request": f"req_{key[-6:]}"}
            return httpx.Response(saved.status_code, content=saved.content, headers=headers)

        response = self._update(collection, object_id, parse_form(body))
        response.headers["Request-Id"] = f"req_post{len(self.keys)}"
        self.saved[key] = (body, response)
        return response

    def _update(self, collection: str, object_id: str, form: dict[str, Any]) -> httpx.Response:
        store = self.intents if collection == "payment_intents" else self.charges
        target = store[object_id]
        if "shipping" in form and collection == "payment_intents" and self.reject_intent_shipping:
            return httpx.Response(400, json=golden("error_unexpected_state.json"))
        metadata = dict(target.get("metadata") or {})
        for name, value in form.get("metadata", {}).items():
            if value == "":
                metadata.pop(name, None)
            else:
                metadata[name] = value
        too_long = [name for name, value in metadata.items() if len(value) > 500 or len(name) > 40]
        if len(metadata) > 50 or too_long:
            error = {"error": {"type": "invalid_request_error", "message": "Invalid metadata."}}
            return httpx.Response(400, json=error)
        target["metadata"] = metadata
        if "shipping" in form:
            sent = form["shipping"]
            target["shipping"] = {
                "address": {
                    part: sent["address"].get(part)
                    for part in ("city", "country", "line1", "line2", "postal_code", "state")
                },
                "carrier": sent.get("carrier") or None,
                "name": sent["name"],
                "phone": sent.get("phone"),
                "tracking_number": sent.get("tracking_number") or None,
            }
        return httpx.Response(200, json=target)
