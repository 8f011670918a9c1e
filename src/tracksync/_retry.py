"""The one retry policy, rate limiter and circuit breaker that every provider shares.

Which requests may be resent is decided in ``providers/_retrying.py``; this module holds
how often and how long, and imports no HTTP code, so the core can name a policy.
"""

from __future__ import annotations

import datetime
import email.utils
import random
import threading
import time
from collections.abc import Callable

import attrs

__all__ = [
    "NO_RETRY",
    "Circuit",
    "RateLimiter",
    "RetryPolicy",
    "is_testing",
    "parse_retry_after",
    "set_testing",
]


#: Set by :func:`tracksync.testing.set_testing`: waits return at once and rate limits are off.
_testing = False


def set_testing(on: bool) -> None:
    """Turn test mode on or off for every policy and limiter of this process."""
    global _testing
    _testing = on


def is_testing() -> bool:
    """Return whether test mode is on."""
    return _testing


def _sleep(seconds: float) -> None:
    """Wait, unless test mode is on."""
    if not _testing:
        time.sleep(seconds)


#: The default ``RetryPolicy.sleep``; async senders replace it with ``asyncio.sleep``.
_DEFAULT_SLEEP = _sleep


def _random_jitter(delay: float) -> float:
    """Spread retries out: a delay between half and all of the backoff."""
    return delay * random.uniform(0.5, 1.0)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How often and how long to retry a request.

    Attributes:
        attempts: tries in all, the first included.
        timeout: seconds from the first try after which no retry starts.
        initial_delay: seconds before the first retry, doubled for each further one.
        max_delay: longest wait between two tries, in seconds, also for ``Retry-After``.
        jitter: turns a backoff into the wait actually used; tests pass ``lambda d: 0``.
        sleep: waits the given seconds; tests pass a function that records instead. The
            default does not wait in test mode (:func:`tracksync.testing.set_testing`).
        clock: monotonic seconds, for the time budget.
    """

    attempts: int = 4
    timeout: float = 60.0
    initial_delay: float = 0.5
    max_delay: float = 30.0
    jitter: Callable[[float], float] = _random_jitter
    sleep: Callable[[float], None] = _sleep
    clock: Callable[[], float] = time.monotonic

    def backoff(self, retry: int) -> float:
        """Return the wait before retry number ``retry`` (1 for the first retry)."""
        return self.jitter(min(self.initial_delay * 2 ** (retry - 1), self.max_delay))


#: No retries at all.
NO_RETRY = RetryPolicy(attempts=1)


def parse_retry_after(value: str | None, *, now: datetime.datetime | None = None) -> float | None:
    """Return the seconds a ``Retry-After`` header asks to wait, or None if it has none.

    The header holds either seconds or an HTTP date (RFC 9110, section 10.2.3).
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    current = now or datetime.datetime.now(datetime.timezone.utc)
    return max((moment - current).total_seconds(), 0.0)


class RateLimiter:
    """A token bucket: at most ``rate`` requests per second, with bursts up to ``burst``.

    Thread-safe. ``acquire`` waits with ``sleep`` until a token is free, except in test
    mode (:func:`tracksync.testing.set_testing`), where it never waits.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be above 0 requests per second, not {rate}.")
        self.rate = rate
        self.burst = burst if burst is not None else max(1, int(rate))
        self._clock = clock
        self._sleep = sleep
        self._honours_test_mode = sleep is None
        self._tokens = float(self.burst)
        self._updated = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Take one token, waiting until one is free."""
        while True:
            wait = self._reserve()
            if wait <= 0:
                return
            (self._sleep or time.sleep)(wait)

    async def acquire_async(self) -> None:
        """Take one token, waiting without blocking the event loop until one is free."""
        import asyncio

        while True:
            wait = self._reserve()
            if wait <= 0:
                return
            if self._sleep is not None:
                self._sleep(wait)
            else:
                await asyncio.sleep(wait)

    def _reserve(self) -> float:
        """Take a token and return 0, or return the seconds until one is free."""
        if self._honours_test_mode and _testing:
            return 0.0
        with self._lock:
            current = self._clock()
            elapsed = current - self._updated
            self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)
            self._updated = current
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return 0.0
            return (1.0 - self._tokens) / self.rate


@attrs.define
class Circuit:
    """Stops calling an account after a run of server errors or failed connections.

    Opens after ``threshold`` requests in a row ended in a 5xx answer or no answer, retries
    included, and stays open for the life of the object (one run).
    """

    threshold: int = 5
    failures: int = 0
    reason: str | None = None

    @property
    def is_open(self) -> bool:
        """Whether calls to the account have stopped."""
        return self.failures >= self.threshold

    def record(self, *, failed: bool, reason: str | None = None) -> None:
        """Count a request that ended in a server error or no answer, or reset the count."""
        if failed:
            self.failures += 1
            self.reason = reason
        else:
            self.failures = 0
            self.reason = None
