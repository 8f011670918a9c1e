"""AsyncPayPalProvider over mocked HTTP: the sync provider's behaviour, sent concurrently.

pytest-httpx mocks ``httpx.AsyncClient`` too, and every request is checked against the spec.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from providers.paypal.paypal_support import (
    CAPTURE_ID,
    CAPTURE_URL,
    CLIENT_ID,
    CLIENT_SECRET,
    ORDER_URL,
    TOKEN,
    TOKEN_URL,
    V1_BATCH_URL,
    V1_LIST_URL,
    V1_TRACKER_URL,
    FakeClock,
    add_token,
    load_golden,
    make_payment,
    make_shipment,
)
from tracksync import (
    Change,
    ChangeKind,
    ChangeResult,
    Outcome,
    PaymentRef,
    PaymentState,
    RetryPolicy,
    ShipmentStatus,
    Tracker,
)
from tracksync.errors import (
    AccountError,
    ConfigurationError,
    InvalidInputError,
    PayPalError,
    ProviderConnectionError,
)
from tracksync.providers.paypal import AsyncPayPalProvider, PayPalProvider

pytestmark = pytest.mark.anyio

TRACK_URL = f"{ORDER_URL}/track"
TRACKER_ID = f"{CAPTURE_ID}-443844607820"
TRACKER_URL = f"{ORDER_URL}/trackers/{TRACKER_ID}"


@pytest.fixture
async def provider() -> AsyncIterator[AsyncPayPalProvider]:
    # One try per request, so each test gets exactly the responses it registers.
    async with AsyncPayPalProvider(
        CLIENT_ID, CLIENT_SECRET, clock=FakeClock(), retry=RetryPolicy(attempts=1)
    ) as provider:
        yield provider


def add_order(httpx_mock: HTTPXMock, golden: str = "order_completed.json", **kwargs: Any) -> None:
    if "json" not in kwargs and "text" not in kwargs:
        kwargs["json"] = load_golden(golden)
    httpx_mock.add_response(method="GET", url=ORDER_URL, **kwargs)


def v2_change(kind: ChangeKind = ChangeKind.ADD, **fields: Any) -> Change:
    values: dict[str, Any] = {
        "kind": kind,
        "order_id": "1001",
        "payment": make_payment(),
        "shipment": make_shipment(),
        "target_id": CAPTURE_ID,
    }
    if kind is ChangeKind.CANCEL:
        values["shipment"] = make_shipment(status=ShipmentStatus.CANCELLED)
        values["current"] = Tracker(
            tracking_number="443844607820", status=ShipmentStatus.SHIPPED, tracker_id=TRACKER_ID
        )
    values.update(fields)
    return Change(**values)


def v1_change(kind: ChangeKind = ChangeKind.ADD, number: str = "443844607820") -> Change:
    current = None
    status = ShipmentStatus.SHIPPED
    if kind is not ChangeKind.ADD:
        current = Tracker(
            tracking_number=number,
            carrier="FEDEX",
            status=ShipmentStatus.SHIPPED,
            tracker_id=f"{CAPTURE_ID}-{number}",
        )
        status = ShipmentStatus.CANCELLED if kind is ChangeKind.CANCEL else ShipmentStatus.DELIVERED
    return Change(
        kind=kind,
        order_id="1001",
        payment=make_payment(order_id=None),
        shipment=make_shipment(tracking_number=number, items=(), status=status),
        current=current,
        target_id=CAPTURE_ID,
    )


def many_v1_adds(count: int) -> list[Change]:
    return [v1_change(number=f"TN{index:04d}") for index in range(count)]


def other_order(index: int) -> tuple[str, str]:
    """Return the order id and capture id of the index-th extra Orders v2 payment."""
    return f"ORDER{index:012d}", f"CAPTURE{index:010d}"


def other_v2_change(index: int, kind: ChangeKind = ChangeKind.ADD) -> Change:
    order_id, capture_id = other_order(index)
    payment = PaymentRef(provider="paypal", payment_id=capture_id, paypal_order_id=order_id)
    number = f"1Z999AA1{index:010d}"
    current = None
    status = ShipmentStatus.SHIPPED
    if kind is ChangeKind.CANCEL:
        current = Tracker(
            tracking_number=number,
            status=ShipmentStatus.SHIPPED,
            tracker_id=f"{capture_id}-{number}",
        )
        status = ShipmentStatus.CANCELLED
    return Change(
        kind=kind,
        order_id=f"o{index}",
        payment=payment,
        shipment=make_shipment(tracking_number=number, carrier="UPS", items=(), status=status),
        current=current,
        target_id=capture_id,
    )


def confirm_batch(request: httpx.Request, failing: frozenset[str] = frozenset()) -> httpx.Response:
    """Confirm every tracker in a v1 batch request but those in ``failing``."""
    identifiers, errors = [], []
    for position, tracker in enumerate(json.loads(request.content)["trackers"]):
        number = tracker["tracking_number"]
        if number in failing:
            errors.append(
                {
                    "name": "INVALID_REQUEST",
                    "message": "Request is not well-formed.",
                    "details": [
                        {
                            "field": f"/trackers/{position}/tracking_number",
                            "value": number,
                            "issue": "INVALID_TRACKING_NUMBER",
                        }
                    ],
                }
            )
        else:
            identifiers.append({"transaction_id": CAPTURE_ID, "tracking_number": number})
    return httpx.Response(200, json={"tracker_identifiers": identifiers, "errors": errors})


def batch_numbers(httpx_mock: HTTPXMock) -> list[list[str]]:
    """Return the tracking numbers of each v1 batch request, in the order they were sent."""
    return [
        [tracker["tracking_number"] for tracker in json.loads(request.content)["trackers"]]
        for request in httpx_mock.get_requests(url=V1_BATCH_URL)
    ]


def outcome_names(outputs: Sequence[ChangeResult | Exception]) -> list[str]:
    return [
        output.outcome.value if isinstance(output, ChangeResult) else type(output).__name__
        for output in outputs
    ]


class InFlight:
    """An async pytest-httpx callback that counts the requests in flight at once."""

    def __init__(self, status: int = 201) -> None:
        self.status = status
        self.current = 0
        self.peak = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.current += 1
        self.peak = max(self.peak, self.current)
        await asyncio.sleep(0.01)
        self.current -= 1
        return httpx.Response(self.status)


# Construction and the pure methods


def test_pure_methods_match_sync() -> None:
    async_provider = AsyncPayPalProvider(CLIENT_ID, CLIENT_SECRET, api="v1", account="eu")
    with PayPalProvider(CLIENT_ID, CLIENT_SECRET, api="v1", account="eu") as sync_provider:
        payment = make_payment()
        shipment = make_shipment(tracking_number="ÄB123", carrier="DPD_UK")
        assert (async_provider.name, async_provider.account) == ("paypal", "eu")
        assert async_provider.capabilities == sync_provider.capabilities
        assert async_provider.check_payment(payment) == sync_provider.check_payment(payment)
        assert async_provider.check_shipment(payment, shipment) == sync_provider.check_shipment(
            payment, shipment
        )
        assert async_provider.stored_carrier(payment, shipment) == "UK_DPD"


def test_max_concurrency_public() -> None:
    """AsyncReconciler reads the bound from this attribute, so it must match the argument."""
    assert 12 == AsyncPayPalProvider(CLIENT_ID, CLIENT_SECRET, max_concurrency=12).max_concurrency
    assert 8 == AsyncPayPalProvider(CLIENT_ID, CLIENT_SECRET).max_concurrency


@pytest.mark.parametrize("value", [0, -1, True, 2.5])
def test_max_concurrency_rejected(value: Any) -> None:
    with pytest.raises(ConfigurationError, match="max_concurrency"):
        AsyncPayPalProvider(CLIENT_ID, CLIENT_SECRET, max_concurrency=value)


def test_empty_secret_names_class() -> None:
    with pytest.raises(ConfigurationError) as caught:
        AsyncPayPalProvider(CLIENT_ID, "")
    assert "pass client_secret to AsyncPayPalProvider" in str(caught.value)


async def test_repr_hides_secret(httpx_mock: HTTPXMock, provider: AsyncPayPalProvider) -> None:
    add_token(httpx_mock)
    add_order(httpx_mock)
    await provider.fetch(make_payment())
    text = repr(provider)
    assert text.startswith(f"AsyncPayPalProvider(client_id={CLIENT_ID!r}")
    assert CLIENT_SECRET not in text
    assert TOKEN not in text


async def test_aclose_closes_own_client() -> None:
    async with AsyncPayPalProvider(CLIENT_ID, CLIENT_SECRET) as provider:
        pass
    with pytest.raises(RuntimeError, match="client has been closed"):
        await provider.fetch(make_payment())


async def test_aclose_leaves_given_client_open() -> None:
    async with httpx.AsyncClient() as client:
        async with AsyncPayPalProvider(CLIENT_ID, CLIENT_SECRET, client=client):
            pass
        assert not client.is_closed


# Tokens


async def test_concurrent_fetches_share_token(
    httpx_mock: HTTPXMock, provider: AsyncPayPalProvider
) -> None:
    async def slow_token(request: httpx.Request) -> httpx.Response:
        # The response is delayed, so that every fetch starts before the token arrives.
        await asyncio.sleep(0.01)
        return httpx.Response(200, json=load_golden("token.json"))

    httpx_mock.add_callback(slow_token, method="POST", url=TOKEN_URL, is_reusable=True)
    add_order(httpx_mock, is_reusable=True)
    remotes = await asyncio.gather(*(provider.fetch(make_payment()) for _ in range(10)))
    assert {remote.state for remote in remotes} == {PaymentState.READY}
    assert len(httpx_mock.get_requests(url=TOKEN_URL)) == 1
    assert len(httpx_mock.get_requests(url=ORDER_URL)) == 10


async def test_rejected_credentials_one_request(
    httpx_mock: HTTPXMock, provider: AsyncPayPalProvider
) -> None:
    async def reject(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        return httpx.Response(401, json=load_golden("token_invalid_client.json"))

    httpx_mock.add_callback(reject, method="POST", url=TOKEN_URL, is_reusable=True)
    outcomes = await asyncio.gather(
        *(provider.fetch(make_payment()) for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(outcome, AccountError) for outcome in outcomes)
    assert len({id(outcome) for outcome in outcomes}) == 1
    assert len(httpx_mock.get_requests()) == 1
    assert "TRACKSYNC_PAYPAL_CLIENT_SECRET" in str(outcomes[0])


async def test_401_refreshes_once(httpx_mock: HTTPXMock, provider: AsyncPayPalProvider) -> None:
    add_token(httpx_mock, "stale")
    add_token(httpx_mock, "fresh")
    add_order(httpx_mock, status_code=401, json=load_golden("error_401.json"))
    add_order(httpx_mock)
    assert (await provider.fetch(make_payment())).state is PaymentState.READY
    tokens = [
        request.headers["Authorization"] for request in httpx_mock.get_requests(url=ORDER_URL)
    ]
    assert tokens == ["Bearer stale", "Bearer fresh"]


# fetch


@pytest.mark.parametrize(
    ("golden", "state"),
    [
        ("order_completed.json", PaymentState.READY),
        ("order_pending.json", PaymentState.WAITING_FOR_CAPTURE),
        ("error_404.json", PaymentState.NOT_FOUND),
    ],
)
async def test_fetch_states(
    golden: str, state: PaymentState, httpx_mock: HTTPXMock, provider: AsyncPayPalProvider
) -> None:
    add_token(httpx_mock)
    add_order(httpx_mock, golden, status_code=404 if golden.startswith("error") else 200)
    assert (await provider.fetch(make_payment())).state is state


async def test_fetch_refund_id_unusable(
    httpx_mock: HTTPXMock, provider: AsyncPayPalProvider
) -> None:
    add_token(httpx_mock)
    add_order(httpx_mock, "order_refunded.json")
    remote = await provider.fetch(make_payment("1JU08902781691411"))
    assert remote.state is PaymentState.UNUSABLE


async def test_fetch_v1_ready(httpx_mock: HTTPXMock, provider: AsyncPayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(
        method="GET", url=CAPTURE_URL, json=load_golden("capture_completed.json")
    )
    httpx_mock.add_response(method="GET", url=V1_LIST_URL, json=load_golden("v1_tracker_list.json"))
    remote = await provider.fetch(make_payment(order_id=None))
    assert (remote.state, remote.target_id, len(remote.trackers)) == (
        PaymentState.READY,
        CAPTURE_ID,
        4,
    )


async def test_fetch_invalid_sends_nothing(httpx_mock: HTTPXMock) -> None:
    async with AsyncPayPalProvider(CLIENT_ID, CLIENT_SECRET, api="orders_v2") as provider:
        with pytest.raises(InvalidInputError, match="paypal_order_id"):
            await provider.fetch(make_payment(order_id=None))
    assert httpx_mock.get_requests() == []


async def test_fetch_connection_error(httpx_mock: HTTPXMock, provider: AsyncPayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=ORDER_URL)
    with pytest.raises(ProviderConnectionError):
        await provider.fetch(make_payment())


async def test_fetch_retries_server_error(httpx_mock: HTTPXMock) -> None:
    add_token(httpx_mock)
    unavailable = {"name": "SERVICE_UNAVAILABLE", "message": "Unavailable.", "debug_id": "d1"}
    add_order(httpx_mock, status_code=503, json=unavailable)
    add_order(httpx_mock)
    async with AsyncPayPalProvider(CLIENT_ID, CLIENT_SECRET) as provider:
        remote = await provider.fetch(make_payment())
    assert remote.state is PaymentState.READY
    assert len(httpx_mock.get_requests(url=ORDER_URL)) == 2


# apply on Orders v2


async def test_add_sends_golden_body(httpx_mock: HTTPXMock, provider: AsyncPayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(
        method="POST", url=TRACK_URL, status_code=201, json=load_golden("order_completed.json")
    )
    result = await provider.apply(v2_change())
    assert result == ChangeResult(outcome=Outcome.ADDED, tracker_id=TRACKER_ID)
    body = json.loads(httpx_mock.get_requests(url=TRACK_URL)[0].content)
    assert body == load_golden("request_track.json")


async def test_cancel_sends_patch(httpx_mock: HTTPXMock, provider: AsyncPayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="PATCH", url=TRACKER_URL, status_code=204)
    result = await provider.apply(v2_change(ChangeKind.CANCEL))
    assert result == ChangeResult(outcome=Outcome.CANCELLED, tracker_id=TRACKER_ID)
    body = json.loads(httpx_mock.get_requests(url=TRACKER_URL)[0].content)
    assert body == load_golden("request_cancel.json")


async def test_update_rejected_without_request(
    httpx_mock: HTTPXMock, provider: AsyncPayPalProvider
) -> None:
    with pytest.raises(InvalidInputError, match="cannot change a tracker's carrier"):
        await provider.apply(v2_change(ChangeKind.UPDATE))
    assert httpx_mock.get_requests() == []


async def test_no_op_sends_nothing(httpx_mock: HTTPXMock, provider: AsyncPayPalProvider) -> None:
    cancelled = Tracker(
        tracking_number="443844607820", status=ShipmentStatus.CANCELLED, tracker_id=TRACKER_ID
    )
    result = await provider.apply(v2_change(ChangeKind.CANCEL, current=cancelled))
    assert result.outcome is Outcome.UNCHANGED
    assert httpx_mock.get_requests() == []


async def test_track_not_retried(httpx_mock: HTTPXMock) -> None:
    add_token(httpx_mock)
    error = {"name": "INTERNAL_SERVER_ERROR", "message": "Error.", "debug_id": "d2"}
    httpx_mock.add_response(method="POST", url=TRACK_URL, status_code=500, json=error)
    async with AsyncPayPalProvider(CLIENT_ID, CLIENT_SECRET) as provider:
        with pytest.raises(PayPalError, match="HTTP 500"):
            await provider.apply(v2_change())
    # PayPal's /track takes no idempotency key: a resent 500 could add the tracker twice.
    assert len(httpx_mock.get_requests(url=TRACK_URL)) == 1


# apply on v1


async def test_v1_add_alone(httpx_mock: HTTPXMock, provider: AsyncPayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_callback(confirm_batch, method="POST", url=V1_BATCH_URL)
    result = await provider.apply(v1_change())
    assert result == ChangeResult(outcome=Outcome.ADDED, tracker_id=TRACKER_ID)


async def test_v1_update_sends_put(httpx_mock: HTTPXMock, provider: AsyncPayPalProvider) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="PUT", url=V1_TRACKER_URL, status_code=204)
    result = await provider.apply(v1_change(ChangeKind.UPDATE))
    assert result == ChangeResult(outcome=Outcome.UPDATED, tracker_id=TRACKER_ID)


# apply_batch


@pytest.mark.parametrize("concurrency", [1, 8])
async def test_45_adds_in_three_requests(concurrency: int, httpx_mock: HTTPXMock) -> None:
    failing = frozenset({"TN0000", "TN0019", "TN0020", "TN0033", "TN0044"})
    add_token(httpx_mock)
    httpx_mock.add_callback(
        lambda request: confirm_batch(request, failing),
        method="POST",
        url=V1_BATCH_URL,
        is_reusable=True,
    )
    changes = many_v1_adds(45)
    async with AsyncPayPalProvider(
        CLIENT_ID, CLIENT_SECRET, retry=RetryPolicy(attempts=1), max_concurrency=concurrency
    ) as provider:
        outputs = await provider.apply_batch(changes)

    numbers = [change.shipment.tracking_number for change in changes]
    assert sorted(batch_numbers(httpx_mock)) == [numbers[0:20], numbers[20:40], numbers[40:45]]
    failed = [
        number
        for number, output in zip(numbers, outputs, strict=True)
        if isinstance(output, PayPalError)
    ]
    assert failed == sorted(failing)
    assert outcome_names(outputs).count("added") == 40


async def test_failed_request_fails_its_items(
    httpx_mock: HTTPXMock, provider: AsyncPayPalProvider
) -> None:
    def second_fails(request: httpx.Request) -> httpx.Response:
        if b"TN0020" in request.content:
            return httpx.Response(500, json={"name": "INTERNAL_SERVER_ERROR"})
        return confirm_batch(request)

    add_token(httpx_mock)
    httpx_mock.add_callback(second_fails, method="POST", url=V1_BATCH_URL, is_reusable=True)
    outputs = await provider.apply_batch(many_v1_adds(25))
    assert [isinstance(output, PayPalError) for output in outputs] == [False] * 20 + [True] * 5


async def test_invalid_item_kept_apart(
    httpx_mock: HTTPXMock, provider: AsyncPayPalProvider
) -> None:
    add_token(httpx_mock)
    httpx_mock.add_callback(confirm_batch, method="POST", url=V1_BATCH_URL)
    changes = many_v1_adds(3)
    changes[1] = v1_change(number="ÄB123")
    outputs = await provider.apply_batch(changes)
    assert outcome_names(outputs) == ["added", "InvalidInputError", "added"]
    assert batch_numbers(httpx_mock) == [["TN0000", "TN0002"]]


async def test_batch_mixes_apis(httpx_mock: HTTPXMock, provider: AsyncPayPalProvider) -> None:
    # An Orders v2 cancel-then-add pair whose cancel fails, with v1 adds around it.
    add_token(httpx_mock)
    httpx_mock.add_response(method="PATCH", url=TRACKER_URL, status_code=500, text="oops")
    httpx_mock.add_callback(confirm_batch, method="POST", url=V1_BATCH_URL)
    changes = [
        v1_change(number="TN0001"),
        v2_change(ChangeKind.CANCEL),
        v2_change(shipment=make_shipment(carrier="UPS")),
        v1_change(number="TN0099"),
    ]
    outputs = await provider.apply_batch(changes)
    assert outcome_names(outputs) == ["added", "PayPalError", "skipped", "added"]
    assert httpx_mock.get_requests(url=TRACK_URL) == []
    assert batch_numbers(httpx_mock) == [["TN0001", "TN0099"]]


async def test_failed_v1_cancel_skips_readd(
    httpx_mock: HTTPXMock, provider: AsyncPayPalProvider
) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(method="PUT", url=V1_TRACKER_URL, status_code=500, text="oops")
    httpx_mock.add_callback(confirm_batch, method="POST", url=V1_BATCH_URL)
    changes = [
        v1_change(number="TN0001"),
        v1_change(ChangeKind.CANCEL),
        v1_change(),
        v1_change(number="TN0002"),
    ]
    outputs = await provider.apply_batch(changes)
    assert outcome_names(outputs) == ["added", "PayPalError", "skipped", "added"]
    assert batch_numbers(httpx_mock) == [["TN0001", "TN0002"]]


async def test_payment_changes_keep_order(
    httpx_mock: HTTPXMock, provider: AsyncPayPalProvider
) -> None:
    # Each order gets a cancel and then the add that replaces it. Responses arrive out of
    # order, so only the units keep each order's two requests in plan order.
    sent: list[tuple[str, str]] = []

    async def respond(request: httpx.Request) -> httpx.Response:
        order_id = request.url.path.split("/")[4]
        sent.append((order_id, request.method))
        await asyncio.sleep(0.002 * (int(order_id[-1]) % 3))
        return httpx.Response(204 if request.method == "PATCH" else 201)

    add_token(httpx_mock)
    httpx_mock.add_callback(respond, url=re.compile(r".*/v2/checkout/orders/.*"), is_reusable=True)
    changes = []
    for index in range(6):
        cancel = other_v2_change(index, ChangeKind.CANCEL)
        changes += [cancel, replacement_add(cancel)]
    outputs = await provider.apply_batch(changes)

    assert outcome_names(outputs) == ["cancelled", "added"] * 6
    for index in range(6):
        order_id, _ = other_order(index)
        methods = [method for sent_order, method in sent if sent_order == order_id]
        assert methods == ["PATCH", "POST"]


def replacement_add(cancel: Change) -> Change:
    """Return the add that replaces the tracker ``cancel`` cancels."""
    shipment = make_shipment(
        tracking_number=cancel.shipment.tracking_number, carrier="DHL", items=()
    )
    return Change(
        kind=ChangeKind.ADD,
        order_id=cancel.order_id,
        payment=cancel.payment,
        shipment=shipment,
        target_id=cancel.target_id,
    )


async def test_requests_in_flight_bounded(httpx_mock: HTTPXMock) -> None:
    in_flight = InFlight()
    add_token(httpx_mock)
    httpx_mock.add_callback(in_flight, url=re.compile(r".*/track$"), is_reusable=True)
    async with AsyncPayPalProvider(
        CLIENT_ID, CLIENT_SECRET, retry=RetryPolicy(attempts=1), max_concurrency=3
    ) as provider:
        outputs = await provider.apply_batch([other_v2_change(index) for index in range(12)])
    assert outcome_names(outputs) == ["added"] * 12
    assert in_flight.peak == 3


# The account stop


async def test_403_on_batch_fails_every_item(
    httpx_mock: HTTPXMock, provider: AsyncPayPalProvider
) -> None:
    async def forbid(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        return httpx.Response(403, json=load_golden("error_403.json"))

    add_token(httpx_mock)
    httpx_mock.add_callback(forbid, method="POST", url=V1_BATCH_URL, is_reusable=True)
    outputs = await provider.apply_batch(many_v1_adds(45))
    assert all(isinstance(output, AccountError) for output in outputs)
    # The three requests were in flight together, and all fail with the first error.
    assert len(httpx_mock.get_requests(url=V1_BATCH_URL)) == 3
    assert len({id(output) for output in outputs}) == 1


async def test_stop_spares_later_requests(httpx_mock: HTTPXMock) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(
        method="POST", url=V1_BATCH_URL, status_code=403, json=load_golden("error_403.json")
    )
    async with AsyncPayPalProvider(CLIENT_ID, CLIENT_SECRET, max_concurrency=1) as provider:
        outputs = await provider.apply_batch(many_v1_adds(25))
        with pytest.raises(AccountError) as later:
            await provider.fetch(make_payment())
    assert all(output is later.value for output in outputs)
    assert len(httpx_mock.get_requests(url=V1_BATCH_URL)) == 1


async def test_stopped_account_raises_in_apply(
    httpx_mock: HTTPXMock, provider: AsyncPayPalProvider
) -> None:
    add_token(httpx_mock)
    httpx_mock.add_response(
        method="GET", url=ORDER_URL, status_code=403, json=load_golden("error_403.json")
    )
    with pytest.raises(AccountError) as first:
        await provider.fetch(make_payment())
    with pytest.raises(AccountError) as again:
        await provider.apply(v2_change())
    assert again.value is first.value
    assert len(httpx_mock.get_requests()) == 2


async def test_empty_batch_sends_nothing(
    httpx_mock: HTTPXMock, provider: AsyncPayPalProvider
) -> None:
    assert await provider.apply_batch([]) == []
    assert httpx_mock.get_requests() == []
