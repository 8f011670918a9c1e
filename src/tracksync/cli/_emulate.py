"""The ``--emulate`` mode: run against the built-in emulators, with state kept between runs.

The emulators' state lives in one JSON file, so a second run finds the trackers that the
first one added, as it would on the real providers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx
import platformdirs

from .._models import PAYPAL, STRIPE, Order, PaymentRef
from ..carriers import Overrides
from ..errors import InvalidInputError
from ..providers._protocol import AsyncTrackingProvider
from ..testing import PayPalEmulator, StripeEmulator

__all__ = ["EmulatedProviders", "default_state_path"]

_STATE_VERSION = 1

logger = logging.getLogger("tracksync.cli")


def default_state_path() -> Path:
    """Return the default path of the emulators' state file for ``--emulate``."""
    return Path(platformdirs.user_state_dir("tracksync")) / "emulator-state.json"


class EmulatedProviders:
    """PayPal and Stripe providers wired to in-process emulators, loaded from a state file."""

    def __init__(self, state_path: Path | None) -> None:
        self.state_path = state_path
        self.paypal, self.stripe = self._load()
        self._clients: list[httpx.AsyncClient] = []

    def _load(self) -> tuple[PayPalEmulator, StripeEmulator]:
        if self.state_path is None:
            return PayPalEmulator(), StripeEmulator()
        try:
            text = self.state_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return PayPalEmulator(), StripeEmulator()
        except OSError as exc:
            raise InvalidInputError(
                f"Cannot read the emulator state {self.state_path}: {exc.strerror or exc}."
            ) from exc
        try:
            data: dict[str, Any] = json.loads(text)
            if data.get("version") != _STATE_VERSION:
                raise ValueError(f"version {data.get('version')!r}")
            return PayPalEmulator.load(data["paypal"]), StripeEmulator.load(data["stripe"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInputError(
                f"The emulator state {self.state_path} is unreadable ({exc}); delete the file "
                "to start the emulators afresh."
            ) from exc

    def seed(self, orders: Iterable[Order]) -> None:
        """Create every payment the orders name that the emulators do not hold yet.

        PayPal payments become a COMPLETED capture, on their order when the payment names
        one. Stripe payments become succeeded PaymentIntents, Charges or completed Checkout
        Sessions, carrying the order's recipient as Checkout leaves them. Payments the
        emulators already hold are left as they are.
        """
        for order in orders:
            for payment in order.payments:
                try:
                    self._seed_payment(order, payment)
                except ValueError as exc:
                    # The provider reports the invalid id when the run reads the payment.
                    logger.debug("Not seeding %s of order %s: %s", payment, order.id, exc)

    def _seed_payment(self, order: Order, payment: PaymentRef) -> None:
        if payment.provider == PAYPAL and payment.paypal_order_id:
            if not self.paypal.has_order(payment.paypal_order_id):
                self.paypal.add_order(
                    payment.paypal_order_id, captures={payment.payment_id: "COMPLETED"}
                )
        elif payment.provider == PAYPAL and not self.paypal.has_capture(payment.payment_id):
            self.paypal.add_capture(payment.payment_id, "COMPLETED")
        elif payment.provider == STRIPE:
            self._seed_stripe(order, payment.payment_id)

    def _seed_stripe(self, order: Order, payment_id: str) -> None:
        shipping = _stripe_shipping(order)
        if payment_id.startswith(("ch_", "py_")):
            if not self.stripe.has_charge(payment_id):
                self.stripe.add_charge(payment_id, shipping=shipping)
        elif payment_id.startswith("cs_"):
            if not self.stripe.has_checkout_session(payment_id):
                # A completed Checkout Session leads to a succeeded PaymentIntent of its own.
                intent_id = "pi_" + hashlib.sha256(payment_id.encode()).hexdigest()[:24]
                self.stripe.add_payment_intent(intent_id, shipping=shipping)
                self.stripe.add_checkout_session(payment_id, payment_intent=intent_id)
        elif not self.stripe.has_payment_intent(payment_id):
            self.stripe.add_payment_intent(payment_id, shipping=shipping)

    def providers(self, overrides: Overrides | None = None) -> list[AsyncTrackingProvider]:
        """Build one async provider per emulator, with no rate limit (the emulators have none)."""
        from ..providers.paypal import AsyncPayPalProvider
        from ..providers.stripe import AsyncStripeProvider

        paypal_client = httpx.AsyncClient(transport=self.paypal, base_url="http://paypal.emulator")
        stripe_client = httpx.AsyncClient(transport=self.stripe, base_url="http://stripe.emulator")
        self._clients = [paypal_client, stripe_client]
        return [
            AsyncPayPalProvider(
                self.paypal.client_id,
                self.paypal.client_secret,
                base_url=str(paypal_client.base_url),
                client=paypal_client,
                requests_per_second=math.inf,
                carrier_overrides=overrides,
            ),
            AsyncStripeProvider(
                self.stripe.api_key,
                base_url=str(stripe_client.base_url),
                client=stripe_client,
                requests_per_second=math.inf,
                carrier_overrides=overrides,
            ),
        ]

    def save(self) -> None:
        """Write the emulators' state atomically, so a crash never leaves half a file.

        Does nothing when there is no state file.
        """
        if self.state_path is None:
            return
        data = {
            "version": _STATE_VERSION,
            "paypal": self.paypal.dump(),
            "stripe": self.stripe.dump(),
        }
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(
            prefix=".emulator-state-", dir=self.state_path.parent
        )
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                json.dump(data, file, indent=1, sort_keys=True)
            os.replace(temporary, self.state_path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def aclose(self) -> None:
        """Close the HTTP clients."""
        for client in self._clients:
            await client.aclose()


def _stripe_shipping(order: Order) -> dict[str, Any] | None:
    if not (order.recipient_name and order.ship_to):
        return None
    address = order.ship_to
    return {
        "name": order.recipient_name,
        "address": {
            "line1": address.line1,
            "line2": address.line2,
            "city": address.city,
            "state": address.state,
            "postal_code": address.postal_code,
            "country": address.country,
        },
    }
