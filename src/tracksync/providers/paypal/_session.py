"""The calls to one PayPal account: the partner header, and the stop after an account error.

:class:`PayPalSession` sends each API request through :class:`PayPalAuth`, which adds the
token and retries once after a 401. It adds ``PayPal-Auth-Assertion`` when the provider
acts for another merchant, and turns rejected credentials and missing permissions into
:class:`~tracksync.errors.AccountError`. After the first AccountError it sends nothing
more: every later call raises that same error.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable

import attrs
import httpx

from ..._models import PAYPAL
from ...errors import AccountError, PayPalError
from .._flow import Flow
from ._auth import PayPalAuth
from ._errors import parse_error

__all__ = [
    "AUTH_ASSERTION_HEADER",
    "PayPalSession",
    "SCOPE_AUTHCAPTURE",
    "SCOPE_PAYMENT",
    "SCOPE_REFUND",
    "SCOPE_TRACKERS_READ",
    "SCOPE_TRACKERS_READWRITE",
    "build_auth_assertion",
]

logger = logging.getLogger("tracksync.paypal")

# The OAuth scopes that PayPal's specs declare for each operation tracksync calls.
#: Tracking v1 ``GET /v1/shipping/trackers``.
SCOPE_TRACKERS_READ = "https://uri.paypal.com/services/shipping/trackers/read"
#: Tracking v1 ``POST /v1/shipping/trackers-batch`` and ``PUT /v1/shipping/trackers/{id}``.
SCOPE_TRACKERS_READWRITE = "https://uri.paypal.com/services/shipping/trackers/readwrite"
#: Orders v2: reading an order, ``/track`` and the trackers ``PATCH``.
SCOPE_PAYMENT = "https://uri.paypal.com/services/payments/payment"
#: Payments v2: reading a capture or an authorization.
SCOPE_AUTHCAPTURE = "https://uri.paypal.com/services/payments/payment/authcapture"
#: Payments v2: reading a refund.
SCOPE_REFUND = "https://uri.paypal.com/services/payments/refund"

#: The header that names the merchant a partner's call is for.
AUTH_ASSERTION_HEADER = "PayPal-Auth-Assertion"

#: The OAuth error of a token request whose client id or secret PayPal rejects.
_INVALID_CLIENT = "invalid_client"


def build_auth_assertion(client_id: str, merchant: str) -> str:
    """Build the unsigned JWT that names the merchant a partner acts for.

    ``merchant`` is the merchant's PayPal payer id, or its e-mail address when it contains
    ``@``. Header and payload are base64url without padding, as RFC 7515 encodes a JWT, and
    the signature part is empty because the algorithm is ``none``.
    """
    claim = "email" if "@" in merchant else "payer_id"
    header = _base64url({"alg": "none"})
    payload = _base64url({"iss": client_id, claim: merchant})
    return f"{header}.{payload}."


def _base64url(value: dict[str, str]) -> str:
    data = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@attrs.define
class PayPalSession:
    """Sends API requests for one PayPal account until the account is found unusable."""

    auth: PayPalAuth
    #: The account name, shown in error messages.
    account: str | None = None
    #: The merchant a partner acts for: a payer id, or an e-mail address.
    on_behalf_of: str | None = None
    #: The error that stopped this session, raised again by every later call.
    account_error: AccountError | None = attrs.field(default=None, init=False)

    @property
    def base_url(self) -> str:
        """The base URL requests go to, without a trailing slash."""
        return self.auth.base_url

    def check_account(self) -> None:
        """Raise the AccountError that stopped this session, if one did."""
        if self.account_error is not None:
            raise self.account_error

    def call(
        self, build: Callable[[str], httpx.Request], *, scope: str, action: str
    ) -> Flow[httpx.Response]:
        """Send the request that ``build`` makes for a token, and return its response.

        ``scope`` is the OAuth scope the operation needs, and ``action`` describes the
        request as the start of a sentence; both go into an AccountError's message.

        Raises:
            AccountError: PayPal rejected the client id and secret, or responded with 403
                NOT_AUTHORIZED or PERMISSION_DENIED, now or in an earlier call.
            PayPalError: the token request failed for another reason.
        """
        self.check_account()
        try:
            response = yield from self.auth.auth_flow(self._with_assertion(build))
        except PayPalError as exc:
            if exc.name != _INVALID_CLIENT:
                raise
            message = f"{exc.message} {action} needs the scope {scope}. {self._stop_note()}"
            raise self._stop(message, exc) from exc

        if response.status_code == 403:
            error = parse_error(response, action)
            if error.name == "NOT_AUTHORIZED" or "PERMISSION_DENIED" in error.issues:
                raise self._stop(self._permission_message(error, scope=scope, action=action), error)
        return response

    def _with_assertion(
        self, build: Callable[[str], httpx.Request]
    ) -> Callable[[str], httpx.Request]:
        if self.on_behalf_of is None:
            return build
        assertion = build_auth_assertion(self.auth.client_id, self.on_behalf_of)

        def build_for_merchant(token: str) -> httpx.Request:
            request = build(token)
            request.headers[AUTH_ASSERTION_HEADER] = assertion
            return request

        return build_for_merchant

    def _permission_message(self, error: PayPalError, *, scope: str, action: str) -> str:
        code = error.code or "HTTP 403"
        message = (
            f"{action} was denied ({code}): the REST app's credentials lack the permission "
            f"for it. Enable the scope {scope} for the app in PayPal's developer dashboard, "
            "or use credentials of an app that has it."
        )
        if self.on_behalf_of is not None:
            message += (
                f" The call was made on behalf of merchant {self.on_behalf_of}, who must also "
                "have granted the app this permission."
            )
        return f"{message} {self._stop_note()}"

    def _stop_note(self) -> str:
        account = f"PayPal account {self.account!r}" if self.account else "this PayPal account"
        return f"tracksync sends no more requests for {account} in this run."

    def _stop(self, message: str, cause: PayPalError) -> AccountError:
        # Async providers send several calls at once, so calls in flight when the session
        # stops may fail the same way. They get the first error, which is logged once.
        if self.account_error is not None:
            return self.account_error
        error = AccountError(message, provider=PAYPAL, account=self.account, cause=cause)
        self.account_error = error
        logger.warning("Stopped calling %s: %s", self.account or "the PayPal account", error)
        return error
