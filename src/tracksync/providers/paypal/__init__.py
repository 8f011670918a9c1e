"""The PayPal adapter: shipment trackers on PayPal captures through the Orders v2 and v1
tracking APIs."""

from ._apis import ORDERS_V2_CAPABILITIES, V1_CAPABILITIES
from ._async_provider import AsyncPayPalProvider
from ._core import CAPABILITIES, LIVE_BASE_URL, SANDBOX_BASE_URL
from ._provider import PayPalProvider

__all__ = [
    "CAPABILITIES",
    "LIVE_BASE_URL",
    "ORDERS_V2_CAPABILITIES",
    "SANDBOX_BASE_URL",
    "V1_CAPABILITIES",
    "AsyncPayPalProvider",
    "PayPalProvider",
]
