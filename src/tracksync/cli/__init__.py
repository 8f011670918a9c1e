"""The ``tracksync`` command line.

Exit status: 0 when nothing failed, 1 when some rows or changes failed, 2 for a usage,
configuration or file error.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs
import platformdirs

from .._plan import Outcome, Report, Result
from .._reconciler import Reconciler
from .._version import __version__
from ..errors import ConfigurationError, InvalidInputError
from ..providers._protocol import TrackingProvider
from ..sources import ReadResult, RowError, read_csv
from ._output import render_json, render_table

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_USAGE = 2

logger = logging.getLogger("tracksync.cli")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser; its commands and flags are a stable interface."""
    parser = argparse.ArgumentParser(
        prog="tracksync",
        description="Keep shipment tracking on PayPal and Stripe payments in step with your shop.",
        epilog=(
            "Credentials come from the environment: TRACKSYNC_PAYPAL_CLIENT_ID, "
            "TRACKSYNC_PAYPAL_CLIENT_SECRET, TRACKSYNC_PAYPAL_ENVIRONMENT (sandbox or live), "
            "TRACKSYNC_STRIPE_API_KEY, and TRACKSYNC_PAYPAL_BASE_URL / "
            "TRACKSYNC_STRIPE_BASE_URL to use other servers."
        ),
    )
    parser.add_argument("--version", action="version", version=f"tracksync {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log every HTTP request to stderr"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sync = commands.add_parser(
        "sync",
        help="plan and apply the tracker changes for a CSV file",
        description=(
            "Read shipments from FILE, compare them with what PayPal and Stripe hold, and "
            "send the changes. Run with --dry-run first to see the plan."
        ),
    )
    sync.add_argument("file", type=Path, metavar="FILE", help="CSV file of shipments")
    sync.add_argument("--dry-run", action="store_true", help="print the plan and send no change")
    sync.add_argument(
        "--emulate",
        action="store_true",
        help=(
            "run against the built-in PayPal and Stripe emulators instead of the real "
            "providers, seeded with every payment the file names"
        ),
    )
    sync.add_argument(
        "--emulator-state",
        type=Path,
        metavar="PATH",
        help="JSON file that keeps the emulators' state between --emulate runs "
        "(default: a file in the user state directory)",
    )
    sync.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="output format of the report (default: table)",
    )
    _add_ledger_argument(sync)
    sync.add_argument(
        "--no-ledger",
        action="store_true",
        help="keep no ledger: read every payment and record nothing",
    )
    sync.add_argument(
        "--full",
        action="store_true",
        help="read every payment from its provider even where the ledger says nothing "
        "changed, to repair trackers changed or deleted on the provider's side",
    )
    sync.set_defaults(handler=_run_sync)

    status = commands.add_parser(
        "status",
        help="summarise the ledger: entries per state and provider, waiting and failed ones",
        description=(
            "Summarise what the ledger records, and list the failures with their last error."
        ),
    )
    _add_ledger_argument(status)
    status.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="output format (default: table)",
    )
    status.set_defaults(handler=_run_status)

    emulator = commands.add_parser(
        "emulator",
        help="serve the PayPal and Stripe emulators on 127.0.0.1 until interrupted",
        description=(
            "Serve the emulators over HTTP on 127.0.0.1, so that tracksync (through "
            "TRACKSYNC_PAYPAL_BASE_URL and TRACKSYNC_STRIPE_BASE_URL) or other programs can "
            "use them. Stop with Ctrl-C."
        ),
    )
    emulator.add_argument(
        "--seed", type=Path, metavar="FILE", help="CSV file whose payments the emulators hold"
    )
    emulator.add_argument(
        "--state",
        type=Path,
        metavar="PATH",
        help="JSON file to load the emulators' state from and save it to on exit",
    )
    emulator.add_argument(
        "--paypal-port", type=int, default=0, help="port for PayPal (default: any free port)"
    )
    emulator.add_argument(
        "--stripe-port", type=int, default=0, help="port for Stripe (default: any free port)"
    )
    emulator.set_defaults(handler=_run_emulator)
    return parser


def _add_ledger_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ledger",
        type=Path,
        metavar="PATH",
        help="SQLite ledger file (default: ledger.sqlite3 in the user data directory; with "
        "--emulate, a file next to the emulator state)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(verbose=args.verbose)
    try:
        status: int = args.handler(args)
    except (InvalidInputError, ConfigurationError) as exc:
        print(f"tracksync: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("tracksync: interrupted", file=sys.stderr)
        return 130
    return status


def _configure_logging(*, verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("tracksync")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    root.propagate = False


def _run_sync(args: argparse.Namespace) -> int:
    read = read_csv(args.file)
    with _providers(args, read) as providers:
        ledger = None if args.no_ledger else _ledger_path(args)
        with Reconciler(providers, ledger=ledger, full=args.full) as reconciler:
            plan = reconciler.plan(read.orders)
            report = Report.preview(plan) if args.dry_run else reconciler.apply(plan)

    report = _in_file_order(_input_errors(read.errors, dry_run=args.dry_run) + report, read)
    output = render_json(report) if args.format == "json" else render_table(report)
    print(output)
    return EXIT_FAILURES if report.has_failures else EXIT_OK


@contextlib.contextmanager
def _providers(args: argparse.Namespace, read: ReadResult) -> Iterator[list[TrackingProvider]]:
    if not args.emulate:
        providers = _configured_providers()
        try:
            yield providers
        finally:
            _close(providers)
        return

    from ._emulate import EmulatedProviders, default_state_path

    state_path = args.emulator_state or default_state_path()
    emulated = EmulatedProviders(state_path)
    saved = " (not saved in a dry run)" if args.dry_run else ""
    print(
        "Using the built-in emulators; nothing is sent to PayPal or Stripe. "
        f"State: {state_path}{saved}",
        file=sys.stderr,
    )
    try:
        emulated.seed(read.orders)
        yield emulated.providers()
        if not args.dry_run:
            emulated.save()
    finally:
        emulated.close()


def _ledger_path(args: argparse.Namespace) -> Path:
    if args.ledger is not None:
        return Path(args.ledger)
    if getattr(args, "emulate", False):
        from ._emulate import default_state_path

        # The emulators' ledger sits beside their state, so deleting one is seen by both.
        state_path: Path = args.emulator_state or default_state_path()
        return state_path.with_suffix(".ledger.sqlite3")
    return Path(platformdirs.user_data_dir("tracksync")) / "ledger.sqlite3"


def _run_status(args: argparse.Namespace) -> int:
    from .._ledger import SQLiteLedger
    from ._status import render_status_json, render_status_table, summarize

    path = _ledger_path(args)
    if not path.exists():
        raise InvalidInputError(
            f"There is no ledger at {path}; run tracksync sync first, or give --ledger PATH."
        )
    with SQLiteLedger(path) as ledger:
        summary = summarize(ledger.entries(), path)
    print(render_status_json(summary) if args.format == "json" else render_status_table(summary))
    return EXIT_OK


def _configured_providers() -> list[TrackingProvider]:
    from ._config import providers_from_environment

    return providers_from_environment(os.environ)


def _close(providers: Sequence[TrackingProvider]) -> None:
    for provider in providers:
        close = getattr(provider, "close", None)
        if callable(close):
            close()


def _input_errors(errors: Sequence[RowError], *, dry_run: bool) -> Report:
    return Report(
        results=(
            Result(
                order_id=error.order_id,
                provider=error.provider,
                payment_id=error.payment_id,
                tracking_number=error.tracking_number,
                outcome=Outcome.FAILED,
                error=error.message,
                line=error.line,
            )
            for error in errors
        ),
        dry_run=dry_run,
    )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _in_file_order(report: Report, read: ReadResult) -> Report:
    """Give every result its input line and sort the results by it, the others last."""
    results = [
        attrs.evolve(
            result, line=result.line or read.line_of(result.order_id, result.tracking_number)
        )
        for result in report.results
    ]
    results.sort(key=lambda result: (result.line is None, result.line or 0))
    return attrs.evolve(report, results=results)


def _run_emulator(args: argparse.Namespace) -> int:
    from ..testing import serve
    from ._emulate import EmulatedProviders

    emulated = EmulatedProviders(args.state)
    # Stop on SIGTERM as on Ctrl-C, so that the state is saved either way.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if args.seed is not None:
            emulated.seed(read_csv(args.seed).orders)
        with (
            serve(emulated.paypal, port=args.paypal_port) as paypal,
            serve(emulated.stripe, port=args.stripe_port) as stripe,
        ):
            print(f"PayPal emulator: {paypal.url}", flush=True)
            print(f"Stripe emulator: {stripe.url}", flush=True)
            print("Press Ctrl-C to stop.", file=sys.stderr, flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
        emulated.save()
    finally:
        emulated.close()
    return EXIT_OK
