"""Plans and reports: the data that :class:`~tracksync.Reconciler` produces.

A :class:`Plan` lists, in input order, every change tracksync would make, every shipment
that already matches, and every discrepancy it will not fix by itself. It is plain data:
printable, comparable and serialisable (:meth:`Plan.to_dict`, :meth:`Plan.from_dict`).
Applying a plan produces a :class:`Report` with one :class:`Result` per entry.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs
from cattrs.strategies import configure_tagged_union

from ._convert import converter
from ._models import Address, PaymentRef, Shipment
from ._remote import Tracker

__all__ = [
    "AccountIssue",
    "Change",
    "ChangeKind",
    "ChangeResult",
    "Discrepancy",
    "DiscrepancyKind",
    "Outcome",
    "Plan",
    "Report",
    "Result",
    "Unchanged",
]


class ChangeKind(enum.Enum):
    """The kind of write a change makes to a provider's tracker."""

    ADD = "add"
    UPDATE = "update"
    CANCEL = "cancel"


class DiscrepancyKind(enum.Enum):
    """The reason a shipment or tracker was left as it is."""

    #: No provider is configured for the payment's provider name or account.
    NO_PROVIDER = "no_provider"
    #: The provider rejected the payment id before any request (wrong form or prefix).
    INVALID_PAYMENT = "invalid_payment"
    #: The provider cannot take one of the shipment's values, found before any write.
    INVALID_SHIPMENT = "invalid_shipment"
    #: The provider has no such payment.
    PAYMENT_NOT_FOUND = "payment_not_found"
    #: The payment is authorized or pending, not captured: trackers wait for the next run.
    WAITING_FOR_CAPTURE = "waiting_for_capture"
    #: The payment can never take a tracker (refunded, voided, or not a capture).
    PAYMENT_UNUSABLE = "payment_unusable"
    #: Reading the payment from the provider failed.
    FETCH_FAILED = "fetch_failed"
    #: The provider needs the recipient's name and address, and neither side has them.
    MISSING_RECIPIENT = "missing_recipient"
    #: The provider holds a tracker that the shop does not list.
    NOT_IN_SHOP = "not_in_shop"
    #: The change the shop needs is one the provider cannot make.
    UNSUPPORTED_CHANGE = "unsupported_change"
    #: The provider account rejected tracksync (credentials, permissions, or a run of
    #: server errors), so this payment was not tried; see the report's account errors.
    ACCOUNT_UNAVAILABLE = "account_unavailable"
    #: Mirroring: the order names no payment at the source or at the target provider.
    NO_MIRROR_PAYMENT = "no_mirror_payment"
    #: Mirroring: the source payments hold no tracker to copy.
    NOTHING_TO_MIRROR = "nothing_to_mirror"
    #: Mirroring: a source tracker has no carrier, and its number names none for certain.
    UNKNOWN_CARRIER = "unknown_carrier"


#: Discrepancies that are failures (exit status 1): someone must fix data or access.
_FAILING_KINDS = frozenset(
    {
        DiscrepancyKind.INVALID_PAYMENT,
        DiscrepancyKind.INVALID_SHIPMENT,
        DiscrepancyKind.PAYMENT_NOT_FOUND,
        DiscrepancyKind.FETCH_FAILED,
        DiscrepancyKind.UNKNOWN_CARRIER,
    }
)


class Outcome(enum.Enum):
    """The result of one shipment or tracker in a report."""

    ADDED = "added"
    UPDATED = "updated"
    CANCELLED = "cancelled"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


_OUTCOME_OF_KIND = {
    ChangeKind.ADD: Outcome.ADDED,
    ChangeKind.UPDATE: Outcome.UPDATED,
    ChangeKind.CANCEL: Outcome.CANCELLED,
}


@attrs.frozen(kw_only=True)
class Change:
    """One write that brings a provider in line with the shop."""

    kind: ChangeKind
    order_id: str
    payment: PaymentRef
    #: The shipment as the shop wants it; for CANCEL, the shipment being cancelled.
    shipment: Shipment
    #: The tracker the provider holds now (UPDATE and CANCEL), or None (ADD).
    current: Tracker | None = None
    #: The provider object the tracker attaches to, as found by fetch (PayPal capture id).
    target_id: str | None = None
    recipient_name: str | None = None
    ship_to: Address | None = None
    #: What the report should add, such as a status the provider cannot store.
    note: str | None = None
    #: The ledger fingerprint of the shipment as this change writes it.
    fingerprint: str | None = None

    @property
    def tracking_number(self) -> str:
        """The shipment's tracking number, as Unchanged and Discrepancy entries name it."""
        return self.shipment.tracking_number

    @property
    def expected_outcome(self) -> Outcome:
        """The outcome this change has when it succeeds."""
        return _OUTCOME_OF_KIND[self.kind]

    def __str__(self) -> str:
        return (
            f"{self.kind.value} {self.shipment.tracking_number} ({self.shipment.carrier}, "
            f"{self.shipment.status.value}) on {self.payment}, order {self.order_id}"
        )


@attrs.frozen(kw_only=True)
class Unchanged:
    """A shipment the provider already holds as the shop wants it."""

    order_id: str
    payment: PaymentRef
    tracking_number: str
    note: str | None = None
    #: The ledger fingerprint of the shipment the provider was found to hold.
    fingerprint: str | None = None
    #: True when the ledger vouched for the shipment and the provider was not read.
    from_ledger: bool = False

    def __str__(self) -> str:
        return f"{self.tracking_number} on {self.payment}, order {self.order_id}"


@attrs.frozen(kw_only=True)
class Discrepancy:
    """A difference that tracksync reports but does not fix by itself."""

    kind: DiscrepancyKind
    order_id: str | None
    payment: PaymentRef | None
    tracking_number: str | None
    #: A full sentence: what is wrong, on which value, and what to do next.
    message: str

    @property
    def is_failure(self) -> bool:
        """Whether this discrepancy counts as a failure rather than a skip."""
        return self.kind in _FAILING_KINDS

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.message}"


PlanEntry = Change | Unchanged | Discrepancy

_ENTRY_TAGS = {Change: "change", Unchanged: "unchanged", Discrepancy: "discrepancy"}
configure_tagged_union(
    PlanEntry, converter, tag_generator=_ENTRY_TAGS.__getitem__, tag_name="entry"
)


def _to_entries(value: Iterable[PlanEntry]) -> tuple[PlanEntry, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class AccountIssue:
    """An error that stopped tracksync from calling one provider account at all."""

    provider: str
    account: str | None
    #: The error, naming the credentials or permission to fix.
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Convert to the JSON report's account error object."""
        return {"provider": self.provider, "account": self.account, "error": self.message}


def _to_issues(value: Iterable[AccountIssue]) -> tuple[AccountIssue, ...]:
    return tuple(value)


@attrs.frozen
class Plan:
    """Every change, match and discrepancy for a set of orders, in input order."""

    entries: tuple[PlanEntry, ...] = attrs.field(default=(), converter=_to_entries)
    #: Provider accounts that could not be read at all, each reported once.
    account_errors: tuple[AccountIssue, ...] = attrs.field(
        default=(), converter=_to_issues, kw_only=True
    )

    @property
    def changes(self) -> tuple[Change, ...]:
        """The writes that :meth:`Reconciler.apply` will send."""
        return tuple(entry for entry in self.entries if isinstance(entry, Change))

    @property
    def unchanged(self) -> tuple[Unchanged, ...]:
        """The shipments that need no write."""
        return tuple(entry for entry in self.entries if isinstance(entry, Unchanged))

    @property
    def discrepancies(self) -> tuple[Discrepancy, ...]:
        """What tracksync reports and leaves alone."""
        return tuple(entry for entry in self.entries if isinstance(entry, Discrepancy))

    def counts(self) -> dict[str, int]:
        """Count the entries: changes per kind, unchanged, and discrepancies per kind."""
        counts: Counter[str] = Counter()
        for entry in self.entries:
            if isinstance(entry, Change):
                counts[entry.kind.value] += 1
            elif isinstance(entry, Unchanged):
                counts["unchanged"] += 1
            else:
                counts[entry.kind.value] += 1
        return dict(counts)

    def __bool__(self) -> bool:
        """Return True when the plan contains at least one change."""
        return any(isinstance(entry, Change) for entry in self.entries)

    def __str__(self) -> str:
        changes = self.changes
        kinds = Counter(change.kind for change in changes)
        discrepancies = len(self.discrepancies)
        lines = [
            f"Plan: {kinds[ChangeKind.ADD]} to add, {kinds[ChangeKind.UPDATE]} to update, "
            f"{kinds[ChangeKind.CANCEL]} to cancel, {len(self.unchanged)} unchanged, "
            f"{discrepancies} {'discrepancy' if discrepancies == 1 else 'discrepancies'}"
        ]
        for entry in self.entries:
            if isinstance(entry, Change):
                lines.append(f"  {entry}")
            elif isinstance(entry, Discrepancy):
                lines.append(f"  ! {entry}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Convert the plan to JSON-compatible data; :meth:`from_dict` reads it back."""
        data: dict[str, Any] = converter.unstructure(self)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        """Build a plan from the output of :meth:`to_dict`."""
        return converter.structure(data, cls)


@attrs.frozen(kw_only=True)
class ChangeResult:
    """The result a provider returned for one change."""

    outcome: Outcome
    #: The provider's id of the tracker written, when it has one.
    tracker_id: str | None = None
    note: str | None = None


@attrs.frozen(kw_only=True)
class Result:
    """The outcome for one shipment or tracker, as shown in a report."""

    order_id: str | None
    provider: str | None
    payment_id: str | None
    tracking_number: str | None
    outcome: Outcome
    #: Why a shipment was skipped or left unchanged, or what the provider could not store.
    reason: str | None = None
    #: The error that made the outcome FAILED.
    error: str | None = None
    discrepancy: DiscrepancyKind | None = None
    account: str | None = None
    tracker_id: str | None = None
    #: The input line the result comes from, when the orders were read from a file.
    line: int | None = None

    @classmethod
    def from_entry(cls, entry: PlanEntry) -> Result:
        """Describe a plan entry; a change is shown with the outcome it would have."""
        if isinstance(entry, Change):
            return _payment_result(
                entry.payment,
                order_id=entry.order_id,
                tracking_number=entry.shipment.tracking_number,
                outcome=entry.expected_outcome,
                reason=entry.note,
                tracker_id=entry.current.tracker_id if entry.current else None,
            )
        if isinstance(entry, Unchanged):
            return _payment_result(
                entry.payment,
                order_id=entry.order_id,
                tracking_number=entry.tracking_number,
                outcome=Outcome.UNCHANGED,
                reason=entry.note,
            )
        outcome = Outcome.FAILED if entry.is_failure else Outcome.SKIPPED
        return cls(
            order_id=entry.order_id,
            provider=entry.payment.provider if entry.payment else None,
            account=entry.payment.account if entry.payment else None,
            payment_id=entry.payment.payment_id if entry.payment else None,
            tracking_number=entry.tracking_number,
            outcome=outcome,
            reason=None if entry.is_failure else entry.message,
            error=entry.message if entry.is_failure else None,
            discrepancy=entry.kind,
        )

    def to_dict(self) -> dict[str, Any]:
        """Convert to the JSON report's result object; its keys are a stable contract."""
        return {
            "order_id": self.order_id,
            "provider": self.provider,
            "account": self.account,
            "payment_id": self.payment_id,
            "tracking_number": self.tracking_number,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "error": self.error,
            "discrepancy": self.discrepancy.value if self.discrepancy else None,
            "tracker_id": self.tracker_id,
            "line": self.line,
        }

    def __str__(self) -> str:
        subject = " ".join(
            part
            for part in (
                f"line {self.line}:" if self.line is not None else None,
                f"order {self.order_id}" if self.order_id else None,
                f"{self.provider} {self.payment_id}" if self.payment_id else None,
                self.tracking_number,
            )
            if part
        )
        detail = self.error or self.reason
        return f"{subject}: {self.outcome.value}" + (f" ({detail})" if detail else "")


def _payment_result(
    payment: PaymentRef,
    *,
    order_id: str,
    tracking_number: str,
    outcome: Outcome,
    reason: str | None = None,
    tracker_id: str | None = None,
) -> Result:
    return Result(
        order_id=order_id,
        provider=payment.provider,
        account=payment.account,
        payment_id=payment.payment_id,
        tracking_number=tracking_number,
        outcome=outcome,
        reason=reason,
        tracker_id=tracker_id,
    )


def _to_results(value: Iterable[Result]) -> tuple[Result, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Report:
    """The results of applying a plan, or of previewing it in a dry run."""

    results: tuple[Result, ...] = attrs.field(default=(), converter=_to_results)
    #: True when nothing was written and the outcomes describe what *would* happen.
    dry_run: bool = False
    #: Provider accounts that stopped responding or rejected tracksync, each reported once.
    account_errors: tuple[AccountIssue, ...] = attrs.field(default=(), converter=_to_issues)

    @classmethod
    def preview(cls, plan: Plan) -> Report:
        """Describe what applying the plan would do, without writing anything."""
        return cls(
            results=(Result.from_entry(entry) for entry in plan.entries),
            dry_run=True,
            account_errors=plan.account_errors,
        )

    def __iter__(self) -> Iterator[Result]:
        return iter(self.results)

    def __str__(self) -> str:
        counts = ", ".join(f"{count} {name}" for name, count in self.summary().items())
        heading = f"Dry run, nothing was sent: {counts}" if self.dry_run else counts
        issues = [
            f"  account error: {issue.provider}: {issue.message}" for issue in self.account_errors
        ]
        return "\n".join([heading, *issues, *(f"  {result}" for result in self.results)])

    def summary(self) -> dict[str, int]:
        """Count the results per outcome; every outcome is present, zero or not."""
        counts = Counter(result.outcome for result in self.results)
        return {outcome.value: counts[outcome] for outcome in Outcome}

    @property
    def has_failures(self) -> bool:
        """Whether any result failed."""
        if self.account_errors:
            return True
        return any(result.outcome is Outcome.FAILED for result in self.results)

    def __add__(self, other: Report) -> Report:
        if not isinstance(other, Report):
            return NotImplemented
        return Report(
            results=self.results + other.results,
            dry_run=self.dry_run or other.dry_run,
            account_errors=self.account_errors + other.account_errors,
        )

    def to_dict(self) -> dict[str, Any]:
        """Convert to the JSON report: ``dry_run``, ``summary``, ``account_errors``, ``results``."""
        return {
            "dry_run": self.dry_run,
            "summary": self.summary(),
            "account_errors": [issue.to_dict() for issue in self.account_errors],
            "results": [result.to_dict() for result in self.results],
        }
