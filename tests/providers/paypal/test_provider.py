"""PayPalProvider end to end over mocked HTTP; every request is checked against the spec."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import attrs
import httpx
import pytest
from pytest_httpx import HTTPXMock

from providers.paypal.paypal_support import (
    BASE_URL,
    CAPTURE_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    ORDER_ID,
    TOKEN,
    load_golden,
    make_payment,
    make_shipment,
)
from tracksync import (
    Change,
    ChangeKind,
    ChangeResult,
    Order,
    Outcome,
    PaymentState,
    Reconciler,
    RetryPolicy,
    Shipment,
    ShipmentStatus,
    Tracker,
    TrackingProvider,
)
from tracksync.errors import (
    AccountError,
    ConfigurationError,
    InvalidInputError,
    PayPalError,
    ProviderConnectionError,
)
from tracksync.providers.paypal import (
    CAPABILITIES,
    LIVE_BASE_URL,
    ORDERS_V2_CAPABILITIES,
    SANDBOX_BASE_URL,
    PayPalProvider,
)

TOKEN_URL = f"{BASE_URL}/v1/oauth2/token"
ORDER_URL = f"{BASE_URL}/v2/checkout/orders/{ORDER_ID}"
TRACK_URL = f"{ORDER_URL}/track"
TRACKER_ID = f"{CAPTURE_ID}-443844607820"
TRACKER_URL = f"{ORDER_URL}/trackers/{TRACKER_ID}"


class FakeClock:
    """A monotonic clock that moves only when a test sets it."""

    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def provider(clock: FakeClock) -> Iterator[PayPalProvider]:
    # One try per request, so each test sees exactly the answers it registers.
    with PayPalProvider(
        CLIENT_ID, CLIENT_SECRET, clock=clock, retry=RetryPolicy(attempts=1)
    ) as provider:
        yield provider


def add_token(httpx_mock: HTTPXMock, token: str = TOKEN, expires_in: int = 32400) -> None:
    body = dict(load_golden("token.json"), access_token=token, expires_in=expires_in)
    httpx_mock.add_response(method="POST", url=TOKEN_URL, json=body)


def add_order(httpx_mock: HTTPXMock, golden: str = "order_completed.json", **kwargs: Any) -> None:
    """Mock GET order with a golden order, or with the response that ``kwargs`` describe."""
    if "json" not in kwargs and "text" not in kwargs:
        kwargs["json"] = load_golden(golden)
    httpx_mock.add_response(method="GET", url=ORDER_URL, **kwargs)


def add_change(**changes: Any) -> Change:
    fields: dict[str, Any] = {
        "kind": ChangeKind.ADD,
        "order_id": "1001",
        "payment": make_payment(),
        "shipment": make_shipment(),
        "target_id": CAPTURE_ID,
    }
    fields.update(changes)
    return Change(**fields)


def cancel_change(**changes: Any) -> Change:
    current = Tracker(
        tracking_number="443844607820", status=ShipmentStatus.SHIPPED, tracker_id=TRACKER_ID
    )
    fields: dict[str, Any] = {
        "kind": ChangeKind.CANCEL,
        "shipment": make_shipment(status=ShipmentStatus.CANCELLED),
        "current": current,
    }
    fields.update(changes)
    return add_change(**fields)


def bearer(request: httpx.Request) -> str:
    return request.headers["Authorization"].removeprefix("Bearer ")


# Construction


def test_sandbox_is_default() -> None:
    with PayPalProvider(CLIENT_ID, CLIENT_SECRET) as provider:
        assert provider.base_url == SANDBOX_BASE_URL


def test_live_base_url() -> None:
    with PayPalProvider(CLIENT_ID, CLIENT_SECRET, environment="live") as provider:
        assert provider.base_url == LIVE_BASE_URL


def test_base_url_override_strips_slash() -> None:
    with PayPalProvider(CLIENT_ID, CLIENT_SECRET, base_url="http://127.0.0.1:8080/") as provider:
        assert provider.base_url == "http://127.0.0.1:8080"


def test_unknown_environment_rejected() -> None:
    with pytest.raises(ConfigurationError) as caught:
        PayPalProvider(CLIENT_ID, CLIENT_SECRET, environment="production")
    assert "'production' is unknown; use 'sandbox' or 'live'" in str(caught.value)


def test_base_url_without_scheme_rejected() -> None:
    with pytest.raises(ConfigurationError):
        PayPalProvider(CLIENT_ID, CLIENT_SECRET, base_url="api-m.paypal.com")


@pytest.mark.parametrize(("client_id", "client_secret"), [("", "x"), ("x", ""), (" ", "x")])
def test_empty_credentials_rejected(client_id: str, client_secret: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        PayPalProvider(client_id, client_secret)
    assert "is empty" in str(caught.value)


def test_secret_with_newline_rejected() -> None:
    with pytest.raises(ConfigurationError) as caught:
        PayPalProvider(CLIENT_ID, CLIENT_SECRET + "\n")
    assert CLIENT_SECRET not in str(caught.value)


def test_identity(provider: PayPalProvider) -> None:
    assert (provider.name, provider.account) == ("paypal", None)


def test_account_kept() -> None:
    with PayPalProvider(CLIENT_ID, CLIENT_SECRET, account="eu") as provider:
        assert provider.account == "eu"


def test_capabilities_batch_twenty(provider: PayPalProvider) -> None:
    assert provider.capabilities == attrs.evolve(CAPABILITIES, batch_size=20)


def test_fetch_declares_orders_v2_capabilities(
    httpx_mock: HTTPXMock, provider: PayPalProvider
) -> None:
    add_token(httpx_mock)
    add_order(httpx_mock)
    assert provider.fetch(make_payment()).capabilities == ORDERS_V2_CAPABILITIES


def test_capabilities(provider: PayPalProvider) -> None:
    expected = (
        frozenset({ShipmentStatus.SHIPPED, ShipmentStatus.CANCELLED}),
        False,
        False,
        True,
        False,
    )
    actual = (
        provider.capabilities.statuses,
        provider.capabilities.can_update_carrier,
        provider.capabilities.can_update_status,
        provider.capabilities.can_cancel,
        provider.capabilities.requires_recipient,
    )
    assert actual == expected


def test_is_tracking_provider(provider: PayPalProvider) -> None:
    assert isinstance(provider, TrackingProvider)


def test_repr_hides_secret_and_token(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    add_order(httpx_mock)
    provider.fetch(make_payment())
    text = repr(provider)
    assert CLIENT_SECRET not in text
    assert TOKEN not in text
    assert CLIENT_ID in text


def test_close_closes_own_client() -> None:
    provider = PayPalProvider(CLIENT_ID, CLIENT_SECRET)
    with provider:
        pass
    with pytest.raises(RuntimeError, match="client has been closed"):
        provider.fetch(make_payment())


def test_close_leaves_given_client_open() -> None:
    with httpx.Client() as client:
        with PayPalProvider(CLIENT_ID, CLIENT_SECRET, client=client):
            pass
        assert not client.is_closed


def test_given_client_is_used(httpx_mock: HTTPXMock) -> None:
    add_token(httpx_mock)
    add_order(httpx_mock)
    with httpx.Client(headers={"X-Test": "1"}) as client:
        PayPalProvider(CLIENT_ID, CLIENT_SECRET, client=client).fetch(make_payment())
    assert len(httpx_mock.get_requests()) == 2


# Tokens


def test_token_cached_across_calls(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    add_order(httpx_mock, is_reusable=True)
    provider.fetch(make_payment())
    provider.fetch(make_payment())
    assert len(httpx_mock.get_requests(url=TOKEN_URL)) == 1


def test_token_refreshed_after_expiry(
    httpx_mock: HTTPXMock, provider: PayPalProvider, clock: FakeClock
) -> None:
    add_token(httpx_mock, token="first", expires_in=3600)
    add_token(httpx_mock, token="second", expires_in=3600)
    add_order(httpx_mock, is_reusable=True)
    provider.fetch(make_payment())
    clock.now += 3600 - 60
    provider.fetch(make_payment())
    tokens = [bearer(request) for request in httpx_mock.get_requests(url=ORDER_URL)]
    assert tokens == ["first", "second"]


def test_token_kept_before_margin(
    httpx_mock: HTTPXMock, provider: PayPalProvider, clock: FakeClock
) -> None:
    add_token(httpx_mock, expires_in=3600)
    add_order(httpx_mock, is_reusable=True)
    provider.fetch(make_payment())
    clock.now += 3600 - 61
    provider.fetch(make_payment())
    assert len(httpx_mock.get_requests(url=TOKEN_URL)) == 1


def test_401_refreshes_once_and_resends(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock, token="stale")
    add_token(httpx_mock, token="fresh")
    add_order(httpx_mock, status_code=401, json=load_golden("error_401.json"))
    add_order(httpx_mock)
    remote = provider.fetch(make_payment())
    assert remote.state == PaymentState.READY
    sent = [(request.url.path, bearer(request)) for request in httpx_mock.get_requests()]
    assert sent == [
        ("/v1/oauth2/token", sent[0][1]),
        (f"/v2/checkout/orders/{ORDER_ID}", "stale"),
        ("/v1/oauth2/token", sent[2][1]),
        (f"/v2/checkout/orders/{ORDER_ID}", "fresh"),
    ]


def test_second_401_raises(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock, token="stale")
    add_token(httpx_mock, token="fresh")
    add_order(httpx_mock, status_code=401, json=load_golden("error_401.json"), is_reusable=True)
    with pytest.raises(PayPalError) as caught:
        provider.fetch(make_payment())
    assert (caught.value.status, caught.value.name) == (401, "AUTHENTICATION_FAILURE")
    assert len(httpx_mock.get_requests()) == 4


def test_refreshed_token_is_cached(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock, token="stale")
    add_token(httpx_mock, token="fresh")
    add_order(httpx_mock, status_code=401, json=load_golden("error_401.json"))
    add_order(httpx_mock, is_reusable=True)
    provider.fetch(make_payment())
    provider.fetch(make_payment())
    assert bearer(httpx_mock.get_requests(url=ORDER_URL)[-1]) == "fresh"


def test_rejected_credentials_raise(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    httpx_mock.add_response(
        method="POST",
        url=TOKEN_URL,
        status_code=401,
        json=load_golden("token_invalid_client.json"),
    )
    with pytest.raises(AccountError) as caught:
        provider.fetch(make_payment())
    text = str(caught.value)
    assert "TRACKSYNC_PAYPAL_CLIENT_SECRET" in text
    assert CLIENT_SECRET not in text


# fetch


def test_fetch_ready(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    add_order(httpx_mock)
    remote = provider.fetch(make_payment())
    assert (
        remote.state,
        remote.target_id,
        len(remote.trackers),
    ) == (PaymentState.READY, CAPTURE_ID, 2)


def test_fetch_sends_headers(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    add_order(httpx_mock)
    provider.fetch(make_payment())
    request = httpx_mock.get_requests(url=ORDER_URL)[0]
    assert (
        request.headers["Authorization"],
        request.headers["Accept"],
    ) == (f"Bearer {TOKEN}", "application/json")


def test_fetch_missing_order(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    add_order(httpx_mock, status_code=404, json=load_golden("error_404.json"))
    assert provider.fetch(make_payment()).state == PaymentState.NOT_FOUND


def test_fetch_pending_capture(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    add_order(httpx_mock, "order_pending.json")
    assert provider.fetch(make_payment()).state == PaymentState.WAITING_FOR_CAPTURE


def test_fetch_refund_id(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    add_order(httpx_mock, "order_refunded.json")
    remote = provider.fetch(make_payment("1JU08902781691411"))
    assert remote.state == PaymentState.UNUSABLE


def test_fetch_invalid_payment_sends_nothing(httpx_mock: HTTPXMock) -> None:
    provider = PayPalProvider(CLIENT_ID, CLIENT_SECRET, api="orders_v2")
    with provider, pytest.raises(InvalidInputError) as caught:
        provider.fetch(make_payment(order_id=None))
    assert "paypal_order_id" in str(caught.value)
    assert httpx_mock.get_requests() == []


def test_fetch_server_error(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    add_order(httpx_mock, status_code=500, text="Internal Server Error")
    with pytest.raises(PayPalError) as caught:
        provider.fetch(make_payment())
    assert caught.value.status == 500


def test_fetch_connection_error(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=ORDER_URL)
    with pytest.raises(ProviderConnectionError):
        provider.fetch(make_payment())


def test_check_payment(provider: PayPalProvider) -> None:
    assert None is provider.check_payment(make_payment())


# apply


def test_add_sends_golden_body(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(
        method="POST", url=TRACK_URL, status_code=201, json=load_golden("order_completed.json")
    )
    provider.apply(add_change())
    request = httpx_mock.get_requests(url=TRACK_URL)[0]
    assert json.loads(request.content) == load_golden("request_track.json")


def test_add_result(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(
        method="POST", url=TRACK_URL, status_code=201, json=load_golden("order_completed.json")
    )
    expected = ChangeResult(outcome=Outcome.ADDED, tracker_id=TRACKER_ID)
    assert provider.apply(add_change()) == expected


def test_add_without_request_id(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="POST", url=TRACK_URL, json=load_golden("order_completed.json"))
    provider.apply(add_change())
    request = httpx_mock.get_requests(url=TRACK_URL)[0]
    assert "PayPal-Request-Id" not in request.headers


def test_add_carrier_name(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="POST", url=TRACK_URL, status_code=201)
    shipment = make_shipment(
        tracking_number="JD014600006281230000",
        carrier="Kurier Nowak Express",
        items=(),
        notify_buyer=True,
    )
    provider.apply(add_change(shipment=shipment))
    request = httpx_mock.get_requests(url=TRACK_URL)[0]
    assert json.loads(request.content) == load_golden("request_track_other.json")


def test_add_unknown_code_sent_as_other(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="POST", url=TRACK_URL, status_code=201)
    provider.apply(add_change(shipment=make_shipment(carrier="ACME_POST")))
    body = json.loads(httpx_mock.get_requests(url=TRACK_URL)[0].content)
    assert (body["carrier"], body["carrier_name_other"]) == ("OTHER", "ACME_POST")


def test_add_error_str(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(
        method="POST", url=TRACK_URL, status_code=400, json=load_golden("error_400.json")
    )
    with pytest.raises(PayPalError) as caught:
        provider.apply(add_change())
    text = str(caught.value)
    assert "HTTP 400" in text
    assert "INVALID_REQUEST" in text
    assert "INVALID_STRING_LENGTH" in text
    assert "/tracking_number" in text
    assert "debug_id b1d1f06c7246c" in text


def test_errors_hide_secrets(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(
        method="POST", url=TRACK_URL, status_code=400, json=load_golden("error_400.json")
    )
    with pytest.raises(PayPalError) as caught:
        provider.apply(add_change())
    text = f"{caught.value} {caught.value!r}"
    assert CLIENT_SECRET not in text
    assert TOKEN not in text


def test_cancel_sends_patch(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="PATCH", url=TRACKER_URL, status_code=204)
    provider.apply(cancel_change())
    request = httpx_mock.get_requests(url=TRACKER_URL)[0]
    assert json.loads(request.content) == load_golden("request_cancel.json")


def test_cancel_result(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="PATCH", url=TRACKER_URL, status_code=204)
    expected = ChangeResult(outcome=Outcome.CANCELLED, tracker_id=TRACKER_ID)
    assert provider.apply(cancel_change()) == expected


def test_cancel_builds_missing_tracker_id(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="PATCH", url=TRACKER_URL, status_code=204)
    result = provider.apply(cancel_change(current=None))
    assert result.tracker_id == TRACKER_ID


def test_cancel_unknown_tracker(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    # The order still lists the tracker as SHIPPED, so the 404 stays a failure.
    add_token(httpx_mock)
    httpx_mock.add_response(
        method="PATCH",
        url=TRACKER_URL,
        status_code=404,
        json=load_golden("error_404_tracker.json"),
    )
    add_order(httpx_mock)
    with pytest.raises(PayPalError) as caught:
        provider.apply(cancel_change())
    assert caught.value.issues == ("TRACKER_ID_NOT_FOUND",)


def test_apply_401_refreshes(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock, token="stale")
    add_token(httpx_mock, token="fresh")
    httpx_mock.add_response(
        method="PATCH", url=TRACKER_URL, status_code=401, json=load_golden("error_401.json")
    )
    httpx_mock.add_response(method="PATCH", url=TRACKER_URL, status_code=204)
    assert provider.apply(cancel_change()).outcome == Outcome.CANCELLED


def test_update_rejected(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    with pytest.raises(InvalidInputError) as caught:
        provider.apply(add_change(kind=ChangeKind.UPDATE))
    assert "cannot change a tracker's carrier or status in place" in str(caught.value)
    assert httpx_mock.get_requests() == []


def test_change_without_target_rejected(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    with pytest.raises(InvalidInputError) as caught:
        provider.apply(add_change(target_id=None))
    assert "has no target_id" in str(caught.value)
    assert httpx_mock.get_requests() == []


# Logging


def test_logs_hold_no_secrets(
    httpx_mock: HTTPXMock, provider: PayPalProvider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="tracksync")
    add_token(httpx_mock, token="stale")
    add_token(httpx_mock)
    add_order(httpx_mock, status_code=401, json=load_golden("error_401.json"))
    add_order(httpx_mock)
    provider.fetch(make_payment())
    assert caplog.records
    assert CLIENT_SECRET not in caplog.text
    assert TOKEN not in caplog.text
    assert "stale" not in caplog.text
    assert "San Jose" not in caplog.text


def test_one_info_line_per_request(
    httpx_mock: HTTPXMock, provider: PayPalProvider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tracksync")
    add_token(httpx_mock)
    add_order(httpx_mock)
    provider.fetch(make_payment())
    assert [record.getMessage() for record in caplog.records] == [
        "paypal POST /v1/oauth2/token -> 200",
        f"paypal GET /v2/checkout/orders/{ORDER_ID} -> 200",
    ]


# With the Reconciler


def test_reconciler_adds_missing_shipment(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    add_order(httpx_mock)
    httpx_mock.add_response(
        method="POST", url=TRACK_URL, status_code=201, json=load_golden("order_completed.json")
    )
    shipped = make_shipment()
    new = make_shipment(tracking_number="9400111899223100001234", carrier="USPS", items=())
    order = Order(id="1001", payments=[make_payment()], shipments=[shipped, new])
    reconciler = Reconciler([provider])

    plan = reconciler.plan([order])
    report = reconciler.apply(plan)

    outcomes = [(result.tracking_number, result.outcome) for result in report]
    assert outcomes == [
        ("443844607820", Outcome.UNCHANGED),
        ("9400111899223100001234", Outcome.ADDED),
    ]
    body = json.loads(httpx_mock.get_requests(url=TRACK_URL)[0].content)
    assert body == {
        "capture_id": CAPTURE_ID,
        "tracking_number": "9400111899223100001234",
        "carrier": "USPS",
        "notify_payer": False,
    }


def test_fetch_retries_server_error(httpx_mock: HTTPXMock) -> None:
    add_token(httpx_mock)
    unavailable = {
        "name": "SERVICE_UNAVAILABLE",
        "message": "Service Unavailable.",
        "debug_id": "d1",
    }
    httpx_mock.add_response(method="GET", url=ORDER_URL, status_code=503, json=unavailable)
    httpx_mock.add_response(method="GET", url=ORDER_URL, json=load_golden("order_completed.json"))
    with PayPalProvider(CLIENT_ID, CLIENT_SECRET) as provider:
        remote = provider.fetch(make_payment())
    assert remote.state is PaymentState.READY
    assert len(httpx_mock.get_requests(url=ORDER_URL)) == 2


def test_track_not_retried_on_server_error(httpx_mock: HTTPXMock) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="GET", url=ORDER_URL, json=load_golden("order_completed.json"))
    error = {
        "name": "INTERNAL_SERVER_ERROR",
        "message": "An internal server error occurred.",
        "debug_id": "d2",
    }
    httpx_mock.add_response(method="POST", url=TRACK_URL, status_code=500, json=error)
    with PayPalProvider(CLIENT_ID, CLIENT_SECRET) as provider:
        remote = provider.fetch(make_payment())
        change = Change(
            kind=ChangeKind.ADD,
            order_id="1001",
            payment=make_payment(),
            shipment=Shipment(tracking_number="TRACK1", carrier="UPS"),
            target_id=remote.target_id,
        )
        with pytest.raises(PayPalError, match="HTTP 500"):
            provider.apply(change)
    # PayPal's /track takes no idempotency key: a resent 500 could add the tracker twice.
    assert len(httpx_mock.get_requests(url=TRACK_URL)) == 1
