"""``tracksync sync`` and ``tracksync mirror``: stream a file through the AsyncReconciler
and write the report.

The file is read one order at a time and planned and applied in chunks, so memory stays
flat however long the file. Results are written in file order within each chunk.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from pathlib import Path

import attrs

from .._models import PAYPAL, Order
from .._plan import AccountIssue, Outcome, Report, Result
from .._reconciler import AsyncReconciler
from ..carriers import Confidence, Overrides, load_overrides, normalize
from ..errors import InvalidInputError
from ..providers._protocol import AsyncTrackingProvider
from ..sources import (
    CsvLayout,
    OrderRecord,
    OrderStream,
    RowError,
    SkippedRow,
    StreamItem,
    open_orders,
)
from ._output import make_writer
from ._progress import Progress

__all__ = ["CHUNK_SIZE", "chunks_of_stream", "open_shipments", "providers_for", "run_sync"]

#: Orders planned and applied together; a chunk's results are written before the next.
CHUNK_SIZE = 500

#: Creates the payments of some orders in the emulators, for ``--emulate``.
Seeder = Callable[[Iterable[Order]], None]


@attrs.define
class _Totals:
    """What the whole run adds up to, kept while chunks pass."""

    outcomes: Counter[str] = attrs.field(factory=Counter)
    account_errors: dict[tuple[str, str | None], AccountIssue] = attrs.field(factory=dict)
    unmapped_carriers: Counter[str] = attrs.field(factory=Counter)

    def add(self, results: Sequence[Result], report: Report) -> None:
        self.outcomes.update(result.outcome.value for result in results)
        for issue in report.account_errors:
            self.account_errors.setdefault((issue.provider, issue.account), issue)

    def summary(self) -> dict[str, int]:
        return {outcome.value: self.outcomes[outcome.value] for outcome in Outcome}

    @property
    def has_failures(self) -> bool:
        return bool(self.account_errors) or self.outcomes[Outcome.FAILED.value] > 0


def run_sync(args: argparse.Namespace, *, ledger: Path | None) -> bool:
    """Run ``sync``, or ``mirror`` when the arguments name a source and a target, and
    return whether anything failed."""
    overrides = load_overrides(args.carrier_overrides) if args.carrier_overrides else None
    if _mirror_sides(args) is None:
        stream = open_shipments(args, command="sync")
    else:
        stream = open_orders(
            args.file, input_format=args.input_format, fulfillments=args.fulfillments
        )
    return asyncio.run(_run(args, stream, ledger=ledger, overrides=overrides))


def open_shipments(args: argparse.Namespace, *, command: str) -> OrderStream:
    """Open the file of a command that compares the shop's shipments with the providers.

    Raises:
        InvalidInputError: as ``open_orders``, and for a file that lists payments only.
    """
    stream = open_orders(args.file, input_format=args.input_format, fulfillments=args.fulfillments)
    if stream.layout is CsvLayout.PAYMENTS:
        raise InvalidInputError(
            f"{args.file} has no tracking_number and carrier columns, so it lists payments "
            f"but no shipments for tracksync {command}. Add the two columns, or copy the "
            "trackers one provider holds with tracksync mirror --from PROVIDER --to PROVIDER."
        )
    return stream


def _mirror_sides(args: argparse.Namespace) -> tuple[str, str] | None:
    source: str | None = getattr(args, "source", None)
    target: str | None = getattr(args, "target", None)
    if source is None or target is None:
        return None
    return source, target


async def _run(
    args: argparse.Namespace,
    stream: Iterable[StreamItem],
    *,
    ledger: Path | None,
    overrides: Overrides | None,
) -> bool:
    writer = make_writer(args.format, dry_run=args.dry_run, out=sys.stdout)
    progress = Progress(enabled=not args.quiet and sys.stderr.isatty(), dry_run=args.dry_run)
    totals = _Totals()
    sides = _mirror_sides(args)
    async with (
        providers_for(
            args, overrides, unsaved="not saved in a dry run" if args.dry_run else None
        ) as (providers, seed),
        AsyncReconciler(providers, ledger=ledger, full=args.full) as reconciler,
    ):
        for chunk in chunks_of_stream(stream, CHUNK_SIZE):
            records = [item for item in chunk if isinstance(item, OrderRecord)]
            orders = [record.order for record in records]
            if seed is not None:
                seed(orders)
            if sides is None:
                plan = await reconciler.plan(orders)
            else:
                plan = await reconciler.plan_mirror(orders, source=sides[0], target=sides[1])
            report = Report.preview(plan) if args.dry_run else await reconciler.apply(plan)
            results = _in_file_order(chunk, records, report)
            progress.hide()
            writer.write(results)
            totals.add(results, report)
            if sides is None:
                totals.unmapped_carriers.update(_unmapped_carriers(orders, overrides))
            progress.update(results)
    progress.hide()
    writer.finish(totals.summary(), totals.account_errors.values(), totals.unmapped_carriers)
    return totals.has_failures


@contextlib.asynccontextmanager
async def providers_for(
    args: argparse.Namespace, overrides: Overrides | None, *, unsaved: str | None
) -> AsyncIterator[tuple[list[AsyncTrackingProvider], Seeder | None]]:
    """Yield the async providers from the environment, or over the emulators with
    ``--emulate`` together with the function that seeds them. The emulators' state is
    saved afterwards unless ``unsaved`` gives the reason it is not."""
    if not args.emulate:
        from ._config import providers_from_environment

        providers = providers_from_environment(os.environ, overrides=overrides)
        try:
            yield providers, None
        finally:
            for provider in providers:
                close = getattr(provider, "aclose", None)
                if close is not None:
                    await close()
        return

    from ._emulate import EmulatedProviders, default_state_path

    state_path = args.emulator_state or default_state_path()
    emulated = EmulatedProviders(state_path)
    if not args.quiet:
        notes = [] if state_path.exists() else ["new file: the emulators start empty"]
        notes += [unsaved] if unsaved else []
        saved = f" ({'; '.join(notes)})" if notes else ""
        print(
            "Using the built-in emulators; nothing is sent to PayPal or Stripe. "
            f"State: {state_path}{saved}",
            file=sys.stderr,
        )
    try:
        yield emulated.providers(overrides), emulated.seed
        if not unsaved:
            emulated.save()
    finally:
        await emulated.aclose()


def chunks_of_stream(
    stream: Iterable[StreamItem], orders_per_chunk: int
) -> Iterator[list[StreamItem]]:
    """Yield the stream in lists holding at most ``orders_per_chunk`` orders each."""
    iterator = iter(stream)
    chunk: list[StreamItem] = []
    orders = 0
    for item in iterator:
        chunk.append(item)
        if isinstance(item, OrderRecord):
            orders += 1
            if orders >= orders_per_chunk:
                yield chunk
                chunk, orders = [], 0
    if chunk:
        yield chunk


def _in_file_order(
    chunk: Sequence[StreamItem], records: Sequence[OrderRecord], report: Report
) -> list[Result]:
    """Give every result its input line, add the rows that were not orders, and sort."""
    by_order = {record.order.id: record for record in records}
    results: list[Result] = []
    for result in report.results:
        record = by_order.get(result.order_id or "")
        line = (
            record.line_of(
                result.tracking_number, provider=result.provider, payment_id=result.payment_id
            )
            if record is not None
            else None
        )
        results.append(attrs.evolve(result, line=result.line or line))
    for item in chunk:
        if isinstance(item, RowError):
            results.append(_error_result(item))
        elif isinstance(item, SkippedRow):
            results.append(_skipped_result(item))
    # A second file's rows (Shopify fulfillments) name their own file; they go after.
    results.sort(key=lambda result: (result.line is None, result.line or 0))
    return results


def _error_result(error: RowError) -> Result:
    return Result(
        order_id=error.order_id,
        provider=error.provider,
        payment_id=error.payment_id,
        tracking_number=error.tracking_number,
        outcome=Outcome.FAILED,
        error=error.message,
        line=error.line if error.file is None else None,
    )


def _skipped_result(skipped: SkippedRow) -> Result:
    return Result(
        order_id=skipped.order_id,
        provider=None,
        payment_id=None,
        tracking_number=skipped.tracking_number,
        outcome=Outcome.SKIPPED,
        reason=skipped.message,
        line=skipped.line if skipped.file is None else None,
    )


def _unmapped_carriers(orders: Sequence[Order], overrides: Overrides | None) -> Counter[str]:
    """Count, by the shop's text, the PayPal packages whose carrier has no PayPal code."""
    unmapped: Counter[str] = Counter()
    for order in orders:
        if not any(payment.provider == PAYPAL for payment in order.payments):
            continue
        for shipment in order.shipments:
            match = normalize(
                shipment.carrier, tracking_number=shipment.tracking_number, overrides=overrides
            )
            if match.confidence is Confidence.UNKNOWN:
                unmapped[shipment.carrier] += 1
    return unmapped
