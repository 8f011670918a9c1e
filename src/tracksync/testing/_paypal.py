"""An in-process emulator of the PayPal endpoints that tracksync uses.

Endpoints: ``POST /v1/oauth2/token``, ``GET /v2/checkout/orders/{id}``,
``POST /v2/checkout/orders/{id}/track`` and
``PATCH /v2/checkout/orders/{id}/trackers/{tracker_id}``. Responses and error bodies have
the shapes of PayPal's Orders v2 API (spec version 2.13) and its OAuth guide.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import secrets
import time
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import cattrs
import httpx
from typing_extensions import Self

from ._base import (
    DUMP_VERSION,
    EmulatorTransport,
    MethodNotAllowed,
    Route,
    Router,
    check_dump_header,
    json_response,
    random_hex,
    request_origin,
    request_path,
    rfc3339_now,
)

__all__ = ["PayPalEmulator"]

CAPTURE_STATUSES = frozenset(
    {"COMPLETED", "PARTIALLY_REFUNDED", "PENDING", "REFUNDED", "DECLINED", "FAILED"}
)
AUTHORIZATION_STATUSES = frozenset(
    {"CREATED", "CAPTURED", "DENIED", "PARTIALLY_CAPTURED", "VOIDED", "PENDING"}
)
#: Capture statuses that accept a tracker. PayPal's Orders v2 spec names only COMPLETED, but
#: a partially refunded capture was completed first, so it is accepted as well.
TRACKABLE_CAPTURE_STATUSES = frozenset({"COMPLETED", "PARTIALLY_REFUNDED"})
#: Capture statuses that make the order COMPLETED: the capture went through, refunded or not.
_CAPTURED_STATUSES = frozenset({"COMPLETED", "PARTIALLY_REFUNDED", "REFUNDED"})

TOKEN_PATH = "/v1/oauth2/token"
_SCOPE = (
    "https://uri.paypal.com/services/payments/payment "
    "https://uri.paypal.com/services/shipping/trackers/readwrite"
)
_APP_ID = "APP-80W284485P519543T"

_ORDER_ID = re.compile(r"^[A-Z0-9]{1,36}$")
_PAYMENT_ID = re.compile(r"^[A-Za-z0-9]{1,50}$")
_CARRIER = re.compile(r"^[0-9A-Z_]+$")
_QUANTITY = re.compile(r"^[1-9][0-9]{0,9}$")
_IMAGE_URL = re.compile(r"^(https:)([/|.|\w|\s|-])*\.(?:jpg|gif|png|jpeg|JPG|GIF|PNG|JPEG)")

_TRACK_FIELDS = frozenset(
    {"capture_id", "tracking_number", "carrier", "carrier_name_other", "notify_payer", "items"}
)
_ITEM_FIELDS = frozenset({"name", "quantity", "sku", "url", "image_url", "upc"})
_PATCH_OPS = frozenset({"add", "remove", "replace", "move", "copy", "test"})
#: Tracker fields that PATCH may change, with the operations each one accepts.
_PATCHABLE = {"/status": ("replace",), "/items": ("replace",), "/notify_payer": ("replace", "add")}

_ERROR_NAMES = {
    400: (
        "INVALID_REQUEST",
        "Request is not well-formed, syntactically incorrect, or violates schema.",
    ),
    401: (
        "AUTHENTICATION_FAILURE",
        "Authentication failed due to missing authorization header, or invalid authentication "
        "credentials.",
    ),
    403: ("NOT_AUTHORIZED", "Authorization failed due to insufficient permissions."),
    404: ("RESOURCE_NOT_FOUND", "The specified resource does not exist."),
    405: ("METHOD_NOT_SUPPORTED", "The server does not implement the requested HTTP method."),
    415: (
        "UNSUPPORTED_MEDIA_TYPE",
        "The server does not support the request payload's media type.",
    ),
    422: (
        "UNPROCESSABLE_ENTITY",
        "The requested action could not be performed, semantically incorrect, or failed business "
        "validation.",
    ),
}

#: Issue descriptions as PayPal's Orders v2 spec words them.
_ISSUE_DESCRIPTIONS = {
    "MISSING_REQUIRED_PARAMETER": "A required field / parameter is missing.",
    "INVALID_STRING_LENGTH": "The value of a field is either too short or too long.",
    "INVALID_PARAMETER_VALUE": "A parameter value is not valid.",
    "INVALID_PARAMETER_SYNTAX": "The value of a field does not conform to the expected format.",
    "CAPTURE_STATUS_NOT_VALID": (
        "Invalid capture status. Tracker information can only be added to captures in "
        "`COMPLETED` state."
    ),
    "ITEM_SKU_MISMATCH": (
        "Item sku must match one of the items sku that was provided during order creation."
    ),
    "CAPTURE_ID_NOT_FOUND": (
        "Specified capture ID does not exist. Check the capture ID and try again."
    ),
    "MSP_NOT_SUPPORTED": "Multiple purchase units are not supported for this operation.",
    "FIELD_NOT_PATCHABLE": "Field cannot be patched.",
    "INVALID_PATCH_OPERATION": (
        "The operation cannot be honored. Cannot add a property that's already present, use "
        "replace. Cannot remove a property thats not present, use add. Cannot replace a "
        "property thats not present, use add."
    ),
    "MALFORMED_REQUEST_JSON": "The request JSON is not well formed.",
    "INVALID_JSON_POINTER_FORMAT": (
        "Path should be a valid JSON Pointer that references a location within the request "
        "where the operation is performed."
    ),
    "PATCH_VALUE_REQUIRED": "Specify a `value` for the field being patched.",
    "PATCH_PATH_REQUIRED": (
        "Specify a `path` for the field in which the operation needs to be performed."
    ),
    "TRACKER_ID_NOT_FOUND": (
        "Specified tracker ID does not exist. Check the tracker ID and try again."
    ),
    "INVALID_RESOURCE_ID": (
        "Specified resource ID does not exist. Please check the resource ID and try again."
    ),
}

_CAPTURE_AMOUNT = "10.00"
_CURRENCY = "USD"


class _Problem(Exception):
    """An error response in PayPal's shape, raised by a handler and rendered by the emulator."""

    def __init__(
        self,
        status_code: int,
        issue: str | None = None,
        *,
        field: str | None = None,
        value: object = None,
        location: str = "body",
        description: str | None = None,
    ) -> None:
        super().__init__(issue or str(status_code))
        self.status_code = status_code
        self.issue = issue
        self.field = field
        self.value = value
        self.location = location
        self.description = description

    def body(self, debug_id: str) -> dict[str, Any]:
        name, message = _ERROR_NAMES[self.status_code]
        body: dict[str, Any] = {"name": name, "message": message, "debug_id": debug_id}
        if self.status_code == 401:
            body["links"] = [
                {
                    "href": "https://developer.paypal.com/docs/api/overview/#error",
                    "rel": "information_link",
                }
            ]
        if self.issue is None:
            return body
        detail: dict[str, Any] = {"issue": self.issue}
        if self.field is not None:
            detail["field"] = self.field
        if self.value is not None:
            detail["value"] = self.value if isinstance(self.value, str) else json.dumps(self.value)
        detail["location"] = self.location
        detail["description"] = self.description or _ISSUE_DESCRIPTIONS.get(self.issue, message)
        body["details"] = [detail]
        body["links"] = [
            {
                "href": f"https://developer.paypal.com/api/rest/reference/orders/v2/errors/#{self.issue}",
                "rel": "information_link",
                "method": "GET",
            }
        ]
        return body


# --- State ------------------------------------------------------------------------------------


@attrs.define
class _Capture:
    id: str
    status: str
    create_time: str
    update_time: str


@attrs.define
class _Authorization:
    id: str
    status: str
    create_time: str


@attrs.define
class _Refund:
    id: str
    capture_id: str
    create_time: str


@attrs.define
class _Tracker:
    id: str
    capture_id: str
    tracking_number: str
    carrier: str
    carrier_name_other: str | None
    notify_payer: bool
    items: list[dict[str, Any]]
    status: str
    create_time: str
    update_time: str


@attrs.define
class _Order:
    id: str
    purchase_units: int
    skus: list[str]
    captures: list[_Capture]
    authorizations: list[_Authorization]
    refunds: list[_Refund]
    trackers: list[_Tracker]
    create_time: str
    update_time: str

    def capture(self, capture_id: str) -> _Capture | None:
        return next((capture for capture in self.captures if capture.id == capture_id), None)

    def tracker(self, tracker_id: str) -> _Tracker | None:
        return next((tracker for tracker in self.trackers if tracker.id == tracker_id), None)


@attrs.define
class _Token:
    value: str
    expires_at: float


@attrs.define
class _PayPalState:
    client_id: str
    client_secret: str
    token_lifetime: int
    tokens: list[_Token]
    orders: dict[str, _Order]


@attrs.frozen
class _TrackRequest:
    capture_id: str
    tracking_number: str
    carrier: str
    carrier_name_other: str | None
    notify_payer: bool
    items: list[dict[str, Any]]


_converter = cattrs.Converter()


# --- Request validation -----------------------------------------------------------------------


def _type_problem(pointer: str, value: object, expected: str) -> _Problem:
    # NOTE: the issue PayPal reports for a value of the wrong JSON type, or for a field it
    # does not define, is not established. The emulator rejects both as
    # INVALID_PARAMETER_SYNTAX, so a client cannot come to rely on PayPal ignoring them.
    return _Problem(
        400,
        "INVALID_PARAMETER_SYNTAX",
        field=pointer,
        value=value,
        description=f"The value of {pointer} must be {expected}.",
    )


def _reject_unknown_fields(body: Mapping[str, Any], known: frozenset[str], pointer: str) -> None:
    for key in body:
        if key not in known:
            raise _type_problem(f"{pointer}/{key}", body[key], "absent: this field is not accepted")


def _optional_string(
    body: Mapping[str, Any], key: str, pointer: str, *, max_length: int
) -> str | None:
    """Return ``body[key]`` checked to be a string of 1 to ``max_length`` characters, or None."""
    if key not in body:
        return None
    value = body[key]
    if not isinstance(value, str):
        raise _type_problem(pointer, value, "a string")
    if not 1 <= len(value) <= max_length:
        raise _Problem(
            400,
            "INVALID_STRING_LENGTH",
            field=pointer,
            value=value,
            description=f"The value of {pointer} must be 1 to {max_length} characters long.",
        )
    return value


def _required_string(body: Mapping[str, Any], key: str, pointer: str, *, max_length: int) -> str:
    value = _optional_string(body, key, pointer, max_length=max_length)
    if value is None:
        raise _Problem(
            400,
            "MISSING_REQUIRED_PARAMETER",
            field=pointer,
            description=f"{pointer} is required.",
        )
    return value


def _parse_items(value: object, pointer: str) -> list[dict[str, Any]]:
    """Check a list of ``tracker_item`` objects and return a copy of it."""
    if not isinstance(value, list):
        raise _type_problem(pointer, value, "an array of items")
    items: list[dict[str, Any]] = []
    for index, item in enumerate(value):
        where = f"{pointer}/{index}"
        if not isinstance(item, dict):
            raise _type_problem(where, item, "an item object")
        _reject_unknown_fields(item, _ITEM_FIELDS, where)
        _optional_string(item, "name", f"{where}/name", max_length=127)
        _optional_string(item, "sku", f"{where}/sku", max_length=127)
        _optional_string(item, "url", f"{where}/url", max_length=2048)
        quantity = _optional_string(item, "quantity", f"{where}/quantity", max_length=10)
        if quantity is not None and not _QUANTITY.match(quantity):
            raise _Problem(
                400,
                "INVALID_PARAMETER_SYNTAX",
                field=f"{where}/quantity",
                value=quantity,
                description="The quantity must be a whole number from 1, written as a string.",
            )
        image_url = _optional_string(item, "image_url", f"{where}/image_url", max_length=2048)
        if image_url is not None and not _IMAGE_URL.match(image_url):
            raise _Problem(
                400,
                "INVALID_PARAMETER_SYNTAX",
                field=f"{where}/image_url",
                value=image_url,
                description="The image_url must be an https URL of a jpg, jpeg, gif or png file.",
            )
        if "upc" in item and not isinstance(item["upc"], dict):
            raise _type_problem(f"{where}/upc", item["upc"], "an object with type and code")
        items.append(json.loads(json.dumps(item)))
    return items


def _parse_track_request(body: object) -> _TrackRequest:
    """Check a /track body field by field, in the order PayPal's schema lists the fields."""
    if not isinstance(body, dict):
        raise _Problem(
            400,
            "MALFORMED_REQUEST_JSON",
            description="The request body must be a JSON object.",
        )
    _reject_unknown_fields(body, _TRACK_FIELDS, "")

    capture_id = _required_string(body, "capture_id", "/capture_id", max_length=50)
    if not _PAYMENT_ID.match(capture_id):
        raise _Problem(400, "INVALID_PARAMETER_SYNTAX", field="/capture_id", value=capture_id)

    # NOTE: PayPal's Orders v2 schema makes tracking_number optional, but the tracker id
    # is built from it, and what PayPal does without one is not established. The emulator
    # requires it.
    tracking_number = _required_string(body, "tracking_number", "/tracking_number", max_length=64)

    carrier = _required_string(body, "carrier", "/carrier", max_length=64)
    if not _CARRIER.match(carrier):
        raise _Problem(
            400,
            "INVALID_PARAMETER_VALUE",
            field="/carrier",
            value=carrier,
            description="The carrier must be a PayPal carrier code of A-Z, 0-9 and _, or OTHER.",
        )

    carrier_name_other = _optional_string(
        body, "carrier_name_other", "/carrier_name_other", max_length=64
    )
    if carrier == "OTHER" and carrier_name_other is None:
        raise _Problem(
            400,
            "MISSING_REQUIRED_PARAMETER",
            field="/carrier_name_other",
            description="carrier_name_other is required when carrier is OTHER.",
        )

    notify_payer = body.get("notify_payer", False)
    if not isinstance(notify_payer, bool):
        raise _type_problem("/notify_payer", notify_payer, "true or false")

    items = _parse_items(body.get("items", []), "/items")
    return _TrackRequest(
        capture_id=capture_id,
        tracking_number=tracking_number,
        carrier=carrier,
        carrier_name_other=carrier_name_other,
        notify_payer=notify_payer,
        items=items,
    )


def _check_skus(order: _Order, items: list[dict[str, Any]], pointer: str) -> None:
    """Raise 422 ITEM_SKU_MISMATCH for an item SKU the order was not created with."""
    if not order.skus:
        return
    for index, item in enumerate(items):
        sku = item.get("sku")
        if sku is not None and sku not in order.skus:
            raise _Problem(422, "ITEM_SKU_MISMATCH", field=f"{pointer}/{index}/sku", value=sku)


def _check_trackable(order: _Order, request: _TrackRequest) -> None:
    """Apply the business rules that come after the body is well formed (HTTP 422)."""
    if order.purchase_units > 1:
        raise _Problem(422, "MSP_NOT_SUPPORTED")
    capture = order.capture(request.capture_id)
    if capture is None:
        raise _Problem(422, "CAPTURE_ID_NOT_FOUND", field="/capture_id", value=request.capture_id)
    if capture.status not in TRACKABLE_CAPTURE_STATUSES:
        raise _Problem(
            422, "CAPTURE_STATUS_NOT_VALID", field="/capture_id", value=request.capture_id
        )
    _check_skus(order, request.items, "/items")


def _read_json(request: httpx.Request) -> object:
    media_type = request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise _Problem(415)
    try:
        return json.loads(request.content)
    except ValueError:
        raise _Problem(400, "MALFORMED_REQUEST_JSON") from None


# --- Rendering --------------------------------------------------------------------------------


def _money(value: str) -> dict[str, str]:
    return {"currency_code": _CURRENCY, "value": value}


def _link(href: str, rel: str, method: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "method": method}


def _render_tracker(order: _Order, tracker: _Tracker, origin: str) -> dict[str, Any]:
    order_url = f"{origin}/v2/checkout/orders/{order.id}"
    tracker_url = f"{order_url}/trackers/{urllib.parse.quote(tracker.id, safe='')}"
    rendered: dict[str, Any] = {"id": tracker.id, "status": tracker.status}
    if tracker.items:
        rendered["items"] = json.loads(json.dumps(tracker.items))
    rendered["links"] = [_link(order_url, "up", "GET"), _link(tracker_url, "update", "PATCH")]
    rendered["create_time"] = tracker.create_time
    rendered["update_time"] = tracker.update_time
    return rendered


def _render_payments(order: _Order, origin: str) -> dict[str, Any]:
    order_url = f"{origin}/v2/checkout/orders/{order.id}"
    payments: dict[str, Any] = {}
    if order.authorizations:
        payments["authorizations"] = [
            {
                "id": authorization.id,
                "status": authorization.status,
                "amount": _money(_CAPTURE_AMOUNT),
                "create_time": authorization.create_time,
                "update_time": authorization.create_time,
                "links": [
                    _link(f"{origin}/v2/payments/authorizations/{authorization.id}", "self", "GET"),
                    _link(order_url, "up", "GET"),
                ],
            }
            for authorization in order.authorizations
        ]
    if order.captures:
        payments["captures"] = [
            {
                "id": capture.id,
                "status": capture.status,
                "amount": _money(_CAPTURE_AMOUNT),
                "final_capture": True,
                "create_time": capture.create_time,
                "update_time": capture.update_time,
                "links": [
                    _link(f"{origin}/v2/payments/captures/{capture.id}", "self", "GET"),
                    _link(f"{origin}/v2/payments/captures/{capture.id}/refund", "refund", "POST"),
                    _link(order_url, "up", "GET"),
                ],
            }
            for capture in order.captures
        ]
    if order.refunds:
        payments["refunds"] = [
            {
                "id": refund.id,
                "status": "COMPLETED",
                "amount": _money(_CAPTURE_AMOUNT),
                "create_time": refund.create_time,
                "update_time": refund.create_time,
                "links": [
                    _link(f"{origin}/v2/payments/refunds/{refund.id}", "self", "GET"),
                    _link(f"{origin}/v2/payments/captures/{refund.capture_id}", "up", "GET"),
                ],
            }
            for refund in order.refunds
        ]
    return payments


def _render_order(order: _Order, origin: str) -> dict[str, Any]:
    """Return the order as GET /v2/checkout/orders/{id} shows it.

    Captures, authorizations, refunds and trackers all belong to the first purchase unit.
    """
    units: list[dict[str, Any]] = []
    for index in range(order.purchase_units):
        unit: dict[str, Any] = {
            "reference_id": "default" if order.purchase_units == 1 else f"PU{index + 1}",
            "amount": _money(_CAPTURE_AMOUNT),
        }
        if order.skus:
            unit["items"] = [
                {
                    "name": f"Item {sku}",
                    "unit_amount": _money(_CAPTURE_AMOUNT),
                    "quantity": "1",
                    "sku": sku,
                }
                for sku in order.skus
            ]
        shipping: dict[str, Any] = {
            "name": {"full_name": "Emulated Buyer"},
            "address": {
                "address_line_1": "1 Main Street",
                "admin_area_2": "San Jose",
                "admin_area_1": "CA",
                "postal_code": "95131",
                "country_code": "US",
            },
        }
        if index == 0 and order.trackers:
            shipping["trackers"] = [
                _render_tracker(order, tracker, origin) for tracker in order.trackers
            ]
        unit["shipping"] = shipping
        payments = _render_payments(order, origin) if index == 0 else {}
        if payments:
            unit["payments"] = payments
        units.append(unit)

    captured = any(capture.status in _CAPTURED_STATUSES for capture in order.captures)
    return {
        "id": order.id,
        "intent": "CAPTURE",
        "status": "COMPLETED" if captured else "APPROVED",
        "purchase_units": units,
        "create_time": order.create_time,
        "update_time": order.update_time,
        "links": [_link(f"{origin}/v2/checkout/orders/{order.id}", "self", "GET")],
    }


# --- The emulator -----------------------------------------------------------------------------


class PayPalEmulator(EmulatorTransport):
    """A stateful stand-in for PayPal's OAuth and Orders v2 tracking endpoints.

    Use it as the transport of an httpx client, with any base URL::

        emulator = PayPalEmulator()
        emulator.add_order("5O190127TN364715T", captures={"8MC585209K746392H": "COMPLETED"})
        base_url = "https://api-m.sandbox.paypal.com"
        with httpx.Client(transport=emulator, base_url=base_url) as client:
            ...

    Every endpoint other than the token endpoint needs a bearer token from
    ``POST /v1/oauth2/token``, obtained with ``client_id`` and ``client_secret``. Tokens
    stay valid for ``token_lifetime`` seconds or until :meth:`expire_tokens`.
    """

    def __init__(
        self,
        client_id: str = "emulator-client-id",
        client_secret: str = "emulator-client-secret",
        *,
        token_lifetime: int = 32400,
    ) -> None:
        super().__init__()
        if token_lifetime < 0:
            raise ValueError(f"token_lifetime must be 0 or more seconds, not {token_lifetime}.")
        self._state = _PayPalState(
            client_id=client_id,
            client_secret=client_secret,
            token_lifetime=token_lifetime,
            tokens=[],
            orders={},
        )
        self._router = Router(
            [
                Route("GET", "/v2/checkout/orders/{order_id}", self._get_order),
                Route("POST", "/v2/checkout/orders/{order_id}/track", self._add_tracker),
                Route(
                    "PATCH",
                    "/v2/checkout/orders/{order_id}/trackers/{tracker_id}",
                    self._patch_tracker,
                ),
            ]
        )

    @property
    def client_id(self) -> str:
        """The client id that the token endpoint accepts."""
        return self._state.client_id

    @property
    def client_secret(self) -> str:
        """The secret that the token endpoint accepts."""
        return self._state.client_secret

    # --- Seeding and inspection ---------------------------------------------------------------

    def has_order(self, order_id: str) -> bool:
        """Return whether the emulator holds an order with this id."""
        with self._lock:
            return order_id in self._state.orders

    def add_order(
        self,
        order_id: str,
        *,
        captures: Mapping[str, str] | None = None,
        authorizations: Mapping[str, str] | None = None,
        refunds: Mapping[str, str] | None = None,
        skus: Iterable[str] = (),
        purchase_units: int = 1,
    ) -> None:
        """Create an order with its payments.

        Args:
            order_id: PayPal order id, 1 to 36 characters of A-Z and 0-9.
            captures: capture id to capture status (COMPLETED, PARTIALLY_REFUNDED, PENDING,
                REFUNDED, DECLINED or FAILED).
            authorizations: authorization id to authorization status.
            refunds: refund id to the id of the refunded capture of this order.
            skus: the item SKUs the order was created with. When there are any, /track
                rejects items with other SKUs.
            purchase_units: how many purchase units the order has (1 to 10). /track rejects
                orders with more than one.

        Raises:
            ValueError: an id is malformed or already in use, or a status is unknown.
        """
        captures = dict(captures or {})
        authorizations = dict(authorizations or {})
        refunds = dict(refunds or {})
        with self._lock:
            self._check_new_order(order_id, captures, authorizations, refunds, purchase_units)
            now = rfc3339_now()
            self._state.orders[order_id] = _Order(
                id=order_id,
                purchase_units=purchase_units,
                skus=list(skus),
                captures=[_Capture(cid, status, now, now) for cid, status in captures.items()],
                authorizations=[
                    _Authorization(aid, status, now) for aid, status in authorizations.items()
                ],
                refunds=[_Refund(rid, cid, now) for rid, cid in refunds.items()],
                trackers=[],
                create_time=now,
                update_time=now,
            )

    def _check_new_order(
        self,
        order_id: str,
        captures: Mapping[str, str],
        authorizations: Mapping[str, str],
        refunds: Mapping[str, str],
        purchase_units: int,
    ) -> None:
        if not _ORDER_ID.match(order_id):
            raise ValueError(
                f"Order id {order_id!r} is invalid: PayPal order ids are 1 to 36 "
                "characters of A-Z and 0-9."
            )
        if order_id in self._state.orders:
            raise ValueError(f"Order {order_id!r} already exists in this emulator.")
        if not 1 <= purchase_units <= 10:
            raise ValueError(f"purchase_units must be 1 to 10, not {purchase_units}.")

        used_ids = {
            payment_id
            for order in self._state.orders.values()
            for payment_id in _payment_ids(order)
        }
        new_ids = [*captures, *authorizations, *refunds]
        for payment_id in new_ids:
            if not _PAYMENT_ID.match(payment_id):
                raise ValueError(
                    f"Payment id {payment_id!r} is invalid: use 1 to 50 letters and digits."
                )
            if payment_id in used_ids or new_ids.count(payment_id) > 1:
                raise ValueError(f"Payment id {payment_id!r} is used more than once.")

        for capture_id, status in captures.items():
            if status not in CAPTURE_STATUSES:
                raise ValueError(
                    f"Capture {capture_id!r} has unknown status {status!r}. "
                    f"Use one of {', '.join(sorted(CAPTURE_STATUSES))}."
                )
        for authorization_id, status in authorizations.items():
            if status not in AUTHORIZATION_STATUSES:
                raise ValueError(
                    f"Authorization {authorization_id!r} has unknown status {status!r}. "
                    f"Use one of {', '.join(sorted(AUTHORIZATION_STATUSES))}."
                )
        for refund_id, capture_id in refunds.items():
            if capture_id not in captures:
                raise ValueError(
                    f"Refund {refund_id!r} refers to capture {capture_id!r}, which is not "
                    f"among this order's captures."
                )

    def set_capture_status(self, capture_id: str, status: str) -> None:
        """Change the status of a seeded capture, in whichever order it belongs to.

        Raises:
            KeyError: no order has that capture.
            ValueError: the status is not a PayPal capture status.
        """
        if status not in CAPTURE_STATUSES:
            raise ValueError(
                f"Unknown capture status {status!r}. "
                f"Use one of {', '.join(sorted(CAPTURE_STATUSES))}."
            )
        with self._lock:
            for order in self._state.orders.values():
                capture = order.capture(capture_id)
                if capture is not None:
                    now = rfc3339_now()
                    capture.status = status
                    capture.update_time = now
                    order.update_time = now
                    return
        raise KeyError(f"No order in this emulator has capture {capture_id!r}.")

    def order(
        self, order_id: str, *, base_url: str = "https://api-m.sandbox.paypal.com"
    ) -> dict[str, Any]:
        """Return the order as GET /v2/checkout/orders/{id} would, with links under ``base_url``.

        Raises:
            KeyError: the order does not exist.
        """
        with self._lock:
            return _render_order(self._existing_order(order_id), base_url.rstrip("/"))

    def trackers(
        self, order_id: str, *, base_url: str = "https://api-m.sandbox.paypal.com"
    ) -> list[dict[str, Any]]:
        """Return the order's trackers as the order's GET response shows them, oldest first."""
        with self._lock:
            order = self._existing_order(order_id)
            return [
                _render_tracker(order, tracker, base_url.rstrip("/")) for tracker in order.trackers
            ]

    def tracker_details(self, order_id: str) -> list[dict[str, Any]]:
        """Return everything the emulator stores about the order's trackers, oldest first.

        Unlike :meth:`trackers`, this includes what PayPal does not show in the order, such
        as ``capture_id``, ``tracking_number``, ``carrier``, ``carrier_name_other`` and
        ``notify_payer``.
        """
        with self._lock:
            order = self._existing_order(order_id)
            details: list[dict[str, Any]] = json.loads(
                json.dumps(_converter.unstructure(order.trackers))
            )
            return details

    def expire_tokens(self) -> None:
        """Make every access token issued so far invalid, so the next API call gets HTTP 401."""
        with self._lock:
            self._state.tokens.clear()

    def _existing_order(self, order_id: str) -> _Order:
        order = self._state.orders.get(order_id)
        if order is None:
            raise KeyError(
                f"No order {order_id!r} in this emulator. Add it with add_order() first."
            )
        return order

    # --- Persistence --------------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        """Return the emulator's state as JSON-compatible data, without the request log."""
        with self._lock:
            state: dict[str, Any] = json.loads(json.dumps(_converter.unstructure(self._state)))
        return {"format": "PayPalEmulator", "version": DUMP_VERSION, "state": state}

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> Self:
        """Create an emulator from the result of :meth:`dump`.

        Raises:
            ValueError: ``data`` is not a PayPalEmulator dump of this version.
        """
        state_data = check_dump_header(data, "PayPalEmulator")
        try:
            state = _converter.structure(json.loads(json.dumps(state_data)), _PayPalState)
        except (cattrs.BaseValidationError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"PayPalEmulator.load() got a malformed state: {exc}") from exc
        emulator = cls(state.client_id, state.client_secret, token_lifetime=state.token_lifetime)
        emulator._state = state
        return emulator

    # --- HTTP ---------------------------------------------------------------------------------

    def _is_write(self, request: httpx.Request) -> bool:
        return super()._is_write(request) and request_path(request) != TOKEN_PATH

    def _respond(self, request: httpx.Request) -> httpx.Response:
        debug_id = random_hex(13)
        try:
            response = self._dispatch(request)
        except _Problem as problem:
            response = json_response(problem.status_code, problem.body(debug_id))
            if problem.status_code == 405:
                response.headers["Allow"] = ", ".join(self._allowed_methods(request))
        response.headers["Paypal-Debug-Id"] = debug_id
        return response

    def _dispatch(self, request: httpx.Request) -> httpx.Response:
        if request_path(request) == TOKEN_PATH:
            if request.method != "POST":
                raise _Problem(405)
            return self._issue_token(request)

        self._check_bearer_token(request)
        resolution = self._router.resolve(request.method, request)
        if resolution is None:
            raise _Problem(404)
        if isinstance(resolution, MethodNotAllowed):
            raise _Problem(405)
        return resolution.handler(request, resolution.params)

    def _allowed_methods(self, request: httpx.Request) -> tuple[str, ...]:
        if request_path(request) == TOKEN_PATH:
            return ("POST",)
        resolution = self._router.resolve(request.method, request)
        return resolution.allowed if isinstance(resolution, MethodNotAllowed) else ()

    # --- OAuth --------------------------------------------------------------------------------

    def _issue_token(self, request: httpx.Request) -> httpx.Response:
        if not self._has_client_credentials(request):
            return json_response(
                401,
                {"error": "invalid_client", "error_description": "Client Authentication failed"},
            )

        media_type = request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        form = (
            urllib.parse.parse_qs(request.content.decode("utf-8", "replace"))
            if media_type == "application/x-www-form-urlencoded"
            else {}
        )
        grant_types = form.get("grant_type", [])
        if not grant_types:
            return json_response(
                400, {"error": "unsupported_grant_type", "error_description": "Grant Type is NULL"}
            )
        if grant_types != ["client_credentials"]:
            return json_response(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": f"Grant type {grant_types[0]!r} is not supported. "
                    "Send grant_type=client_credentials.",
                },
            )

        now = time.time()
        self._state.tokens = [token for token in self._state.tokens if token.expires_at > now]
        access_token = "A21AA" + secrets.token_urlsafe(48)
        lifetime = self._state.token_lifetime
        self._state.tokens.append(_Token(access_token, now + lifetime))
        return json_response(
            200,
            {
                "scope": _SCOPE,
                "access_token": access_token,
                "token_type": "Bearer",
                "app_id": _APP_ID,
                "expires_in": lifetime,
                "nonce": f"{rfc3339_now()}{secrets.token_urlsafe(32)}",
            },
        )

    def _has_client_credentials(self, request: httpx.Request) -> bool:
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        client_id, separator, client_secret = decoded.partition(":")
        expected_id = self._state.client_id.encode("utf-8")
        expected_secret = self._state.client_secret.encode("utf-8")
        id_matches = hmac.compare_digest(client_id.encode("utf-8"), expected_id)
        secret_matches = hmac.compare_digest(client_secret.encode("utf-8"), expected_secret)
        return bool(separator) and id_matches and secret_matches

    def _check_bearer_token(self, request: httpx.Request) -> None:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            now = time.time()
            for token in self._state.tokens:
                if token.expires_at > now and hmac.compare_digest(token.value, value.strip()):
                    return
        raise _Problem(401)

    # --- Orders -------------------------------------------------------------------------------

    def _find_order(self, order_id: str) -> _Order:
        order = self._state.orders.get(order_id)
        if order is None:
            raise _Problem(
                404, "INVALID_RESOURCE_ID", field="order_id", value=order_id, location="path"
            )
        return order

    def _get_order(self, request: httpx.Request, params: Mapping[str, str]) -> httpx.Response:
        order = self._find_order(params["order_id"])
        return json_response(200, _render_order(order, request_origin(request)))

    def _add_tracker(self, request: httpx.Request, params: Mapping[str, str]) -> httpx.Response:
        """Add a tracker: 201 when created or revived, 200 when it already exists unchanged."""
        order = self._find_order(params["order_id"])
        track = _parse_track_request(_read_json(request))
        _check_trackable(order, track)

        tracker_id = f"{track.capture_id}-{track.tracking_number}"
        existing = order.tracker(tracker_id)
        if existing is not None and existing.status != "CANCELLED":
            return json_response(200, _render_order(order, request_origin(request)))

        now = rfc3339_now()
        if existing is None:
            order.trackers.append(
                _Tracker(
                    id=tracker_id,
                    capture_id=track.capture_id,
                    tracking_number=track.tracking_number,
                    carrier=track.carrier,
                    carrier_name_other=track.carrier_name_other,
                    notify_payer=track.notify_payer,
                    items=track.items,
                    status="SHIPPED",
                    create_time=now,
                    update_time=now,
                )
            )
        else:
            # NOTE: what PayPal does when a cancelled tracker is posted again is not
            # established. The emulator makes it SHIPPED again with the new details.
            existing.carrier = track.carrier
            existing.carrier_name_other = track.carrier_name_other
            existing.notify_payer = track.notify_payer
            existing.items = track.items
            existing.status = "SHIPPED"
            existing.update_time = now
        order.update_time = now
        return json_response(201, _render_order(order, request_origin(request)))

    def _patch_tracker(self, request: httpx.Request, params: Mapping[str, str]) -> httpx.Response:
        """Apply a JSON Patch to a tracker. Every operation is checked before any is applied."""
        order = self._find_order(params["order_id"])
        tracker = order.tracker(params["tracker_id"])
        if tracker is None:
            raise _Problem(
                404,
                "TRACKER_ID_NOT_FOUND",
                field="tracker_id",
                value=params["tracker_id"],
                location="path",
            )

        operations = _read_json(request)
        if not isinstance(operations, list) or not operations:
            raise _Problem(
                400,
                "MALFORMED_REQUEST_JSON",
                description="The request body must be a non-empty JSON Patch array.",
            )
        changes = [
            _parse_patch_operation(order, tracker, index, operation)
            for index, operation in enumerate(operations)
        ]

        for path, value in changes:
            if path == "/status":
                tracker.status = value
            elif path == "/items":
                tracker.items = value
            else:
                tracker.notify_payer = value
        now = rfc3339_now()
        tracker.update_time = now
        order.update_time = now
        return httpx.Response(204)


def _parse_patch_operation(
    order: _Order, tracker: _Tracker, index: int, operation: object
) -> tuple[str, Any]:
    """Check one JSON Patch operation and return the tracker field path and its new value."""
    where = f"/{index}"
    if not isinstance(operation, dict):
        raise _Problem(
            400, "MALFORMED_REQUEST_JSON", field=where, description="Each patch must be an object."
        )
    if "op" not in operation:
        raise _Problem(400, "MISSING_REQUIRED_PARAMETER", field=f"{where}/op")
    op = operation["op"]
    if op not in _PATCH_OPS:
        raise _Problem(400, "INVALID_PATCH_OPERATION", field=f"{where}/op", value=op)
    if "path" not in operation:
        raise _Problem(422, "PATCH_PATH_REQUIRED", field=f"{where}/path")
    path = operation["path"]
    if not isinstance(path, str) or not path.startswith("/"):
        raise _Problem(422, "INVALID_JSON_POINTER_FORMAT", field=f"{where}/path", value=path)
    if path not in _PATCHABLE:
        raise _Problem(400, "FIELD_NOT_PATCHABLE", field=path, value=path)
    if op not in _PATCHABLE[path]:
        raise _Problem(
            400,
            "INVALID_PATCH_OPERATION",
            field=path,
            value=op,
            description=f"{path} accepts only {' or '.join(_PATCHABLE[path])}.",
        )
    if "value" not in operation:
        raise _Problem(422, "PATCH_VALUE_REQUIRED", field=path)
    value = operation["value"]

    if path == "/status":
        if value != "CANCELLED":
            raise _Problem(
                400,
                "INVALID_PARAMETER_VALUE",
                field=path,
                value=value,
                description="Only patching status to CANCELLED is supported.",
            )
        if tracker.status == "CANCELLED":
            # NOTE: PayPal rejects a repeated identical status update, but the issue code it
            # sends then is not established. The emulator uses INVALID_PARAMETER_VALUE.
            raise _Problem(
                422,
                "INVALID_PARAMETER_VALUE",
                field=path,
                value=value,
                description=f"Tracker {tracker.id} already has status CANCELLED.",
            )
        return path, value
    if path == "/items":
        items = _parse_items(value, path)
        _check_skus(order, items, path)
        return path, items
    if not isinstance(value, bool):
        raise _type_problem(path, value, "true or false")
    return path, value


def _payment_ids(order: _Order) -> list[str]:
    return [
        *(capture.id for capture in order.captures),
        *(authorization.id for authorization in order.authorizations),
        *(refund.id for refund in order.refunds),
    ]
