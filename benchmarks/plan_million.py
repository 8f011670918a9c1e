"""Scenario (c) of ``python -m benchmarks``, run in a child process for its own peak memory.

``python -m benchmarks.plan_million N`` fills a SQLite ledger with N applied orders, then
plans the same N orders, unchanged, in chunks of the size ``Reconciler.run`` and the CLI use,
and prints one JSON object: the time to plan, the peak resident memory and the requests sent.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tracksync import (
    EntryState,
    LedgerEntry,
    Order,
    PaymentRef,
    Reconciler,
    Shipment,
    SQLiteLedger,
    TrackingProvider,
)
from tracksync._engine import DEFAULT_CHUNK_SIZE, chunks
from tracksync._ledger import fingerprint, now
from tracksync.providers.paypal import PayPalProvider
from tracksync.providers.stripe import StripeProvider
from tracksync.testing import PayPalEmulator, StripeEmulator

FILL_BATCH = 10_000


def orders(count: int) -> Iterator[Order]:
    """Yield ``count`` one-package orders, a third each on Orders v2, v1 and Stripe."""
    for index in range(count):
        kind = index % 3
        if kind == 0:
            payment = PaymentRef(
                provider="paypal", payment_id=f"C{index:016d}", paypal_order_id=f"O{index:016d}"
            )
        elif kind == 1:
            payment = PaymentRef(provider="paypal", payment_id=f"C{index:016d}")
        else:
            payment = PaymentRef(provider="stripe", payment_id=f"pi_{index:016d}")
        yield Order(
            id=str(index),
            payments=[payment],
            shipments=[Shipment(tracking_number=f"TN{index:012d}", carrier="UPS")],
        )


def fill(ledger: SQLiteLedger, count: int) -> None:
    """Record every order's package as applied, as a finished earlier run leaves them."""
    stamp = now()
    batch: list[LedgerEntry] = []
    for order in orders(count):
        payment, shipment = order.payments[0], order.shipments[0]
        batch.append(
            LedgerEntry(
                provider=payment.provider,
                account=None,
                payment_id=payment.payment_id,
                tracking_number=shipment.tracking_number,
                order_id=order.id,
                fingerprint=fingerprint(payment, shipment),
                state=EntryState.APPLIED,
                created_at=stamp,
                updated_at=stamp,
            )
        )
        if len(batch) == FILL_BATCH:
            ledger.record(batch)
            batch = []
    ledger.record(batch)


def peak_rss_mb() -> float:
    """Return this process's peak resident memory in megabytes.

    Linux carries ``ru_maxrss`` over from the parent through fork and exec, so a child
    started by a large parent would report the parent's peak. ``VmHWM`` in
    /proc/self/status belongs to this process's own memory map, so it is read first.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        status = ""
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS.
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale, 1)


def main(count: int) -> dict[str, object]:
    paypal = PayPalEmulator()
    stripe = StripeEmulator()
    with tempfile.TemporaryDirectory() as folder:
        ledger = SQLiteLedger(Path(folder) / "ledger.sqlite3")
        started = time.monotonic()
        fill(ledger, count)
        fill_seconds = time.monotonic() - started

        with (
            httpx.Client(transport=paypal) as paypal_client,
            httpx.Client(transport=stripe) as stripe_client,
        ):
            providers: list[TrackingProvider] = [
                PayPalProvider(paypal.client_id, paypal.client_secret, client=paypal_client),
                StripeProvider(stripe.api_key, client=stripe_client),
            ]
            reconciler = Reconciler(providers, ledger=ledger)
            started = time.monotonic()
            unchanged = 0
            for chunk in chunks(orders(count), DEFAULT_CHUNK_SIZE):
                unchanged += len(reconciler.plan(chunk).unchanged)
            plan_seconds = time.monotonic() - started
        ledger.close()
    return {
        "orders": count,
        "unchanged": unchanged,
        "fill_seconds": round(fill_seconds, 2),
        "plan_seconds": round(plan_seconds, 2),
        "peak_rss_mb": peak_rss_mb(),
        "requests": len(paypal.requests) + len(stripe.requests),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.plan_million",
        description="Plan N unchanged orders against a filled ledger and print the figures "
        "as one JSON object. The printed time excludes filling the ledger.",
    )
    parser.add_argument("orders", type=int, help="number of orders, such as 1000000")
    print(json.dumps(main(parser.parse_args().orders)))
