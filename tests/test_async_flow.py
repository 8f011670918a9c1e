"""The async flow runner: the same flows and retry policy as the sync one."""

from __future__ import annotations

import httpx
import pytest

from tracksync import ProviderConnectionError, RetryPolicy
from tracksync.providers._flow import Flow, SendOptions, run_flow, run_flow_async, send_async

URL = "https://api.example.test/v1/things/1"


def answers(*statuses: int | type[httpx.TransportError]) -> httpx.MockTransport:
    queue = list(statuses)

    def handle(request: httpx.Request) -> httpx.Response:
        answer = queue.pop(0)
        if isinstance(answer, int):
            return httpx.Response(answer, json={"n": len(queue)})
        raise answer("scripted", request=request)

    return httpx.MockTransport(handle)


def two_reads() -> Flow[list[int]]:
    first = yield httpx.Request("GET", URL)
    second = yield httpx.Request("GET", URL)
    return [first.status_code, second.status_code]


def tolerant_read() -> Flow[str]:
    try:
        yield httpx.Request("POST", URL, content=b"x")
    except ProviderConnectionError:
        return "caught"
    return "answered"


NO_WAIT = RetryPolicy(jitter=lambda delay: delay, sleep=lambda delay: None)


@pytest.mark.anyio
async def test_async_flow_result() -> None:
    async with httpx.AsyncClient(transport=answers(200, 204)) as client:
        assert await run_flow_async(client, two_reads(), provider="stripe") == [200, 204]


@pytest.mark.anyio
async def test_async_retries_like_sync() -> None:
    options = SendOptions(retry=NO_WAIT)
    async with httpx.AsyncClient(transport=answers(503, 200)) as client:
        response = await send_async(
            client, httpx.Request("GET", URL), provider="x", options=options
        )
    assert response.status_code == 200


@pytest.mark.anyio
async def test_async_error_thrown_into_flow() -> None:
    async with httpx.AsyncClient(transport=answers(httpx.ReadTimeout)) as client:
        result = await run_flow_async(client, tolerant_read(), provider="paypal")
    assert result == "caught"


def test_sync_error_thrown_into_flow() -> None:
    with httpx.Client(transport=answers(httpx.ReadTimeout)) as client:
        assert run_flow(client, tolerant_read(), provider="paypal") == "caught"


def test_uncaught_error_leaves_flow() -> None:
    with (
        httpx.Client(transport=answers(httpx.ReadTimeout)) as client,
        pytest.raises(ProviderConnectionError, match="timed out"),
    ):
        run_flow(client, two_reads(), provider="paypal")
