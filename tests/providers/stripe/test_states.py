"""Payment states, the object that keeps the tracking, and the payment as the planner reads it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from providers.stripe.stripe_support import (
    CHARGE,
    DHL,
    OPEN_SESSION,
    OWN_CHARGE,
    PI,
    SESSION,
    UPS,
    USPS,
    charge,
    golden,
    intent,
    ref,
)
from tracksync import Address, PaymentState, ShipmentStatus, Tracker
from tracksync.providers.stripe._ids import PaymentKind
from tracksync.providers.stripe._metadata import ShipmentDetail, encode_detail, metadata_key
from tracksync.providers.stripe._objects import (
    parse_charge,
    parse_checkout_session,
    parse_payment_intent,
)
from tracksync.providers.stripe._payments import NotFound, StripePayment
from tracksync.providers.stripe._states import (
    DETAIL_CAPABILITIES,
    SHIPPING_ONLY_CAPABILITIES,
    not_found,
    to_remote_payment,
)

BERLIN = Address(line1="Friedrichstraße 68", city="Berlin", postal_code="10117", country="DE")


def read_intent(body: dict[str, Any]) -> StripePayment:
    parsed = parse_payment_intent(httpx.Response(200, json=body))
    return StripePayment(
        kind=PaymentKind.PAYMENT_INTENT, payment_intent=parsed, charge=parsed.latest_charge
    )


def read_charge(body: dict[str, Any]) -> StripePayment:
    return StripePayment(
        kind=PaymentKind.CHARGE, charge=parse_charge(httpx.Response(200, json=body))
    )


def read_session(body: dict[str, Any]) -> StripePayment:
    session = parse_checkout_session(httpx.Response(200, json=body))
    intent_read = session.payment_intent
    return StripePayment(
        kind=PaymentKind.CHECKOUT_SESSION,
        session=session,
        payment_intent=intent_read,
        charge=intent_read.latest_charge if intent_read else None,
    )


def stored(number: str, carrier: str, status: ShipmentStatus) -> dict[str, str]:
    detail = ShipmentDetail(tracking_number=number, carrier=carrier, status=status)
    return {metadata_key(number): encode_detail(detail)}


# PaymentIntents.


def test_three_packages_with_statuses() -> None:
    remote = to_remote_payment(ref(), read_intent(golden("payment_intent_three_packages.json")))

    expected = (
        Tracker(tracking_number=UPS, carrier="UPS", status=ShipmentStatus.DELIVERED),
        Tracker(tracking_number=DHL, carrier="DHL Express", status=ShipmentStatus.SHIPPED),
        Tracker(tracking_number=USPS, carrier="USPS", status=ShipmentStatus.ON_HOLD),
    )
    assert PaymentState.READY == remote.state
    assert expected == remote.trackers
    assert remote.target_id is None
    assert DETAIL_CAPABILITIES == remote.capabilities


def test_packages_without_detail() -> None:
    remote = to_remote_payment(
        ref(), read_intent(golden("payment_intent_succeeded_two_packages.json"))
    )

    expected = (
        Tracker(tracking_number=UPS, carrier="UPS"),
        Tracker(tracking_number=DHL, carrier="DHL"),
    )
    assert expected == remote.trackers


def test_unknown_stored_status_kept_raw() -> None:
    metadata = {metadata_key(UPS): '{"n":"1Z999AA10123456784","s":"IN_TRANSIT"}'}

    remote = to_remote_payment(ref(), read_intent(intent(UPS, "UPS", metadata=metadata)))

    assert (Tracker(tracking_number=UPS, carrier="UPS", raw_status="IN_TRANSIT"),) == (
        remote.trackers
    )


def test_full_metadata_no_statuses() -> None:
    merchant = {f"key_{index}": "x" for index in range(50)}

    remote = to_remote_payment(ref(), read_intent(intent(metadata=merchant)))

    assert SHIPPING_ONLY_CAPABILITIES == remote.capabilities
    assert frozenset() == SHIPPING_ONLY_CAPABILITIES.statuses
    assert not SHIPPING_ONLY_CAPABILITIES.can_update_status


def test_recipient_from_intent() -> None:
    remote = to_remote_payment(ref(), read_intent(intent()))

    assert "Jana Müller" == remote.recipient_name
    assert BERLIN == remote.ship_to


def test_recipient_from_charge() -> None:
    remote = to_remote_payment(ref(), read_intent(intent(shipping=False)))

    assert "Jana Müller" == remote.recipient_name
    assert BERLIN == remote.ship_to


def test_no_recipient_anywhere() -> None:
    latest = charge()
    latest["shipping"] = None

    remote = to_remote_payment(ref(), read_intent(intent(shipping=False, charge=latest)))

    assert remote.recipient_name is None
    assert remote.ship_to is None


def test_refunded_intent_unusable() -> None:
    latest = charge()
    latest["refunded"] = True

    remote = to_remote_payment(ref(), read_intent(intent(charge=latest)))

    assert PaymentState.UNUSABLE == remote.state
    assert remote.message is not None
    assert "refunded in full" in remote.message
    assert CHARGE in remote.message


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("succeeded", PaymentState.READY),
        ("processing", PaymentState.WAITING_FOR_CAPTURE),
        ("requires_capture", PaymentState.WAITING_FOR_CAPTURE),
        ("canceled", PaymentState.UNUSABLE),
        ("requires_payment_method", PaymentState.UNUSABLE),
        ("requires_confirmation", PaymentState.UNUSABLE),
        ("requires_action", PaymentState.UNUSABLE),
        ("some_future_status", PaymentState.UNUSABLE),
    ],
)
def test_intent_status_to_state(status: str, state: PaymentState) -> None:
    remote = to_remote_payment(ref(), read_intent(intent(status=status)))

    assert state == remote.state


@pytest.mark.parametrize(
    "status",
    [
        "processing",
        "requires_capture",
        "canceled",
        "requires_payment_method",
        "requires_confirmation",
        "requires_action",
        "some_future_status",
    ],
)
def test_intent_message_names_status(status: str) -> None:
    remote = to_remote_payment(ref(), read_intent(intent(status=status)))

    assert remote.message is not None
    assert status in remote.message
    assert PI in remote.message
    assert () == remote.trackers


# Which object keeps the tracking.


def test_tracking_on_intent_first() -> None:
    read = read_intent(intent(UPS, "UPS", charge=charge(DHL, "DHL")))

    assert PI == read.tracking_object().id  # type: ignore[union-attr]


def test_tracking_on_charge_when_intent_empty() -> None:
    read = read_intent(intent(charge=charge(DHL, "DHL")))

    remote = to_remote_payment(ref(), read)

    assert (Tracker(tracking_number=DHL, carrier="DHL"),) == remote.trackers
    assert CHARGE == remote.target_id


def test_tracksync_keys_on_charge_win() -> None:
    metadata = stored(DHL, "DHL", ShipmentStatus.SHIPPED)
    read = read_intent(intent(UPS, "UPS", charge=charge(DHL, "DHL", metadata=metadata)))

    assert CHARGE == read.tracking_object().id  # type: ignore[union-attr]


def test_tracksync_keys_on_intent_win() -> None:
    metadata = stored(UPS, "UPS", ShipmentStatus.SHIPPED)
    read = read_intent(intent(metadata=metadata, charge=charge(DHL, "DHL")))

    assert PI == read.tracking_object().id  # type: ignore[union-attr]


def test_preferred_charge_when_rejected_before() -> None:
    read = read_intent(intent(UPS, "UPS"))

    remote = to_remote_payment(ref(), read, prefer_charge=True)

    assert () == remote.trackers
    assert CHARGE == remote.target_id


def test_no_charge_intent_holds() -> None:
    body = intent(UPS, "UPS")
    body["latest_charge"] = None

    assert PI == read_intent(body).tracking_object(prefer_charge=True).id  # type: ignore[union-attr]


# Charges.


def test_charge_ready_with_trackers() -> None:
    metadata = stored(UPS, "UPS", ShipmentStatus.DELIVERED)
    read = read_charge(charge(UPS, "UPS", metadata=metadata, own=True))

    remote = to_remote_payment(ref(OWN_CHARGE), read)

    assert PaymentState.READY == remote.state
    expected = Tracker(tracking_number=UPS, carrier="UPS", status=ShipmentStatus.DELIVERED)
    assert (expected,) == remote.trackers
    assert remote.target_id is None


@pytest.mark.parametrize(
    ("changes", "state", "words"),
    [
        ({"captured": False}, PaymentState.WAITING_FOR_CAPTURE, "not captured"),
        ({"refunded": True}, PaymentState.UNUSABLE, "refunded in full"),
        ({"status": "pending"}, PaymentState.WAITING_FOR_CAPTURE, "pending"),
        ({"status": "failed"}, PaymentState.UNUSABLE, "failed"),
        ({"status": "disputed_somehow"}, PaymentState.UNUSABLE, "does not know"),
    ],
)
def test_charge_states(changes: dict[str, Any], state: PaymentState, words: str) -> None:
    body = charge(own=True)
    body.update(changes)

    remote = to_remote_payment(ref(OWN_CHARGE), read_charge(body))

    assert state == remote.state
    assert remote.message is not None
    assert words in remote.message
    assert OWN_CHARGE in remote.message


# Checkout Sessions.


def test_session_ready() -> None:
    remote = to_remote_payment(ref(SESSION), read_session(golden("checkout_session_complete.json")))

    assert PaymentState.READY == remote.state
    assert PI == remote.target_id
    assert "Jana Müller" == remote.recipient_name


def test_session_without_intent_unusable() -> None:
    read = read_session(golden("checkout_session_open.json"))

    remote = to_remote_payment(ref(OPEN_SESSION), read)

    assert PaymentState.UNUSABLE == remote.state
    assert remote.message is not None
    assert f"Checkout Session {OPEN_SESSION} has no PaymentIntent" in remote.message
    assert "status open, payment status unpaid" in remote.message


def test_subscription_session_unusable() -> None:
    body = golden("checkout_session_open.json")
    body["mode"] = "subscription"

    remote = to_remote_payment(ref(OPEN_SESSION), read_session(body))

    assert PaymentState.UNUSABLE == remote.state
    assert remote.message is not None
    assert "subscription mode" in remote.message


def test_session_intent_state_names_session() -> None:
    body = golden("checkout_session_complete.json")
    body["payment_intent"]["status"] = "processing"

    remote = to_remote_payment(ref(SESSION), read_session(body))

    assert PaymentState.WAITING_FOR_CAPTURE == remote.state
    assert remote.message is not None
    assert SESSION in remote.message
    assert PI in remote.message


def test_not_found_message() -> None:
    missing = NotFound(kind="Charge", object_id="ch_1", request_id="req_9")

    remote = not_found(ref("ch_1"), missing)

    assert PaymentState.NOT_FOUND == remote.state
    assert remote.message is not None
    assert "Stripe has no Charge ch_1 (request id req_9)." in remote.message
