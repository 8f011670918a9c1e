"""``tracksync status``: what the ledger holds, per state and provider, and what failed."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .._ledger import EntryState, LedgerEntry

__all__ = ["render_status_json", "render_status_table", "summarize"]


def summarize(entries: Iterable[LedgerEntry], path: Path) -> dict[str, Any]:
    """Count the entries per state and provider, and list the waiting and failed ones."""
    counts: Counter[tuple[str, str]] = Counter()
    waiting: list[LedgerEntry] = []
    failures: list[LedgerEntry] = []
    for entry in entries:
        counts[(entry.state.value, entry.provider)] += 1
        if entry.state is EntryState.WAITING:
            waiting.append(entry)
        elif entry.state is EntryState.FAILED:
            failures.append(entry)

    providers = sorted({provider for _, provider in counts})
    oldest = min(waiting, key=lambda entry: entry.created_at, default=None)
    return {
        "ledger": str(path),
        "counts": {
            state.value: {provider: counts[(state.value, provider)] for provider in providers}
            for state in EntryState
        },
        "oldest_waiting": _describe(oldest) if oldest else None,
        "failures": [_describe(entry) for entry in sorted(failures, key=lambda e: e.updated_at)],
    }


def _describe(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "order_id": entry.order_id,
        "provider": entry.provider,
        "account": entry.account,
        "payment_id": entry.payment_id,
        "tracking_number": entry.tracking_number,
        "error": entry.error,
        "since": entry.created_at.isoformat(),
        "updated_at": entry.updated_at.isoformat(),
    }


def render_status_json(summary: dict[str, Any]) -> str:
    """Render the summary as JSON for scripts."""
    return json.dumps(summary, indent=2, ensure_ascii=False)


def render_status_table(summary: dict[str, Any]) -> str:
    """Render the summary for people at a terminal."""
    counts: dict[str, dict[str, int]] = summary["counts"]
    providers = sorted({provider for row in counts.values() for provider in row})
    lines = [f"Ledger: {summary['ledger']}", ""]
    header = ["STATE", *(provider.upper() for provider in providers), "TOTAL"]
    rows = [header]
    for state, per_provider in counts.items():
        values = [per_provider.get(provider, 0) for provider in providers]
        rows.append([state, *(str(value) for value in values), str(sum(values))])
    widths = [max(len(row[index]) for row in rows) for index in range(len(header))]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())

    oldest = summary["oldest_waiting"]
    lines.append("")
    if oldest:
        lines.append(
            f"Oldest waiting: order {oldest['order_id']}, {oldest['provider']} payment "
            f"{oldest['payment_id']}, tracking number {oldest['tracking_number']}, "
            f"since {oldest['since']}."
        )
    else:
        lines.append("Nothing is waiting for a capture.")

    failures = summary["failures"]
    if failures:
        lines.append(f"Failures ({len(failures)}):")
        lines.extend(
            f"  order {failure['order_id']}, {failure['provider']} payment "
            f"{failure['payment_id']}, tracking number {failure['tracking_number']}: "
            f"{failure['error']}"
            for failure in failures
        )
    else:
        lines.append("No failures.")
    return "\n".join(lines)
