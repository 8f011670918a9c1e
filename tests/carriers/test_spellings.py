"""Accuracy of normalize() on real-world carrier spellings.

spellings.csv contains one spelling a row: the text, the country the parcel ships from (may
be empty), the registry id it should map to ("unknown" when it names no registry carrier
or names several), and where the spelling was seen. Sources: WooCommerce Shipment
Tracking's provider names, Shopify's supported tracking companies, ShipStation/ShipEngine
carrier codes, Shippo and EasyPost carrier tokens, AfterShip names as listed by Klarna,
carrier names that Rye, Walmart and Google Merchant document, PayPal codes, carriers' own
sites, and spellings typed in shops, including typos.

Run with ``-s`` to print the figures.
"""

from __future__ import annotations

import csv
from pathlib import Path

from tracksync.carriers import normalize

CORPUS = Path(__file__).with_name("spellings.csv")
MIN_ROWS = 300
MIN_ACCURACY = 0.99


def _rows() -> list[dict[str, str]]:
    with CORPUS.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _outcome(row: dict[str, str]) -> str:
    match = normalize(row["text"], country=row["country"] or None)
    return match.carrier.id if match.carrier is not None else "unknown"


def test_corpus_size() -> None:
    assert len(_rows()) >= MIN_ROWS


def test_corpus_has_unique_rows() -> None:
    keys = [(row["text"], row["country"]) for row in _rows()]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert [] == duplicates


def test_corpus_accuracy() -> None:
    rows = _rows()
    wrong_carrier = []
    missed = []
    for row in rows:
        actual = _outcome(row)
        if actual == row["expected"]:
            continue
        if actual == "unknown":
            missed.append((row["text"], row["country"], row["expected"]))
        else:
            wrong_carrier.append((row["text"], row["country"], row["expected"], actual))
    right = len(rows) - len(missed) - len(wrong_carrier)
    accuracy = right / len(rows)
    print(
        f"\ncarrier spellings: {len(rows)} rows, {right} right ({accuracy:.2%}), "
        f"{len(missed)} sent as OTHER although known, {len(wrong_carrier)} mapped to a "
        "different carrier"
    )
    for case in missed + wrong_carrier:
        print("  ", case)

    assert [] == wrong_carrier
    assert accuracy >= MIN_ACCURACY
