"""Each package's detail, kept in the payment's ``metadata`` under keys that tracksync owns.

Stripe's ``shipping`` hash contains only the joined tracking numbers and carriers, so the
status and shipped-on date of each package go into metadata, one key per package. The key
is ``tracksync_`` and the first 16 hex digits of the SHA-256 of the tracking number. The
value is compact JSON such as ``{"n":"1Z999","c":"UPS","s":"DELIVERED","d":"2026-01-05"}``.
Stripe allows at most 50 keys per object (the merchant's own included), key names of at
most 40 characters without ``[`` or ``]``, and values of at most 500 characters. Keys that
do not match tracksync's pattern belong to the merchant and are never changed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Mapping, Sequence

import attrs

from ..._models import ShipmentStatus

__all__ = [
    "KEY_PREFIX",
    "MAX_KEYS",
    "MAX_KEY_LENGTH",
    "MAX_VALUE_LENGTH",
    "MetadataUpdate",
    "ShipmentDetail",
    "decode_detail",
    "encode_detail",
    "has_room",
    "is_tracksync_key",
    "metadata_key",
    "plan_metadata",
    "read_details",
]

#: Stripe's metadata limits (docs.stripe.com/api/metadata).
MAX_KEYS = 50
MAX_KEY_LENGTH = 40
MAX_VALUE_LENGTH = 500

KEY_PREFIX = "tracksync_"
_HASH_DIGITS = 16
_KEY = re.compile(rf"^{KEY_PREFIX}[0-9a-f]{{{_HASH_DIGITS}}}$")


@attrs.frozen(kw_only=True)
class ShipmentDetail:
    """The detail tracksync stores about one package besides its place in ``shipping``."""

    tracking_number: str
    carrier: str | None = None
    status: ShipmentStatus | None = None
    #: The stored status exactly as spelled, kept when it maps to no ShipmentStatus.
    raw_status: str | None = None
    shipped_on: datetime.date | None = None


@attrs.frozen(kw_only=True)
class MetadataUpdate:
    """The ``metadata`` parameters of one write, and the packages whose detail did not fit."""

    #: Keys to set, and tracksync keys to unset with an empty value.
    params: Mapping[str, str] = attrs.field(factory=dict)
    #: Tracking number to the reason its detail was not stored, as a clause.
    not_stored: Mapping[str, str] = attrs.field(factory=dict)


def metadata_key(tracking_number: str) -> str:
    """Return the metadata key of a package's detail."""
    digest = hashlib.sha256(tracking_number.encode()).hexdigest()
    return KEY_PREFIX + digest[:_HASH_DIGITS]


def is_tracksync_key(key: str) -> bool:
    """Return whether a metadata key is one that tracksync owns."""
    return bool(_KEY.match(key))


def encode_detail(detail: ShipmentDetail) -> str:
    """Encode a package's detail as compact JSON, leaving out the parts that are unknown."""
    value: dict[str, str] = {"n": detail.tracking_number}
    if detail.carrier is not None:
        value["c"] = detail.carrier
    status = detail.status.value if detail.status is not None else detail.raw_status
    if status is not None:
        value["s"] = status
    if detail.shipped_on is not None:
        value["d"] = detail.shipped_on.isoformat()
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def decode_detail(value: str) -> ShipmentDetail | None:
    """Decode a stored detail, or return None when the value is not one."""
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict) or not _is_text(data.get("n")):
        return None
    raw_status = data.get("s") if _is_text(data.get("s")) else None
    try:
        status = ShipmentStatus(raw_status) if raw_status is not None else None
    except ValueError:
        status = None
    return ShipmentDetail(
        tracking_number=data["n"],
        carrier=data["c"] if _is_text(data.get("c")) else None,
        status=status,
        raw_status=raw_status if status is None else None,
        shipped_on=_date(data.get("d")),
    )


def read_details(metadata: Mapping[str, str]) -> dict[str, ShipmentDetail]:
    """Read every stored detail, keyed by tracking number.

    A value under a tracksync key that does not decode, or that names a tracking number
    whose key is another one, is skipped.
    """
    details: dict[str, ShipmentDetail] = {}
    for key, value in metadata.items():
        if not is_tracksync_key(key):
            continue
        detail = decode_detail(value)
        if detail is not None and metadata_key(detail.tracking_number) == key:
            details[detail.tracking_number] = detail
    return details


def has_room(metadata: Mapping[str, str]) -> bool:
    """Return whether at least one package's detail can be stored beside the merchant's keys."""
    merchant_keys = sum(1 for key in metadata if not is_tracksync_key(key))
    return merchant_keys < MAX_KEYS


def plan_metadata(metadata: Mapping[str, str], details: Sequence[ShipmentDetail]) -> MetadataUpdate:
    """Plan the metadata change that stores these details and removes every other one.

    Details already stored keep their keys first, and new ones follow in the given order
    while the 50-key limit leaves room. A detail whose value would exceed 500 characters is not
    stored. Only tracksync's own keys are set or unset.
    """
    merchant_keys = sum(1 for key in metadata if not is_tracksync_key(key))
    room = max(MAX_KEYS - merchant_keys, 0)
    not_stored: dict[str, str] = {}
    entries: list[tuple[str, str, str]] = []
    for detail in details:
        value = encode_detail(detail)
        if len(value) > MAX_VALUE_LENGTH:
            not_stored[detail.tracking_number] = (
                f"its detail would take {len(value)} characters, and Stripe allows at most "
                f"{MAX_VALUE_LENGTH} per metadata value"
            )
            continue
        entries.append((metadata_key(detail.tracking_number), value, detail.tracking_number))

    # sorted() is stable, so keys already stored come first and keep their order.
    entries.sort(key=lambda entry: entry[0] not in metadata)
    for _, _, number in entries[room:]:
        not_stored[number] = (
            f"the metadata already holds {merchant_keys} of the merchant's keys, and Stripe "
            f"allows at most {MAX_KEYS} keys in all"
        )
    stored = {key: value for key, value, _ in entries[:room]}

    params = {key: value for key, value in stored.items() if metadata.get(key) != value}
    for key in metadata:
        if is_tracksync_key(key) and key not in stored:
            params[key] = ""
    return MetadataUpdate(params=params, not_stored=not_stored)


def _date(value: object) -> datetime.date | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value)
