"""The PayPal adapter: shipment trackers on PayPal captures through the Orders v2 and v1
tracking APIs."""

from ._apis import ORDERS_V2_CAPABILITIES, V1_CAPABILITIES
from ._provider import CAPABILITIES, LIVE_BASE_URL, SANDBOX_BASE_URL, PayPalProvider

__all__ = [
    "CAPABILITIES",
    "LIVE_BASE_URL",
    "ORDERS_V2_CAPABILITIES",
    "SANDBOX_BASE_URL",
    "V1_CAPABILITIES",
    "PayPalProvider",
]
