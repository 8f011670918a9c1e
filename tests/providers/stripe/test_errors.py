"""Stripe error bodies, retry decisions and the PaymentIntent status rejection."""

from __future__ import annotations

import httpx
import pytest

from providers.stripe.stripe_support import KEY, golden
from tracksync import StripeError
from tracksync.providers.stripe._errors import (
    is_resource_missing,
    is_retryable,
    parse_error,
    rejects_shipping_update,
)


def answer(name: str, status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=golden(name), headers=headers)


def test_error_fields_from_body_and_headers() -> None:
    response = answer(
        "error_parameter_unknown.json",
        400,
        {"Request-Id": "req_Vb81KqP3sXw2Ze", "Stripe-Should-Retry": "false"},
    )

    error = parse_error(response)

    assert 400 == error.status
    assert "invalid_request_error" == error.type
    assert "parameter_unknown" == error.code
    assert "shipping[tracking_no]" == error.param
    assert "req_Vb81KqP3sXw2Ze" == error.request_id
    assert error.should_retry is False
    assert error.message.startswith("Received unknown parameter")


def test_error_str_lists_facts() -> None:
    response = answer("error_parameter_unknown.json", 400, {"Request-Id": "req_Vb81KqP3sXw2Ze"})

    text = str(parse_error(response))

    assert "HTTP 400" in text
    assert "type invalid_request_error" in text
    assert "code parameter_unknown" in text
    assert "param shipping[tracking_no]" in text
    assert "request id req_Vb81KqP3sXw2Ze" in text


def test_error_lock_timeout_should_retry() -> None:
    response = answer("error_lock_timeout.json", 429, {"Stripe-Should-Retry": "true"})

    error = parse_error(response)

    assert 429 == error.status
    assert "lock_timeout" == error.code
    assert error.should_retry is True


def test_error_without_retry_header() -> None:
    assert parse_error(answer("error_lock_timeout.json", 429)).should_retry is None


def test_error_not_json() -> None:
    response = httpx.Response(
        502, text="<html>Bad gateway</html>", headers={"Content-Type": "text/html"}
    )

    error = parse_error(response)

    assert 502 == error.status
    assert error.type is None
    assert "HTTP 502" in str(error)


def test_error_without_message() -> None:
    response = httpx.Response(500, json={"error": {"type": "api_error"}})

    error = parse_error(response)

    assert "api_error" == error.type
    assert "no message" in error.message


def test_error_redacts_secret() -> None:
    response = httpx.Response(
        401, json={"error": {"type": "invalid_request_error", "message": f"Bad key {KEY}."}}
    )

    error = parse_error(response, secret=KEY)

    assert KEY not in str(error)


def test_resource_missing_detected() -> None:
    assert is_resource_missing(answer("error_resource_missing.json", 404))


def test_other_404_not_missing() -> None:
    response = httpx.Response(404, json={"error": {"type": "invalid_request_error"}})

    assert not is_resource_missing(response)


# Retry decisions.


@pytest.mark.parametrize(
    ("status", "code", "should_retry", "retryable"),
    [
        (429, "lock_timeout", None, True),
        (429, "lock_timeout", False, False),
        (429, "rate_limit", None, False),
        (429, "rate_limit", True, True),
        (409, "idempotency_key_in_use", None, True),
        (409, "idempotency_key_in_use", False, False),
        (500, None, None, True),
        (503, None, None, True),
        (500, None, False, False),
        (400, "parameter_unknown", None, False),
        (400, "parameter_unknown", True, True),
        (400, None, None, False),
        (401, None, None, False),
        (404, "resource_missing", None, False),
        (None, None, None, False),
    ],
)
def test_retryable(
    status: int | None, code: str | None, should_retry: bool | None, retryable: bool
) -> None:
    error = StripeError("x", status=status, code=code, should_retry=should_retry)

    assert retryable is is_retryable(error)


def test_lock_timeout_golden_retryable() -> None:
    error = parse_error(answer("error_lock_timeout.json", 429))

    assert is_retryable(error)


def test_idempotency_error_not_retryable() -> None:
    error = parse_error(answer("error_idempotency.json", 400))

    assert "idempotency_error" == error.type
    assert not is_retryable(error)


def test_key_in_use_golden_retryable() -> None:
    error = parse_error(answer("error_idempotency_key_in_use.json", 409))

    assert "idempotency_key_in_use" == error.code
    assert is_retryable(error)


# A PaymentIntent rejecting shipping because of its status.


def test_unexpected_state_for_shipping() -> None:
    assert rejects_shipping_update(answer("error_unexpected_state.json", 400))


def test_unexpected_state_for_nested_shipping() -> None:
    body = golden("error_unexpected_state.json")
    body["error"]["param"] = "shipping[tracking_number]"

    assert rejects_shipping_update(httpx.Response(400, json=body))


def test_unexpected_state_other_param() -> None:
    body = golden("error_unexpected_state.json")
    body["error"]["param"] = "amount"

    assert not rejects_shipping_update(httpx.Response(400, json=body))


def test_other_400_not_state() -> None:
    assert not rejects_shipping_update(answer("error_parameter_unknown.json", 400))


def test_success_not_state() -> None:
    assert not rejects_shipping_update(httpx.Response(200, json={}))
