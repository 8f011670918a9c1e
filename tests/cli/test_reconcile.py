"""``tracksync reconcile`` as a user runs it: on files, against the emulators."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tracksync.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "shipments.csv"
PROBLEMS = REPO / "examples" / "problems.csv"
HEADER = (
    "order_id,provider,payment_id,paypal_order_id,tracking_number,carrier,"
    "recipient_name,address_line1,country"
)
PAYPAL = "8MC585209K746392H,5O190127TN364715T"
STRIPE = "pi_3QxExampleA1b2C3d4,"
ADDRESS = "Ada Lovelace,12 Example Road,US"


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "emulators.json"


def sync(path: Path, state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", str(path), "--emulate", "--emulator-state", str(state), "-q"]) == 0
    capsys.readouterr()


def reconcile(
    capsys: pytest.CaptureFixture[str], path: Path, state: Path, *args: str
) -> tuple[int, str]:
    status = main(
        ["reconcile", str(path), "--emulate", "--emulator-state", str(state), "-q", *args]
    )
    return status, capsys.readouterr().out


def reconcile_json(
    capsys: pytest.CaptureFixture[str], path: Path, state: Path
) -> tuple[int, dict[str, Any]]:
    status, out = reconcile(capsys, path, state, "--format", "json")
    return status, json.loads(out)


def edited(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = EXAMPLE.read_text()
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "edited.csv"
    path.write_text(text)
    return path


def write(tmp_path: Path, name: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join((HEADER, *rows)) + "\n")
    return path


def test_everything_matches_exit_0(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sync(EXAMPLE, state, capsys)
    status, report = reconcile_json(capsys, EXAMPLE, state)
    assert status == 0
    assert report["matched"] == 6
    assert report["findings"] == []
    assert set(report["counts"].values()) == {0}


def test_before_sync_all_missing(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = reconcile_json(capsys, EXAMPLE, state)
    assert status == 1
    assert report["counts"]["missing_on_provider"] == 6
    assert [finding["line"] for finding in report["findings"]] == [2, 3, 4, 5, 6, 7]


def test_counts_name_every_kind(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, report = reconcile_json(capsys, EXAMPLE, state)
    assert sorted(report["counts"]) == sorted(
        [
            "missing_on_provider",
            "not_in_shop",
            "number_differs",
            "carrier_differs",
            "status_differs",
            "payment_not_found",
            "capture_not_completed",
            "providers_differ",
            "not_checked",
        ]
    )


def test_carrier_differs(tmp_path: Path, state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sync(EXAMPLE, state, capsys)
    path = edited(tmp_path, ("9400111899560000000000,USPS", "9400111899560000000000,UPS"))
    status, report = reconcile_json(capsys, path, state)
    assert status == 1
    [finding] = report["findings"]
    assert finding["kind"] == "carrier_differs"
    assert (finding["shop"], finding["provider_value"]) == ("UPS", "USPS")
    assert finding["order_id"] == "1003"
    assert finding["line"] == 5


def test_status_differs(tmp_path: Path, state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sync(EXAMPLE, state, capsys)
    path = edited(
        tmp_path, ("JD014600006281230930,DHL,DELIVERED", "JD014600006281230930,DHL,SHIPPED")
    )
    _, report = reconcile_json(capsys, path, state)
    [finding] = report["findings"]
    assert finding["kind"] == "status_differs"
    assert (finding["shop"], finding["provider_value"]) == ("SHIPPED", "DELIVERED")


def test_tracker_not_in_shop(
    tmp_path: Path, state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sync(EXAMPLE, state, capsys)
    lines = EXAMPLE.read_text().splitlines(keepends=True)
    path = tmp_path / "fewer.csv"
    path.write_text("".join(line for line in lines if "1Z999AA10123456791" not in line))
    _, report = reconcile_json(capsys, path, state)
    [finding] = report["findings"]
    assert finding["kind"] == "not_in_shop"
    assert finding["tracking_number"] == "1Z999AA10123456791"
    assert finding["payment_id"] == "8MC585209K746392H"


def test_providers_differ(tmp_path: Path, state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # PayPal has two packages of order 3001 and Stripe has one. The shop lists both for both.
    sync(
        write(
            tmp_path,
            "paypal.csv",
            f"3001,paypal,{PAYPAL},1Z999AA10123456784,UPS,,,",
            f"3001,paypal,{PAYPAL},1Z999AA10123456791,UPS,,,",
        ),
        state,
        capsys,
    )
    sync(
        write(tmp_path, "stripe.csv", f"3001,stripe,{STRIPE},1Z999AA10123456784,UPS,{ADDRESS}"),
        state,
        capsys,
    )
    both = write(
        tmp_path,
        "both.csv",
        f"3001,paypal,{PAYPAL},1Z999AA10123456784,UPS,{ADDRESS}",
        f"3001,stripe,{STRIPE},1Z999AA10123456791,UPS,{ADDRESS}",
    )
    _, report = reconcile_json(capsys, both, state)
    kinds = {finding["kind"]: finding for finding in report["findings"]}
    assert set(kinds) == {"providers_differ", "missing_on_provider"}
    assert "only on the first: 1Z999AA10123456791" in kinds["providers_differ"]["message"]
    assert kinds["missing_on_provider"]["provider"] == "stripe"


def test_writes_nothing(tmp_path: Path, state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sync(EXAMPLE, state, capsys)
    before = json.loads(state.read_text())
    path = edited(tmp_path, ("9400111899560000000000,USPS", "9400111899560000000000,UPS"))
    reconcile(capsys, path, state)
    reconcile(capsys, PROBLEMS, state)
    after = json.loads(state.read_text())
    assert after["paypal"]["state"]["orders"] == before["paypal"]["state"]["orders"]
    assert after["stripe"] == before["stripe"]


def test_bad_rows_not_checked_others_checked(
    state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = reconcile_json(capsys, PROBLEMS, state)
    assert status == 1
    by_line = {finding["line"]: finding for finding in report["findings"]}
    assert by_line[4]["kind"] == "not_checked"
    assert "'square'" in by_line[4]["message"]
    assert by_line[2]["kind"] == "missing_on_provider"
    assert report["counts"]["missing_on_provider"] == 2


def test_csv_format(tmp_path: Path, state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sync(EXAMPLE, state, capsys)
    path = edited(tmp_path, ("9400111899560000000000,USPS", "9400111899560000000000,UPS"))
    status, out = reconcile(capsys, path, state, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 1
    assert list(rows[0]) == [
        "line",
        "kind",
        "order_id",
        "provider",
        "payment_id",
        "tracking_number",
        "shop",
        "provider_value",
        "message",
    ]
    assert [(row["line"], row["kind"], row["shop"]) for row in rows] == [
        ("5", "carrier_differs", "UPS")
    ]


def test_table_counts(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = reconcile(capsys, EXAMPLE, state)
    assert status == 1
    assert out.splitlines()[0].split()[:3] == ["LINE", "KIND", "ORDER"]
    assert out.splitlines()[-1] == "0 packages match; found 6 missing_on_provider."


def test_table_when_all_match(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sync(EXAMPLE, state, capsys)
    status, out = reconcile(capsys, EXAMPLE, state)
    assert (status, out) == (0, "6 packages match; no disagreements.\n")


def test_emulator_note_says_read_only(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["reconcile", str(EXAMPLE), "--emulate", "--emulator-state", str(state)])
    assert "read only)" in capsys.readouterr().err


def test_no_credentials_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reconcile", str(EXAMPLE)]) == 2
    assert "TRACKSYNC_" in capsys.readouterr().err


def test_missing_state_noted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "typo" / "state.json"
    main(["reconcile", str(EXAMPLE), "--emulate", "--emulator-state", str(state)])
    assert "(new file: the emulators start empty; read only)" in capsys.readouterr().err
