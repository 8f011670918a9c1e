"""``tracksync sync`` as a user runs it: on files, against the emulators."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from spec_validation import validate_request
from tracksync.cli import main
from tracksync.testing import PayPalEmulator, StripeEmulator, serve

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "shipments.csv"
PROBLEMS = REPO / "examples" / "problems.csv"
HEADER = (
    "order_id,provider,payment_id,paypal_order_id,tracking_number,carrier,"
    "recipient_name,address_line1,country"
)


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    status = main(["sync", *args, "--format", "json"])
    return status, json.loads(capsys.readouterr().out)


def test_emulate_adds_example(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = run_json(
        capsys, str(EXAMPLE), "--emulate", "--emulator-state", str(tmp_path / "s.json")
    )
    assert status == 0
    assert report["summary"] == {
        "added": 6,
        "updated": 0,
        "cancelled": 0,
        "unchanged": 0,
        "skipped": 0,
        "failed": 0,
    }


def test_emulate_second_run_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "s.json"
    run_json(capsys, str(EXAMPLE), "--emulate", "--emulator-state", str(state))
    status, report = run_json(capsys, str(EXAMPLE), "--emulate", "--emulator-state", str(state))
    assert status == 0
    assert report["summary"]["unchanged"] == 6
    assert report["summary"]["added"] == 0


def test_emulate_second_run_sends_no_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "s.json"
    run_json(capsys, str(EXAMPLE), "--emulate", "--emulator-state", str(state))
    first = json.loads(state.read_text())
    run_json(capsys, str(EXAMPLE), "--emulate", "--emulator-state", str(state))
    second = json.loads(state.read_text())
    # Tokens change with every run; orders and PaymentIntents change only with a write.
    assert second["paypal"]["state"]["orders"] == first["paypal"]["state"]["orders"]
    assert (
        second["stripe"]["state"]["payment_intents"] == first["stripe"]["state"]["payment_intents"]
    )


def test_report_result_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, report = run_json(
        capsys, str(EXAMPLE), "--emulate", "--emulator-state", str(tmp_path / "s.json")
    )
    assert set(report) == {
        "dry_run",
        "summary",
        "account_errors",
        "unmapped_carriers",
        "results",
    }
    assert set(report["results"][0]) == {
        "order_id",
        "provider",
        "account",
        "payment_id",
        "tracking_number",
        "outcome",
        "reason",
        "error",
        "discrepancy",
        "tracker_id",
        "line",
    }
    assert report["results"][0]["tracker_id"] == "8MC585209K746392H-1Z999AA10123456784"


def test_dry_run_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "s.json"
    status, report = run_json(
        capsys, str(EXAMPLE), "--emulate", "--emulator-state", str(state), "--dry-run"
    )
    assert status == 0
    assert report["dry_run"] is True
    assert report["summary"]["added"] == 6
    assert not state.exists()


def test_dry_run_table_says_to_add(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(
        [
            "sync",
            str(EXAMPLE),
            "--emulate",
            "--emulator-state",
            str(tmp_path / "s.json"),
            "--dry-run",
        ]
    )
    output = capsys.readouterr().out
    assert "to add" in output.splitlines()[1]
    assert output.splitlines()[-1] == (
        "Dry run, nothing was sent: 6 to add, 0 to update, 0 to cancel, 0 unchanged, "
        "0 skipped, 0 failed."
    )


def test_table_lists_every_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["sync", str(EXAMPLE), "--emulate", "--emulator-state", str(tmp_path / "s.json")])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "LINE",
        "ORDER",
        "PROVIDER",
        "PAYMENT",
        "TRACKING",
        "OUTCOME",
        "DETAIL",
    ]
    assert len(lines) == 1 + 6 + 2
    assert lines[-1] == "6 added, 0 updated, 0 cancelled, 0 unchanged, 0 skipped, 0 failed."


def test_bad_rows_reported_others_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = run_json(
        capsys, str(PROBLEMS), "--emulate", "--emulator-state", str(tmp_path / "s.json")
    )
    assert status == 1
    outcomes = {result["order_id"]: result["outcome"] for result in report["results"]}
    assert outcomes == {
        "2001": "added",
        "2002": "added",
        "2003": "failed",
        "2004": "failed",
        "2005": "failed",
        "2006": "skipped",
        "2007": "failed",
        "2008": "failed",
    }


def test_bad_row_error_names_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, report = run_json(
        capsys, str(PROBLEMS), "--emulate", "--emulator-state", str(tmp_path / "s.json")
    )
    errors = {result["order_id"]: result["error"] for result in report["results"]}
    assert (
        errors["2005"]
        == "Line 6 (order 2005): tracking_number is empty; fill it in or remove the row."
    )
    assert errors["2003"] == (
        "Line 4 (order 2003): provider 'square' is not supported; use one of paypal, stripe."
    )


def test_missing_recipient_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, report = run_json(
        capsys, str(PROBLEMS), "--emulate", "--emulator-state", str(tmp_path / "s.json")
    )
    skipped = next(result for result in report["results"] if result["order_id"] == "2006")
    assert skipped["discrepancy"] == "missing_recipient"
    assert "recipient_name" in skipped["reason"]


def test_no_credentials_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["sync", str(EXAMPLE)])
    assert status == 2
    assert "TRACKSYNC_STRIPE_API_KEY" in capsys.readouterr().err


def test_half_paypal_credentials_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRACKSYNC_PAYPAL_CLIENT_ID", "id")
    status = main(["sync", str(EXAMPLE)])
    assert status == 2
    assert "TRACKSYNC_PAYPAL_CLIENT_SECRET is not set" in capsys.readouterr().err


def test_unknown_environment_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRACKSYNC_STRIPE_API_KEY", "sk_test_x")
    monkeypatch.setenv("TRACKSYNC_PAYPAL_ENVIRONMENT", "production")
    assert main(["sync", str(EXAMPLE)]) == 2
    assert "set it to sandbox or live" in capsys.readouterr().err


def test_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", str(tmp_path / "none.csv"), "--emulate"]) == 2
    assert "Cannot read" in capsys.readouterr().err


def test_unknown_header_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("Name,Email\n#1001,ada@example.com\n")
    assert main(["sync", str(path), "--emulate", "--emulator-state", str(tmp_path / "s.json")]) == 2
    assert "is in none of the formats tracksync reads" in capsys.readouterr().err


def test_unknown_flag_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["sync", str(EXAMPLE), "--client-secret", "x"])
    assert exit_info.value.code == 2


def test_corrupt_state_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "s.json"
    state.write_text("{not json")
    assert main(["sync", str(EXAMPLE), "--emulate", "--emulator-state", str(state)]) == 2
    assert "delete the file" in capsys.readouterr().err


@pytest.fixture
def served() -> Iterator[tuple[PayPalEmulator, StripeEmulator, str, str]]:
    paypal = PayPalEmulator(client_id="shop-client", client_secret="shop-secret-value")
    paypal.add_order("5O190127TN364715T", captures={"8MC585209K746392H": "COMPLETED"})
    paypal.add_order("7XK21695MM4437319", captures={"3C679366HH908993F": "COMPLETED"})
    stripe = StripeEmulator(api_key="sk_test_shopkeyvalue")
    stripe.add_payment_intent("pi_3QxExampleA1b2C3d4")
    stripe.add_payment_intent("pi_3QxExampleE5f6G7h8")
    with serve(paypal) as paypal_server, serve(stripe) as stripe_server:
        yield paypal, stripe, paypal_server.url, stripe_server.url
    for sent in paypal.requests + stripe.requests:
        validate_request(sent)


def use_served(monkeypatch: pytest.MonkeyPatch, paypal_url: str, stripe_url: str) -> None:
    monkeypatch.setenv("TRACKSYNC_PAYPAL_CLIENT_ID", "shop-client")
    monkeypatch.setenv("TRACKSYNC_PAYPAL_CLIENT_SECRET", "shop-secret-value")
    monkeypatch.setenv("TRACKSYNC_PAYPAL_BASE_URL", paypal_url)
    monkeypatch.setenv("TRACKSYNC_STRIPE_API_KEY", "sk_test_shopkeyvalue")
    monkeypatch.setenv("TRACKSYNC_STRIPE_BASE_URL", stripe_url)


def test_credentials_from_environment(
    served: tuple[PayPalEmulator, StripeEmulator, str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, _, paypal_url, stripe_url = served
    use_served(monkeypatch, paypal_url, stripe_url)
    status, report = run_json(capsys, str(EXAMPLE))
    assert status == 0
    assert report["summary"]["added"] == 6
    status, report = run_json(capsys, str(EXAMPLE))
    assert report["summary"]["unchanged"] == 6


def test_served_rerun_sends_no_write(
    served: tuple[PayPalEmulator, StripeEmulator, str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    paypal, stripe, paypal_url, stripe_url = served
    use_served(monkeypatch, paypal_url, stripe_url)
    run_json(capsys, str(EXAMPLE))
    writes = len(paypal.writes()) + len(stripe.writes())
    run_json(capsys, str(EXAMPLE))
    assert len(paypal.writes()) + len(stripe.writes()) == writes


def test_secrets_never_printed(
    served: tuple[PayPalEmulator, StripeEmulator, str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, _, paypal_url, stripe_url = served
    use_served(monkeypatch, paypal_url, stripe_url)
    monkeypatch.setenv("TRACKSYNC_STRIPE_API_KEY", "sk_test_wrongkeyvalue")
    main(["-v", "sync", str(EXAMPLE), "--format", "json"])
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "shop-secret-value" not in output
    assert "sk_test_wrongkeyvalue" not in output
    assert "12 Example Road" not in output


def test_wrong_stripe_key_one_account_error(
    served: tuple[PayPalEmulator, StripeEmulator, str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, stripe, paypal_url, stripe_url = served
    use_served(monkeypatch, paypal_url, stripe_url)
    monkeypatch.setenv("TRACKSYNC_STRIPE_API_KEY", "sk_test_wrongkeyvalue")
    status, report = run_json(capsys, str(EXAMPLE))
    assert status == 1
    assert [issue["provider"] for issue in report["account_errors"]] == ["stripe"]
    stripe_outcomes = {r["outcome"] for r in report["results"] if r["provider"] == "stripe"}
    paypal_outcomes = {r["outcome"] for r in report["results"] if r["provider"] == "paypal"}
    assert stripe_outcomes == {"skipped"}
    assert paypal_outcomes == {"added"}
    # Reads run concurrently, so both were in flight; no write followed the rejection.
    assert stripe.writes() == []


def test_only_stripe_configured(
    served: tuple[PayPalEmulator, StripeEmulator, str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, _, _, stripe_url = served
    monkeypatch.setenv("TRACKSYNC_STRIPE_API_KEY", "sk_test_shopkeyvalue")
    monkeypatch.setenv("TRACKSYNC_STRIPE_BASE_URL", stripe_url)
    status, report = run_json(capsys, str(EXAMPLE))
    assert status == 0
    paypal_results = [r for r in report["results"] if r["provider"] == "paypal"]
    assert {r["discrepancy"] for r in paypal_results} == {"no_provider"}
    assert {r["outcome"] for r in paypal_results} == {"skipped"}


def test_custom_csv_with_cancel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "s.json"
    shipped = tmp_path / "shipped.csv"
    shipped.write_text(
        f"{HEADER},status\n"
        "1,paypal,CAP1,ORDER1,TN1,UPS,,,,SHIPPED\n"
        "2,stripe,pi_1,,TN2,DHL,Ada,1 Main St,GB,\n"
    )
    run_json(capsys, str(shipped), "--emulate", "--emulator-state", str(state))
    cancelled = tmp_path / "cancelled.csv"
    cancelled.write_text(
        f"{HEADER},status\n"
        "1,paypal,CAP1,ORDER1,TN1,UPS,,,,CANCELLED\n"
        "2,stripe,pi_1,,TN2,DHL,Ada,1 Main St,GB,CANCELLED\n"
    )
    status, report = run_json(capsys, str(cancelled), "--emulate", "--emulator-state", str(state))
    assert status == 0
    assert report["summary"]["cancelled"] == 2


def test_results_in_file_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, report = run_json(
        capsys, str(PROBLEMS), "--emulate", "--emulator-state", str(tmp_path / "s.json")
    )
    assert [result["line"] for result in report["results"]] == [2, 3, 4, 5, 6, 7, 8, 9]


def test_provider_error_has_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, report = run_json(
        capsys, str(PROBLEMS), "--emulate", "--emulator-state", str(tmp_path / "s.json")
    )
    charge = next(result for result in report["results"] if result["order_id"] == "2007")
    assert charge["line"] == 8
    assert charge["discrepancy"] == "invalid_payment"


def test_dry_run_says_state_not_saved(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(
        [
            "sync",
            str(EXAMPLE),
            "--emulate",
            "--emulator-state",
            str(tmp_path / "s.json"),
            "--dry-run",
        ]
    )
    assert "not saved in a dry run)" in capsys.readouterr().err


def test_ledger_run_sends_no_request(
    served: tuple[PayPalEmulator, StripeEmulator, str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    paypal, stripe, paypal_url, stripe_url = served
    use_served(monkeypatch, paypal_url, stripe_url)
    run_json(capsys, str(EXAMPLE))
    requests = len(paypal.requests) + len(stripe.requests)
    status, report = run_json(capsys, str(EXAMPLE))
    assert status == 0
    assert report["summary"]["unchanged"] == 6
    assert len(paypal.requests) + len(stripe.requests) == requests


def test_full_run_reads_providers(
    served: tuple[PayPalEmulator, StripeEmulator, str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    paypal, stripe, paypal_url, stripe_url = served
    use_served(monkeypatch, paypal_url, stripe_url)
    run_json(capsys, str(EXAMPLE))
    reads = len(paypal.requests) + len(stripe.requests)
    writes = len(paypal.writes()) + len(stripe.writes())
    run_json(capsys, str(EXAMPLE), "--full")
    assert len(paypal.requests) + len(stripe.requests) > reads
    assert len(paypal.writes()) + len(stripe.writes()) == writes


def test_no_ledger_reads_providers(
    served: tuple[PayPalEmulator, StripeEmulator, str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    paypal, stripe, paypal_url, stripe_url = served
    use_served(monkeypatch, paypal_url, stripe_url)
    run_json(capsys, str(EXAMPLE), "--no-ledger")
    reads = len(paypal.requests) + len(stripe.requests)
    run_json(capsys, str(EXAMPLE), "--no-ledger")
    assert len(paypal.requests) + len(stripe.requests) > reads
    assert not (tmp_path / "data" / "tracksync" / "ledger.sqlite3").exists()


def test_default_ledger_in_data_dir(
    served: tuple[PayPalEmulator, StripeEmulator, str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    _, _, paypal_url, stripe_url = served
    use_served(monkeypatch, paypal_url, stripe_url)
    run_json(capsys, str(EXAMPLE))
    assert (tmp_path / "data" / "tracksync" / "ledger.sqlite3").is_file()


def test_status_after_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "s.json"
    run_json(capsys, str(PROBLEMS), "--emulate", "--emulator-state", str(state))
    status = main(["status", "--ledger", str(tmp_path / "s.ledger.sqlite3"), "--format", "json"])
    summary = json.loads(capsys.readouterr().out)
    assert status == 0
    assert summary["counts"]["applied"] == {"paypal": 2}
    assert summary["failures"] == []


def test_status_lists_failures(
    served: tuple[PayPalEmulator, StripeEmulator, str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    _, stripe, paypal_url, stripe_url = served
    use_served(monkeypatch, paypal_url, stripe_url)
    stripe.inject_fault(
        500,
        body={"error": {"type": "api_error", "message": "Something went wrong."}},
        method="POST",
        times=10,
    )
    run_json(capsys, str(EXAMPLE))
    main(["status"])
    output = capsys.readouterr().out
    assert "Failures (3):" in output
    assert "order 1003, stripe payment pi_3QxExampleA1b2C3d4" in output


def test_status_without_ledger_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--ledger", str(tmp_path / "none.sqlite3")]) == 2
    assert "There is no ledger at" in capsys.readouterr().err


def test_csv_format_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        [
            "sync",
            str(EXAMPLE),
            "--emulate",
            "--emulator-state",
            str(tmp_path / "s.json"),
            "--format",
            "csv",
        ]
    )
    lines = capsys.readouterr().out.splitlines()
    assert status == 0
    assert lines[0].split(",")[:3] == ["line", "order_id", "provider"]
    assert len(lines) == 1 + 6


def test_shopify_export_with_fulfillments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shopify = REPO / "examples" / "shopify"
    status, report = run_json(
        capsys,
        str(shopify / "orders_export.csv"),
        "--fulfillments",
        str(shopify / "fulfillments.csv"),
        "--emulate",
        "--emulator-state",
        str(tmp_path / "s.json"),
    )
    outcomes = [result["outcome"] for result in report["results"]]
    assert status == 1
    assert outcomes.count("added") == 3
    assert "skipped" in outcomes


def test_input_format_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        [
            "sync",
            str(EXAMPLE),
            "--input-format",
            "woocommerce",
            "--emulate",
            "--emulator-state",
            str(tmp_path / "s.json"),
        ]
    )
    assert status == 2
    assert "woocommerce" in capsys.readouterr().err.lower()


def test_unmapped_carriers_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "orders.csv"
    source.write_text(
        f"{HEADER}\n1,paypal,CAP1,ORDER1,TN1,Kurier Nowak,,,\n2,paypal,CAP2,ORDER2,TN2,UPS,,,\n"
    )
    _, report = run_json(capsys, str(source), "--emulate", "--emulator-state", str(tmp_path / "s"))
    assert report["unmapped_carriers"] == [{"carrier": "Kurier Nowak", "packages": 1}]


def test_carrier_overrides_applied(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "orders.csv"
    source.write_text(f"{HEADER}\n1,paypal,CAP1,ORDER1,TN1,Kurier Nowak,,,\n")
    overrides = tmp_path / "carriers.csv"
    overrides.write_text("name,carrier\nKurier Nowak,dpd-pl\n")
    _, report = run_json(
        capsys,
        str(source),
        "--carrier-overrides",
        str(overrides),
        "--emulate",
        "--emulator-state",
        str(tmp_path / "s"),
    )
    assert report["unmapped_carriers"] == []
    assert report["summary"]["added"] == 1


def test_quiet_prints_no_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["sync", str(EXAMPLE), "--emulate", "--emulator-state", str(tmp_path / "s"), "-q"])
    assert capsys.readouterr().err == ""


def test_carriers_command_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["carriers", "royal mail tracked 48"]) == 0
    output = capsys.readouterr().out
    assert "PayPal v1:        ROYAL_MAIL" in output
    assert "Stripe carrier:   Royal Mail" in output


def test_carriers_command_json(capsys: pytest.CaptureFixture[str]) -> None:
    main(["carriers", "Kurier Nowak", "--format", "json"])
    facts = json.loads(capsys.readouterr().out)
    assert facts["paypal_v1"] == {"carrier": "OTHER", "carrier_name_other": "Kurier Nowak"}
    assert facts["confidence"] == "unknown"


def test_carriers_command_bad_country(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["carriers", "DPD", "--country", "Germany"]) == 2
    assert "Germany" in capsys.readouterr().err


class _ClosedPipe:
    """A stdout whose reader has gone away, as with ``tracksync sync ... | head``."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_closed_stdout_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdout", _ClosedPipe())
    status = main(
        ["sync", str(EXAMPLE), "--emulate", "--emulator-state", str(tmp_path / "s.json"), "-q"]
    )
    assert status == 1
