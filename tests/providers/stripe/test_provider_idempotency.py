"""Idempotency keys, replays and retry decisions of StripeProvider's writes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pytest_httpx import HTTPXMock

from providers.stripe.stripe_support import (
    BASE,
    DHL,
    KEY,
    PI,
    PI_READ_URL,
    PI_URL,
    UPS,
    FakeStripe,
    change,
    golden,
    intent,
    posted,
)
from tracksync import (
    ChangeKind,
    ChangeResult,
    Outcome,
    ProviderConnectionError,
    RetryPolicy,
    StripeError,
)
from tracksync.providers.stripe import StripeProvider, is_retryable


@pytest.fixture
def provider() -> Iterator[StripeProvider]:
    with StripeProvider(KEY, base_url=BASE, retry=RetryPolicy(attempts=1)) as stripe:
        yield stripe


def post_key(httpx_mock: HTTPXMock) -> str:
    key: str = posted(httpx_mock)[-1].headers["Idempotency-Key"]
    return key


# Keys.


def test_key_reused_after_crash(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent(UPS, "UPS"))
    httpx_mock.add_exception(httpx.ReadTimeout("timed out"), method="POST", url=PI_URL)
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent(UPS, "UPS"))
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())

    with StripeProvider(KEY, base_url=BASE, retry=RetryPolicy(attempts=1)) as first:
        [lost] = first.apply_batch([change(ChangeKind.ADD, DHL, "DHL Express")])
    with StripeProvider(KEY, base_url=BASE, retry=RetryPolicy(attempts=1)) as after_crash:
        [result] = after_crash.apply_batch([change(ChangeKind.ADD, DHL, "DHL Express")])

    keys = [request.headers["Idempotency-Key"] for request in posted(httpx_mock)]
    assert isinstance(lost, ProviderConnectionError)
    assert ChangeResult(outcome=Outcome.ADDED) == result
    assert keys[0] == keys[1]


def test_key_new_for_other_write(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET", url=PI_READ_URL, json=intent(UPS, "UPS"), is_reusable=True
    )
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent(), is_reusable=True)

    provider.apply_batch([change(ChangeKind.ADD, DHL, "DHL Express")])
    first = post_key(httpx_mock)
    provider.apply_batch([change(ChangeKind.ADD, "1Z333", "UPS")])

    assert first != post_key(httpx_mock)


def test_key_new_when_reverting(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent(UPS, "UPS"))
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent(f"{UPS}, {DHL}", "UPS"))
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())

    provider.apply_batch([change(ChangeKind.ADD, DHL, "UPS")])
    add = post_key(httpx_mock)
    provider.apply_batch([change(ChangeKind.CANCEL, DHL, "UPS")])

    assert add != post_key(httpx_mock)


def test_get_has_no_key(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())

    provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS")])

    get, post = httpx_mock.get_requests()
    assert "Idempotency-Key" not in get.headers
    assert post.headers["Idempotency-Key"].startswith("tracksync-")


# Errors of a write.


def test_idempotency_error_fails(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    httpx_mock.add_response(
        method="POST",
        url=PI_URL,
        status_code=400,
        json=golden("error_idempotency.json"),
        headers={"Request-Id": "req_Id3mP0tEnCy9Er"},
    )

    [output] = provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS")])

    assert isinstance(output, StripeError)
    assert "idempotency_error" == output.type
    assert "type idempotency_error" in str(output)
    assert "request id req_Id3mP0tEnCy9Er" in str(output)
    assert not is_retryable(output)
    assert 1 == len(posted(httpx_mock))


def test_lock_timeout_retryable(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    httpx_mock.add_response(
        method="POST",
        url=PI_URL,
        status_code=429,
        json=golden("error_lock_timeout.json"),
        headers={"Stripe-Should-Retry": "true", "Request-Id": "req_lock"},
    )

    [output] = provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS")])

    assert isinstance(output, StripeError)
    assert "lock_timeout" == output.code
    assert output.should_retry is True
    assert is_retryable(output)
    assert 1 == len(posted(httpx_mock))


def test_key_in_use_retryable(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    httpx_mock.add_response(
        method="POST", url=PI_URL, status_code=409, json=golden("error_idempotency_key_in_use.json")
    )

    [output] = provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS")])

    assert isinstance(output, StripeError)
    assert "idempotency_key_in_use" == output.code
    assert is_retryable(output)


# Replays of a key used before.


def test_replay_already_written(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    after = intent(UPS, "UPS", metadata={"order_id": "1001"})
    after["metadata"]["tracksync_3c161e363e9bf36f"] = (
        '{"n":"1Z999AA10123456784","c":"UPS","s":"SHIPPED"}'
    )
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    httpx_mock.add_response(
        method="POST",
        url=PI_URL,
        json=after,
        headers={"Idempotent-Replayed": "true", "Original-Request": "req_1"},
    )
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=after)

    [output] = provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS")])

    assert ChangeResult(outcome=Outcome.ADDED) == output
    assert 1 == len(posted(httpx_mock))


def test_replays_exhausted_fail(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent(), is_reusable=True)
    httpx_mock.add_response(
        method="POST",
        url=PI_URL,
        json=intent(UPS, "UPS"),
        headers={"Idempotent-Replayed": "true"},
        is_reusable=True,
    )

    [output] = provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS")])

    keys = {request.headers["Idempotency-Key"] for request in posted(httpx_mock)}
    assert isinstance(output, StripeError)
    assert PI in str(output)
    assert 5 == len(posted(httpx_mock))
    assert 5 == len(keys)


def test_repeated_write_is_made(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    fake = FakeStripe()
    fake.add_intent(intent())
    httpx_mock.add_callback(fake, is_reusable=True)

    for kind in [ChangeKind.ADD, ChangeKind.CANCEL, ChangeKind.ADD, ChangeKind.CANCEL]:
        provider.apply_batch([change(kind, UPS, "UPS")])
    [output] = provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS")])

    assert ChangeResult(outcome=Outcome.ADDED) == output
    assert UPS == fake.intent()["shipping"]["tracking_number"]
    assert 3 == fake.keys.count(fake.keys[0])
    assert 9 == len(fake.keys)
