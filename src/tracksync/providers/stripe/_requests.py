"""Pure request builders for the Stripe endpoints tracksync calls, and idempotency keys."""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from collections.abc import Mapping
from typing import Any

import attrs
import httpx

from ._form import FormValue, encode_form
from ._objects import ObjectKind, ShippingObject
from ._settings import ApiSettings

__all__ = [
    "build_retrieve",
    "build_retrieve_checkout_session",
    "build_update",
    "idempotency_key",
    "is_replayed",
]

#: The field each read expands, so that one request returns every object tracking can go on.
#: Stripe's spec declares ``expand`` as a deepObject array, sent as ``expand[]=...``.
_EXPANDS = {
    ObjectKind.PAYMENT_INTENT: "latest_charge",
    ObjectKind.CHARGE: None,
}
_SESSION_EXPAND = "payment_intent.latest_charge"


def build_retrieve(
    settings: ApiSettings, kind: ObjectKind, object_id: str, *, stripe_account: str | None = None
) -> httpx.Request:
    """Build ``GET /v1/payment_intents/{id}`` (with its latest Charge) or ``/v1/charges/{id}``."""
    url = settings.url(kind.path(object_id))
    expand = _EXPANDS[kind]
    if expand is not None:
        url += f"?expand[]={expand}"
    return httpx.Request("GET", url, headers=settings.headers(stripe_account))


def build_retrieve_checkout_session(
    settings: ApiSettings, session_id: str, *, stripe_account: str | None = None
) -> httpx.Request:
    """Build ``GET /v1/checkout/sessions/{id}`` with its PaymentIntent and latest Charge."""
    path = f"/v1/checkout/sessions/{urllib.parse.quote(session_id, safe='')}"
    url = settings.url(path) + f"?expand[]={_SESSION_EXPAND}"
    return httpx.Request("GET", url, headers=settings.headers(stripe_account))


def build_update(
    settings: ApiSettings,
    target: ShippingObject,
    params: Mapping[str, FormValue],
    *,
    idempotency_key: str,
    stripe_account: str | None = None,
) -> httpx.Request:
    """Build ``POST /v1/payment_intents/{id}`` or ``/v1/charges/{id}`` with a form body."""
    headers = settings.headers(stripe_account)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Idempotency-Key"] = idempotency_key
    return httpx.Request(
        "POST",
        settings.url(target.kind.path(target.id)),
        headers=headers,
        content=encode_form(params).encode("ascii"),
    )


def idempotency_key(
    target: ShippingObject,
    body: str,
    *,
    stripe_account: str | None = None,
    replayed_request: str | None = None,
) -> str:
    """Derive the ``Idempotency-Key`` of one write.

    The key depends on the account, the object, its shipping and metadata as read before
    the write, and the body to send. A retry of the same write therefore reuses the key,
    also in a later run after a crash, and a different write gets a new one. Stripe keeps
    keys for at least 24 hours, so a write that repeats an earlier one exactly (add a
    number, cancel it, add it again) gets the earlier key and Stripe replays the saved
    response. ``replayed_request`` then names the replayed request, which gives the
    repeated write a key of its own.
    """
    shipping = None if target.shipping is None else attrs.asdict(target.shipping)
    before = _canonical_json({"shipping": shipping, "metadata": dict(target.metadata)})
    text = f"{stripe_account or ''}\n{target.kind.value} {target.id}\n{before}\n{body}"
    if replayed_request is not None:
        text += f"\nafter {replayed_request}"
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"tracksync-{digest[:40]}"


def is_replayed(response: httpx.Response) -> bool:
    """Return whether Stripe replayed a saved response for a reused Idempotency-Key."""
    value: str = response.headers.get("Idempotent-Replayed", "")
    return value.strip().lower() == "true"


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
