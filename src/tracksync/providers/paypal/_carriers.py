"""Map a shop's carrier to the ``carrier`` and ``carrier_name_other`` fields PayPal takes.

The mapping is tracksync's carrier registry (:func:`tracksync.carriers.normalize`): a code
in the target API's published list is sent as it is, a code PayPal renamed between its two
APIs is translated, a known carrier gets its code for that API, and anything else is sent
as ``OTHER`` with the name as ``carrier_name_other``.
"""

from __future__ import annotations

from ...carriers import MAX_CARRIER_NAME_LENGTH, OTHER, Overrides, normalize
from ._apis import Api

__all__ = ["MAX_CARRIER_NAME_LENGTH", "OTHER", "carrier_fields", "stored_carrier"]


def carrier_fields(
    carrier: str,
    api: Api,
    *,
    tracking_number: str | None = None,
    overrides: Overrides | None = None,
) -> dict[str, str]:
    """Return ``carrier`` and, for a carrier without a code, ``carrier_name_other``."""
    match = normalize(carrier, tracking_number=tracking_number, overrides=overrides)
    fields = match.paypal_fields(api.value)
    if fields["carrier"] == OTHER and "carrier_name_other" not in fields:
        fields["carrier_name_other"] = carrier[:MAX_CARRIER_NAME_LENGTH].rstrip() or OTHER
    return fields


def stored_carrier(
    carrier: str,
    api: Api,
    *,
    tracking_number: str | None = None,
    overrides: Overrides | None = None,
) -> str:
    """Return the carrier as the API stores it: its code, or the name sent with OTHER."""
    fields = carrier_fields(carrier, api, tracking_number=tracking_number, overrides=overrides)
    return fields.get("carrier_name_other", fields["carrier"])
