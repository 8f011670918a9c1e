"""The token request, its parser, the token cache and the 401 retry flow."""

from __future__ import annotations

import base64
import urllib.parse

import httpx
import pytest

from providers.paypal.paypal_support import (
    BASE_URL,
    CLIENT_ID,
    CLIENT_SECRET,
    TOKEN,
    load_golden,
    respond,
)
from tracksync.errors import PayPalError
from tracksync.providers.paypal._auth import (
    AccessToken,
    PayPalAuth,
    TokenCache,
    build_token_request,
    parse_token_response,
)


class FakeClock:
    """A monotonic clock that moves only when a test sets it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_auth(clock: FakeClock | None = None) -> PayPalAuth:
    return PayPalAuth(
        base_url=BASE_URL,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        cache=TokenCache(clock or FakeClock()),
    )


def api_request(token: str) -> httpx.Request:
    return httpx.Request(
        "GET", f"{BASE_URL}/v2/checkout/orders/X", headers={"Authorization": f"Bearer {token}"}
    )


# build_token_request


def test_token_request_method_and_url() -> None:
    request = build_token_request(BASE_URL, CLIENT_ID, CLIENT_SECRET)
    assert (request.method, str(request.url)) == ("POST", f"{BASE_URL}/v1/oauth2/token")


def test_token_request_uses_basic_auth() -> None:
    request = build_token_request(BASE_URL, CLIENT_ID, CLIENT_SECRET)
    scheme, encoded = request.headers["Authorization"].split(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == f"{CLIENT_ID}:{CLIENT_SECRET}"


def test_token_request_is_form_encoded() -> None:
    request = build_token_request(BASE_URL, CLIENT_ID, CLIENT_SECRET)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_token_request_body() -> None:
    request = build_token_request(BASE_URL, CLIENT_ID, CLIENT_SECRET)
    assert urllib.parse.parse_qs(request.content.decode()) == {"grant_type": ["client_credentials"]}


# parse_token_response


def test_token_response_parsed() -> None:
    token = parse_token_response(respond(200, load_golden("token.json")))
    assert AccessToken(value=TOKEN, expires_in=32400.0) == token


def test_token_repr_hides_value() -> None:
    token = AccessToken(value=TOKEN, expires_in=60)
    assert TOKEN not in repr(token)


def test_token_without_expiry_expires_at_once() -> None:
    token = parse_token_response(respond(200, {"access_token": TOKEN}))
    assert token.expires_in == 0.0


def test_token_response_without_token_raises() -> None:
    with pytest.raises(PayPalError) as caught:
        parse_token_response(respond(200, {"token_type": "Bearer"}))
    assert caught.value.status == 200


def test_invalid_client_names_variables() -> None:
    body = load_golden("token_invalid_client.json")
    with pytest.raises(PayPalError) as caught:
        parse_token_response(respond(401, body))
    message = str(caught.value)
    assert "TRACKSYNC_PAYPAL_CLIENT_ID" in message
    assert "TRACKSYNC_PAYPAL_CLIENT_SECRET" in message
    assert "rejected the client id and secret" in message


def test_invalid_client_error_fields() -> None:
    body = load_golden("token_invalid_client.json")
    with pytest.raises(PayPalError) as caught:
        parse_token_response(respond(401, body, **{"PayPal-Debug-Id": "abc123"}))
    assert (
        caught.value.status,
        caught.value.name,
        caught.value.debug_id,
    ) == (401, "invalid_client", "abc123")


def test_other_oauth_error_keeps_reason() -> None:
    body = {"error": "unsupported_grant_type", "error_description": "Grant type is not supported"}
    with pytest.raises(PayPalError) as caught:
        parse_token_response(respond(400, body))
    assert "unsupported_grant_type: Grant type is not supported" in str(caught.value)


def test_token_error_in_paypal_shape() -> None:
    with pytest.raises(PayPalError) as caught:
        parse_token_response(respond(400, load_golden("error_400.json")))
    assert caught.value.name == "INVALID_REQUEST"


def test_token_error_without_json() -> None:
    with pytest.raises(PayPalError) as caught:
        parse_token_response(respond(503, "<html>Service Unavailable</html>"))
    assert caught.value.status == 503


# TokenCache


def test_cache_starts_empty() -> None:
    assert None is TokenCache(FakeClock()).get()


def test_cache_returns_stored_token() -> None:
    cache = TokenCache(FakeClock())
    cache.store(AccessToken(value=TOKEN, expires_in=3600))
    assert cache.get() == TOKEN


def test_cache_keeps_token_until_margin() -> None:
    clock = FakeClock()
    cache = TokenCache(clock)
    cache.store(AccessToken(value=TOKEN, expires_in=3600))
    clock.now += 3600 - 60 - 0.001
    assert cache.get() == TOKEN


def test_cache_drops_token_at_margin() -> None:
    clock = FakeClock()
    cache = TokenCache(clock)
    cache.store(AccessToken(value=TOKEN, expires_in=3600))
    clock.now += 3600 - 60
    assert None is cache.get()


def test_cache_discards_same_token() -> None:
    cache = TokenCache(FakeClock())
    cache.store(AccessToken(value=TOKEN, expires_in=3600))
    cache.discard(TOKEN)
    assert None is cache.get()


def test_cache_keeps_newer_token() -> None:
    cache = TokenCache(FakeClock())
    cache.store(AccessToken(value="newer", expires_in=3600))
    cache.discard(TOKEN)
    assert cache.get() == "newer"


def test_cache_repr_hides_token() -> None:
    cache = TokenCache(FakeClock())
    cache.store(AccessToken(value=TOKEN, expires_in=3600))
    assert TOKEN not in repr(cache)


# PayPalAuth.auth_flow, driven by hand


def test_auth_repr_hides_secret() -> None:
    assert CLIENT_SECRET not in repr(make_auth())


def test_flow_requests_token_first() -> None:
    flow = make_auth().auth_flow(api_request)
    request = next(flow)
    assert request.url.path == "/v1/oauth2/token"


def test_flow_sends_request_with_token() -> None:
    flow = make_auth().auth_flow(api_request)
    next(flow)
    request = flow.send(respond(200, load_golden("token.json")))
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_flow_returns_response() -> None:
    flow = make_auth().auth_flow(api_request)
    next(flow)
    flow.send(respond(200, load_golden("token.json")))
    with pytest.raises(StopIteration) as stop:
        flow.send(respond(200, {"id": "X"}))
    assert stop.value.value.json() == {"id": "X"}


def test_flow_reuses_cached_token() -> None:
    auth = make_auth()
    auth.cache.store(AccessToken(value=TOKEN, expires_in=3600))
    request = next(auth.auth_flow(api_request))
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_flow_refreshes_after_401() -> None:
    auth = make_auth()
    auth.cache.store(AccessToken(value="stale", expires_in=3600))
    flow = auth.auth_flow(api_request)
    next(flow)
    token_request = flow.send(respond(401, load_golden("error_401.json")))
    assert token_request.url.path == "/v1/oauth2/token"
    resent = flow.send(respond(200, load_golden("token.json")))
    assert resent.headers["Authorization"] == f"Bearer {TOKEN}"


def test_flow_returns_second_401() -> None:
    auth = make_auth()
    auth.cache.store(AccessToken(value="stale", expires_in=3600))
    flow = auth.auth_flow(api_request)
    next(flow)
    flow.send(respond(401, load_golden("error_401.json")))
    flow.send(respond(200, load_golden("token.json")))
    with pytest.raises(StopIteration) as stop:
        flow.send(respond(401, load_golden("error_401.json")))
    assert stop.value.value.status_code == 401
