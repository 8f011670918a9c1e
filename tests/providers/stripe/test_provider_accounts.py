"""StripeProvider per account: the Charge fallback and its memory, Connect, and AccountError."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from providers.stripe.stripe_support import (
    BASE,
    CHARGE,
    CHARGE_URL,
    CONNECTED,
    DHL,
    KEY,
    PI,
    PI_READ_URL,
    PI_URL,
    UPS,
    assert_golden_request,
    change,
    charge,
    golden,
    intent,
    posted,
    ref,
)
from tracksync import (
    AccountError,
    ChangeKind,
    ChangeResult,
    Outcome,
    RetryPolicy,
    ShipmentStatus,
    StripeError,
    Tracker,
)
from tracksync.providers.stripe import StripeProvider

SECOND_PI = "pi_3QmZ9fLkdIwHu7ix6Second0"
SECOND_CHARGE = "ch_3QmZ9fLkdIwHu7ix6Second0"
SECOND_READ_URL = f"{BASE}/v1/payment_intents/{SECOND_PI}?expand[]=latest_charge"
SECOND_CHARGE_URL = f"{BASE}/v1/charges/{SECOND_CHARGE}"


@pytest.fixture
def provider() -> Iterator[StripeProvider]:
    with StripeProvider(KEY, base_url=BASE, retry=RetryPolicy(attempts=1)) as stripe:
        yield stripe


def second_intent() -> dict[str, Any]:
    body = intent()
    body["id"] = SECOND_PI
    body["latest_charge"]["id"] = SECOND_CHARGE
    body["latest_charge"]["payment_intent"] = SECOND_PI
    return body


def reject_intent_shipping(httpx_mock: HTTPXMock, url: str = PI_URL) -> None:
    httpx_mock.add_response(
        method="POST",
        url=url,
        status_code=400,
        json=golden("error_unexpected_state.json"),
        headers={"Request-Id": "req_Ux4Lr0kS2pQa7T"},
    )


# A PaymentIntent that rejects shipping updates.


def test_rejected_intent_falls_back(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    reject_intent_shipping(httpx_mock)
    httpx_mock.add_response(method="POST", url=CHARGE_URL, json=charge())

    outputs = provider.apply_batch(
        [change(ChangeKind.ADD, UPS, "UPS"), change(ChangeKind.ADD, DHL, "DHL Express")]
    )

    intent_post, charge_post = posted(httpx_mock)
    assert PI_URL == str(intent_post.url)
    assert_golden_request("request_fallback_charge.json", charge_post)
    for output in outputs:
        assert isinstance(output, ChangeResult)
        assert Outcome.ADDED == output.outcome
        assert output.note is not None
        assert f"so tracksync keeps the tracking on Charge {CHARGE} instead" in output.note


def test_fallback_remembered(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    reject_intent_shipping(httpx_mock)
    httpx_mock.add_response(method="POST", url=CHARGE_URL, json=charge())
    httpx_mock.add_response(method="GET", url=SECOND_READ_URL, json=second_intent())
    httpx_mock.add_response(method="POST", url=SECOND_CHARGE_URL, json=charge())

    provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS")])
    [output] = provider.apply_batch(
        [change(ChangeKind.ADD, DHL, "DHL Express", payment_id=SECOND_PI)]
    )

    urls = [str(request.url) for request in posted(httpx_mock)]
    assert [PI_URL, CHARGE_URL, SECOND_CHARGE_URL] == urls
    assert ChangeResult(outcome=Outcome.ADDED) == output


def test_fallback_remembered_in_batch(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    reject_intent_shipping(httpx_mock)
    httpx_mock.add_response(method="POST", url=CHARGE_URL, json=charge())
    httpx_mock.add_response(method="GET", url=SECOND_READ_URL, json=second_intent())
    httpx_mock.add_response(method="POST", url=SECOND_CHARGE_URL, json=charge())

    provider.apply_batch(
        [
            change(ChangeKind.ADD, UPS, "UPS"),
            change(ChangeKind.ADD, DHL, "DHL Express", payment_id=SECOND_PI),
        ]
    )

    assert 3 == len(posted(httpx_mock))


def test_fetch_reads_charge_after_fallback(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    reject_intent_shipping(httpx_mock)
    httpx_mock.add_response(method="POST", url=CHARGE_URL, json=charge())
    httpx_mock.add_response(
        method="GET", url=SECOND_READ_URL, json=second_intent() | {"shipping": None}
    )

    provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS")])
    remote = provider.fetch(ref(SECOND_PI))

    assert SECOND_CHARGE == remote.target_id


def test_fallback_per_account(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    reject_intent_shipping(httpx_mock)
    httpx_mock.add_response(method="POST", url=CHARGE_URL, json=charge())
    httpx_mock.add_response(method="GET", url=SECOND_READ_URL, json=second_intent())
    second_url = f"{BASE}/v1/payment_intents/{SECOND_PI}"
    httpx_mock.add_response(method="POST", url=second_url, json=second_intent())

    provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS")])
    [output] = provider.apply_batch(
        [change(ChangeKind.ADD, DHL, "DHL Express", payment_id=SECOND_PI, account=CONNECTED)]
    )

    assert second_url == str(posted(httpx_mock)[-1].url)
    assert ChangeResult(outcome=Outcome.ADDED) == output


def test_charge_tracking_read_next_run(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    metadata = {"tracksync_3c161e363e9bf36f": '{"n":"1Z999AA10123456784","c":"UPS","s":"SHIPPED"}'}
    body = intent(charge=charge(UPS, "UPS", metadata=metadata))
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=body)

    remote = provider.fetch(ref())

    expected = Tracker(tracking_number=UPS, carrier="UPS", status=ShipmentStatus.SHIPPED)
    assert (expected,) == remote.trackers
    assert CHARGE == remote.target_id


def test_charge_holder_written_directly(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    metadata = {"tracksync_3c161e363e9bf36f": '{"n":"1Z999AA10123456784","c":"UPS","s":"SHIPPED"}'}
    body = intent(charge=charge(UPS, "UPS", metadata=metadata))
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=body)
    httpx_mock.add_response(method="POST", url=CHARGE_URL, json=charge())

    provider.apply_batch([change(ChangeKind.ADD, DHL, "DHL Express")])

    assert [CHARGE_URL] == [str(request.url) for request in posted(httpx_mock)]


def test_rejection_without_charge_fails(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    body = intent()
    body["latest_charge"] = None
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=body)
    reject_intent_shipping(httpx_mock)

    [output] = provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS")])

    assert isinstance(output, StripeError)
    assert "payment_intent_unexpected_state" == output.code
    assert "shipping" == output.param


# Connect.


def test_connect_header_on_every_request(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())

    provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS", account=CONNECTED)])

    get, post = httpx_mock.get_requests()
    assert CONNECTED == get.headers["Stripe-Account"]
    assert_golden_request("request_connect.json", post)


def test_connect_key_differs_from_own(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent(), is_reusable=True)
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent(), is_reusable=True)

    provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS", account=CONNECTED)])
    provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS")])

    connected, own = posted(httpx_mock)
    assert "Stripe-Account" not in own.headers
    assert connected.headers["Idempotency-Key"] != own.headers["Idempotency-Key"]


# Rejected keys and permissions.


def test_401_raises_account_error(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET",
        url=PI_READ_URL,
        status_code=401,
        json=golden("error_invalid_api_key.json"),
        headers={"Request-Id": "req_401"},
    )

    with pytest.raises(AccountError) as caught:
        provider.fetch(ref())

    error = caught.value
    assert isinstance(error.cause, StripeError)
    assert 401 == error.status
    assert "req_401" == error.request_id
    assert "rejected the API key" in error.message
    assert "write access to PaymentIntents and Charges" in error.message
    assert "read access to Checkout Sessions" in error.message
    assert "request id req_401" in str(error)


def test_401_stops_every_account(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET", url=PI_READ_URL, status_code=401, json=golden("error_invalid_api_key.json")
    )
    with pytest.raises(AccountError) as first:
        provider.fetch(ref())

    with pytest.raises(AccountError) as again:
        provider.fetch(ref(account=CONNECTED))
    outputs = provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS")])

    assert first.value is again.value
    assert [first.value] == outputs
    assert 1 == len(httpx_mock.get_requests())


def test_403_names_permissions(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    httpx_mock.add_response(
        method="POST",
        url=PI_URL,
        status_code=403,
        json=golden("error_permission.json"),
        headers={"Request-Id": "req_403"},
    )

    outputs = provider.apply_batch(
        [
            change(ChangeKind.ADD, UPS, "UPS", account=CONNECTED),
            change(ChangeKind.ADD, DHL, "DHL Express", account=CONNECTED),
        ]
    )

    error = outputs[0]
    assert isinstance(error, AccountError)
    assert outputs[1] is error
    assert CONNECTED == error.account
    assert 403 == error.status
    assert "write access to PaymentIntents and Charges" in error.message
    assert f"access to connected account {CONNECTED}" in error.message
    assert "rak_charge_write" in error.message
    assert "Xq9z" in error.message


def test_403_stops_that_account(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET", url=PI_READ_URL, status_code=403, json=golden("error_permission.json")
    )
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())

    with pytest.raises(AccountError) as first:
        provider.fetch(ref(account=CONNECTED))
    outputs = provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS", account=CONNECTED)])
    remote = provider.fetch(ref())

    assert [first.value] == outputs
    assert 2 == len(httpx_mock.get_requests())
    assert "Stripe-Account" not in httpx_mock.get_requests()[1].headers
    assert () == remote.trackers


def test_403_own_account_label(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        method="GET", url=PI_READ_URL, status_code=403, json=golden("error_permission.json")
    )

    with (
        StripeProvider(KEY, base_url=BASE, account="eu-shop") as stripe,
        pytest.raises(AccountError) as caught,
    ):
        stripe.fetch(ref(account="eu-shop"))

    assert "eu-shop" == caught.value.account
    assert "Stripe account eu-shop" in caught.value.message


def test_other_errors_not_account_errors(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET", url=PI_READ_URL, status_code=500, json={"error": {"type": "api_error"}}
    )
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent(UPS, "UPS"))

    with pytest.raises(StripeError) as caught:
        provider.fetch(ref())
    remote = provider.fetch(ref())

    assert not isinstance(caught.value, AccountError)
    assert PI == remote.payment.payment_id
    assert 1 == len(remote.trackers)
