"""A sync killed with SIGKILL in the middle, then run again, reaches the same state."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from spec_validation import validate_request
from tracksync import EntryState, SQLiteLedger
from tracksync.testing import FaultSettings, PayPalEmulator, StripeEmulator, serve

PER_KIND = 10
HEADER = (
    "order_id,provider,payment_id,paypal_order_id,tracking_number,carrier,"
    "recipient_name,address_line1,country\n"
)


def write_input(path: Path) -> set[str]:
    lines = [HEADER]
    numbers = set()
    for index in range(PER_KIND):
        rows = [
            f"v2-{index},paypal,V2CAP{index:012d},V2ORDER{index:010d},1Z999AA1{index:010d},UPS,,,",
            f"v1-{index},paypal,V1CAP{index:012d},,94001118{index:014d},USPS,,,",
            f"st-{index},stripe,pi_crash{index:08d},,JD0146{index:010d},DHL,Ada,1 Main St,US",
        ]
        lines.extend(row + "\n" for row in rows)
        numbers.update(row.split(",")[4] for row in rows)
    path.write_text("".join(lines), encoding="utf-8")
    return numbers


def seeded() -> tuple[PayPalEmulator, StripeEmulator]:
    paypal = PayPalEmulator()
    stripe = StripeEmulator()
    for index in range(PER_KIND):
        paypal.add_order(f"V2ORDER{index:010d}", captures={f"V2CAP{index:012d}": "COMPLETED"})
        paypal.add_capture(f"V1CAP{index:012d}", "COMPLETED")
        stripe.add_payment_intent(f"pi_crash{index:08d}")
    return paypal, stripe


def counts(paypal: PayPalEmulator, stripe: StripeEmulator) -> Counter[str]:
    found: Counter[str] = Counter()
    for index in range(PER_KIND):
        for tracker in paypal.tracker_details(f"V2ORDER{index:010d}"):
            found[tracker["tracking_number"]] += tracker["status"] != "CANCELLED"
        for tracker in paypal.shipping_trackers(f"V1CAP{index:012d}"):
            found[tracker["tracking_number"]] += tracker["status"] != "CANCELLED"
        shipping = stripe.payment_intent(f"pi_crash{index:08d}")["shipping"] or {}
        for number in (shipping.get("tracking_number") or "").split(","):
            if number.strip():
                found[number.strip()] += 1
    return found


def sync(arguments: list[str], environment: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tracksync", "sync", *arguments, "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )


def test_killed_run_then_rerun_converges(tmp_path: Path) -> None:
    source = tmp_path / "shipments.csv"
    wanted = write_input(source)
    ledger = tmp_path / "ledger.sqlite3"
    paypal, stripe = seeded()
    # Slow answers give the kill a moment in the middle of the run.
    paypal.set_faults(FaultSettings(latency=0.05))
    stripe.set_faults(FaultSettings(latency=0.05))
    with serve(paypal) as paypal_server, serve(stripe) as stripe_server:
        environment = {
            **os.environ,
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "TRACKSYNC_PAYPAL_CLIENT_ID": paypal.client_id,
            "TRACKSYNC_PAYPAL_CLIENT_SECRET": paypal.client_secret,
            "TRACKSYNC_PAYPAL_BASE_URL": paypal_server.url,
            "TRACKSYNC_STRIPE_API_KEY": stripe.api_key,
            "TRACKSYNC_STRIPE_BASE_URL": stripe_server.url,
        }
        arguments = [str(source), "--ledger", str(ledger)]

        first = sync(arguments, environment)
        try:
            deadline = time.monotonic() + 60
            while len(paypal.writes()) + len(stripe.writes()) < 5:
                assert first.poll() is None, "the first run ended before it could be killed"
                assert time.monotonic() < deadline, "the first run sent no write in 60 s"
                time.sleep(0.01)
            first.send_signal(signal.SIGKILL)
        finally:
            first.kill()
            first.communicate()
        assert first.returncode == -signal.SIGKILL
        partial = counts(paypal, stripe)
        assert 0 < sum(partial.values()) < len(wanted)

        second = sync(arguments, environment)
        output, errors = second.communicate(timeout=120)
        assert second.returncode == 0, errors
        report = json.loads(output)
        assert report["summary"]["failed"] == 0

    final = counts(paypal, stripe)
    assert set(final) == wanted
    assert set(final.values()) == {1}
    with SQLiteLedger(ledger) as reopened:
        states = Counter(entry.state for entry in reopened.entries())
    assert states == Counter({EntryState.APPLIED: len(wanted)})
    for sent in paypal.requests + stripe.requests:
        validate_request(sent)
