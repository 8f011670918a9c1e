"""Find a registry carrier name in a shop's carrier text.

The text key ("royal mail tracked 48") matches when it is a known name, or a known name
followed by service words and a country, or one typo away from one carrier's names.
"""

from __future__ import annotations

import functools

import attrs

from ._registry import CarrierGroup, registry
from ._text import (
    COUNTRY_WORDS,
    FILLER_WORDS,
    SERVICE_WORDS,
    compact,
    deletion_variants,
    edit_distance_at_most_one,
    match_key,
)

__all__ = ["Hit", "lookup"]

#: Short words have close neighbours that are other words: "My Post" is one letter away
#: from Sunyou's code SYPOST. Seven letters keep every typo that the test corpus holds.
_TYPO_MIN_LENGTH = 7


@attrs.frozen
class Hit:
    """A registry name found in the text."""

    carrier_id: str | None
    group: CarrierGroup | None
    #: The registry key that matched.
    spelling: str
    #: Service words dropped from the text.
    ignored: tuple[str, ...] = ()
    #: Country named in the text, such as GB for "DPD UK".
    country: str | None = None
    fuzzy: bool = False


@functools.lru_cache(maxsize=8192)
def lookup(key: str) -> Hit | None:
    """Find the registry name in a text key, or None."""
    exact = _exact(key)
    if exact is not None:
        return exact

    tokens = key.split()
    while tokens and tokens[0] in FILLER_WORDS:
        tokens.pop(0)
    found = _prefix_match(tokens, None)
    if found is not None:
        return found
    # A leading country, as in "UK DPD", is tried last: "Canada Post" starts with one too.
    country, length = _country_at(tokens, 0)
    if length:
        found = _prefix_match(tokens[length:], country)
        if found is not None:
            return found
    return _typo(tokens)


def _prefix_match(tokens: list[str], country: str | None) -> Hit | None:
    """Match the longest leading run of tokens that is a name, followed by service words."""
    for end in range(len(tokens), 0, -1):
        found = _exact(" ".join(tokens[:end]))
        if found is None:
            continue
        rest = _service_rest(tokens[end:]) or _own_service(found, tokens[end:])
        if rest is None or (rest[0][:1] == ("express",) and _is_post(found)):
            continue
        ignored, rest_country = rest
        return attrs.evolve(found, ignored=ignored, country=rest_country or country)
    return None


def _own_service(hit: Hit, rest: list[str]) -> tuple[tuple[str, ...], None] | None:
    """Accept words after a carrier name that are another name of the same carrier.

    "Canada Post Xpresspost" and "La Poste Lettre Suivie" name a product of the carrier
    whose name comes first.
    """
    if hit.carrier_id is not None and registry().names.get(" ".join(rest)) == hit.carrier_id:
        return tuple(rest), None
    return None


def _is_post(hit: Hit) -> bool:
    """Return whether a hit is a national post, whose "Express" arm is another carrier.

    "Correos Express" and "CTT Express" are couriers of their own, so "express" right after
    a post's name is no service word. "USPS Priority Mail Express" still matches USPS.
    """
    if hit.carrier_id is None:
        return False
    return registry().carriers[hit.carrier_id].upu_country is not None


def _exact(key: str) -> Hit | None:
    reg = registry()
    group = reg.groups.get(key)
    if group is not None:
        return Hit(None, group, key)
    carrier_id = reg.names.get(key)
    if carrier_id is not None:
        return Hit(carrier_id, None, key)
    return None


def _country_at(tokens: list[str], index: int) -> tuple[str | None, int]:
    """Return the country named at ``tokens[index]`` and how many tokens name it."""
    pair = " ".join(tokens[index : index + 2])
    if index + 1 < len(tokens) and pair in COUNTRY_WORDS:
        return COUNTRY_WORDS[pair], 2
    if index < len(tokens) and tokens[index] in COUNTRY_WORDS:
        return COUNTRY_WORDS[tokens[index]], 1
    return None, 0


def _service_rest(rest: list[str]) -> tuple[tuple[str, ...], str | None] | None:
    """Split words after a carrier name into service words and a country, or None."""
    ignored: list[str] = []
    country = None
    index = 0
    while index < len(rest):
        named, length = _country_at(rest, index)
        if named is not None:
            country = named
            index += length
            continue
        word = rest[index]
        if word not in SERVICE_WORDS and not word.isdigit():
            return None
        ignored.append(word)
        index += 1
    return tuple(ignored), country


def _typo(tokens: list[str]) -> Hit | None:
    """Match a name one typo away from exactly one carrier's (or group's) names.

    Only letters are compared, and only names of seven letters or more, so "UPS",
    "My Post" or "Tracked 28" never match by typo. A name that is itself a PayPal code of a carrier
    outside the registry, or that is close to two owners, matches nothing.
    """
    reg = registry()
    word = compact(" ".join(tokens))
    if len(word) < _TYPO_MIN_LENGTH or not word.isalpha() or word in reg.known_names:
        return None
    close: set[str] = set()
    for variant in deletion_variants(word):
        close |= {
            name
            for name in reg.typo_index.get(variant, ())
            if edit_distance_at_most_one(word, name)
        }
    owners = {reg.known_names[name] for name in close}
    if len(owners) != 1:
        return None
    owner = owners.pop()
    spelling = sorted(close)[0]
    if owner.startswith("paypal:"):
        return None
    if owner.startswith("group:"):
        group = reg.groups[match_key(owner.removeprefix("group:"))]
        return Hit(None, group, spelling, fuzzy=True)
    return Hit(owner, None, spelling, fuzzy=True)
