"""How a Stripe batch splits into units of payments, without I/O."""

from __future__ import annotations

import attrs
import pytest

from providers.stripe.stripe_support import (
    CONNECTED,
    DHL,
    KEY,
    OWN_CHARGE,
    PI,
    SESSION,
    UPS,
    USPS,
    change,
)
from tracksync import ChangeKind, InvalidInputError, ShipmentStatus
from tracksync.providers.stripe import STRIPE_API_VERSION
from tracksync.providers.stripe._core import StripeCore


@pytest.fixture
def core() -> StripeCore:
    return StripeCore.create(
        KEY,
        base_url=None,
        account=None,
        api_version=STRIPE_API_VERSION,
        timeout=30.0,
        retry=None,
        requests_per_second=None,
        carrier_overrides=None,
    )


def test_one_unit_per_payment(core: StripeCore) -> None:
    changes = [
        change(ChangeKind.ADD, UPS),
        change(ChangeKind.ADD, USPS, payment_id=OWN_CHARGE),
        change(ChangeKind.CANCEL, DHL, status=ShipmentStatus.CANCELLED),
        change(ChangeKind.ADD, DHL, "DHL Express"),
    ]
    batch = core.plan_batch(changes)
    assert [unit.indexes for unit in batch.units] == [(0, 2, 3), (1,)]
    assert batch.decided == {}


def test_connected_account_own_unit(core: StripeCore) -> None:
    changes = [change(ChangeKind.ADD, UPS), change(ChangeKind.ADD, DHL, account=CONNECTED)]
    assert [unit.indexes for unit in core.plan_batch(changes).units] == [(0,), (1,)]


def test_same_target_one_unit(core: StripeCore) -> None:
    # The Checkout Session writes to its PaymentIntent, which another order names directly.
    session_change = attrs.evolve(change(ChangeKind.ADD, UPS, payment_id=SESSION), target_id=PI)
    changes = [
        session_change,
        change(ChangeKind.ADD, USPS, payment_id=OWN_CHARGE),
        change(ChangeKind.ADD, DHL),
    ]
    assert [unit.indexes for unit in core.plan_batch(changes).units] == [(0, 2), (1,)]


def test_invalid_change_decided(core: StripeCore) -> None:
    changes = [change(ChangeKind.ADD, UPS, "UPS, DHL"), change(ChangeKind.ADD, DHL)]
    batch = core.plan_batch(changes)
    assert [unit.indexes for unit in batch.units] == [(1,)]
    assert isinstance(batch.decided[0], InvalidInputError)


def test_default_rate_by_key_mode() -> None:
    def rate(key: str) -> float:
        limiter = StripeCore.create(
            key,
            base_url=None,
            account=None,
            api_version=STRIPE_API_VERSION,
            timeout=30.0,
            retry=None,
            requests_per_second=None,
            carrier_overrides=None,
        ).options.limiter
        assert limiter is not None
        return limiter.rate

    assert rate(KEY) == 20.0
    assert rate("sk_live_example") == 80.0
