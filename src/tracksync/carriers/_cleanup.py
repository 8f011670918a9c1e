"""Clean pasted tracking numbers and reject values that are no tracking number."""

from __future__ import annotations

import functools
import re
import urllib.parse

from ..errors import InvalidInputError
from ._registry import registry

__all__ = ["MAX_TRACKING_NUMBER_LENGTH", "clean_tracking_number", "is_ascii"]

#: Maximum length of a tracking number in PayPal's tracking APIs (v1 and Orders v2).
MAX_TRACKING_NUMBER_LENGTH = 64

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SPACES_AND_DASHES = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_URL_START = re.compile(r"(?i)(?:[a-z][a-z0-9+.-]*://|www\.)")
_BARE_DOMAIN = re.compile(r"(?i)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[/?#]|$)")
_PHONE = re.compile(
    r"(?i)tel:.*"
    r"|\+\d[\d\s().-]{6,}"
    r"|\(\d{3}\)\s*\d{3}[\s.-]\d{4}"
    r"|\d{3}[.-]\d{3}[.-]\d{4}"
)
_LOOKS_LIKE_NUMBER = re.compile(r"(?=.*\d)[0-9A-Za-z]{6,64}")

#: Tracking sites of aggregators whose links shops paste instead of the number.
_AGGREGATOR_HOSTS = (
    "17track.net",
    "17track.com",
    "aftership.com",
    "parcelsapp.com",
    "parcelmonitor.com",
    "ship24.com",
    "track24.net",
    "trackingmore.com",
)

#: Carrier sites that appear in pasted links but in no tracking URL of the registry.
_EXTRA_CARRIER_HOSTS = (
    "canadapost.ca",
    "dhl.com",
    "dhl.de",
    "dpd.com",
    "dpd.de",
    "fedex.com",
    "gls-group.eu",
    "hermesworld.com",
    "ups.com",
    "usps.com",
)


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Query and fragment parameters that carry the number in the links of known sites.
_NUMBER_PARAMETERS = _word_set(
    """
    awb barcode billcode code con cons consignmentnumber id idc inquirynumber1 itemcode l
    mailno mailnolist num number numbers nums objeto parcel parcelnumber parcelnumbers
    piececode pin q qc qtc_tlabels1 query ref reference searchfor searchvalue
    shipmentnumber snr t tlabels trackid tracking tracking-id tracking-number
    tracking_number trackingid trackingnumber trackingnumbers tracknum tracknumber
    tracknumbers tracknums trackno trknbr
    """
)


def is_ascii(text: str) -> bool:
    """Return whether the text is plain ASCII, which PayPal's tracking v1 API requires."""
    return text.isascii()


def clean_tracking_number(text: str) -> str:
    """Return the tracking number without the spaces and dashes people paste.

    A link to a known carrier's or aggregator's tracking page (UPS, Royal Mail, 17track,
    parcelsapp, AfterShip and others) gives the number that it contains. Letter case is
    kept.

    Raises:
        InvalidInputError: the text is empty, longer than 64 characters, a list, an e-mail
            address, a phone number, or a link that is not a known tracking page or that
            contains no tracking number. The message shows the value and what is expected.
    """
    value = _INVISIBLE.sub("", text).strip().strip("\"'")
    if not value:
        raise InvalidInputError(
            "The tracking number is empty; give the number printed on the carrier's label."
        )
    if _EMAIL.fullmatch(value):
        raise InvalidInputError(
            f"Tracking number {value!r} is an e-mail address; give the number printed on "
            "the carrier's label."
        )
    if _URL_START.match(value) or _BARE_DOMAIN.match(value):
        value = _number_from_url(value)
    elif _PHONE.fullmatch(value):
        raise InvalidInputError(
            f"Tracking number {value!r} looks like a phone number; give the number printed "
            "on the carrier's label."
        )
    return _finish(value, text)


def _finish(value: str, original: str) -> str:
    number = _SPACES_AND_DASHES.sub("", value)
    if "," in number or ";" in number:
        raise InvalidInputError(
            f"Tracking number {original!r} contains several numbers; give each package its own "
            "shipment with one tracking number."
        )
    if not number.isprintable():
        raise InvalidInputError(
            f"Tracking number {original!r} contains control characters; give the number "
            "as printed on the label."
        )
    if len(number) > MAX_TRACKING_NUMBER_LENGTH:
        raise InvalidInputError(
            f"Tracking number {original!r} is {len(number)} characters long without spaces; "
            f"PayPal accepts at most {MAX_TRACKING_NUMBER_LENGTH}. Check that it is one "
            "tracking number."
        )
    return number


def _number_from_url(url: str) -> str:
    parsed = urllib.parse.urlsplit(url if "://" in url else "https://" + url)
    host = (parsed.hostname or "").lower()
    if not _is_tracking_host(host):
        raise InvalidInputError(
            f"Tracking number {url!r} is a link to {host or 'an unknown site'}, which is not a "
            "known carrier's tracking page; give the tracking number itself."
        )
    number = _number_in_parts(parsed)
    if number is None:
        raise InvalidInputError(
            f"Tracking number {url!r} is a link to {host} without a tracking number in it; "
            "give the tracking number itself."
        )
    return number


def _number_in_parts(parsed: urllib.parse.SplitResult) -> str | None:
    # A fragment such as "#/search?searchFor=X" or "#nums=X" carries parameters too.
    fragment_path, _, fragment_query = parsed.fragment.partition("?")
    if "=" in fragment_path and not fragment_query:
        fragment_path, fragment_query = "", fragment_path
    for query in (parsed.query, fragment_query):
        for name, value in urllib.parse.parse_qsl(query):
            if name.lower() not in _NUMBER_PARAMETERS:
                continue
            # A list is returned as it is, so that the caller rejects it as a list.
            if "," in value or _LOOKS_LIKE_NUMBER.fullmatch(_SPACES_AND_DASHES.sub("", value)):
                return value
    segments = [*parsed.path.split("/"), *fragment_path.split("/")]
    for segment in reversed(segments):
        candidate = urllib.parse.unquote(segment)
        if _LOOKS_LIKE_NUMBER.fullmatch(candidate):
            return candidate
    return None


def _is_tracking_host(host: str) -> bool:
    return any(host == known or host.endswith("." + known) for known in _tracking_hosts())


@functools.cache
def _tracking_hosts() -> frozenset[str]:
    hosts = {*_AGGREGATOR_HOSTS, *_EXTRA_CARRIER_HOSTS}
    for carrier in registry().carriers.values():
        if carrier.tracking_url is not None:
            host = urllib.parse.urlsplit(carrier.tracking_url).hostname or ""
            hosts.add(_site_of(host))
    return frozenset(hosts)


def _site_of(host: str) -> str:
    """Return the registrable part of a host: "dpd.co.uk" for "track.dpd.co.uk"."""
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in {"co", "com", "gov", "org", "net"} else 2
    return ".".join(labels[-keep:])
