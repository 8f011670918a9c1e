"""Map a shop's carrier to the ``carrier`` fields of PayPal's Orders v2 /track request."""

from __future__ import annotations

import re

__all__ = ["MAX_CARRIER_NAME_LENGTH", "OTHER", "carrier_fields"]

#: The carrier code that PayPal pairs with a free-text ``carrier_name_other``.
OTHER = "OTHER"

#: Maximum length of ``carrier_name_other`` that PayPal accepts, in characters.
MAX_CARRIER_NAME_LENGTH = 64

#: The pattern of Orders v2 ``shipment_carrier`` codes, such as ``UPS`` or ``DHL_API``.
_CARRIER_CODE = re.compile(r"^[0-9A-Z_]+$")


def carrier_fields(carrier: str) -> dict[str, str]:
    """Return ``carrier`` and, for a name that is not a code, ``carrier_name_other``.

    A carrier written like a PayPal code is sent as the code. Any other text is sent as
    ``OTHER`` with the text, cut to 64 characters, as ``carrier_name_other``.
    """
    # NOTE: codes are not yet checked against PayPal's published carrier lists, so an
    # upper-case name that is no PayPal code (such as "ACME_POST") is sent as a code and
    # PayPal rejects the request.
    if _CARRIER_CODE.match(carrier) and carrier != OTHER:
        return {"carrier": carrier}
    name = carrier[:MAX_CARRIER_NAME_LENGTH].rstrip()
    return {"carrier": OTHER, "carrier_name_other": name}
