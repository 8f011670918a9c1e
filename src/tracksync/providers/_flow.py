"""Run I/O-free request flows over httpx, with the shared retry policy.

A provider writes each operation once, as a generator that yields the requests to send and
receives their responses, then returns its result. ``run_flow`` drives such a generator
with an ``httpx.Client``; an async runner can drive the same generator with an
``httpx.AsyncClient``, so no protocol logic is written twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Generator
from typing import TypeVar

import attrs
import httpx

from .._retry import _DEFAULT_SLEEP, NO_RETRY, Circuit, RateLimiter, RetryPolicy, is_testing
from ..errors import AccountError, ProviderConnectionError, TracksyncError
from ._retrying import retry_delay

__all__ = ["Flow", "SendOptions", "run_flow", "run_flow_async", "send", "send_async"]

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

    A request that fails for good raises its error inside the flow, at the ``yield``, so a
    flow can catch it and carry on with other requests; an error the flow does not catch
    comes out of ``run_flow``.

    Raises:
        ProviderConnectionError: a request got no answer (connection error or timeout).
        AccountError: the account's circuit is open after a run of server errors.
    """
    try:
        request = next(flow)
        while True:
            try:
                response = send(client, request, provider=provider, options=options)
            except TracksyncError as exc:
                request = flow.throw(exc)
            else:
                request = flow.send(response)
    except StopIteration as stop:
        result: T = stop.value
        return result


async def run_flow_async(
    client: httpx.AsyncClient,
    flow: Flow[T],
    *,
    provider: str,
    options: SendOptions | None = None,
) -> T:
    """Drive a flow with an ``httpx.AsyncClient``, exactly as :func:`run_flow` does."""
    try:
        request = next(flow)
        while True:
            try:
                response = await send_async(client, request, provider=provider, options=options)
            except TracksyncError as exc:
                request = flow.throw(exc)
            else:
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
    attempts = _Attempts(request, options or _DEFAULT_OPTIONS, provider)
    while True:
        if attempts.limiter is not None:
            attempts.limiter.acquire()
        response, error = _send_once(client, request, provider=provider)
        delay = attempts.retry_after(response, error)
        if delay is None:
            return attempts.finish(response, error)
        attempts.policy.sleep(delay)


async def send_async(
    client: httpx.AsyncClient,
    request: httpx.Request,
    *,
    provider: str,
    options: SendOptions | None = None,
) -> httpx.Response:
    """Send one request with an ``httpx.AsyncClient``, as :func:`send` does."""
    attempts = _Attempts(request, options or _DEFAULT_OPTIONS, provider)
    while True:
        if attempts.limiter is not None:
            await attempts.limiter.acquire_async()
        try:
            response: httpx.Response | None = await client.send(request)
            error: httpx.TransportError | None = None
        except httpx.TransportError as exc:
            response, error = None, exc
        _log_answer(request, response, error, provider=provider)
        delay = attempts.retry_after(response, error)
        if delay is None:
            return attempts.finish(response, error)
        await policy_sleep_async(attempts.policy, delay)


async def policy_sleep_async(policy: RetryPolicy, delay: float) -> None:
    """Wait ``delay`` seconds without blocking the event loop, unless in test mode."""
    if policy.sleep is not _DEFAULT_SLEEP:
        policy.sleep(delay)
    elif not is_testing():
        await asyncio.sleep(delay)


class _Attempts:
    """The tries of one request: whether and when to retry, and what to return or raise.

    Both :func:`send` and :func:`send_async` use it, so the retry policy exists once.
    """

    def __init__(self, request: httpx.Request, options: SendOptions, provider: str) -> None:
        circuit = options.circuit
        if circuit is not None and circuit.is_open:
            raise _circuit_error(provider, options.account, circuit)
        self.request = request
        self.options = options
        self.provider = provider
        self.policy = options.retry
        self.limiter = options.limiter
        self.started = self.policy.clock()
        self.attempt = 1
        self.reason = ""

    def retry_after(
        self, response: httpx.Response | None, error: httpx.TransportError | None
    ) -> float | None:
        """Return the seconds to wait before the next try, or None to stop trying."""
        policy = self.policy
        should_retry, wait, self.reason = retry_delay(self.request, response, error)
        if not should_retry or self.attempt >= policy.attempts:
            return None
        delay = wait if wait is not None else policy.backoff(self.attempt)
        within_budget = policy.clock() - self.started + delay <= policy.timeout
        if delay > policy.max_delay or not within_budget:
            return None
        self.attempt += 1
        logger.warning(
            "Retrying %s %s %s in %.1f s (attempt %d of %d): %s",
            self.provider,
            self.request.method,
            self.request.url.path,
            delay,
            self.attempt,
            policy.attempts,
            self.reason,
        )
        return delay

    def finish(
        self, response: httpx.Response | None, error: httpx.TransportError | None
    ) -> httpx.Response:
        """Count the outcome in the circuit, then return the response or raise the error."""
        circuit = self.options.circuit
        if circuit is not None:
            failed = error is not None or (response is not None and response.status_code >= 500)
            circuit.record(failed=failed, reason=self.reason)
        if error is not None:
            raise _connection_error(self.request, error, provider=self.provider) from error
        assert response is not None
        return response


def _send_once(
    client: httpx.Client, request: httpx.Request, *, provider: str
) -> tuple[httpx.Response | None, httpx.TransportError | None]:
    try:
        response: httpx.Response | None = client.send(request)
        error: httpx.TransportError | None = None
    except httpx.TransportError as exc:
        response, error = None, exc
    _log_answer(request, response, error, provider=provider)
    return response, error


def _log_answer(
    request: httpx.Request,
    response: httpx.Response | None,
    error: httpx.TransportError | None,
    *,
    provider: str,
) -> None:
    """Log one line per try. The path holds payment and order ids, but never a secret."""
    if error is not None:
        answer = f"no answer ({type(error).__name__})"
    else:
        assert response is not None
        answer = str(response.status_code)
    logger.info("%s %s %s -> %s", provider, request.method, request.url.path, answer)


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
