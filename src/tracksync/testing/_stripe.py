"""An in-process emulator of the Stripe endpoints that tracksync uses.

Endpoints: ``GET /v1/payment_intents/{id}`` and ``POST /v1/payment_intents/{id}``, the
update that sets ``shipping`` (carrier and tracking number). Responses and error bodies
have the shapes of Stripe's API; the PaymentIntent fields follow API version 2023-08-16.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import secrets
import string
import time
import urllib.parse
from collections.abc import Callable, Mapping
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
    request_path,
)

__all__ = ["StripeEmulator"]

PAYMENT_INTENT_STATUSES = frozenset(
    {
        "requires_payment_method",
        "requires_confirmation",
        "requires_action",
        "processing",
        "requires_capture",
        "canceled",
        "succeeded",
    }
)
#: Statuses in which Stripe lets other PaymentIntent fields change, as its
#: ``payment_intent_unexpected_state`` message lists them.
_UPDATABLE_STATUSES = ("requires_payment_method", "requires_confirmation", "requires_action")

#: Update parameters the emulator accepts. Stripe takes more, but the emulator rejects the
#: others as unknown, so a test notices when a client starts to send them.
_UPDATE_PARAMETERS = frozenset({"shipping", "metadata", "description", "receipt_email"})
_SHIPPING_KEYS = frozenset({"name", "address", "carrier", "phone", "tracking_number"})
_ADDRESS_KEYS = ("city", "country", "line1", "line2", "postal_code", "state")

#: Limits from Stripe's API reference and OpenAPI spec (version 2023-08-16).
_MAX_STRING = 5000
_MAX_DESCRIPTION = 1000
_MAX_IDEMPOTENCY_KEY = 255
_MAX_METADATA_KEYS = 50
_MAX_METADATA_KEY = 40
_MAX_METADATA_VALUE = 500

_INTENT_ID = re.compile(r"^[A-Za-z0-9_]+$")
_CURRENCY = re.compile(r"^[a-z]{3}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_FORM_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SECRET_KEY_PREFIX = re.compile(r"^(?:sk|rk|pk)_(?:test|live)_")
_REQUEST_ID_ALPHABET = string.ascii_letters + string.digits

_NO_KEY_MESSAGE = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)


class _Problem(Exception):
    """An error response in Stripe's shape, raised by a handler and rendered by the emulator.

    ``executed`` marks an error that Stripe produces after the update began, whose
    response an idempotency key saves like a success.
    """

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        error_type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        payment_intent: dict[str, Any] | None = None,
        executed: bool = False,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.error_type = error_type
        self.code = code
        self.param = param
        self.payment_intent = payment_intent
        self.executed = executed

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {}
        if self.code is not None:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        error["message"] = self.message
        if self.param is not None:
            error["param"] = self.param
        if self.payment_intent is not None:
            error["payment_intent"] = self.payment_intent
        error["type"] = self.error_type
        return {"error": error}


def _unknown_parameter(param: str) -> _Problem:
    return _Problem(
        400, f"Received unknown parameter: {param}", code="parameter_unknown", param=param
    )


def _missing_parameter(param: str) -> _Problem:
    return _Problem(400, f"Missing required param: {param}.", code="parameter_missing", param=param)


def _empty_parameter(param: str) -> _Problem:
    return _Problem(
        400,
        f"You passed an empty string for '{param}'. We assume empty values are an attempt to "
        f"unset a parameter; however '{param}' cannot be unset. You should remove '{param}' "
        "from your request or supply a non-empty value.",
        code="parameter_invalid_empty",
        param=param,
    )


def _not_a_hash(param: str) -> _Problem:
    return _Problem(400, f"Invalid hash: {param} must be a hash of parameters.", param=param)


# --- State ------------------------------------------------------------------------------------


@attrs.define
class _Address:
    city: str | None = None
    country: str | None = None
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    state: str | None = None


@attrs.define
class _Shipping:
    name: str
    address: _Address
    carrier: str | None = None
    phone: str | None = None
    tracking_number: str | None = None


@attrs.define
class _PaymentIntent:
    id: str
    status: str
    amount: int
    currency: str
    created: int
    shipping: _Shipping | None
    latest_charge: str | None
    metadata: dict[str, str]
    description: str | None = None
    receipt_email: str | None = None


@attrs.define
class _SavedResponse:
    """A response saved under an idempotency key, with the request that produced it."""

    method: str
    path: str
    params: dict[str, Any]
    status_code: int
    body: dict[str, Any]
    request_id: str


@attrs.define
class _StripeState:
    api_key: str
    shipping_update_on_succeeded: bool
    payment_intents: dict[str, _PaymentIntent]
    idempotency_keys: dict[str, _SavedResponse]


_converter = cattrs.Converter()


# --- Request parsing and validation -----------------------------------------------------------


def _decode_form(text: str) -> dict[str, Any]:
    """Decode form parameters with bracket nesting: ``a[b]=1`` becomes ``{"a": {"b": "1"}}``.

    ``a[]=x`` is stored under the key ``""``, because no parameter the emulator accepts is a list.
    """
    result: dict[str, Any] = {}
    for key, value in urllib.parse.parse_qsl(text, keep_blank_values=True):
        match = _FORM_KEY.match(key)
        if match is None:
            raise _Problem(400, f"Invalid parameter name: {key}", param=key)
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node = result
        for depth, part in enumerate(parts[:-1]):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise _Problem(
                    400,
                    f"Received {_bracketed(parts[: depth + 1])} both as a value and as a hash.",
                    param=_bracketed(parts[: depth + 1]),
                )
            node = child
        if isinstance(node.get(parts[-1]), dict):
            raise _Problem(400, f"Received {key} both as a value and as a hash.", param=key)
        node[parts[-1]] = value
    return result


def _bracketed(parts: list[str]) -> str:
    return parts[0] + "".join(f"[{part}]" for part in parts[1:])


def _optional_string(value: object, param: str, *, max_length: int = _MAX_STRING) -> str | None:
    """Check one string parameter. An empty string unsets the field, so it returns None."""
    if not isinstance(value, str):
        raise _Problem(400, f"Invalid string: {param} must be a string, not a hash.", param=param)
    if len(value) > max_length:
        # NOTE: the message copies the one Stripe sends for an over-long string. Whether
        # Stripe also sets an error code there is not established, so none is sent.
        excerpt = value if len(value) <= 20 else f"{value[:10]}...{value[-10:]}"
        raise _Problem(
            400, f"Invalid string: {excerpt}; must be at most {max_length} characters", param=param
        )
    return value or None


def _parse_address(value: object) -> _Address:
    if value == "":
        raise _empty_parameter("shipping[address]")
    if not isinstance(value, dict):
        raise _not_a_hash("shipping[address]")
    for key in value:
        if key not in _ADDRESS_KEYS:
            raise _unknown_parameter(f"shipping[address][{key}]")
    fields = {
        key: _optional_string(value[key], f"shipping[address][{key}]")
        for key in _ADDRESS_KEYS
        if key in value
    }
    return _Address(**fields)


def _parse_shipping(value: object) -> _Shipping | None:
    """Check the ``shipping`` parameter. An empty string unsets shipping, so it returns None."""
    if value == "":
        return None
    if not isinstance(value, dict):
        raise _not_a_hash("shipping")
    for key in value:
        if key not in _SHIPPING_KEYS:
            raise _unknown_parameter(f"shipping[{key}]")
    if "name" not in value:
        raise _missing_parameter("shipping[name]")
    if "address" not in value:
        raise _missing_parameter("shipping[address]")

    name = _optional_string(value["name"], "shipping[name]")
    if name is None:
        raise _empty_parameter("shipping[name]")
    address = _parse_address(value["address"])
    optional = {
        key: _optional_string(value[key], f"shipping[{key}]")
        for key in ("carrier", "phone", "tracking_number")
        if key in value
    }
    return _Shipping(name=name, address=address, **optional)


def _merge_metadata(current: Mapping[str, str], value: object) -> dict[str, str]:
    """Apply a ``metadata`` update: an empty value unsets one key, ``metadata=`` unsets all."""
    if value == "":
        return {}
    if not isinstance(value, dict):
        raise _not_a_hash("metadata")
    merged = dict(current)
    for key, item in value.items():
        param = f"metadata[{key}]"
        if len(key) > _MAX_METADATA_KEY:
            raise _Problem(
                400,
                f"Invalid metadata key {key!r}: "
                f"keys must be at most {_MAX_METADATA_KEY} characters.",
                param=param,
            )
        text = _optional_string(item, param, max_length=_MAX_METADATA_VALUE)
        if text is None:
            merged.pop(key, None)
        else:
            merged[key] = text
    if len(merged) > _MAX_METADATA_KEYS:
        raise _Problem(
            400,
            f"Invalid metadata: an object can have at most {_MAX_METADATA_KEYS} keys, "
            f"and this update would leave {len(merged)}.",
            param="metadata",
        )
    return merged


def _parse_receipt_email(value: object) -> str | None:
    email = _optional_string(value, "receipt_email")
    if email is not None and not _EMAIL.match(email):
        raise _Problem(
            400, f"Invalid email address: {email}", code="email_invalid", param="receipt_email"
        )
    return email


def _reject_unsupported(
    params: Mapping[str, Any], accepted: frozenset[str], not_emulated: frozenset[str]
) -> None:
    """Reject parameters other than ``accepted``.

    ``not_emulated`` are parameters that Stripe accepts but the emulator does not implement.
    Their error message states that, in place of Stripe's "unknown parameter".
    """
    for name in params:
        if name in accepted:
            continue
        if name in not_emulated:
            raise _Problem(
                400, f"StripeEmulator does not emulate the parameter {name}.", param=name
            )
        raise _unknown_parameter(name)


def _mask_key(key: str) -> str:
    """Mask an API key for a message. Only the ``sk_test_`` prefix and last 4 characters show."""
    match = _SECRET_KEY_PREFIX.match(key)
    prefix = match.group(0) if match else ""
    rest = key[len(prefix) :]
    tail = rest[-4:] if len(rest) > 8 else ""
    return f"{prefix}****{tail}"


def _new_request_id() -> str:
    return "req_" + "".join(secrets.choice(_REQUEST_ID_ALPHABET) for _ in range(14))


# --- Rendering --------------------------------------------------------------------------------


def _render_payment_intent(intent: _PaymentIntent) -> dict[str, Any]:
    shipping: dict[str, Any] | None = None
    if intent.shipping is not None:
        shipping = _converter.unstructure(intent.shipping)
    return {
        "id": intent.id,
        "object": "payment_intent",
        "amount": intent.amount,
        "amount_capturable": intent.amount if intent.status == "requires_capture" else 0,
        "amount_received": intent.amount if intent.status == "succeeded" else 0,
        "capture_method": "automatic",
        "confirmation_method": "automatic",
        "created": intent.created,
        "currency": intent.currency,
        "description": intent.description,
        "latest_charge": intent.latest_charge,
        "livemode": False,
        "metadata": dict(intent.metadata),
        "payment_method_types": ["card"],
        "receipt_email": intent.receipt_email,
        "shipping": shipping,
        "status": intent.status,
    }


def _shipping_from_seed(shipping: Mapping[str, Any]) -> _Shipping:
    unknown = set(shipping) - _SHIPPING_KEYS
    if unknown:
        raise ValueError(
            f"shipping has unknown keys {sorted(unknown)}. Use {sorted(_SHIPPING_KEYS)}."
        )
    if not shipping.get("name"):
        raise ValueError("shipping needs a non-empty 'name', as on Stripe.")
    address = dict(shipping.get("address") or {})
    unknown = set(address) - set(_ADDRESS_KEYS)
    if unknown:
        raise ValueError(
            f"shipping['address'] has unknown keys {sorted(unknown)}. Use {list(_ADDRESS_KEYS)}."
        )
    return _Shipping(
        name=str(shipping["name"]),
        address=_Address(**address),
        carrier=shipping.get("carrier"),
        phone=shipping.get("phone"),
        tracking_number=shipping.get("tracking_number"),
    )


# --- The emulator -----------------------------------------------------------------------------


class StripeEmulator(EmulatorTransport):
    """A stateful stand-in for Stripe's PaymentIntent read and update endpoints.

    Use it as the transport of an httpx client, with any base URL::

        emulator = StripeEmulator()
        emulator.add_payment_intent("pi_3MtwBwLkdIwHu7ix28a3tqPa")
        with httpx.Client(transport=emulator, base_url="https://api.stripe.com") as client:
            ...

    Every request needs ``api_key`` as a bearer token, or as the user name of HTTP Basic.
    POST requests honour ``Idempotency-Key`` as Stripe does.

    Args:
        api_key: the secret key that requests must send.
        shipping_update_on_succeeded: when False, updating ``shipping`` on a succeeded
            PaymentIntent fails with ``payment_intent_unexpected_state``.
    """

    def __init__(
        self, api_key: str = "sk_test_emulator", *, shipping_update_on_succeeded: bool = True
    ) -> None:
        super().__init__()
        if not api_key:
            raise ValueError("api_key must not be empty.")
        self._state = _StripeState(
            api_key=api_key,
            shipping_update_on_succeeded=shipping_update_on_succeeded,
            payment_intents={},
            idempotency_keys={},
        )
        self._router = Router(
            [
                Route("GET", "/v1/payment_intents/{intent}", self._get_payment_intent),
                Route("POST", "/v1/payment_intents/{intent}", self._update_payment_intent),
            ]
        )

    @property
    def api_key(self) -> str:
        """The API key that every request must carry."""
        return self._state.api_key

    # --- Seeding and inspection ---------------------------------------------------------------

    def has_payment_intent(self, intent_id: str) -> bool:
        """Return whether the emulator holds a PaymentIntent with this id."""
        with self._lock:
            return intent_id in self._state.payment_intents

    def add_payment_intent(
        self,
        intent_id: str,
        *,
        status: str = "succeeded",
        amount: int = 1000,
        currency: str = "usd",
        shipping: Mapping[str, Any] | None = None,
        latest_charge: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        """Create a PaymentIntent.

        Args:
            intent_id: the id, such as ``pi_3MtwBwLkdIwHu7ix28a3tqPa``; letters, digits and ``_``.
            status: a PaymentIntent status, such as ``succeeded`` or ``requires_capture``.
            amount: the amount in the currency's smallest unit.
            currency: a three-letter lowercase ISO currency code.
            shipping: the ``shipping`` hash as Stripe returns it: ``name`` (required),
                ``address`` (city, country, line1, line2, postal_code, state), ``carrier``,
                ``phone`` and ``tracking_number``.
            latest_charge: the id of the PaymentIntent's latest Charge.
            metadata: string keys and values.

        Raises:
            ValueError: an argument is invalid, or the id is already in use.
        """
        if not _INTENT_ID.match(intent_id):
            raise ValueError(
                f"PaymentIntent id {intent_id!r} is invalid: use letters, digits and _."
            )
        if status not in PAYMENT_INTENT_STATUSES:
            raise ValueError(
                f"Unknown PaymentIntent status {status!r}. Use one of "
                f"{', '.join(sorted(PAYMENT_INTENT_STATUSES))}."
            )
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise ValueError(f"amount must be an int of 0 or more, not {amount!r}.")
        if not _CURRENCY.match(currency):
            raise ValueError(
                f"currency must be a lowercase three-letter code such as 'usd', not {currency!r}."
            )
        intent = _PaymentIntent(
            id=intent_id,
            status=status,
            amount=amount,
            currency=currency,
            created=int(time.time()),
            shipping=None if shipping is None else _shipping_from_seed(shipping),
            latest_charge=latest_charge,
            metadata=dict(metadata or {}),
        )
        with self._lock:
            if intent_id in self._state.payment_intents:
                raise ValueError(f"PaymentIntent {intent_id!r} already exists in this emulator.")
            self._state.payment_intents[intent_id] = intent

    def payment_intent(self, intent_id: str) -> dict[str, Any]:
        """Return the PaymentIntent as GET /v1/payment_intents/{id} would.

        Raises:
            KeyError: the PaymentIntent does not exist.
        """
        with self._lock:
            intent = self._state.payment_intents.get(intent_id)
            if intent is None:
                raise KeyError(
                    f"No PaymentIntent {intent_id!r} in this emulator. "
                    "Add it with add_payment_intent() first."
                )
            return _render_payment_intent(intent)

    # --- Persistence --------------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        """Return the state as JSON-compatible data, without the request log.

        Saved idempotency keys are part of the state.
        """
        with self._lock:
            state: dict[str, Any] = json.loads(json.dumps(_converter.unstructure(self._state)))
        return {"format": "StripeEmulator", "version": DUMP_VERSION, "state": state}

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> Self:
        """Create an emulator from the result of :meth:`dump`.

        Raises:
            ValueError: ``data`` is not a StripeEmulator dump of this version.
        """
        state_data = check_dump_header(data, "StripeEmulator")
        try:
            state = _converter.structure(json.loads(json.dumps(state_data)), _StripeState)
        except (cattrs.BaseValidationError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"StripeEmulator.load() got a malformed state: {exc}") from exc
        emulator = cls(
            state.api_key, shipping_update_on_succeeded=state.shipping_update_on_succeeded
        )
        emulator._state = state
        return emulator

    # --- HTTP ---------------------------------------------------------------------------------

    def _respond(self, request: httpx.Request) -> httpx.Response:
        request_id = _new_request_id()
        try:
            response = self._dispatch(request, request_id)
        except _Problem as problem:
            response = json_response(problem.status_code, problem.body())
            if problem.status_code == 401:
                response.headers["WWW-Authenticate"] = 'Basic realm="Stripe"'
        response.headers["Request-Id"] = request_id
        return response

    def _dispatch(self, request: httpx.Request, request_id: str) -> httpx.Response:
        self._check_api_key(request)
        resolution = self._router.resolve(request.method, request)
        if resolution is None or isinstance(resolution, MethodNotAllowed):
            raise _Problem(
                404,
                f"Unrecognized request URL ({request.method}: {request_path(request)}). Please see "
                "https://stripe.com/docs or we can help at https://support.stripe.com/.",
            )
        if request.method != "POST" or "Idempotency-Key" not in request.headers:
            return resolution.handler(request, resolution.params)
        return self._with_idempotency(
            request, request_id, lambda: resolution.handler(request, resolution.params)
        )

    def _with_idempotency(
        self, request: httpx.Request, request_id: str, run: Callable[[], httpx.Response]
    ) -> httpx.Response:
        """Run a POST under its Idempotency-Key: replay a saved response, or run and save it.

        Stripe saves a response once the endpoint began to execute, so validation failures
        are not saved and a retry after one runs again.
        """
        key = request.headers["Idempotency-Key"]
        if not 1 <= len(key) <= _MAX_IDEMPOTENCY_KEY:
            raise _Problem(
                400,
                "Invalid Idempotency-Key: keys must be 1 to "
                f"{_MAX_IDEMPOTENCY_KEY} characters long.",
            )
        params = _read_form(request)
        path = request_path(request)

        saved = self._state.idempotency_keys.get(key)
        if saved is not None:
            if (saved.method, saved.path, saved.params) != (request.method, path, params):
                raise _Problem(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters they "
                    f"were first used with. Try using a key other than '{key}' if you meant to "
                    "execute a different request.",
                    error_type="idempotency_error",
                )
            return json_response(
                saved.status_code,
                saved.body,
                {
                    "Idempotency-Key": key,
                    "Idempotent-Replayed": "true",
                    "Original-Request": saved.request_id,
                },
            )

        try:
            response = run()
        except _Problem as problem:
            if problem.executed:
                self._save(
                    key,
                    request.method,
                    path,
                    params,
                    problem.status_code,
                    problem.body(),
                    request_id,
                )
            raise
        self._save(
            key, request.method, path, params, response.status_code, response.json(), request_id
        )
        response.headers["Idempotency-Key"] = key
        return response

    def _save(
        self,
        key: str,
        method: str,
        path: str,
        params: dict[str, Any],
        status_code: int,
        body: dict[str, Any],
        request_id: str,
    ) -> None:
        self._state.idempotency_keys[key] = _SavedResponse(
            method=method,
            path=path,
            params=params,
            status_code=status_code,
            body=body,
            request_id=request_id,
        )

    def _check_api_key(self, request: httpx.Request) -> None:
        header = request.headers.get("Authorization", "").strip()
        if not header:
            raise _Problem(401, _NO_KEY_MESSAGE)
        scheme, _, credential = header.partition(" ")
        key = credential.strip()
        if scheme.lower() == "basic":
            try:
                key = base64.b64decode(key, validate=True).decode("utf-8").partition(":")[0]
            except (binascii.Error, UnicodeDecodeError):
                key = ""
        elif scheme.lower() != "bearer":
            key = header
        if not hmac.compare_digest(key.encode("utf-8"), self._state.api_key.encode("utf-8")):
            raise _Problem(401, f"Invalid API Key provided: {_mask_key(key)}")

    # --- PaymentIntents -----------------------------------------------------------------------

    def _find_payment_intent(self, intent_id: str) -> _PaymentIntent:
        intent = self._state.payment_intents.get(intent_id)
        if intent is None:
            raise _Problem(
                404,
                f"No such payment_intent: '{intent_id}'",
                code="resource_missing",
                param="intent",
            )
        return intent

    def _get_payment_intent(
        self, request: httpx.Request, params: Mapping[str, str]
    ) -> httpx.Response:
        query = _decode_form(request.url.query.decode("ascii"))
        _reject_unsupported(query, frozenset(), frozenset({"client_secret", "expand"}))
        intent = self._find_payment_intent(params["intent"])
        return json_response(200, _render_payment_intent(intent))

    def _update_payment_intent(
        self, request: httpx.Request, params: Mapping[str, str]
    ) -> httpx.Response:
        """Update a PaymentIntent. Every parameter is checked before any is applied."""
        form = _read_form(request)
        intent = self._find_payment_intent(params["intent"])
        _reject_unsupported(form, _UPDATE_PARAMETERS, frozenset({"expand"}))

        shipping = _parse_shipping(form["shipping"]) if "shipping" in form else intent.shipping
        metadata = (
            _merge_metadata(intent.metadata, form["metadata"])
            if "metadata" in form
            else intent.metadata
        )
        description = (
            _optional_string(form["description"], "description", max_length=_MAX_DESCRIPTION)
            if "description" in form
            else intent.description
        )
        receipt_email = (
            _parse_receipt_email(form["receipt_email"])
            if "receipt_email" in form
            else intent.receipt_email
        )

        if (
            "shipping" in form
            and intent.status == "succeeded"
            and not self._state.shipping_update_on_succeeded
        ):
            # NOTE: whether Stripe accepts a shipping update on a succeeded PaymentIntent is
            # not established, and this option emulates a rejection. The error counts as
            # executed, so an idempotency key saves it.
            raise _Problem(
                400,
                "This PaymentIntent's shipping could not be updated because it has a status of "
                "succeeded. You may only update the shipping of a PaymentIntent with one of the "
                f"following statuses: {', '.join(_UPDATABLE_STATUSES)}.",
                code="payment_intent_unexpected_state",
                param="shipping",
                payment_intent=_render_payment_intent(intent),
                executed=True,
            )

        intent.shipping = shipping
        intent.metadata = metadata
        intent.description = description
        intent.receipt_email = receipt_email
        return json_response(200, _render_payment_intent(intent))


def _read_form(request: httpx.Request) -> dict[str, Any]:
    """Decode a POST body, which must be form-encoded unless it is empty."""
    if not request.content:
        return {}
    media_type = request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        # NOTE: how Stripe treats a body of another media type is not established. The
        # emulator rejects it, so a client cannot send JSON by mistake.
        raise _Problem(
            400,
            "Invalid request: the body must be application/x-www-form-urlencoded, "
            f"not {media_type or 'a body without Content-Type'}.",
        )
    try:
        text = request.content.decode("utf-8")
    except UnicodeDecodeError:
        raise _Problem(400, "Invalid request: the body is not valid UTF-8.") from None
    return _decode_form(text)
