"""The public API is exactly what ``tracksync.__all__`` lists."""

from __future__ import annotations

import subprocess
import sys

import tracksync
import tracksync.errors
import tracksync.sources


def test_all_is_sorted() -> None:
    assert tracksync.__all__ == sorted(tracksync.__all__)


def test_all_lists_every_public_name() -> None:
    public = {
        name
        for name, value in vars(tracksync).items()
        if not name.startswith("_") and not isinstance(value, type(sys))
    }
    assert public == set(tracksync.__all__) - {"__version__"}


def test_required_names_exported() -> None:
    required = {
        "Order",
        "PaymentRef",
        "Shipment",
        "Item",
        "Address",
        "Reconciler",
        "Plan",
        "Report",
        "TrackingProvider",
    }
    assert required <= set(tracksync.__all__)


def test_every_error_exported() -> None:
    errors = {
        name
        for name, value in vars(tracksync.errors).items()
        if isinstance(value, type) and issubclass(value, Exception)
    }
    assert errors <= set(tracksync.__all__)


def test_sources_all_is_sorted() -> None:
    assert tracksync.sources.__all__ == sorted(tracksync.sources.__all__)


def test_core_imports_no_http() -> None:
    code = (
        "import sys, tracksync, tracksync.sources; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'httpx', 'httpcore'}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"
