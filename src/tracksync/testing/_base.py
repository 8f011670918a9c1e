"""Machinery shared by the emulators: request log, state lock, routing and JSON responses."""

from __future__ import annotations

import abc
import asyncio
import datetime
import json
import random
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import httpx

__all__ = [
    "DUMP_VERSION",
    "EmulatorTransport",
    "Fault",
    "FaultSettings",
    "Handler",
    "MethodNotAllowed",
    "Route",
    "RouteMatch",
    "Router",
    "check_dump_header",
    "json_response",
    "random_hex",
    "request_origin",
    "request_path",
    "rfc3339_now",
]

#: A route handler: the request and the path parameters, decoded, by name.
Handler = Callable[[httpx.Request, Mapping[str, str]], httpx.Response]

#: Version of the ``dump()`` format. ``load()`` rejects any other.
DUMP_VERSION = 1


@attrs.frozen
class Route:
    """One endpoint: a method and a path template such as ``/v1/things/{thing_id}``."""

    method: str
    template: str
    handler: Handler

    def match(self, segments: Sequence[str]) -> dict[str, str] | None:
        """Return the path parameters when ``segments`` fit the template, else None."""
        parts = self.template.split("/")
        if len(parts) != len(segments):
            return None
        params: dict[str, str] = {}
        for part, segment in zip(parts, segments, strict=True):
            if part.startswith("{") and part.endswith("}"):
                if not segment:
                    return None
                params[part[1:-1]] = segment
            elif part != segment:
                return None
        return params


@attrs.frozen
class RouteMatch:
    """A route that fits both the method and the path of a request."""

    handler: Handler
    params: dict[str, str]


@attrs.frozen
class MethodNotAllowed:
    """The path exists, but not for the request's method."""

    allowed: tuple[str, ...]


class Router:
    """Find the handler for a request by method and path."""

    def __init__(self, routes: Sequence[Route]) -> None:
        self._routes = tuple(routes)

    def resolve(self, method: str, request: httpx.Request) -> RouteMatch | MethodNotAllowed | None:
        """Return the matching route, the methods the path allows, or None for an unknown path.

        Path segments are percent-decoded one by one, so an encoded ``/`` inside an id stays
        part of that id.
        """
        segments = [urllib.parse.unquote(part) for part in request_path(request).split("/")]
        allowed: list[str] = []
        for route in self._routes:
            params = route.match(segments)
            if params is None:
                continue
            if route.method == method:
                return RouteMatch(route.handler, params)
            allowed.append(route.method)
        if allowed:
            return MethodNotAllowed(tuple(allowed))
        return None


@attrs.define
class Fault:
    """A canned answer that replaces the emulator's own for matching requests."""

    status: int
    body: Any = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    #: Raised instead of answering, to emulate a broken connection or a timeout.
    exception: type[httpx.TransportError] | None = None
    method: str | None = None
    path: str | None = None
    remaining: int = 1

    def matches(self, request: httpx.Request) -> bool:
        """Return whether the fault applies to the request and has uses left."""
        if self.remaining <= 0:
            return False
        if self.method is not None and request.method != self.method.upper():
            return False
        return self.path is None or request_path(request) == self.path

    def respond(self, request: httpx.Request) -> httpx.Response:
        """Use the fault once: raise its exception or build its response."""
        self.remaining -= 1
        if self.exception is not None:
            raise self.exception("injected fault", request=request)
        if self.body is None:
            return httpx.Response(self.status, headers=dict(self.headers))
        return httpx.Response(self.status, json=self.body, headers=dict(self.headers))


@attrs.frozen(kw_only=True)
class FaultSettings:
    """Random faults and limits that make an emulator behave like a busy, flaky provider.

    Probabilities are per request, drawn from a random generator seeded with ``seed``, so a
    run with the same requests in the same order meets the same faults.

    Attributes:
        seed: seed of the random generator.
        latency: seconds added to every answer.
        rate_limit: requests per second above which the emulator answers 429; None for none.
        rate_limited: probability of a 429 whatever the rate.
        retry_after: probability that a 429 carries ``Retry-After: 1``.
        server_error: probability of a 500.
        unavailable: probability of a 503.
        connection_reset: probability that the connection breaks before the request is
            handled (httpx raises ``RemoteProtocolError``; nothing was applied).
        timeout: probability that the request times out before it is handled
            (``ReadTimeout``; nothing was applied).
        lost_response: probability that the request is handled and applied but its answer
            is lost (``ReadTimeout``), the case where retrying a write can duplicate it.
    """

    seed: int = 0
    latency: float = 0.0
    rate_limit: float | None = None
    rate_limited: float = 0.0
    retry_after: float = 0.5
    server_error: float = 0.0
    unavailable: float = 0.0
    connection_reset: float = 0.0
    timeout: float = 0.0
    lost_response: float = 0.0


class _RandomFaults:
    """Draws the faults of :class:`FaultSettings`, one decision per request."""

    def __init__(self, settings: FaultSettings) -> None:
        self.settings = settings
        self._random = random.Random(settings.seed)
        self._window_start = 0.0
        self._window_count = 0

    def over_rate(self, now: float) -> bool:
        """Count a request in the current one-second window and say if it is over the limit."""
        limit = self.settings.rate_limit
        if limit is None:
            return False
        if now - self._window_start >= 1.0:
            self._window_start = now
            self._window_count = 0
        self._window_count += 1
        return self._window_count > limit

    def draw(self) -> str | None:
        """Return the fault for the next request, or None."""
        settings = self.settings
        roll = self._random.random()
        for name, probability in (
            ("rate_limited", settings.rate_limited),
            ("server_error", settings.server_error),
            ("unavailable", settings.unavailable),
            ("connection_reset", settings.connection_reset),
            ("timeout", settings.timeout),
            ("lost_response", settings.lost_response),
        ):
            if roll < probability:
                return name
            roll -= probability
        return None

    def with_retry_after(self) -> bool:
        """Return whether a 429 carries ``Retry-After``."""
        return self._random.random() < self.settings.retry_after


class EmulatorTransport(httpx.BaseTransport, httpx.AsyncBaseTransport, abc.ABC):
    """An httpx transport that responds to requests from in-memory provider state.

    Every request is recorded in order before the response is built. One lock serialises
    the requests, so a threaded HTTP server may call :meth:`handle_request` concurrently.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._requests: list[httpx.Request] = []
        self._faults: list[Fault] = []
        self._random_faults: _RandomFaults | None = None

    @property
    def requests(self) -> list[httpx.Request]:
        """A copy of the log of every request received, oldest first."""
        with self._lock:
            return list(self._requests)

    def writes(self) -> list[httpx.Request]:
        """Return the logged requests that may change provider state, oldest first.

        These are the requests whose method is not GET or HEAD. An emulator may leave out
        requests that change no provider data, such as PayPal's token request.
        """
        with self._lock:
            return [request for request in self._requests if self._is_write(request)]

    def clear_requests(self) -> None:
        """Empty the request log. Provider state is kept."""
        with self._lock:
            self._requests.clear()

    def inject_fault(
        self,
        status: int = 500,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        exception: type[httpx.TransportError] | None = None,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` matching requests with a canned response.

        A request matches when its method and its path (without the query) equal
        ``method`` and ``path``; None matches any. ``body`` is sent as JSON. With
        ``exception``, such as ``httpx.ConnectError`` or ``httpx.ReadTimeout``, the request
        raises it instead of getting an answer. A faulted request changes no state but is
        still recorded in :attr:`requests`.
        """
        if times < 1:
            raise ValueError(f"times must be 1 or more, not {times}.")
        fault = Fault(
            status=status,
            body=body,
            headers=dict(headers or {}),
            exception=exception,
            method=method,
            path=path,
            remaining=times,
        )
        with self._lock:
            self._faults.append(fault)

    def set_faults(self, settings: FaultSettings | None) -> None:
        """Turn random faults, latency and a rate limit on, or off with None."""
        with self._lock:
            self._random_faults = _RandomFaults(settings) if settings is not None else None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Record ``request`` and return the provider's response to it."""
        request.read()
        latency = self._record(request)
        if latency > 0:
            # Outside the lock, so a threaded server serves other requests meanwhile.
            time.sleep(latency)
        return self._answer(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Record ``request`` and return the response, for an ``httpx.AsyncClient``."""
        await request.aread()
        latency = self._record(request)
        if latency > 0:
            await asyncio.sleep(latency)
        return self._answer(request)

    def _record(self, request: httpx.Request) -> float:
        """Log the request and return the latency to add before answering it."""
        with self._lock:
            self._requests.append(request)
            faults = self._random_faults
        return faults.settings.latency if faults is not None else 0.0

    def _answer(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            random_faults = self._random_faults
            for fault in self._faults:
                if fault.matches(request):
                    return fault.respond(request)
            if random_faults is not None:
                return self._respond_with_random_fault(request, random_faults)
            return self._respond(request)

    def _respond_with_random_fault(
        self, request: httpx.Request, faults: _RandomFaults
    ) -> httpx.Response:
        if faults.over_rate(time.monotonic()):
            return self._fault_response(429, "Too many requests.", retry_after=True)
        fault = faults.draw()
        if fault == "rate_limited":
            return self._fault_response(
                429, "Too many requests.", retry_after=faults.with_retry_after()
            )
        if fault == "server_error":
            return self._fault_response(500, "An internal server error occurred.")
        if fault == "unavailable":
            return self._fault_response(503, "Service unavailable.")
        if fault == "connection_reset":
            raise httpx.RemoteProtocolError("injected connection reset", request=request)
        if fault == "timeout":
            raise httpx.ReadTimeout("injected timeout", request=request)
        response = self._respond(request)
        if fault == "lost_response":
            raise httpx.ReadTimeout("injected lost response", request=request)
        return response

    def _fault_response(
        self, status: int, message: str, *, retry_after: bool = False
    ) -> httpx.Response:
        """Build the answer for a random fault; emulators give it their provider's shape."""
        headers = {"Retry-After": "1"} if retry_after else {}
        return json_response(status, {"message": message}, headers)

    def _is_write(self, request: httpx.Request) -> bool:
        return request.method not in {"GET", "HEAD"}

    @abc.abstractmethod
    def _respond(self, request: httpx.Request) -> httpx.Response:
        """Return the response to ``request``. Called with the lock held."""


def request_path(request: httpx.Request) -> str:
    """Return the request's path, still percent-encoded, without the query string."""
    raw = request.url.raw_path.decode("ascii")
    return raw.split("?", 1)[0]


def request_origin(request: httpx.Request) -> str:
    """Return ``scheme://host[:port]`` of the request's URL, the base for HATEOAS links."""
    url = request.url
    origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
    return origin


def json_response(
    status_code: int, body: object, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """Build a response with a JSON body."""
    all_headers = {"Content-Type": "application/json"}
    all_headers.update(headers or {})
    content = json.dumps(body).encode("utf-8")
    return httpx.Response(status_code, headers=all_headers, content=content)


def random_hex(length: int) -> str:
    """Return ``length`` random lowercase hexadecimal digits."""
    return secrets.token_hex((length + 1) // 2)[:length]


def rfc3339_now() -> str:
    """Return the current UTC time in RFC 3339 with whole seconds: ``2024-05-01T12:00:00Z``."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")


def check_dump_header(data: object, kind: str) -> Mapping[str, Any]:
    """Return the ``state`` part of a ``dump()`` result, or raise ValueError if it is not one."""
    if not isinstance(data, Mapping):
        raise ValueError(
            f"{kind}.load() expects the dict that dump() returned, not {type(data).__name__}."
        )
    if data.get("format") != kind:
        raise ValueError(
            f"{kind}.load() got a dump with format {data.get('format')!r}. "
            f"Pass the result of {kind}.dump()."
        )
    if data.get("version") != DUMP_VERSION:
        raise ValueError(
            f"{kind}.load() reads dump version {DUMP_VERSION}, not {data.get('version')!r}. "
            "Recreate the saved state with this version of tracksync."
        )
    state = data.get("state")
    if not isinstance(state, Mapping):
        raise ValueError(f"{kind}.load() got a dump without a 'state' dict.")
    return state
