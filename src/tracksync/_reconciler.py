"""The Reconciler and its async twin: plan the changes that make providers match the shop,
then apply them."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Generator, Iterable, Iterator, Sequence
from typing import TypeVar

from typing_extensions import Self

from ._apply import apply_in_order
from ._audit import Audit, audit_plan
from ._engine import DEFAULT_CHUNK_SIZE, AccountIssues, Engine, chunks
from ._ledger import Ledger
from ._mirror import Mirror, check_sides, relabel, split
from ._models import Order, PaymentRef
from ._plan import Change, ChangeResult, Plan, PlanEntry, Report
from ._remote import RemotePayment
from .errors import TracksyncError
from .providers._protocol import AsyncTrackingProvider, BatchingProvider, TrackingProvider

__all__ = ["AsyncReconciler", "Reconciler"]

R = TypeVar("R")

#: The result of reading a payment: the payment as the provider has it, or the error.
Answer = RemotePayment | TracksyncError

#: Requests one async provider account has in flight when it declares no max_concurrency.
DEFAULT_CONCURRENCY = 8


class Reconciler:
    """Plans and applies the tracker changes that make providers match the shop.

    ``plan()`` only reads; ``apply()`` is the only method that writes; ``run()`` does both
    in chunks of orders, so memory stays flat however long the input. Each provider is
    chosen by the payment's provider name and account: a payment without an account goes
    to the one provider of that name, and a provider built without an account also takes
    payments of any account when it is the only one of its name.

    With a ledger, ``apply()`` records every write before it is sent and after its answer,
    and ``plan()`` skips reading a payment whose shipments all match what the ledger
    recorded as applied. ``full=True`` reads every payment anyway, to repair trackers that
    were changed or deleted on the provider's side.

    Args:
        providers: one adapter per provider account, for example a
            :class:`~tracksync.providers.paypal.PayPalProvider` and a
            :class:`~tracksync.providers.stripe.StripeProvider`.
        ledger: a :class:`~tracksync.Ledger`, or the path of a SQLite ledger file, which the
            Reconciler then opens and closes in :meth:`close`. None keeps no ledger.
        full: read every payment from its provider, whatever the ledger says.

    Raises:
        ConfigurationError: two providers share a name and an account, or the ledger file
            is not a tracksync ledger.
    """

    def __init__(
        self,
        providers: Iterable[TrackingProvider],
        *,
        ledger: Ledger | str | os.PathLike[str] | None = None,
        full: bool = False,
    ) -> None:
        self._engine: Engine[TrackingProvider] = Engine(providers, ledger=ledger, full=full)

    @property
    def ledger(self) -> Ledger | None:
        """The ledger in use, or None."""
        return self._engine.ledger

    def close(self) -> None:
        """Close the ledger if the Reconciler opened it from a path."""
        self._engine.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def provider_for(self, payment: PaymentRef) -> TrackingProvider | None:
        """Return the provider that handles the payment, or None if none is configured."""
        return self._engine.provider_for(payment)

    def plan(self, orders: Iterable[Order]) -> Plan:
        """Read each payment's trackers and list the changes that make them match the shop.

        Writes nothing. One order's failure (a provider error, an unknown payment) becomes a
        discrepancy in the plan; the other orders are still planned.
        """
        return self._plan(orders, use_ledger=True)

    def audit(self, orders: Iterable[Order]) -> Audit:
        """Read every payment, ledger or not, and list where the shop and providers disagree.

        Writes nothing: missing and extra trackers, carrier and status differences, payments
        not found or not captured, and orders whose PayPal and Stripe payments differ.
        """
        plan = self._plan(orders, use_ledger=False)
        return audit_plan(plan, stored_carrier=self._engine.stored_carrier)

    def plan_mirror(self, orders: Iterable[Order], *, source: str, target: str) -> Plan:
        """Plan the trackers that each order's ``source`` payments hold onto its ``target``
        payments, with the carrier in the target's form.

        Reads every source payment, and each target payment unless the ledger vouches for
        it; the orders' own shipments are ignored. Writes nothing: apply the plan with
        :meth:`apply`. Statuses are copied as well. The target's own extra trackers are
        reported and left in place. When the source has no status for a package (a Stripe
        package written by another tool, without tracksync's metadata), the target's
        status is kept.

        Raises:
            InvalidInputError: ``source`` or ``target`` names no configured provider, or
                both name the same one. It is a ValueError too.
        """
        check_sides(source, target, (name for name, _ in self._engine.providers))
        entries: list[PlanEntry] = []
        issues: AccountIssues = {}
        count = 0
        for chunk in chunks(orders, DEFAULT_CHUNK_SIZE):
            count += len(chunk)
            mirrors: list[Mirror] = []
            for order in chunk:
                sources, targets, problems = split(order, source, target)
                if problems:
                    entries.extend(problems)
                    continue
                reads = [
                    _drive(self._engine.read_steps(order, payment, issues), payment)
                    for payment in sources
                ]
                entries.extend(self._engine.collect_mirror(order, targets, reads, mirrors))
            recorded = self._engine.recorded_for_mirrors(mirrors)
            for mirror in mirrors:
                for payment, steps in self._engine.mirror_steps(mirror, issues, recorded):
                    entries.extend(relabel(_drive(steps, payment), source))
        return self._engine.finish_plan(entries, issues, count)

    def _plan(self, orders: Iterable[Order], *, use_ledger: bool) -> Plan:
        entries: list[PlanEntry] = []
        issues: AccountIssues = {}
        count = 0
        vouch = self._engine.vouched
        for chunk in chunks(orders, DEFAULT_CHUNK_SIZE):
            count += len(chunk)
            recorded = self._engine.recorded_entries(chunk, use_ledger=use_ledger)
            for order in chunk:
                for payment in order.payments:
                    vouched = vouch(order, payment, recorded)
                    if vouched is not None:
                        entries.extend(vouched)
                        continue
                    steps = self._engine.payment_steps(order, payment, issues, recorded)
                    entries.extend(_drive(steps, payment))
        return self._engine.finish_plan(entries, issues, count)

    def apply(self, plan: Plan) -> Report:
        """Perform the plan's changes and report every entry's outcome, in plan order.

        Each provider gets its changes in plan order, all together when it can batch them.
        A failed change is reported and the rest still run. When cancelling a tracker fails,
        the add that was to replace it is skipped, so no duplicate is created.
        """
        state, groups = self._engine.start_apply(plan)
        for provider, indexed in groups:
            changes = [change for _, change in indexed]
            self._engine.before_sending(changes)
            outputs = _apply_sync(provider, changes)
            self._engine.after_sending(state, provider, indexed, outputs)
        return self._engine.finish_apply(state)

    def run(
        self,
        orders: Iterable[Order],
        *,
        dry_run: bool = False,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> Iterator[Report]:
        """Plan and apply the orders chunk by chunk, yielding one report per chunk.

        Reads the orders lazily, so a generator over a large file stays in flat memory.
        With ``dry_run`` each chunk is planned and previewed, and nothing is written.
        """
        for chunk in chunks(orders, chunk_size):
            plan = self.plan(chunk)
            yield Report.preview(plan) if dry_run else self.apply(plan)


def _drive(steps: Generator[TrackingProvider, Answer, R], payment: PaymentRef) -> R:
    """Run one payment's planning or reading steps, reading the payment when they ask."""
    try:
        provider = next(steps)
        while True:
            answer: Answer
            try:
                answer = provider.fetch(payment)
            except TracksyncError as exc:
                answer = exc
            provider = steps.send(answer)
    except StopIteration as stop:
        result: R = stop.value
        return result


def _apply_sync(
    provider: TrackingProvider, changes: Sequence[Change]
) -> list[ChangeResult | TracksyncError]:
    if provider.capabilities.batch_size > 1 and isinstance(provider, BatchingProvider):
        return provider.apply_batch(changes)
    return apply_in_order(provider.apply, changes)


class AsyncReconciler:
    """The async twin of :class:`Reconciler`, with the same methods as coroutines.

    Payments are read concurrently, at most ``max_concurrency`` at a time per provider
    account (the provider's own attribute, 8 when it has none), and each provider's rate
    limit still holds. Providers apply their batches concurrently in the same way.
    """

    def __init__(
        self,
        providers: Iterable[AsyncTrackingProvider],
        *,
        ledger: Ledger | str | os.PathLike[str] | None = None,
        full: bool = False,
    ) -> None:
        self._engine: Engine[AsyncTrackingProvider] = Engine(providers, ledger=ledger, full=full)
        self._limits = {
            id(provider): asyncio.Semaphore(
                getattr(provider, "max_concurrency", DEFAULT_CONCURRENCY)
            )
            for provider in self._engine.providers.values()
        }

    @property
    def ledger(self) -> Ledger | None:
        """The ledger in use, or None."""
        return self._engine.ledger

    async def aclose(self) -> None:
        """Close the ledger if the AsyncReconciler opened it from a path."""
        self._engine.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def provider_for(self, payment: PaymentRef) -> AsyncTrackingProvider | None:
        """Return the provider that handles the payment, or None if none is configured."""
        return self._engine.provider_for(payment)

    async def plan(self, orders: Iterable[Order]) -> Plan:
        """Read the payments concurrently and list the changes, as :meth:`Reconciler.plan`."""
        return await self._plan(orders, use_ledger=True)

    async def audit(self, orders: Iterable[Order]) -> Audit:
        """Read every payment concurrently and list disagreements, as :meth:`Reconciler.audit`."""
        plan = await self._plan(orders, use_ledger=False)
        return audit_plan(plan, stored_carrier=self._engine.stored_carrier)

    async def plan_mirror(self, orders: Iterable[Order], *, source: str, target: str) -> Plan:
        """Read concurrently and plan the source's trackers onto the target payments, as
        :meth:`Reconciler.plan_mirror`."""
        check_sides(source, target, (name for name, _ in self._engine.providers))
        entries: list[PlanEntry] = []
        issues: AccountIssues = {}
        count = 0
        for chunk in chunks(orders, 2000):
            count += len(chunk)
            sides = [split(order, source, target) for order in chunk]
            reads = await asyncio.gather(
                *(
                    self._read_sources(order, sources, issues)
                    for order, (sources, _, problems) in zip(chunk, sides, strict=True)
                    if not problems
                )
            )
            read_orders = iter(reads)
            mirrors: list[Mirror] = []
            for order, (_, targets, problems) in zip(chunk, sides, strict=True):
                if problems:
                    entries.extend(problems)
                    continue
                collected = self._engine.collect_mirror(order, targets, next(read_orders), mirrors)
                entries.extend(collected)
            recorded = await asyncio.to_thread(self._engine.recorded_for_mirrors, mirrors)
            tasks = [
                self._drive(steps, payment)
                for mirror in mirrors
                for payment, steps in self._engine.mirror_steps(mirror, issues, recorded)
            ]
            for payment_entries in await asyncio.gather(*tasks):
                entries.extend(relabel(payment_entries, source))
        return self._engine.finish_plan(entries, issues, count)

    async def _read_sources(
        self, order: Order, sources: Sequence[PaymentRef], issues: AccountIssues
    ) -> list[RemotePayment | list[PlanEntry]]:
        return list(
            await asyncio.gather(
                *(
                    self._drive(self._engine.read_steps(order, payment, issues), payment)
                    for payment in sources
                )
            )
        )

    async def _plan(self, orders: Iterable[Order], *, use_ledger: bool) -> Plan:
        entries: list[PlanEntry] = []
        issues: AccountIssues = {}
        count = 0
        for chunk in chunks(orders, 2000):
            count += len(chunk)
            # The ledger lookup runs on a thread, so the event loop is not blocked meanwhile.
            recorded = await asyncio.to_thread(
                self._engine.recorded_entries, chunk, use_ledger=use_ledger
            )
            tasks = [
                self._drive(self._engine.payment_steps(order, payment, issues, recorded), payment)
                for order in chunk
                for payment in order.payments
            ]
            for payment_entries in await asyncio.gather(*tasks):
                entries.extend(payment_entries)
        return self._engine.finish_plan(entries, issues, count)

    async def apply(self, plan: Plan) -> Report:
        """Perform the plan's changes, each provider concurrently with the others."""
        state, groups = self._engine.start_apply(plan)

        async def send(provider: AsyncTrackingProvider, indexed: list[tuple[int, Change]]) -> None:
            changes = [change for _, change in indexed]
            self._engine.before_sending(changes)
            outputs = await provider.apply_batch(changes)
            self._engine.after_sending(state, provider, indexed, outputs)

        await asyncio.gather(*(send(provider, indexed) for provider, indexed in groups))
        return self._engine.finish_apply(state)

    async def run(
        self,
        orders: Iterable[Order],
        *,
        dry_run: bool = False,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> AsyncIterator[Report]:
        """Plan and apply chunk by chunk, yielding a report per chunk, as ``Reconciler.run``."""
        for chunk in chunks(orders, chunk_size):
            plan = await self.plan(chunk)
            yield Report.preview(plan) if dry_run else await self.apply(plan)

    async def _drive(
        self, steps: Generator[AsyncTrackingProvider, Answer, R], payment: PaymentRef
    ) -> R:
        try:
            provider = next(steps)
            while True:
                answer: Answer
                async with self._limits[id(provider)]:
                    try:
                        answer = await provider.fetch(payment)
                    except TracksyncError as exc:
                        answer = exc
                provider = steps.send(answer)
        except StopIteration as stop:
            result: R = stop.value
            return result
