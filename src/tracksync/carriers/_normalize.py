"""Map the carrier text of a shop to a registry carrier and to PayPal's and Stripe's fields.

The rules, in the order ``normalize`` applies them:

1. The shop's overrides, when given.
2. An empty text: the tracking number's format, if one carrier alone fits it.
3. A PayPal code (``^[0-9A-Z_]+$``, in either list) passes through for the API whose list
   contains it. The other API gets the registry carrier's code for it, or OTHER.
4. A known name, spelling or label-platform code, ignoring case, accents, punctuation and
   spacing, and ignoring service words ("Tracked 48", "Ground") and a country after it.
   A name that several carriers share ("DPD", "Hermes") is resolved by the tracking
   number, then by the country, then to the group's default carrier.
5. One typo away from exactly one known name, and from no PayPal code of another carrier.
6. Anything else is sent as OTHER with the text as ``carrier_name_other``.

A tracking number that points at another carrier than the text is reported in the reason
and in ``number_disagrees``. The text is never replaced by it.
"""

from __future__ import annotations

import enum
import functools
import re

import attrs

from ..errors import InvalidInputError
from ._code_aliases import ORDERS_V2_TO_V1, V1_TO_ORDERS_V2
from ._detect import S10_FORMAT, Candidate, DetectionConfidence, detect
from ._lookup import Hit, lookup
from ._overrides import Overrides
from ._registry import OTHER, Carrier, CarrierGroup, PayPalApi, registry
from ._text import compact, match_key

__all__ = ["MAX_CARRIER_NAME_LENGTH", "CarrierMatch", "Confidence", "normalize"]

#: Maximum length of ``carrier_name_other`` that PayPal accepts, in characters.
MAX_CARRIER_NAME_LENGTH = 64

_CODE = re.compile(r"[0-9A-Z_]+")
_COUNTRY = re.compile(r"[A-Z]{2}")


class Confidence(enum.Enum):
    """Basis on which the carrier was chosen, from the most to the least certain."""

    #: The shop's overrides name the carrier.
    OVERRIDE = "override"
    #: The text is a code from PayPal's carrier lists.
    EXACT_CODE = "exact_code"
    #: The text is a known name, spelling or label-platform code of the carrier.
    ALIAS = "alias"
    #: The text is one typo away from one carrier's name.
    FUZZY = "fuzzy"
    #: The text was empty and the tracking number's format fits this carrier alone.
    DETECTED = "detected"
    #: No carrier was recognised; PayPal gets OTHER with the text.
    UNKNOWN = "unknown"


@attrs.frozen(kw_only=True)
class CarrierMatch:
    """The carrier that a shop's text names, with the values each provider needs."""

    #: The text as given.
    text: str
    #: The registry carrier, or None when the text names none.
    carrier: Carrier | None
    #: Code for PayPal's tracking v1 API, or ``OTHER``.
    paypal_v1_code: str
    #: Code for PayPal's Orders v2 API, or ``OTHER``.
    paypal_orders_v2_code: str
    #: Name to send with ``OTHER`` (at most 64 characters): the carrier's display name
    #: when it is known, else the text as given, trimmed. None when neither code is OTHER,
    #: and when the text is empty and no carrier was found.
    carrier_name_other: str | None
    #: Name for free-text fields such as Stripe's ``shipping.carrier``.
    display_name: str
    confidence: Confidence
    #: One or more sentences saying why, for logs and the command line.
    reason: str
    #: Whether the tracking number has the format of a carrier other than the chosen one.
    number_disagrees: bool = False

    def paypal_code(self, api: PayPalApi) -> str:
        """Return the carrier code for the given PayPal API, ``OTHER`` included."""
        return self.paypal_v1_code if api == "v1" else self.paypal_orders_v2_code

    def paypal_fields(self, api: PayPalApi) -> dict[str, str]:
        """Return ``carrier`` and, with ``OTHER``, ``carrier_name_other`` for a request body.

        Without a carrier name (empty text and nothing detected) only ``carrier`` is
        returned, and PayPal rejects OTHER without a name, so callers should report the
        shipment instead of sending it.
        """
        code = self.paypal_code(api)
        fields = {"carrier": code}
        if code == OTHER and self.carrier_name_other:
            fields["carrier_name_other"] = self.carrier_name_other
        return fields


class _Evidence:
    """The candidates of the tracking number, detected on first use."""

    def __init__(self, tracking_number: str | None) -> None:
        self.number = tracking_number.strip() if tracking_number else ""
        self._candidates: tuple[Candidate, ...] | None = None

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        if self._candidates is None:
            self._candidates = detect(self.number) if self.number else ()
        return self._candidates

    def strong(self) -> tuple[Candidate, ...]:
        """Return candidates of a carrier-specific format, leaving out S10 postal numbers.

        Posts hand S10 numbers on across borders (a CN number is tracked by USPS in the
        US), so an S10 number never contradicts a postal carrier in the text.
        """
        return tuple(
            candidate
            for candidate in self.candidates
            if candidate.confidence is not DetectionConfidence.LOW
            and candidate.format != S10_FORMAT
        )


def normalize(
    text: str,
    *,
    tracking_number: str | None = None,
    country: str | None = None,
    overrides: Overrides | None = None,
) -> CarrierMatch:
    """Return the carrier that ``text`` names, with its PayPal codes and display name.

    Args:
        text: the carrier as the shop stores it: a name, a label-platform code, a PayPal
            code, or an empty string.
        tracking_number: used when ``text`` is empty or names several carriers, and to
            report a number that points at another carrier.
        country: ISO 3166-1 alpha-2 code of the country the parcel ships from (the shop's
            country), which resolves names such as "DPD" that several carriers share.
        overrides: the shop's own mapping, applied before the built-in rules.

    Raises:
        InvalidInputError: ``country`` is not a two-letter country code.
    """
    if not tracking_number:
        return _normalize_name(text, country, overrides)
    return _normalize(text, tracking_number, country, overrides)


@functools.lru_cache(maxsize=4096)
def _normalize_name(text: str, country: str | None, overrides: Overrides | None) -> CarrierMatch:
    """Cache the result for texts without a tracking number: shops repeat a few names."""
    return _normalize(text, None, country, overrides)


def _normalize(
    text: str, tracking_number: str | None, country: str | None, overrides: Overrides | None
) -> CarrierMatch:
    name = text.strip()
    ship_from = _valid_country(country)
    evidence = _Evidence(tracking_number)

    if overrides is not None and name:
        target = overrides.target(name)
        if target is not None:
            return _with_number_check(_from_override(text, name, target), evidence)
    if not name:
        return _from_number(text, evidence, ship_from)

    reg = registry()
    if _CODE.fullmatch(name) and (name in reg.codes["v1"] or name in reg.codes["orders_v2"]):
        return _from_code_text(text, name, ship_from, evidence)

    hit = lookup(match_key(name))
    if hit is None:
        return _unknown(text, name, evidence)
    if hit.group is not None:
        return _from_group(text, name, hit, hit.group, ship_from, evidence)
    assert hit.carrier_id is not None
    carrier = reg.carriers[hit.carrier_id]
    return _with_number_check(_from_hit(text, name, carrier, hit), evidence)


def _valid_country(country: str | None) -> str | None:
    if country is None:
        return None
    code = country.strip().upper()
    code = "GB" if code == "UK" else code
    if not _COUNTRY.fullmatch(code):
        raise InvalidInputError(
            f"Country {country!r} is not an ISO 3166-1 alpha-2 code; use two letters such as "
            "'GB' or 'DE'."
        )
    return code


def _match(
    text: str,
    carrier: Carrier | None,
    confidence: Confidence,
    reason: str,
    *,
    name: str,
    codes: tuple[str, str] | None = None,
) -> CarrierMatch:
    """Build a match. ``name`` is sent with OTHER when ``carrier`` is None."""
    if codes is None:
        codes = (
            (carrier.paypal_v1 or OTHER, carrier.paypal_orders_v2 or OTHER)
            if carrier is not None
            else (OTHER, OTHER)
        )
    display_name = carrier.name if carrier is not None else name
    name_other = None
    if OTHER in codes and display_name:
        name_other = display_name[:MAX_CARRIER_NAME_LENGTH].rstrip()
    return CarrierMatch(
        text=text,
        carrier=carrier,
        paypal_v1_code=codes[0],
        paypal_orders_v2_code=codes[1],
        carrier_name_other=name_other,
        display_name=display_name,
        confidence=confidence,
        reason=reason,
    )


def _from_override(text: str, name: str, target: str) -> CarrierMatch:
    reg = registry()
    if target == OTHER:
        reason = f"The overrides map {name!r} to OTHER, so PayPal gets OTHER with this name."
        return _match(text, None, Confidence.OVERRIDE, reason, name=name)
    carrier = reg.carriers.get(target)
    if carrier is not None:
        reason = f"The overrides map {name!r} to {carrier.name} ({carrier.id})."
        return _match(text, carrier, Confidence.OVERRIDE, reason, name=name)
    opening = f"The overrides map {name!r} to {target}, a code"
    return _from_code(text, target, Confidence.OVERRIDE, opening)


def _from_code(text: str, code: str, confidence: Confidence, opening: str) -> CarrierMatch:
    """Build a match for a PayPal code, which passes through for the lists that have it."""
    reg = registry()
    carrier_id = reg.by_paypal_code.get(code)
    carrier = None if carrier_id is None else reg.carriers[carrier_id]
    v1 = code if code in reg.codes["v1"] else None
    v2 = code if code in reg.codes["orders_v2"] else None
    if carrier is not None:
        v1 = v1 or carrier.paypal_v1
        v2 = v2 or carrier.paypal_orders_v2
    # Codes PayPal renamed between its APIs: UK_DPD became DPD_UK, 2EBOX became _2EBOX.
    if v1 is None:
        v1 = ORDERS_V2_TO_V1.get(code)
    if v2 is None:
        v2 = V1_TO_ORDERS_V2.get(code)
    codes = (v1 or OTHER, v2 or OTHER)

    lists = [label for label, value in (("v1", v1), ("Orders v2", v2)) if value == code]
    plural = "s" if len(lists) > 1 else ""
    reason = f"{opening} in PayPal's {' and '.join(lists) or 'no'} list{plural}"
    if carrier is not None:
        reason += f", and it names {carrier.name}"
    reason += "."
    for label, value in (("v1", codes[0]), ("Orders v2", codes[1])):
        if value == OTHER:
            reason += f" {label} has no code for it, so it gets OTHER."
        elif value != code:
            reason += f" {label} spells it {value}."
    return _match(text, carrier, confidence, reason, name=code, codes=codes)


def _from_code_text(
    text: str, code: str, ship_from: str | None, evidence: _Evidence
) -> CarrierMatch:
    """Pass a PayPal code through, unless it is a shared brand name that can be narrowed.

    "DPD", "DHL" or "GLS" in capitals is both PayPal's generic code and the way shops
    write the brand. When the tracking number or the country picks one carrier of the
    brand (DPD Germany for a parcel from DE), that carrier is used, as PayPal advises
    choosing a country's own code. Otherwise the code passes through.
    """
    group = registry().groups.get(match_key(code))
    member = None if group is None else _group_member(group, ship_from, evidence)
    if group is not None and member is not None:
        carrier, clause = member
        reason = (
            f"{code!r} is both a PayPal code and the brand name {group.names[0]}, and {clause}, "
            f"so it is {carrier.name}."
        )
        return _with_number_check(
            _match(text, carrier, Confidence.ALIAS, reason, name=code), evidence
        )
    match = _from_code(text, code, Confidence.EXACT_CODE, f"{code!r} is a code")
    return _with_number_check(match, evidence)


@functools.lru_cache(maxsize=512)
def _platform_only_keys(carrier_id: str) -> frozenset[str]:
    """Return the keys of a carrier's label-platform codes that are not also its names."""
    carrier = registry().carriers[carrier_id]
    names = {match_key(alias) for alias in (carrier.name, *carrier.aliases)}
    return frozenset(match_key(code) for code in carrier.platform_codes) - names


def _from_hit(text: str, name: str, carrier: Carrier, hit: Hit) -> CarrierMatch:
    if hit.fuzzy:
        reason = (
            f"{name!r} is one typo away from a name of {carrier.name}, and from no other "
            "carrier's name."
        )
        return _match(text, carrier, Confidence.FUZZY, reason, name=name)
    is_platform_code = hit.spelling in _platform_only_keys(carrier.id)
    kind = "a label-platform code" if is_platform_code else "a known name"
    reason = f"{name!r} is {kind} of {carrier.name}."
    if hit.ignored:
        reason += f" The service words {' '.join(hit.ignored)!r} were ignored."
    return _match(text, carrier, Confidence.ALIAS, reason, name=name)


def _group_member(
    group: CarrierGroup, country: str | None, evidence: _Evidence
) -> tuple[Carrier, str] | None:
    """Pick the carrier of a group by the tracking number, then by the country.

    Returns the carrier and a clause that explains the choice, or None when neither decides.
    """
    reg = registry()
    ids = group.carrier_ids()
    picks = {
        candidate.carrier.id: candidate
        for candidate in evidence.candidates
        if candidate.carrier.id in ids and candidate.check_digit_verified is not False
    }
    if len(picks) == 1:
        candidate = next(iter(picks.values()))
        clause = (
            f"the tracking number has the format of {candidate.carrier.name} ({candidate.format})"
        )
        return candidate.carrier, clause
    carrier_id = group.by_country.get(country) if country else None
    if carrier_id is not None:
        return reg.carriers[carrier_id], f"the parcel ships from {country}"
    return None


def _from_group(
    text: str,
    name: str,
    hit: Hit,
    group: CarrierGroup,
    ship_from: str | None,
    evidence: _Evidence,
) -> CarrierMatch:
    """Resolve a shared name by the tracking number, then the country, then the default."""
    reg = registry()
    label = group.names[0]
    country = hit.country or ship_from
    confidence = Confidence.FUZZY if hit.fuzzy else Confidence.ALIAS
    opening = f"{name!r} is one typo away from {label}" if hit.fuzzy else f"{name!r} names {label}"

    member = _group_member(group, country, evidence)
    if member is not None:
        carrier, clause = member
        if hit.country and clause.startswith("the parcel ships from"):
            clause = f"the text names {hit.country}"
        reason = f"{opening}, and {clause}, so it is {carrier.name}."
    elif group.default is not None:
        carrier = reg.carriers[group.default]
        if country:
            reason = (
                f"{opening}. {label} has no separate entry for {country}, so it maps to "
                f"{carrier.name}."
            )
        else:
            reason = f"{opening}. Without a country it maps to {carrier.name}."
    else:
        choices = ", ".join(
            f"{reg.carriers[carrier_id].name} ({code})"
            for code, carrier_id in sorted(group.by_country.items())
        )
        reason = (
            f"{opening}, a name that several carriers use: {choices}. Give the country the "
            "parcel ships from, or a tracking number, to choose one. Until then PayPal gets "
            "OTHER with this name."
        )
        unknown = _match(text, None, Confidence.UNKNOWN, reason, name=name)
        return _with_number_check(unknown, evidence)
    return _with_number_check(_match(text, carrier, confidence, reason, name=name), evidence)


def _from_number(text: str, evidence: _Evidence, ship_from: str | None) -> CarrierMatch:
    if not evidence.number:
        reason = "No carrier was given, and no tracking number to detect one from."
        return _match(text, None, Confidence.UNKNOWN, reason, name="")
    strong = [
        candidate
        for candidate in evidence.candidates
        if candidate.confidence is not DetectionConfidence.LOW
    ]
    if strong:
        best_rank = strong[0].confidence
        strong = [candidate for candidate in strong if candidate.confidence is best_rank]
    if len(strong) > 1 and ship_from is not None:
        strong = [candidate for candidate in strong if candidate.carrier.country == ship_from]
    if len(strong) == 1:
        candidate = strong[0]
        check = ", check digit verified" if candidate.check_digit_verified else ""
        reason = (
            "No carrier was given. The tracking number has the format of "
            f"{candidate.carrier.name} ({candidate.format}{check})."
        )
        return _match(text, candidate.carrier, Confidence.DETECTED, reason, name="")
    if strong:
        names = ", ".join(candidate.carrier.name for candidate in strong)
        reason = f"No carrier was given, and the tracking number fits several carriers: {names}."
    else:
        reason = "No carrier was given, and the tracking number's format fits no single carrier."
    return _match(text, None, Confidence.UNKNOWN, reason, name="")


def _unknown(text: str, name: str, evidence: _Evidence) -> CarrierMatch:
    reg = registry()
    reason = f"{name!r} matches no carrier in the registry, so PayPal gets OTHER with this name."
    owner = reg.known_names.get(compact(match_key(name)), "")
    if owner.startswith("paypal:"):
        code = owner.removeprefix("paypal:")
        reason += (
            f" PayPal's lists have the code {code}, spelled alike. If that is the carrier, "
            "map the name to it in the overrides."
        )
    match = _match(text, None, Confidence.UNKNOWN, reason, name=name)
    strong = evidence.strong()
    if not strong:
        return match
    candidate = strong[0]
    return attrs.evolve(
        match,
        reason=match.reason + f" The tracking number has the format of {candidate.carrier.name} "
        f"({candidate.format}), but a number only picks the carrier when the carrier text "
        "is empty or ambiguous.",
        number_disagrees=True,
    )


def _with_number_check(match: CarrierMatch, evidence: _Evidence) -> CarrierMatch:
    """Report a tracking number whose format belongs to another carrier than the match."""
    if match.carrier is None or not evidence.number:
        return match
    strong = evidence.strong()
    if not strong:
        return match
    related = _related_ids(match.carrier.id)
    if any(candidate.carrier.id in related for candidate in strong):
        return match
    candidate = strong[0]
    check = ", check digit verified" if candidate.check_digit_verified else ""
    note = (
        f" The tracking number has the format of {candidate.carrier.name} "
        f"({candidate.format}{check}), not of {match.carrier.name}. The carrier from the "
        "text was kept."
    )
    return attrs.evolve(match, reason=match.reason + note, number_disagrees=True)


@functools.lru_cache(maxsize=512)
def _related_ids(carrier_id: str) -> frozenset[str]:
    """Return the carrier and every carrier that shares a group with it."""
    related = {carrier_id}
    for group in registry().groups.values():
        ids = group.carrier_ids()
        if carrier_id in ids:
            related |= ids
    return frozenset(related)
