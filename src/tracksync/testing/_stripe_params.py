"""Decoding and checking of the form parameters that the Stripe emulator accepts."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

import httpx

from ._stripe_errors import (
    _empty_parameter,
    _missing_parameter,
    _not_a_hash,
    _Problem,
    _unknown_parameter,
    not_emulated,
)
from ._stripe_state import _ADDRESS_KEYS, _SHIPPING_KEYS, _Address, _Shipping

__all__ = [
    "MAX_METADATA_KEY",
    "MAX_METADATA_KEYS",
    "MAX_METADATA_VALUE",
    "_MAX_DESCRIPTION",
    "_MAX_STRING",
    "_decode_form",
    "_merge_metadata",
    "_optional_string",
    "_parse_receipt_email",
    "_parse_shipping",
    "_read_form",
    "_reject_unsupported",
    "check_metadata_entry",
    "parse_array",
    "parse_charge_shipping",
    "parse_fraud_details",
    "required_string",
]

#: Limits from Stripe's API reference and OpenAPI spec (version 2023-08-16).
_MAX_STRING = 5000
_MAX_DESCRIPTION = 1000
MAX_METADATA_KEYS = 50
MAX_METADATA_KEY = 40
MAX_METADATA_VALUE = 500

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_FORM_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
#: A name whose one bracketed key itself contains brackets, such as ``metadata[a[b]]``.
_LITERAL_KEY = re.compile(r"^([^\[\]]+)\[(.*)\]$")


def _decode_form(text: str) -> dict[str, Any]:
    """Decode form parameters with bracket nesting: ``a[b]=1`` becomes ``{"a": {"b": "1"}}``.

    ``a[]=x`` appends to the list ``a``, while ``a[0]=x`` makes a hash with the key ``"0"``
    (:func:`parse_array` reads both as an array). A name such as ``metadata[a[b]]``, whose
    key contains brackets, keeps ``a[b]`` as one key, so the metadata rules can reject it.
    """
    result: dict[str, Any] = {}
    for key, value in urllib.parse.parse_qsl(text, keep_blank_values=True):
        parts = _split_name(key)
        if "" in parts[:-1]:
            raise _Problem(400, f"Invalid parameter name: {key}", param=key)
        if parts[-1] == "":
            parent = _walk(result, parts[:-2])
            items = parent.setdefault(parts[-2], [])
            if not isinstance(items, list):
                raise _both_value_and_hash(_bracketed(parts[:-1]))
            items.append(value)
            continue
        node = _walk(result, parts[:-1])
        if isinstance(node.get(parts[-1]), (dict, list)):
            raise _both_value_and_hash(key)
        node[parts[-1]] = value
    return result


def _walk(result: dict[str, Any], parts: list[str]) -> dict[str, Any]:
    """Return the hash at ``parts`` inside ``result``, creating missing levels."""
    node = result
    for depth, part in enumerate(parts):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise _both_value_and_hash(_bracketed(parts[: depth + 1]))
        node = child
    return node


def _split_name(key: str) -> list[str]:
    match = _FORM_KEY.match(key)
    if match is not None:
        return [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
    literal = _LITERAL_KEY.match(key)
    if literal is not None:
        return [literal.group(1), literal.group(2)]
    raise _Problem(400, f"Invalid parameter name: {key}", param=key)


def _both_value_and_hash(param: str) -> _Problem:
    return _Problem(400, f"Received {param} both as a value and as a hash.", param=param)


def _bracketed(parts: list[str]) -> str:
    return parts[0] + "".join(f"[{part}]" for part in parts[1:])


def _read_form(request: httpx.Request) -> dict[str, Any]:
    """Decode a POST body, which must be form-encoded unless it is empty."""
    if not request.content:
        return {}
    media_type = request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        # NOTE: how Stripe treats a body of another media type is not established. The
        # emulator rejects it, so a client cannot send JSON by mistake.
        raise _Problem(
            400,
            "Invalid request: the body must be application/x-www-form-urlencoded, "
            f"not {media_type or 'a body without Content-Type'}.",
        )
    try:
        text = request.content.decode("utf-8")
    except UnicodeDecodeError:
        raise _Problem(400, "Invalid request: the body is not valid UTF-8.") from None
    return _decode_form(text)


def _reject_unsupported(
    params: Mapping[str, Any], accepted: frozenset[str], not_emulated_names: frozenset[str]
) -> None:
    """Reject parameters other than ``accepted``.

    ``not_emulated_names`` are parameters that Stripe accepts but the emulator does not
    implement. Their error message states that, in place of Stripe's "unknown parameter".
    """
    for name in params:
        if name in accepted:
            continue
        if name in not_emulated_names:
            raise not_emulated(f"the parameter {name}", name)
        raise _unknown_parameter(name)


def parse_array(value: object, param: str) -> list[str]:
    """Read an array parameter sent as ``a[]=x`` or ``a[0]=x``, a list of strings."""
    if isinstance(value, list):
        items: list[object] = list(value)
    elif isinstance(value, dict) and all(key.isdigit() for key in value):
        items = [value[key] for key in sorted(value, key=int)]
    else:
        # Stripe's response to `expand=x` without brackets, as its CLI once sent it.
        raise _Problem(400, "Invalid array", param=param)
    strings: list[str] = []
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise _Problem(400, "Invalid array", param=param)
        text = _optional_string(item, f"{param}[{index}]")
        strings.append(text or "")
    return strings


def _optional_string(value: object, param: str, *, max_length: int = _MAX_STRING) -> str | None:
    """Check one string parameter. An empty string unsets the field, so it returns None."""
    if not isinstance(value, str):
        raise _Problem(
            400, f"Invalid string: {param} must be a string, not a hash or an array.", param=param
        )
    if len(value) > max_length:
        # NOTE: the message copies the one Stripe sends for an over-long string. Whether
        # Stripe also sets an error code there is not established, so none is sent.
        excerpt = value if len(value) <= 20 else f"{value[:10]}...{value[-10:]}"
        raise _Problem(
            400, f"Invalid string: {excerpt}; must be at most {max_length} characters", param=param
        )
    return value or None


def required_string(value: object, param: str, *, max_length: int = _MAX_STRING) -> str:
    """Check a string parameter that Stripe's spec gives no empty-string unset."""
    text = _optional_string(value, param, max_length=max_length)
    if text is None:
        raise _empty_parameter(param)
    return text


def _parse_address(value: object) -> _Address:
    if value == "":
        raise _empty_parameter("shipping[address]")
    if not isinstance(value, dict):
        raise _not_a_hash("shipping[address]")
    for key in value:
        if key not in _ADDRESS_KEYS:
            raise _unknown_parameter(f"shipping[address][{key}]")
    fields = {
        key: _optional_string(value[key], f"shipping[address][{key}]")
        for key in _ADDRESS_KEYS
        if key in value
    }
    return _Address(**fields)


def _parse_shipping(value: object) -> _Shipping | None:
    """Check the ``shipping`` parameter. An empty string unsets shipping, so it returns None."""
    if value == "":
        return None
    if not isinstance(value, dict):
        raise _not_a_hash("shipping")
    for key in value:
        if key not in _SHIPPING_KEYS:
            raise _unknown_parameter(f"shipping[{key}]")
    if "name" not in value:
        raise _missing_parameter("shipping[name]")
    if "address" not in value:
        raise _missing_parameter("shipping[address]")

    name = _optional_string(value["name"], "shipping[name]")
    if name is None:
        raise _empty_parameter("shipping[name]")
    address = _parse_address(value["address"])
    optional = {
        key: _optional_string(value[key], f"shipping[{key}]")
        for key in ("carrier", "phone", "tracking_number")
        if key in value
    }
    return _Shipping(name=name, address=address, **optional)


def parse_charge_shipping(value: object) -> _Shipping:
    """Check a Charge's ``shipping``, which unlike a PaymentIntent's cannot be unset."""
    if value == "":
        raise _empty_parameter("shipping")
    shipping = _parse_shipping(value)
    assert shipping is not None, "only an empty string unsets shipping"
    return shipping


def _merge_metadata(current: Mapping[str, str], value: object) -> dict[str, str]:
    """Apply a ``metadata`` update: an empty value unsets one key, ``metadata=`` unsets all.

    Keys not in the update keep their values. Every key is checked before any is applied.
    """
    if value == "":
        return {}
    if not isinstance(value, dict):
        raise _not_a_hash("metadata")
    merged = dict(current)
    for key, item in value.items():
        text = check_metadata_entry(key, item)
        if text:
            merged[key] = text
        else:
            merged.pop(key, None)
    if len(merged) > MAX_METADATA_KEYS:
        raise _Problem(
            400,
            f"Invalid metadata: an object can have at most {MAX_METADATA_KEYS} metadata keys, "
            f"and this update would leave {len(merged)}.",
            param="metadata",
        )
    return merged


def check_metadata_entry(key: str, value: object) -> str:
    """Check one ``metadata[key]=value`` pair against Stripe's documented metadata limits.

    Returns the value, which is empty when the request unsets the key.
    """
    # NOTE: Stripe documents these limits (50 keys, keys of at most 40 characters without
    # square brackets, string values of at most 500 characters), but not the error that
    # breaking each one returns. The messages and params here are the emulator's own,
    # and no error code is sent.
    param = f"metadata[{key}]"
    if "[" in key or "]" in key:
        raise _Problem(
            400,
            f"Invalid {param}: metadata keys cannot contain square brackets ([ or ]).",
            param=param,
        )
    if len(key) > MAX_METADATA_KEY:
        raise _Problem(
            400,
            f"Invalid {param}: metadata keys can be at most {MAX_METADATA_KEY} characters, "
            f"and this one has {len(key)}.",
            param=param,
        )
    if not isinstance(value, str):
        raise _Problem(
            400,
            f"Invalid {param}: metadata values must be strings, not a hash or an array.",
            param=param,
        )
    if len(value) > MAX_METADATA_VALUE:
        raise _Problem(
            400,
            f"Invalid {param}: metadata values can be at most {MAX_METADATA_VALUE} characters, "
            f"and this one has {len(value)}.",
            param=param,
        )
    return value


def _parse_receipt_email(value: object) -> str | None:
    email = _optional_string(value, "receipt_email")
    if email is not None and not _EMAIL.match(email):
        raise _Problem(
            400, f"Invalid email address: {email}", code="email_invalid", param="receipt_email"
        )
    return email


_USER_REPORTS = ("fraudulent", "safe")


def parse_fraud_details(value: object) -> str | None:
    """Check a Charge's ``fraud_details`` and return its ``user_report``, or None to clear it."""
    if value == "":
        raise _empty_parameter("fraud_details")
    if not isinstance(value, dict):
        raise _not_a_hash("fraud_details")
    for key in value:
        if key != "user_report":
            raise _unknown_parameter(f"fraud_details[{key}]")
    if "user_report" not in value:
        raise _missing_parameter("fraud_details[user_report]")
    report = _optional_string(value["user_report"], "fraud_details[user_report]")
    if report is not None and report not in _USER_REPORTS:
        raise _Problem(
            400,
            f"Invalid fraud_details[user_report]: must be one of {', '.join(_USER_REPORTS)}, "
            "or an empty string to clear it.",
            param="fraud_details[user_report]",
        )
    return report
