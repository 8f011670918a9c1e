"""Faults injected into the emulators, for testing retries and error handling."""

from __future__ import annotations

import httpx
import pytest

from tracksync.testing import PayPalEmulator, StripeEmulator

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
