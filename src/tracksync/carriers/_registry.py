"""The carrier registry and PayPal's carrier code lists, loaded from package data.

``carriers.json`` contains every carrier that tracksync recognises by name, with its
PayPal codes and the spellings shops use. ``paypal_v1.txt`` and ``paypal_orders_v2.txt``
contain PayPal's published code lists, because the two APIs accept different codes and neither list
contains ``OTHER``.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import urllib.parse
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import cattrs

from ._text import compact, deletion_variants, match_key

__all__ = [
    "OTHER",
    "PAYPAL_APIS",
    "Carrier",
    "CarrierGroup",
    "PayPalApi",
    "Registry",
    "all_carriers",
    "carrier_for_paypal_code",
    "get_carrier",
    "is_paypal_code",
    "paypal_codes",
    "registry",
]

#: A PayPal API whose carrier list a code belongs to: tracking ``"v1"`` or ``"orders_v2"``.
PayPalApi = Literal["v1", "orders_v2"]

PAYPAL_APIS: tuple[PayPalApi, ...] = ("v1", "orders_v2")

#: The carrier code that PayPal pairs with a free-text ``carrier_name_other``. PayPal's
#: documentation requires it for unlisted carriers, although neither code list contains it.
OTHER = "OTHER"

_PACKAGE = "tracksync.carriers"
_CODE_FILES: dict[PayPalApi, str] = {"v1": "paypal_v1.txt", "orders_v2": "paypal_orders_v2.txt"}


@attrs.frozen(kw_only=True)
class Carrier:
    """One carrier of the registry, with its PayPal codes and known spellings."""

    #: Stable id such as ``"royal-mail"``: lower case, digits and hyphens.
    id: str
    #: Display name, also sent to Stripe as ``shipping.carrier``.
    name: str
    #: ISO 3166-1 alpha-2 code of the country it serves, or None for a global carrier.
    country: str | None
    #: Code in PayPal's tracking v1 list, or None when that list has none for it.
    paypal_v1: str | None
    #: Code in PayPal's Orders v2 list, or None when that list has none for it.
    paypal_orders_v2: str | None
    #: Further PayPal codes that name this carrier; a raw code among them maps here.
    other_paypal_codes: tuple[str, ...] = ()
    #: Country whose UPU S10 numbers (such as ``RB123456785GB``) this carrier issues.
    upu_country: str | None = None
    #: Tracking page with ``{number}`` where the tracking number goes, or None.
    tracking_url: str | None = None
    #: Carrier codes of label platforms and aggregators (ShipStation, Shippo, AfterShip).
    platform_codes: tuple[str, ...] = ()
    #: Other names and spellings that shops use, including service names that identify it.
    aliases: tuple[str, ...] = ()

    def paypal_code(self, api: PayPalApi) -> str | None:
        """Return this carrier's code in the given PayPal API's list, or None."""
        return self.paypal_v1 if api == "v1" else self.paypal_orders_v2

    def tracking_url_for(self, tracking_number: str) -> str | None:
        """Return the carrier's tracking page for a number, or None when none is known."""
        if self.tracking_url is None:
            return None
        return self.tracking_url.replace("{number}", urllib.parse.quote(tracking_number, safe=""))


@attrs.frozen(kw_only=True)
class CarrierGroup:
    """A name that several carriers share, such as "DPD", resolved by country.

    "DPD" with a parcel from Germany is DPD Germany, and without a country it is
    ``default``. A group whose default is None is ambiguous without a country.
    """

    names: tuple[str, ...]
    default: str | None
    by_country: Mapping[str, str] = attrs.field(factory=dict)
    #: Further carriers of the group that a tracking number may pick.
    members: tuple[str, ...] = ()

    def carrier_ids(self) -> frozenset[str]:
        """Return the ids of every carrier in the group."""
        ids = {*self.by_country.values(), *self.members}
        if self.default is not None:
            ids.add(self.default)
        return frozenset(ids)


@attrs.frozen(kw_only=True)
class _RegistryFile:
    carriers: tuple[Carrier, ...]
    groups: tuple[CarrierGroup, ...]
    comment: str = ""


class Registry:
    """The loaded registry with its lookup indexes. Use :func:`registry` to get it."""

    def __init__(
        self,
        carriers: tuple[Carrier, ...],
        groups: tuple[CarrierGroup, ...],
        codes: Mapping[PayPalApi, tuple[str, ...]],
    ) -> None:
        self.carriers: dict[str, Carrier] = {carrier.id: carrier for carrier in carriers}
        self.codes: dict[PayPalApi, frozenset[str]] = {
            api: frozenset(codes[api]) for api in PAYPAL_APIS
        }
        self.code_lists: dict[PayPalApi, tuple[str, ...]] = dict(codes)
        self.groups: dict[str, CarrierGroup] = {}
        self.names: dict[str, str] = {}
        self.by_paypal_code: dict[str, str] = {}
        self.by_upu_country: dict[str, str] = {}
        self._check_ids(carriers)
        self._index_groups(groups)
        self._index_carriers()
        self.known_names: dict[str, str] = self._known_names()
        self.typo_index: dict[str, set[str]] = self._typo_index()

    def _check_ids(self, carriers: tuple[Carrier, ...]) -> None:
        if len(self.carriers) != len(carriers):
            ids = [carrier.id for carrier in carriers]
            duplicates = sorted({carrier_id for carrier_id in ids if ids.count(carrier_id) > 1})
            raise ValueError(f"The carrier registry lists these ids twice: {duplicates}.")

    def _index_groups(self, groups: tuple[CarrierGroup, ...]) -> None:
        for group in groups:
            unknown = sorted(group.carrier_ids() - self.carriers.keys())
            if unknown:
                raise ValueError(f"Carrier group {group.names} names unknown carriers {unknown}.")
            for name in group.names:
                key = match_key(name)
                if key in self.groups:
                    raise ValueError(f"Carrier group name {name!r} appears in two groups.")
                self.groups[key] = group

    def _index_carriers(self) -> None:
        for carrier in self.carriers.values():
            codes = (carrier.paypal_v1, carrier.paypal_orders_v2, *carrier.other_paypal_codes)
            spellings = (carrier.id, carrier.name, *carrier.aliases, *carrier.platform_codes)
            for code in codes:
                if code is not None:
                    self._add_code(code, carrier)
            for spelling in (*spellings, *(code for code in codes if code is not None)):
                self._add_name(spelling, carrier)
            if carrier.upu_country is not None:
                owner = self.by_upu_country.setdefault(carrier.upu_country, carrier.id)
                if owner != carrier.id:
                    raise ValueError(
                        f"Carriers {owner!r} and {carrier.id!r} both issue S10 numbers "
                        f"for {carrier.upu_country}."
                    )

    def _add_code(self, code: str, carrier: Carrier) -> None:
        if code not in self.codes["v1"] and code not in self.codes["orders_v2"]:
            raise ValueError(f"Carrier {carrier.id!r} names {code!r}, which no PayPal list has.")
        owner = self.by_paypal_code.setdefault(code, carrier.id)
        if owner != carrier.id:
            raise ValueError(f"PayPal code {code} belongs to both {owner!r} and {carrier.id!r}.")

    def _add_name(self, spelling: str, carrier: Carrier) -> None:
        key = match_key(spelling)
        group = self.groups.get(key)
        if group is not None:
            if carrier.id in group.carrier_ids():
                return
            raise ValueError(
                f"{carrier.id!r} spells itself {spelling!r}, which is the name of the group "
                f"{group.names}; add the carrier to that group or drop the spelling."
            )
        owner = self.names.setdefault(key, carrier.id)
        if owner != carrier.id:
            raise ValueError(
                f"The spelling {spelling!r} matches both {owner!r} and {carrier.id!r}; "
                "keep it on one carrier or make the carriers a group."
            )

    def _known_names(self) -> dict[str, str]:
        """Map the compact form of every carrier name and PayPal code to its owner.

        Owners are registry ids, ``group:`` plus a group name, or ``paypal:`` plus a code
        that no registry carrier has. Typo matching refuses input close to two owners.
        """
        known = {compact(key): carrier_id for key, carrier_id in self.names.items()}
        for key, group in self.groups.items():
            known[compact(key)] = "group:" + group.names[0]
        for code in self.codes["v1"] | self.codes["orders_v2"]:
            owner = self.by_paypal_code.get(code, "paypal:" + code)
            known.setdefault(compact(match_key(code)), owner)
        return known

    def _typo_index(self) -> dict[str, set[str]]:
        index: dict[str, set[str]] = {}
        for name in self.known_names:
            for variant in deletion_variants(name):
                index.setdefault(variant, set()).add(name)
        return index


def _read_codes(api: PayPalApi) -> tuple[str, ...]:
    text = importlib.resources.files(_PACKAGE).joinpath(_CODE_FILES[api]).read_text("utf-8")
    return tuple(line for line in text.splitlines() if line and not line.startswith("#"))


def _read_registry_file() -> _RegistryFile:
    text = importlib.resources.files(_PACKAGE).joinpath("carriers.json").read_text("utf-8")
    data: Any = json.loads(text)
    return cattrs.structure(data, _RegistryFile)


@functools.cache
def registry() -> Registry:
    """Return the registry, loading the package data on first use."""
    data = _read_registry_file()
    codes = {api: _read_codes(api) for api in PAYPAL_APIS}
    return Registry(data.carriers, data.groups, codes)


def all_carriers() -> tuple[Carrier, ...]:
    """Return every carrier of the registry, sorted by id."""
    return tuple(sorted(registry().carriers.values(), key=lambda carrier: carrier.id))


def get_carrier(carrier_id: str) -> Carrier:
    """Return the carrier with this id.

    Raises:
        KeyError: no carrier has the id; the message lists close ids.
    """
    carriers = registry().carriers
    try:
        return carriers[carrier_id]
    except KeyError:
        raise KeyError(_unknown_id_message(carrier_id)) from None


def _unknown_id_message(carrier_id: str) -> str:
    close = [known for known in sorted(registry().carriers) if carrier_id[:3] in known]
    hint = f" Close ids: {', '.join(close[:5])}." if close else ""
    return f"No carrier in the registry has the id {carrier_id!r}.{hint}"


def carrier_for_paypal_code(code: str) -> Carrier | None:
    """Return the registry carrier that a PayPal code names, or None."""
    reg = registry()
    carrier_id = reg.by_paypal_code.get(code)
    return None if carrier_id is None else reg.carriers[carrier_id]


def is_paypal_code(code: str, api: PayPalApi) -> bool:
    """Return whether ``code`` is in the carrier list of the given PayPal API.

    ``OTHER`` is in neither list, although both APIs accept it with ``carrier_name_other``.
    """
    return code in paypal_codes(api)


def paypal_codes(api: PayPalApi) -> frozenset[str]:
    """Return PayPal's published carrier codes for tracking ``"v1"`` or ``"orders_v2"``."""
    try:
        return registry().codes[api]
    except KeyError:
        raise ValueError(f"Unknown PayPal API {api!r}; use 'v1' or 'orders_v2'.") from None
