"""StripeEmulator: Connect accounts, restricted keys, and persistence of both."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tracksync.testing import StripeEmulator, serve

BASE_URL = "https://api.stripe.com"
ACCOUNT = "acct_1Nv0FGQ9RKHgCVdK"
OTHER_ACCOUNT = "acct_1OtherAccount0001"
SECRET_KEY = "sk_test_emulator"
#: A restricted key as long as Stripe's: rk_test_ and 99 characters.
READ_KEY = "rk_test_" + "R" * 93 + "xyz789"
SHIPPING_FORM = {
    "shipping[name]": "Jenny Rosen",
    "shipping[address][country]": "US",
    "shipping[carrier]": "UPS",
    "shipping[tracking_number]": "1Z999AA10123456784",
}


@pytest.fixture
def emulator() -> StripeEmulator:
    emulator = StripeEmulator()
    emulator.add_payment_intent("pi_platform", latest_charge="ch_platform")
    emulator.add_payment_intent("pi_connected", latest_charge="ch_connected", account=ACCOUNT)
    emulator.add_checkout_session(
        "cs_test_connected", payment_intent="pi_connected", account=ACCOUNT
    )
    emulator.add_payment_intent("pi_other", account=OTHER_ACCOUNT)
    return emulator


def make_client(
    emulator: StripeEmulator, key: str = SECRET_KEY, account: str | None = None
) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"}
    if account is not None:
        headers["Stripe-Account"] = account
    return httpx.Client(transport=emulator, base_url=BASE_URL, headers=headers)


@pytest.fixture
def platform(emulator: StripeEmulator) -> Iterator[httpx.Client]:
    with make_client(emulator) as client:
        yield client


@pytest.fixture
def connected(emulator: StripeEmulator) -> Iterator[httpx.Client]:
    with make_client(emulator, account=ACCOUNT) as client:
        yield client


def error(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    return body


# --- Connect isolation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/v1/payment_intents/pi_connected",
        "/v1/charges/ch_connected",
        "/v1/checkout/sessions/cs_test_connected",
    ],
)
def test_connected_object_visible(connected: httpx.Client, path: str) -> None:
    assert 200 == connected.get(path).status_code


@pytest.mark.parametrize(
    "path",
    [
        "/v1/payment_intents/pi_connected",
        "/v1/charges/ch_connected",
        "/v1/checkout/sessions/cs_test_connected",
    ],
)
def test_platform_cannot_see_connected(platform: httpx.Client, path: str) -> None:
    response = platform.get(path)
    assert 404 == response.status_code
    assert "resource_missing" == error(response)["code"]


@pytest.mark.parametrize("path", ["/v1/payment_intents/pi_platform", "/v1/charges/ch_platform"])
def test_connected_cannot_see_platform(connected: httpx.Client, path: str) -> None:
    assert 404 == connected.get(path).status_code


def test_connected_cannot_see_other_account(connected: httpx.Client) -> None:
    response = connected.get("/v1/payment_intents/pi_other")
    assert 404 == response.status_code
    assert "No such payment_intent: 'pi_other'" == error(response)["message"]


def test_connected_update(connected: httpx.Client, emulator: StripeEmulator) -> None:
    response = connected.post("/v1/charges/ch_connected", data=SHIPPING_FORM)
    assert 200 == response.status_code
    assert "UPS" == emulator.charge("ch_connected")["shipping"]["carrier"]


def test_platform_update_connected_rejected(
    platform: httpx.Client, emulator: StripeEmulator
) -> None:
    response = platform.post("/v1/payment_intents/pi_connected", data=SHIPPING_FORM)
    assert 404 == response.status_code
    assert emulator.payment_intent("pi_connected")["shipping"] is None


def test_connected_expand(connected: httpx.Client) -> None:
    response = connected.get(
        "/v1/checkout/sessions/cs_test_connected",
        params={"expand[]": "payment_intent.latest_charge"},
    )
    assert "ch_connected" == response.json()["payment_intent"]["latest_charge"]["id"]


def test_implicit_charge_same_account(emulator: StripeEmulator) -> None:
    emulator.add_charge("ch_extra", account=ACCOUNT, payment_intent="pi_connected")
    with make_client(emulator, account=ACCOUNT) as client:
        assert 200 == client.get("/v1/charges/ch_extra").status_code


def test_seed_cross_account_link_rejected(emulator: StripeEmulator) -> None:
    with pytest.raises(ValueError, match="does not exist in"):
        emulator.add_charge("ch_cross", payment_intent="pi_connected")
    with pytest.raises(ValueError, match="belongs to account"):
        emulator.add_payment_intent("pi_cross", latest_charge="ch_connected", account=OTHER_ACCOUNT)


def test_ids_unique_across_accounts(emulator: StripeEmulator) -> None:
    with pytest.raises(ValueError, match="already exists"):
        emulator.add_payment_intent("pi_platform", account=ACCOUNT)


@pytest.mark.parametrize("account", ["", "acct", "acct_", "ca_1Nv0FGQ9RKHgCVdK", "acct_1 2"])
def test_malformed_account_header(emulator: StripeEmulator, account: str) -> None:
    with make_client(emulator, account=account) as client:
        response = client.get("/v1/payment_intents/pi_platform")
    assert 400 == response.status_code
    assert "invalid_request_error" == error(response)["type"]
    assert "Stripe-Account" in error(response)["message"]


def test_unknown_account(emulator: StripeEmulator) -> None:
    with make_client(emulator, account="acct_1Unknown00000000") as client:
        response = client.get("/v1/payment_intents/pi_platform")
    expected = {
        "error": {
            "code": "account_invalid",
            "doc_url": "https://stripe.com/docs/error-codes/account-invalid",
            "message": "The provided key 'sk_test_********' does not have access to account "
            "'acct_1Unknown00000000' (or that account does not exist). Application access "
            "may have been revoked.",
            "type": "invalid_request_error",
        }
    }
    assert 403 == response.status_code
    assert expected == response.json()


def test_connect_idempotency_key_scoped(emulator: StripeEmulator) -> None:
    with (
        make_client(emulator, account=ACCOUNT) as first,
        make_client(emulator, account=OTHER_ACCOUNT) as second,
    ):
        first.post(
            "/v1/payment_intents/pi_connected",
            data={"metadata[a]": "1"},
            headers={"Idempotency-Key": "k"},
        )
        response = second.post(
            "/v1/payment_intents/pi_connected",
            data={"metadata[a]": "1"},
            headers={"Idempotency-Key": "k"},
        )
    assert 400 == response.status_code
    assert "idempotency_error" == error(response)["type"]


def test_connect_over_http(emulator: StripeEmulator) -> None:
    with serve(emulator) as server:
        headers = {"Authorization": f"Bearer {SECRET_KEY}", "Stripe-Account": ACCOUNT}
        with httpx.Client(base_url=server.url, headers=headers) as client:
            visible = client.get("/v1/charges/ch_connected")
            hidden = client.get("/v1/charges/ch_platform")
    assert 200 == visible.status_code
    assert 404 == hidden.status_code


# --- Restricted keys --------------------------------------------------------------------------


def test_restricted_read_allows_get(emulator: StripeEmulator) -> None:
    emulator.add_restricted_key(READ_KEY, permissions={"payment_intents": "read"})
    with make_client(emulator, READ_KEY) as client:
        response = client.get("/v1/payment_intents/pi_platform")
    assert 200 == response.status_code


def test_restricted_read_rejects_post(emulator: StripeEmulator) -> None:
    emulator.add_restricted_key(READ_KEY, permissions={"payment_intents": "read"})
    with make_client(emulator, READ_KEY) as client:
        response = client.post("/v1/payment_intents/pi_platform", data=SHIPPING_FORM)
    expected = {
        "error": {
            "message": "The provided key 'rk_test_"
            + "*" * 93
            + "xyz789' does not have the required permissions for this endpoint. Having the "
            "'rak_payment_intent_write' permission would allow this request to continue.",
            "type": "invalid_request_error",
        }
    }
    assert 403 == response.status_code
    assert expected == response.json()
    assert emulator.payment_intent("pi_platform")["shipping"] is None


def test_restricted_key_never_shown(emulator: StripeEmulator) -> None:
    emulator.add_restricted_key(READ_KEY, permissions={})
    with make_client(emulator, READ_KEY) as client:
        response = client.get("/v1/charges/ch_platform")
    assert "R" * 10 not in response.text
    assert "'rak_charge_read'" in error(response)["message"]


def test_short_restricted_key_fully_masked(emulator: StripeEmulator) -> None:
    emulator.add_restricted_key("rk_test_short", permissions={})
    with make_client(emulator, "rk_test_short") as client:
        response = client.get("/v1/charges/ch_platform")
    assert "The provided key 'rk_test_*****' does not" in error(response)["message"]


def test_restricted_write_implies_read(emulator: StripeEmulator) -> None:
    emulator.add_restricted_key(READ_KEY, permissions={"charges": "write"})
    with make_client(emulator, READ_KEY) as client:
        read = client.get("/v1/charges/ch_platform")
        write = client.post("/v1/charges/ch_platform", data=SHIPPING_FORM)
    assert 200 == read.status_code
    assert 200 == write.status_code


@pytest.mark.parametrize(
    ("path", "permission"),
    [
        ("/v1/payment_intents/pi_platform", "rak_payment_intent_read"),
        ("/v1/charges/ch_platform", "rak_charge_read"),
        ("/v1/checkout/sessions/cs_test_platform", "rak_checkout_session_read"),
    ],
)
def test_restricted_missing_resource(emulator: StripeEmulator, path: str, permission: str) -> None:
    emulator.add_checkout_session("cs_test_platform")
    emulator.add_restricted_key(READ_KEY, permissions={})
    with make_client(emulator, READ_KEY) as client:
        response = client.get(path)
    assert 403 == response.status_code
    assert f"'{permission}'" in error(response)["message"]


def test_restricted_checked_before_lookup(emulator: StripeEmulator) -> None:
    emulator.add_restricted_key(READ_KEY, permissions={})
    with make_client(emulator, READ_KEY) as client:
        response = client.get("/v1/charges/ch_missing")
    assert 403 == response.status_code


def test_restricted_expand_needs_read(emulator: StripeEmulator) -> None:
    emulator.add_restricted_key(READ_KEY, permissions={"payment_intents": "write"})
    with make_client(emulator, READ_KEY) as client:
        plain = client.get("/v1/payment_intents/pi_platform")
        expanded = client.get(
            "/v1/payment_intents/pi_platform", params={"expand[]": "latest_charge"}
        )
        update = client.post(
            "/v1/payment_intents/pi_platform",
            data={**SHIPPING_FORM, "expand[]": "latest_charge"},
        )
    assert 200 == plain.status_code
    assert 403 == expanded.status_code
    assert "'rak_charge_read'" in error(expanded)["message"]
    assert 403 == update.status_code
    assert emulator.payment_intent("pi_platform")["shipping"] is None


def test_restricted_expand_with_read(emulator: StripeEmulator) -> None:
    permissions = {"payment_intents": "read", "charges": "read"}
    emulator.add_restricted_key(READ_KEY, permissions=permissions)
    with make_client(emulator, READ_KEY) as client:
        response = client.get("/v1/charges/ch_platform", params={"expand[]": "payment_intent"})
    assert "pi_platform" == response.json()["payment_intent"]["id"]


def test_unknown_restricted_key(emulator: StripeEmulator) -> None:
    with make_client(emulator, "rk_test_51Hunknownkey1234") as client:
        response = client.get("/v1/charges/ch_platform")
    assert 401 == response.status_code
    assert "Invalid API Key provided: rk_test_****1234" == error(response)["message"]


def test_restricted_connect_without_permission(emulator: StripeEmulator) -> None:
    emulator.add_restricted_key(READ_KEY, permissions={"charges": "write"})
    with make_client(emulator, READ_KEY, account=ACCOUNT) as client:
        response = client.get("/v1/charges/ch_connected")
    assert 403 == response.status_code
    assert "does not have any Connect permissions" in error(response)["message"]


def test_restricted_connect_permission(emulator: StripeEmulator) -> None:
    emulator.add_restricted_key(READ_KEY, permissions={"charges": "read", "connect": "read"})
    with make_client(emulator, READ_KEY, account=ACCOUNT) as client:
        read = client.get("/v1/charges/ch_connected")
        write = client.post("/v1/charges/ch_connected", data=SHIPPING_FORM)
    assert 200 == read.status_code
    assert 403 == write.status_code
    assert f"on account '{ACCOUNT}'" in error(write)["message"]


def test_secret_key_still_works(emulator: StripeEmulator) -> None:
    emulator.add_restricted_key(READ_KEY, permissions={})
    with make_client(emulator) as client:
        assert 200 == client.get("/v1/charges/ch_platform").status_code


@pytest.mark.parametrize(
    ("key", "permissions", "message"),
    [
        ("sk_test_other", {}, "rk_test_"),
        ("rk_test_", {}, "rk_test_"),
        (READ_KEY, {"refunds": "read"}, "Unknown resource"),
        (READ_KEY, {"charges": "none"}, "read' or 'write"),
        (READ_KEY, {"charges": "WRITE"}, "read' or 'write"),
    ],
)
def test_add_restricted_key_invalid(key: str, permissions: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StripeEmulator().add_restricted_key(key, permissions=permissions)


def test_add_restricted_key_twice(emulator: StripeEmulator) -> None:
    emulator.add_restricted_key(READ_KEY, permissions={})
    with pytest.raises(ValueError, match="already added"):
        emulator.add_restricted_key(READ_KEY, permissions={"charges": "read"})


# --- Persistence ------------------------------------------------------------------------------


def test_dump_load_keeps_everything(emulator: StripeEmulator) -> None:
    emulator.add_restricted_key(READ_KEY, permissions={"charges": "read", "connect": "read"})
    with make_client(emulator, account=ACCOUNT) as client:
        client.post(
            "/v1/charges/ch_connected",
            data={**SHIPPING_FORM, "metadata[order_id]": "1001"},
            headers={"Idempotency-Key": "k1"},
        )
    loaded = StripeEmulator.load(json.loads(json.dumps(emulator.dump())))

    assert emulator.dump() == loaded.dump()
    with make_client(loaded, READ_KEY, account=ACCOUNT) as client:
        read = client.get("/v1/charges/ch_connected")
    with make_client(loaded, account=ACCOUNT) as client:
        replay = client.post(
            "/v1/charges/ch_connected",
            data={**SHIPPING_FORM, "metadata[order_id]": "1001"},
            headers={"Idempotency-Key": "k1"},
        )
        session = client.get("/v1/checkout/sessions/cs_test_connected")
    with make_client(loaded) as client:
        hidden = client.get("/v1/charges/ch_connected")
    assert {"order_id": "1001"} == read.json()["metadata"]
    assert "true" == replay.headers["Idempotent-Replayed"]
    assert 200 == session.status_code
    assert 404 == hidden.status_code


def test_load_dump_without_new_fields() -> None:
    original = StripeEmulator()
    original.add_payment_intent("pi_1")
    dumped = original.dump()
    for name in ("charges", "checkout_sessions", "restricted_keys"):
        del dumped["state"][name]
    del dumped["state"]["payment_intents"]["pi_1"]["account"]
    loaded = StripeEmulator.load(dumped)
    assert original.payment_intent("pi_1") == loaded.payment_intent("pi_1")
