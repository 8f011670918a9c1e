"""An in-process emulator of the PayPal endpoints that tracksync uses.

Endpoints: ``POST /v1/oauth2/token``; Orders v2 ``GET /v2/checkout/orders/{id}``,
``POST /v2/checkout/orders/{id}/track`` and
``PATCH /v2/checkout/orders/{id}/trackers/{tracker_id}``; Payments v2 ``GET`` of a capture,
an authorization or a refund; and Tracking API v1 ``/v1/shipping/trackers-batch`` and
``/v1/shipping/trackers``. Each API has its own ``_paypal_*`` module. This one contains
the public class, the routing table with each endpoint's OAuth scope, and persistence.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

import attrs
import cattrs
import httpx
from typing_extensions import Self

from ._base import (
    DUMP_VERSION,
    EmulatorTransport,
    Handler,
    MethodNotAllowed,
    Route,
    Router,
    check_dump_header,
    json_response,
    random_hex,
    request_path,
    rfc3339_now,
)
from ._paypal_auth import (
    ALL_SCOPES,
    AUTH_ASSERTION_HEADER,
    AUTHCAPTURE_SCOPE,
    PAYMENTS_SCOPE,
    REFUND_SCOPE,
    TOKEN_PATH,
    TRACKERS_READ_SCOPE,
    TRACKERS_READWRITE_SCOPE,
    check_auth_assertion,
    check_bearer_token,
    decode_auth_assertion,
    granted_scopes,
    issue_token,
)
from ._paypal_http import Problem
from ._paypal_orders import add_tracker, get_order, patch_tracker, render_order, render_tracker
from ._paypal_payments import get_authorization, get_capture, get_refund
from ._paypal_state import (
    AUTHORIZATION_STATUSES,
    CAPTURE_STATUSES,
    ORDER_ID,
    PAYMENT_ID,
    Authorization,
    Capture,
    Order,
    PayPalState,
    Refund,
    converter,
)
from ._paypal_tracking_v1 import (
    add_trackers,
    add_trackers_batch,
    get_tracker,
    list_trackers,
    render_shipping_tracker,
    replace_tracker,
)

__all__ = ["PayPalEmulator"]

_DEFAULT_BASE_URL = "https://api-m.sandbox.paypal.com"

#: A handler of one PayPal endpoint: the state, the request and the decoded path parameters.
_StateHandler = Callable[[PayPalState, httpx.Request, Mapping[str, str]], httpx.Response]


@attrs.frozen
class _Endpoint:
    """One PayPal endpoint and the OAuth scopes that grant it, any one of them being enough."""

    method: str
    template: str
    handler: _StateHandler
    scopes: tuple[str, ...]
    #: The issue in a 403 response's details, for the APIs whose spec documents one.
    denied_issue: str | None


#: Orders v2 endpoints need the scope that PayPal's Orders v2 spec names for them, and
#: Payments v2 reads the scopes of the Payments v2 spec: authcapture for captures and
#: authorizations, refund for refunds. Tracking API v1 writes need trackers/readwrite.
#: NOTE: the spec names only trackers/read for Tracking API v1 reads. That trackers/readwrite
#: grants them as well is assumed, not established.
_ENDPOINTS = (
    _Endpoint(
        "GET", "/v2/checkout/orders/{order_id}", get_order, (PAYMENTS_SCOPE,), "PERMISSION_DENIED"
    ),
    _Endpoint(
        "POST",
        "/v2/checkout/orders/{order_id}/track",
        add_tracker,
        (PAYMENTS_SCOPE,),
        "PERMISSION_DENIED",
    ),
    _Endpoint(
        "PATCH",
        "/v2/checkout/orders/{order_id}/trackers/{tracker_id}",
        patch_tracker,
        (PAYMENTS_SCOPE,),
        "PERMISSION_DENIED",
    ),
    _Endpoint(
        "GET",
        "/v2/payments/captures/{capture_id}",
        get_capture,
        (AUTHCAPTURE_SCOPE,),
        "PERMISSION_DENIED",
    ),
    _Endpoint(
        "GET",
        "/v2/payments/authorizations/{authorization_id}",
        get_authorization,
        (AUTHCAPTURE_SCOPE,),
        "PERMISSION_DENIED",
    ),
    _Endpoint(
        "GET", "/v2/payments/refunds/{refund_id}", get_refund, (REFUND_SCOPE,), "PERMISSION_DENIED"
    ),
    _Endpoint(
        "POST",
        "/v1/shipping/trackers-batch",
        add_trackers_batch,
        (TRACKERS_READWRITE_SCOPE,),
        None,
    ),
    _Endpoint("POST", "/v1/shipping/trackers", add_trackers, (TRACKERS_READWRITE_SCOPE,), None),
    _Endpoint(
        "GET",
        "/v1/shipping/trackers",
        list_trackers,
        (TRACKERS_READ_SCOPE, TRACKERS_READWRITE_SCOPE),
        None,
    ),
    _Endpoint(
        "GET",
        "/v1/shipping/trackers/{id}",
        get_tracker,
        (TRACKERS_READ_SCOPE, TRACKERS_READWRITE_SCOPE),
        None,
    ),
    _Endpoint(
        "PUT", "/v1/shipping/trackers/{id}", replace_tracker, (TRACKERS_READWRITE_SCOPE,), None
    ),
)


class PayPalEmulator(EmulatorTransport):
    """A stateful stand-in for PayPal's OAuth, Orders v2, Payments v2 and Tracking API v1.

    Use it as the transport of an httpx client, with any base URL::

        emulator = PayPalEmulator()
        emulator.add_order("5O190127TN364715T", captures={"8MC585209K746392H": "COMPLETED"})
        base_url = "https://api-m.sandbox.paypal.com"
        with httpx.Client(transport=emulator, base_url=base_url) as client:
            ...

    Every endpoint other than the token endpoint needs a bearer token from
    ``POST /v1/oauth2/token``, obtained with ``client_id`` and ``client_secret``. Tokens
    stay valid for ``token_lifetime`` seconds or until :meth:`expire_tokens`.

    ``scopes`` lists the OAuth scopes that tokens carry; None grants every scope in
    :attr:`ALL_SCOPES`. An endpoint whose scope is missing returns 403 NOT_AUTHORIZED.
    ``batch_error_index_base`` (0 or 1) is where N starts in the ``/trackers/N/...`` fields
    of ``POST /v1/shipping/trackers-batch`` errors.
    """

    #: Every OAuth scope the emulator checks, in the order a token lists them.
    ALL_SCOPES: ClassVar[tuple[str, ...]] = ALL_SCOPES

    def __init__(
        self,
        client_id: str = "emulator-client-id",
        client_secret: str = "emulator-client-secret",
        *,
        token_lifetime: int = 32400,
        scopes: Iterable[str] | None = None,
        batch_error_index_base: int = 1,
    ) -> None:
        super().__init__()
        if token_lifetime < 0:
            raise ValueError(f"token_lifetime must be 0 or more seconds, not {token_lifetime}.")
        if batch_error_index_base not in (0, 1):
            raise ValueError(
                f"batch_error_index_base must be 0 or 1, not {batch_error_index_base}."
            )
        self._state = PayPalState(
            client_id=client_id,
            client_secret=client_secret,
            token_lifetime=token_lifetime,
            tokens=[],
            orders={},
            scopes=None if scopes is None else _checked_scopes(scopes),
            batch_error_index_base=batch_error_index_base,
        )
        self._router = Router(
            [
                Route(endpoint.method, endpoint.template, self._bind(endpoint))
                for endpoint in _ENDPOINTS
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

    @property
    def scopes(self) -> tuple[str, ...]:
        """The OAuth scopes that tokens carry."""
        with self._lock:
            return granted_scopes(self._state)

    # --- Seeding ------------------------------------------------------------------------------

    def has_order(self, order_id: str) -> bool:
        """Return whether the emulator holds an order with this id."""
        with self._lock:
            return order_id in self._state.orders

    def has_capture(self, capture_id: str) -> bool:
        """Return whether the emulator has a capture with this id, in an order or alone."""
        with self._lock:
            return self._state.find_capture(capture_id) is not None

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
            self._state.orders[order_id] = Order(
                id=order_id,
                purchase_units=purchase_units,
                skus=list(skus),
                captures=[Capture(cid, status, now, now) for cid, status in captures.items()],
                authorizations=[
                    Authorization(aid, status, now) for aid, status in authorizations.items()
                ],
                refunds=[Refund(rid, cid, now) for rid, cid in refunds.items()],
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
        if not ORDER_ID.match(order_id):
            raise ValueError(
                f"Order id {order_id!r} is invalid: PayPal order ids are 1 to 36 "
                "characters of A-Z and 0-9."
            )
        if order_id in self._state.orders:
            raise ValueError(f"Order {order_id!r} already exists in this emulator.")
        if not 1 <= purchase_units <= 10:
            raise ValueError(f"purchase_units must be 1 to 10, not {purchase_units}.")

        used_ids = self._state.payment_ids()
        new_ids = [*captures, *authorizations, *refunds]
        for payment_id in new_ids:
            _check_payment_id(payment_id)
            if payment_id in used_ids or new_ids.count(payment_id) > 1:
                raise ValueError(f"Payment id {payment_id!r} is used more than once.")

        for capture_id, status in captures.items():
            _check_capture_status(status, capture_id)
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

    def add_capture(
        self, capture_id: str, status: str = "COMPLETED", *, order_id: str | None = None
    ) -> None:
        """Create a capture, alone or as a new capture of an existing order.

        A capture without an order is a payment known only by its transaction id: Payments
        v2 and Tracking API v1 find it, Orders v2 does not.

        Raises:
            KeyError: ``order_id`` names no order in this emulator.
            ValueError: the id is malformed or already in use, or the status is unknown.
        """
        _check_payment_id(capture_id)
        _check_capture_status(status, capture_id)
        with self._lock:
            if capture_id in self._state.payment_ids():
                raise ValueError(f"Payment id {capture_id!r} is used more than once.")
            now = rfc3339_now()
            capture = Capture(capture_id, status, now, now)
            if order_id is None:
                self._state.captures[capture_id] = capture
                return
            order = self._existing_order(order_id)
            order.captures.append(capture)
            order.update_time = now

    def set_capture_status(self, capture_id: str, status: str) -> None:
        """Change the status of a seeded capture, in an order or alone.

        Raises:
            KeyError: the emulator has no such capture.
            ValueError: the status is not a PayPal capture status.
        """
        if status not in CAPTURE_STATUSES:
            raise ValueError(
                f"Unknown capture status {status!r}. "
                f"Use one of {', '.join(sorted(CAPTURE_STATUSES))}."
            )
        with self._lock:
            found = self._state.find_capture(capture_id)
            if found is None:
                raise KeyError(f"No capture {capture_id!r} in this emulator.")
            capture, order = found
            now = rfc3339_now()
            capture.status = status
            capture.update_time = now
            if order is not None:
                order.update_time = now

    def expire_tokens(self) -> None:
        """Make every access token issued so far invalid, so the next API call gets HTTP 401."""
        with self._lock:
            self._state.tokens.clear()

    # --- Inspection ---------------------------------------------------------------------------

    def order(self, order_id: str, *, base_url: str = _DEFAULT_BASE_URL) -> dict[str, Any]:
        """Return the order as GET /v2/checkout/orders/{id} would, with links under ``base_url``.

        Raises:
            KeyError: the order does not exist.
        """
        with self._lock:
            order = self._existing_order(order_id)
            return render_order(self._state, order, base_url.rstrip("/"))

    def trackers(self, order_id: str, *, base_url: str = _DEFAULT_BASE_URL) -> list[dict[str, Any]]:
        """Return the order's trackers as the order's GET response shows them, oldest first."""
        with self._lock:
            order = self._existing_order(order_id)
            return [
                render_tracker(order, tracker, base_url.rstrip("/"))
                for tracker in self._state.order_trackers(order)
            ]

    def tracker_details(self, order_id: str) -> list[dict[str, Any]]:
        """Return everything the emulator stores about the order's trackers, oldest first.

        Unlike :meth:`trackers`, this includes what PayPal does not show in the order, such
        as ``capture_id``, ``tracking_number``, ``carrier``, ``carrier_name_other`` and
        ``notify_payer``.
        """
        with self._lock:
            order = self._existing_order(order_id)
            trackers = self._state.order_trackers(order)
            details: list[dict[str, Any]] = json.loads(json.dumps(converter.unstructure(trackers)))
            return details

    def shipping_trackers(
        self, transaction_id: str, *, base_url: str = _DEFAULT_BASE_URL
    ) -> list[dict[str, Any]]:
        """Return a capture's trackers as Tracking API v1 shows them, oldest first.

        This covers trackers added through Orders v2 as well.

        Raises:
            KeyError: the emulator has no such capture.
        """
        with self._lock:
            if self._state.find_capture(transaction_id) is None:
                raise KeyError(f"No capture {transaction_id!r} in this emulator.")
            return [
                render_shipping_tracker(tracker, base_url.rstrip("/"))
                for tracker in self._state.capture_trackers(transaction_id)
            ]

    def auth_assertions(self) -> list[dict[str, Any]]:
        """Return the payloads of the valid ``PayPal-Auth-Assertion`` headers received.

        Each payload names the merchant a partner acted for (``payer_id`` or ``email``).
        The payloads come from the request log, oldest first, so :meth:`clear_requests`
        empties this list too. Malformed assertions, which got HTTP 401, are left out.
        """
        with self._lock:
            payloads: list[dict[str, Any]] = []
            for request in self._requests:
                value = request.headers.get(AUTH_ASSERTION_HEADER)
                if value is None or request_path(request) == TOKEN_PATH:
                    continue
                payload = decode_auth_assertion(value, self._state.client_id)
                if payload is not None:
                    payloads.append(payload)
            return payloads

    def _existing_order(self, order_id: str) -> Order:
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
            state: dict[str, Any] = json.loads(json.dumps(converter.unstructure(self._state)))
        return {"format": "PayPalEmulator", "version": DUMP_VERSION, "state": state}

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> Self:
        """Create an emulator from the result of :meth:`dump`.

        Raises:
            ValueError: ``data`` is not a PayPalEmulator dump of this version.
        """
        state_data = check_dump_header(data, "PayPalEmulator")
        try:
            state = converter.structure(json.loads(json.dumps(state_data)), PayPalState)
        except (cattrs.BaseValidationError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"PayPalEmulator.load() got a malformed state: {exc}") from exc
        emulator = cls(
            state.client_id,
            state.client_secret,
            token_lifetime=state.token_lifetime,
            scopes=state.scopes,
            batch_error_index_base=state.batch_error_index_base,
        )
        emulator._state = state
        return emulator

    # --- HTTP ---------------------------------------------------------------------------------

    def _is_write(self, request: httpx.Request) -> bool:
        return super()._is_write(request) and request_path(request) != TOKEN_PATH

    def _fault_response(
        self, status: int, message: str, *, retry_after: bool = False
    ) -> httpx.Response:
        debug_id = random_hex(13)
        response = json_response(status, Problem(status).body(debug_id, orders_link=False))
        response.headers["Paypal-Debug-Id"] = debug_id
        if retry_after:
            response.headers["Retry-After"] = "1"
        return response

    def _respond(self, request: httpx.Request) -> httpx.Response:
        debug_id = random_hex(13)
        try:
            response = self._dispatch(request)
        except Problem as problem:
            orders_link = request_path(request).startswith("/v2/checkout/")
            body = problem.body(debug_id, orders_link=orders_link)
            response = json_response(problem.status_code, body)
            if problem.status_code == 405:
                response.headers["Allow"] = ", ".join(self._allowed_methods(request))
        # A handler that puts its debug id into the body also sets the header.
        response.headers.setdefault("Paypal-Debug-Id", debug_id)
        return response

    def _dispatch(self, request: httpx.Request) -> httpx.Response:
        if request_path(request) == TOKEN_PATH:
            if request.method != "POST":
                raise Problem(405)
            return issue_token(self._state, request)

        check_bearer_token(self._state, request)
        check_auth_assertion(self._state, request)
        resolution = self._router.resolve(request.method, request)
        if resolution is None:
            raise Problem(404)
        if isinstance(resolution, MethodNotAllowed):
            raise Problem(405)
        return resolution.handler(request, resolution.params)

    def _bind(self, endpoint: _Endpoint) -> Handler:
        """Return a route handler that checks the endpoint's scope, then runs it on the state."""

        def handle(request: httpx.Request, params: Mapping[str, str]) -> httpx.Response:
            granted = granted_scopes(self._state)
            if not any(scope in granted for scope in endpoint.scopes):
                raise Problem(403, endpoint.denied_issue, location=None)
            return endpoint.handler(self._state, request, params)

        return handle

    def _allowed_methods(self, request: httpx.Request) -> tuple[str, ...]:
        if request_path(request) == TOKEN_PATH:
            return ("POST",)
        resolution = self._router.resolve(request.method, request)
        return resolution.allowed if isinstance(resolution, MethodNotAllowed) else ()


def _checked_scopes(scopes: Iterable[str]) -> list[str]:
    """Return the scopes in order without repeats, or raise ValueError for a malformed one."""
    if isinstance(scopes, str):
        raise ValueError(
            f"scopes must be an iterable of scope strings, not the single string {scopes!r}. "
            "Wrap it in a list."
        )
    checked: list[str] = []
    for scope in scopes:
        if not isinstance(scope, str) or not scope or any(char.isspace() for char in scope):
            raise ValueError(
                f"Scope {scope!r} is invalid: a scope is a non-empty string without spaces, "
                f"such as {PAYMENTS_SCOPE!r}."
            )
        if scope not in checked:
            checked.append(scope)
    return checked


def _check_payment_id(payment_id: str) -> None:
    if not PAYMENT_ID.match(payment_id):
        raise ValueError(f"Payment id {payment_id!r} is invalid: use 1 to 50 letters and digits.")


def _check_capture_status(status: str, capture_id: str) -> None:
    if status not in CAPTURE_STATUSES:
        raise ValueError(
            f"Capture {capture_id!r} has unknown status {status!r}. "
            f"Use one of {', '.join(sorted(CAPTURE_STATUSES))}."
        )
