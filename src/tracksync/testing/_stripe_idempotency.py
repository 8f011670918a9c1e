"""``Idempotency-Key`` handling for the Stripe emulator's POST requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from ._base import json_response, request_path
from ._stripe_errors import _Problem
from ._stripe_params import _read_form
from ._stripe_state import _SavedResponse

__all__ = ["with_idempotency"]

#: Maximum length of an idempotency key, from Stripe's idempotency docs.
_MAX_IDEMPOTENCY_KEY = 255


def with_idempotency(
    saved_responses: dict[str, _SavedResponse],
    request: httpx.Request,
    request_id: str,
    run: Callable[[], httpx.Response],
) -> httpx.Response:
    """Run a POST under its Idempotency-Key: replay a saved response, or run and save it.

    Stripe saves a response once the endpoint began to execute, so validation failures
    are not saved and a retry after one runs again. A key reused on another account
    counts as reused with other parameters.
    """
    key = request.headers["Idempotency-Key"]
    if not 1 <= len(key) <= _MAX_IDEMPOTENCY_KEY:
        raise _Problem(
            400,
            f"Invalid Idempotency-Key: keys must be 1 to {_MAX_IDEMPOTENCY_KEY} characters long.",
        )
    params = _read_form(request)
    path = request_path(request)
    account = request.headers.get("Stripe-Account")

    saved = saved_responses.get(key)
    if saved is not None:
        # NOTE: whether Stripe scopes idempotency keys to the account in Stripe-Account is
        # not established. Comparing the account rejects a key reused on another account,
        # the stricter of the two behaviours.
        first = (saved.method, saved.path, saved.params, saved.account)
        if first != (request.method, path, params, account):
            raise _Problem(
                400,
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request.",
                error_type="idempotency_error",
            )
        return json_response(
            saved.status_code,
            saved.body,
            {
                "Idempotency-Key": key,
                "Idempotent-Replayed": "true",
                "Original-Request": saved.request_id,
            },
        )

    try:
        response = run()
    except _Problem as problem:
        if problem.executed:
            _save(
                saved_responses,
                key,
                request,
                params,
                problem.status_code,
                problem.body(),
                request_id,
            )
        raise
    _save(saved_responses, key, request, params, response.status_code, response.json(), request_id)
    response.headers["Idempotency-Key"] = key
    return response


def _save(
    saved_responses: dict[str, _SavedResponse],
    key: str,
    request: httpx.Request,
    params: dict[str, Any],
    status_code: int,
    body: dict[str, Any],
    request_id: str,
) -> None:
    saved_responses[key] = _SavedResponse(
        method=request.method,
        path=request_path(request),
        params=params,
        status_code=status_code,
        body=body,
        request_id=request_id,
        account=request.headers.get("Stripe-Account"),
    )
