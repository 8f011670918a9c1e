"""Write reports as they are made: a text table, JSON or CSV.

The writers take results chunk by chunk, so a run over a million rows never holds them
all. The JSON object's keys are a stable contract for scripts; a streamed object lists
``results`` before ``summary``, which JSON readers do not mind.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from typing import IO, Protocol

from .._plan import AccountIssue, Outcome, Result

__all__ = ["CsvWriter", "JsonWriter", "ReportWriter", "TableWriter", "make_writer"]

_PREVIEW_WORDS = {
    Outcome.ADDED: "to add",
    Outcome.UPDATED: "to update",
    Outcome.CANCELLED: "to cancel",
}

RESULT_KEYS = (
    "line",
    "order_id",
    "provider",
    "account",
    "payment_id",
    "tracking_number",
    "outcome",
    "reason",
    "error",
    "discrepancy",
    "tracker_id",
)


class ReportWriter(Protocol):
    """Writes results as they come, then the totals."""

    def write(self, results: Iterable[Result]) -> None:
        """Write some results, in the order given."""
        ...

    def finish(
        self,
        summary: Mapping[str, int],
        account_errors: Iterable[AccountIssue],
        unmapped_carriers: Mapping[str, int],
    ) -> None:
        """Write the summary, the account errors and the carriers sent as OTHER."""
        ...


def make_writer(format_name: str, *, dry_run: bool, out: IO[str]) -> ReportWriter:
    """Return the writer for ``table``, ``json`` or ``csv``."""
    if format_name == "json":
        return JsonWriter(out, dry_run=dry_run)
    if format_name == "csv":
        return CsvWriter(out)
    return TableWriter(out, dry_run=dry_run)


class TableWriter:
    """One line per result under a header, then a summary line, for people at a terminal.

    Columns have fixed widths so rows line up across chunks; a longer value shifts its row.
    """

    _HEADER = ("LINE", "ORDER", "PROVIDER", "PAYMENT", "TRACKING", "OUTCOME", "DETAIL")
    _WIDTHS = (5, 12, 8, 22, 24, 10)

    def __init__(self, out: IO[str], *, dry_run: bool) -> None:
        self._out = out
        self._dry_run = dry_run
        self._started = False

    def write(self, results: Iterable[Result]) -> None:
        """Write a row per result, and the header before the first."""
        if not self._started:
            self._line(self._HEADER)
            self._started = True
        for result in results:
            self._line(self._cells(result))

    def finish(
        self,
        summary: Mapping[str, int],
        account_errors: Iterable[AccountIssue],
        unmapped_carriers: Mapping[str, int],
    ) -> None:
        """Write the summary line, each account error, and the carriers sent as OTHER."""
        if not self._started:
            self._line(self._HEADER)
        print(file=self._out)
        print(_summary_line(summary, dry_run=self._dry_run), file=self._out)
        for issue in account_errors:
            account = f" account {issue.account}" if issue.account else ""
            print(f"Account error, {issue.provider}{account}: {issue.message}", file=self._out)
        if unmapped_carriers:
            names = ", ".join(
                f"{name!r} ({count})" for name, count in sorted(unmapped_carriers.items())
            )
            print(
                "Carriers sent to PayPal as OTHER, because no PayPal code is known for them: "
                f"{names}. Map them with --carrier-overrides to send a code.",
                file=self._out,
            )

    def _cells(self, result: Result) -> tuple[str, ...]:
        outcome = result.outcome.value
        if self._dry_run:
            outcome = _PREVIEW_WORDS.get(result.outcome, outcome)
        return (
            str(result.line) if result.line is not None else "-",
            result.order_id or "-",
            result.provider or "-",
            result.payment_id or "-",
            result.tracking_number or "-",
            outcome,
            result.error or result.reason or "",
        )

    def _line(self, cells: tuple[str, ...]) -> None:
        padded = [cell.ljust(width) for cell, width in zip(cells[:-1], self._WIDTHS, strict=True)]
        print("  ".join([*padded, cells[-1]]).rstrip(), file=self._out)


class JsonWriter:
    """One JSON object: ``dry_run``, ``results``, ``account_errors``, ``unmapped_carriers``
    and ``summary``, written as the results come."""

    def __init__(self, out: IO[str], *, dry_run: bool) -> None:
        self._out = out
        self._count = 0
        self._out.write('{\n  "dry_run": ' + json.dumps(dry_run) + ',\n  "results": [')

    def write(self, results: Iterable[Result]) -> None:
        """Write each result as an element of ``results``."""
        for result in results:
            separator = "," if self._count else ""
            self._out.write(f"{separator}\n    " + json.dumps(result.to_dict(), ensure_ascii=False))
            self._count += 1

    def finish(
        self,
        summary: Mapping[str, int],
        account_errors: Iterable[AccountIssue],
        unmapped_carriers: Mapping[str, int],
    ) -> None:
        """Close ``results`` and write the other keys."""
        closing = "\n  ]" if self._count else "]"
        errors = json.dumps([issue.to_dict() for issue in account_errors], ensure_ascii=False)
        unmapped = json.dumps(
            [
                {"carrier": name, "packages": count}
                for name, count in sorted(unmapped_carriers.items())
            ],
            ensure_ascii=False,
        )
        self._out.write(
            f"{closing},\n"
            f'  "account_errors": {errors},\n'
            f'  "unmapped_carriers": {unmapped},\n'
            f'  "summary": {json.dumps(dict(summary))}\n'
            "}\n"
        )


class CsvWriter:
    """One CSV row per result with the JSON report's result keys as the header."""

    def __init__(self, out: IO[str]) -> None:
        self._writer = csv.writer(out, lineterminator="\n")
        self._writer.writerow(RESULT_KEYS)

    def write(self, results: Iterable[Result]) -> None:
        """Write a row per result."""
        for result in results:
            values = result.to_dict()
            self._writer.writerow(
                ["" if values[key] is None else values[key] for key in RESULT_KEYS]
            )

    def finish(
        self,
        summary: Mapping[str, int],
        account_errors: Iterable[AccountIssue],
        unmapped_carriers: Mapping[str, int],
    ) -> None:
        """Write nothing more: the totals do not fit the rows; the table and JSON have them."""


def _summary_line(summary: Mapping[str, int], *, dry_run: bool) -> str:
    if dry_run:
        return (
            "Dry run, nothing was sent: "
            f"{summary['added']} to add, {summary['updated']} to update, "
            f"{summary['cancelled']} to cancel, {summary['unchanged']} unchanged, "
            f"{summary['skipped']} skipped, {summary['failed']} failed."
        )
    return ", ".join(f"{count} {name}" for name, count in summary.items()) + "."
