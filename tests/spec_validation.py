"""Check that a request tracksync built is one the provider's official OpenAPI spec accepts.

The specs are read at test time from the shared folder beside this repository (override
with ``TRACKSYNC_SHARED_DIR`` or ``TRACKSYNC_SPECS_DIR``); they are never copied into the
repository or the package.

Known faults in the published documents are patched before validating:

- PayPal Orders v2 ``order_tracker_request`` inherits ``required: [transaction_id, status]``
  from ``shipment_tracker``, yet the /track endpoint takes neither. The patched schema
  lists exactly the fields /track takes (``capture_id`` required) and rejects any other.
- PayPal's ``tracker_id`` path pattern (``^[A-Z0-9]+$``, 36 characters at most) rejects
  real tracker ids, which are ``{capture_id}-{tracking_number}``.
- Neither PayPal carrier enum contains ``OTHER``, which the docs and the official SDK use.

One rule is added: Stripe rejects parameters it does not know (error code
``parameter_unknown``), but its spec leaves nested request objects such as ``shipping``
open, so every object in a Stripe request body is closed to unknown keys.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30WriteValidator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from shared_folder import SPECS_DIR

REPO = Path(__file__).resolve().parents[1]

SPEC_FILES = (
    "paypal/checkout_orders_v2.json",
    "paypal/shipping_shipment_tracking_v1.json",
    "paypal/customer_disputes_v1.json",
    "paypal/notifications_webhooks_v1.json",
    "paypal/payments_payment_v2.json",
    "stripe/stripe_tracking_subset.json",
)

#: The OAuth token endpoint is in none of PayPal's specs; its shape comes from PayPal's
#: authentication guide (developer.paypal.com/api/rest/authentication/).
PAYPAL_TOKEN_PATH = "/v1/oauth2/token"

_TRACK_FIELDS = (
    "capture_id",
    "tracking_number",
    "carrier",
    "carrier_name_other",
    "notify_payer",
    "items",
)


class SpecViolation(AssertionError):
    """A request that the provider's spec does not accept."""


def _patch_orders_v2(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    tracker = schemas["shipment_tracker"]["properties"]
    extra = schemas["order_tracker_request"]["allOf"][1]["properties"]
    properties = {name: tracker[name] for name in _TRACK_FIELDS if name in tracker}
    properties.update({name: extra[name] for name in _TRACK_FIELDS if name in extra})
    schemas["order_tracker_request"] = {
        "type": "object",
        "properties": properties,
        "required": ["capture_id"],
        "additionalProperties": False,
    }
    schemas["shipment_carrier"]["enum"].append("OTHER")
    document["components"]["parameters"]["tracker_id"]["schema"] = {
        "type": "string",
        "minLength": 3,
        "maxLength": 50 + 1 + 64,
        "pattern": "^[A-Za-z0-9]+-.+$",
    }


def _patch_tracking_v1(document: dict[str, Any]) -> None:
    document["components"]["schemas"]["carrier"]["enum"].append("OTHER")


_PATCHES = {
    "paypal/checkout_orders_v2.json": _patch_orders_v2,
    "paypal/shipping_shipment_tracking_v1.json": _patch_tracking_v1,
}


@functools.cache
def load_spec(name: str) -> dict[str, Any]:
    """Read one spec from the shared folder and patch its known faults."""
    path = SPECS_DIR / name
    if not path.is_file():
        raise FileNotFoundError(
            f"Spec {path} is missing. The contract tests read the providers' specs from "
            "the shared folder beside this repository; set TRACKSYNC_SHARED_DIR to its path."
        )
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    patch = _PATCHES.get(name)
    if patch is not None:
        document = copy.deepcopy(document)
        patch(document)
    return document


@functools.cache
def _registry(name: str) -> Registry:
    resource = Resource.from_contents(load_spec(name), default_specification=DRAFT4)
    return Registry().with_resource(uri=name, resource=resource)


def _resolve(name: str, node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        pointer = node["$ref"].removeprefix("#/")
        target: Any = load_spec(name)
        for part in pointer.split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _check_schema(name: str, schema: dict[str, Any], value: Any, where: str) -> None:
    validator = OAS30WriteValidator(
        schema, registry=_registry(name), format_checker=oas30_format_checker
    )
    errors = sorted(validator.iter_errors(value), key=lambda error: list(error.absolute_path))
    if errors:
        messages = "; ".join(_describe(error) for error in errors[:5])
        raise SpecViolation(f"{where} violates {name}: {messages}")


def _describe(error: ValidationError) -> str:
    path = "/".join(str(part) for part in error.absolute_path) or "(root)"
    return f"{path}: {error.message[:300]}"


def _with_ref(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """Make a schema's local $refs resolve against the spec document ``name``."""
    text = json.dumps(schema).replace('"$ref": "#/', f'"$ref": "{name}#/')
    result: dict[str, Any] = json.loads(text)
    return result


def _close_objects(schema: Any) -> Any:
    """Forbid unknown keys in every inline object schema that does not say otherwise."""
    if isinstance(schema, list):
        return [_close_objects(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: _close_objects(value) for key, value in schema.items()}
    if "properties" in closed and "additionalProperties" not in closed:
        closed["additionalProperties"] = False
    return closed


def _operations() -> Iterator[tuple[str, str, re.Pattern[str], dict[str, Any], dict[str, Any]]]:
    for name in SPEC_FILES:
        document = load_spec(name)
        for template, item in document["paths"].items():
            pattern = re.compile(
                "^" + re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
            )
            for method, operation in item.items():
                if method in {"get", "post", "put", "patch", "delete"}:
                    yield name, method, pattern, item, operation


def find_operation(
    request: httpx.Request,
) -> tuple[str, dict[str, Any], dict[str, Any], dict[str, str]]:
    """Return the spec name, path item, operation and path parameters for a request."""
    method = request.method.lower()
    path = request.url.path
    for name, op_method, pattern, item, operation in _operations():
        match = pattern.match(path)
        if match and op_method == method:
            params = {key: urllib.parse.unquote(value) for key, value in match.groupdict().items()}
            return name, item, operation, params
    raise SpecViolation(f"No spec has an operation for {request.method} {path}.")


def parse_form(body: str) -> dict[str, Any]:
    """Decode an ``application/x-www-form-urlencoded`` body with bracket nesting.

    ``a[b][c]=1`` becomes ``{"a": {"b": {"c": "1"}}}``; ``a[0]=x`` and ``a[]=x`` become lists.
    """
    result: dict[str, Any] = {}
    for key, value in urllib.parse.parse_qsl(body, keep_blank_values=True):
        parts = [key.split("[", 1)[0], *re.findall(r"\[([^\]]*)\]", key)]
        node = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        last = parts[-1]
        if last == "":
            last = str(len(node))
        if last in node:
            raise SpecViolation(f"Form key {key!r} is sent twice.")
        node[last] = value
    converted: dict[str, Any] = _lists_from_indexes(result)
    return converted


def _lists_from_indexes(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _lists_from_indexes(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def _check_paypal_token_request(request: httpx.Request) -> None:
    authorization = request.headers.get("Authorization", "")
    if not authorization.startswith("Basic "):
        raise SpecViolation("The PayPal token request must use HTTP Basic authentication.")
    if request.headers.get("Content-Type") != "application/x-www-form-urlencoded":
        raise SpecViolation("The PayPal token request must be form-encoded.")
    if urllib.parse.parse_qs(request.content.decode()) != {"grant_type": ["client_credentials"]}:
        raise SpecViolation("The PayPal token request body must be grant_type=client_credentials.")


def validate_request(request: httpx.Request) -> None:
    """Raise SpecViolation unless the provider's official spec accepts the request."""
    if request.method == "POST" and request.url.path == PAYPAL_TOKEN_PATH:
        _check_paypal_token_request(request)
        return

    name, item, operation, path_params = find_operation(request)
    where = f"{request.method} {request.url.path}"
    if not request.headers.get("Authorization", "").startswith(("Bearer ", "Basic ")):
        raise SpecViolation(f"{where} has no Authorization header.")

    parameters = [
        _resolve(name, p) for p in item.get("parameters", []) + operation.get("parameters", [])
    ]
    query = parse_form(request.url.query.decode())
    known_query = set()
    for parameter in parameters:
        location, key = parameter["in"], parameter["name"]
        schema = _with_ref(name, parameter.get("schema", {}))
        if location == "path":
            _check_schema(name, schema, path_params[key], f"{where} path parameter {key}")
        elif location == "query":
            known_query.add(key)
            if key in query:
                _check_schema(name, schema, query[key], f"{where} query parameter {key}")
            elif parameter.get("required"):
                raise SpecViolation(f"{where} lacks the required query parameter {key}.")
        elif location == "header":
            value = request.headers.get(key)
            if value is not None:
                _check_schema(name, schema, value, f"{where} header {key}")
            elif parameter.get("required"):
                raise SpecViolation(f"{where} lacks the required header {key}.")
    unknown = set(query) - known_query
    if unknown:
        raise SpecViolation(
            f"{where} sends query parameters the spec does not define: {sorted(unknown)}."
        )

    _validate_body(name, operation, request, where)


def _validate_body(
    name: str, operation: dict[str, Any], request: httpx.Request, where: str
) -> None:
    body = request.content
    request_body = operation.get("requestBody")
    if request_body is None:
        if body:
            raise SpecViolation(f"{where} sends a body, but the operation takes none.")
        return
    request_body = _resolve(name, request_body)
    content_type = request.headers.get("Content-Type", "").split(";")[0].strip()
    content = request_body.get("content", {})
    if not body:
        if request_body.get("required"):
            raise SpecViolation(f"{where} sends no body, but the operation requires one.")
        return
    if content_type not in content:
        raise SpecViolation(
            f"{where} sends Content-Type {content_type!r}; the spec accepts {sorted(content)}."
        )
    if content_type == "application/json":
        value = json.loads(body)
    elif content_type == "application/x-www-form-urlencoded":
        value = parse_form(body.decode())
    else:
        raise SpecViolation(f"{where}: the helper cannot decode {content_type!r} bodies.")
    schema = _with_ref(name, content[content_type]["schema"])
    if name.startswith("stripe/"):
        schema = _close_objects(schema)
    _check_schema(name, schema, value, f"{where} body")
