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


def test_write_reuses_plan_read() -> None:
    stripe = StripeEmulator()
    stripe.add_payment_intent("pi_3QxRetry", shipping=SHIPPING)
    assert run_once(stripe) is Outcome.ADDED
    reads = [request for request in stripe.requests if request.method == "GET"]
    assert len(reads) == 1


def test_old_read_not_reused() -> None:
    from tracksync.providers.stripe._core import READ_REUSE_SECONDS, RecentReads

    now = [0.0]
    reads = RecentReads(clock=lambda: now[0])
    reads.remember(("pi_1", None), object())  # type: ignore[arg-type]
    now[0] = READ_REUSE_SECONDS + 1
    assert reads.take(("pi_1", None)) is None


def test_read_used_once() -> None:
    from tracksync.providers.stripe._core import RecentReads

    reads = RecentReads(clock=lambda: 0.0)
    marker = object()
    reads.remember(("pi_1", None), marker)  # type: ignore[arg-type]
    assert reads.take(("pi_1", None)) is marker
    assert reads.take(("pi_1", None)) is None
