"""Stripe adapter: shipment tracking in the ``shipping`` hash of PaymentIntents and Charges."""

from ._async_provider import AsyncStripeProvider
from ._errors import is_retryable
from ._provider import StripeProvider
from ._settings import STRIPE_API_VERSION

__all__ = ["AsyncStripeProvider", "STRIPE_API_VERSION", "StripeProvider", "is_retryable"]
