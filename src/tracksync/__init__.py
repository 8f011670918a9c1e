"""tracksync: keep shipment tracking on PayPal and Stripe payments in step with the shop.

The public API is what this module exports; everything in modules whose names start with
an underscore may change without notice. Provider adapters live in
``tracksync.providers.paypal`` and ``tracksync.providers.stripe``, and emulators of both
in ``tracksync.testing``.
"""

from ._audit import Audit, Finding, FindingKind
from ._ledger import EntryState, Ledger, LedgerEntry, MemoryLedger, SQLiteLedger
from ._models import (
    PAYPAL,
    STRIPE,
    Address,
    Item,
    Order,
    PaymentRef,
    Shipment,
    ShipmentStatus,
)
from ._plan import (
    AccountIssue,
    Change,
    ChangeKind,
    ChangeResult,
    Discrepancy,
    DiscrepancyKind,
    Outcome,
    Plan,
    Report,
    Result,
    Unchanged,
)
from ._reconciler import AsyncReconciler, Reconciler
from ._remote import PaymentState, RemotePayment, Tracker
from ._retry import RetryPolicy
from ._version import __version__
from .errors import (
    AccountError,
    ConfigurationError,
    InvalidInputError,
    PayPalError,
    PayPalErrorDetail,
    ProviderConnectionError,
    ProviderError,
    StripeError,
    TracksyncError,
)
from .providers._protocol import (
    AsyncTrackingProvider,
    BatchingProvider,
    Capabilities,
    TrackingProvider,
)

__all__ = [
    "AccountError",
    "AccountIssue",
    "Address",
    "AsyncReconciler",
    "AsyncTrackingProvider",
    "Audit",
    "BatchingProvider",
    "Capabilities",
    "Change",
    "ChangeKind",
    "ChangeResult",
    "ConfigurationError",
    "Discrepancy",
    "DiscrepancyKind",
    "EntryState",
    "Finding",
    "FindingKind",
    "InvalidInputError",
    "Item",
    "Ledger",
    "LedgerEntry",
    "MemoryLedger",
    "Order",
    "Outcome",
    "PAYPAL",
    "PayPalError",
    "PayPalErrorDetail",
    "PaymentRef",
    "PaymentState",
    "Plan",
    "ProviderConnectionError",
    "ProviderError",
    "Reconciler",
    "RemotePayment",
    "Report",
    "Result",
    "RetryPolicy",
    "SQLiteLedger",
    "STRIPE",
    "Shipment",
    "ShipmentStatus",
    "StripeError",
    "Tracker",
    "TrackingProvider",
    "TracksyncError",
    "Unchanged",
    "__version__",
]
