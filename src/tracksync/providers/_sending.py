"""Build the send options (retries, rate limit, circuit) that a provider account uses."""

from __future__ import annotations

import math

from .._retry import Circuit, RateLimiter, RetryPolicy
from ._flow import SendOptions

__all__ = ["send_options"]


def send_options(
    *,
    retry: RetryPolicy | None,
    requests_per_second: float,
    account: str | None,
) -> SendOptions:
    """Return the options of one provider account.

    ``retry`` None means the default :class:`RetryPolicy`; ``requests_per_second`` of
    ``math.inf`` means no rate limit. The burst is a twentieth of a second's worth of
    requests, so even a full bucket sends at most 5% more than the rate in any second.
    """
    if requests_per_second <= 0:
        raise ValueError(
            f"requests_per_second must be above 0, not {requests_per_second}; "
            "use math.inf for no limit."
        )
    limiter = None
    if math.isfinite(requests_per_second):
        burst = max(1, int(requests_per_second / 20))
        limiter = RateLimiter(requests_per_second, burst=burst)
    return SendOptions(
        retry=retry if retry is not None else RetryPolicy(),
        limiter=limiter,
        circuit=Circuit(),
        account=account,
    )
