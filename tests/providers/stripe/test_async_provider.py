"""AsyncStripeProvider over mocked HTTP and the emulator: StripeProvider's behaviour, concurrently.

pytest-httpx mocks ``httpx.AsyncClient`` too, and every request is checked against the spec.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from providers.stripe.stripe_support import (
    BASE,
    CHARGE_URL,
    CONNECTED,
    DHL,
    KEY,
    PI,
    PI_READ_URL,
    PI_URL,
    UPS,
    USPS,
    FakeStripe,
    assert_golden_request,
    change,
    charge,
    golden,
    intent,
    posted,
    ref,
    sent_form,
)
from spec_validation import validate_request
from tracksync import (
    AccountError,
    AsyncReconciler,
    ChangeKind,
    ChangeResult,
    ConfigurationError,
    InvalidInputError,
    Order,
    Outcome,
    PaymentRef,
    PaymentState,
    Reconciler,
    RetryPolicy,
    Shipment,
    ShipmentStatus,
    StripeError,
)
from tracksync.providers.stripe import AsyncStripeProvider, StripeProvider
from tracksync.testing import FaultSettings, StripeEmulator

pytestmark = pytest.mark.anyio

SECOND_PI = "pi_3QmZ9fLkdIwHu7ix6Second0"
SECOND_CHARGE = "ch_3QmZ9fLkdIwHu7ix6Second0"
SECOND_READ_URL = f"{BASE}/v1/payment_intents/{SECOND_PI}?expand[]=latest_charge"
SECOND_CHARGE_URL = f"{BASE}/v1/charges/{SECOND_CHARGE}"


@pytest.fixture
async def provider() -> AsyncIterator[AsyncStripeProvider]:
    # One try per request, so each test gets exactly the responses it registers.
    async with AsyncStripeProvider(KEY, base_url=BASE, retry=RetryPolicy(attempts=1)) as stripe:
        yield stripe


def intent_id(index: int) -> str:
    return f"pi_3QmZ8tLkdIwHu7ix{index:08d}"


def numbered_intent(index: int) -> dict[str, Any]:
    """The golden PaymentIntent under another id, with its latest Charge left unexpanded."""
    body = intent()
    body["id"] = intent_id(index)
    body["latest_charge"] = None
    return body


def second_intent() -> dict[str, Any]:
    body = intent()
    body["id"] = SECOND_PI
    body["latest_charge"]["id"] = SECOND_CHARGE
    body["latest_charge"]["payment_intent"] = SECOND_PI
    return body


def reject_intent_shipping(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        method="POST", url=PI_URL, status_code=400, json=golden("error_unexpected_state.json")
    )


class SlowFakeStripe(FakeStripe):
    """The stateful fake, responding after a short wait and counting requests in flight."""

    def __init__(self) -> None:
        super().__init__()
        self.current = 0
        self.peak = 0

    async def respond(self, request: httpx.Request) -> httpx.Response:
        self.current += 1
        self.peak = max(self.peak, self.current)
        await asyncio.sleep(0.01)
        self.current -= 1
        return self(request)


# Construction and the pure methods


def test_pure_methods_match_sync() -> None:
    async_provider = AsyncStripeProvider(KEY, account="eu-shop")
    with StripeProvider(KEY, account="eu-shop") as sync_provider:
        shipment = Shipment(tracking_number=UPS, carrier="ups")
        bad = Shipment(tracking_number=UPS, carrier="UPS, DHL")
        assert (async_provider.name, async_provider.account) == ("stripe", "eu-shop")
        assert async_provider.capabilities == sync_provider.capabilities
        assert async_provider.check_payment(ref("in_1")) == sync_provider.check_payment(ref("in_1"))
        assert async_provider.check_shipment(ref(), bad) == sync_provider.check_shipment(ref(), bad)
        assert async_provider.stored_carrier(ref(), shipment) == "UPS"


@pytest.mark.parametrize("value", [0, -3, False])
def test_max_concurrency_rejected(value: Any) -> None:
    with pytest.raises(ConfigurationError, match="max_concurrency"):
        AsyncStripeProvider(KEY, max_concurrency=value)


def test_empty_key_rejected() -> None:
    with pytest.raises(ConfigurationError):
        AsyncStripeProvider("")


def test_repr_hides_key() -> None:
    text = repr(AsyncStripeProvider(KEY, base_url=BASE))
    assert text.startswith(f"AsyncStripeProvider(base_url={BASE!r}")
    assert KEY not in text


async def test_aclose_closes_own_client() -> None:
    async with AsyncStripeProvider(KEY, base_url=BASE) as stripe:
        pass
    with pytest.raises(RuntimeError, match="client has been closed"):
        await stripe.fetch(ref())


async def test_aclose_leaves_given_client_open() -> None:
    async with httpx.AsyncClient() as client:
        async with AsyncStripeProvider(KEY, base_url=BASE, client=client):
            pass
        assert not client.is_closed


# fetch


async def test_fetch_intent_one_request(
    httpx_mock: HTTPXMock, provider: AsyncStripeProvider
) -> None:
    httpx_mock.add_response(
        method="GET", url=PI_READ_URL, json=golden("payment_intent_three_packages.json")
    )
    remote = await provider.fetch(ref())
    assert (remote.state, len(remote.trackers)) == (PaymentState.READY, 3)
    assert remote.trackers[0].status is ShipmentStatus.DELIVERED
    assert len(httpx_mock.get_requests()) == 1


async def test_fetch_missing_not_found(
    httpx_mock: HTTPXMock, provider: AsyncStripeProvider
) -> None:
    httpx_mock.add_response(
        method="GET", url=PI_READ_URL, status_code=404, json=golden("error_resource_missing.json")
    )
    assert (await provider.fetch(ref())).state is PaymentState.NOT_FOUND


async def test_fetch_invalid_id_sends_nothing(
    httpx_mock: HTTPXMock, provider: AsyncStripeProvider
) -> None:
    with pytest.raises(InvalidInputError):
        await provider.fetch(ref("in_1MtwBwLkdIwHu7ix"))
    assert httpx_mock.get_requests() == []


async def test_fetch_server_error_raises(
    httpx_mock: HTTPXMock, provider: AsyncStripeProvider
) -> None:
    httpx_mock.add_response(
        method="GET", url=PI_READ_URL, status_code=500, json={"error": {"type": "api_error"}}
    )
    with pytest.raises(StripeError) as caught:
        await provider.fetch(ref())
    assert not isinstance(caught.value, AccountError)


async def test_fetch_many_at_once(httpx_mock: HTTPXMock, provider: AsyncStripeProvider) -> None:
    fake = SlowFakeStripe()
    for index in range(6):
        fake.add_intent(numbered_intent(index))
    httpx_mock.add_callback(fake.respond, is_reusable=True)
    remotes = await asyncio.gather(*(provider.fetch(ref(intent_id(i))) for i in range(6)))
    assert [remote.payment.payment_id for remote in remotes] == [intent_id(i) for i in range(6)]
    assert fake.peak == 6


# apply and apply_batch


async def test_three_packages_one_write(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())
    async with AsyncStripeProvider(KEY, base_url=BASE) as stripe:
        outputs = await stripe.apply_batch(
            [
                change(ChangeKind.ADD, UPS, "UPS", status=ShipmentStatus.DELIVERED),
                change(ChangeKind.ADD, DHL, "DHL Express"),
                change(ChangeKind.ADD, USPS, "USPS"),
            ]
        )
    assert [ChangeResult(outcome=Outcome.ADDED)] * 3 == outputs
    assert 2 == len(httpx_mock.get_requests())
    assert_golden_request("request_three_packages.json", posted(httpx_mock)[0])


async def test_one_write_per_payment(httpx_mock: HTTPXMock, provider: AsyncStripeProvider) -> None:
    fake = SlowFakeStripe()
    for index in range(4):
        fake.add_intent(numbered_intent(index))
    httpx_mock.add_callback(fake.respond, is_reusable=True)
    changes = [
        change(ChangeKind.ADD, number, "UPS", payment_id=intent_id(index))
        for number in (UPS, DHL)
        for index in range(4)
    ]
    outputs = await provider.apply_batch(changes)

    assert [ChangeResult(outcome=Outcome.ADDED)] * 8 == outputs
    assert 4 == len(posted(httpx_mock))
    for index in range(4):
        shipping = fake.intent(intent_id(index))["shipping"]
        assert f"{UPS}, {DHL}" == shipping["tracking_number"]
    assert fake.peak > 1


async def test_requests_in_flight_bounded(httpx_mock: HTTPXMock) -> None:
    fake = SlowFakeStripe()
    for index in range(10):
        fake.add_intent(numbered_intent(index))
    httpx_mock.add_callback(fake.respond, is_reusable=True)
    changes = [change(ChangeKind.ADD, UPS, "UPS", payment_id=intent_id(i)) for i in range(10)]
    async with AsyncStripeProvider(KEY, base_url=BASE, max_concurrency=3) as stripe:
        outputs = await stripe.apply_batch(changes)
    assert [ChangeResult(outcome=Outcome.ADDED)] * 10 == outputs
    assert 3 == fake.peak


async def test_reconciler_reads_at_max_concurrency(httpx_mock: HTTPXMock) -> None:
    """AsyncReconciler reads as many payments at once as the provider allows, not fewer."""
    fake = SlowFakeStripe()
    orders = []
    for index in range(30):
        fake.add_intent(numbered_intent(index))
        payment = PaymentRef(provider="stripe", payment_id=intent_id(index))
        shipment = Shipment(tracking_number=UPS, carrier="UPS")
        orders.append(Order(id=str(index), payments=[payment], shipments=[shipment]))
    httpx_mock.add_callback(fake.respond, is_reusable=True)
    async with AsyncStripeProvider(
        KEY, base_url=BASE, max_concurrency=12, requests_per_second=math.inf
    ) as stripe:
        assert 12 == stripe.max_concurrency
        plan = await AsyncReconciler([stripe]).plan(orders)
    assert 30 == len(plan.changes)
    assert 12 == fake.peak


async def test_cancel_then_add_in_order(
    httpx_mock: HTTPXMock, provider: AsyncStripeProvider
) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent(UPS, "UPS"))
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())
    outputs = await provider.apply_batch(
        [
            change(ChangeKind.CANCEL, UPS, "UPS", status=ShipmentStatus.CANCELLED),
            change(ChangeKind.ADD, UPS, "DHL Express"),
        ]
    )
    assert [output.outcome for output in outputs if isinstance(output, ChangeResult)] == [
        Outcome.CANCELLED,
        Outcome.ADDED,
    ]
    assert "DHL Express" == sent_form(posted(httpx_mock)[0])["shipping"]["carrier"]


async def test_apply_raises_error(httpx_mock: HTTPXMock, provider: AsyncStripeProvider) -> None:
    body = intent()
    body["latest_charge"] = None
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=body)
    reject_intent_shipping(httpx_mock)
    with pytest.raises(StripeError) as caught:
        await provider.apply(change(ChangeKind.ADD, UPS, "UPS"))
    assert "payment_intent_unexpected_state" == caught.value.code


async def test_apply_returns_result(httpx_mock: HTTPXMock, provider: AsyncStripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())
    result = await provider.apply(change(ChangeKind.ADD, UPS, "UPS"))
    assert ChangeResult(outcome=Outcome.ADDED) == result


async def test_invalid_fails_alone(httpx_mock: HTTPXMock, provider: AsyncStripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())
    outputs = await provider.apply_batch(
        [change(ChangeKind.ADD, UPS, "UPS, DHL"), change(ChangeKind.ADD, DHL, "DHL Express")]
    )
    assert isinstance(outputs[0], InvalidInputError)
    assert ChangeResult(outcome=Outcome.ADDED) == outputs[1]


async def test_fallback_remembered(httpx_mock: HTTPXMock, provider: AsyncStripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    reject_intent_shipping(httpx_mock)
    httpx_mock.add_response(method="POST", url=CHARGE_URL, json=charge())
    httpx_mock.add_response(method="GET", url=SECOND_READ_URL, json=second_intent())
    httpx_mock.add_response(method="POST", url=SECOND_CHARGE_URL, json=charge())

    await provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS")])
    [output] = await provider.apply_batch(
        [change(ChangeKind.ADD, DHL, "DHL Express", payment_id=SECOND_PI)]
    )

    assert [PI_URL, CHARGE_URL, SECOND_CHARGE_URL] == [str(r.url) for r in posted(httpx_mock)]
    assert ChangeResult(outcome=Outcome.ADDED) == output


# Rejected keys and permissions


async def test_401_stops_every_account(
    httpx_mock: HTTPXMock, provider: AsyncStripeProvider
) -> None:
    httpx_mock.add_response(
        method="GET", url=PI_READ_URL, status_code=401, json=golden("error_invalid_api_key.json")
    )
    with pytest.raises(AccountError) as first:
        await provider.fetch(ref())
    with pytest.raises(AccountError) as again:
        await provider.fetch(ref(account=CONNECTED))
    outputs = await provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS")])

    assert first.value is again.value
    assert [first.value] == outputs
    assert "rejected the API key" in first.value.message
    assert 1 == len(httpx_mock.get_requests())


async def test_403_in_flight_logged_once(
    httpx_mock: HTTPXMock, provider: AsyncStripeProvider, caplog: pytest.LogCaptureFixture
) -> None:
    async def forbid(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        return httpx.Response(403, json=golden("error_permission.json"))

    caplog.set_level(logging.WARNING, logger="tracksync.stripe")
    httpx_mock.add_callback(forbid, url=re.compile(r".*/v1/payment_intents/.*"), is_reusable=True)
    changes = [
        change(ChangeKind.ADD, UPS, "UPS", payment_id=intent_id(index), account=CONNECTED)
        for index in range(3)
    ]
    outputs = await provider.apply_batch(changes)

    error = outputs[0]
    assert isinstance(error, AccountError)
    assert [error] * 3 == outputs
    assert f"access to connected account {CONNECTED}" in error.message
    assert 3 == len(httpx_mock.get_requests())
    stops = [record for record in caplog.records if record.getMessage().startswith("Stopped")]
    assert 1 == len(stops)


# Retries, against the emulator


async def test_write_retried_with_same_key() -> None:
    stripe = StripeEmulator()
    shipping = {"name": "Ada Lovelace", "address": {"line1": "12 Example Road", "country": "US"}}
    stripe.add_payment_intent(PI, shipping=shipping)
    stripe.inject_fault(
        500, body={"error": {"type": "api_error", "message": "Went wrong."}}, method="POST"
    )
    async with (
        httpx.AsyncClient(transport=stripe) as client,
        AsyncStripeProvider(stripe.api_key, client=client) as provider,
    ):
        [output] = await provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS")])

    assert ChangeResult(outcome=Outcome.ADDED) == output
    keys = [request.headers["Idempotency-Key"] for request in stripe.writes()]
    assert 2 == len(keys)
    assert keys[0] == keys[1]
    assert UPS == stripe.payment_intent(PI)["shipping"]["tracking_number"]
    for sent in stripe.requests:
        validate_request(sent)


async def test_empty_batch_sends_nothing(
    httpx_mock: HTTPXMock, provider: AsyncStripeProvider
) -> None:
    assert [] == await provider.apply_batch([])
    assert [] == httpx_mock.get_requests()


async def test_session_and_intent_both_kept() -> None:
    # One order names a Checkout Session, another its PaymentIntent. Both write to the
    # PaymentIntent, so their writes must not overlap, or the later one drops a package.
    stripe = StripeEmulator()
    shipping = {"name": "Ada Lovelace", "address": {"line1": "12 Example Road", "country": "US"}}
    stripe.add_payment_intent(PI, shipping=shipping)
    stripe.add_checkout_session("cs_test_a1Qm9ZtLkdIwHu7ixSession", payment_intent=PI)
    orders = [
        Order(
            id="1001",
            payments=[ref("cs_test_a1Qm9ZtLkdIwHu7ixSession")],
            shipments=[Shipment(tracking_number=UPS, carrier="UPS")],
        ),
        Order(
            id="1002", payments=[ref(PI)], shipments=[Shipment(tracking_number=DHL, carrier="DHL")]
        ),
    ]
    with httpx.Client(transport=stripe) as client:
        plan = Reconciler([StripeProvider(stripe.api_key, client=client)]).plan(orders)

    stripe.set_faults(FaultSettings(latency=0.01))
    async with (
        httpx.AsyncClient(transport=stripe) as client,
        AsyncStripeProvider(stripe.api_key, client=client) as provider,
    ):
        outputs = await provider.apply_batch(plan.changes)

    assert [ChangeResult(outcome=Outcome.ADDED)] * 2 == outputs
    assert f"{UPS}, {DHL}" == stripe.payment_intent(PI)["shipping"]["tracking_number"]
    for sent in stripe.requests:
        validate_request(sent)
