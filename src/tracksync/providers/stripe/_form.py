"""Encode request parameters the way Stripe's v1 API reads them.

Stripe's v1 API takes ``application/x-www-form-urlencoded`` bodies in which nested hashes
use bracket keys (``shipping[address][line1]=B``) and lists use indexes (``expand[0]=x``).
Its OpenAPI spec declares these bodies as ``style: deepObject, explode: true``.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from typing import TypeAlias

__all__ = ["FormValue", "encode_form"]

#: A value that :func:`encode_form` can encode.
FormValue: TypeAlias = "str | int | bool | Mapping[str, FormValue] | Sequence[FormValue] | None"


def encode_form(params: Mapping[str, FormValue]) -> str:
    """Encode nested parameters as a form body with unescaped brackets.

    Keys keep their insertion order. Booleans become ``true``/``false``, nested mappings
    become ``a[b][c]``, lists become ``a[0]``, ``a[1]``, and None values are left out.
    Empty strings are kept, because an empty value is how Stripe's spec unsets a field such
    as ``shipping`` or a ``metadata`` key. Values are percent-encoded, with a space as
    ``+``. Brackets in keys stay unescaped, as stripe-python 16.1.0 sends them.
    """
    pairs = list(_flatten(params, prefix=None))
    return "&".join(f"{_quote_key(key)}={_quote_value(value)}" for key, value in pairs)


def _flatten(params: Mapping[str, FormValue], prefix: str | None) -> Iterator[tuple[str, str]]:
    for name, value in params.items():
        key = name if prefix is None else f"{prefix}[{name}]"
        yield from _flatten_value(key, value)


def _flatten_value(key: str, value: FormValue) -> Iterator[tuple[str, str]]:
    # bool is checked before int because True is also an int.
    if value is None:
        return
    if isinstance(value, bool):
        yield key, "true" if value else "false"
    elif isinstance(value, (str, int)):
        yield key, str(value)
    elif isinstance(value, Mapping):
        yield from _flatten(value, prefix=key)
    else:
        for index, item in enumerate(value):
            yield from _flatten_value(f"{key}[{index}]", item)


def _quote_key(key: str) -> str:
    return urllib.parse.quote_plus(key, safe="[]")


def _quote_value(value: str) -> str:
    return urllib.parse.quote_plus(value)
