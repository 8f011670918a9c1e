"""Error responses of the Stripe emulator, in the shape of Stripe's ``{"error": {...}}`` body."""

from __future__ import annotations

from typing import Any

__all__ = [
    "_Problem",
    "_empty_parameter",
    "_missing_parameter",
    "_not_a_hash",
    "_unknown_parameter",
    "not_emulated",
]


class _Problem(Exception):
    """An error response in Stripe's shape, raised by a handler and rendered by the emulator.

    ``executed`` marks an error that Stripe produces after the update began, whose
    response an idempotency key saves like a success.
    """

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        error_type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        payment_intent: dict[str, Any] | None = None,
        executed: bool = False,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.error_type = error_type
        self.code = code
        self.param = param
        self.payment_intent = payment_intent
        self.executed = executed

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {}
        if self.code is not None:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        error["message"] = self.message
        if self.param is not None:
            error["param"] = self.param
        if self.payment_intent is not None:
            error["payment_intent"] = self.payment_intent
        error["type"] = self.error_type
        return {"error": error}


def _unknown_parameter(param: str) -> _Problem:
    return _Problem(
        400, f"Received unknown parameter: {param}", code="parameter_unknown", param=param
    )


def _missing_parameter(param: str) -> _Problem:
    return _Problem(400, f"Missing required param: {param}.", code="parameter_missing", param=param)


def _empty_parameter(param: str) -> _Problem:
    return _Problem(
        400,
        f"You passed an empty string for '{param}'. We assume empty values are an attempt to "
        f"unset a parameter; however '{param}' cannot be unset. You should remove '{param}' "
        "from your request or supply a non-empty value.",
        code="parameter_invalid_empty",
        param=param,
    )


def _not_a_hash(param: str) -> _Problem:
    return _Problem(400, f"Invalid hash: {param} must be a hash of parameters.", param=param)


def not_emulated(what: str, param: str) -> _Problem:
    """Build the error for something Stripe accepts but the emulator does not implement."""
    return _Problem(400, f"StripeEmulator does not emulate {what}.", param=param)
