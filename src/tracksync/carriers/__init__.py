"""Carriers: the registry, carrier-name matching and tracking-number tools.

PayPal takes a carrier code from one of two lists that differ (tracking v1 and Orders v2),
and Stripe takes free text. :func:`normalize` turns what a shop stores ("Royal Mail
Tracked 48", "stamps_com", "DPD" for a parcel from Germany) into both, and sends anything
it does not know as ``OTHER`` with the shop's own text, never as a guessed carrier.

::

    match = normalize("Royal Mail Tracked 48")
    match.paypal_fields("orders_v2")  # {"carrier": "ROYAL_MAIL"}
    match.display_name                # "Royal Mail", for Stripe

:func:`detect` names the carriers a tracking number may belong to, by format and check
digit. :func:`clean_tracking_number` removes pasted spaces and dashes, takes the number out
of a tracking link, and rejects values that are no tracking number.
"""

from ._cleanup import MAX_TRACKING_NUMBER_LENGTH, clean_tracking_number, is_ascii
from ._detect import Candidate, DetectionConfidence, detect
from ._normalize import MAX_CARRIER_NAME_LENGTH, CarrierMatch, Confidence, normalize
from ._overrides import Overrides, load_overrides
from ._registry import (
    OTHER,
    Carrier,
    PayPalApi,
    all_carriers,
    carrier_for_paypal_code,
    get_carrier,
    is_paypal_code,
    paypal_codes,
)

__all__ = [
    "Candidate",
    "Carrier",
    "CarrierMatch",
    "Confidence",
    "DetectionConfidence",
    "MAX_CARRIER_NAME_LENGTH",
    "MAX_TRACKING_NUMBER_LENGTH",
    "OTHER",
    "Overrides",
    "PayPalApi",
    "all_carriers",
    "carrier_for_paypal_code",
    "clean_tracking_number",
    "detect",
    "get_carrier",
    "is_ascii",
    "is_paypal_code",
    "load_overrides",
    "normalize",
    "paypal_codes",
]
