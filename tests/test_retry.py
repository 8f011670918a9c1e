from __future__ import annotations

import datetime
from collections.abc import Callable

import httpx
import pytest

from tracksync import AccountError, ProviderConnectionError
from tracksync._retry import Circuit, RateLimiter, RetryPolicy, parse_retry_after
from tracksync.providers._flow import SendOptions, send
from tracksync.providers._retrying import retry_delay

URL = "https://api.example.test/v1/things/1"


class Script:
    """A transport that answers from a list of responses or exceptions, in order."""

    def __init__(self, *answers: int | type[httpx.TransportError] | httpx.Response) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, httpx.Response):
            return answer
        if isinstance(answer, int):
            return httpx.Response(answer)
        raise answer("scripted", request=request)


def policy(sleeps: list[float], **fields: object) -> RetryPolicy:
    values: dict[str, object] = {"jitter": lambda delay: delay, "sleep": sleeps.append}
    values.update(fields)
    return RetryPolicy(**values)  # type: ignore[arg-type]


def run(
    script: Script,
    request: httpx.Request,
    options: SendOptions,
) -> httpx.Response:
    with httpx.Client(transport=httpx.MockTransport(script)) as client:
        return send(client, request, provider="stripe", options=options)


def get() -> httpx.Request:
    return httpx.Request("GET", URL)


def post(*, key: str | None = None) -> httpx.Request:
    headers = {"Idempotency-Key": key} if key else {}
    return httpx.Request("POST", URL, content=b"a=1", headers=headers)


@pytest.mark.parametrize(
    ("request_factory", "status", "headers", "expected"),
    [
        (get, 503, {}, True),
        (get, 404, {}, False),
        (post, 500, {}, False),
        (lambda: post(key="k1"), 500, {}, True),
        (post, 429, {}, True),
        (post, 409, {}, False),
        (lambda: post(key="k1"), 409, {}, True),
        (get, 500, {"Stripe-Should-Retry": "false"}, False),
        (post, 400, {"Stripe-Should-Retry": "true"}, True),
    ],
)
def test_retry_decision(
    request_factory: Callable[[], httpx.Request],
    status: int,
    headers: dict[str, str],
    expected: bool,
) -> None:
    should_retry, _, _ = retry_delay(
        request_factory(), httpx.Response(status, headers=headers), None
    )
    assert should_retry is expected


def test_connect_error_retried_for_write() -> None:
    error = httpx.ConnectError("refused")
    assert retry_delay(post(), None, error)[0] is True


def test_read_timeout_not_retried_for_write() -> None:
    should_retry, _, reason = retry_delay(post(), None, httpx.ReadTimeout("slow"))
    assert should_retry is False
    assert reason == "no answer (ReadTimeout) to a write that may have applied"


def test_retry_after_seconds() -> None:
    assert parse_retry_after("2") == 2.0


def test_retry_after_http_date() -> None:
    now = datetime.datetime(2026, 12, 4, 12, 0, 0, tzinfo=datetime.timezone.utc)
    assert parse_retry_after("Fri, 04 Dec 2026 12:00:07 GMT", now=now) == 7.0


@pytest.mark.parametrize("value", [None, "", "soon"])
def test_retry_after_unreadable(value: str | None) -> None:
    assert parse_retry_after(value) is None


def test_server_errors_retried_with_backoff() -> None:
    sleeps: list[float] = []
    script = Script(503, 502, 200)
    response = run(script, get(), SendOptions(retry=policy(sleeps)))
    assert response.status_code == 200
    assert sleeps == [0.5, 1.0]
    assert len(script.requests) == 3


def test_attempts_bounded() -> None:
    sleeps: list[float] = []
    script = Script(503, 503, 503, 503)
    response = run(script, get(), SendOptions(retry=policy(sleeps, attempts=3)))
    assert response.status_code == 503
    assert len(script.requests) == 3


def test_time_budget_bounded() -> None:
    sleeps: list[float] = []
    script = Script(503, 503, 200)
    options = SendOptions(retry=policy(sleeps, timeout=1.0, initial_delay=0.8))
    response = run(script, get(), options)
    assert response.status_code == 503
    assert sleeps == [0.8]


def test_retry_after_honoured() -> None:
    sleeps: list[float] = []
    script = Script(httpx.Response(429, headers={"Retry-After": "3"}), 200)
    run(script, post(), SendOptions(retry=policy(sleeps)))
    assert sleeps == [3.0]


def test_long_retry_after_gives_up() -> None:
    sleeps: list[float] = []
    script = Script(httpx.Response(429, headers={"Retry-After": "3600"}))
    response = run(script, post(), SendOptions(retry=policy(sleeps)))
    assert response.status_code == 429
    assert sleeps == []


def test_write_without_key_not_retried_on_500() -> None:
    sleeps: list[float] = []
    script = Script(500)
    response = run(script, post(), SendOptions(retry=policy(sleeps)))
    assert response.status_code == 500
    assert len(script.requests) == 1


def test_idempotent_write_retried_with_same_key() -> None:
    sleeps: list[float] = []
    script = Script(500, 200)
    run(script, post(key="k1"), SendOptions(retry=policy(sleeps)))
    assert [request.headers["Idempotency-Key"] for request in script.requests] == ["k1", "k1"]
    assert [request.content for request in script.requests] == [b"a=1", b"a=1"]


def test_timeout_raises_connection_error() -> None:
    sleeps: list[float] = []
    script = Script(httpx.ReadTimeout)
    with pytest.raises(ProviderConnectionError, match=r"timed out\. Whether a write took effect"):
        run(script, post(), SendOptions(retry=policy(sleeps)))
    assert len(script.requests) == 1


def test_connect_error_retried_then_raised() -> None:
    sleeps: list[float] = []
    script = Script(httpx.ConnectError, httpx.ConnectError)
    with pytest.raises(ProviderConnectionError, match="ConnectError"):
        run(script, post(), SendOptions(retry=policy(sleeps, attempts=2)))
    assert len(script.requests) == 2


def test_circuit_opens_after_server_errors() -> None:
    circuit = Circuit(threshold=2)
    options = SendOptions(circuit=circuit, account="eu")
    script = Script(500, 500)
    run(script, get(), options)
    run(script, get(), options)
    with pytest.raises(AccountError, match="stopped calling the stripe account eu after 2"):
        run(script, get(), options)
    assert len(script.requests) == 2


def test_circuit_resets_on_success() -> None:
    circuit = Circuit(threshold=2)
    options = SendOptions(circuit=circuit)
    run(Script(500, 200, 500), get(), options)
    run(Script(200), get(), options)
    assert circuit.failures == 0


def test_circuit_ignores_rate_limits() -> None:
    circuit = Circuit(threshold=1)
    run(Script(429), post(), SendOptions(circuit=circuit))
    assert not circuit.is_open


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_rate_limiter_spaces_requests() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2.0, burst=1, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        limiter.acquire()
    assert clock.now == pytest.approx(2.0)


def test_rate_limiter_allows_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10.0, burst=10, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        limiter.acquire()
    assert clock.now == 0.0


def test_rate_limiter_rejects_zero() -> None:
    with pytest.raises(ValueError, match="rate must be above 0"):
        RateLimiter(0)


def test_retry_logged_with_reason(caplog: pytest.LogCaptureFixture) -> None:
    sleeps: list[float] = []
    with caplog.at_level("WARNING", logger="tracksync.http"):
        run(Script(503, 200), get(), SendOptions(retry=policy(sleeps)))
    assert caplog.messages == [
        "Retrying stripe GET /v1/things/1 in 0.5 s (attempt 2 of 4): HTTP 503"
    ]


def test_flow_may_finish_without_request() -> None:
    from tracksync.providers._flow import Flow, run_flow

    def nothing_to_send() -> Flow[str]:
        return "done"
        yield httpx.Request("GET", URL)  # makes this a generator; never reached

    with httpx.Client(transport=httpx.MockTransport(Script())) as client:
        assert run_flow(client, nothing_to_send(), provider="paypal") == "done"


def test_marked_post_retried() -> None:
    from tracksync.providers._retrying import REPLAY_SAFE

    request = httpx.Request("POST", URL, content=b"grant_type=client_credentials")
    request.extensions[REPLAY_SAFE] = True
    assert retry_delay(request, httpx.Response(500), None)[0] is True
