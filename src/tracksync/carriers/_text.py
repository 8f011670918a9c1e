"""Turn carrier names into lookup keys, and the word lists that matching ignores.

A key is the text folded to lower case without accents, with every run of punctuation or
white space replaced by one space and a space put between letters and digits, so that
"Royal Mail Tracked-48", "royal mail tracked 48" and "ROYAL_MAIL tracked48" all give
"royal mail tracked 48".
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = [
    "COUNTRY_WORDS",
    "FILLER_WORDS",
    "SERVICE_WORDS",
    "compact",
    "deletion_variants",
    "edit_distance_at_most_one",
    "match_key",
]

_SEPARATORS = re.compile(r"[\W_]+")
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words that name a service level, a parcel size or a delivery option, never a carrier.
#: "UPS Ground" and "Royal Mail Tracked 48" match their carrier with these words removed,
#: but "Ground" or "Express" alone match nothing. Tokens made only of digits count as
#: service words too.
SERVICE_WORDS = _word_set(
    """
    and tracked tracking untracked signed signature confirmation for special delivery
    deliveries guaranteed express priority standard economy ground home air next day days
    second third first st nd rd th class select saver overnight international intl
    worldwide domestic national regional parcel parcels paket pakete packet package
    packages small large medium letter letters mail premium plus service services shipping
    shipment return returns label labels am pm noon by sameday same business box flat rate
    envelope padded cubic commercial retail smartpost surepost media registered recorded
    insured classic predict pickup shop parcelshop drop off kg lb lbs oz size non docs
    documents heavy bulky std exp eco prio expedited paq paquete
    """
)

#: Words that shops put before a carrier name, such as "Shipped via UPS".
FILLER_WORDS = _word_set("shipped sent via by with using carrier courier shipping the")

#: Country names, ISO codes and web domains that shops append to a carrier name, such as
#: "DPD UK", "GLS Spain" or "DPD.co.uk". They narrow a carrier group to one country.
COUNTRY_WORDS: dict[str, str] = {
    "uk": "GB",
    "gb": "GB",
    "co uk": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "england": "GB",
    "us": "US",
    "usa": "US",
    "united states": "US",
    "de": "DE",
    "germany": "DE",
    "deutschland": "DE",
    "fr": "FR",
    "france": "FR",
    "es": "ES",
    "spain": "ES",
    "espana": "ES",
    "it": "IT",
    "italy": "IT",
    "italia": "IT",
    "nl": "NL",
    "netherlands": "NL",
    "nederland": "NL",
    "holland": "NL",
    "be": "BE",
    "belgium": "BE",
    "belgique": "BE",
    "at": "AT",
    "austria": "AT",
    "osterreich": "AT",
    "ch": "CH",
    "switzerland": "CH",
    "schweiz": "CH",
    "ie": "IE",
    "ireland": "IE",
    "pl": "PL",
    "poland": "PL",
    "polska": "PL",
    "pt": "PT",
    "portugal": "PT",
    "se": "SE",
    "sweden": "SE",
    "sverige": "SE",
    "dk": "DK",
    "denmark": "DK",
    "danmark": "DK",
    "norway": "NO",
    "norge": "NO",
    "fi": "FI",
    "finland": "FI",
    "cz": "CZ",
    "czech": "CZ",
    "czech republic": "CZ",
    "czechia": "CZ",
    "hu": "HU",
    "hungary": "HU",
    "ro": "RO",
    "romania": "RO",
    "au": "AU",
    "australia": "AU",
    "nz": "NZ",
    "new zealand": "NZ",
    "ca": "CA",
    "canada": "CA",
    "cn": "CN",
    "china": "CN",
    "hk": "HK",
    "hong kong": "HK",
    "in": "IN",
    "india": "IN",
    "jp": "JP",
    "japan": "JP",
    "mx": "MX",
    "mexico": "MX",
    "ru": "RU",
    "russia": "RU",
    "sk": "SK",
    "slovakia": "SK",
    "si": "SI",
    "slovenia": "SI",
    "hr": "HR",
    "croatia": "HR",
}


@functools.lru_cache(maxsize=4096)
def match_key(text: str) -> str:
    """Return the lookup key of a carrier name: folded case and accents, single spaces."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in decomposed if not unicodedata.combining(char))
    text = text.casefold().replace("&", " and ").replace("+", " plus ")
    text = _SEPARATORS.sub(" ", text)
    text = _LETTER_DIGIT.sub(" ", text)
    return " ".join(text.split())


def compact(key: str) -> str:
    """Return a key without its spaces, the form that typo matching compares."""
    return key.replace(" ", "")


def deletion_variants(word: str) -> set[str]:
    """Return the word and every string made by deleting one of its characters.

    Two words within one edit (insertion, deletion, substitution or swap of neighbours)
    always share a variant, so an index of variants finds typo candidates without
    comparing against every known name.
    """
    return {word} | {word[:index] + word[index + 1 :] for index in range(len(word))}


def edit_distance_at_most_one(left: str, right: str) -> bool:
    """Return whether one insertion, deletion, substitution or swap turns left into right."""
    if left == right:
        return True
    if abs(len(left) - len(right)) > 1:
        return False
    if len(left) > len(right):
        left, right = right, left

    prefix = 0
    while prefix < len(left) and left[prefix] == right[prefix]:
        prefix += 1

    if len(left) < len(right):
        return left[prefix:] == right[prefix + 1 :]
    if left[prefix + 1 :] == right[prefix + 1 :]:
        return True
    swapped = (
        prefix + 1 < len(left)
        and left[prefix] == right[prefix + 1]
        and left[prefix + 1] == right[prefix]
    )
    return swapped and left[prefix + 2 :] == right[prefix + 2 :]
