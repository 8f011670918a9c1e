"""The ``tracksync`` command line.

Exit status: 0 when nothing failed, 1 when some rows or changes failed, 2 for a usage,
configuration or file error.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import platformdirs

from .._version import __version__
from ..errors import ConfigurationError, InvalidInputError
from ..sources import INPUT_FORMATS, read_orders

#: The providers that ``mirror`` copies between.
PROVIDERS = ("paypal", "stripe")

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
    _add_run_arguments(sync)
    sync.set_defaults(handler=_run_sync)

    mirror = commands.add_parser(
        "mirror",
        help="copy one provider's trackers onto the order's payment at the other",
        description=(
            "For each order in FILE that names a payment at both providers, read the "
            "trackers the --from provider holds and plan the same packages onto the --to "
            "payment, with the carrier in the target's form; then send the changes as sync "
            "does. FILE may list payments only (the tracksync CSV layout without "
            "tracking_number and carrier); its shipments are not used. Run with --dry-run "
            "first to see the plan."
        ),
    )
    mirror.add_argument(
        "--from",
        dest="source",
        required=True,
        type=str.lower,
        choices=PROVIDERS,
        help="the provider whose trackers are copied",
    )
    mirror.add_argument(
        "--to",
        dest="target",
        required=True,
        type=str.lower,
        choices=PROVIDERS,
        help="the provider whose payments receive them",
    )
    mirror.add_argument("file", type=Path, metavar="FILE", help="file of orders and payments")
    _add_run_arguments(mirror)
    mirror.set_defaults(handler=_run_sync)

    reconcile = commands.add_parser(
        "reconcile",
        help="list where the shop, PayPal and Stripe disagree, writing nothing",
        description=(
            "Read every payment the file names from its provider and list each "
            "disagreement: missing or extra trackers, carrier or status differences, payments "
            "not found or not captured, and orders whose PayPal and Stripe payments differ. "
            "Sends no write and does not use the ledger. Exits with status 1 when anything "
            "disagrees."
        ),
    )
    reconcile.add_argument("file", type=Path, metavar="FILE", help="file of orders")
    reconcile.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="output format (default: table)",
    )
    _add_input_arguments(reconcile)
    reconcile.add_argument(
        "--carrier-overrides", type=Path, metavar="FILE", help="overrides file, as for sync"
    )
    reconcile.add_argument(
        "--emulate", action="store_true", help="read the built-in emulators, as for sync"
    )
    reconcile.add_argument(
        "--emulator-state", type=Path, metavar="PATH", help="emulator state file, as for sync"
    )
    reconcile.add_argument("-q", "--quiet", action="store_true", help="print no notes on stderr")
    reconcile.set_defaults(handler=_run_reconcile)

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

    carriers = commands.add_parser(
        "carriers",
        help="explain how a carrier name maps to PayPal's codes and Stripe's name",
        description=(
            "Show the carrier tracksync finds for TEXT, its PayPal v1 and Orders v2 codes, "
            "the name sent to Stripe, and why."
        ),
    )
    carriers.add_argument("text", metavar="TEXT", help="the carrier as the shop writes it")
    carriers.add_argument(
        "--tracking-number", metavar="NUMBER", help="a tracking number, to check or decide"
    )
    carriers.add_argument(
        "--country", metavar="CODE", help="ISO 3166-1 alpha-2 country the parcel ships from"
    )
    carriers.add_argument(
        "--carrier-overrides", type=Path, metavar="FILE", help="overrides file, as for sync"
    )
    carriers.add_argument(
        "--format", choices=("table", "json"), default="table", help="output format"
    )
    carriers.set_defaults(handler=_run_carriers)

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
        "--seed", type=Path, metavar="FILE", help="file of orders whose payments the emulators hold"
    )
    _add_input_arguments(emulator)
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


def _add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the flags that ``sync`` and ``mirror`` share."""
    parser.add_argument("--dry-run", action="store_true", help="print the plan and send no change")
    parser.add_argument(
        "--emulate",
        action="store_true",
        help=(
            "run against the built-in PayPal and Stripe emulators instead of the real "
            "providers, seeded with every payment the file names"
        ),
    )
    parser.add_argument(
        "--emulator-state",
        type=Path,
        metavar="PATH",
        help="JSON file that keeps the emulators' state between --emulate runs "
        "(default: a file in the user state directory)",
    )
    parser.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="output format of the report (default: table)",
    )
    _add_input_arguments(parser)
    parser.add_argument(
        "--carrier-overrides",
        type=Path,
        metavar="FILE",
        help="CSV (name,carrier) or JSON file mapping the shop's carrier names to carriers "
        "or PayPal codes, applied before tracksync's own rules",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="show no progress and no notes on stderr; errors are still shown",
    )
    _add_ledger_argument(parser)
    parser.add_argument(
        "--no-ledger",
        action="store_true",
        help="keep no ledger: read every payment and record nothing",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="read every payment from its provider even where the ledger says nothing "
        "changed, to repair trackers changed or deleted on the provider's side",
    )


def _add_input_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--input-format",
        choices=INPUT_FORMATS,
        help="the file's format (default: detected from its header or shape)",
    )
    parser.add_argument(
        "--fulfillments",
        type=Path,
        metavar="PATH",
        help="for a Shopify order export: the fulfillments CSV or Admin API JSON with the "
        "tracking numbers",
    )


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
    except BrokenPipeError:
        # The reader of stdout went away, as with ``| head``. Point stdout at devnull so
        # that Python's flush at exit does not print a traceback.
        _silence_stdout()
        return EXIT_FAILURES
    return status


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        # A stdout without a file descriptor (replaced by the caller) needs no silencing.
        pass


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is when a record comes, not when it was made.

    Tests and callers may swap ``sys.stderr`` between runs of :func:`main`.
    """

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def _configure_logging(*, verbose: bool) -> None:
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("tracksync")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    root.propagate = False


def _run_sync(args: argparse.Namespace) -> int:
    from ._sync import run_sync

    if getattr(args, "source", None) is not None and args.source == args.target:
        raise InvalidInputError(
            f"--from and --to are both {args.source}; mirroring copies trackers from one "
            "provider to the other, such as --from paypal --to stripe."
        )
    ledger = None if args.no_ledger else _ledger_path(args)
    failed = run_sync(args, ledger=ledger)
    return EXIT_FAILURES if failed else EXIT_OK


def _run_reconcile(args: argparse.Namespace) -> int:
    from ._reconcile import run_reconcile

    return EXIT_FAILURES if run_reconcile(args) else EXIT_OK


def _run_carriers(args: argparse.Namespace) -> int:
    from ._carriers import explain

    print(explain(args))
    return EXIT_OK


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


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _run_emulator(args: argparse.Namespace) -> int:
    from ..testing import serve
    from ._emulate import EmulatedProviders

    emulated = EmulatedProviders(args.state)
    if args.seed is not None:
        read = read_orders(
            args.seed, input_format=args.input_format, fulfillments=args.fulfillments
        )
        emulated.seed(read.orders)
    # Stop on SIGTERM as on Ctrl-C, so that the state is saved either way.
    signal.signal(signal.SIGTERM, _interrupt)
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
    return EXIT_OK
