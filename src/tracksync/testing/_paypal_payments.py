"""Payments v2 resources: captures, authorizations and refunds, alone or inside an order.

Endpoints: ``GET /v2/payments/captures/{capture_id}``,
``GET /v2/payments/authorizations/{authorization_id}`` and
``GET /v2/payments/refunds/{refund_id}``, in the shapes of PayPal's Payments v2 spec
(version 2.5).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from ._base import json_response, request_origin
from ._paypal_http import Problem, link
from ._paypal_state import (
    CAPTURE_AMOUNT,
    CURRENCY,
    Authorization,
    Capture,
    PayPalState,
    Refund,
)

__all__ = [
    "authorization_resource",
    "capture_resource",
    "get_authorization",
    "get_capture",
    "get_refund",
    "money",
    "refund_resource",
]


def money(value: str) -> dict[str, str]:
    return {"currency_code": CURRENCY, "value": value}


def capture_resource(capture: Capture, origin: str, order_id: str | None) -> dict[str, Any]:
    """Return the capture as an order lists it, with an ``up`` link when it has an order."""
    links = [
        link(f"{origin}/v2/payments/captures/{capture.id}", "self", "GET"),
        link(f"{origin}/v2/payments/captures/{capture.id}/refund", "refund", "POST"),
    ]
    if order_id is not None:
        links.append(link(f"{origin}/v2/checkout/orders/{order_id}", "up", "GET"))
    return {
        "id": capture.id,
        "status": capture.status,
        "amount": money(CAPTURE_AMOUNT),
        "final_capture": True,
        "create_time": capture.create_time,
        "update_time": capture.update_time,
        "links": links,
    }


def authorization_resource(
    authorization: Authorization, origin: str, order_id: str
) -> dict[str, Any]:
    """Return the authorization as an order lists it."""
    return {
        "id": authorization.id,
        "status": authorization.status,
        "amount": money(CAPTURE_AMOUNT),
        "create_time": authorization.create_time,
        "update_time": authorization.create_time,
        "links": [
            link(f"{origin}/v2/payments/authorizations/{authorization.id}", "self", "GET"),
            link(f"{origin}/v2/checkout/orders/{order_id}", "up", "GET"),
        ],
    }


def refund_resource(refund: Refund, origin: str) -> dict[str, Any]:
    """Return the refund, with an ``up`` link to the refunded capture."""
    return {
        "id": refund.id,
        "status": "COMPLETED",
        "amount": money(CAPTURE_AMOUNT),
        "create_time": refund.create_time,
        "update_time": refund.create_time,
        "links": [
            link(f"{origin}/v2/payments/refunds/{refund.id}", "self", "GET"),
            link(f"{origin}/v2/payments/captures/{refund.capture_id}", "up", "GET"),
        ],
    }


def _not_found(parameter: str, value: str) -> Problem:
    return Problem(404, "INVALID_RESOURCE_ID", field=parameter, value=value, location="path")


def _related_order(order_id: str) -> dict[str, Any]:
    return {"related_ids": {"order_id": order_id}}


def get_capture(
    state: PayPalState, request: httpx.Request, params: Mapping[str, str]
) -> httpx.Response:
    found = state.find_capture(params["capture_id"])
    if found is None:
        raise _not_found("capture_id", params["capture_id"])
    capture, order = found
    body = capture_resource(capture, request_origin(request), None if order is None else order.id)
    if order is not None:
        body["supplementary_data"] = _related_order(order.id)
    return json_response(200, body)


def get_authorization(
    state: PayPalState, request: httpx.Request, params: Mapping[str, str]
) -> httpx.Response:
    found = state.find_authorization(params["authorization_id"])
    if found is None:
        raise _not_found("authorization_id", params["authorization_id"])
    authorization, order = found
    body = authorization_resource(authorization, request_origin(request), order.id)
    body["supplementary_data"] = _related_order(order.id)
    return json_response(200, body)


def get_refund(
    state: PayPalState, request: httpx.Request, params: Mapping[str, str]
) -> httpx.Response:
    found = state.find_refund(params["refund_id"])
    if found is None:
        raise _not_found("refund_id", params["refund_id"])
    refund, _ = found
    return json_response(200, refund_resource(refund, request_origin(request)))
