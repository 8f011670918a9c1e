"""OAuth for the PayPal emulator: the token endpoint, bearer tokens, scopes, and the
``PayPal-Auth-Assertion`` header that a partner sends to act for a merchant.
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
from typing import Any

import httpx

from ._base import json_response, rfc3339_now
from ._paypal_http import Problem
from ._paypal_state import PayPalState, Token

__all__ = [
    "ALL_SCOPES",
    "AUTH_ASSERTION_HEADER",
    "AUTHCAPTURE_SCOPE",
    "PAYMENTS_SCOPE",
    "REFUND_SCOPE",
    "TOKEN_PATH",
    "TRACKERS_READWRITE_SCOPE",
    "TRACKERS_READ_SCOPE",
    "check_auth_assertion",
    "check_bearer_token",
    "decode_auth_assertion",
    "granted_scopes",
    "issue_token",
]

TOKEN_PATH = "/v1/oauth2/token"
_APP_ID = "APP-80W284485P519543T"

#: Orders v2 endpoints.
PAYMENTS_SCOPE = "https://uri.paypal.com/services/payments/payment"
#: GET of a capture or an authorization in Payments v2.
AUTHCAPTURE_SCOPE = "https://uri.paypal.com/services/payments/payment/authcapture"
#: GET of a refund in Payments v2.
REFUND_SCOPE = "https://uri.paypal.com/services/payments/refund"
#: Tracking API v1 writes.
TRACKERS_READWRITE_SCOPE = "https://uri.paypal.com/services/shipping/trackers/readwrite"
#: Tracking API v1 reads.
TRACKERS_READ_SCOPE = "https://uri.paypal.com/services/shipping/trackers/read"
ALL_SCOPES = (
    PAYMENTS_SCOPE,
    AUTHCAPTURE_SCOPE,
    REFUND_SCOPE,
    TRACKERS_READWRITE_SCOPE,
    TRACKERS_READ_SCOPE,
)

AUTH_ASSERTION_HEADER = "PayPal-Auth-Assertion"
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")


def granted_scopes(state: PayPalState) -> tuple[str, ...]:
    return ALL_SCOPES if state.scopes is None else tuple(state.scopes)


def issue_token(state: PayPalState, request: httpx.Request) -> httpx.Response:
    if not _has_client_credentials(state, request):
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
    state.tokens = [token for token in state.tokens if token.expires_at > now]
    access_token = "A21AA" + secrets.token_urlsafe(48)
    lifetime = state.token_lifetime
    state.tokens.append(Token(access_token, now + lifetime))
    return json_response(
        200,
        {
            "scope": " ".join(granted_scopes(state)),
            "access_token": access_token,
            "token_type": "Bearer",
            "app_id": _APP_ID,
            "expires_in": lifetime,
            "nonce": f"{rfc3339_now()}{secrets.token_urlsafe(32)}",
        },
    )


def _has_client_credentials(state: PayPalState, request: httpx.Request) -> bool:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    client_id, separator, client_secret = decoded.partition(":")
    expected_id = state.client_id.encode("utf-8")
    expected_secret = state.client_secret.encode("utf-8")
    id_matches = hmac.compare_digest(client_id.encode("utf-8"), expected_id)
    secret_matches = hmac.compare_digest(client_secret.encode("utf-8"), expected_secret)
    return bool(separator) and id_matches and secret_matches


def check_bearer_token(state: PayPalState, request: httpx.Request) -> None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        now = time.time()
        for token in state.tokens:
            if token.expires_at > now and hmac.compare_digest(token.value, value.strip()):
                return
    raise Problem(401)


def check_auth_assertion(state: PayPalState, request: httpx.Request) -> None:
    """Raise a 401 problem when the request has a ``PayPal-Auth-Assertion`` that is malformed."""
    value = request.headers.get(AUTH_ASSERTION_HEADER)
    if value is None:
        return
    if decode_auth_assertion(value, state.client_id) is None:
        # NOTE: PayPal's response to a malformed assertion is not established. The emulator
        # returns 401 AUTHENTICATION_FAILURE, as it does for a bad bearer token.
        raise Problem(401)


def decode_auth_assertion(value: str, client_id: str) -> dict[str, Any] | None:
    """Return the payload of a ``PayPal-Auth-Assertion`` JWT, or None when it is malformed.

    The assertion is an unsigned JWT of three dot-separated base64url parts, and its
    signature part may be empty. The header must be a JSON object. The payload must be a
    JSON object with ``iss`` equal to the partner's client id and a non-empty ``payer_id``
    or ``email`` that names the merchant.
    """
    parts = value.strip().split(".")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        return None
    if not all(_BASE64URL.match(part) for part in parts):
        return None
    try:
        header = json.loads(_base64url_decode(parts[0]))
        payload = json.loads(_base64url_decode(parts[1]))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return None
    if payload.get("iss") != client_id:
        return None
    if not any(isinstance(payload.get(key), str) and payload[key] for key in ("payer_id", "email")):
        return None
    return payload


def _base64url_decode(text: str) -> str:
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded).decode("utf-8")
