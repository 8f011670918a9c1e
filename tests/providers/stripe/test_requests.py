"""Request builders and idempotency keys."""

from __future__ import annotations

import httpx

from providers.stripe.stripe_support import CONNECTED, KEY
from tracksync.providers.stripe import STRIPE_API_VERSION
from tracksync.providers.stripe._form import FormValue
from tracksync.providers.stripe._objects import ObjectKind, ShippingObject
from tracksync.providers.stripe._requests import (
    build_retrieve,
    build_retrieve_checkout_session,
    build_update,
    idempotency_key,
    is_replayed,
)
from tracksync.providers.stripe._settings import ApiSettings
from tracksync.providers.stripe._shipping import StripeShipping

SETTINGS = ApiSettings(api_key=KEY)
INTENT = ShippingObject(kind=ObjectKind.PAYMENT_INTENT, id="pi_1")
CHARGE = ShippingObject(kind=ObjectKind.CHARGE, id="ch_1")


# Reads.


def test_retrieve_intent_expands_charge() -> None:
    request = build_retrieve(SETTINGS, ObjectKind.PAYMENT_INTENT, "pi_1")

    assert "GET" == request.method
    expected = "https://api.stripe.com/v1/payment_intents/pi_1?expand[]=latest_charge"
    assert expected == str(request.url)


def test_retrieve_charge_plain() -> None:
    request = build_retrieve(SETTINGS, ObjectKind.CHARGE, "ch_1")

    assert "https://api.stripe.com/v1/charges/ch_1" == str(request.url)


def test_retrieve_session_expands_nested() -> None:
    request = build_retrieve_checkout_session(SETTINGS, "cs_test_1")

    expected = (
        "https://api.stripe.com/v1/checkout/sessions/cs_test_1"
        "?expand[]=payment_intent.latest_charge"
    )
    assert expected == str(request.url)


def test_retrieve_headers() -> None:
    request = build_retrieve(SETTINGS, ObjectKind.PAYMENT_INTENT, "pi_1")

    assert f"Bearer {KEY}" == request.headers["Authorization"]
    assert STRIPE_API_VERSION == request.headers["Stripe-Version"]
    assert "2026-10-28.endive" == request.headers["Stripe-Version"]
    assert "Idempotency-Key" not in request.headers
    assert "Stripe-Account" not in request.headers
    assert b"" == request.content


def test_retrieve_connected_account() -> None:
    request = build_retrieve(SETTINGS, ObjectKind.CHARGE, "ch_1", stripe_account=CONNECTED)

    assert CONNECTED == request.headers["Stripe-Account"]


def test_retrieve_base_url() -> None:
    settings = ApiSettings(api_key=KEY, base_url="http://127.0.0.1:12111")

    request = build_retrieve(settings, ObjectKind.CHARGE, "ch_123")

    assert "http://127.0.0.1:12111/v1/charges/ch_123" == str(request.url)


# Writes.


PARAMS: dict[str, FormValue] = {
    "shipping": {"name": "A", "address": {"line1": "B"}, "carrier": "UPS", "tracking_number": "1"},
    "metadata": {"tracksync_0123456789abcdef": '{"n":"1"}'},
}


def test_update_intent_body() -> None:
    request = build_update(SETTINGS, INTENT, PARAMS, idempotency_key="k-1")

    expected = (
        b"shipping[name]=A&shipping[address][line1]=B&shipping[carrier]=UPS"
        b"&shipping[tracking_number]=1"
        b"&metadata[tracksync_0123456789abcdef]=%7B%22n%22%3A%221%22%7D"
    )
    assert "POST" == request.method
    assert "https://api.stripe.com/v1/payment_intents/pi_1" == str(request.url)
    assert expected == request.content


def test_update_headers() -> None:
    request = build_update(SETTINGS, CHARGE, PARAMS, idempotency_key="k-1")

    assert "https://api.stripe.com/v1/charges/ch_1" == str(request.url)
    assert "application/x-www-form-urlencoded" == request.headers["Content-Type"]
    assert "k-1" == request.headers["Idempotency-Key"]
    assert STRIPE_API_VERSION == request.headers["Stripe-Version"]
    assert "Stripe-Account" not in request.headers


def test_update_connected_account() -> None:
    request = build_update(
        SETTINGS, CHARGE, PARAMS, idempotency_key="k-1", stripe_account=CONNECTED
    )

    assert CONNECTED == request.headers["Stripe-Account"]


def test_settings_repr_hides_key() -> None:
    assert KEY not in repr(SETTINGS)


# Idempotency keys.


BEFORE = ShippingObject(
    kind=ObjectKind.PAYMENT_INTENT,
    id="pi_1",
    shipping=StripeShipping(name="A", address={"line1": "B"}),
    metadata={"order_id": "1001"},
)


def test_key_stable() -> None:
    assert idempotency_key(BEFORE, "x=1") == idempotency_key(BEFORE, "x=1")


def test_key_golden_value() -> None:
    # The derivation is part of the contract with keys Stripe already saved: a change
    # to it makes a retry after an upgrade send a new key.
    expected = "tracksync-78297c5023fdf30c8a9a9aa376cf3e867758a543"

    assert expected == idempotency_key(BEFORE, "x=1")


def test_key_form() -> None:
    key = idempotency_key(BEFORE, "x=1")

    assert key.startswith("tracksync-")
    assert 50 == len(key)


def test_key_body_differs() -> None:
    assert idempotency_key(BEFORE, "x=1") != idempotency_key(BEFORE, "x=2")


def test_key_shipping_differs() -> None:
    after = ShippingObject(
        kind=ObjectKind.PAYMENT_INTENT,
        id="pi_1",
        shipping=StripeShipping(name="A", address={"line1": "B"}, tracking_number="1Z1"),
        metadata={"order_id": "1001"},
    )

    assert idempotency_key(BEFORE, "x=1") != idempotency_key(after, "x=1")


def test_key_metadata_differs() -> None:
    after = ShippingObject(
        kind=ObjectKind.PAYMENT_INTENT,
        id="pi_1",
        shipping=StripeShipping(name="A", address={"line1": "B"}),
        metadata={"order_id": "1002"},
    )

    assert idempotency_key(BEFORE, "x=1") != idempotency_key(after, "x=1")


def test_key_object_differs() -> None:
    other = ShippingObject(kind=ObjectKind.CHARGE, id="pi_1", shipping=BEFORE.shipping)

    assert idempotency_key(INTENT, "x=1") != idempotency_key(CHARGE, "x=1")
    assert idempotency_key(BEFORE, "x=1") != idempotency_key(other, "x=1")


def test_key_account_differs() -> None:
    own = idempotency_key(BEFORE, "x=1")

    assert own != idempotency_key(BEFORE, "x=1", stripe_account=CONNECTED)


def test_key_after_replay_differs() -> None:
    first = idempotency_key(BEFORE, "x=1")

    assert first != idempotency_key(BEFORE, "x=1", replayed_request="req_1")


def test_key_without_shipping() -> None:
    assert idempotency_key(INTENT, "x=1") != idempotency_key(BEFORE, "x=1")


def test_replay_header_detected() -> None:
    assert is_replayed(httpx.Response(200, headers={"Idempotent-Replayed": "true"}))


def test_fresh_response_not_replayed() -> None:
    assert not is_replayed(httpx.Response(200))
