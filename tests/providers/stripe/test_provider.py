"""StripeProvider against mocked Stripe responses (pytest-httpx)."""

from __future__ import annotations

import copy
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from spec_validation import parse_form
from tracksync import (
    Address,
    Change,
    ChangeKind,
    ChangeResult,
    ConfigurationError,
    InvalidInputError,
    Order,
    Outcome,
    PaymentRef,
    PaymentState,
    Reconciler,
    Shipment,
    StripeError,
    Tracker,
    TrackingProvider,
)
from tracksync.providers.stripe import STRIPE_API_VERSION, StripeProvider

GOLDEN = Path(__file__).parent / "golden"
KEY = "sk_test_51QmZ8tLkdIwHu7ixSecretKeyValue00"
BASE = "http://127.0.0.1:12111"
PI = "pi_3QmZ8tLkdIwHu7ix0aBcDeFg"
URL = f"{BASE}/v1/payment_intents/{PI}"
ADDRESS = {
    "city": "Berlin",
    "country": "DE",
    "line1": "Friedrichstraße 68",
    "line2": None,
    "postal_code": "10117",
    "state": None,
}
SHOP_ADDRESS = Address(line1="1 High Street", city="Leeds", postal_code="LS1 1AA", country="GB")


def golden(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN / name).read_text(encoding="utf-8"))
    return data


def intent(
    tracking_number: str | None = None,
    carrier: str | None = None,
    *,
    status: str = "succeeded",
    name: str | None = "Jana Müller",
    address: dict[str, Any] | None = None,
    phone: str | None = None,
    shipping: bool = True,
) -> dict[str, Any]:
    """A PaymentIntent based on the golden one, with the given shipping."""
    body = golden("payment_intent_succeeded_two_packages.json")
    body["status"] = status
    if not shipping:
        body["shipping"] = None
        return body
    body["shipping"] = {
        "address": copy.deepcopy(ADDRESS) if address is None else address,
        "carrier": carrier,
        "name": name,
        "phone": phone,
        "tracking_number": tracking_number,
    }
    return body


def change(
    kind: ChangeKind,
    number: str,
    carrier: str = "UPS",
    *,
    recipient_name: str | None = None,
    ship_to: Address | None = None,
    payment_id: str = PI,
) -> Change:
    return Change(
        kind=kind,
        order_id="1001",
        payment=PaymentRef(provider="stripe", payment_id=payment_id),
        shipment=Shipment(tracking_number=number, carrier=carrier),
        recipient_name=recipient_name,
        ship_to=ship_to,
    )


def posted(httpx_mock: HTTPXMock) -> list[httpx.Request]:
    return [request for request in httpx_mock.get_requests() if request.method == "POST"]


def posted_shipping(request: httpx.Request) -> dict[str, Any]:
    shipping: dict[str, Any] = parse_form(request.content.decode())["shipping"]
    return shipping


@pytest.fixture
def provider() -> Iterator[StripeProvider]:
    with StripeProvider(KEY, base_url=BASE) as stripe:
        yield stripe


def ref(payment_id: str = PI) -> PaymentRef:
    return PaymentRef(provider="stripe", payment_id=payment_id)


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
    assert "stripe" == provider.name
    assert provider.account is None
    assert frozenset() == provider.capabilities.statuses
    assert provider.capabilities.can_update_carrier
    assert not provider.capabilities.can_update_status
    assert provider.capabilities.can_cancel
    assert provider.capabilities.requires_recipient


def test_is_tracking_provider(provider: StripeProvider) -> None:
    assert isinstance(provider, TrackingProvider)


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


# check_payment.


def test_check_accepts_payment_intent(provider: StripeProvider) -> None:
    assert provider.check_payment(ref()) is None


def test_check_rejects_charge(provider: StripeProvider) -> None:
    message = provider.check_payment(ref("ch_3QmZ8tLkdIwHu7ix0sKzq4Vb"))

    assert message is not None
    assert "'ch_3QmZ8tLkdIwHu7ix0sKzq4Vb'" in message
    assert "Charge" in message
    assert "(pi_...)" in message


def test_check_rejects_checkout_session(provider: StripeProvider) -> None:
    message = provider.check_payment(ref("cs_test_a1B2c3"))

    assert message is not None
    assert "Checkout Session" in message


# fetch.


def test_fetch_succeeded(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET", url=URL, json=golden("payment_intent_succeeded_two_packages.json")
    )

    remote = provider.fetch(ref())

    expected = (
        Tracker(tracking_number="1Z999AA10123456784", carrier="UPS"),
        Tracker(tracking_number="JD014600006281230704", carrier="DHL"),
    )
    assert PaymentState.READY == remote.state
    assert expected == remote.trackers
    assert "Jana Müller" == remote.recipient_name


def test_fetch_requires_capture(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    body = golden("payment_intent_requires_capture.json")
    httpx_mock.add_response(method="GET", url=f"{BASE}/v1/payment_intents/{body['id']}", json=body)

    remote = provider.fetch(ref(body["id"]))

    assert PaymentState.WAITING_FOR_CAPTURE == remote.state


def test_fetch_processing(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent(status="processing"))

    remote = provider.fetch(ref())

    assert PaymentState.WAITING_FOR_CAPTURE == remote.state


def test_fetch_canceled(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    body = golden("payment_intent_canceled.json")
    httpx_mock.add_response(method="GET", url=f"{BASE}/v1/payment_intents/{body['id']}", json=body)

    remote = provider.fetch(ref(body["id"]))

    assert PaymentState.UNUSABLE == remote.state
    assert remote.message is not None
    assert "canceled" in remote.message


def test_fetch_requires_payment_method(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent(status="requires_payment_method"))

    remote = provider.fetch(ref())

    assert PaymentState.UNUSABLE == remote.state
    assert remote.message is not None
    assert "requires_payment_method" in remote.message


def test_fetch_missing_not_found(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET",
        url=URL,
        status_code=404,
        json=golden("error_resource_missing.json"),
        headers={"Request-Id": "req_7dQ2mXk0Lc9vBa"},
    )

    remote = provider.fetch(ref())

    assert PaymentState.NOT_FOUND == remote.state
    assert remote.message is not None
    assert PI in remote.message
    assert "req_7dQ2mXk0Lc9vBa" in remote.message


def test_fetch_server_error_raises(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET",
        url=URL,
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
        provider.fetch(ref("ch_3QmZ8tLkdIwHu7ix0sKzq4Vb"))

    assert [] == httpx_mock.get_requests()


def test_fetch_headers(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent())

    provider.fetch(ref())

    request = httpx_mock.get_requests()[0]
    assert f"Bearer {KEY}" == request.headers["Authorization"]
    assert STRIPE_API_VERSION == request.headers["Stripe-Version"]
    assert "Idempotency-Key" not in request.headers


def test_custom_api_version_sent(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent())

    with StripeProvider(KEY, base_url=BASE, api_version="2025-03-31.basil") as stripe:
        stripe.fetch(ref())

    assert "2025-03-31.basil" == httpx_mock.get_requests()[0].headers["Stripe-Version"]


# apply: adding, cancelling and updating packages.


def test_add_to_empty_shipping(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent(shipping=False))
    httpx_mock.add_response(method="POST", url=URL, json=intent("1Z999", "UPS"))

    result = provider.apply(
        change(ChangeKind.ADD, "1Z999", recipient_name="Sam Smith", ship_to=SHOP_ADDRESS)
    )

    expected_body = (
        b"shipping[name]=Sam+Smith&shipping[address][line1]=1+High+Street"
        b"&shipping[address][city]=Leeds&shipping[address][postal_code]=LS1+1AA"
        b"&shipping[address][country]=GB&shipping[carrier]=UPS&shipping[tracking_number]=1Z999"
    )
    assert ChangeResult(outcome=Outcome.ADDED) == result
    assert expected_body == posted(httpx_mock)[0].content


def test_add_second_package_joined(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent("1Z111", "UPS"))
    httpx_mock.add_response(method="POST", url=URL, json=intent("1Z111, 1Z222", "UPS"))

    result = provider.apply(change(ChangeKind.ADD, "1Z222"))

    shipping = posted_shipping(posted(httpx_mock)[0])
    assert Outcome.ADDED == result.outcome
    assert "1Z111, 1Z222" == shipping["tracking_number"]
    assert "UPS" == shipping["carrier"]


def test_add_other_carrier_joined(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET", url=URL, json=golden("payment_intent_succeeded_two_packages.json")
    )
    httpx_mock.add_response(method="POST", url=URL, json=intent())

    provider.apply(change(ChangeKind.ADD, "794698000000", "FedEx"))

    shipping = posted_shipping(posted(httpx_mock)[0])
    expected = "1Z999AA10123456784, JD014600006281230704, 794698000000"
    assert expected == shipping["tracking_number"]
    assert "UPS, DHL, FedEx" == shipping["carrier"]


def test_cancel_one_of_two(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET", url=URL, json=golden("payment_intent_succeeded_two_packages.json")
    )
    httpx_mock.add_response(method="POST", url=URL, json=intent())

    result = provider.apply(change(ChangeKind.CANCEL, "1Z999AA10123456784"))

    shipping = posted_shipping(posted(httpx_mock)[0])
    assert Outcome.CANCELLED == result.outcome
    assert "JD014600006281230704" == shipping["tracking_number"]
    assert "DHL" == shipping["carrier"]


def test_cancel_last_sends_empty(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent("1Z999", "UPS"))
    httpx_mock.add_response(method="POST", url=URL, json=intent())

    result = provider.apply(change(ChangeKind.CANCEL, "1Z999"))

    body = posted(httpx_mock)[0].content
    assert Outcome.CANCELLED == result.outcome
    assert body.endswith(b"&shipping[carrier]=&shipping[tracking_number]=")


def test_update_carrier(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent("1Z1, 1Z2", "UPS"))
    httpx_mock.add_response(method="POST", url=URL, json=intent())

    result = provider.apply(change(ChangeKind.UPDATE, "1Z2", "DHL"))

    shipping = posted_shipping(posted(httpx_mock)[0])
    assert Outcome.UPDATED == result.outcome
    assert "UPS, DHL" == shipping["carrier"]
    assert "1Z1, 1Z2" == shipping["tracking_number"]


def test_update_missing_number_skipped(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent("1Z1", "UPS"))

    result = provider.apply(change(ChangeKind.UPDATE, "1Z2", "DHL"))

    assert Outcome.SKIPPED == result.outcome
    assert [] == posted(httpx_mock)


# apply: the recipient.


def test_recipient_from_payment_intent(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET", url=URL, json=golden("payment_intent_succeeded_two_packages.json")
    )
    httpx_mock.add_response(method="POST", url=URL, json=intent())

    provider.apply(
        change(ChangeKind.ADD, "1Z333", recipient_name="Sam Smith", ship_to=SHOP_ADDRESS)
    )

    shipping = posted_shipping(posted(httpx_mock)[0])
    expected_address = {
        "line1": "Friedrichstraße 68",
        "city": "Berlin",
        "postal_code": "10117",
        "country": "DE",
    }
    assert "Jana Müller" == shipping["name"]
    assert expected_address == shipping["address"]
    assert "+49 30 1234567" == shipping["phone"]


def test_recipient_from_change(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    no_address = {key: None for key in ADDRESS}
    httpx_mock.add_response(method="GET", url=URL, json=intent(address=no_address))
    httpx_mock.add_response(method="POST", url=URL, json=intent())

    provider.apply(
        change(ChangeKind.ADD, "1Z333", recipient_name="Sam Smith", ship_to=SHOP_ADDRESS)
    )

    shipping = posted_shipping(posted(httpx_mock)[0])
    expected_address = {
        "line1": "1 High Street",
        "city": "Leeds",
        "postal_code": "LS1 1AA",
        "country": "GB",
    }
    assert "Sam Smith" == shipping["name"]
    assert expected_address == shipping["address"]


def test_recipient_missing_raises(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent(shipping=False))

    with pytest.raises(InvalidInputError) as caught:
        provider.apply(change(ChangeKind.ADD, "1Z333"))

    assert PI in str(caught.value)
    assert "1001" in str(caught.value)
    assert [] == posted(httpx_mock)


# apply: nothing to write.


def test_add_present_sends_nothing(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent("1Z1,1Z2", "UPS"))

    result = provider.apply(change(ChangeKind.ADD, "1Z2"))

    assert Outcome.UNCHANGED == result.outcome
    assert result.note is not None
    assert "already has tracking number 1Z2" in result.note
    assert [] == posted(httpx_mock)


def test_cancel_absent_sends_nothing(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent("1Z1", "UPS"))

    result = provider.apply(change(ChangeKind.CANCEL, "1Z2"))

    assert Outcome.UNCHANGED == result.outcome
    assert [] == posted(httpx_mock)


def test_update_same_sends_nothing(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent("1Z1, 1Z2", "UPS, DHL"))

    result = provider.apply(change(ChangeKind.UPDATE, "1Z2", "DHL"))

    assert Outcome.UNCHANGED == result.outcome
    assert [] == posted(httpx_mock)


def test_unpaired_carriers_kept(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent("1Z1, 1Z2, 1Z3", "UPS, DHL"))
    httpx_mock.add_response(method="POST", url=URL, json=intent())

    result = provider.apply(change(ChangeKind.ADD, "1Z4", "FedEx"))

    shipping = posted_shipping(posted(httpx_mock)[0])
    assert "UPS, DHL" == shipping["carrier"]
    assert "1Z1, 1Z2, 1Z3, 1Z4" == shipping["tracking_number"]
    assert result.note is not None
    assert "FedEx" in result.note


def test_unpaired_carrier_update_unchanged(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent("1Z1, 1Z2, 1Z3", "UPS, DHL"))

    result = provider.apply(change(ChangeKind.UPDATE, "1Z2", "FedEx"))

    assert Outcome.UNCHANGED == result.outcome
    assert [] == posted(httpx_mock)


def test_comma_in_number_rejected(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    with pytest.raises(InvalidInputError) as caught:
        provider.apply(change(ChangeKind.ADD, "1Z1,1Z2"))

    assert "'1Z1,1Z2'" in str(caught.value)
    assert [] == httpx_mock.get_requests()


def test_too_long_value_rejected(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    numbers = ", ".join(f"1Z{index:062d}" for index in range(80))
    httpx_mock.add_response(method="GET", url=URL, json=intent(numbers, "UPS"))

    with pytest.raises(InvalidInputError) as caught:
        provider.apply(change(ChangeKind.ADD, "1Z" + "9" * 62))

    assert "5000" in str(caught.value)
    assert [] == posted(httpx_mock)


# apply: headers and idempotency.


def test_post_headers(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent())
    httpx_mock.add_response(method="POST", url=URL, json=intent())

    provider.apply(change(ChangeKind.ADD, "1Z1"))

    get, post = httpx_mock.get_requests()
    assert "Idempotency-Key" not in get.headers
    assert post.headers["Idempotency-Key"].startswith("tracksync-")
    assert f"Bearer {KEY}" == post.headers["Authorization"]
    assert STRIPE_API_VERSION == post.headers["Stripe-Version"]
    assert "application/x-www-form-urlencoded" == post.headers["Content-Type"]


def apply_and_get_key(
    httpx_mock: HTTPXMock, provider: StripeProvider, before: dict[str, Any], planned: Change
) -> str:
    httpx_mock.add_response(method="GET", url=URL, json=before)
    httpx_mock.add_response(method="POST", url=URL, json=intent())
    provider.apply(planned)
    key: str = posted(httpx_mock)[-1].headers["Idempotency-Key"]
    return key


def test_idempotency_key_reused_on_retry(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    first = apply_and_get_key(
        httpx_mock, provider, intent("1Z1", "UPS"), change(ChangeKind.ADD, "1Z2")
    )
    retry = apply_and_get_key(
        httpx_mock, provider, intent("1Z1", "UPS"), change(ChangeKind.ADD, "1Z2")
    )

    assert first == retry


def test_idempotency_key_new_for_other_write(
    httpx_mock: HTTPXMock, provider: StripeProvider
) -> None:
    first = apply_and_get_key(
        httpx_mock, provider, intent("1Z1", "UPS"), change(ChangeKind.ADD, "1Z2")
    )
    other = apply_and_get_key(
        httpx_mock, provider, intent("1Z1", "UPS"), change(ChangeKind.ADD, "1Z3")
    )

    assert first != other


def test_idempotency_key_new_when_reverting(
    httpx_mock: HTTPXMock, provider: StripeProvider
) -> None:
    add = apply_and_get_key(
        httpx_mock, provider, intent("1Z1", "UPS"), change(ChangeKind.ADD, "1Z2")
    )
    cancel = apply_and_get_key(
        httpx_mock, provider, intent("1Z1, 1Z2", "UPS"), change(ChangeKind.CANCEL, "1Z2")
    )

    assert add != cancel


# Errors.


def test_post_error_str_has_facts(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent())
    httpx_mock.add_response(
        method="POST",
        url=URL,
        status_code=400,
        json=golden("error_parameter_unknown.json"),
        headers={"Request-Id": "req_Vb81KqP3sXw2Ze"},
    )

    with pytest.raises(StripeError) as caught:
        provider.apply(change(ChangeKind.ADD, "1Z1"))

    text = str(caught.value)
    assert "HTTP 400" in text
    assert "type invalid_request_error" in text
    assert "code parameter_unknown" in text
    assert "param shipping[tracking_no]" in text
    assert "request id req_Vb81KqP3sXw2Ze" in text


def test_non_json_error(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET",
        url=URL,
        status_code=503,
        text="Service Unavailable",
        headers={"Content-Type": "text/plain"},
    )

    with pytest.raises(StripeError) as caught:
        provider.fetch(ref())

    assert 503 == caught.value.status


def test_key_absent_from_error(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET",
        url=URL,
        status_code=401,
        json={
            "error": {
                "type": "invalid_request_error",
                "message": f"Invalid API Key provided: {KEY}",
            }
        },
    )

    with pytest.raises(StripeError) as caught:
        provider.fetch(ref())

    assert KEY not in str(caught.value)
    assert KEY not in caught.value.message


def test_key_absent_from_logs(
    httpx_mock: HTTPXMock, provider: StripeProvider, caplog: pytest.LogCaptureFixture
) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent())
    httpx_mock.add_response(method="POST", url=URL, json=intent())
    caplog.set_level("DEBUG")

    provider.apply(change(ChangeKind.ADD, "1Z1"))

    assert caplog.records
    assert KEY not in caplog.text


# The provider inside the Reconciler, against a Stripe fake that keeps state.


class FakeStripe:
    """Keeps one PaymentIntent and applies form-encoded shipping updates to it.

    A POST whose Idempotency-Key came before gets the saved response again, marked with
    the headers that tracksync's Stripe emulator sends, and changes nothing.
    """

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.keys: list[str] = []
        self.saved: dict[str, tuple[str, dict[str, Any]]] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST":
            return httpx.Response(200, json=self.body, headers={"Request-Id": "req_get"})

        key = request.headers["Idempotency-Key"]
        self.keys.append(key)
        if key in self.saved:
            original, saved_body = self.saved[key]
            headers = {"Idempotent-Replayed": "true", "Original-Request": original}
            return httpx.Response(200, json=saved_body, headers=headers)

        sent = parse_form(request.content.decode())["shipping"]
        self.body["shipping"] = {
            "address": {part: sent["address"].get(part) for part in ADDRESS},
            "carrier": sent.get("carrier") or None,
            "name": sent["name"],
            "phone": sent.get("phone"),
            "tracking_number": sent.get("tracking_number") or None,
        }
        request_id = f"req_post{len(self.keys)}"
        self.saved[key] = (request_id, copy.deepcopy(self.body))
        return httpx.Response(200, json=self.body, headers={"Request-Id": request_id})


def test_reconciler_adds_two_packages(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    fake = FakeStripe(intent(shipping=False))
    httpx_mock.add_callback(fake, url=URL, is_reusable=True)
    order = Order(
        id="1001",
        payments=[ref()],
        shipments=[
            Shipment(tracking_number="1Z999AA10123456784", carrier="UPS"),
            Shipment(tracking_number="JD014600006281230704", carrier="DHL"),
        ],
        recipient_name="Sam Smith",
        ship_to=SHOP_ADDRESS,
    )
    reconciler = Reconciler([provider])

    report = reconciler.apply(reconciler.plan([order]))

    expected_shipping = {
        "address": {
            "city": "Leeds",
            "country": "GB",
            "line1": "1 High Street",
            "line2": None,
            "postal_code": "LS1 1AA",
            "state": None,
        },
        "carrier": "UPS, DHL",
        "name": "Sam Smith",
        "phone": None,
        "tracking_number": "1Z999AA10123456784, JD014600006281230704",
    }
    assert [Outcome.ADDED, Outcome.ADDED] == [result.outcome for result in report]
    assert expected_shipping == fake.body["shipping"]
    assert 2 == len(set(fake.keys))


def test_reconciler_second_run_unchanged(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    fake = FakeStripe(intent("1Z999AA10123456784, JD014600006281230704", "UPS, DHL"))
    httpx_mock.add_callback(fake, url=URL, is_reusable=True)
    order = Order(
        id="1001",
        payments=[ref()],
        shipments=[
            Shipment(tracking_number="1Z999AA10123456784", carrier="ups"),
            Shipment(tracking_number="JD014600006281230704", carrier="DHL"),
        ],
    )
    reconciler = Reconciler([provider])

    report = reconciler.apply(reconciler.plan([order]))

    assert [Outcome.UNCHANGED, Outcome.UNCHANGED] == [result.outcome for result in report]
    assert [] == posted(httpx_mock)


def test_reconciler_url_is_loopback() -> None:
    assert "127.0.0.1" == urllib.parse.urlsplit(URL).hostname


def test_repeated_write_is_made(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    fake = FakeStripe(intent())
    httpx_mock.add_callback(fake, url=URL, is_reusable=True)

    for kind in [ChangeKind.ADD, ChangeKind.CANCEL, ChangeKind.ADD, ChangeKind.CANCEL]:
        provider.apply(change(kind, "1Z1"))
    result = provider.apply(change(ChangeKind.ADD, "1Z1"))

    assert Outcome.ADDED == result.outcome
    assert "1Z1" == fake.body["shipping"]["tracking_number"]
    assert 3 == fake.keys.count(fake.keys[0])
    assert 9 == len(fake.keys)


def test_replay_already_written(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent())
    httpx_mock.add_response(
        method="POST",
        url=URL,
        json=intent("1Z1", "UPS"),
        headers={"Idempotent-Replayed": "true", "Original-Request": "req_1"},
    )
    httpx_mock.add_response(method="GET", url=URL, json=intent("1Z1", "UPS"))

    result = provider.apply(change(ChangeKind.ADD, "1Z1"))

    assert Outcome.ADDED == result.outcome
    assert 1 == len(posted(httpx_mock))


def test_replays_exhausted_raise(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=URL, json=intent(), is_reusable=True)
    httpx_mock.add_response(
        method="POST",
        url=URL,
        json=intent("1Z1", "UPS"),
        headers={"Idempotent-Replayed": "true"},
        is_reusable=True,
    )

    with pytest.raises(StripeError) as caught:
        provider.apply(change(ChangeKind.ADD, "1Z1"))

    keys = {request.headers["Idempotency-Key"] for request in posted(httpx_mock)}
    assert PI in str(caught.value)
    assert 5 == len(posted(httpx_mock))
    assert 5 == len(keys)
