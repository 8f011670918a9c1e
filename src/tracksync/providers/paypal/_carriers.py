"""Map a shop's carrier to the ``carrier`` and ``carrier_name_other`` fields PayPal takes.

Each tracking API has its own published list of carrier codes, shipped with this package
as ``carriers_v1.txt`` and ``carriers_orders_v2.txt``. A carrier is sent as a code only
when the target API's list has it, or when the other list has it and
:data:`V1_TO_ORDERS_V2` names its counterpart. Anything else is sent as ``OTHER`` with
the text as ``carrier_name_other``.
"""

from __future__ import annotations

import functools
from importlib import resources

from ._apis import Api
from ._carrier_aliases import V1_TO_ORDERS_V2

__all__ = [
    "MAX_CARRIER_NAME_LENGTH",
    "OTHER",
    "carrier_code",
    "carrier_codes",
    "carrier_fields",
    "stored_carrier",
]

#: The carrier code that PayPal pairs with a free-text ``carrier_name_other``.
OTHER = "OTHER"

#: Maximum length of ``carrier_name_other`` that PayPal accepts, in characters.
MAX_CARRIER_NAME_LENGTH = 64

_CODE_FILES = {Api.V1: "carriers_v1.txt", Api.ORDERS_V2: "carriers_orders_v2.txt"}

_ORDERS_V2_TO_V1 = {v2: v1 for v1, v2 in V1_TO_ORDERS_V2.items()}
_TRANSLATIONS = {Api.ORDERS_V2: V1_TO_ORDERS_V2, Api.V1: _ORDERS_V2_TO_V1}


@functools.cache
def carrier_codes(api: Api) -> frozenset[str]:
    """Return the carrier codes that PayPal's spec lists for the API, without ``OTHER``."""
    package = resources.files(__name__.rpartition(".")[0])
    text = package.joinpath(_CODE_FILES[api]).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def carrier_code(carrier: str, api: Api) -> str | None:
    """Return the API's code for the carrier, or None when it has no code for it."""
    if carrier == OTHER or carrier in carrier_codes(api):
        return carrier
    return _TRANSLATIONS[api].get(carrier)


def stored_carrier(carrier: str, api: Api) -> str:
    """Return the carrier as the API stores it: its code, or the name sent with OTHER."""
    fields = carrier_fields(carrier, api)
    return fields.get("carrier_name_other", fields["carrier"])


def carrier_fields(carrier: str, api: Api) -> dict[str, str]:
    """Return ``carrier`` and, for a carrier without a code, ``carrier_name_other``.

    A code is compared as written, so ``"ups"`` is a name, not the code ``UPS``. A name is
    cut to 64 characters. ``OTHER`` itself is sent with ``OTHER`` as the name.
    """
    code = carrier_code(carrier, api)
    if code is not None and code != OTHER:
        return {"carrier": code}
    name = carrier[:MAX_CARRIER_NAME_LENGTH].rstrip()
    return {"carrier": OTHER, "carrier_name_other": name}
