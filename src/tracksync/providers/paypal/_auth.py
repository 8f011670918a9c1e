"""OAuth2 client credentials for PayPal's REST API: the token request, its cache, and
the flow that sends an API request with a token and retries once after a 401."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Mapping

import attrs
import httpx

from ...errors import PayPalError
from .._flow import Flow
from .._retrying import REPLAY_SAFE
from ._errors import parse_error
from ._http import USER_AGENT, read_json

__all__ = [
    "AccessToken",
    "CLIENT_ID_VARIABLE",
    "CLIENT_SECRET_VARIABLE",
    "EXPIRY_MARGIN",
    "PayPalAuth",
    "TOKEN_PATH",
    "TokenCache",
    "build_token_request",
    "parse_token_response",
]

logger = logging.getLogger("tracksync.paypal")

TOKEN_PATH = "/v1/oauth2/token"

#: The environment variables for the credentials, named in error messages.
CLIENT_ID_VARIABLE = "TRACKSYNC_PAYPAL_CLIENT_ID"
CLIENT_SECRET_VARIABLE = "TRACKSYNC_PAYPAL_CLIENT_SECRET"

#: Seconds before ``expires_in`` runs out at which a cached token is no longer used, so
#: that a token does not expire between the cache check and PayPal's check.
EXPIRY_MARGIN = 60.0


@attrs.frozen(kw_only=True)
class AccessToken:
    """A bearer token from PayPal's token endpoint."""

    value: str = attrs.field(repr=False)
    #: Seconds the token is valid from the moment PayPal issued it.
    expires_in: float


def build_token_request(base_url: str, client_id: str, client_secret: str) -> httpx.Request:
    """Build the client credentials request for an access token."""
    pair = f"{client_id}:{client_secret}".encode()
    headers = {
        "Authorization": "Basic " + base64.b64encode(pair).decode("ascii"),
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    return httpx.Request(
        "POST",
        base_url + TOKEN_PATH,
        headers=headers,
        data={"grant_type": "client_credentials"},
        # Asking for a token changes nothing at PayPal, so a failed request may be resent.
        extensions={REPLAY_SAFE: True},
    )


def parse_token_response(response: httpx.Response) -> AccessToken:
    """Read the access token from the token endpoint's response.

    Raises:
        PayPalError: PayPal rejected the credentials or returned no token.
    """
    body = read_json(response)
    if not response.is_success:
        raise _token_error(response, body)

    token = body.get("access_token") if isinstance(body, Mapping) else None
    expires_in = body.get("expires_in") if isinstance(body, Mapping) else None
    if not isinstance(token, str) or not token:
        raise PayPalError(
            "PayPal's token endpoint returned no access token. Run again, and if it "
            "happens again, report it to PayPal's support with the debug id.",
            status=response.status_code,
            debug_id=response.headers.get("PayPal-Debug-Id"),
        )
    if isinstance(expires_in, bool) or not isinstance(expires_in, (int, float)):
        # Without an expiry the token is used for this request only.
        expires_in = 0
    return AccessToken(value=token, expires_in=float(expires_in))


def _token_error(response: httpx.Response, body: object) -> PayPalError:
    """Build the error for a failed token request.

    The token endpoint responds in OAuth's shape, ``{"error", "error_description"}``, not
    in the ``name``/``details`` shape of the other endpoints.
    """
    if not isinstance(body, Mapping) or not isinstance(body.get("error"), str):
        return parse_error(response, "Requesting a PayPal access token")

    error: str = body["error"]
    description = body.get("error_description")
    reason = f"{error}: {description}" if isinstance(description, str) else error
    debug_id = response.headers.get("PayPal-Debug-Id")
    if response.status_code == 401 or error == "invalid_client":
        return PayPalError(
            f"PayPal rejected the client id and secret ({reason}). Check "
            f"{CLIENT_ID_VARIABLE} and {CLIENT_SECRET_VARIABLE}, or the client_id and "
            "client_secret arguments, and that they belong to the environment in use: "
            "sandbox credentials work only with the sandbox, live ones only with live.",
            status=response.status_code,
            name=error,
            debug_id=debug_id,
        )
    return PayPalError(
        f"Requesting a PayPal access token failed ({reason}).",
        status=response.status_code,
        name=error,
        debug_id=debug_id,
    )


@attrs.define
class TokenCache:
    """The current access token and when it stops being used.

    Times come from ``clock``, in seconds, so tests can pass a fake clock instead of sleeping.
    """

    clock: Callable[[], float]
    _token: str | None = attrs.field(default=None, repr=False)
    _use_until: float = 0.0

    def get(self) -> str | None:
        """Return the cached token, or None when there is none or it is about to expire."""
        if self._token is None or self.clock() >= self._use_until:
            return None
        return self._token

    def store(self, token: AccessToken) -> None:
        """Cache a token that was issued just now."""
        self._token = token.value
        self._use_until = self.clock() + token.expires_in - EXPIRY_MARGIN

    def discard(self, token: str) -> None:
        """Forget the token if it is still the cached one."""
        if self._token == token:
            self._token = None


@attrs.define
class PayPalAuth:
    """Fetches, caches and refreshes the access token for one PayPal app."""

    base_url: str
    client_id: str
    client_secret: str = attrs.field(repr=False)
    cache: TokenCache

    def token_flow(self) -> Flow[str]:
        """Return the cached token, or request a new one and cache it."""
        token = self.cache.get()
        if token is not None:
            return token

        logger.debug("Requesting a PayPal access token from %s", self.base_url)
        response = yield build_token_request(self.base_url, self.client_id, self.client_secret)
        issued = parse_token_response(response)
        self.cache.store(issued)
        return issued.value

    def auth_flow(self, build: Callable[[str], httpx.Request]) -> Flow[httpx.Response]:
        """Send the request that ``build`` makes for a token, and return its response.

        When PayPal responds with 401, the token is dropped, a new one is requested and the
        request is sent once more. The second response is returned as it is, 401 or not.
        """
        token = yield from self.token_flow()
        response = yield build(token)
        if response.status_code != 401:
            return response

        logger.debug("PayPal rejected the access token with HTTP 401; requesting a new one")
        self.cache.discard(token)
        token = yield from self.token_flow()
        return (yield build(token))
