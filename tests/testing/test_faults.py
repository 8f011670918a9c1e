"""Faults injected into the emulators, for testing retries and error handling."""

from __future__ import annotations

import httpx
import pytest

from tracksync.testing import FaultSettings, PayPalEmulator, StripeEmulator, serve

AUTH = {"Authorization": "Bearer sk_test_emulator"}


def test_injected_fault_answers_once() -> None:
    stripe = StripeEmulator()
    stripe.add_payment_intent("pi_1")
    stripe.inject_fault(
        429,
        body={"error": {"type": "api_error", "code": "lock_timeout", "message": "Busy."}},
        headers={"Stripe-Should-Retry": "true"},
        method="GET",
        path="/v1/payment_intents/pi_1",
    )
    with httpx.Client(transport=stripe) as client:
        first = client.get("https://api.stripe.com/v1/payment_intents/pi_1", headers=AUTH)
        second = client.get("https://api.stripe.com/v1/payment_intents/pi_1", headers=AUTH)
    assert first.status_code == 429
    assert first.headers["Stripe-Should-Retry"] == "true"
    assert second.status_code == 200
    assert len(stripe.requests) == 2


def test_injected_fault_other_path_untouched() -> None:
    stripe = StripeEmulator()
    stripe.add_payment_intent("pi_1")
    stripe.inject_fault(500, path="/v1/payment_intents/pi_2")
    with httpx.Client(transport=stripe) as client:
        response = client.get("https://api.stripe.com/v1/payment_intents/pi_1", headers=AUTH)
    assert response.status_code == 200


def test_injected_exception_raised() -> None:
    paypal = PayPalEmulator()
    paypal.inject_fault(exception=httpx.ConnectError, times=2)
    with httpx.Client(transport=paypal) as client:
        for _ in range(2):
            with pytest.raises(httpx.ConnectError):
                client.post("https://api-m.paypal.com/v1/oauth2/token")
        response = client.post("https://api-m.paypal.com/v1/oauth2/token")
    assert response.status_code == 401


def test_fault_times_must_be_positive() -> None:
    with pytest.raises(ValueError, match="times must be 1 or more"):
        StripeEmulator().inject_fault(times=0)


def stripe_with_intents(count: int) -> StripeEmulator:
    stripe = StripeEmulator()
    for index in range(count):
        stripe.add_payment_intent(f"pi_{index}")
    return stripe


def outcomes(stripe: StripeEmulator, count: int) -> list[str]:
    seen = []
    with httpx.Client(transport=stripe) as client:
        for index in range(count):
            try:
                response = client.get(
                    f"https://api.stripe.com/v1/payment_intents/pi_{index}", headers=AUTH
                )
                seen.append(str(response.status_code))
            except httpx.TransportError as exc:
                seen.append(type(exc).__name__)
    return seen


def test_random_faults_reproducible() -> None:
    settings = FaultSettings(seed=7, server_error=0.2, unavailable=0.1, timeout=0.1)
    first = stripe_with_intents(50)
    first.set_faults(settings)
    second = stripe_with_intents(50)
    second.set_faults(settings)
    assert outcomes(first, 50) == outcomes(second, 50)


def test_random_faults_mix() -> None:
    stripe = stripe_with_intents(400)
    stripe.set_faults(
        FaultSettings(seed=1, rate_limited=0.1, server_error=0.1, connection_reset=0.1)
    )
    seen = set(outcomes(stripe, 400))
    assert {"200", "429", "500", "RemoteProtocolError"} <= seen


def test_lost_response_still_applied() -> None:
    stripe = stripe_with_intents(1)
    stripe.set_faults(FaultSettings(lost_response=1.0))
    with httpx.Client(transport=stripe) as client, pytest.raises(httpx.ReadTimeout):
        client.post(
            "https://api.stripe.com/v1/payment_intents/pi_0",
            headers=AUTH,
            data={"description": "applied"},
        )
    stripe.set_faults(None)
    assert stripe.payment_intent("pi_0")["description"] == "applied"


def test_rate_limit_answers_429() -> None:
    stripe = stripe_with_intents(10)
    stripe.set_faults(FaultSettings(rate_limit=5))
    assert outcomes(stripe, 10).count("429") >= 4


def test_faults_off_again() -> None:
    stripe = stripe_with_intents(5)
    stripe.set_faults(FaultSettings(server_error=1.0))
    stripe.set_faults(None)
    assert outcomes(stripe, 5) == ["200"] * 5


def test_served_reset_closes_connection() -> None:
    stripe = stripe_with_intents(1)
    stripe.set_faults(FaultSettings(connection_reset=1.0))
    with (
        serve(stripe) as server,
        httpx.Client() as client,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        client.get(f"{server.url}/v1/payment_intents/pi_0", headers=AUTH)


def test_paypal_fault_in_paypal_shape() -> None:
    paypal = PayPalEmulator()
    paypal.set_faults(FaultSettings(unavailable=1.0))
    with httpx.Client(transport=paypal) as client:
        response = client.post("https://api-m.paypal.com/v1/oauth2/token")
    assert response.status_code == 503
    assert response.json()["name"] == "SERVICE_UNAVAILABLE"
    assert response.headers["Paypal-Debug-Id"] == response.json()["debug_id"]


def test_stripe_rate_limit_in_stripe_shape() -> None:
    stripe = stripe_with_intents(1)
    stripe.set_faults(FaultSettings(rate_limited=1.0, retry_after=1.0))
    with httpx.Client(transport=stripe) as client:
        response = client.get("https://api.stripe.com/v1/payment_intents/pi_0", headers=AUTH)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limit"
    assert response.headers["Retry-After"] == "1"
    assert response.headers["Request-Id"].startswith("req_")


@pytest.mark.anyio
async def test_async_client_uses_emulator() -> None:
    stripe = stripe_with_intents(1)
    stripe.set_faults(FaultSettings(latency=0.01))
    async with httpx.AsyncClient(transport=stripe) as client:
        response = await client.get("https://api.stripe.com/v1/payment_intents/pi_0", headers=AUTH)
    assert response.status_code == 200
    assert len(stripe.requests) == 1
