"""StripeProvider: construction, checks and reads, against mocked Stripe responses."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pytest_httpx import HTTPXMock

import tracksync.providers.stripe as stripe_package
from providers.stripe.stripe_support import (
    BASE,
    CHARGE_URL,
    CONNECTED,
    KEY,
    OPEN_SESSION,
    OWN_CHARGE,
    OWN_CHARGE_URL,
    PI,
    PI_READ_URL,
    SESSION,
    SESSION_URL,
    UPS,
    charge,
    golden,
    intent,
    ref,
)
from tracksync import (
    BatchingProvider,
    ConfigurationError,
    InvalidInputError,
    PaymentState,
    RetryPolicy,
    Shipment,
    ShipmentStatus,
    StripeError,
    Tracker,
    TrackingProvider,
)
from tracksync.providers.stripe import STRIPE_API_VERSION, StripeProvider


@pytest.fixture
def provider() -> Iterator[StripeProvider]:
    # One try per request, so each test sees exactly the answers it registers.
    with StripeProvider(KEY, base_url=BASE, retry=RetryPolicy(attempts=1)) as stripe:
        yield stripe


# Construction.


def test_empty_key_rejected() -> None:
    with pytest.raises(ConfigurationError):
        StripeProvider("")


def test_key_with_newline_rejected() -> None:
    with pytest.raises(ConfigurationError) as caught:
        StripeProvider(KEY + "\n")

    assert KEY not in str(caught.value)


def test_bad_base_url_rejected() -> None:
    with pytest.raises(ConfigurationError):
        StripeProvider(KEY, base_url="api.stripe.com")


def test_name_and_capabilities(provider: StripeProvider) -> None:
    capabilities = provider.capabilities

    assert "stripe" == provider.name
    assert provider.account is None
    assert frozenset(ShipmentStatus) == capabilities.statuses
    assert capabilities.can_update_carrier
    assert capabilities.can_update_status
    assert capabilities.can_cancel
    assert capabilities.requires_recipient
    assert capabilities.batch_size > 1


def test_is_batching_provider(provider: StripeProvider) -> None:
    assert isinstance(provider, TrackingProvider)
    assert isinstance(provider, BatchingProvider)


def test_account_label() -> None:
    with StripeProvider(KEY, account="eu-shop") as stripe:
        assert "eu-shop" == stripe.account


def test_repr_hides_key(provider: StripeProvider) -> None:
    text = repr(provider)

    assert KEY not in text
    assert BASE in text


def test_closes_own_client() -> None:
    stripe = StripeProvider(KEY, base_url=BASE)

    stripe.close()

    assert stripe._client.is_closed


def test_leaves_given_client_open() -> None:
    with httpx.Client() as client:
        with StripeProvider(KEY, base_url=BASE, client=client):
            pass

        assert not client.is_closed


# check_payment and check_shipment.


@pytest.mark.parametrize("payment_id", [PI, OWN_CHARGE, "py_3QmZ8tLkdIwHu7ix0sKzq4Vb", SESSION])
def test_check_accepts_ids(provider: StripeProvider, payment_id: str) -> None:
    assert provider.check_payment(ref(payment_id)) is None


def test_check_rejects_other_prefix(provider: StripeProvider) -> None:
    message = provider.check_payment(ref("in_1QmZ8sLkdIwHu7ix"))

    assert message is not None
    assert "'in_1QmZ8sLkdIwHu7ix'" in message
    assert "(pi_...)" in message
    assert "(cs_...)" in message


def test_check_rejects_bad_account(provider: StripeProvider) -> None:
    message = provider.check_payment(ref(account="acct_1 2"))

    assert message is not None
    assert "'acct_1 2'" in message


def test_check_shipment_comma(provider: StripeProvider) -> None:
    message = provider.check_shipment(ref(), Shipment(tracking_number=UPS, carrier="UPS, DHL"))

    assert message is not None
    assert "comma" in message


def test_check_shipment_long_carrier(provider: StripeProvider) -> None:
    message = provider.check_shipment(ref(), Shipment(tracking_number=UPS, carrier="C" * 5001))

    assert message is not None
    assert "5000" in message


def test_check_shipment_accepts(provider: StripeProvider) -> None:
    assert provider.check_shipment(ref(), Shipment(tracking_number=UPS, carrier="UPS")) is None


# fetch.


def test_fetch_intent_one_request(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET", url=PI_READ_URL, json=golden("payment_intent_three_packages.json")
    )

    remote = provider.fetch(ref())

    [request] = httpx_mock.get_requests()
    assert "expand[]=latest_charge" == request.url.query.decode()
    assert PaymentState.READY == remote.state
    assert 3 == len(remote.trackers)
    assert ShipmentStatus.DELIVERED == remote.trackers[0].status


def test_fetch_headers(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())

    provider.fetch(ref())

    request = httpx_mock.get_requests()[0]
    assert f"Bearer {KEY}" == request.headers["Authorization"]
    assert STRIPE_API_VERSION == request.headers["Stripe-Version"]
    assert "Idempotency-Key" not in request.headers
    assert "Stripe-Account" not in request.headers


def test_fetch_unexpanded_charge_read(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET", url=PI_READ_URL, json=golden("payment_intent_succeeded_two_packages.json")
    )
    httpx_mock.add_response(method="GET", url=CHARGE_URL, json=charge())

    remote = provider.fetch(ref())

    assert 2 == len(httpx_mock.get_requests())
    assert PaymentState.READY == remote.state
    assert 2 == len(remote.trackers)


def test_fetch_charge(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=OWN_CHARGE_URL, json=charge(UPS, "UPS", own=True))

    remote = provider.fetch(ref(OWN_CHARGE))

    [request] = httpx_mock.get_requests()
    assert b"" == request.url.query
    assert PaymentState.READY == remote.state
    assert (Tracker(tracking_number=UPS, carrier="UPS"),) == remote.trackers


def test_fetch_session_one_request(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET", url=SESSION_URL, json=golden("checkout_session_complete.json")
    )

    remote = provider.fetch(ref(SESSION))

    [request] = httpx_mock.get_requests()
    assert "expand[]=payment_intent.latest_charge" == request.url.query.decode()
    assert PaymentState.READY == remote.state
    assert PI == remote.target_id


def test_fetch_session_unexpanded(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    body = golden("checkout_session_complete.json")
    body["payment_intent"] = PI
    httpx_mock.add_response(method="GET", url=SESSION_URL, json=body)
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())

    remote = provider.fetch(ref(SESSION))

    assert 2 == len(httpx_mock.get_requests())
    assert PaymentState.READY == remote.state


def test_fetch_session_without_intent(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    url = f"{BASE}/v1/checkout/sessions/{OPEN_SESSION}?expand[]=payment_intent.latest_charge"
    httpx_mock.add_response(method="GET", url=url, json=golden("checkout_session_open.json"))

    remote = provider.fetch(ref(OPEN_SESSION))

    assert PaymentState.UNUSABLE == remote.state
    assert remote.message is not None
    assert "has no PaymentIntent" in remote.message


def test_fetch_missing_not_found(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET",
        url=PI_READ_URL,
        status_code=404,
        json=golden("error_resource_missing.json"),
        headers={"Request-Id": "req_7dQ2mXk0Lc9vBa"},
    )

    remote = provider.fetch(ref())

    assert PaymentState.NOT_FOUND == remote.state
    assert remote.message is not None
    assert f"Stripe has no PaymentIntent {PI}" in remote.message
    assert "req_7dQ2mXk0Lc9vBa" in remote.message


def test_fetch_missing_session(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET", url=SESSION_URL, status_code=404, json=golden("error_resource_missing.json")
    )

    remote = provider.fetch(ref(SESSION))

    assert PaymentState.NOT_FOUND == remote.state
    assert remote.message is not None
    assert "Checkout Session" in remote.message


def test_fetch_server_error_raises(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET",
        url=PI_READ_URL,
        status_code=500,
        json={"error": {"type": "api_error", "message": "An unknown error occurred"}},
        headers={"Request-Id": "req_500", "Stripe-Should-Retry": "true"},
    )

    with pytest.raises(StripeError) as caught:
        provider.fetch(ref())

    assert 500 == caught.value.status
    assert "req_500" == caught.value.request_id
    assert caught.value.should_retry is True


def test_fetch_invalid_id_sends_nothing(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    with pytest.raises(InvalidInputError):
        provider.fetch(ref("in_3QmZ8tLkdIwHu7ix0sKzq4Vb"))

    assert [] == httpx_mock.get_requests()


def test_fetch_invalid_account_sends_nothing(
    httpx_mock: HTTPXMock, provider: StripeProvider
) -> None:
    with pytest.raises(InvalidInputError):
        provider.fetch(ref(account="acct_1 2"))

    assert [] == httpx_mock.get_requests()


def test_fetch_connected_account(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())

    provider.fetch(ref(account=CONNECTED))

    assert CONNECTED == httpx_mock.get_requests()[0].headers["Stripe-Account"]


def test_fetch_label_sends_no_header(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())

    with StripeProvider(KEY, base_url=BASE, account="eu-shop") as stripe:
        stripe.fetch(ref(account="eu-shop"))

    assert "Stripe-Account" not in httpx_mock.get_requests()[0].headers


def test_custom_api_version_sent(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())

    with StripeProvider(KEY, base_url=BASE, api_version="2025-03-31.basil") as stripe:
        stripe.fetch(ref())

    assert "2025-03-31.basil" == httpx_mock.get_requests()[0].headers["Stripe-Version"]


def test_non_json_error(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET",
        url=PI_READ_URL,
        status_code=503,
        text="Service Unavailable",
        headers={"Content-Type": "text/plain"},
    )

    with pytest.raises(StripeError) as caught:
        provider.fetch(ref())

    assert 503 == caught.value.status


def test_key_absent_from_logs(
    httpx_mock: HTTPXMock, provider: StripeProvider, caplog: pytest.LogCaptureFixture
) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    caplog.set_level("DEBUG")

    provider.fetch(ref())

    assert caplog.records
    assert KEY not in caplog.text


def test_package_exports() -> None:
    assert [
        "AsyncStripeProvider",
        "STRIPE_API_VERSION",
        "StripeProvider",
        "is_retryable",
    ] == stripe_package.__all__
