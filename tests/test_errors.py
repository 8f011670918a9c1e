from __future__ import annotations

from tracksync import (
    AccountError,
    PayPalError,
    PayPalErrorDetail,
    ProviderConnectionError,
    ProviderError,
    StripeError,
    TracksyncError,
)


def test_paypal_error_str_shows_every_fact() -> None:
    error = PayPalError(
        "The requested action could not be performed.",
        status=422,
        name="UNPROCESSABLE_ENTITY",
        details=[
            PayPalErrorDetail(
                issue="CAPTURE_STATUS_NOT_VALID",
                field="/capture_id",
                description="Invalid capture status.",
            )
        ],
        debug_id="b1d1f06c7246c",
    )
    assert str(error) == (
        "paypal: The requested action could not be performed. (HTTP 422; UNPROCESSABLE_ENTITY; "
        "CAPTURE_STATUS_NOT_VALID at /capture_id: Invalid capture status.; debug_id b1d1f06c7246c)"
    )


def test_paypal_error_code_is_first_issue() -> None:
    error = PayPalError(
        "x",
        status=400,
        name="INVALID_REQUEST",
        details=[PayPalErrorDetail(issue="A"), PayPalErrorDetail(issue="B")],
    )
    assert error.code == "A"
    assert error.issues == ("A", "B")


def test_paypal_error_code_falls_back_to_name() -> None:
    assert PayPalError("x", status=403, name="NOT_AUTHORIZED").code == "NOT_AUTHORIZED"


def test_stripe_error_str_shows_every_fact() -> None:
    error = StripeError(
        "No such payment_intent: 'pi_1'",
        status=404,
        type="invalid_request_error",
        code="resource_missing",
        param="intent",
        request_id="req_123",
    )
    assert str(error) == (
        "stripe: No such payment_intent: 'pi_1' (HTTP 404, type invalid_request_error, "
        "code resource_missing, param intent, request id req_123)"
    )


def test_connection_error_without_status() -> None:
    error = ProviderConnectionError("GET /x timed out.", provider="stripe")
    assert str(error) == "stripe: GET /x timed out."


def test_provider_errors_share_base() -> None:
    assert issubclass(PayPalError, ProviderError)
    assert issubclass(StripeError, ProviderError)
    assert issubclass(ProviderError, TracksyncError)


def test_account_error_keeps_cause_facts() -> None:
    cause = PayPalError("Authorization failed.", status=403, name="NOT_AUTHORIZED", debug_id="d1")
    error = AccountError(
        "The credentials lack the tracking scope.", provider="paypal", account="eu", cause=cause
    )
    assert str(error) == (
        "paypal: The credentials lack the tracking scope. (HTTP 403, code NOT_AUTHORIZED, "
        "request id d1)"
    )
    assert error.account == "eu"
    assert error.cause is cause
