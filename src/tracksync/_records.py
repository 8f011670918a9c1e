"""Turn plan entries and provider answers into report results and ledger entries."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ._ledger import EntryState, LedgerEntry, now
from ._models import Order, PaymentRef
from ._plan import (
    AccountIssue,
    Change,
    ChangeKind,
    ChangeResult,
    Discrepancy,
    DiscrepancyKind,
    Outcome,
    PlanEntry,
    Result,
    Unchanged,
)
from ._remote import Tracker
from .errors import AccountError, ProviderConnectionError, TracksyncError
from .providers._protocol import ProviderBase

__all__ = [
    "account_issue",
    "change_entry",
    "change_result",
    "check_shipment",
    "entries_before_apply",
    "entry_after",
    "for_each_shipment",
    "format_counts",
    "no_provider_message",
    "not_tried_message",
    "output_result",
]

logger = logging.getLogger("tracksync")


def change_entry(
    change: Change,
    state: EntryState,
    *,
    tracker_id: str | None = None,
    error: str | None = None,
) -> LedgerEntry:
    timestamp = now()
    return LedgerEntry(
        provider=change.payment.provider,
        account=change.payment.account,
        payment_id=change.payment.payment_id,
        tracking_number=change.shipment.tracking_number,
        order_id=change.order_id,
        fingerprint=change.fingerprint or "",
        state=state,
        tracker_id=tracker_id or (change.current.tracker_id if change.current else None),
        error=error,
        created_at=timestamp,
        updated_at=timestamp,
    )


def entry_after(change: Change, output: ChangeResult | TracksyncError) -> LedgerEntry:
    """Record the change's answer: applied, failed, or waiting for the next run.

    A write that got no answer stays PENDING, so the next run reads the provider first.
    """
    if isinstance(output, ProviderConnectionError):
        return change_entry(change, EntryState.PENDING, error=str(output))
    if isinstance(output, TracksyncError):
        return change_entry(change, EntryState.FAILED, error=str(output))
    if output.outcome is Outcome.FAILED:
        return change_entry(change, EntryState.FAILED, error=output.note)
    if output.outcome is Outcome.SKIPPED:
        return change_entry(change, EntryState.WAITING, error=output.note)
    return change_entry(change, EntryState.APPLIED, tracker_id=output.tracker_id)


def entries_before_apply(entries: Sequence[PlanEntry]) -> list[LedgerEntry]:
    """Entries for what the plan found already in place or waiting, recorded by apply()."""
    timestamp = now()
    recorded = []
    for entry in entries:
        if isinstance(entry, Unchanged) and not entry.from_ledger and entry.fingerprint:
            state = EntryState.APPLIED
            error = None
        elif (
            isinstance(entry, Discrepancy)
            and entry.kind is DiscrepancyKind.WAITING_FOR_CAPTURE
            and entry.payment is not None
            and entry.tracking_number is not None
            and entry.order_id is not None
        ):
            state = EntryState.WAITING
            error = entry.message
        else:
            continue
        assert entry.payment is not None and entry.tracking_number is not None
        recorded.append(
            LedgerEntry(
                provider=entry.payment.provider,
                account=entry.payment.account,
                payment_id=entry.payment.payment_id,
                tracking_number=entry.tracking_number,
                order_id=entry.order_id or "",
                fingerprint=entry.fingerprint
                if isinstance(entry, Unchanged) and entry.fingerprint
                else "",
                state=state,
                error=error,
                created_at=timestamp,
                updated_at=timestamp,
            )
        )
    return recorded


def account_issue(
    provider: ProviderBase,
    error: AccountError,
    issues: dict[tuple[str, str | None], AccountIssue],
) -> AccountIssue:
    """Return the account's issue, recording this error as it when it is the first.

    The account is the one the error names (a Stripe connected account, for example),
    or else the provider's.
    """
    account = error.account or provider.account
    key = (provider.name, account)
    if key not in issues:
        named = f" account {account}" if account else " account"
        logger.error("Stopped calling the %s%s: %s", provider.name, named, error)
        issues[key] = AccountIssue(provider=provider.name, account=account, message=str(error))
    return issues[key]


def not_tried_message(issue: AccountIssue) -> str:
    account = f" account {issue.account}" if issue.account else " account"
    return (
        f"Not tried, because the {issue.provider}{account} is unavailable; see its account error."
    )


def for_each_shipment(
    order: Order, payment: PaymentRef, kind: DiscrepancyKind, message: str
) -> list[PlanEntry]:
    """One discrepancy per shipment, so that every input row gets its own result."""
    numbers: Sequence[str | None] = [shipment.tracking_number for shipment in order.shipments]
    return [
        Discrepancy(
            kind=kind,
            order_id=order.id,
            payment=payment,
            tracking_number=number,
            message=message,
        )
        for number in (numbers or [None])
    ]


def no_provider_message(payment: PaymentRef, configured: list[tuple[str, str | None]]) -> str:
    names = ", ".join(
        f"{name} (account {account})" if account else name for name, account in configured
    )
    return (
        f"No provider is configured for {payment}, so it was skipped. "
        f"Configured: {names or 'none'}. Give the credentials for {payment.provider} "
        "or correct the payment's provider."
    )


def change_result(
    change: Change,
    outcome: Outcome,
    *,
    reason: str | None = None,
    error: str | None = None,
    tracker_id: str | None = None,
) -> Result:
    current: Tracker | None = change.current
    return Result(
        order_id=change.order_id,
        provider=change.payment.provider,
        account=change.payment.account,
        payment_id=change.payment.payment_id,
        tracking_number=change.shipment.tracking_number,
        outcome=outcome,
        reason=reason,
        error=error,
        tracker_id=tracker_id or (current.tracker_id if current else None),
    )


def check_shipment(provider: ProviderBase, entry: PlanEntry) -> PlanEntry:
    """Replace an add or update that the provider would reject with a discrepancy."""
    if not isinstance(entry, Change) or entry.kind is ChangeKind.CANCEL:
        return entry
    problem = provider.check_shipment(entry.payment, entry.shipment)
    if problem is None:
        return entry
    return Discrepancy(
        kind=DiscrepancyKind.INVALID_SHIPMENT,
        order_id=entry.order_id,
        payment=entry.payment,
        tracking_number=entry.shipment.tracking_number,
        message=problem,
    )


def output_result(change: Change, output: ChangeResult | TracksyncError) -> Result:
    if isinstance(output, TracksyncError):
        return change_result(change, Outcome.FAILED, error=str(output))
    notes = [note for note in (change.note, output.note) if note]
    return change_result(
        change, output.outcome, reason=" ".join(notes) or None, tracker_id=output.tracker_id
    )


def format_counts(counts: dict[str, int]) -> str:
    return (
        ", ".join(f"{count} {name}" for name, count in sorted(counts.items()) if count) or "nothing"
    )
