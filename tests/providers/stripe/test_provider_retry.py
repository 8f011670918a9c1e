"""The Stripe provider with the shared retry policy, against the Stripe emulator."""

from __future__ import annotations

import httpx

from spec_validation import validate_request
from tracksync import Order, Outcome, PaymentRef, Reconciler, Shipment
from tracksync.providers.stripe import StripeProvider
from tracksync.testing import StripeEmulator

SHIPPING = {"name": "Ada Lovelace", "address": {"line1": "12 Example Road", "country": "US"}}
ORDER = Order(
    id="1003",
    payments=[PaymentRef(provider="stripe", payment_id="pi_3QxRetry")],
    shipments=[Shipment(tracking_number="9400111899560000000000", carrier="USPS")],
)


def run_once(stripe: StripeEmulator) -> Outcome:
    with httpx.Client(transport=stripe) as client:
        reconciler = Reconciler([StripeProvider(stripe.api_key, client=client)])
        report = reconciler.apply(reconciler.plan([ORDER]))
    for sent in stripe.requests:
        validate_request(sent)
    return report.results[0].outcome


def test_write_retried_with_same_key() -> None:
    stripe = StripeEmulator()
    stripe.add_payment_intent("pi_3QxRetry", shipping=SHIPPING)
    stripe.inject_fault(
        500,
        body={"error": {"type": "api_error", "message": "Something went wrong."}},
        method="POST",
    )
    assert run_once(stripe) is Outcome.ADDED
    keys = [request.headers["Idempotency-Key"] for request in stripe.writes()]
    assert len(keys) == 2
    assert keys[0] == keys[1]


def test_lock_timeout_retried() -> None:
    stripe = StripeEmulator()
    stripe.add_payment_intent("pi_3QxRetry", shipping=SHIPPING)
    stripe.inject_fault(
        429,
        body={
            "error": {"type": "invalid_request_error", "code": "lock_timeout", "message": "Busy."}
        },
        headers={"Stripe-Should-Retry": "true"},
        method="POST",
    )
    assert run_once(stripe) is Outcome.ADDED


def test_plain_rate_limit_retried() -> None:
    stripe = StripeEmulator()
    stripe.add_payment_intent("pi_3QxRetry", shipping=SHIPPING)
    stripe.inject_fault(
        429,
        body={
            "error": {
                "type": "invalid_request_error",
                "code": "rate_limit",
                "message": "Slow down.",
            }
        },
        headers={"Retry-After": "1"},
        method="GET",
    )
    assert run_once(stripe) is Outcome.ADDED


def test_lost_answer_not_applied_twice() -> None:
    stripe = StripeEmulator()
    stripe.add_payment_intent("pi_3QxRetry", shipping=SHIPPING)
    stripe.inject_fault(exception=httpx.ReadTimeout, method="POST")
    assert run_once(stripe) is Outcome.ADDED
    shipping = stripe.payment_intent("pi_3QxRetry")["shipping"]
    assert shipping["tracking_number"] == "9400111899560000000000"
