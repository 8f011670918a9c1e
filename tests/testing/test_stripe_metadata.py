"""StripeEmulator: metadata limits and merge rules on PaymentIntent and Charge updates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tracksync.testing import StripeEmulator

BASE_URL = "https://api.stripe.com"
INTENT_PATH = "/v1/payment_intents/pi_1"
CHARGE_PATH = "/v1/charges/ch_1"
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def emulator() -> StripeEmulator:
    emulator = StripeEmulator()
    emulator.add_payment_intent("pi_1", latest_charge="ch_1")
    return emulator


@pytest.fixture
def client(emulator: StripeEmulator) -> Iterator[httpx.Client]:
    headers = {"Authorization": "Bearer sk_test_emulator"}
    with httpx.Client(transport=emulator, base_url=BASE_URL, headers=headers) as client:
        yield client


@pytest.fixture(params=[INTENT_PATH, CHARGE_PATH], ids=["payment_intent", "charge"])
def path(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


def metadata_of(emulator: StripeEmulator, path: str) -> dict[str, str]:
    stored = emulator.payment_intent("pi_1") if path == INTENT_PATH else emulator.charge("ch_1")
    metadata: dict[str, str] = stored["metadata"]
    return metadata


def error(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    return body


def post_raw(client: httpx.Client, path: str, body: bytes) -> httpx.Response:
    return client.post(path, content=body, headers=FORM_HEADERS)


# --- Accepted ---------------------------------------------------------------------------------


def test_metadata_set(client: httpx.Client, emulator: StripeEmulator, path: str) -> None:
    response = client.post(path, data={"metadata[order_id]": "1001"})
    assert 200 == response.status_code
    assert {"order_id": "1001"} == response.json()["metadata"]
    assert {"order_id": "1001"} == metadata_of(emulator, path)


def test_metadata_merges(client: httpx.Client, emulator: StripeEmulator, path: str) -> None:
    client.post(path, data={"metadata[order_id]": "1001", "metadata[shop]": "north"})
    client.post(path, data={"metadata[carrier]": "UPS", "metadata[order_id]": "1002"})
    expected = {"order_id": "1002", "shop": "north", "carrier": "UPS"}
    assert expected == metadata_of(emulator, path)


def test_metadata_key_unset(client: httpx.Client, emulator: StripeEmulator, path: str) -> None:
    client.post(path, data={"metadata[order_id]": "1001", "metadata[shop]": "north"})
    client.post(path, data={"metadata[shop]": ""})
    assert {"order_id": "1001"} == metadata_of(emulator, path)


def test_metadata_unset_absent_key(
    client: httpx.Client, emulator: StripeEmulator, path: str
) -> None:
    response = client.post(path, data={"metadata[never_set]": ""})
    assert 200 == response.status_code
    assert {} == metadata_of(emulator, path)


def test_metadata_all_unset(client: httpx.Client, emulator: StripeEmulator, path: str) -> None:
    client.post(path, data={"metadata[order_id]": "1001", "metadata[shop]": "north"})
    response = client.post(path, data={"metadata": ""})
    assert 200 == response.status_code
    assert {} == metadata_of(emulator, path)


def test_metadata_limits_accepted(
    client: httpx.Client, emulator: StripeEmulator, path: str
) -> None:
    form = {f"metadata[{'k' * 38}{number:02}]": "v" * 500 for number in range(50)}
    response = client.post(path, data=form)
    assert 200 == response.status_code
    assert 50 == len(metadata_of(emulator, path))


def test_metadata_unset_makes_room(
    client: httpx.Client, emulator: StripeEmulator, path: str
) -> None:
    client.post(path, data={f"metadata[key{number}]": "v" for number in range(50)})
    response = client.post(path, data={"metadata[key0]": "", "metadata[new]": "v"})
    assert 200 == response.status_code
    assert 50 == len(metadata_of(emulator, path))


def test_metadata_other_characters(
    client: httpx.Client, emulator: StripeEmulator, path: str
) -> None:
    client.post(path, data={"metadata[order id/ü]": "a=b&c"})
    assert {"order id/ü": "a=b&c"} == metadata_of(emulator, path)


# --- Rejected ---------------------------------------------------------------------------------


def test_metadata_too_many_keys(client: httpx.Client, emulator: StripeEmulator, path: str) -> None:
    response = client.post(path, data={f"metadata[key{number}]": "v" for number in range(51)})
    assert 400 == response.status_code
    assert "invalid_request_error" == error(response)["type"]
    assert "metadata" == error(response)["param"]
    assert "50" in error(response)["message"]
    assert {} == metadata_of(emulator, path)


def test_metadata_merge_exceeds_keys(
    client: httpx.Client, emulator: StripeEmulator, path: str
) -> None:
    client.post(path, data={f"metadata[key{number}]": "v" for number in range(50)})
    response = client.post(path, data={"metadata[one_more]": "v"})
    assert 400 == response.status_code
    assert "metadata" == error(response)["param"]
    assert 50 == len(metadata_of(emulator, path))


def test_metadata_key_too_long(client: httpx.Client, path: str) -> None:
    key = "k" * 41
    response = client.post(path, data={f"metadata[{key}]": "v"})
    assert 400 == response.status_code
    assert f"metadata[{key}]" == error(response)["param"]
    assert "40 characters" in error(response)["message"]


def test_metadata_value_too_long(client: httpx.Client, path: str) -> None:
    response = client.post(path, data={"metadata[order_id]": "v" * 501})
    assert 400 == response.status_code
    assert "metadata[order_id]" == error(response)["param"]
    assert "500 characters" in error(response)["message"]


@pytest.mark.parametrize("raw_key", [b"metadata[a[b]]", b"metadata[a%5Bb]", b"metadata[a]b]"])
def test_metadata_key_brackets(client: httpx.Client, path: str, raw_key: bytes) -> None:
    response = post_raw(client, path, raw_key + b"=v")
    assert 400 == response.status_code
    assert "square brackets" in error(response)["message"]


def test_metadata_value_hash(client: httpx.Client, path: str) -> None:
    response = client.post(path, data={"metadata[order][id]": "1001"})
    assert 400 == response.status_code
    assert "metadata[order]" == error(response)["param"]
    assert "must be strings" in error(response)["message"]


def test_metadata_value_array(client: httpx.Client, path: str) -> None:
    response = post_raw(client, path, b"metadata[ids][]=1&metadata[ids][]=2")
    assert 400 == response.status_code
    assert "metadata[ids]" == error(response)["param"]


def test_metadata_not_a_hash(client: httpx.Client, path: str) -> None:
    response = client.post(path, data={"metadata": "order=1001"})
    assert 400 == response.status_code
    assert "metadata" == error(response)["param"]


def test_metadata_list_rejected(client: httpx.Client, path: str) -> None:
    response = post_raw(client, path, b"metadata[]=1001")
    assert 400 == response.status_code
    assert "metadata" == error(response)["param"]


def test_metadata_error_changes_nothing(
    client: httpx.Client, emulator: StripeEmulator, path: str
) -> None:
    client.post(path, data={"metadata[order_id]": "1001"})
    response = client.post(path, data={"metadata[order_id]": "1002", "metadata[x]": "v" * 501})
    assert 400 == response.status_code
    assert {"order_id": "1001"} == metadata_of(emulator, path)


# --- Seeding ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({f"key{number}": "v" for number in range(51)}, "51 keys"),
        ({"k" * 41: "v"}, "40 characters"),
        ({"a[b]": "v"}, "square brackets"),
        ({"order_id": "v" * 501}, "500 characters"),
        ({"order_id": ""}, "non-empty"),
        ({"order_id": 1001}, "strings"),
    ],
)
def test_seed_metadata_invalid(metadata: dict[str, Any], message: str) -> None:
    emulator = StripeEmulator()
    with pytest.raises(ValueError, match=message):
        emulator.add_payment_intent("pi_1", metadata=metadata)
    with pytest.raises(ValueError, match=message):
        emulator.add_charge("ch_1", metadata=metadata)
