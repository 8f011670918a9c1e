"""The table of carrier codes that PayPal spells differently in its two tracking APIs."""

from __future__ import annotations

import functools

import pytest

from shared_folder import carrier_list
from tracksync.carriers._code_aliases import ORDERS_V2_TO_V1, V1_TO_ORDERS_V2


@functools.cache
def published(name: str) -> frozenset[str]:
    return frozenset(line.strip() for line in carrier_list(name).splitlines() if line.strip())


@pytest.mark.parametrize(("v1", "orders_v2"), sorted(V1_TO_ORDERS_V2.items()))
def test_entry_in_claimed_lists(v1: str, orders_v2: str) -> None:
    v1_codes, orders_v2_codes = published("paypal_v1.txt"), published("paypal_orders_v2.txt")
    assert (v1 in v1_codes, v1 in orders_v2_codes) == (True, False)
    assert (orders_v2 in orders_v2_codes, orders_v2 in v1_codes) == (True, False)


def test_table_is_one_to_one() -> None:
    assert len(ORDERS_V2_TO_V1) == len(V1_TO_ORDERS_V2)


def test_table_listed_in_diff() -> None:
    diff = carrier_list("paypal_v1_vs_orders_v2_diff.txt")
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
