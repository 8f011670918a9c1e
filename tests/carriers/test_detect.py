"""Tracking-number detection by format and check digit.

Every valid sample is either a published example or generated with the carrier's
algorithm, as its source column states. "jkeen" is github.com/jkeen/tracking_number_data
(couriers/<carrier>.json, test_numbers), MIT licence.
"""

from __future__ import annotations

import pytest

from tracksync.carriers import Candidate, DetectionConfidence, detect

# (number, carrier id, format, source)
CHECKED = [
    ("1Z5R89390357567127", "ups", "UPS 1Z", "jkeen ups.json"),
    ("1Z879E930346834440", "ups", "UPS 1Z", "jkeen ups.json"),
    ("1Z410E7W0392751591", "ups", "UPS 1Z", "jkeen ups.json"),
    ("9400111201080805483016", "usps", "USPS IMpb", "jkeen usps.json"),
    ("9361289878700317633795", "usps", "USPS IMpb", "jkeen usps.json"),
    ("92748931507708513018050063", "usps", "USPS IMpb", "jkeen usps.json"),
    ("420221539101026837331000039521", "usps", "USPS IMpb with ZIP routing", "jkeen usps.json"),
    ("4201002334249200190132607600833457", "usps", "USPS IMpb with ZIP routing", "jkeen usps.json"),
    ("03071790000523483741", "usps", "USPS 20-digit", "jkeen usps.json"),
    ("986578788855", "fedex", "FedEx Express 12-digit", "jkeen fedex.json"),
    ("477179081230", "fedex", "FedEx Express 12-digit", "jkeen fedex.json"),
    ("041441760228964", "fedex", "FedEx Ground 15-digit", "jkeen fedex.json"),
    ("568283610012000", "fedex", "FedEx Ground 15-digit", "jkeen fedex.json"),
    ("9611020987654312345672", "fedex", "FedEx Ground 96", "jkeen fedex.json"),
    ("3318810025", "dhl", "DHL Express 10-digit", "jkeen dhl.json"),
    ("8487135506", "dhl", "DHL Express 10-digit", "jkeen dhl.json"),
    ("201298452277", "dhl-paket", "DHL Paket 12-digit", "paketda.de paket-pruefziffern"),
    (
        "428001369716",
        "dhl-paket",
        "DHL Paket 12-digit",
        "docs.lobster-world.com basic-dhl-checksum",
    ),
    ("00340433836442636597", "dhl-paket", "DHL Paket 20-digit", "paketda.de paket-pruefziffern"),
    ("0073938000549297", "canada-post", "Canada Post 16-digit", "jkeen canadapost.json"),
    ("320595463938", "purolator", "Purolator 12-digit", "jkeen purolator.json"),
    ("C11031500001879", "ontrac", "OnTrac", "jkeen ontrac.json"),
    ("D10011354453707", "ontrac", "OnTrac", "jkeen ontrac.json"),
    ("RB123456785GB", "royal-mail", "UPU S10", "jkeen s10.json"),
    ("RR473124829GB", "royal-mail", "UPU S10", "generated from Wikipedia's S10 worked example"),
    ("RB123456785US", "usps", "UPU S10", "jkeen s10.json"),
    ("RB123456785CA", "canada-post", "UPU S10", "generated (S10 algorithm)"),
    ("CP123456785DE", "deutsche-post", "UPU S10", "generated (S10 algorithm)"),
    ("LA123456785FR", "la-poste", "UPU S10", "generated (S10 algorithm)"),
    ("RR123456785CN", "china-post", "UPU S10", "generated (S10 algorithm)"),
    ("EE123456785CN", "china-ems", "UPU S10", "generated (S10 algorithm)"),
    ("CX123456785AU", "australia-post", "UPU S10", "generated (S10 algorithm)"),
    ("RR123456785IN", "india-post", "UPU S10", "generated (S10 algorithm)"),
]

# Formats without a check digit: (number, carrier id, source)
FORMAT_ONLY = [
    ("TBA502887274000", "amazon", "jkeen amazon.json"),
    ("YT2229521272164446", "yunexpress", "jkeen yunexpress.json"),
    ("JD0002242617644732", "yodel", "jkeen yodel.json"),
    ("GM2951173225174494", "dhl-ecommerce", "jkeen dhl.json"),
    ("LX17635036", "lasership", "jkeen lasership.json"),
    ("1LS717793482164", "lasership", "jkeen lasership.json"),
    ("JVGL0999999990", "dhl", "jkeen dhl.json"),
]


def _check_position(number: str, fmt: str) -> int:
    return 10 if fmt == "UPU S10" else len(number) - 1


def _corrupt(number: str, position: int) -> str:
    digit = (int(number[position]) + 1) % 10
    return number[:position] + str(digit) + number[position + 1 :]


def _verified_for(candidates: tuple[Candidate, ...], carrier_id: str) -> list[Candidate]:
    return [c for c in candidates if c.carrier.id == carrier_id and c.check_digit_verified]


@pytest.mark.parametrize(("number", "carrier_id", "fmt", "source"), CHECKED)
def test_valid_number_verified(number: str, carrier_id: str, fmt: str, source: str) -> None:
    matches = _verified_for(detect(number), carrier_id)
    assert [fmt] == [candidate.format for candidate in matches]


@pytest.mark.parametrize(("number", "carrier_id", "fmt", "source"), CHECKED)
def test_corrupted_check_digit_rejected(
    number: str, carrier_id: str, fmt: str, source: str
) -> None:
    corrupted = _corrupt(number, _check_position(number, fmt))
    assert [] == _verified_for(detect(corrupted), carrier_id)


@pytest.mark.parametrize(("number", "carrier_id", "fmt", "source"), CHECKED)
def test_corrupted_data_digit_rejected(number: str, carrier_id: str, fmt: str, source: str) -> None:
    # NOTE: FedEx's mod-11-then-mod-10 check misses some changes; for every sample here,
    # adding one to the digit before the check digit changes the check digit.
    corrupted = _corrupt(number, _check_position(number, fmt) - 1)
    assert [] == _verified_for(detect(corrupted), carrier_id)


@pytest.mark.parametrize(("number", "carrier_id", "source"), FORMAT_ONLY)
def test_format_only_number(number: str, carrier_id: str, source: str) -> None:
    candidates = detect(number)
    assert [carrier_id] == [candidate.carrier.id for candidate in candidates]
    assert candidates[0].check_digit_verified is None
    assert DetectionConfidence.MEDIUM is candidates[0].confidence


def test_distinctive_format_verified_is_high() -> None:
    (candidate,) = detect("1Z5R89390357567127")
    assert DetectionConfidence.HIGH is candidate.confidence


def test_digits_only_format_is_low() -> None:
    candidates = detect("3318810025")
    assert [DetectionConfidence.LOW] == [candidate.confidence for candidate in candidates]


def test_distinctive_format_with_wrong_check_digit() -> None:
    (candidate,) = detect("1Z5R89390357567128")
    assert candidate.check_digit_verified is False
    assert DetectionConfidence.LOW is candidate.confidence


def test_detect_ignores_spaces_dashes_and_case() -> None:
    (candidate,) = detect(" rb 1234-5678 5gb ")
    assert "royal-mail" == candidate.carrier.id


def test_s10_of_country_without_operator() -> None:
    assert () == detect("RB123456785XX")


def test_unrelated_text() -> None:
    assert () == detect("HELLO")
