"""Account errors, the stop that follows them, and the partner header."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from providers.paypal.paypal_support import (
    CAPTURE_ID,
    CAPTURE_URL,
    CLIENT_ID,
    CLIENT_SECRET,
    ORDER_URL,
    TOKEN_URL,
    V1_BATCH_URL,
    V1_LIST_URL,
    FakeClock,
    add_token,
    load_golden,
    make_payment,
    make_shipment,
)
from tracksync import (
    Change,
    ChangeKind,
    DiscrepancyKind,
    Order,
    Outcome,
    Reconciler,
)
from tracksync.errors import AccountError, ConfigurationError, PayPalError
from tracksync.providers.paypal import PayPalProvider
from tracksync.providers.paypal._session import build_auth_assertion

READ = "https://uri.paypal.com/services/shipping/trackers/read"
READWRITE = "https://uri.paypal.com/services/shipping/trackers/readwrite"
PAYMENT_SCOPE = "https://uri.paypal.com/services/payments/payment"
AUTHCAPTURE = "https://uri.paypal.com/services/payments/payment/authcapture"
MERCHANT_ID = "7KNGBPH2U58GQ"


@pytest.fixture
def provider() -> Iterator[PayPalProvider]:
    with PayPalProvider(CLIENT_ID, CLIENT_SECRET, account="eu", clock=FakeClock()) as provider:
        yield provider


def v1_add() -> Change:
    return Change(
        kind=ChangeKind.ADD,
        order_id="1001",
        payment=make_payment(order_id=None),
        shipment=make_shipment(items=()),
        target_id=CAPTURE_ID,
    )


def v2_add() -> Change:
    return Change(
        kind=ChangeKind.ADD,
        order_id="1001",
        payment=make_payment(),
        shipment=make_shipment(),
        target_id=CAPTURE_ID,
    )


def forbidden(httpx_mock: HTTPXMock, method: str, url: str, body: Any = None) -> None:
    httpx_mock.add_response(
        method=method, url=url, status_code=403, json=body or load_golden("error_403.json")
    )


def reject_credentials(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        method="POST", url=TOKEN_URL, status_code=401, json=load_golden("token_invalid_client.json")
    )


def decode(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# Which calls raise AccountError, and the scope each names


def test_invalid_client_is_account_error(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    reject_credentials(httpx_mock)
    with pytest.raises(AccountError) as caught:
        provider.fetch(make_payment(order_id=None))
    error = caught.value
    assert (error.account, error.status, error.code) == ("eu", 401, "invalid_client")
    assert isinstance(error.cause, PayPalError)
    assert AUTHCAPTURE in error.message


def test_403_on_capture_names_scope(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    forbidden(httpx_mock, "GET", CAPTURE_URL)
    with pytest.raises(AccountError) as caught:
        provider.fetch(make_payment(order_id=None))
    assert f"the scope {AUTHCAPTURE} " in caught.value.message
    assert caught.value.cause is not None
    assert caught.value.cause.status == 403


def test_403_on_v1_read_names_read_scope(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(
        method="GET", url=CAPTURE_URL, json=load_golden("capture_completed.json")
    )
    forbidden(httpx_mock, "GET", V1_LIST_URL)
    with pytest.raises(AccountError) as caught:
        provider.fetch(make_payment(order_id=None))
    assert f"the scope {READ} " in caught.value.message


def test_403_on_v1_write_names_readwrite_scope(
    httpx_mock: HTTPXMock, provider: PayPalProvider
) -> None:
    add_token(httpx_mock)
    forbidden(httpx_mock, "POST", V1_BATCH_URL)
    [output] = provider.apply_batch([v1_add()])
    assert isinstance(output, AccountError)
    assert f"the scope {READWRITE} " in output.message


def test_permission_denied_on_track(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    body = {
        "name": "PERMISSION_DENIED_ERROR",
        "message": "You do not have permission.",
        "debug_id": "b7c9d1e3f5a70",
        "details": [{"issue": "PERMISSION_DENIED", "description": "No permission."}],
    }
    add_token(httpx_mock)
    forbidden(httpx_mock, "POST", f"{ORDER_URL}/track", body)
    with pytest.raises(AccountError) as caught:
        provider.apply(v2_add())
    assert f"the scope {PAYMENT_SCOPE} " in caught.value.message
    assert caught.value.code == "PERMISSION_DENIED"


def test_other_403_stays_paypal_error(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    body = {"name": "COMPLIANCE_VIOLATION", "message": "Blocked.", "debug_id": "c0ffee0000001"}
    add_token(httpx_mock)
    forbidden(httpx_mock, "GET", ORDER_URL, body)
    with pytest.raises(PayPalError):
        provider.fetch(make_payment())


def test_second_401_is_not_account_error(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock, reusable=True)
    httpx_mock.add_response(
        method="GET",
        url=ORDER_URL,
        status_code=401,
        json=load_golden("error_401.json"),
        is_reusable=True,
    )
    with pytest.raises(PayPalError):
        provider.fetch(make_payment())


# The stop


def test_later_calls_raise_without_request(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    forbidden(httpx_mock, "GET", CAPTURE_URL)
    with pytest.raises(AccountError) as first:
        provider.fetch(make_payment(order_id=None))
    sent = len(httpx_mock.get_requests())

    with pytest.raises(AccountError) as fetch_again:
        provider.fetch(make_payment())
    with pytest.raises(AccountError) as apply_again:
        provider.apply(v2_add())
    outputs = provider.apply_batch([v1_add(), v2_add()])

    assert len(httpx_mock.get_requests()) == sent
    assert fetch_again.value is first.value
    assert apply_again.value is first.value
    assert outputs == [first.value, first.value]


def test_stop_logged_once(
    httpx_mock: HTTPXMock, provider: PayPalProvider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="tracksync.paypal")
    reject_credentials(httpx_mock)
    for _ in range(3):
        with pytest.raises(AccountError):
            provider.fetch(make_payment())
    stops = [record for record in caplog.records if record.getMessage().startswith("Stopped")]
    assert len(stops) == 1
    assert CLIENT_SECRET not in caplog.text


def test_stop_in_batch_spares_later_requests(
    httpx_mock: HTTPXMock, provider: PayPalProvider
) -> None:
    add_token(httpx_mock)
    forbidden(httpx_mock, "POST", V1_BATCH_URL)
    changes = [v1_add()] * 25
    outputs = provider.apply_batch(changes)
    assert all(isinstance(output, AccountError) for output in outputs)
    assert len(httpx_mock.get_requests(url=V1_BATCH_URL)) == 1


def test_reconciler_reports_account(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    reject_credentials(httpx_mock)
    payments = [make_payment(order_id=None, payment_id=f"CAP{index}") for index in range(3)]
    orders = [
        Order(id=f"100{index}", payments=[payment], shipments=[make_shipment()])
        for index, payment in enumerate(payments)
    ]
    plan = Reconciler([provider]).plan(orders)
    kinds = [entry.kind for entry in plan.discrepancies]
    assert kinds == [DiscrepancyKind.ACCOUNT_UNAVAILABLE] * 3
    assert len(httpx_mock.get_requests()) == 1


def test_reconciler_apply_skips_after_stop(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    forbidden(httpx_mock, "POST", V1_BATCH_URL)
    plan_order = Order(
        id="1001", payments=[make_payment(order_id=None)], shipments=[make_shipment()]
    )
    httpx_mock.add_response(
        method="GET", url=CAPTURE_URL, json=load_golden("capture_completed.json")
    )
    httpx_mock.add_response(method="GET", url=V1_LIST_URL, status_code=404)
    reconciler = Reconciler([provider])
    report = reconciler.apply(reconciler.plan([plan_order]))
    [result] = list(report)
    assert (result.outcome, result.discrepancy) == (
        Outcome.SKIPPED,
        DiscrepancyKind.ACCOUNT_UNAVAILABLE,
    )


# The partner header


def test_assertion_payer_id() -> None:
    header, payload, signature = build_auth_assertion(CLIENT_ID, MERCHANT_ID).split(".")
    assert decode(header) == {"alg": "none"}
    assert decode(payload) == {"iss": CLIENT_ID, "payer_id": MERCHANT_ID}
    assert signature == ""


def test_assertion_email() -> None:
    payload = build_auth_assertion(CLIENT_ID, "shop@example.com").split(".")[1]
    assert decode(payload) == {"iss": CLIENT_ID, "email": "shop@example.com"}


def test_assertion_compact_and_unpadded() -> None:
    assertion = build_auth_assertion(CLIENT_ID, MERCHANT_ID)
    assert assertion.startswith("eyJhbGciOiJub25lIn0.")
    assert "=" not in assertion


def test_header_on_every_api_call(httpx_mock: HTTPXMock) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(
        method="GET", url=CAPTURE_URL, json=load_golden("capture_completed.json")
    )
    httpx_mock.add_response(method="GET", url=V1_LIST_URL, status_code=404)
    httpx_mock.add_response(method="GET", url=ORDER_URL, json=load_golden("order_completed.json"))
    with PayPalProvider(CLIENT_ID, CLIENT_SECRET, on_behalf_of=MERCHANT_ID) as provider:
        provider.fetch(make_payment(order_id=None))
        provider.fetch(make_payment())
    expected = build_auth_assertion(CLIENT_ID, MERCHANT_ID)
    headers = {
        request.url.path: request.headers.get("PayPal-Auth-Assertion")
        for request in httpx_mock.get_requests()
    }
    assert headers.pop("/v1/oauth2/token") is None
    assert set(headers.values()) == {expected}
    assert len(headers) == 3


def test_no_header_without_partner(httpx_mock: HTTPXMock, provider: PayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="GET", url=ORDER_URL, json=load_golden("order_completed.json"))
    provider.fetch(make_payment())
    assert all("PayPal-Auth-Assertion" not in r.headers for r in httpx_mock.get_requests())


def test_partner_403_names_merchant(httpx_mock: HTTPXMock) -> None:
    add_token(httpx_mock)
    forbidden(httpx_mock, "GET", ORDER_URL)
    provider = PayPalProvider(CLIENT_ID, CLIENT_SECRET, on_behalf_of=MERCHANT_ID)
    with provider, pytest.raises(AccountError) as caught:
        provider.fetch(make_payment())
    assert f"on behalf of merchant {MERCHANT_ID}" in caught.value.message


@pytest.mark.parametrize("value", ["", "two words", " 7KNGBPH2U58GQ"])
def test_bad_merchant_rejected(value: str) -> None:
    with pytest.raises(ConfigurationError):
        PayPalProvider(CLIENT_ID, CLIENT_SECRET, on_behalf_of=value)


def test_repr_shows_partner() -> None:
    with PayPalProvider(CLIENT_ID, CLIENT_SECRET, on_behalf_of=MERCHANT_ID) as provider:
        assert f"on_behalf_of={MERCHANT_ID!r}" in repr(provider)
