"""One payment's changes applied to its packages and details."""

from __future__ import annotations

import datetime

from providers.stripe.stripe_support import DHL, UPS, USPS, change
from tracksync import ChangeKind, ShipmentStatus
from tracksync.providers.stripe._changes import PackageState, current_packages, edit_packages
from tracksync.providers.stripe._metadata import ShipmentDetail, encode_detail, metadata_key
from tracksync.providers.stripe._objects import ObjectKind, ShippingObject
from tracksync.providers.stripe._shipping import Package, StripeShipping


def target(
    numbers: str | None = None, carriers: str | None = None, metadata: dict[str, str] | None = None
) -> ShippingObject:
    return ShippingObject(
        kind=ObjectKind.PAYMENT_INTENT,
        id="pi_1",
        shipping=StripeShipping(
            name="A", address={"line1": "B"}, tracking_number=numbers, carrier=carriers
        ),
        metadata=metadata or {},
    )


def detail(
    number: str, carrier: str, status: ShipmentStatus = ShipmentStatus.SHIPPED
) -> ShipmentDetail:
    return ShipmentDetail(tracking_number=number, carrier=carrier, status=status)


def stored(*details: ShipmentDetail) -> dict[str, str]:
    return {metadata_key(item.tracking_number): encode_detail(item) for item in details}


# Reading.


def test_current_reads_details() -> None:
    metadata = stored(detail(UPS, "UPS", ShipmentStatus.DELIVERED))

    packages, details = current_packages(target(f"{UPS}, {DHL}", "UPS, DHL", metadata))

    assert (Package(UPS, "UPS"), Package(DHL, "DHL")) == packages
    assert {UPS: detail(UPS, "UPS", ShipmentStatus.DELIVERED)} == details


def test_current_carrier_from_detail() -> None:
    metadata = stored(detail(DHL, "DHL"))

    packages, _ = current_packages(target(f"{UPS}, {DHL}, {USPS}", "UPS, USPS", metadata))

    assert (Package(UPS, None), Package(DHL, "DHL"), Package(USPS, None)) == packages


def test_current_shipping_carrier_wins() -> None:
    metadata = stored(detail(UPS, "FedEx"))

    packages, _ = current_packages(target(UPS, "UPS", metadata))

    assert (Package(UPS, "UPS"),) == packages


def test_current_drops_stale_detail() -> None:
    metadata = stored(detail(UPS, "UPS"), detail(DHL, "DHL"))

    _, details = current_packages(target(UPS, "UPS", metadata))

    assert [UPS] == list(details)


# Editing.


def test_three_adds_in_order() -> None:
    changes = [
        change(ChangeKind.ADD, UPS, "UPS"),
        change(ChangeKind.ADD, DHL, "DHL", status=ShipmentStatus.DELIVERED),
        change(ChangeKind.ADD, USPS, "USPS", shipped_on=datetime.date(2026, 1, 5)),
    ]

    edited = edit_packages(target(), changes)

    expected_details = {
        UPS: detail(UPS, "UPS"),
        DHL: detail(DHL, "DHL", ShipmentStatus.DELIVERED),
        USPS: ShipmentDetail(
            tracking_number=USPS,
            carrier="USPS",
            status=ShipmentStatus.SHIPPED,
            shipped_on=datetime.date(2026, 1, 5),
        ),
    }
    assert (Package(UPS, "UPS"), Package(DHL, "DHL"), Package(USPS, "USPS")) == edited.packages
    assert expected_details == edited.details


def test_add_steps_record_states() -> None:
    edited = edit_packages(target(), [change(ChangeKind.ADD, UPS, "UPS")])

    step = edited.steps[0]
    assert PackageState() == step.before
    assert PackageState(present=True, carrier="UPS", detail=detail(UPS, "UPS")) == step.after


def test_add_present_sets_detail() -> None:
    edited = edit_packages(
        target(UPS, "UPS"), [change(ChangeKind.ADD, UPS, "UPS", status=ShipmentStatus.ON_HOLD)]
    )

    assert (Package(UPS, "UPS"),) == edited.packages
    assert ShipmentStatus.ON_HOLD == edited.details[UPS].status
    assert edited.steps[0].before.present


def test_update_status_only() -> None:
    metadata = stored(detail(UPS, "UPS"))
    update = change(ChangeKind.UPDATE, UPS, "UPS", status=ShipmentStatus.DELIVERED)

    edited = edit_packages(target(UPS, "UPS", metadata), [update])

    assert (Package(UPS, "UPS"),) == edited.packages
    assert detail(UPS, "UPS", ShipmentStatus.DELIVERED) == edited.details[UPS]


def test_update_carrier() -> None:
    edited = edit_packages(target(f"{UPS}, {DHL}", "UPS"), [change(ChangeKind.UPDATE, DHL, "DHL")])

    assert (Package(UPS, "UPS"), Package(DHL, "DHL")) == edited.packages


def test_update_missing_changes_nothing() -> None:
    edited = edit_packages(target(UPS, "UPS"), [change(ChangeKind.UPDATE, DHL, "DHL")])

    assert (Package(UPS, "UPS"),) == edited.packages
    assert edited.steps[0].before == edited.steps[0].after


def test_cancel_one_of_three() -> None:
    metadata = stored(detail(UPS, "UPS"), detail(DHL, "DHL"), detail(USPS, "USPS"))

    edited = edit_packages(
        target(f"{UPS}, {DHL}, {USPS}", "UPS, DHL, USPS", metadata),
        [change(ChangeKind.CANCEL, DHL, "DHL")],
    )

    assert (Package(UPS, "UPS"), Package(USPS, "USPS")) == edited.packages
    assert [UPS, USPS] == sorted(edited.details)
    assert not edited.steps[0].after.present


def test_cancel_then_add_replaces() -> None:
    changes = [change(ChangeKind.CANCEL, UPS, "UPS"), change(ChangeKind.ADD, UPS, "DHL")]

    edited = edit_packages(target(f"{UPS}, {USPS}", "UPS, USPS"), changes)

    assert (Package(USPS, "USPS"), Package(UPS, "DHL")) == edited.packages
    assert not edited.steps[0].after.present
    assert not edited.steps[1].before.present


def test_update_keeps_stored_date() -> None:
    kept = ShipmentDetail(
        tracking_number=UPS,
        carrier="UPS",
        status=ShipmentStatus.SHIPPED,
        shipped_on=datetime.date(2026, 1, 5),
    )
    update = change(ChangeKind.UPDATE, UPS, "UPS", status=ShipmentStatus.DELIVERED)

    edited = edit_packages(target(UPS, "UPS", stored(kept)), [update])

    assert datetime.date(2026, 1, 5) == edited.details[UPS].shipped_on
    assert ShipmentStatus.DELIVERED == edited.details[UPS].status


def test_update_replaces_stored_date() -> None:
    kept = ShipmentDetail(tracking_number=UPS, carrier="UPS", shipped_on=datetime.date(2026, 1, 5))
    update = change(ChangeKind.UPDATE, UPS, "UPS", shipped_on=datetime.date(2026, 1, 7))

    edited = edit_packages(target(UPS, "UPS", stored(kept)), [update])

    assert datetime.date(2026, 1, 7) == edited.details[UPS].shipped_on
