"""Run I/O-free request flows over httpx.

A provider writes each operation once, as a generator that yields the requests to send and
receives their responses, then returns its result. ``run_flow`` drives such a generator
with an ``httpx.Client``; an async runner can drive the same generator with an
``httpx.AsyncClient``, so no protocol logic is written twice.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import TypeVar

import httpx

from ..errors import ProviderConnectionError

__all__ = ["Flow", "run_flow"]

T = TypeVar("T")

#: A generator that yields requests, receives each one's response, and returns a result.
Flow = Generator[httpx.Request, httpx.Response, T]

logger = logging.getLogger("tracksync.http")


def run_flow(client: httpx.Client, flow: Flow[T], *, provider: str) -> T:
    """Send every request the flow yields and return the flow's result.

    Raises:
        ProviderConnectionError: a request got no answer (connection error or timeout).
    """
    request = next(flow)
    while True:
        response = send(client, request, provider=provider)
        try:
            request = flow.send(response)
        except StopIteration as stop:
            result: T = stop.value
            return result


def send(client: httpx.Client, request: httpx.Request, *, provider: str) -> httpx.Response:
    """Send one request, log it in one line, and translate httpx's errors."""
    try:
        response = client.send(request)
    except httpx.TimeoutException as exc:
        raise ProviderConnectionError(
            f"{request.method} {request.url.path} timed out. Whether a write took effect "
            "is unknown; the next run reads the payment before it writes again.",
            provider=provider,
        ) from exc
    except httpx.TransportError as exc:
        raise ProviderConnectionError(
            f"{request.method} {request.url.path} failed: {type(exc).__name__}: {exc}",
            provider=provider,
        ) from exc
    # The path holds payment and order ids but no secrets; bodies are never logged.
    logger.info("%s %s %s -> %d", provider, request.method, request.url.path, response.status_code)
    return response
