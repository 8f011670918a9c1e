"""``tracksync reconcile``: read every payment in a file and list the disagreements.

Writes nothing to PayPal, Stripe or the ledger.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence

import attrs

from .._audit import Finding, FindingKind, matching
from .._reconciler import AsyncReconciler
from ..carriers import Overrides, load_overrides
from ..sources import OrderRecord, RowError, SkippedRow, StreamItem
from ._sync import CHUNK_SIZE, chunks_of_stream, open_shipments, providers_for

__all__ = ["run_reconcile"]

_FIELDS = (
    "line",
    "kind",
    "order_id",
    "provider",
    "payment_id",
    "tracking_number",
    "shop",
    "provider_value",
    "message",
)


def run_reconcile(args: argparse.Namespace) -> bool:
    """Run ``reconcile`` for the parsed arguments and return whether anything disagreed."""
    overrides = load_overrides(args.carrier_overrides) if args.carrier_overrides else None
    stream = open_shipments(args, command="reconcile")
    findings, matched = asyncio.run(_audit(args, stream, overrides=overrides))
    counts = Counter(finding.kind for finding in findings)
    totals = {kind.value: counts[kind] for kind in FindingKind}
    if args.format == "json":
        document = {
            "matched": matched,
            "counts": totals,
            "findings": [finding.to_dict() for finding in findings],
        }
        print(json.dumps(document, indent=2, ensure_ascii=False))
    elif args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(_FIELDS)
        for finding in findings:
            values = finding.to_dict()
            writer.writerow(["" if values[key] is None else values[key] for key in _FIELDS])
    else:
        print(_table(findings, matched, totals))
    return bool(findings)


async def _audit(
    args: argparse.Namespace, stream: Iterable[StreamItem], *, overrides: Overrides | None
) -> tuple[list[Finding], int]:
    findings: list[Finding] = []
    matched = 0
    async with (
        providers_for(args, overrides, unsaved="read only") as (providers, seed),
        AsyncReconciler(providers) as reconciler,
    ):
        for chunk in chunks_of_stream(stream, CHUNK_SIZE):
            records = [item for item in chunk if isinstance(item, OrderRecord)]
            orders = [record.order for record in records]
            if seed is not None:
                seed(orders)
            audit = await reconciler.audit(orders)
            matched += audit.matched
            findings.extend(_with_lines(audit.findings, records))
            findings.extend(_input_findings(chunk))
    findings.sort(key=lambda finding: (finding.line is None, finding.line or 0))
    return findings, matched


def _with_lines(findings: Sequence[Finding], records: Sequence[OrderRecord]) -> list[Finding]:
    by_order = {record.order.id: record for record in records}
    placed = []
    for finding in findings:
        record = by_order.get(finding.order_id or "")
        line = (
            record.line_of(
                finding.tracking_number, provider=finding.provider, payment_id=finding.payment_id
            )
            if record
            else None
        )
        placed.append(attrs.evolve(finding, line=line))
    return placed


def _input_findings(chunk: Sequence[StreamItem]) -> list[Finding]:
    """Rows that could not be checked: bad rows, and rows the reader skipped."""
    findings = []
    for item in chunk:
        if isinstance(item, (RowError, SkippedRow)):
            findings.append(
                Finding(
                    kind=FindingKind.NOT_CHECKED,
                    order_id=item.order_id,
                    provider=getattr(item, "provider", None),
                    payment_id=getattr(item, "payment_id", None),
                    tracking_number=item.tracking_number,
                    message=item.message,
                    line=item.line if item.file is None else None,
                )
            )
    return findings


def _table(findings: Sequence[Finding], matched: int, totals: dict[str, int]) -> str:
    lines = []
    if findings:
        header = ("LINE", "KIND", "ORDER", "PROVIDER", "PAYMENT", "TRACKING", "SHOP / PROVIDER")
        rows = [_cells(finding) for finding in findings]
        widths = [max(len(cells[index]) for cells in (header, *rows)) for index in range(7)]
        lines.append(_row(header, widths) + "  DETAIL")
        for cells, finding in zip(rows, findings, strict=True):
            lines.append(_row(cells, widths) + "  " + finding.message)
        lines.append("")
    found = ", ".join(f"{count} {kind}" for kind, count in totals.items() if count)
    lines.append(f"{matching(matched)}; " + (f"found {found}." if found else "no disagreements."))
    return "\n".join(lines)


def _cells(finding: Finding) -> tuple[str, ...]:
    both = (
        f"{finding.shop or '-'} / {finding.provider_value or '-'}"
        if finding.shop or finding.provider_value
        else "-"
    )
    return (
        str(finding.line) if finding.line is not None else "-",
        finding.kind.value,
        finding.order_id or "-",
        finding.provider or "-",
        finding.payment_id or "-",
        finding.tracking_number or "-",
        both,
    )


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
