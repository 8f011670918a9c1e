"""The parts the sync and the async Reconciler share: routing, planning and applying steps.

Planning one payment is written once, as a generator that yields the provider whenever it
needs the payment read and receives the payment as read (or the error). The sync
Reconciler reads it with ``provider.fetch``, the async one with ``await provider.fetch``
for many payments at once. Applying is split into steps the same way, so no rule exists
twice.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from itertools import islice
from typing import Generic, TypeVar

import attrs

from ._diff import diff_payment
from ._ledger import EntryState, Ledger, LedgerEntry, SQLiteLedger, States, fingerprint
from ._mirror import Adjusted, Mirror, mirror_order
from ._models import Order, PaymentRef, Shipment
from ._plan import (
    AccountIssue,
    Change,
    ChangeResult,
    DiscrepancyKind,
    Outcome,
    Plan,
    PlanEntry,
    Report,
    Result,
    Unchanged,
)
from ._records import (
    account_issue,
    change_entry,
    change_result,
    check_shipment,
    entries_before_apply,
    entry_after,
    for_each_shipment,
    format_counts,
    no_provider_message,
    not_tried_message,
    output_result,
)
from ._remote import PaymentState, RemotePayment
from .errors import AccountError, ConfigurationError, TracksyncError
from .providers._protocol import ProviderBase

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "AccountIssues",
    "ApplyState",
    "Engine",
    "PlanSteps",
    "ReadSteps",
    "chunks",
]

logger = logging.getLogger("tracksync")

P = TypeVar("P", bound=ProviderBase)

#: Orders planned and applied together by ``run()``, which keeps memory flat.
DEFAULT_CHUNK_SIZE = 500

#: The first account error of each provider account, keyed by provider name and account.
AccountIssues = dict[tuple[str, str | None], AccountIssue]

#: The steps of planning one payment: yields the provider to read the payment from,
#: receives the payment as read or the error, and returns the payment's plan entries.
PlanSteps = Generator[P, RemotePayment | TracksyncError, list[PlanEntry]]

#: The steps of reading one payment: as PlanSteps, but they return what the provider
#: holds when the payment is ready for trackers.
ReadSteps = Generator[P, RemotePayment | TracksyncError, RemotePayment | list[PlanEntry]]

_STATE_DISCREPANCY = {
    PaymentState.NOT_FOUND: DiscrepancyKind.PAYMENT_NOT_FOUND,
    PaymentState.WAITING_FOR_CAPTURE: DiscrepancyKind.WAITING_FOR_CAPTURE,
    PaymentState.UNUSABLE: DiscrepancyKind.PAYMENT_UNUSABLE,
}


def chunks(orders: Iterable[Order], size: int) -> Iterator[list[Order]]:
    """Yield the orders in lists of at most ``size``, reading the input lazily."""
    if size < 1:
        raise ValueError(f"chunk_size must be 1 or more, not {size}.")
    iterator = iter(orders)
    while chunk := list(islice(iterator, size)):
        yield chunk


@attrs.define
class ApplyState:
    """The results of one plan being applied, filled in as providers respond."""

    plan: Plan
    results: list[Result | None]
    issues: AccountIssues


class Engine(Generic[P]):
    """Routing, the ledger and the planning and applying rules, with no I/O of its own."""

    def __init__(
        self,
        providers: Iterable[P],
        *,
        ledger: Ledger | str | os.PathLike[str] | None,
        full: bool,
    ) -> None:
        self.full = full
        self.owns_ledger = isinstance(ledger, (str, os.PathLike))
        self.ledger: Ledger | None = (
            SQLiteLedger(ledger) if isinstance(ledger, (str, os.PathLike)) else ledger
        )
        self.providers: dict[tuple[str, str | None], P] = {}
        for provider in providers:
            key = (provider.name, provider.account)
            if key in self.providers:
                account = f" account {provider.account!r}" if provider.account else ""
                raise ConfigurationError(
                    f"Two {provider.name}{account} providers were given; "
                    "give one provider per account, each with its own account name."
                )
            self.providers[key] = provider

    def close(self) -> None:
        """Close the ledger if it was opened from a path."""
        if self.owns_ledger and self.ledger is not None:
            self.ledger.close()

    def provider_for(self, payment: PaymentRef) -> P | None:
        """Return the provider that handles the payment, or None if none is configured."""
        exact = self.providers.get((payment.provider, payment.account))
        if exact is not None:
            return exact
        same_name = [
            provider for (name, _), provider in self.providers.items() if name == payment.provider
        ]
        if len(same_name) != 1:
            return None
        only = same_name[0]
        if payment.account is None or only.account is None:
            return only
        return None

    # Planning

    def recorded_entries(
        self, orders: Sequence[Order], *, use_ledger: bool = True
    ) -> dict[PaymentRef, States]:
        """Read the ledger states of every payment of the orders in one go."""
        if self.ledger is None or self.full or not use_ledger:
            return {}
        payments = [payment for order in orders for payment in order.payments]
        return self.ledger.states_for_payments(payments)

    def vouched(
        self, order: Order, payment: PaymentRef, recorded: dict[PaymentRef, States]
    ) -> list[PlanEntry] | None:
        """Return the payment's entries when the ledger vouches for all of them, else None.

        The fast path of a run over a large unchanged input: no provider call, no steps.
        An entry the ledger vouches for was applied, so its payment id was valid then.
        """
        states = recorded.get(payment)
        if not states or self.provider_for(payment) is None:
            return None
        return self._unchanged_from_ledger(order, payment, states)

    def payment_steps(
        self,
        order: Order,
        payment: PaymentRef,
        issues: AccountIssues,
        recorded: dict[PaymentRef, States],
        adjust: Callable[[Order, RemotePayment], Adjusted] | None = None,
    ) -> PlanSteps[P]:
        """Plan one payment; yield its provider when the payment must be read.

        ``adjust`` takes the order and the payment as read. It returns the order to compare
        with the payment, and entries that replace the comparison's own for their tracking
        numbers. Mirroring uses it to settle what the source provider does not store.
        """
        provider = self.provider_for(payment)
        if provider is None:
            message = no_provider_message(payment, sorted(self.providers))
            return for_each_shipment(order, payment, DiscrepancyKind.NO_PROVIDER, message)

        vouched = (
            self._unchanged_from_ledger(order, payment, recorded.get(payment)) if recorded else None
        )
        if vouched is not None:
            return vouched

        answer = yield from self._read(order, payment, provider, issues)
        if isinstance(answer, list):
            return answer

        remote = answer
        settled: list[PlanEntry] = []
        if adjust is not None:
            order, settled = adjust(order, remote)
        entries = diff_payment(
            order,
            payment,
            remote,
            remote.capabilities or provider.capabilities,
            lambda shipment: provider.stored_carrier(payment, shipment),
        )
        if settled:
            numbers = {entry.tracking_number for entry in settled}
            entries = [entry for entry in entries if entry.tracking_number not in numbers]
        return [check_shipment(provider, entry) for entry in entries] + settled

    def read_steps(self, order: Order, payment: PaymentRef, issues: AccountIssues) -> ReadSteps[P]:
        """Read one payment; return what the provider holds, or one discrepancy for the
        payment when it cannot be read or cannot take trackers.

        The order's own shipments are not used, so the discrepancy names no package.
        """
        order = attrs.evolve(order, shipments=())
        provider = self.provider_for(payment)
        if provider is None:
            message = no_provider_message(payment, sorted(self.providers))
            return for_each_shipment(order, payment, DiscrepancyKind.NO_PROVIDER, message)
        return (yield from self._read(order, payment, provider, issues))

    def _read(
        self, order: Order, payment: PaymentRef, provider: P, issues: AccountIssues
    ) -> ReadSteps[P]:
        problem = provider.check_payment(payment)
        if problem is not None:
            return for_each_shipment(order, payment, DiscrepancyKind.INVALID_PAYMENT, problem)

        answer = yield provider
        if isinstance(answer, AccountError):
            issue = account_issue(provider, answer, issues)
            message = not_tried_message(issue)
            return for_each_shipment(order, payment, DiscrepancyKind.ACCOUNT_UNAVAILABLE, message)
        if isinstance(answer, TracksyncError):
            logger.warning("Failed to read %s for order %s: %s", payment, order.id, answer)
            message = f"Reading {payment} failed: {answer}"
            return for_each_shipment(order, payment, DiscrepancyKind.FETCH_FAILED, message)
        if answer.state is not PaymentState.READY:
            message = answer.message or f"{payment} is {answer.state.value}."
            return for_each_shipment(order, payment, _STATE_DISCREPANCY[answer.state], message)
        return answer

    def recorded_for_mirrors(self, mirrors: Sequence[Mirror]) -> dict[PaymentRef, States]:
        """Read the ledger states of the mirrors' target payments in one go.

        Mirrors with trackers of unknown carrier are left out, so their targets are read
        whatever the ledger records: only the target can settle those trackers.
        """
        orders = [mirror.order for mirror in mirrors if mirror.order and not mirror.unknown_carrier]
        return self.recorded_entries(orders)

    def mirror_steps(
        self, mirror: Mirror, issues: AccountIssues, recorded: dict[PaymentRef, States]
    ) -> list[tuple[PaymentRef, PlanSteps[P]]]:
        """Return the planning steps of each target payment of a mirrored order."""
        if mirror.order is None:
            return []
        order = mirror.order
        return [
            (payment, self.payment_steps(order, payment, issues, recorded, mirror.adjust))
            for payment in order.payments
        ]

    @staticmethod
    def collect_mirror(
        order: Order,
        targets: Sequence[PaymentRef],
        reads: Sequence[RemotePayment | list[PlanEntry]],
        mirrors: list[Mirror],
    ) -> list[PlanEntry]:
        """Build the mirror of one order from its source payments' reads and add it to
        ``mirrors`` when it has a target to plan. Return the entries to report now.

        When a source payment cannot be read, the order is not mirrored: the trackers of
        the others may be only part of what the order has.
        """
        failed = [entry for read in reads if isinstance(read, list) for entry in read]
        if failed:
            return failed
        remotes = [read for read in reads if isinstance(read, RemotePayment)]
        mirror = mirror_order(order, targets, remotes)
        if mirror.order is not None:
            mirrors.append(mirror)
        return list(mirror.entries)

    def _unchanged_from_ledger(
        self, order: Order, payment: PaymentRef, recorded: States | None
    ) -> list[PlanEntry] | None:
        """Return the payment's shipments as unchanged when the ledger vouches for all of them.

        That holds when every shipment matches an APPLIED entry's fingerprint and the ledger
        records no other tracker on the payment that the order no longer lists.
        """
        shipments = order.shipments
        if self.ledger is None or self.full or not shipments or not recorded:
            return None
        if len(recorded) != len(shipments):
            return None
        vouched: list[PlanEntry] = []
        for shipment in shipments:
            tracking_number = shipment.tracking_number
            state, recorded_fingerprint = recorded.get(tracking_number, (None, None))
            if state is not EntryState.APPLIED:
                return None
            expected = fingerprint(
                payment, shipment, recipient_name=order.recipient_name, ship_to=order.ship_to
            )
            if recorded_fingerprint != expected:
                return None
            vouched.append(
                Unchanged(
                    order_id=order.id,
                    payment=payment,
                    tracking_number=tracking_number,
                    fingerprint=expected,
                    from_ledger=True,
                )
            )
        return vouched

    @staticmethod
    def finish_plan(entries: list[PlanEntry], issues: AccountIssues, orders: int) -> Plan:
        """Build the plan and log its counts."""
        plan = Plan(entries, account_errors=issues.values())
        # Counting costs a pass over the plan, so only when the line will be logged.
        if logger.isEnabledFor(logging.INFO):
            logger.info("Planned %d orders: %s", orders, format_counts(plan.counts()))
        return plan

    # Applying

    def start_apply(
        self, plan: Plan
    ) -> tuple[ApplyState, list[tuple[P, list[tuple[int, Change]]]]]:
        """Describe every entry that needs no write, and group the changes by provider."""
        state = ApplyState(
            plan=plan,
            results=[None] * len(plan.entries),
            issues={(issue.provider, issue.account): issue for issue in plan.account_errors},
        )
        groups: dict[int, tuple[P, list[tuple[int, Change]]]] = {}
        for index, entry in enumerate(plan.entries):
            if not isinstance(entry, Change):
                state.results[index] = Result.from_entry(entry)
                continue
            provider = self.provider_for(entry.payment)
            if provider is None:
                state.results[index] = change_result(
                    entry,
                    Outcome.FAILED,
                    error=f"No provider is configured for {entry.payment}; nothing was sent.",
                )
                continue
            groups.setdefault(id(provider), (provider, []))[1].append((index, entry))
        self.record(entries_before_apply(plan.entries))
        return state, list(groups.values())

    def before_sending(self, changes: Sequence[Change]) -> None:
        """Write-ahead: mark the changes pending, so the next run reads before resending."""
        self.record([change_entry(change, EntryState.PENDING) for change in changes])

    def after_sending(
        self,
        state: ApplyState,
        provider: P,
        indexed: Sequence[tuple[int, Change]],
        outputs: Sequence[ChangeResult | TracksyncError],
    ) -> None:
        """Record each change's result in the report and in the ledger."""
        if len(outputs) != len(indexed):
            raise RuntimeError(
                f"The {provider.name} provider returned {len(outputs)} results for "
                f"{len(indexed)} changes; this is a bug in the provider."
            )
        for (index, change), output in zip(indexed, outputs, strict=True):
            if isinstance(output, AccountError):
                message = not_tried_message(account_issue(provider, output, state.issues))
                state.results[index] = attrs.evolve(
                    change_result(change, Outcome.SKIPPED, reason=message),
                    discrepancy=DiscrepancyKind.ACCOUNT_UNAVAILABLE,
                )
            else:
                state.results[index] = output_result(change, output)
        self.record(
            [
                entry_after(change, output)
                for (_, change), output in zip(indexed, outputs, strict=True)
            ]
        )

    @staticmethod
    def finish_apply(state: ApplyState) -> Report:
        """Build the report in plan order and log its counts."""
        report = Report(
            results=[result for result in state.results if result is not None],
            account_errors=state.issues.values(),
        )
        if logger.isEnabledFor(logging.INFO):
            logger.info("Applied plan: %s", format_counts(report.summary()))
        return report

    def stored_carrier(self, payment: PaymentRef, shipment: Shipment) -> str:
        """Return the carrier as the payment's provider stores it, or as the shop wrote it."""
        provider = self.provider_for(payment)
        return provider.stored_carrier(payment, shipment) if provider else shipment.carrier

    def record(self, entries: Sequence[LedgerEntry]) -> None:
        """Write entries to the ledger, if there is one."""
        if self.ledger is not None and entries:
            self.ledger.record(entries)
