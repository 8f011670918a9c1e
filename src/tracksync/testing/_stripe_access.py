"""Authentication for the Stripe emulator: the secret key, restricted keys and Connect accounts."""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from collections.abc import Collection, Mapping

import attrs
import httpx

from ._stripe_errors import _Problem

__all__ = [
    "ACCESS_LEVELS",
    "CONNECT",
    "RESOURCES",
    "Caller",
    "_mask_key",
    "check_account_id",
    "identify_caller",
    "mask_key_for_permissions",
    "require_permission",
]

#: Resources that a restricted key's permissions name, and the permission Stripe's 403
#: message names for reading and for writing each.
# NOTE: Stripe's messages name permissions such as 'rak_charge_read' and
# 'rak_subscription_read'. The names for PaymentIntents and Checkout Sessions follow that
# pattern but are not established.
RESOURCES: Mapping[str, tuple[str, str]] = {
    "payment_intents": ("rak_payment_intent_read", "rak_payment_intent_write"),
    "charges": ("rak_charge_read", "rak_charge_write"),
    "checkout_sessions": ("rak_checkout_session_read", "rak_checkout_session_write"),
}
#: The permission that lets a restricted key send ``Stripe-Account``, at either level.
CONNECT = "connect"
#: ``write`` implies ``read``, as on Stripe.
ACCESS_LEVELS = ("read", "write")

_ACCOUNT_ID = re.compile(r"^acct_[A-Za-z0-9]+$")
_SECRET_KEY_PREFIX = re.compile(r"^(?:sk|rk|pk)_(?:test|live)_")

_NO_KEY_MESSAGE = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)


@attrs.frozen
class Caller:
    """The sender of one request: its key, that key's permissions and the account it acts on."""

    key: str
    #: None for the secret key, which may do everything.
    permissions: Mapping[str, str] | None
    account: str | None


def identify_caller(
    request: httpx.Request,
    api_key: str,
    restricted_keys: Mapping[str, Mapping[str, str]],
    accounts: Collection[str],
) -> Caller:
    """Check the request's key and ``Stripe-Account`` header, and return who sent it.

    Raises:
        _Problem: 401 for a missing or unknown key, 400 for a malformed account id, 403
            for an account that owns no object in the emulator, or for a restricted key
            without Connect permissions.
    """
    key = _request_key(request)
    permissions = _permissions_of(key, api_key, restricted_keys)
    account = request.headers.get("Stripe-Account")
    if account is None:
        return Caller(key, permissions, None)

    check_account_id(account)
    if account not in accounts:
        # NOTE: Stripe returns code account_invalid and this message for an account that the
        # key cannot reach, but whether the status is 403 or 400 is not established. The
        # emulator sends 403, which stripe-python reads as a PermissionError.
        raise _Problem(
            403,
            f"The provided key '{mask_key_for_permissions(key)}' does not have access to "
            f"account '{account}' (or that account does not exist). Application access may "
            "have been revoked.",
            code="account_invalid",
        )
    if permissions is not None and CONNECT not in permissions:
        raise _Problem(
            403,
            "You passed a restricted API key with the Stripe-Account header, but the "
            "restricted API key does not have any Connect permissions.",
        )
    return Caller(key, permissions, account)


def check_account_id(account: str) -> None:
    """Reject a ``Stripe-Account`` value that is not an account id such as ``acct_1Nv0F...``."""
    if not _ACCOUNT_ID.match(account):
        # NOTE: Stripe's error for a malformed Stripe-Account header is not established. This
        # 400 and its message are the emulator's own.
        raise _Problem(
            400,
            f"Invalid Stripe-Account header: {account!r} is not a connected account id. "
            "Send an id such as acct_1032D82eZvKYlo2C, or leave the header out to act on "
            "the platform account.",
        )


def require_permission(caller: Caller, resource: str, access: str) -> None:
    """Raise Stripe's 403 unless the caller's key may ``access`` (read or write) ``resource``."""
    if caller.permissions is None:
        return
    granted = caller.permissions.get(resource)
    if granted == "write" or granted == access:
        return
    read_name, write_name = RESOURCES[resource]
    needed = write_name if access == "write" else read_name
    on_account = "" if caller.account is None else f" on account '{caller.account}'"
    raise _Problem(
        403,
        f"The provided key '{mask_key_for_permissions(caller.key)}' does not have the "
        f"required permissions for this endpoint{on_account}. Having the '{needed}' "
        "permission would allow this request to continue.",
    )


def _request_key(request: httpx.Request) -> str:
    header: str = request.headers.get("Authorization", "").strip()
    if not header:
        raise _Problem(401, _NO_KEY_MESSAGE)
    scheme, _, credential = header.partition(" ")
    key = credential.strip()
    if scheme.lower() == "basic":
        try:
            key = base64.b64decode(key, validate=True).decode("utf-8").partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            key = ""
    elif scheme.lower() != "bearer":
        key = header
    return key


def _permissions_of(
    key: str, api_key: str, restricted_keys: Mapping[str, Mapping[str, str]]
) -> Mapping[str, str] | None:
    if hmac.compare_digest(key.encode("utf-8"), api_key.encode("utf-8")):
        return None
    for restricted, permissions in restricted_keys.items():
        if hmac.compare_digest(key.encode("utf-8"), restricted.encode("utf-8")):
            return permissions
    raise _Problem(401, f"Invalid API Key provided: {_mask_key(key)}")


def _mask_key(key: str) -> str:
    """Mask an API key for a message. Only the ``sk_test_`` prefix and last 4 characters show."""
    match = _SECRET_KEY_PREFIX.match(key)
    prefix = match.group(0) if match else ""
    rest = key[len(prefix) :]
    tail = rest[-4:] if len(rest) > 8 else ""
    return f"{prefix}****{tail}"


def mask_key_for_permissions(key: str) -> str:
    """Mask a key as Stripe's 403 messages do: one ``*`` per hidden character, last 6 shown.

    A key with 12 characters or fewer after its prefix is hidden entirely, so a short
    test key never shows in full.
    """
    match = _SECRET_KEY_PREFIX.match(key)
    prefix: str = match.group(0) if match else ""
    rest = key[len(prefix) :]
    tail = rest[-6:] if len(rest) > 12 else ""
    return prefix + "*" * (len(rest) - len(tail)) + tail
