"""Planning one payment's write, and the result of each change."""

from __future__ import annotations

import pytest

from providers.stripe.stripe_support import DHL, SHOP_ADDRESS, UPS, USPS, change
from tracksync import Change, ChangeKind, ChangeResult, InvalidInputError, Outcome, ShipmentStatus
from tracksync.providers.stripe._changes import edit_packages
from tracksync.providers.stripe._metadata import ShipmentDetail, encode_detail, metadata_key
from tracksync.providers.stripe._objects import ObjectKind, ShippingObject
from tracksync.providers.stripe._results import change_results
from tracksync.providers.stripe._shipping import StripeShipping
from tracksync.providers.stripe._writes import PlannedWrite, contains_sent, plan_write

ADDRESS = {"line1": "B"}


def target(
    numbers: str | None = None,
    carriers: str | None = None,
    metadata: dict[str, str] | None = None,
    *,
    kind: ObjectKind = ObjectKind.PAYMENT_INTENT,
    name: str | None = "A",
    phone: str | None = None,
) -> ShippingObject:
    return ShippingObject(
        kind=kind,
        id="pi_1" if kind is ObjectKind.PAYMENT_INTENT else "ch_1",
        shipping=StripeShipping(
            name=name,
            address=ADDRESS if name else {},
            phone=phone,
            tracking_number=numbers,
            carrier=carriers,
        ),
        metadata=metadata or {},
    )


def stored(
    number: str, carrier: str, status: ShipmentStatus = ShipmentStatus.SHIPPED
) -> dict[str, str]:
    detail = ShipmentDetail(tracking_number=number, carrier=carrier, status=status)
    return {metadata_key(number): encode_detail(detail)}


def planned(obj: ShippingObject, changes: list[Change]) -> PlannedWrite:
    return plan_write(
        obj,
        edit_packages(obj, changes),
        recipient_sources=[obj.shipping],
        recipient_name=None,
        ship_to=None,
    )


def results(
    obj: ShippingObject, changes: list[Change], **kwargs: ShippingObject
) -> list[ChangeResult]:
    edited = edit_packages(obj, changes)
    write = plan_write(
        obj, edited, recipient_sources=[obj.shipping], recipient_name=None, ship_to=None
    )
    return change_results(edited, write, **kwargs)


# What is sent.


def test_add_sends_shipping_and_metadata() -> None:
    write = planned(target(), [change(ChangeKind.ADD, UPS, "UPS")])

    shipping = write.params["shipping"]
    assert isinstance(shipping, dict)
    assert UPS == shipping["tracking_number"]
    assert "UPS" == shipping["carrier"]
    assert stored(UPS, "UPS") == write.params["metadata"]
    assert (UPS, "UPS") == write.shipping_sent


def test_status_only_sends_metadata() -> None:
    obj = target(UPS, "UPS", stored(UPS, "UPS"))
    update = change(ChangeKind.UPDATE, UPS, "UPS", status=ShipmentStatus.DELIVERED)

    write = planned(obj, [update])

    assert ["metadata"] == list(write.params)
    assert write.shipping_sent is None
    assert stored(UPS, "UPS", ShipmentStatus.DELIVERED) == write.params["metadata"]


def test_status_only_needs_no_recipient() -> None:
    obj = target(UPS, "UPS", stored(UPS, "UPS"), name=None)
    update = change(ChangeKind.UPDATE, UPS, "UPS", status=ShipmentStatus.DELIVERED)

    write = planned(obj, [update])

    assert ["metadata"] == list(write.params)


def test_nothing_changed_sends_nothing() -> None:
    obj = target(f"{UPS},{DHL}", "UPS,DHL", {**stored(UPS, "UPS"), **stored(DHL, "DHL")})

    write = planned(obj, [change(ChangeKind.ADD, DHL, "DHL")])

    assert write.is_empty


def test_missing_detail_written_alone() -> None:
    write = planned(target(UPS, "UPS"), [change(ChangeKind.ADD, UPS, "UPS")])

    assert ["metadata"] == list(write.params)


def test_missing_recipient_raises() -> None:
    with pytest.raises(InvalidInputError) as caught:
        planned(target(name=None), [change(ChangeKind.ADD, UPS, "UPS")])

    assert "PaymentIntent pi_1" in str(caught.value)
    assert "recipient_name" in str(caught.value)


def test_shop_recipient_used() -> None:
    obj = target(name=None)
    add = change(ChangeKind.ADD, UPS, "UPS")

    write = plan_write(
        obj,
        edit_packages(obj, [add]),
        recipient_sources=[obj.shipping, None],
        recipient_name="Sam Smith",
        ship_to=SHOP_ADDRESS,
    )

    shipping = write.params["shipping"]
    assert isinstance(shipping, dict)
    assert "Sam Smith" == shipping["name"]
    assert "Leeds" == shipping["address"]["city"]


def test_joined_length_raises() -> None:
    numbers = ", ".join(f"1Z{index:062d}" for index in range(80))

    with pytest.raises(InvalidInputError) as caught:
        planned(target(numbers, "UPS"), [change(ChangeKind.ADD, "1Z" + "9" * 62, "UPS")])

    assert "5000" in str(caught.value)
    assert "PaymentIntent pi_1" in str(caught.value)


def test_unpaired_carriers_kept() -> None:
    obj = target("1Z1, 1Z2, 1Z3", "UPS, DHL")

    write = planned(obj, [change(ChangeKind.ADD, "1Z4", "FedEx")])

    shipping = write.params["shipping"]
    assert isinstance(shipping, dict)
    assert "UPS, DHL" == shipping["carrier"]
    assert "1Z1, 1Z2, 1Z3, 1Z4" == shipping["tracking_number"]
    assert write.carrier_kept


def test_contains_sent_after_write() -> None:
    write = planned(target(), [change(ChangeKind.ADD, UPS, "UPS")])
    after = target(UPS, "UPS", stored(UPS, "UPS"))

    assert contains_sent(after, write)


def test_contains_sent_before_write() -> None:
    write = planned(target(), [change(ChangeKind.ADD, UPS, "UPS")])

    assert not contains_sent(target(), write)


def test_contains_sent_unset_key() -> None:
    obj = target(f"{UPS}, {DHL}", "UPS, DHL", {**stored(UPS, "UPS"), **stored(DHL, "DHL")})
    write = planned(obj, [change(ChangeKind.CANCEL, DHL, "DHL")])
    after = target(UPS, "UPS", stored(UPS, "UPS"))

    assert contains_sent(after, write)
    assert not contains_sent(obj, write)


# Results.


def test_results_for_three_adds() -> None:
    changes = [change(ChangeKind.ADD, number) for number in (UPS, DHL, USPS)]

    assert [ChangeResult(outcome=Outcome.ADDED)] * 3 == results(target(), changes)


def test_result_already_there() -> None:
    obj = target(UPS, "UPS", stored(UPS, "UPS"))

    [result] = results(obj, [change(ChangeKind.ADD, UPS, "UPS")])

    assert Outcome.UNCHANGED == result.outcome
    assert f"PaymentIntent pi_1 already has tracking number {UPS}." == result.note


def test_result_update_same() -> None:
    obj = target(UPS, "UPS", stored(UPS, "UPS"))

    [result] = results(obj, [change(ChangeKind.UPDATE, UPS, "UPS")])

    assert Outcome.UNCHANGED == result.outcome
    assert result.note is not None
    assert "carrier UPS and status SHIPPED" in result.note


def test_result_add_present_updates() -> None:
    obj = target(UPS, "UPS", stored(UPS, "UPS"))

    [result] = results(obj, [change(ChangeKind.ADD, UPS, "UPS", status=ShipmentStatus.ON_HOLD)])

    assert Outcome.UPDATED == result.outcome
    assert result.note is not None
    assert "already had tracking number" in result.note


def test_result_status_update() -> None:
    obj = target(UPS, "UPS", stored(UPS, "UPS"))
    update = change(ChangeKind.UPDATE, UPS, "UPS", status=ShipmentStatus.DELIVERED)

    assert [ChangeResult(outcome=Outcome.UPDATED)] == results(obj, [update])


def test_result_update_missing_skipped() -> None:
    [result] = results(target(UPS, "UPS"), [change(ChangeKind.UPDATE, DHL, "DHL")])

    assert Outcome.SKIPPED == result.outcome
    assert result.note is not None
    assert f"no longer contains tracking number {DHL}" in result.note


def test_result_cancel_absent_unchanged() -> None:
    [result] = results(target(UPS, "UPS"), [change(ChangeKind.CANCEL, DHL, "DHL")])

    assert Outcome.UNCHANGED == result.outcome
    assert f"PaymentIntent pi_1 has no tracking number {DHL}, so none was removed." == result.note


def test_result_cancel_last_intent_no_note() -> None:
    [result] = results(target(UPS, "UPS"), [change(ChangeKind.CANCEL, UPS, "UPS")])

    assert ChangeResult(outcome=Outcome.CANCELLED) == result


def test_result_cancel_last_charge_note() -> None:
    obj = target(UPS, "UPS", kind=ObjectKind.CHARGE, phone="+49 1")

    [result] = results(obj, [change(ChangeKind.CANCEL, UPS, "UPS")])

    assert Outcome.CANCELLED == result.outcome
    assert result.note is not None
    assert "Charge ch_1 has no tracking number left" in result.note
    assert "keeps the recipient's name, address and phone" in result.note
    assert "carrier and tracking number were cleared" in result.note


def test_result_detail_not_stored() -> None:
    merchant = {f"key_{index}": "x" for index in range(50)}

    [result] = results(target(metadata=merchant), [change(ChangeKind.ADD, UPS, "UPS")])

    assert Outcome.ADDED == result.outcome
    assert result.note is not None
    assert f"does not store the status and shipped-on date of {UPS}" in result.note


def test_result_status_not_stored_skipped() -> None:
    merchant = {f"key_{index}": "x" for index in range(50)}
    update = change(ChangeKind.UPDATE, UPS, "UPS", status=ShipmentStatus.DELIVERED)

    [result] = results(target(UPS, "UPS", merchant), [update])

    assert Outcome.SKIPPED == result.outcome
    assert result.note is not None
    assert "50" in result.note


def test_result_carrier_kept_note() -> None:
    [result] = results(
        target("1Z1, 1Z2, 1Z3", "UPS, DHL"), [change(ChangeKind.ADD, "1Z4", "FedEx")]
    )

    assert Outcome.ADDED == result.outcome
    assert result.note is not None
    assert "('UPS, DHL')" in result.note
    assert "carrier FedEx" in result.note


def test_result_carrier_kept_stored_in_detail() -> None:
    update = change(ChangeKind.UPDATE, "1Z2", "FedEx")

    [result] = results(target("1Z1, 1Z2, 1Z3", "UPS, DHL"), [update])

    assert Outcome.UPDATED == result.outcome
    assert result.note is not None
    assert "did not write carrier FedEx there" in result.note


def test_result_fallback_note() -> None:
    rejected = target()
    obj = target(kind=ObjectKind.CHARGE)

    [result] = results(obj, [change(ChangeKind.ADD, UPS, "UPS")], rejected_by=rejected)

    assert Outcome.ADDED == result.outcome
    assert result.note is not None
    assert "rejected the shipping update of PaymentIntent pi_1" in result.note
    assert "keeps the tracking on Charge ch_1 instead" in result.note
