"""AsyncPayPalProvider: PayPalProvider's twin for ``httpx.AsyncClient``, with the same flows."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TypeVar

import httpx
from typing_extensions import Self

from ..._models import PAYPAL, PaymentRef, Shipment
from ..._plan import Change, ChangeResult
from ..._remote import RemotePayment
from ..._retry import RetryPolicy
from ...carriers import Overrides
from .._flow import Flow, run_flow_async
from .._protocol import Capabilities
from .._units import Output, Unit, check_max_concurrency, run_batch_async
from ._apis import ApiMode
from ._core import DEFAULT_REQUESTS_PER_SECOND, PayPalCore

__all__ = ["AsyncPayPalProvider"]

T = TypeVar("T")


class AsyncPayPalProvider:
    """Reads and writes trackers on PayPal payments, as PayPalProvider does, with asyncio.

    It takes :class:`PayPalProvider`'s arguments, sends the same requests with the same
    retry policy, rate limit and account stop, and returns the same results. The
    differences: ``client`` is an ``httpx.AsyncClient``, the I/O methods are coroutines,
    and :meth:`apply_batch` sends its units (each v1 batch request, and each capture's
    other changes in plan order) at the same time.

    Args:
        max_concurrency: how many requests this provider has in flight at once, across
            all its calls. ``requests_per_second`` still bounds how many start per second.

    Raises:
        ConfigurationError: an argument is invalid, as for PayPalProvider, or
            ``max_concurrency`` is below 1.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        environment: str = "sandbox",
        base_url: str | None = None,
        account: str | None = None,
        api: ApiMode = "auto",
        on_behalf_of: str | None = None,
        retry_without_items: bool = False,
        client: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        requests_per_second: float = DEFAULT_REQUESTS_PER_SECOND,
        carrier_overrides: Overrides | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_concurrency: int = 8,
    ) -> None:
        self._core = PayPalCore.create(
            client_id,
            client_secret,
            owner=type(self).__name__,
            environment=environment,
            base_url=base_url,
            account=account,
            api=api,
            on_behalf_of=on_behalf_of,
            retry_without_items=retry_without_items,
            retry=retry,
            requests_per_second=requests_per_second,
            carrier_overrides=carrier_overrides,
            clock=clock,
        )
        self._max_concurrency = check_max_concurrency(max_concurrency)
        self._slots = asyncio.Semaphore(self._max_concurrency)
        self._token_lock = asyncio.Lock()
        self._owns_client = client is None
        self._client = client if client is not None else httpx.AsyncClient(timeout=timeout)

    @property
    def max_concurrency(self) -> int:
        """The maximum number of requests this provider has in flight at once.

        AsyncReconciler reads this value to bound its concurrent payment reads.
        """
        return self._max_concurrency

    @property
    def name(self) -> str:
        """The provider name that payments use: ``"paypal"``."""
        return PAYPAL

    @property
    def account(self) -> str | None:
        """The account name this provider serves, or None for the only PayPal account."""
        return self._core.session.account

    @property
    def capabilities(self) -> Capabilities:
        """What trackers can hold and change, as :attr:`PayPalProvider.capabilities`."""
        return self._core.capabilities

    @property
    def base_url(self) -> str:
        """The base URL requests go to, without a trailing slash."""
        return self._core.session.base_url

    def check_payment(self, payment: PaymentRef) -> str | None:
        """Return why the payment's capture or order id cannot be used, or None."""
        return self._core.check_payment(payment)

    def stored_carrier(self, payment: PaymentRef, shipment: Shipment) -> str:
        """Return the carrier code the payment's API stores, or the name sent with OTHER."""
        return self._core.stored_carrier(payment, shipment)

    def check_shipment(self, payment: PaymentRef, shipment: Shipment) -> str | None:
        """Return why the shipment cannot be sent to the payment's API, or None."""
        return self._core.check_shipment(payment, shipment)

    async def fetch(self, payment: PaymentRef) -> RemotePayment:
        """Read the payment's capture state and trackers, as :meth:`PayPalProvider.fetch`."""
        return await self._run(self._core.fetch_flow(payment))

    async def apply(self, change: Change) -> ChangeResult:
        """Add, update or cancel one tracker, as :meth:`PayPalProvider.apply`."""
        return await self._run(self._core.apply_flow(change))

    async def apply_batch(self, changes: Sequence[Change]) -> list[Output]:
        """Perform the changes at the same time and return their outputs in input order.

        The units are those of :meth:`PayPalProvider.apply_batch`: each request of up to
        20 new v1 trackers, and each capture's other changes, applied one by one in plan
        order. Units run at the same time, up to ``max_concurrency`` requests in flight.
        """
        batch = self._core.plan_batch(changes)
        return await run_batch_async(batch, self._run_unit)

    async def aclose(self) -> None:
        """Close the HTTP client if the provider created it."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"AsyncPayPalProvider({self._core.describe()})"

    async def _run_unit(self, unit: Unit) -> list[Output]:
        return await self._run(unit.flow)

    async def _run(self, flow: Flow[T]) -> T:
        """Send the flow's requests, one of ``max_concurrency`` flows in flight.

        While no access token is cached, flows run one at a time under a lock, and the
        first that needs a token requests it. So many calls that start together request
        one token, not one each, and a failed token request fails where it would fail in
        PayPalProvider.

        NOTE: when PayPal rejects a cached token with 401, each flow that gets the 401
        requests a new token itself, so flows in flight at that moment may request one each.
        """
        async with self._slots:
            if self._core.needs_token():
                async with self._token_lock:
                    if self._core.needs_token():
                        return await self._send(flow)
            return await self._send(flow)

    async def _send(self, flow: Flow[T]) -> T:
        return await run_flow_async(self._client, flow, provider=PAYPAL, options=self._core.options)
