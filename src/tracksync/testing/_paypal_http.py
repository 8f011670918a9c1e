"""Error bodies, JSON body checks and HATEOAS links shared by the emulated PayPal APIs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

__all__ = [
    "ERROR_NAMES",
    "ISSUE_DESCRIPTIONS",
    "Problem",
    "link",
    "optional_string",
    "read_json",
    "reject_unknown_fields",
    "required_string",
    "type_problem",
]

ERROR_NAMES = {
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
    409: ("RESOURCE_CONFLICT", "The server has detected a conflict while processing this request."),
    415: (
        "UNSUPPORTED_MEDIA_TYPE",
        "The server does not support the request payload's media type.",
    ),
    422: (
        "UNPROCESSABLE_ENTITY",
        "The requested action could not be performed, semantically incorrect, or failed business "
        "validation.",
    ),
    # 429 and the 5xx names come from PayPal's error_4xx/error_5xx schemas and its
    # rate-limiting guide.
    429: ("RATE_LIMIT_REACHED", "Too many requests. Blocked due to rate limiting."),
    500: ("INTERNAL_SERVER_ERROR", "An internal server error occurred."),
    503: ("SERVICE_UNAVAILABLE", "Service Unavailable."),
}

#: Issue descriptions as PayPal's Orders v2 and Payments v2 specs word them.
ISSUE_DESCRIPTIONS = {
    "MISSING_REQUIRED_PARAMETER": "A required field / parameter is missing.",
    "INVALID_STRING_LENGTH": "The value of a field is either too short or too long.",
    "INVALID_PARAMETER_VALUE": "A parameter value is not valid.",
    "INVALID_PARAMETER_SYNTAX": "The value of a field does not conform to the expected format.",
    "INVALID_ARRAY_MAX_ITEMS": "The number of items in an array parameter is too large.",
    "INVALID_ARRAY_MIN_ITEMS": "The number of items in an array parameter is too small.",
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
    "PERMISSION_DENIED": (
        "You do not have permission to access or perform operations on this resource."
    ),
}


class Problem(Exception):
    """An error response in PayPal's shape, raised by a handler and rendered by the emulator.

    ``name`` and ``message`` replace the ones PayPal uses for ``status_code``. Without an
    ``issue`` the body has no ``details``, and with ``location=None`` its detail has no
    ``location``.
    """

    def __init__(
        self,
        status_code: int,
        issue: str | None = None,
        *,
        field: str | None = None,
        value: object = None,
        location: str | None = "body",
        description: str | None = None,
        name: str | None = None,
        message: str | None = None,
    ) -> None:
        super().__init__(issue or name or str(status_code))
        self.status_code = status_code
        self.issue = issue
        self.field = field
        self.value = value
        self.location = location
        self.description = description
        self.name = name
        self.message = message

    def body(self, debug_id: str, *, orders_link: bool = True) -> dict[str, Any]:
        """Return the error body. ``orders_link`` adds the Orders v2 error page for the issue."""
        default_name, default_message = ERROR_NAMES[self.status_code]
        name = self.name or default_name
        message = self.message or default_message
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
        if self.location is not None:
            detail["location"] = self.location
        detail["description"] = self.description or ISSUE_DESCRIPTIONS.get(self.issue, message)
        body["details"] = [detail]

        if orders_link:
            body["links"] = [
                {
                    "href": f"https://developer.paypal.com/api/rest/reference/orders/v2/errors/#{self.issue}",
                    "rel": "information_link",
                    "method": "GET",
                }
            ]
        return body


def type_problem(pointer: str, value: object, expected: str) -> Problem:
    """Return the problem for a value of the wrong JSON type or a field that is not accepted."""
    # NOTE: the issue PayPal reports for a value of the wrong JSON type, or for a field it
    # does not define, is not established. The emulator rejects both as
    # INVALID_PARAMETER_SYNTAX, so a client cannot come to rely on PayPal ignoring them.
    return Problem(
        400,
        "INVALID_PARAMETER_SYNTAX",
        field=pointer,
        value=value,
        description=f"The value of {pointer} must be {expected}.",
    )


def reject_unknown_fields(body: Mapping[str, Any], known: frozenset[str], pointer: str) -> None:
    for key in body:
        if key not in known:
            raise type_problem(f"{pointer}/{key}", body[key], "absent: this field is not accepted")


def optional_string(
    body: Mapping[str, Any], key: str, pointer: str, *, max_length: int
) -> str | None:
    """Return ``body[key]`` checked to be a string of 1 to ``max_length`` characters, or None."""
    if key not in body:
        return None
    value = body[key]
    if not isinstance(value, str):
        raise type_problem(pointer, value, "a string")
    if not 1 <= len(value) <= max_length:
        raise Problem(
            400,
            "INVALID_STRING_LENGTH",
            field=pointer,
            value=value,
            description=f"The value of {pointer} must be 1 to {max_length} characters long.",
        )
    return value


def required_string(body: Mapping[str, Any], key: str, pointer: str, *, max_length: int) -> str:
    value = optional_string(body, key, pointer, max_length=max_length)
    if value is None:
        raise Problem(
            400,
            "MISSING_REQUIRED_PARAMETER",
            field=pointer,
            description=f"{pointer} is required.",
        )
    return value


def read_json(request: httpx.Request) -> object:
    media_type = request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise Problem(415)
    try:
        return json.loads(request.content)
    except ValueError:
        raise Problem(400, "MALFORMED_REQUEST_JSON") from None


def link(href: str, rel: str, method: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "method": method}
