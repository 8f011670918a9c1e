"""Stateful in-process emulators of the PayPal and Stripe endpoints that tracksync uses.

Each emulator is an :class:`httpx.BaseTransport`, so a test hands it to a client::

    from tracksync.testing import PayPalEmulator

    paypal = PayPalEmulator()
    paypal.add_order("5O190127TN364715T", captures={"8MC585209K746392H": "COMPLETED"})
    with httpx.Client(transport=paypal, base_url="https://api-m.sandbox.paypal.com") as client:
        ...

The emulators check requests as the providers do and respond in the providers' own
shapes, including their error bodies. :func:`serve` puts an emulator behind a real HTTP
server on the loopback interface, for code that cannot take a transport. ``dump()`` and
``load()`` save and restore an emulator's state as JSON-compatible data.
"""

from .._retry import set_testing
from ._base import EmulatorTransport, FaultSettings
from ._paypal import PayPalEmulator
from ._server import EmulatorServer, serve
from ._stripe import StripeEmulator

__all__ = [
    "EmulatorServer",
    "EmulatorTransport",
    "FaultSettings",
    "PayPalEmulator",
    "StripeEmulator",
    "serve",
    "set_testing",
]
