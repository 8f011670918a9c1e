"""Render reports as a text table or as JSON."""

from __future__ import annotations

import json

from .._plan import Outcome, Report, Result

__all__ = ["render_json", "render_table"]

_PREVIEW_WORDS = {
    Outcome.ADDED: "to add",
    Outcome.UPDATED: "to update",
    Outcome.CANCELLED: "to cancel",
}

_COLUMNS = ("LINE", "ORDER", "PROVIDER", "PAYMENT", "TRACKING", "OUTCOME", "DETAIL")


def render_json(report: Report) -> str:
    """Render the JSON report; its keys are a stable contract for scripts."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)


def render_table(report: Report) -> str:
    """Render one row per result and a summary line, for people at a terminal."""
    rows = [_COLUMNS, *(_row(result, dry_run=report.dry_run) for result in report.results)]
    widths = [max(len(row[index]) for row in rows) for index in range(len(_COLUMNS) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    lines.append("")
    lines.append(_summary_line(report))
    for issue in report.account_errors:
        account = f" account {issue.account}" if issue.account else ""
        lines.append(f"Account error, {issue.provider}{account}: {issue.message}")
    return "\n".join(lines)


def _row(result: Result, *, dry_run: bool) -> tuple[str, ...]:
    outcome = result.outcome.value
    if dry_run:
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


def _summary_line(report: Report) -> str:
    summary = report.summary()
    if report.dry_run:
        return (
            "Dry run, nothing was sent: "
            f"{summary['added']} to add, {summary['updated']} to update, "
            f"{summary['cancelled']} to cancel, {summary['unchanged']} unchanged, "
            f"{summary['skipped']} skipped, {summary['failed']} failed."
        )
    return ", ".join(f"{count} {name}" for name, count in summary.items()) + "."
