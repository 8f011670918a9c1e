"""Request checks for Tracking API v1: tracker bodies, tracker collections and query values.

The field rules come from PayPal's Tracking API v1 spec (version 1.6). Tracking numbers
follow the stricter rules of PayPal's live reference (version 1.10): ASCII only, and no
URL, email address or phone number.
"""

from __future__ import annotations

import datetime
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

import attrs
import httpx

from ..carriers import paypal_codes
from ._paypal_http import (
    Problem,
    optional_string,
    reject_unknown_fields,
    required_string,
    type_problem,
)

__all__ = [
    "INPUT_STATUSES",
    "MAX_BATCH_TRACKERS",
    "TRACKING_STATUSES",
    "TrackerInput",
    "carrier_codes",
    "check_account_id",
    "parse_collection",
    "parse_tracker",
]

#: The ``tracking_status`` enum of the Tracking API v1 spec.
TRACKING_STATUSES = frozenset(
    {
        "CANCELLED",
        "DELIVERED",
        "LOCAL_PICKUP",
        "ON_HOLD",
        "SHIPPED",
        "SHIPMENT_CREATED",
        "DROPPED_OFF",
        "IN_TRANSIT",
        "RETURNED",
        "LABEL_PRINTED",
        "ERROR",
        "UNCONFIRMED",
        "PICKUP_FAILED",
        "DELIVERY_DELAYED",
        "DELIVERY_SCHEDULED",
        "DELIVERY_FAILED",
        "INRETURN",
        "IN_PROCESS",
        "NEW",
        "VOID",
        "PROCESSED",
        "NOT_SHIPPED",
        "COMPLETED",
    }
)
#: The statuses that PayPal's shipping-status reference lists as ones a merchant sends.
INPUT_STATUSES = frozenset({"SHIPPED", "ON_HOLD", "DELIVERED", "CANCELLED"})
#: ``tracker_collection.trackers`` has ``maxItems`` 20 in the spec.
MAX_BATCH_TRACKERS = 20

#: Tracker fields a request may set. The spec's read-only fields (``postage_payment_id``,
#: ``quantity``, ``tracking_number_validated``, ``shipment_uploader``, ``account_id`` and
#: ``links``) are rejected like unknown ones.
_TRACKER_FIELDS = frozenset(
    {
        "transaction_id",
        "tracking_number",
        "tracking_number_type",
        "status",
        "shipment_date",
        "carrier",
        "carrier_name_other",
        "notify_buyer",
        "last_updated_time",
        "shipment_direction",
        "tracking_url",
    }
)
_TRACKING_NUMBER_TYPES = frozenset({"CARRIER_PROVIDED", "E2E_PARTNER_PROVIDED"})
_SHIPMENT_DIRECTIONS = frozenset({"FORWARD", "RETURN"})

_TRANSACTION_ID = re.compile(r"^[a-zA-Z0-9]*$")
_ACCOUNT_ID = re.compile(r"^[2-9A-HJ-NP-Z]{13}$")
_DATE = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])$")
_DATE_TIME = re.compile(
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])[T,t]([0-1][0-9]|2[0-3]):[0-5][0-9]:"
    r"([0-5][0-9]|60)([.][0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
_URL_SHAPE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)", re.IGNORECASE)
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_SHAPES = (
    re.compile(r"^\+[0-9][0-9 ().-]{6,}$"),
    re.compile(r"^\(?[0-9]{3}\)?[ .-]?[0-9]{3}[ .-][0-9]{4}$"),
)


def carrier_codes() -> frozenset[str]:
    """Return the carrier codes of the Tracking API v1 spec, without ``OTHER``."""
    return paypal_codes("v1")


@attrs.frozen
class TrackerInput:
    """A tracker from a request body, with every field checked."""

    transaction_id: str
    tracking_number: str
    status: str
    carrier: str
    carrier_name_other: str | None
    notify_buyer: bool
    shipment_date: str | None
    tracking_number_type: str | None
    shipment_direction: str | None
    tracking_url: str | None

    @property
    def tracker_id(self) -> str:
        return f"{self.transaction_id}-{self.tracking_number}"


# --- Tracker bodies ---------------------------------------------------------------------------


def parse_tracker(body: object, pointer: str) -> TrackerInput:
    """Check one ``tracker`` object field by field, in the order the spec lists the fields."""
    if not isinstance(body, dict):
        raise type_problem(pointer or "/", body, "a tracker object")
    reject_unknown_fields(body, _TRACKER_FIELDS, pointer)

    transaction_id = required_string(
        body, "transaction_id", f"{pointer}/transaction_id", max_length=50
    )
    if not _TRANSACTION_ID.match(transaction_id):
        raise Problem(
            400,
            "INVALID_PARAMETER_SYNTAX",
            field=f"{pointer}/transaction_id",
            value=transaction_id,
            description="The transaction_id must contain only letters and digits.",
        )

    # NOTE: the Tracking API v1 spec makes tracking_number optional, but the tracker id is
    # built from it, and the id PayPal gives a tracker without one is not established. The
    # emulator requires it.
    tracking_number = required_string(
        body, "tracking_number", f"{pointer}/tracking_number", max_length=64
    )
    _check_tracking_number(tracking_number, f"{pointer}/tracking_number")

    tracking_number_type = _optional_enum(
        body, "tracking_number_type", pointer, _TRACKING_NUMBER_TYPES
    )
    status = _parse_status(body, pointer)
    shipment_date = _parse_shipment_date(body, pointer)
    carrier, carrier_name_other = _parse_carrier(body, pointer)

    notify_buyer = body.get("notify_buyer", False)
    if not isinstance(notify_buyer, bool):
        raise type_problem(f"{pointer}/notify_buyer", notify_buyer, "true or false")

    last_updated_time = optional_string(
        body, "last_updated_time", f"{pointer}/last_updated_time", max_length=64
    )
    if last_updated_time is not None and not _DATE_TIME.match(last_updated_time):
        # PayPal sets the time itself, so a well-formed value is accepted and not stored.
        raise Problem(
            400,
            "INVALID_PARAMETER_SYNTAX",
            field=f"{pointer}/last_updated_time",
            value=last_updated_time,
            description="The last_updated_time must be an RFC 3339 date and time with seconds.",
        )

    shipment_direction = _optional_enum(body, "shipment_direction", pointer, _SHIPMENT_DIRECTIONS)
    tracking_url = _parse_tracking_url(body, pointer)
    return TrackerInput(
        transaction_id=transaction_id,
        tracking_number=tracking_number,
        status=status,
        carrier=carrier,
        carrier_name_other=carrier_name_other,
        notify_buyer=notify_buyer,
        shipment_date=shipment_date,
        tracking_number_type=tracking_number_type,
        shipment_direction=shipment_direction,
        tracking_url=tracking_url,
    )


def _check_tracking_number(value: str, pointer: str) -> None:
    if not (value.isascii() and value.isprintable()):
        raise Problem(
            400,
            "INVALID_PARAMETER_SYNTAX",
            field=pointer,
            value=value,
            description="The tracking number must contain only printable ASCII characters.",
        )
    # NOTE: PayPal's reference states only that URL, phone number and email formats are
    # not allowed. These shapes are the emulator's reading of that rule, and digits-only
    # numbers and numbers with letters pass.
    if (
        _URL_SHAPE.match(value)
        or _EMAIL_SHAPE.match(value)
        or any(shape.match(value) for shape in _PHONE_SHAPES)
    ):
        raise Problem(
            400,
            "INVALID_PARAMETER_SYNTAX",
            field=pointer,
            value=value,
            description="The tracking number must not be a URL, an email address or a phone "
            "number.",
        )


def _optional_enum(
    body: Mapping[str, Any], key: str, pointer: str, allowed: frozenset[str]
) -> str | None:
    value = optional_string(body, key, f"{pointer}/{key}", max_length=64)
    if value is not None and value not in allowed:
        raise Problem(
            400,
            "INVALID_PARAMETER_VALUE",
            field=f"{pointer}/{key}",
            value=value,
            description=f"The {key} must be one of {', '.join(sorted(allowed))}.",
        )
    return value


def _parse_status(body: Mapping[str, Any], pointer: str) -> str:
    status = required_string(body, "status", f"{pointer}/status", max_length=64)
    if status not in TRACKING_STATUSES:
        raise Problem(
            400,
            "INVALID_PARAMETER_VALUE",
            field=f"{pointer}/status",
            value=status,
            description="The status must be one of the Tracking API statuses, such as SHIPPED.",
        )
    if status not in INPUT_STATUSES:
        # NOTE: PayPal documents only SHIPPED, ON_HOLD, DELIVERED and CANCELLED as statuses
        # a merchant sends. Whether it accepts the other 19 is not established, so the
        # emulator rejects them.
        raise Problem(
            400,
            "INVALID_PARAMETER_VALUE",
            field=f"{pointer}/status",
            value=status,
            description="Send SHIPPED, ON_HOLD, DELIVERED or CANCELLED as the status.",
        )
    return status


def _parse_shipment_date(body: Mapping[str, Any], pointer: str) -> str | None:
    shipment_date = optional_string(
        body, "shipment_date", f"{pointer}/shipment_date", max_length=10
    )
    if shipment_date is None:
        return None
    try:
        valid = bool(_DATE.match(shipment_date)) and bool(
            datetime.date.fromisoformat(shipment_date)
        )
    except ValueError:
        valid = False
    if not valid:
        raise Problem(
            400,
            "INVALID_PARAMETER_SYNTAX",
            field=f"{pointer}/shipment_date",
            value=shipment_date,
            description="The shipment_date must be a calendar date as YYYY-MM-DD, with no time.",
        )
    return shipment_date


def _parse_carrier(body: Mapping[str, Any], pointer: str) -> tuple[str, str | None]:
    """Return the carrier and ``carrier_name_other``.

    PayPal requires the carrier whenever a tracking number is given, and the emulator
    requires a tracking number, so the carrier is always required here.
    """
    carrier = required_string(body, "carrier", f"{pointer}/carrier", max_length=64)
    if carrier != "OTHER" and carrier not in carrier_codes():
        raise Problem(
            400,
            "INVALID_PARAMETER_VALUE",
            field=f"{pointer}/carrier",
            value=carrier,
            description="The carrier must be a Tracking API v1 carrier code, or OTHER with "
            "carrier_name_other.",
        )

    carrier_name_other = optional_string(
        body, "carrier_name_other", f"{pointer}/carrier_name_other", max_length=64
    )
    if carrier == "OTHER" and carrier_name_other is None:
        raise Problem(
            400,
            "MISSING_REQUIRED_PARAMETER",
            field=f"{pointer}/carrier_name_other",
            description="carrier_name_other is required when carrier is OTHER.",
        )
    if carrier != "OTHER" and carrier_name_other is not None:
        # The spec: "Provide this value only if the carrier parameter is OTHER."
        raise Problem(
            400,
            "INVALID_PARAMETER_VALUE",
            field=f"{pointer}/carrier_name_other",
            value=carrier_name_other,
            description="Send carrier_name_other only when carrier is OTHER.",
        )
    return carrier, carrier_name_other


def _parse_tracking_url(body: Mapping[str, Any], pointer: str) -> str | None:
    tracking_url = optional_string(body, "tracking_url", f"{pointer}/tracking_url", max_length=250)
    if tracking_url is None:
        return None
    parts = urllib.parse.urlsplit(tracking_url)
    if not (parts.scheme and parts.netloc):
        raise Problem(
            400,
            "INVALID_PARAMETER_SYNTAX",
            field=f"{pointer}/tracking_url",
            value=tracking_url,
            description="The tracking_url must be an absolute URL.",
        )
    return tracking_url


def parse_collection(body: object) -> list[object]:
    """Return the trackers of a ``tracker_collection`` body, which has 1 to 20 of them."""
    if not isinstance(body, dict):
        raise Problem(
            400, "MALFORMED_REQUEST_JSON", description="The request body must be a JSON object."
        )
    reject_unknown_fields(body, frozenset({"trackers"}), "")
    if "trackers" not in body:
        raise Problem(
            400,
            "MISSING_REQUIRED_PARAMETER",
            field="/trackers",
            description="/trackers is required.",
        )
    trackers = body["trackers"]
    if not isinstance(trackers, list):
        raise type_problem("/trackers", trackers, "an array of trackers")
    if not trackers:
        raise Problem(
            400,
            "INVALID_ARRAY_MIN_ITEMS",
            field="/trackers",
            description="Send at least one tracker.",
        )
    if len(trackers) > MAX_BATCH_TRACKERS:
        raise Problem(
            400,
            "INVALID_ARRAY_MAX_ITEMS",
            field="/trackers",
            value=str(len(trackers)),
            description=f"Send at most {MAX_BATCH_TRACKERS} trackers per request, not "
            f"{len(trackers)}.",
        )
    return trackers


def check_account_id(request: httpx.Request) -> None:
    account_id = request.url.params.get("account_id")
    if account_id is not None and not _ACCOUNT_ID.match(account_id):
        raise Problem(
            400,
            "INVALID_PARAMETER_SYNTAX",
            field="account_id",
            value=account_id,
            location="query",
            description="The account_id must be 13 characters of 2-9 and A-Z without I and O.",
        )
