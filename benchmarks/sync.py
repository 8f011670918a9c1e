"""Throughput of a sync against the emulators, beside the script a developer would write.

``python -m benchmarks`` (or ``python -m benchmarks sync``) from the repository root serves
the PayPal and Stripe emulators on 127.0.0.1 with injected latency and rate limits, then
runs four scenarios in one process and prints a table (``--json`` for one JSON object):

a. new shipments over PayPal Orders v2, PayPal v1 and Stripe, with tracksync's async engine;
b. the same input again, with the ledger from (a);
c. a million unchanged orders planned against a filled ledger, in a child process so its
   peak memory is its own;
d. the baseline: a plain sequential loop over the same shipments with the official SDKs
   (paypal-server-sdk's create_order_tracking, stripe-python's PaymentIntent.modify, and a
   plain POST to PayPal's v1 API for payments without an order id), against fresh emulators.

The figures are measurements on the machine it runs on; the command prints that machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from tracksync import Address, AsyncReconciler, AsyncTrackingProvider, Order, PaymentRef, Shipment
from tracksync.providers.paypal import AsyncPayPalProvider
from tracksync.providers.stripe import AsyncStripeProvider
from tracksync.testing import FaultSettings, PayPalEmulator, StripeEmulator, serve

DEFAULT_LATENCY = 0.150
#: Stripe's live-mode limit (docs.stripe.com/rate-limits).
DEFAULT_STRIPE_RATE = 100.0
#: PayPal publishes no limit; 50 requests per second is this benchmark's assumption.
DEFAULT_PAYPAL_RATE = 50.0
#: tracksync is configured a little under each limit, so that its token bucket seldom
#: crosses the emulator's one-second windows (requests can still arrive bunched).
HEADROOM = 0.95
PACKAGES_PER_PAYMENT = 2
ADDRESS = Address(line1="12 Example Road", city="Springfield", postal_code="62701", country="US")


def build_orders(shipments: int) -> list[Order]:
    """Build orders with two packages each, a third each on Orders v2, v1 and Stripe."""
    orders = []
    payments = math.ceil(shipments / PACKAGES_PER_PAYMENT)
    made = 0
    for index in range(payments):
        kind = index % 3
        count = min(PACKAGES_PER_PAYMENT, shipments - made)
        made += count
        if kind == 0:
            payment = PaymentRef(
                provider="paypal",
                payment_id=f"V2CAP{index:012d}",
                paypal_order_id=f"V2ORDER{index:010d}",
            )
            carrier = "UPS"
        elif kind == 1:
            payment = PaymentRef(provider="paypal", payment_id=f"V1CAP{index:012d}")
            carrier = "USPS"
        else:
            payment = PaymentRef(provider="stripe", payment_id=f"pi_bench{index:010d}")
            carrier = "DHL Express"
        orders.append(
            Order(
                id=f"{index}",
                payments=[payment],
                shipments=[
                    Shipment(tracking_number=f"TN{index:010d}{number}", carrier=carrier)
                    for number in range(count)
                ],
                recipient_name="Ada Lovelace",
                ship_to=ADDRESS,
            )
        )
    return orders


def seed(orders: list[Order], paypal: PayPalEmulator, stripe: StripeEmulator) -> None:
    """Create every payment the orders name: captured, with the recipient Checkout left."""
    shipping = {"name": "Ada Lovelace", "address": {"line1": "12 Example Road", "country": "US"}}
    for order in orders:
        payment = order.payments[0]
        if payment.provider == "stripe":
            stripe.add_payment_intent(payment.payment_id, shipping=shipping)
        elif payment.paypal_order_id:
            paypal.add_order(payment.paypal_order_id, captures={payment.payment_id: "COMPLETED"})
        else:
            paypal.add_capture(payment.payment_id, "COMPLETED")


def minimum_requests(orders: list[Order]) -> dict[str, int]:
    """Return the fewest requests a correct first sync can send, per provider.

    PayPal: one token; per Orders v2 payment one read and one add per package; per v1
    payment a capture check and a tracker read, and one batch per 20 new trackers.
    Stripe: one read (with the Charge expanded) and one write per payment.
    """
    v2_payments = v2_packages = v1_payments = v1_packages = stripe_payments = 0
    for order in orders:
        payment = order.payments[0]
        if payment.provider == "stripe":
            stripe_payments += 1
        elif payment.paypal_order_id:
            v2_payments += 1
            v2_packages += len(order.shipments)
        else:
            v1_payments += 1
            v1_packages += len(order.shipments)
    paypal = 1 + v2_payments + v2_packages + 2 * v1_payments + math.ceil(v1_packages / 20)
    return {"paypal": paypal, "stripe": 2 * stripe_payments}


class Timed:
    """Records when a served emulator answered each request, to measure its busy span."""

    def __init__(self, emulator: PayPalEmulator | StripeEmulator) -> None:
        self.emulator = emulator
        self.times: list[float] = []
        handle = emulator.handle_request

        def timed(request: httpx.Request) -> httpx.Response:
            try:
                return handle(request)
            finally:
                self.times.append(time.monotonic())

        emulator.handle_request = timed  # type: ignore[method-assign]

    def kinds(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for request in self.emulator.requests:
            counts[_kind(request)] += 1
        return counts

    def span(self) -> float:
        return max(self.times) - min(self.times) if len(self.times) > 1 else 0.0


def _kind(request: httpx.Request) -> str:
    path = request.url.path
    if path.endswith("/track"):
        return "POST track (Orders v2)"
    if path.startswith("/v2/checkout/orders/"):
        return f"{request.method} order"
    if path.startswith("/v2/payments/"):
        return f"{request.method} {path.split('/')[3]}"
    if path == "/v1/shipping/trackers-batch":
        return "POST trackers-batch (v1)"
    if path.startswith("/v1/shipping/trackers"):
        return f"{request.method} trackers (v1)"
    if path == "/v1/oauth2/token":
        return "POST token"
    if path.startswith("/v1/payment_intents/"):
        return f"{request.method} payment_intent"
    return f"{request.method} {path}"


async def run_tracksync(
    orders: list[Order],
    paypal_url: str,
    stripe_url: str,
    paypal: PayPalEmulator,
    stripe: StripeEmulator,
    *,
    ledger: Path,
    rates: dict[str, float],
    latency: float,
) -> dict[str, Any]:
    """Sync the orders with the AsyncReconciler and return its wall time and report."""
    concurrency = {
        name: math.ceil(rate * max(latency, 0.01) * 1.5) + 2 for name, rate in rates.items()
    }
    async with (
        httpx.AsyncClient(limits=httpx.Limits(max_connections=200)) as paypal_client,
        httpx.AsyncClient(limits=httpx.Limits(max_connections=200)) as stripe_client,
    ):
        providers: list[AsyncTrackingProvider] = [
            AsyncPayPalProvider(
                paypal.client_id,
                paypal.client_secret,
                base_url=paypal_url,
                client=paypal_client,
                requests_per_second=rates["paypal"] * HEADROOM,
                max_concurrency=concurrency["paypal"],
            ),
            AsyncStripeProvider(
                stripe.api_key,
                base_url=stripe_url,
                client=stripe_client,
                requests_per_second=rates["stripe"] * HEADROOM,
                max_concurrency=concurrency["stripe"],
            ),
        ]
        started = time.monotonic()
        summary: Counter[str] = Counter()
        async with AsyncReconciler(providers, ledger=ledger) as reconciler:
            async for report in reconciler.run(orders):
                summary.update(report.summary())
        return {"wall_seconds": time.monotonic() - started, "summary": dict(summary)}


def run_baseline(
    orders: list[Order],
    paypal_url: str,
    stripe_url: str,
    paypal: PayPalEmulator,
    stripe: StripeEmulator,
) -> dict[str, Any]:
    """Send every shipment the obvious way: one SDK call after another, no reads."""
    try:
        import requests
        import stripe as stripe_sdk
        from paypalserversdk.configuration import Configuration, Environment, Server  # type: ignore[import-untyped]
        from paypalserversdk.http.auth.o_auth_2 import ClientCredentialsAuthCredentials  # type: ignore[import-untyped]
        from paypalserversdk.models.order_tracker_request import OrderTrackerRequest  # type: ignore[import-untyped]
        from paypalserversdk.paypal_serversdk_client import PaypalServersdkClient  # type: ignore[import-untyped]
    except ImportError as exc:
        raise SystemExit(
            f"The baseline needs the official SDKs ({exc.name} is missing): install them "
            "with pip install -e '.[bench]', or leave the baseline out with --skip-baseline."
        ) from exc

    # The SDK has no base-URL option; its environment table is the documented place.
    Configuration.environments = {
        **Configuration.environments,
        Environment.SANDBOX: {Server.DEFAULT: paypal_url},
    }
    client = PaypalServersdkClient(
        client_credentials_auth_credentials=ClientCredentialsAuthCredentials(
            o_auth_client_id=paypal.client_id, o_auth_client_secret=paypal.client_secret
        ),
        environment=Environment.SANDBOX,
    )
    stripe_sdk.api_base = stripe_url
    session = requests.Session()
    token = ""
    started = time.monotonic()
    for order in orders:
        payment = order.payments[0]
        for shipment in order.shipments:
            if payment.provider == "stripe":
                stripe_sdk.PaymentIntent.modify(
                    payment.payment_id,
                    api_key=stripe.api_key,
                    shipping={
                        "name": "Ada Lovelace",
                        "address": {"line1": "12 Example Road", "country": "US"},
                        "carrier": shipment.carrier,
                        "tracking_number": shipment.tracking_number,
                    },
                )
            elif payment.paypal_order_id:
                client.orders.create_order_tracking(
                    {
                        "id": payment.paypal_order_id,
                        "body": OrderTrackerRequest(
                            capture_id=payment.payment_id,
                            tracking_number=shipment.tracking_number,
                            carrier=shipment.carrier,
                            notify_payer=False,
                        ),
                    }
                )
            else:
                if not token:
                    answer = session.post(
                        f"{paypal_url}/v1/oauth2/token",
                        auth=(paypal.client_id, paypal.client_secret),
                        data={"grant_type": "client_credentials"},
                    )
                    token = answer.json()["access_token"]
                session.post(
                    f"{paypal_url}/v1/shipping/trackers-batch",
                    headers={"Authorization": f"Bearer {token}"},
                    json={
                        "trackers": [
                            {
                                "transaction_id": payment.payment_id,
                                "tracking_number": shipment.tracking_number,
                                "status": "SHIPPED",
                                "carrier": shipment.carrier,
                            }
                        ]
                    },
                )
    return {"wall_seconds": time.monotonic() - started}


def serve_seeded(
    orders: list[Order], settings: dict[str, FaultSettings]
) -> tuple[PayPalEmulator, StripeEmulator]:
    paypal = PayPalEmulator()
    stripe = StripeEmulator()
    seed(orders, paypal, stripe)
    paypal.set_faults(settings["paypal"])
    stripe.set_faults(settings["stripe"])
    return paypal, stripe


def scenario_c(orders: int) -> dict[str, Any]:
    """Run the million-order planning in a child process and return its figures."""
    command = [sys.executable, "-m", "benchmarks.plan_million", str(orders)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures: dict[str, Any] = json.loads(output)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--shipments", type=int, default=2000, help="new shipments in (a)")
    parser.add_argument(
        "--latency", type=float, default=DEFAULT_LATENCY, help="seconds per response"
    )
    parser.add_argument(
        "--rate-limit",
        action="append",
        default=[],
        metavar="PROVIDER=N",
        help="requests per second the emulator allows, e.g. stripe=25 (defaults: stripe=100, "
        "paypal=50)",
    )
    parser.add_argument("--million", type=int, default=1_000_000, help="orders planned in (c)")
    parser.add_argument("--skip-baseline", action="store_true", help="leave out scenario (d)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    rates = {"paypal": DEFAULT_PAYPAL_RATE, "stripe": DEFAULT_STRIPE_RATE}
    for setting in args.rate_limit:
        name, _, value = setting.partition("=")
        if name not in rates or not value:
            parser.error(f"--rate-limit {setting!r}: use paypal=N or stripe=N")
        rates[name] = float(value)
    settings = {
        name: FaultSettings(latency=args.latency, rate_limit=rate) for name, rate in rates.items()
    }
    orders = build_orders(args.shipments)
    minimum = minimum_requests(orders)
    figures: dict[str, Any] = {
        "machine": f"Python {platform.python_version()} on {platform.platform()}, "
        f"{os.cpu_count()} CPUs",
        "settings": {
            "shipments": args.shipments,
            "packages_per_payment": PACKAGES_PER_PAYMENT,
            "latency_seconds": args.latency,
            "rate_limits": rates,
            "tracksync_rate": {name: rate * HEADROOM for name, rate in rates.items()},
        },
        "minimum_requests": minimum,
    }

    with tempfile.TemporaryDirectory() as folder:
        paypal, stripe = serve_seeded(orders, settings)
        timed = {"paypal": Timed(paypal), "stripe": Timed(stripe)}
        with serve(paypal) as paypal_server, serve(stripe) as stripe_server:
            ledger = Path(folder) / "ledger.sqlite3"
            first = asyncio.run(
                run_tracksync(
                    orders,
                    paypal_server.url,
                    stripe_server.url,
                    paypal,
                    stripe,
                    ledger=ledger,
                    rates=rates,
                    latency=args.latency,
                )
            )
            first["requests"] = {name: dict(item.kinds()) for name, item in timed.items()}
            first["share_of_rate_limit"] = {
                name: round(len(item.emulator.requests) / item.span() / rates[name], 3)
                if item.span()
                else None
                for name, item in timed.items()
            }
            first["shipments_per_second"] = round(args.shipments / first["wall_seconds"], 1)
            figures["a_first_sync"] = first

            before = {name: len(item.emulator.requests) for name, item in timed.items()}
            second = asyncio.run(
                run_tracksync(
                    orders,
                    paypal_server.url,
                    stripe_server.url,
                    paypal,
                    stripe,
                    ledger=ledger,
                    rates=rates,
                    latency=args.latency,
                )
            )
            second["requests"] = {
                name: len(item.emulator.requests) - before[name] for name, item in timed.items()
            }
            second["writes"] = {
                name: sum(1 for request in item.emulator.writes()[before[name] :])
                for name, item in timed.items()
            }
            figures["b_unchanged_rerun"] = second

        if not args.skip_baseline:
            paypal, stripe = serve_seeded(orders, settings)
            with serve(paypal) as paypal_server, serve(stripe) as stripe_server:
                baseline = run_baseline(
                    orders, paypal_server.url, stripe_server.url, paypal, stripe
                )
            baseline["requests"] = {"paypal": len(paypal.requests), "stripe": len(stripe.requests)}
            baseline["shipments_per_second"] = round(args.shipments / baseline["wall_seconds"], 1)
            figures["d_baseline"] = baseline
            figures["speedup_over_baseline"] = round(
                baseline["wall_seconds"] / first["wall_seconds"], 1
            )

    figures["c_million_unchanged"] = scenario_c(args.million)
    print(json.dumps(figures, indent=2) if args.json else _table(figures))


def _table(figures: dict[str, Any]) -> str:
    settings = figures["settings"]
    first = figures["a_first_sync"]
    second = figures["b_unchanged_rerun"]
    million = figures["c_million_unchanged"]
    lines = [
        f"machine: {figures['machine']}",
        f"settings: {settings['shipments']} shipments, {settings['packages_per_payment']} per "
        f"payment, {settings['latency_seconds'] * 1000:.0f} ms latency, rate limits "
        f"{settings['rate_limits']} (tracksync set to {settings['tracksync_rate']})",
        "",
        f"(a) first sync: {first['wall_seconds']:.1f} s, {first['shipments_per_second']} "
        f"shipments/s, {first['summary']}",
    ]
    for name, kinds in first["requests"].items():
        total = sum(kinds.values())
        lines.append(
            f"    {name}: {total} requests (minimum {figures['minimum_requests'][name]}), "
            f"{first['share_of_rate_limit'][name]:.0%} of the rate limit: {kinds}"
        )
    lines.append(
        f"(b) unchanged re-run: {second['wall_seconds']:.2f} s, requests {second['requests']}, "
        f"writes {second['writes']}"
    )
    lines.append(
        f"(c) {million['orders']:,} unchanged orders planned against a filled ledger: "
        f"{million['plan_seconds']:.1f} s, peak RSS {million['peak_rss_mb']:.0f} MB "
        f"(filling the ledger took {million['fill_seconds']:.1f} s), "
        f"{million['requests']} requests"
    )
    if "d_baseline" in figures:
        baseline = figures["d_baseline"]
        lines.append(
            f"(d) baseline, sequential official SDKs: {baseline['wall_seconds']:.1f} s, "
            f"{baseline['shipments_per_second']} shipments/s, requests {baseline['requests']}"
        )
        lines.append(f"tracksync / baseline: {figures['speedup_over_baseline']}x faster")
    return "\n".join(lines)
