"""Run I/O-free request flows over httpx, with the shared retry policy.

A provider writes each operation once, as a generator that yields the requests to send and
receives their responses, then returns its result. ``run_flow`` drives such a generator
with an ``httpx.Client``; an async runner can drive the same generator with an
``httpx.AsyncClient``, so no protocol logic is written twice.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import TypeVar

import attrs
import httpx

from .._retry import NO_RETRY, Circuit, RateLimiter, RetryPolicy
from ..errors import AccountError, ProviderConnectionError
from ._retrying import retry_delay

__all__ = ["Flow", "SendOptions", "run_flow", "send"]

T = TypeVar("T")

#: A generator that yields requests, receives each one's response, and returns a result.
Flow = Generator[httpx.Request, httpx.Response, T]

logger = logging.getLogger("tracksync.http")


@attrs.frozen(kw_only=True)
class SendOptions:
    """How one provider account sends requests: retries, rate limit and circuit breaker."""

    retry: RetryPolicy = NO_RETRY
    limiter: RateLimiter | None = None
    circuit: Circuit | None = None
    #: The account name, for messages.
    account: str | None = None


_DEFAULT_OPTIONS = SendOptions()


def run_flow(
    client: httpx.Client,
    flow: Flow[T],
    *,
    provider: str,
    options: SendOptions | None = None,
) -> T:
    """Send every request the flow yields and return the flow's result.

    Raises:
        ProviderConnectionError: a request got no answer (connection error or timeout).
        AccountError: the account's circuit is open after a run of server errors.
    """
    try:
        request = next(flow)
    except StopIteration as stop:
        done: T = stop.value
        return done
    while True:
        response = send(client, request, provider=provider, options=options)
        try:
            request = flow.send(response)
        except StopIteration as stop:
            result: T = stop.value
            return result


def send(
    client: httpx.Client,
    request: httpx.Request,
    *,
    provider: str,
    options: SendOptions | None = None,
) -> httpx.Response:
    """Send one request, retrying as the policy allows, and log each attempt in one line."""
    options = options or _DEFAULT_OPTIONS
    circuit = options.circuit
    if circuit is not None and circuit.is_open:
        raise _circuit_error(provider, options.account, circuit)

    policy = options.retry
    started = policy.clock()
    attempt = 1
    while True:
        if options.limiter is not None:
            options.limiter.acquire()
        response, error = _send_once(client, request, provider=provider)
        should_retry, wait, reason = retry_delay(request, response, error)
        if should_retry and attempt < policy.attempts:
            delay = wait if wait is not None else policy.backoff(attempt)
            within_budget = policy.clock() - started + delay <= policy.timeout
            if delay <= policy.max_delay and within_budget:
                logger.warning(
                    "Retrying %s %s %s in %.1f s (attempt %d of %d): %s",
                    provider,
                    request.method,
                    request.url.path,
                    delay,
                    attempt + 1,
                    policy.attempts,
                    reason,
                )
                policy.sleep(delay)
                attempt += 1
                continue
        break

    if circuit is not None:
        failed = error is not None or (response is not None and response.status_code >= 500)
        circuit.record(failed=failed, reason=reason)
    if error is not None:
        raise _connection_error(request, error, provider=provider) from error
    assert response is not None
    return response


def _send_once(
    client: httpx.Client, request: httpx.Request, *, provider: str
) -> tuple[httpx.Response | None, httpx.TransportError | None]:
    try:
        response = client.send(request)
    except httpx.TransportError as exc:
        logger.info(
            "%s %s %s -> no answer (%s)",
            provider,
            request.method,
            request.url.path,
            type(exc).__name__,
        )
        return None, exc
    # The path holds payment and order ids but no secrets; bodies are never logged.
    logger.info("%s %s %s -> %d", provider, request.method, request.url.path, response.status_code)
    return response, None


def _connection_error(
    request: httpx.Request, error: httpx.TransportError, *, provider: str
) -> ProviderConnectionError:
    if isinstance(error, httpx.TimeoutException):
        return ProviderConnectionError(
            f"{request.method} {request.url.path} timed out. Whether a write took effect "
            "is unknown; the next run reads the payment before it writes again.",
            provider=provider,
        )
    return ProviderConnectionError(
        f"{request.method} {request.url.path} failed: {type(error).__name__}: {error}",
        provider=provider,
    )


def _circuit_error(provider: str, account: str | None, circuit: Circuit) -> AccountError:
    named = f" account {account}" if account else " account"
    return AccountError(
        f"tracksync stopped calling the {provider}{named} after {circuit.failures} requests "
        f"in a row got a server error or no answer (last: {circuit.reason}). Check the "
        "provider's status page and run again later.",
        provider=provider,
        account=account,
    )
