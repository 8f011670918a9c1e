"""The ``expand`` parameter: replace an object id in a response with the object itself.

Paths are dotted, such as ``latest_charge.payment_intent``, and at most four levels deep,
as on Stripe. The emulator expands the links between its own objects. It rejects the other
fields that Stripe can expand (``customer``, ``invoice`` and the like) as not emulated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._stripe_errors import _Problem, not_emulated
from ._stripe_params import parse_array

__all__ = ["MAX_EXPAND_DEPTH", "RESOURCE_OF", "expand_object", "parse_expand"]

MAX_EXPAND_DEPTH = 4

#: For each object type, the fields the emulator expands and the object type of each.
_EXPANSIONS: dict[str, dict[str, str]] = {
    "payment_intent": {"latest_charge": "charge"},
    "charge": {"payment_intent": "payment_intent"},
    "checkout.session": {"payment_intent": "payment_intent"},
}

#: Fields that Stripe expands (``x-expansionResources`` in its OpenAPI spec, 2023-08-16)
#: but the emulator does not, because it stores no such objects.
_NOT_EMULATED: dict[str, frozenset[str]] = {
    "payment_intent": frozenset(
        {"application", "customer", "invoice", "on_behalf_of", "payment_method", "review"}
    ),
    "charge": frozenset(
        {
            "application",
            "application_fee",
            "balance_transaction",
            "customer",
            "failure_balance_transaction",
            "invoice",
            "on_behalf_of",
            "review",
            "source_transfer",
            "transfer",
        }
    ),
    "checkout.session": frozenset(
        {"customer", "invoice", "line_items", "payment_link", "setup_intent", "subscription"}
    ),
}

#: The restricted-key resource that reading each object type needs.
RESOURCE_OF = {
    "payment_intent": "payment_intents",
    "charge": "charges",
    "checkout.session": "checkout_sessions",
}

#: Looks up an object by type and id and renders it, or returns None when it is missing.
Lookup = Callable[[str, str], "dict[str, Any] | None"]


def parse_expand(value: object, root: str) -> tuple[list[str], set[str]]:
    """Check an ``expand`` parameter against the object type ``root``.

    Returns the paths and the object types that expanding them reads, so the caller can
    check a restricted key's permissions before it changes anything.
    """
    paths = parse_array(value, "expand")
    reached: set[str] = set()
    for path in paths:
        fields = path.split(".")
        if len(fields) > MAX_EXPAND_DEPTH:
            raise _Problem(
                400, f"You cannot expand more than {MAX_EXPAND_DEPTH} levels of a property."
            )
        kind = root
        for field in fields:
            target = _EXPANSIONS[kind].get(field)
            if target is None:
                if field in _NOT_EMULATED[kind]:
                    raise not_emulated(f"expanding {field} on a {kind}", "expand")
                raise _Problem(400, f"This property cannot be expanded ({path}).")
            reached.add(target)
            kind = target
    return paths, reached


def expand_object(rendered: dict[str, Any], root: str, paths: list[str], lookup: Lookup) -> None:
    """Expand ``paths`` in place in ``rendered``, an object of type ``root``.

    A null field stays null, as on Stripe.
    """
    for path in paths:
        node = rendered
        kind = root
        for field in path.split("."):
            target = _EXPANSIONS[kind][field]
            value = node.get(field)
            if isinstance(value, str):
                found = lookup(target, value)
                if found is None:
                    break
                node[field] = found
                value = found
            if not isinstance(value, dict):
                break
            node = value
            kind = target
