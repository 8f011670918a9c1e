"""Reconciliation: where the shop, PayPal and Stripe disagree, read from a plan.

An audit is a plan made without a ledger (every payment read) and never applied. Each
planned change and discrepancy becomes a finding of one kind, and orders paid at both
providers are compared across them.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from ._diff import same_carrier
from ._models import PaymentRef, Shipment, ShipmentStatus
from ._plan import Change, ChangeKind, Discrepancy, DiscrepancyKind, Plan, Unchanged

__all__ = ["Audit", "Finding", "FindingKind", "audit_plan"]


class FindingKind(enum.Enum):
    """The kind of disagreement between the shop and a provider, or two providers."""

    #: The shop lists a shipment that the provider does not hold.
    MISSING_ON_PROVIDER = "missing_on_provider"
    #: The provider holds a tracker that the shop does not list.
    NOT_IN_SHOP = "not_in_shop"
    #: The payment's only missing shipment and only unknown tracker: likely a mistyped number.
    NUMBER_DIFFERS = "number_differs"
    CARRIER_DIFFERS = "carrier_differs"
    STATUS_DIFFERS = "status_differs"
    PAYMENT_NOT_FOUND = "payment_not_found"
    CAPTURE_NOT_COMPLETED = "capture_not_completed"
    #: An order paid at both providers whose payments hold different tracking numbers.
    PROVIDERS_DIFFER = "providers_differ"
    #: The payment could not be read or checked (invalid id, no provider, read failed).
    NOT_CHECKED = "not_checked"


@attrs.frozen(kw_only=True)
class Finding:
    """One disagreement, with both sides' values where there are two."""

    kind: FindingKind
    order_id: str | None
    provider: str | None
    payment_id: str | None
    tracking_number: str | None
    #: What the shop has, such as a carrier or a status.
    shop: str | None = None
    #: What the provider has.
    provider_value: str | None = None
    message: str
    #: The input line the finding comes from, when the orders were read from a file.
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """Convert to the JSON and CSV report's finding object."""
        return {
            "kind": self.kind.value,
            "order_id": self.order_id,
            "provider": self.provider,
            "payment_id": self.payment_id,
            "tracking_number": self.tracking_number,
            "shop": self.shop,
            "provider_value": self.provider_value,
            "message": self.message,
            "line": self.line,
        }


def _to_findings(value: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Audit:
    """Every finding of a reconciliation, and how many packages matched."""

    findings: tuple[Finding, ...] = attrs.field(default=(), converter=_to_findings)
    #: Packages that the shop and the provider agree on.
    matched: int = 0

    def counts(self) -> dict[str, int]:
        """Count the findings per kind; every kind is present, zero or not."""
        counts = Counter(finding.kind for finding in self.findings)
        return {kind.value: counts[kind] for kind in FindingKind}

    def __bool__(self) -> bool:
        """Return True when the audit found a disagreement."""
        return bool(self.findings)

    def __str__(self) -> str:
        found = ", ".join(f"{count} {kind}" for kind, count in self.counts().items() if count)
        lines = [f"Audit: {matching(self.matched)}; " + (found or "no disagreements")]
        lines.extend(f"  {finding}" for finding in self.findings)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Convert to the JSON report: ``matched``, ``counts`` and ``findings``."""
        return {
            "matched": self.matched,
            "counts": self.counts(),
            "findings": [finding.to_dict() for finding in self.findings],
        }


def matching(count: int) -> str:
    """Return "1 package matches" or "N packages match"."""
    return "1 package matches" if count == 1 else f"{count} packages match"


_NOT_CHECKED = frozenset(
    {
        DiscrepancyKind.NO_PROVIDER,
        DiscrepancyKind.INVALID_PAYMENT,
        DiscrepancyKind.INVALID_SHIPMENT,
        DiscrepancyKind.FETCH_FAILED,
        DiscrepancyKind.MISSING_RECIPIENT,
        DiscrepancyKind.PAYMENT_UNUSABLE,
        DiscrepancyKind.UNSUPPORTED_CHANGE,
        DiscrepancyKind.ACCOUNT_UNAVAILABLE,
    }
)


def audit_plan(
    plan: Plan,
    *,
    stored_carrier: Callable[[PaymentRef, Shipment], str],
) -> Audit:
    """Turn a plan made without a ledger into findings.

    ``stored_carrier`` is the provider's view of a shop carrier (see
    ``TrackingProvider.stored_carrier``), so a translated code is not a difference.
    """
    findings: list[Finding] = []
    matched = 0
    held: dict[tuple[str, PaymentRef], set[str]] = {}
    by_payment: dict[PaymentRef, list[Finding]] = {}
    replaced: set[tuple[PaymentRef, str]] = set()

    for entry in plan.entries:
        if isinstance(entry, Unchanged):
            matched += 1
            held.setdefault((entry.order_id, entry.payment), set()).add(entry.tracking_number)
            continue
        if isinstance(entry, Change):
            key_number = (entry.payment, entry.shipment.tracking_number)
            if entry.kind is ChangeKind.ADD and key_number in replaced:
                continue  # The add that replaces a cancelled tracker; the cancel is the finding.
            if entry.kind is ChangeKind.CANCEL:
                replaced.add(key_number)
            finding = _change_finding(entry, stored_carrier)
            if entry.current is not None:
                key = (entry.order_id, entry.payment)
                held.setdefault(key, set()).add(entry.shipment.tracking_number)
        else:
            finding = _discrepancy_finding(entry)
            if entry.kind is DiscrepancyKind.NOT_IN_SHOP and entry.payment and entry.order_id:
                held.setdefault((entry.order_id, entry.payment), set()).add(
                    entry.tracking_number or ""
                )
        if finding is None:
            continue
        findings.append(finding)
        if isinstance(entry, (Change, Discrepancy)) and entry.payment is not None:
            by_payment.setdefault(entry.payment, []).append(finding)

    findings = _pair_mistyped_numbers(findings, by_payment)
    findings.extend(_provider_differences(held))
    return Audit(findings=findings, matched=matched)


def _change_finding(
    change: Change, stored_carrier: Callable[[PaymentRef, Shipment], str]
) -> Finding | None:
    shipment = change.shipment
    current = change.current

    def finding(kind: FindingKind, shop: str | None, remote: str | None, message: str) -> Finding:
        return Finding(
            kind=kind,
            order_id=change.order_id,
            provider=change.payment.provider,
            payment_id=change.payment.payment_id,
            tracking_number=shipment.tracking_number,
            shop=shop,
            provider_value=remote,
            message=message,
        )

    if change.kind is ChangeKind.ADD:
        # NOTE: a tracker the provider holds only as CANCELLED counts as missing here, since
        # the plan keeps no cancelled trackers; "status differs" would describe it better.
        return finding(
            FindingKind.MISSING_ON_PROVIDER,
            shipment.carrier,
            None,
            f"{change.payment} holds no tracker {shipment.tracking_number}.",
        )
    assert current is not None
    wanted_carrier = stored_carrier(change.payment, shipment)
    if current.carrier is not None and not same_carrier(current.carrier, wanted_carrier):
        if change.kind is ChangeKind.CANCEL and shipment.status is ShipmentStatus.CANCELLED:
            pass  # A cancelled shipment's carrier does not matter.
        else:
            return finding(
                FindingKind.CARRIER_DIFFERS,
                wanted_carrier,
                current.carrier,
                f"{change.payment} holds tracker {shipment.tracking_number} with carrier "
                f"{current.carrier!r}; the shop says {wanted_carrier!r}.",
            )
    remote_status = current.status.value if current.status else current.raw_status
    return finding(
        FindingKind.STATUS_DIFFERS,
        shipment.status.value,
        remote_status,
        f"{change.payment} holds tracker {shipment.tracking_number} as {remote_status}; the "
        f"shop says {shipment.status.value}.",
    )


def _discrepancy_finding(entry: Discrepancy) -> Finding | None:
    if entry.kind is DiscrepancyKind.NOT_IN_SHOP:
        kind = FindingKind.NOT_IN_SHOP
    elif entry.kind is DiscrepancyKind.PAYMENT_NOT_FOUND:
        kind = FindingKind.PAYMENT_NOT_FOUND
    elif entry.kind is DiscrepancyKind.WAITING_FOR_CAPTURE:
        kind = FindingKind.CAPTURE_NOT_COMPLETED
    elif entry.kind in _NOT_CHECKED:
        kind = FindingKind.NOT_CHECKED
    else:
        return None
    return Finding(
        kind=kind,
        order_id=entry.order_id,
        provider=entry.payment.provider if entry.payment else None,
        payment_id=entry.payment.payment_id if entry.payment else None,
        tracking_number=entry.tracking_number,
        message=entry.message,
    )


def _pair_mistyped_numbers(
    findings: list[Finding], by_payment: Mapping[PaymentRef, list[Finding]]
) -> list[Finding]:
    """Replace a payment's only missing shipment and only unknown tracker by one finding."""
    replaced: dict[int, Finding | None] = {}
    for payment_findings in by_payment.values():
        missing = [f for f in payment_findings if f.kind is FindingKind.MISSING_ON_PROVIDER]
        extra = [f for f in payment_findings if f.kind is FindingKind.NOT_IN_SHOP]
        if len(missing) != 1 or len(extra) != 1:
            continue
        shop, remote = missing[0], extra[0]
        replaced[id(shop)] = Finding(
            kind=FindingKind.NUMBER_DIFFERS,
            order_id=shop.order_id,
            provider=shop.provider,
            payment_id=shop.payment_id,
            tracking_number=shop.tracking_number,
            shop=shop.tracking_number,
            provider_value=remote.tracking_number,
            message=(
                f"{shop.provider} payment {shop.payment_id} holds tracker "
                f"{remote.tracking_number} where the shop lists {shop.tracking_number}; one "
                "of the two numbers is probably mistyped."
            ),
        )
        replaced[id(remote)] = None
    result = []
    for finding in findings:
        if id(finding) in replaced:
            substitute = replaced[id(finding)]
            if substitute is not None:
                result.append(substitute)
        else:
            result.append(finding)
    return result


def _provider_differences(held: Mapping[tuple[str, PaymentRef], set[str]]) -> list[Finding]:
    """Compare the tracking numbers that an order's payments at different providers hold."""
    by_order: dict[str, list[tuple[PaymentRef, set[str]]]] = {}
    for (order_id, payment), numbers in held.items():
        by_order.setdefault(order_id, []).append((payment, numbers))
    findings = []
    for order_id, payments in by_order.items():
        providers = {payment.provider for payment, _ in payments}
        if len(providers) < 2:
            continue
        first_payment, first_numbers = payments[0]
        for payment, numbers in payments[1:]:
            if payment.provider == first_payment.provider or numbers == first_numbers:
                continue
            only_first = sorted(first_numbers - numbers)
            only_second = sorted(numbers - first_numbers)
            findings.append(
                Finding(
                    kind=FindingKind.PROVIDERS_DIFFER,
                    order_id=order_id,
                    provider=f"{first_payment.provider}+{payment.provider}",
                    payment_id=f"{first_payment.payment_id}+{payment.payment_id}",
                    tracking_number=None,
                    shop=None,
                    provider_value=None,
                    message=(
                        f"Order {order_id}: {first_payment} and {payment} hold different "
                        f"trackers (only on the first: {', '.join(only_first) or 'none'}; "
                        f"only on the second: {', '.join(only_second) or 'none'})."
                    ),
                )
            )
    return findings
