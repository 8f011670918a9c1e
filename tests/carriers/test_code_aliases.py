"""The table of carrier codes that PayPal spells differently in its two tracking APIs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracksync.carriers._code_aliases import ORDERS_V2_TO_V1, V1_TO_ORDERS_V2

CARRIERS = Path(__file__).resolve().parents[3] / "shared" / "providers" / "carriers"


def published(name: str) -> set[str]:
    lines = (CARRIERS / name).read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip()}


V1_CODES = published("paypal_v1.txt")
ORDERS_V2_CODES = published("paypal_orders_v2.txt")


@pytest.mark.parametrize(("v1", "orders_v2"), sorted(V1_TO_ORDERS_V2.items()))
def test_entry_in_claimed_lists(v1: str, orders_v2: str) -> None:
    assert (v1 in V1_CODES, v1 in ORDERS_V2_CODES) == (True, False)
    assert (orders_v2 in ORDERS_V2_CODES, orders_v2 in V1_CODES) == (True, False)


def test_table_is_one_to_one() -> None:
    assert len(ORDERS_V2_TO_V1) == len(V1_TO_ORDERS_V2)


def test_table_listed_in_diff() -> None:
    diff = (CARRIERS / "paypal_v1_vs_orders_v2_diff.txt").read_text(encoding="utf-8")
    only_v1 = diff.split("## only in v1")[1].split("## only in orders v2")[0].split()
    only_v2 = diff.split("## only in orders v2")[1].split()
    assert set(V1_TO_ORDERS_V2) <= set(only_v1)
    assert set(V1_TO_ORDERS_V2.values()) <= set(only_v2)


@pytest.mark.parametrize(
    ("v1", "orders_v2"),
    [
        ("UK_DPD", "DPD_UK"),
        ("US_ONTRAC", "ONTRAC"),
        ("CA_PUROLATOR", "PUROLATOR"),
        ("ACOMMMERCE", "ACOMMERCE"),
        ("2EBOX", "_2EBOX"),
        ("6LS", "_6LS"),
    ],
)
def test_known_renames_in_table(v1: str, orders_v2: str) -> None:
    assert V1_TO_ORDERS_V2[v1] == orders_v2
