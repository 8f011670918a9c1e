"""The Reconciler: plan the changes that make each provider match the shop, then apply them."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence

import attrs

from ._apply import apply_in_order
from ._diff import diff_payment
from ._ledger import EntryState, Ledger, LedgerEntry, SQLiteLedger, fingerprint, now
from ._models import Order, PaymentRef
from ._plan import (
    AccountIssue,
    Change,
    ChangeKind,
    ChangeResult,
    Discrepancy,
    DiscrepancyKind,
    Outcome,
    Plan,
    PlanEntry,
    Report,
    Result,
    Unchanged,
)
from ._remote import PaymentState, Tracker
from .errors import AccountError, ConfigurationError, ProviderConnectionError, TracksyncError
from .providers._protocol import BatchingProvider, TrackingProvider

__all__ = ["Reconciler"]

logger = logging.getLogger("tracksync")

_STATE_DISCREPANCY = {
    PaymentState.NOT_FOUND: DiscrepancyKind.PAYMENT_NOT_FOUND,
    PaymentState.WAITING_FOR_CAPTURE: DiscrepancyKind.WAITING_FOR_CAPTURE,
    PaymentState.UNUSABLE: DiscrepancyKind.PAYMENT_UNUSABLE,
}


class Reconciler:
    """Plans and applies the tracker changes that make providers match the shop.

    ``plan()`` only reads; ``apply()`` is the only method that writes. Each provider is
    chosen by the payment's provider name and account: a payment without an account goes
    to the one provider of that name, and a provider built without an account also takes
    payments of any account when it is the only one of its name.

    With a ledger, ``apply()`` records every write before it is sent and after its answer,
    and ``plan()`` skips reading a payment whose shipments all match what the ledger
    recorded as applied. ``full=True`` reads every payment anyway, to repair trackers that
    were changed or deleted on the provider's side.

    Args:
        providers: one adapter per provider account, for example a
            :class:`~tracksync.providers.paypal.PayPalProvider` and a
            :class:`~tracksync.providers.stripe.StripeProvider`.
        ledger: a :class:`~tracksync.Ledger`, or the path of a SQLite ledger file, which the
            Reconciler then opens and closes in :meth:`close`. None keeps no ledger.
        full: read every payment from its provider, whatever the ledger says.

    Raises:
        ConfigurationError: two providers share a name and an account, or the ledger file
            is not a tracksync ledger.
    """

    def __init__(
        self,
        providers: Iterable[TrackingProvider],
        *,
        ledger: Ledger | str | os.PathLike[str] | None = None,
        full: bool = False,
    ) -> None:
        self._full = full
        self._owns_ledger = isinstance(ledger, (str, os.PathLike))
        self._ledger: Ledger | None = (
            SQLiteLedger(ledger) if isinstance(ledger, (str, os.PathLike)) else ledger
        )
        self._providers: dict[tuple[str, str | None], TrackingProvider] = {}
        for provider in providers:
            key = (provider.name, provider.account)
            if key in self._providers:
                account = f" account {provider.account!r}" if provider.account else ""
                raise ConfigurationError(
                    f"Two {provider.name}{account} providers were given; "
                    "give one provider per account, each with its own account name."
                )
            self._providers[key] = provider

    @property
    def ledger(self) -> Ledger | None:
        """The ledger in use, or None."""
        return self._ledger

    def close(self) -> None:
        """Close the ledger if the Reconciler opened it from a path."""
        if self._owns_ledger and self._ledger is not None:
            self._ledger.close()

    def __enter__(self) -> Reconciler:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def provider_for(self, payment: PaymentRef) -> TrackingProvider | None:
        """Return the provider that handles the payment, or None if none is configured."""
        exact = self._providers.get((payment.provider, payment.account))
        if exact is not None:
            return exact
        same_name = [
            provider for (name, _), provider in self._providers.items() if name == payment.provider
        ]
        if len(same_name) != 1:
            return None
        only = same_name[0]
        if payment.account is None or only.account is None:
            return only
        return None

    def plan(self, orders: Iterable[Order]) -> Plan:
        """Read each payment's trackers and list the changes that make them match the shop.

        Writes nothing. One order's failure (a provider error, an unknown payment) becomes a
        discrepancy in the plan; the other orders are still planned.
        """
        entries: list[PlanEntry] = []
        issues: dict[tuple[str, str | None], AccountIssue] = {}
        order_count = 0
        for order in orders:
            order_count += 1
            for payment in order.payments:
                entries.extend(self._plan_payment(order, payment, issues))
        plan = Plan(entries, account_errors=issues.values())
        logger.info("Planned %d orders: %s", order_count, _format_counts(plan.counts()))
        return plan

    def apply(self, plan: Plan) -> Report:
        """Perform the plan's changes and report every entry's outcome, in plan order.

        Each provider gets its changes in plan order, all together when it can batch them.
        A failed change is reported and the rest still run. When cancelling a tracker fails,
        the add that was to replace it is skipped, so no duplicate is created.
        """
        results: list[Result | None] = [None] * len(plan.entries)
        issues = {(issue.provider, issue.account): issue for issue in plan.account_errors}
        pending: dict[int, tuple[TrackingProvider, list[tuple[int, Change]]]] = {}
        for index, entry in enumerate(plan.entries):
            if not isinstance(entry, Change):
                results[index] = Result.from_entry(entry)
                continue
            provider = self.provider_for(entry.payment)
            if provider is None:
                results[index] = _change_result(
                    entry,
                    Outcome.FAILED,
                    error=f"No provider is configured for {entry.payment}; nothing was sent.",
                )
                continue
            pending.setdefault(id(provider), (provider, []))[1].append((index, entry))

        self._record(_ledger_entries_before(plan.entries))
        for provider, indexed in pending.values():
            changes = [change for _, change in indexed]
            # Write-ahead: the next run reads the provider before resending any of these.
            self._record([_entry(change, EntryState.PENDING) for change in changes])
            if provider.capabilities.batch_size > 1 and isinstance(provider, BatchingProvider):
                outputs = provider.apply_batch(changes)
            else:
                outputs = apply_in_order(provider.apply, changes)
            if len(outputs) != len(changes):
                raise RuntimeError(
                    f"The {provider.name} provider returned {len(outputs)} results for "
                    f"{len(changes)} changes; this is a bug in the provider."
                )
            for (index, change), output in zip(indexed, outputs, strict=True):
                if isinstance(output, AccountError):
                    message = _not_tried_message(_account_issue(provider, output, issues))
                    results[index] = attrs.evolve(
                        _change_result(change, Outcome.SKIPPED, reason=message),
                        discrepancy=DiscrepancyKind.ACCOUNT_UNAVAILABLE,
                    )
                else:
                    results[index] = _output_result(change, output)
            self._record(
                [
                    _entry_after(change, output)
                    for change, output in zip(changes, outputs, strict=True)
                ]
            )

        report = Report(
            results=[result for result in results if result is not None],
            account_errors=issues.values(),
        )
        logger.info("Applied plan: %s", _format_counts(report.summary()))
        return report

    def _plan_payment(
        self,
        order: Order,
        payment: PaymentRef,
        issues: dict[tuple[str, str | None], AccountIssue],
    ) -> list[PlanEntry]:
        provider = self.provider_for(payment)
        if provider is None:
            return _for_each_shipment(
                order,
                payment,
                DiscrepancyKind.NO_PROVIDER,
                _no_provider_message(payment, sorted(self._providers)),
            )

        problem = provider.check_payment(payment)
        if problem is not None:
            return _for_each_shipment(order, payment, DiscrepancyKind.INVALID_PAYMENT, problem)

        vouched = self._unchanged_from_ledger(order, payment)
        if vouched is not None:
            return vouched

        try:
            remote = provider.fetch(payment)
        except AccountError as exc:
            issue = _account_issue(provider, exc, issues)
            return _for_each_shipment(
                order, payment, DiscrepancyKind.ACCOUNT_UNAVAILABLE, _not_tried_message(issue)
            )
        except TracksyncError as exc:
            logger.warning("Failed to read %s for order %s: %s", payment, order.id, exc)
            return _for_each_shipment(
                order,
                payment,
                DiscrepancyKind.FETCH_FAILED,
                f"Reading {payment} failed: {exc}",
            )

        if remote.state is not PaymentState.READY:
            message = remote.message or f"{payment} is {remote.state.value}."
            return _for_each_shipment(order, payment, _STATE_DISCREPANCY[remote.state], message)

        capabilities = remote.capabilities or provider.capabilities
        entries = diff_payment(
            order,
            payment,
            remote,
            capabilities,
            lambda shipment: provider.stored_carrier(payment, shipment),
        )
        return [_check_shipment(provider, entry) for entry in entries]

    def _unchanged_from_ledger(self, order: Order, payment: PaymentRef) -> list[PlanEntry] | None:
        """Return the payment's shipments as unchanged when the ledger vouches for all of them.

        That holds when every shipment matches an APPLIED entry's fingerprint and the ledger
        knows of no other tracker on the payment that the order no longer lists.
        """
        if self._ledger is None or self._full or not order.shipments:
            return None
        recorded = {
            entry.tracking_number: entry for entry in self._ledger.entries_for_payment(payment)
        }
        wanted = {}
        for shipment in order.shipments:
            entry = recorded.get(shipment.tracking_number)
            expected = fingerprint(
                payment, shipment, recipient_name=order.recipient_name, ship_to=order.ship_to
            )
            if entry is None or entry.state is not EntryState.APPLIED:
                return None
            if entry.fingerprint != expected:
                return None
            wanted[shipment.tracking_number] = expected
        if set(recorded) - set(wanted):
            return None
        return [
            Unchanged(
                order_id=order.id,
                payment=payment,
                tracking_number=number,
                fingerprint=expected,
                from_ledger=True,
            )
            for number, expected in wanted.items()
        ]

    def _record(self, entries: Sequence[LedgerEntry]) -> None:
        if self._ledger is not None and entries:
            self._ledger.record(entries)


def _entry(
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


def _entry_after(change: Change, output: ChangeResult | TracksyncError) -> LedgerEntry:
    """Record the change's answer: applied, failed, or waiting for the next run.

    A write that got no answer stays PENDING, so the next run reads the provider first.
    """
    if isinstance(output, ProviderConnectionError):
        return _entry(change, EntryState.PENDING, error=str(output))
    if isinstance(output, TracksyncError):
        return _entry(change, EntryState.FAILED, error=str(output))
    if output.outcome is Outcome.FAILED:
        return _entry(change, EntryState.FAILED, error=output.note)
    if output.outcome is Outcome.SKIPPED:
        return _entry(change, EntryState.WAITING, error=output.note)
    return _entry(change, EntryState.APPLIED, tracker_id=output.tracker_id)


def _ledger_entries_before(entries: Sequence[PlanEntry]) -> list[LedgerEntry]:
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


def _account_issue(
    provider: TrackingProvider,
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


def _not_tried_message(issue: AccountIssue) -> str:
    account = f" account {issue.account}" if issue.account else " account"
    return (
        f"Not tried, because the {issue.provider}{account} is unavailable; see its account error."
    )


def _for_each_shipment(
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


def _no_provider_message(payment: PaymentRef, configured: list[tuple[str, str | None]]) -> str:
    names = ", ".join(
        f"{name} (account {account})" if account else name for name, account in configured
    )
    return (
        f"No provider is configured for {payment}, so it was skipped. "
        f"Configured: {names or 'none'}. Give the credentials for {payment.provider} "
        "or correct the payment's provider."
    )


def _change_result(
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


def _check_shipment(provider: TrackingProvider, entry: PlanEntry) -> PlanEntry:
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


def _output_result(change: Change, output: ChangeResult | TracksyncError) -> Result:
    if isinstance(output, TracksyncError):
        return _change_result(change, Outcome.FAILED, error=str(output))
    notes = [note for note in (change.note, output.note) if note]
    return _change_result(
        change, output.outcome, reason=" ".join(notes) or None, tracker_id=output.tracker_id
    )


def _format_counts(counts: dict[str, int]) -> str:
    return (
        ", ".join(f"{count} {name}" for name, count in sorted(counts.items()) if count) or "nothing"
    )
