"""An in-process emulator of the Stripe endpoints that tracksync uses.

Endpoints: ``GET`` and ``POST /v1/payment_intents/{id}``, ``GET`` and ``POST
/v1/charges/{id}``, and ``GET /v1/checkout/sessions/{id}``. Responses and error bodies
have the shapes of Stripe's API; PaymentIntent and Charge fields follow API version
2023-08-16, and Checkout Sessions carry ``collected_information`` as in the current API.
"""

from __future__ import annotations

import json
import secrets
import string
import time
from collections.abc import Mapping
from typing import Any

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
    request_path,
)
from ._stripe_access import Caller, identify_caller, require_permission
from ._stripe_errors import _Problem
from ._stripe_handlers import (
    Endpoint,
    get_charge,
    get_checkout_session,
    get_payment_intent,
    render_session,
    update_charge,
    update_payment_intent,
)
from ._stripe_idempotency import with_idempotency
from ._stripe_seed import (
    CHARGE_STATUSES,
    PAYMENT_INTENT_STATUSES,
    SESSION_PAYMENT_STATUSES,
    SESSION_STATUSES,
    check_account,
    check_amount_and_currency,
    check_choice,
    check_id,
    check_permissions,
    implicit_charge,
    seed_metadata,
)
from ._stripe_state import (
    _Charge,
    _CheckoutSession,
    _converter,
    _PaymentIntent,
    _render_payment_intent,
    _shipping_from_seed,
    _StripeState,
    render_charge,
)

__all__ = ["StripeEmulator"]

_REQUEST_ID_ALPHABET = string.ascii_letters + string.digits

#: The restricted-key resource that each path prefix reads or writes.
_PATH_RESOURCES = (
    ("/v1/payment_intents/", "payment_intents"),
    ("/v1/charges/", "charges"),
    ("/v1/checkout/sessions/", "checkout_sessions"),
)


def _new_request_id() -> str:
    return "req_" + "".join(secrets.choice(_REQUEST_ID_ALPHABET) for _ in range(14))


class StripeEmulator(EmulatorTransport):
    """A stateful stand-in for Stripe's PaymentIntent, Charge and Checkout Session endpoints.

    Use it as the transport of an httpx client, with any base URL::

        emulator = StripeEmulator()
        emulator.add_payment_intent("pi_3MtwBwLkdIwHu7ix28a3tqPa")
        with httpx.Client(transport=emulator, base_url="https://api.stripe.com") as client:
            ...

    Every request needs ``api_key``, or a key added with :meth:`add_restricted_key`, as a
    bearer token or as the user name of HTTP Basic. Objects belong to the platform or to
    a connected account. A request with ``Stripe-Account: acct_...`` reads and updates
    only that account's objects, and a request without it only the platform's. POST requests honour
    ``Idempotency-Key`` as Stripe does. Stripe's 409 ``idempotency_key_in_use``, for a
    request sent while another with the same key runs, cannot happen in-process, because
    the emulator handles one request at a time; send it with :meth:`inject_fault`.

    Args:
        api_key: the secret key, which may read and write everything.
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
                Route("GET", "/v1/payment_intents/{intent}", self._bind(get_payment_intent)),
                Route("POST", "/v1/payment_intents/{intent}", self._bind(update_payment_intent)),
                Route("GET", "/v1/charges/{charge}", self._bind(get_charge)),
                Route("POST", "/v1/charges/{charge}", self._bind(update_charge)),
                Route("GET", "/v1/checkout/sessions/{session}", self._bind(get_checkout_session)),
            ]
        )

    @property
    def api_key(self) -> str:
        """The secret key, which may read and write every object."""
        return self._state.api_key

    # --- Seeding and inspection ---------------------------------------------------------------

    def has_payment_intent(self, intent_id: str) -> bool:
        """Return whether the emulator contains a PaymentIntent with this id, in any account."""
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
        account: str | None = None,
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
            latest_charge: the id of the PaymentIntent's latest Charge (``ch_`` or ``py_``).
                A Charge that does not exist yet is created with the PaymentIntent's amount,
                currency and shipping: succeeded and captured when the PaymentIntent
                succeeded, succeeded but not captured for ``requires_capture``, pending for
                ``processing`` and failed otherwise. An existing Charge must belong to the
                same account and to no other PaymentIntent.
            metadata: string keys and values, within Stripe's metadata limits.
            account: the connected account (``acct_...``) that owns the PaymentIntent, or
                None for the platform.

        Raises:
            ValueError: an argument is invalid, or the id is already in use.
        """
        check_id("PaymentIntent", intent_id)
        check_choice("PaymentIntent status", status, PAYMENT_INTENT_STATUSES)
        check_amount_and_currency(amount, currency)
        check_account(account)
        if latest_charge is not None:
            check_id("Charge", latest_charge)
        created = int(time.time())
        intent = _PaymentIntent(
            id=intent_id,
            status=status,
            amount=amount,
            currency=currency,
            created=created,
            shipping=None if shipping is None else _shipping_from_seed(shipping),
            latest_charge=latest_charge,
            metadata=seed_metadata(metadata),
            account=account,
        )
        with self._lock:
            if intent_id in self._state.payment_intents:
                raise ValueError(f"PaymentIntent {intent_id!r} already exists in this emulator.")
            charge = None if latest_charge is None else self._state.charges.get(latest_charge)
            if charge is not None:
                self._check_link(charge, intent)
                charge.payment_intent = intent_id
            elif latest_charge is not None:
                self._state.charges[latest_charge] = implicit_charge(intent, latest_charge, created)
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

    def has_charge(self, charge_id: str) -> bool:
        """Return whether the emulator contains a Charge with this id, in any account."""
        with self._lock:
            return charge_id in self._state.charges

    def add_charge(
        self,
        charge_id: str,
        *,
        status: str = "succeeded",
        amount: int = 1000,
        currency: str = "usd",
        payment_intent: str | None = None,
        shipping: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        account: str | None = None,
    ) -> None:
        """Create a Charge.

        Args:
            charge_id: the id, ``ch_`` or ``py_`` followed by letters, digits and ``_``.
            status: ``succeeded``, ``pending`` or ``failed``. A succeeded Charge is captured.
            amount: the amount in the currency's smallest unit.
            currency: a three-letter lowercase ISO currency code.
            payment_intent: the id of an existing PaymentIntent of the same account. When
                that PaymentIntent has no ``latest_charge``, this Charge becomes it.
            shipping: the ``shipping`` hash, as for :meth:`add_payment_intent`.
            metadata: string keys and values, within Stripe's metadata limits.
            account: the connected account (``acct_...``) that owns the Charge, or None for
                the platform.

        Raises:
            ValueError: an argument is invalid, the id is already in use, or the
                PaymentIntent does not exist in that account.
        """
        check_id("Charge", charge_id)
        check_choice("Charge status", status, CHARGE_STATUSES)
        check_amount_and_currency(amount, currency)
        check_account(account)
        charge = _Charge(
            id=charge_id,
            status=status,
            amount=amount,
            currency=currency,
            created=int(time.time()),
            payment_intent=payment_intent,
            shipping=None if shipping is None else _shipping_from_seed(shipping),
            metadata=seed_metadata(metadata),
            captured=status == "succeeded",
            account=account,
        )
        with self._lock:
            if charge_id in self._state.charges:
                raise ValueError(f"Charge {charge_id!r} already exists in this emulator.")
            intent = self._linked_intent(payment_intent, account, "add_charge")
            if intent is not None and intent.latest_charge is None:
                intent.latest_charge = charge_id
            self._state.charges[charge_id] = charge

    def charge(self, charge_id: str) -> dict[str, Any]:
        """Return the Charge as GET /v1/charges/{id} would.

        Raises:
            KeyError: the Charge does not exist.
        """
        with self._lock:
            charge = self._state.charges.get(charge_id)
            if charge is None:
                raise KeyError(
                    f"No Charge {charge_id!r} in this emulator. Add it with add_charge() first."
                )
            return render_charge(charge)

    def has_checkout_session(self, session_id: str) -> bool:
        """Return whether the emulator contains a Checkout Session with this id, in any account."""
        with self._lock:
            return session_id in self._state.checkout_sessions

    def add_checkout_session(
        self,
        session_id: str,
        *,
        payment_intent: str | None = None,
        status: str = "complete",
        payment_status: str = "paid",
        shipping: Mapping[str, Any] | None = None,
        account: str | None = None,
    ) -> None:
        """Create a Checkout Session in ``payment`` mode.

        Args:
            session_id: the id, ``cs_`` followed by letters, digits and ``_``, such as
                ``cs_test_a1b2c3``; at most 66 characters.
            payment_intent: the id of an existing PaymentIntent of the same account. The
                Session takes its amount and currency from it.
            status: ``complete``, ``open`` or ``expired``.
            payment_status: ``paid``, ``unpaid`` or ``no_payment_required``.
            shipping: the shipping details the customer entered: ``name`` (required) and
                ``address``. GET returns them in ``collected_information.shipping_details``.
            account: the connected account (``acct_...``) that owns the Session, or None for
                the platform.

        Raises:
            ValueError: an argument is invalid, the id is already in use, or the
                PaymentIntent does not exist in that account.
        """
        check_id("Checkout Session", session_id)
        check_choice("Checkout Session status", status, SESSION_STATUSES)
        check_choice("Checkout Session payment_status", payment_status, SESSION_PAYMENT_STATUSES)
        check_account(account)
        session = _CheckoutSession(
            id=session_id,
            status=status,
            payment_status=payment_status,
            created=int(time.time()),
            payment_intent=payment_intent,
            shipping=(
                None
                if shipping is None
                else _shipping_from_seed(shipping, frozenset({"name", "address"}))
            ),
            account=account,
        )
        with self._lock:
            if session_id in self._state.checkout_sessions:
                raise ValueError(
                    f"Checkout Session {session_id!r} already exists in this emulator."
                )
            self._linked_intent(payment_intent, account, "add_checkout_session")
            self._state.checkout_sessions[session_id] = session

    def checkout_session(self, session_id: str) -> dict[str, Any]:
        """Return the Checkout Session as GET /v1/checkout/sessions/{id} would.

        Raises:
            KeyError: the Checkout Session does not exist.
        """
        with self._lock:
            session = self._state.checkout_sessions.get(session_id)
            if session is None:
                raise KeyError(
                    f"No Checkout Session {session_id!r} in this emulator. "
                    "Add it with add_checkout_session() first."
                )
            return render_session(self._state, session)

    def add_restricted_key(self, key: str, *, permissions: Mapping[str, str]) -> None:
        """Accept ``key`` as a restricted key with the given permissions.

        ``permissions`` maps ``payment_intents``, ``charges`` and ``checkout_sessions`` to
        ``read`` (GET) or ``write`` (GET and POST); a resource left out may not be used.
        Expanding an object needs read permission on its resource too. ``connect``, at
        either level, lets the key send ``Stripe-Account``. A request the key may not send
        gets Stripe's 403, which names the permission it lacks.

        Raises:
            ValueError: the key does not start with ``rk_test_`` or ``rk_live_``, is
                already added, or a permission is unknown.
        """
        checked = check_permissions(key, self._state.api_key, permissions)
        with self._lock:
            if key in self._state.restricted_keys:
                raise ValueError("This restricted key is already added to the emulator.")
            self._state.restricted_keys[key] = checked

    def _check_link(self, charge: _Charge, intent: _PaymentIntent) -> None:
        if charge.account != intent.account:
            raise ValueError(
                f"Charge {charge.id!r} belongs to account {charge.account!r}, not "
                f"{intent.account!r}, so PaymentIntent {intent.id!r} cannot refer to it."
            )
        if charge.payment_intent not in (None, intent.id):
            raise ValueError(
                f"Charge {charge.id!r} already belongs to PaymentIntent {charge.payment_intent!r}."
            )

    def _linked_intent(
        self, intent_id: str | None, account: str | None, method: str
    ) -> _PaymentIntent | None:
        if intent_id is None:
            return None
        intent = self._state.payment_intents.get(intent_id)
        if intent is None or intent.account != account:
            owner = "the platform" if account is None else f"account {account!r}"
            raise ValueError(
                f"{method}() names PaymentIntent {intent_id!r}, which does not exist in {owner}. "
                "Add the PaymentIntent first, with the same account."
            )
        return intent

    # --- Persistence --------------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        """Return the state as JSON-compatible data, without the request log.

        Every object, restricted key and saved idempotency key is part of the state.
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

    def _fault_response(
        self, status: int, message: str, *, retry_after: bool = False
    ) -> httpx.Response:
        if status == 429:
            # Stripe answers rate limits with code rate_limit; api_error covers server faults.
            problem = _Problem(status, message, code="rate_limit")
        else:
            problem = _Problem(status, message, error_type="api_error")
        response = json_response(status, problem.body())
        response.headers["Request-Id"] = _new_request_id()
        if retry_after:
            response.headers["Retry-After"] = "1"
        return response

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
        caller = self._caller(request)
        resolution = self._router.resolve(request.method, request)
        if resolution is None or isinstance(resolution, MethodNotAllowed):
            raise _Problem(
                404,
                f"Unrecognized request URL ({request.method}: {request_path(request)}). Please see "
                "https://stripe.com/docs or we can help at https://support.stripe.com/.",
            )
        path = request_path(request)
        resource = next(name for prefix, name in _PATH_RESOURCES if path.startswith(prefix))
        require_permission(caller, resource, "write" if request.method == "POST" else "read")

        if request.method != "POST" or "Idempotency-Key" not in request.headers:
            return resolution.handler(request, resolution.params)
        return with_idempotency(
            self._state.idempotency_keys,
            request,
            request_id,
            lambda: resolution.handler(request, resolution.params),
        )

    def _caller(self, request: httpx.Request) -> Caller:
        state = self._state
        return identify_caller(request, state.api_key, state.restricted_keys, state.accounts())

    def _bind(self, endpoint: Endpoint) -> Handler:
        """Make a route handler that calls ``endpoint`` with the current state and caller.

        ``_dispatch`` has already checked the caller, so identifying it again cannot fail.
        """

        def handle(request: httpx.Request, params: Mapping[str, str]) -> httpx.Response:
            return endpoint(self._state, self._caller(request), request, params)

        return handle
