"""Recognise the carrier of a tracking number by its format and check digit."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable

import attrs

from . import _checksums
from ._registry import Carrier, registry

__all__ = ["S10_FORMAT", "Candidate", "DetectionConfidence", "detect", "detection_form"]

#: The format name of UPU S10 numbers, which posts hand to each other across borders.
S10_FORMAT = "UPU S10"

_STRIP = re.compile(r"[\s\-\u2010-\u2015]+")


class DetectionConfidence(enum.Enum):
    """Strength of the evidence that a tracking number belongs to a carrier."""

    #: A format that only this carrier uses, and its check digit is right.
    HIGH = "high"
    #: A format that only this carrier uses, which has no check digit.
    MEDIUM = "medium"
    #: Digits whose length and check digit fit several carriers, or a distinctive format
    #: whose check digit is wrong (often a typo).
    LOW = "low"


_RANK = {DetectionConfidence.HIGH: 0, DetectionConfidence.MEDIUM: 1, DetectionConfidence.LOW: 2}


@attrs.frozen(kw_only=True)
class Candidate:
    """A carrier that a tracking number may belong to."""

    carrier: Carrier
    #: Name of the number format, such as "UPS 1Z" or "UPU S10".
    format: str
    #: True when the check digit was computed and matches, False when it was computed and
    #: does not match, None when the format has no check digit.
    check_digit_verified: bool | None
    confidence: DetectionConfidence


@attrs.frozen
class _Format:
    name: str
    pattern: re.Pattern[str]
    #: Returns the carrier id for a matching number, or None when the registry has none.
    carrier_id: Callable[[str], str | None]
    check: Callable[[str], bool] | None
    #: Whether the format (a prefix, letters, a fixed length) marks this carrier alone.
    #: Digits-only formats collide across carriers, so they only ever rank LOW.
    distinctive: bool


def _fixed(carrier_id: str) -> Callable[[str], str | None]:
    return lambda number: carrier_id


def _s10_carrier(number: str) -> str | None:
    # China Post runs EMS and ePacket through its EMS arm, which has its own PayPal code.
    if number.endswith("CN") and number[0] in "EL":
        return "china-ems"
    return registry().by_upu_country.get(number[-2:])


def _usps_routed(number: str) -> bool:
    """Check an IMpb number behind the 420 + ZIP routing prefix (5 or 9 ZIP digits)."""
    for zip_length in (5, 9):
        serial = number[3 + zip_length :]
        is_impb = len(serial) in (22, 26) and serial[:2] in {"91", "92", "93", "94", "95"}
        if is_impb and _checksums.gs1_mod10(serial):
            return True
    return False


# Formats, their examples and check digits come from github.com/jkeen/tracking_number_data
# (couriers/*.json, MIT licence) unless _checksums names another source. DHL's own page of
# tracking id formats (dhl.com, "DHL tracking identifiers") gives the 10-digit Express
# numbers and the JVGL prefix.
_FORMATS: tuple[_Format, ...] = (
    _Format("UPS 1Z", re.compile(r"1Z[0-9A-Z]{16}"), _fixed("ups"), _checksums.ups_1z, True),
    _Format(
        "USPS IMpb with ZIP routing",
        re.compile(r"420\d{27,35}"),
        _fixed("usps"),
        _usps_routed,
        True,
    ),
    _Format(
        "USPS IMpb",
        re.compile(r"9[1-5]\d{20}|9[1-5]\d{24}"),
        _fixed("usps"),
        _checksums.gs1_mod10,
        True,
    ),
    _Format("USPS 20-digit", re.compile(r"\d{20}"), _fixed("usps"), _checksums.usps_20, False),
    _Format(
        "FedEx Ground 96",
        re.compile(r"96\d{20}"),
        _fixed("fedex"),
        _checksums.fedex_ground_96,
        True,
    ),
    _Format(
        "FedEx Express 12-digit",
        re.compile(r"\d{12}"),
        _fixed("fedex"),
        _checksums.fedex_express_12,
        False,
    ),
    _Format(
        "FedEx Ground 15-digit",
        re.compile(r"\d{15}"),
        _fixed("fedex"),
        _checksums.fedex_ground_15,
        False,
    ),
    _Format(
        "DHL Express 10-digit",
        re.compile(r"\d{10}"),
        _fixed("dhl"),
        _checksums.dhl_express_mod7,
        False,
    ),
    _Format("DHL Express JVGL", re.compile(r"JVGL\d{9,10}"), _fixed("dhl"), None, True),
    _Format(
        "DHL Paket 12-digit",
        re.compile(r"\d{12}"),
        _fixed("dhl-paket"),
        _checksums.dhl_paket_12,
        False,
    ),
    _Format(
        "DHL Paket 20-digit",
        re.compile(r"003404\d{14}"),
        _fixed("dhl-paket"),
        _checksums.gs1_mod10,
        True,
    ),
    _Format("DHL eCommerce GM", re.compile(r"GM\d{10,39}"), _fixed("dhl-ecommerce"), None, True),
    _Format(
        "Canada Post 16-digit",
        re.compile(r"\d{16}"),
        _fixed("canada-post"),
        _checksums.gs1_mod10,
        False,
    ),
    _Format(
        "Purolator 12-digit",
        re.compile(r"[0-5]\d{11}"),
        _fixed("purolator"),
        _checksums.luhn,
        False,
    ),
    _Format("OnTrac", re.compile(r"[CD]\d{14}"), _fixed("ontrac"), _checksums.ontrac, True),
    _Format("LaserShip", re.compile(r"LX\d{8}|1LS7\d{11}"), _fixed("lasership"), None, True),
    _Format("Amazon TBA", re.compile(r"TBA\d{12}"), _fixed("amazon"), None, True),
    _Format("Yodel JD", re.compile(r"JD\d{16}"), _fixed("yodel"), None, True),
    _Format("YunExpress YT", re.compile(r"YT\d{16}"), _fixed("yunexpress"), None, True),
    _Format(
        S10_FORMAT,
        re.compile(r"[A-Z]{2}\d{9}[A-Z]{2}"),
        _s10_carrier,
        _checksums.upu_s10,
        True,
    ),
)


def detection_form(tracking_number: str) -> str:
    """Return the number in upper case without white space and dashes."""
    return _STRIP.sub("", tracking_number).upper()


def _confidence(fmt: _Format, verified: bool | None) -> DetectionConfidence:
    if not fmt.distinctive:
        return DetectionConfidence.LOW
    if verified is None:
        return DetectionConfidence.MEDIUM
    return DetectionConfidence.HIGH if verified else DetectionConfidence.LOW


def detect(tracking_number: str) -> tuple[Candidate, ...]:
    """Return the carriers whose number format fits, most likely first.

    Digits-only formats are returned only when their check digit is right, and then with
    LOW confidence because other carriers use the same lengths. A distinctive format (a
    prefix such as 1Z or letters such as RB...GB) is returned even when its check digit is
    wrong, with LOW confidence and ``check_digit_verified=False``, since that usually means
    a typo in a number of that carrier.
    """
    number = detection_form(tracking_number)
    reg = registry()
    best: dict[str, Candidate] = {}
    for fmt in _FORMATS:
        if not fmt.pattern.fullmatch(number):
            continue
        carrier_id = fmt.carrier_id(number)
        if carrier_id is None:
            continue
        verified = None if fmt.check is None else fmt.check(number)
        if verified is False and not fmt.distinctive:
            continue
        candidate = Candidate(
            carrier=reg.carriers[carrier_id],
            format=fmt.name,
            check_digit_verified=verified,
            confidence=_confidence(fmt, verified),
        )
        known = best.get(carrier_id)
        if known is None or _RANK[candidate.confidence] < _RANK[known.confidence]:
            best[carrier_id] = candidate
    return tuple(sorted(best.values(), key=lambda candidate: _RANK[candidate.confidence]))
