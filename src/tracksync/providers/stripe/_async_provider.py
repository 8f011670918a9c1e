"""AsyncStripeProvider: StripeProvider's twin for ``httpx.AsyncClient``, with the same flows."""

from __future__ import annotations

import asyncio
import types
from collections.abc import Sequence
from typing import TypeVar

import httpx
from typing_extensions import Self

from ..._models import STRIPE, PaymentRef, Shipment
from ..._plan import Change, ChangeResult
from ..._remote import RemotePayment
from ..._retry import RetryPolicy
from ...carriers import Overrides
from ...errors import TracksyncError
from .._flow import Flow, run_flow_async
from .._protocol import Capabilities
from .._units import Output, Unit, check_max_concurrency, run_batch_async
from ._core import StripeCore
from ._settings import STRIPE_API_VERSION

__all__ = ["AsyncStripeProvider"]

T = TypeVar("T")


class AsyncStripeProvider:
    """Keeps tracking in Stripe payments' ``shipping`` hash, as StripeProvider does, with asyncio.

    It takes :class:`StripeProvider`'s arguments, sends the same requests with the same
    idempotency keys, retry policy, rate limit and account memory, and returns the same
    results. The differences: ``client`` is an ``httpx.AsyncClient``, the I/O methods are
    coroutines, and :meth:`apply_batch` applies its payments at the same time.

    Args:
        max_concurrency: how many requests this provider has in flight at once, across
            all its calls. ``requests_per_second`` still bounds how many start per second.

    Raises:
        ConfigurationError: an argument is invalid, as for StripeProvider, or
            ``max_concurrency`` is below 1.
    """

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        account: str | None = None,
        client: httpx.AsyncClient | None = None,
        api_version: str = STRIPE_API_VERSION,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        requests_per_second: float | None = None,
        carrier_overrides: Overrides | None = None,
        max_concurrency: int = 8,
    ) -> None:
        self._core = StripeCore.create(
            api_key,
            base_url=base_url,
            account=account,
            api_version=api_version,
            timeout=timeout,
            retry=retry,
            requests_per_second=requests_per_second,
            carrier_overrides=carrier_overrides,
        )
        self._max_concurrency = check_max_concurrency(max_concurrency)
        self._slots = asyncio.Semaphore(self._max_concurrency)
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
        """The provider name that payments are matched against: ``"stripe"``."""
        return STRIPE

    @property
    def account(self) -> str | None:
        """The account label this provider serves, or None for the only Stripe account."""
        return self._core.account

    @property
    def capabilities(self) -> Capabilities:
        """Capabilities, as :attr:`StripeProvider.capabilities`."""
        return self._core.capabilities

    def check_payment(self, payment: PaymentRef) -> str | None:
        """Return why tracksync cannot use the payment's id or connected account, or None."""
        return self._core.check_payment(payment)

    def stored_carrier(self, payment: PaymentRef, shipment: Shipment) -> str:
        """Return the carrier's display name, which is what Stripe gets as free text."""
        return self._core.stored_carrier(payment, shipment)

    def check_shipment(self, payment: PaymentRef, shipment: Shipment) -> str | None:
        """Return why Stripe would reject the shipment's carrier, or None."""
        return self._core.check_shipment(payment, shipment)

    async def fetch(self, payment: PaymentRef) -> RemotePayment:
        """Read the payment's objects and packages, as :meth:`StripeProvider.fetch`."""
        return await self._run(self._core.fetch_flow(payment))

    async def apply(self, change: Change) -> ChangeResult:
        """Make one change, as :meth:`apply_batch` does.

        Raises:
            TracksyncError: the error that :meth:`apply_batch` returns for the change.
        """
        [output] = await self.apply_batch([change])
        if isinstance(output, TracksyncError):
            raise output
        return output

    async def apply_batch(self, changes: Sequence[Change]) -> list[Output]:
        """Make the changes, one read and at most one write per payment, payments at once.

        The groups are those of :meth:`StripeProvider.apply_batch`, and each applies its
        payment's changes in their order. Groups run at the same time, up to
        ``max_concurrency`` requests in flight. Outputs come back in input order.
        """
        batch = self._core.plan_batch(changes)
        return await run_batch_async(batch, self._run_unit)

    async def aclose(self) -> None:
        """Close the HTTP client if this provider created it."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"AsyncStripeProvider({self._core.describe()})"

    async def _run_unit(self, unit: Unit) -> list[Output]:
        return await self._run(unit.flow)

    async def _run(self, flow: Flow[T]) -> T:
        async with self._slots:
            return await run_flow_async(
                self._client, flow, provider=STRIPE, options=self._core.options
            )
