"""Package details in metadata: keys, values and Stripe's limits."""

from __future__ import annotations

import datetime
import hashlib

import pytest

from tracksync import ShipmentStatus
from tracksync.providers.stripe._metadata import (
    MAX_KEY_LENGTH,
    ShipmentDetail,
    decode_detail,
    encode_detail,
    has_room,
    is_tracksync_key,
    metadata_key,
    plan_metadata,
    read_details,
)

UPS = "1Z999AA10123456784"
DHL = "JD014600006281230704"
USPS = "9400111899560000000000"


def detail(
    number: str,
    carrier: str = "UPS",
    status: ShipmentStatus | None = ShipmentStatus.SHIPPED,
    shipped_on: datetime.date | None = None,
) -> ShipmentDetail:
    return ShipmentDetail(
        tracking_number=number, carrier=carrier, status=status, shipped_on=shipped_on
    )


def merchant_keys(count: int) -> dict[str, str]:
    return {f"shop_key_{index:02d}": "x" for index in range(count)}


# Keys.


def test_key_hashes_number() -> None:
    digest = hashlib.sha256(UPS.encode()).hexdigest()

    assert "tracksync_" + digest[:16] == metadata_key(UPS)


def test_key_within_stripe_rules() -> None:
    key = metadata_key("X" * 64)

    assert len(key) <= MAX_KEY_LENGTH
    assert "[" not in key
    assert "]" not in key


def test_own_key_recognised() -> None:
    assert is_tracksync_key(metadata_key(UPS))


@pytest.mark.parametrize(
    "key", ["order_id", "tracksync_", "tracksync_order", "tracksync_0123456789ABCDEF", "x"]
)
def test_merchant_key_not_own(key: str) -> None:
    assert not is_tracksync_key(key)


# Values.


def test_encode_compact() -> None:
    value = encode_detail(detail(UPS, status=ShipmentStatus.DELIVERED, shipped_on=_jan(5)))

    assert '{"n":"1Z999AA10123456784","c":"UPS","s":"DELIVERED","d":"2026-01-05"}' == value


def test_encode_leaves_out_unknown() -> None:
    value = encode_detail(ShipmentDetail(tracking_number=UPS))

    assert '{"n":"1Z999AA10123456784"}' == value


def test_encode_keeps_unicode() -> None:
    value = encode_detail(detail(UPS, carrier="Österreichische Post"))

    assert "Österreichische Post" in value


def test_decode_round_trip() -> None:
    original = detail(DHL, "DHL", ShipmentStatus.ON_HOLD, _jan(6))

    assert original == decode_detail(encode_detail(original))


def test_decode_unknown_status_kept_raw() -> None:
    decoded = decode_detail('{"n":"1Z1","s":"IN_TRANSIT"}')

    assert decoded is not None
    assert decoded.status is None
    assert "IN_TRANSIT" == decoded.raw_status


def test_decode_bad_date_skipped() -> None:
    decoded = decode_detail('{"n":"1Z1","d":"5 Jan"}')

    assert decoded is not None
    assert decoded.shipped_on is None


@pytest.mark.parametrize("value", ["", "SHIPPED", "[]", '{"c":"UPS"}', '{"n":""}', '{"n":3}'])
def test_decode_invalid_none(value: str) -> None:
    assert decode_detail(value) is None


def test_read_details_by_number() -> None:
    metadata = {
        "order_id": "1001",
        metadata_key(UPS): encode_detail(detail(UPS)),
        metadata_key(DHL): encode_detail(detail(DHL, "DHL")),
    }

    assert {UPS: detail(UPS), DHL: detail(DHL, "DHL")} == read_details(metadata)


def test_read_details_skips_wrong_key() -> None:
    metadata = {metadata_key(UPS): encode_detail(detail(DHL, "DHL"))}

    assert {} == read_details(metadata)


def test_read_details_skips_merchant_json() -> None:
    assert {} == read_details({"order": encode_detail(detail(UPS))})


# Planning a metadata update.


def test_plan_sets_new_keys() -> None:
    update = plan_metadata({"order_id": "1001"}, [detail(UPS), detail(DHL, "DHL")])

    expected = {
        metadata_key(UPS): encode_detail(detail(UPS)),
        metadata_key(DHL): encode_detail(detail(DHL, "DHL")),
    }
    assert expected == update.params
    assert {} == update.not_stored


def test_plan_leaves_unchanged_keys_out() -> None:
    metadata = {metadata_key(UPS): encode_detail(detail(UPS))}

    update = plan_metadata(metadata, [detail(UPS), detail(DHL, "DHL")])

    assert [metadata_key(DHL)] == list(update.params)


def test_plan_changes_status() -> None:
    metadata = {metadata_key(UPS): encode_detail(detail(UPS))}
    delivered = detail(UPS, status=ShipmentStatus.DELIVERED)

    update = plan_metadata(metadata, [delivered])

    assert {metadata_key(UPS): encode_detail(delivered)} == update.params


def test_plan_unsets_removed_package() -> None:
    metadata = {
        "order_id": "1001",
        metadata_key(UPS): encode_detail(detail(UPS)),
        metadata_key(DHL): encode_detail(detail(DHL, "DHL")),
    }

    update = plan_metadata(metadata, [detail(DHL, "DHL")])

    assert {metadata_key(UPS): ""} == update.params


def test_plan_never_touches_merchant_keys() -> None:
    metadata = {"order_id": "1001", "tracksync_note": "kept", "gift": ""}

    update = plan_metadata(metadata, [])

    assert {} == update.params


def test_plan_unsets_undecodable_own_key() -> None:
    stale = "tracksync_0123456789abcdef"

    update = plan_metadata({stale: "garbage"}, [detail(UPS)])

    assert "" == update.params[stale]


def test_plan_fills_up_to_fifty() -> None:
    update = plan_metadata(merchant_keys(47), [detail(UPS), detail(DHL), detail(USPS)])

    assert 3 == len(update.params)
    assert {} == update.not_stored


def test_plan_over_fifty_not_stored() -> None:
    update = plan_metadata(merchant_keys(48), [detail(UPS), detail(DHL), detail(USPS)])

    assert [metadata_key(UPS), metadata_key(DHL)] == list(update.params)
    assert [USPS] == list(update.not_stored)
    assert "48 of the merchant's keys" in update.not_stored[USPS]
    assert "50" in update.not_stored[USPS]


def test_plan_full_stores_nothing() -> None:
    update = plan_metadata(merchant_keys(50), [detail(UPS)])

    assert {} == update.params
    assert [UPS] == list(update.not_stored)


def test_plan_keeps_stored_before_new() -> None:
    metadata = {**merchant_keys(48), metadata_key(USPS): encode_detail(detail(USPS))}

    update = plan_metadata(metadata, [detail(UPS), detail(DHL), detail(USPS)])

    assert [metadata_key(UPS)] == list(update.params)
    assert [DHL] == list(update.not_stored)


def test_plan_value_too_long() -> None:
    long_carrier = "C" * 480
    metadata = {metadata_key(UPS): encode_detail(detail(UPS))}

    update = plan_metadata(metadata, [detail(UPS, long_carrier)])

    assert {metadata_key(UPS): ""} == update.params
    assert "500" in update.not_stored[UPS]


def test_room_below_fifty() -> None:
    assert has_room(merchant_keys(49))


def test_no_room_at_fifty() -> None:
    assert not has_room(merchant_keys(50))


def test_room_counts_only_merchant_keys() -> None:
    metadata = {**merchant_keys(49), metadata_key(UPS): encode_detail(detail(UPS))}

    assert has_room(metadata)


def _jan(day: int) -> datetime.date:
    return datetime.date(2026, 1, day)
