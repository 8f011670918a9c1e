"""Overrides: the shop's own mapping, in code and in CSV or JSON files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracksync.carriers import Confidence, Overrides, load_overrides, normalize
from tracksync.errors import ConfigurationError


def test_override_to_registry_id() -> None:
    overrides = Overrides({"Acme Post": "royal-mail"})
    match = normalize("acme   post", overrides=overrides)
    assert match.carrier is not None
    assert "royal-mail" == match.carrier.id
    assert Confidence.OVERRIDE is match.confidence


def test_override_applies_before_builtin_rules() -> None:
    overrides = Overrides({"DPD": "dpd-local"})
    match = normalize("DPD", overrides=overrides, country="DE")
    assert match.carrier is not None
    assert "dpd-local" == match.carrier.id


def test_override_to_paypal_code() -> None:
    match = normalize("Greek courier", overrides=Overrides({"Greek courier": "SPEEDEX"}))
    assert ("OTHER", "SPEEDEX") == (match.paypal_v1_code, match.paypal_orders_v2_code)
    assert Confidence.OVERRIDE is match.confidence


def test_override_to_other_stops_builtin_match() -> None:
    match = normalize("Yodel", overrides=Overrides({"yodel": "OTHER"}))
    assert match.carrier is None
    assert ("OTHER", "OTHER") == (match.paypal_v1_code, match.paypal_orders_v2_code)
    assert "Yodel" == match.carrier_name_other


def test_override_misses_fall_back_to_rules() -> None:
    match = normalize("Evri", overrides=Overrides({"Acme": "royal-mail"}))
    assert Confidence.ALIAS is match.confidence


def test_invalid_target_suggests_id() -> None:
    with pytest.raises(ConfigurationError, match="Did you mean the id 'royal-mail'"):
        Overrides({"Acme": "Royal Mail"})


def test_unknown_code_target() -> None:
    with pytest.raises(ConfigurationError, match="'ACME_POST', which is in neither"):
        Overrides({"Acme": "ACME_POST"})


def test_empty_target() -> None:
    with pytest.raises(ConfigurationError, match="'Acme' maps to nothing"):
        Overrides({"Acme": " "})


def test_names_that_match_alike_with_different_targets() -> None:
    with pytest.raises(ConfigurationError, match="Keep one of them"):
        Overrides({"Acme Post": "royal-mail", "ACME-POST": "evri"})


def test_load_csv(tmp_path: Path) -> None:
    path = tmp_path / "carriers.csv"
    path.write_text(
        'name,carrier\n# our couriers\nAcme Post,royal-mail\n\n"Smith, Jones & Co",OTHER\n',
        encoding="utf-8",
    )
    overrides = load_overrides(path)
    assert 2 == len(overrides)
    assert "royal-mail" == overrides.target("ACME POST")
    assert "OTHER" == overrides.target("Smith, Jones & Co")


def test_load_csv_with_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "carriers.csv"
    path.write_text("name,carrier\nAcme,evri\n", encoding="utf-8-sig")
    assert "evri" == load_overrides(path).target("Acme")


def test_load_json(tmp_path: Path) -> None:
    path = tmp_path / "carriers.json"
    path.write_text('{"Acme Post": "ROYAL_MAIL", "Own van": "OTHER"}', encoding="utf-8")
    overrides = load_overrides(path)
    carrier = overrides.carrier("acme post")
    assert carrier is not None
    assert "royal-mail" == carrier.id


def test_csv_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "carriers.csv"
    path.write_text("name,carrier\nAcme,royal-mail\nSmith,royl-mail\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"line 3: 'Smith' maps to 'royl-mail'"):
        load_overrides(path)


def test_csv_wrong_header(tmp_path: Path) -> None:
    path = tmp_path / "carriers.csv"
    path.write_text("shop,paypal\nAcme,royal-mail\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="header row 'name,carrier'"):
        load_overrides(path)


def test_csv_row_with_three_cells(tmp_path: Path) -> None:
    path = tmp_path / "carriers.csv"
    path.write_text("name,carrier\nAcme,royal-mail,extra\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="line 2: the row has 3 cells"):
        load_overrides(path)


def test_json_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "carriers.json"
    path.write_text('[["Acme", "royal-mail"]]', encoding="utf-8")
    with pytest.raises(ConfigurationError, match="one JSON object"):
        load_overrides(path)


def test_json_value_not_a_string(tmp_path: Path) -> None:
    path = tmp_path / "carriers.json"
    path.write_text('{"Acme": 12}', encoding="utf-8")
    with pytest.raises(ConfigurationError, match="give a string"):
        load_overrides(path)


def test_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "carriers.json"
    path.write_text("{Acme: royal-mail}", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="not valid JSON"):
        load_overrides(path)


def test_wrong_extension(tmp_path: Path) -> None:
    path = tmp_path / "carriers.txt"
    path.write_text("Acme=royal-mail\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"extension \.txt"):
        load_overrides(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="was not found"):
        load_overrides(tmp_path / "absent.csv")
