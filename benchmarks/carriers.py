"""Time normalize() on 100,000 carrier strings and print the figures and the machine.

The mix imitates a shop export: most rows repeat the few carrier names the shop uses,
spelled as the spelling corpus spells them (tests/carriers/spellings.csv) with random case
and spacing. A tenth are free-text names that match no carrier, and a twentieth come with
a tracking number. A second run uses 100,000 distinct unknown names, so that no cache
helps: the worst case.
"""

from __future__ import annotations

import csv
import os
import platform
import random
import sys
import time
from pathlib import Path

from tracksync.carriers import normalize
from tracksync.carriers._lookup import lookup
from tracksync.carriers._normalize import _normalize_name
from tracksync.carriers._registry import registry
from tracksync.carriers._text import match_key

COUNT = 100_000
CORPUS = Path(__file__).resolve().parents[1] / "tests" / "carriers" / "spellings.csv"
NUMBERS = ("1Z5R89390357567127", "9400111201080805483016", "RB123456785GB", "3318810025", "")
UNKNOWN = ("Own van", "Local courier", "Free Shipping", "Pickup in store", "Acme Couriers Ltd")


def _spellings() -> list[tuple[str, str | None]]:
    with CORPUS.open(encoding="utf-8", newline="") as file:
        return [(row["text"], row["country"] or None) for row in csv.DictReader(file)]


def _vary(text: str, rng: random.Random) -> str:
    choice = rng.random()
    if choice < 0.2:
        return text.upper()
    if choice < 0.4:
        return text.lower()
    if choice < 0.5:
        return f"  {text} "
    return text


def _realistic_mix(rng: random.Random) -> list[tuple[str, str | None, str | None]]:
    spellings = _spellings()
    rows: list[tuple[str, str | None, str | None]] = []
    for _ in range(COUNT):
        draw = rng.random()
        if draw < 0.10:
            rows.append((rng.choice(UNKNOWN), None, None))
        elif draw < 0.15:
            text, country = rng.choice(spellings)
            rows.append((text, country, rng.choice(NUMBERS)))
        else:
            text, country = rng.choice(spellings)
            rows.append((_vary(text, rng), country, None))
    return rows


def _distinct_unknown() -> list[tuple[str, str | None, str | None]]:
    return [(f"Regional courier {index}", None, None) for index in range(COUNT)]


def _time(rows: list[tuple[str, str | None, str | None]]) -> float:
    match_key.cache_clear()
    lookup.cache_clear()
    _normalize_name.cache_clear()
    start = time.perf_counter()
    for text, country, number in rows:
        normalize(text, country=country, tracking_number=number)
    return time.perf_counter() - start


def main() -> None:
    rng = random.Random(20260302)
    load_start = time.perf_counter()
    registry()
    load_seconds = time.perf_counter() - load_start

    mix = _realistic_mix(rng)
    distinct = len({row[0] for row in mix})
    mix_seconds = _time(mix)
    worst_seconds = _time(_distinct_unknown())

    print(
        f"machine: Python {sys.version.split()[0]} on {platform.platform()}, {os.cpu_count()} CPUs"
    )
    print(f"registry load: {load_seconds * 1000:.0f} ms (once per process)")
    print(
        f"realistic mix: {COUNT:,} strings ({distinct} distinct, 5% with a tracking number) "
        f"in {mix_seconds:.3f} s, {mix_seconds / COUNT * 1e6:.2f} µs each"
    )
    print(
        f"all distinct unknown names: {COUNT:,} strings in {worst_seconds:.3f} s, "
        f"{worst_seconds / COUNT * 1e6:.2f} µs each"
    )
