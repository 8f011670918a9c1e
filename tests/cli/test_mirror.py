"""``tracksync mirror`` as a user runs it: on files, against the emulators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tracksync.cli import main
from tracksync.sources import CsvLayout, read_orders

SHIPMENTS_HEADER = "order_id,provider,payment_id,paypal_order_id,tracking_number,carrier"
PAYMENTS_HEADER = (
    "order_id,provider,payment_id,paypal_order_id,recipient_name,address_line1,city,"
    "postal_code,country"
)
PAYPAL_SHIPMENTS = (
    "3001,paypal,8MC585209K746392H,5O190127TN364715T,1Z999AA10123456784,UPS",
    "3001,paypal,8MC585209K746392H,5O190127TN364715T,RR123456785GB,Royal Mail",
    "3002,paypal,5TY05013RG002845M,,JD014600006281230923,DHL",
)
PAYMENTS = (
    "3001,paypal,8MC585209K746392H,5O190127TN364715T,,,,,",
    "3001,stripe,pi_3QxExampleA1b2C3d4,,Ada Lovelace,12 Example Road,Springfield,62701,US",
    "3002,paypal,5TY05013RG002845M,,,,,,",
    "3002,stripe,pi_3QxExampleE5f6G7h8,,Grace Hopper,4 Sample Street,Bristol,BS1 4DJ,GB",
    "3003,paypal,5TY05013RG002846N,,,,,,",
)


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "emulators.json"


@pytest.fixture
def payments(tmp_path: Path) -> Path:
    return write(tmp_path / "payments.csv", PAYMENTS_HEADER, *PAYMENTS)


@pytest.fixture
def synced(tmp_path: Path, state: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """Emulators in which PayPal has the trackers of orders 3001 and 3002."""
    shipments = write(tmp_path / "paypal.csv", SHIPMENTS_HEADER, *PAYPAL_SHIPMENTS)
    assert main(["sync", str(shipments), "--emulate", "--emulator-state", str(state), "-q"]) == 0
    capsys.readouterr()
    return state


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def mirror(
    capsys: pytest.CaptureFixture[str], state: Path, *args: str
) -> tuple[int, dict[str, Any]]:
    status = main(
        ["mirror", *args, "--emulate", "--emulator-state", str(state), "-q", "--format", "json"]
    )
    return status, json.loads(capsys.readouterr().out)


def outcomes(report: dict[str, Any]) -> list[tuple[str, str, str | None, str]]:
    return [
        (result["order_id"], result["provider"], result["tracking_number"], result["outcome"])
        for result in report["results"]
    ]


def test_payments_file_read_as_payments(payments: Path) -> None:
    read = read_orders(payments)
    assert read.layout is CsvLayout.PAYMENTS
    assert [len(order.payments) for order in read.orders] == [2, 2, 1]
    assert all(order.shipments == () for order in read.orders)
    assert read.errors == ()


def test_paypal_to_stripe_adds(
    synced: Path, payments: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = mirror(capsys, synced, "--from", "paypal", "--to", "stripe", str(payments))
    assert status == 0
    assert outcomes(report) == [
        ("3001", "stripe", "1Z999AA10123456784", "added"),
        ("3001", "stripe", "RR123456785GB", "added"),
        ("3002", "stripe", "JD014600006281230923", "added"),
        ("3003", "paypal", None, "skipped"),
    ]
    emulators = json.loads(synced.read_text())
    intents = emulators["stripe"]["state"]["payment_intents"]
    shipping = intents["pi_3QxExampleE5f6G7h8"]["shipping"]
    assert shipping["tracking_number"] == "JD014600006281230923"
    assert shipping["carrier"] == "DHL Express"


def test_results_on_payment_lines(
    synced: Path, payments: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, report = mirror(capsys, synced, "--from", "paypal", "--to", "stripe", str(payments))
    assert [result["line"] for result in report["results"]] == [3, 3, 5, 6]


def test_skipped_order_names_fix(
    synced: Path, payments: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, report = mirror(capsys, synced, "--from", "paypal", "--to", "stripe", str(payments))
    skipped = report["results"][-1]
    assert skipped["discrepancy"] == "no_mirror_payment"
    assert "List the order's stripe payment with it" in skipped["reason"]


def test_second_run_unchanged(
    synced: Path, payments: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirror(capsys, synced, "--from", "paypal", "--to", "stripe", str(payments))
    status, report = mirror(capsys, synced, "--from", "paypal", "--to", "stripe", str(payments))
    assert status == 0
    assert report["summary"]["unchanged"] == 3
    assert report["summary"]["added"] == 0


def test_dry_run_writes_nothing(
    synced: Path, payments: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = synced.read_text()
    status, report = mirror(
        capsys, synced, "--from", "paypal", "--to", "stripe", str(payments), "--dry-run"
    )
    assert status == 0
    assert report["dry_run"] is True
    assert report["summary"]["added"] == 3
    assert synced.read_text() == before


def test_stripe_back_to_paypal_unchanged(
    synced: Path, payments: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirror(capsys, synced, "--from", "paypal", "--to", "stripe", str(payments))
    status, report = mirror(capsys, synced, "--from", "stripe", "--to", "paypal", str(payments))
    assert status == 0
    assert report["summary"]["unchanged"] == 3
    assert report["summary"]["added"] == 0


def test_nothing_held_skipped(
    state: Path, payments: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = mirror(capsys, state, "--from", "paypal", "--to", "stripe", str(payments))
    assert status == 0
    assert [result["discrepancy"] for result in report["results"]] == [
        "nothing_to_mirror",
        "nothing_to_mirror",
        "no_mirror_payment",
    ]


def test_file_with_shipments_accepted(
    synced: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The shop's own packages are ignored: the mirror copies what PayPal has.
    both = write(
        tmp_path / "both.csv",
        SHIPMENTS_HEADER + ",recipient_name,address_line1,country",
        "3001,paypal,8MC585209K746392H,5O190127TN364715T,OTHER123,DHL,Ada,1 Road,US",
        "3001,stripe,pi_3QxExampleA1b2C3d4,,OTHER123,DHL,Ada,1 Road,US",
    )
    _, report = mirror(capsys, synced, "--from", "paypal", "--to", "stripe", str(both))
    assert [result["tracking_number"] for result in report["results"]] == [
        "1Z999AA10123456784",
        "RR123456785GB",
    ]


def test_same_provider_exit_2(payments: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["mirror", "--from", "stripe", "--to", "stripe", str(payments), "--emulate"])
    assert status == 2
    assert "--from and --to are both stripe" in capsys.readouterr().err


def test_unknown_provider_exit_2(payments: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["mirror", "--from", "square", "--to", "stripe", str(payments)])
    assert exc.value.code == 2
    capsys.readouterr()


def test_sync_rejects_payments_file(payments: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", str(payments), "--emulate"]) == 2
    error = capsys.readouterr().err
    assert "no tracking_number and carrier columns" in error
    assert "tracksync mirror" in error


def test_reconcile_rejects_payments_file(
    payments: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reconcile", str(payments), "--emulate"]) == 2
    assert "tracksync reconcile" in capsys.readouterr().err


def test_provider_names_any_case(
    synced: Path, payments: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = mirror(capsys, synced, "--from", "PayPal", "--to", "STRIPE", str(payments))
    assert status == 0
    assert report["summary"]["added"] == 3


def test_unconfigured_target_exit_2(
    payments: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Only PayPal has credentials; the requests would go to a port nothing listens on.
    monkeypatch.setenv("TRACKSYNC_PAYPAL_CLIENT_ID", "client")
    monkeypatch.setenv("TRACKSYNC_PAYPAL_CLIENT_SECRET", "secret")
    monkeypatch.setenv("TRACKSYNC_PAYPAL_BASE_URL", "http://127.0.0.1:9")
    assert main(["mirror", "--from", "paypal", "--to", "stripe", str(payments), "-q"]) == 2
    assert "target 'stripe' is not the name of a configured provider" in capsys.readouterr().err
