"""The PayPal adapter: shipment trackers on PayPal captures through the Orders v2 API."""

from ._provider import CAPABILITIES, LIVE_BASE_URL, SANDBOX_BASE_URL, PayPalProvider

__all__ = ["CAPABILITIES", "LIVE_BASE_URL", "SANDBOX_BASE_URL", "PayPalProvider"]
