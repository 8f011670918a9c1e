"""Read Shopify's order export, joined with a file of the orders' fulfillments.

The order export (Admin, Orders, Export, CSV) has a row per line item, with the order's
own columns filled on its first row only, and no tracking numbers. Those are on the
order's fulfillments, which come from a second file (see ``_shopify_fulfillments``). An
order is matched to its fulfillments by the export's ``Id`` column or by its ``Name``.

The export's payment columns contain Shopify's own payment ids, not the gateway's, unless
the shop put the gateway's id there. A PayPal capture id or a Stripe ``pi_``, ``ch_`` or
``py_`` id in ``Payment References``, ``Payment Reference`` or ``Payment ID`` is used.
Otherwise the order is reported with where the gateway's id can be found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

import attrs

from .._models import PAYPAL, STRIPE, PaymentRef
from ._grouping import Numbered, Parsed, group_orders
from ._orders import finish_order, merge_packages
from ._records import RowError, SkippedRow, StreamItem, place, shorten
from ._shopify_fulfillments import FulfillmentIndex
from ._tabular import CsvRow, CsvTable, RowInvalid, check_row, compact_key
from ._values import gateway_provider, make_address

__all__ = [
    "EXPORT_COLUMNS",
    "has_payment_column",
    "is_shopify_header",
    "read_shopify",
]

#: The columns that identify the order export; one of the payment columns is needed too.
EXPORT_COLUMNS = ("Name", "Payment Method", "Financial Status")
_PAYMENT_COLUMNS = ("Payment References", "Payment Reference", "Payment ID")

#: Words in the Payment Method column that name a gateway tracksync syncs.
_GATEWAY_NAMES = ((PAYPAL, "paypal"), (STRIPE, "stripe"))
_PROVIDER_LABELS = {PAYPAL: "PayPal capture id", STRIPE: "Stripe payment id"}
_REFERENCE_SEPARATORS = re.compile(r"[+,\s]+")


def is_shopify_header(columns: Iterable[str]) -> bool:
    """Return whether a CSV header (in compact keys) is Shopify's order export."""
    present = set(columns)
    return {compact_key(column) for column in EXPORT_COLUMNS} <= present


def has_payment_column(columns: Iterable[str]) -> bool:
    """Return whether a CSV header (in compact keys) has one of the payment columns."""
    present = set(columns)
    return any(compact_key(column) in present for column in _PAYMENT_COLUMNS)


@attrs.frozen
class _ExportRow:
    values: dict[str, str]


def read_shopify(table: CsvTable, fulfillments: FulfillmentIndex) -> Iterator[StreamItem]:
    """Yield the orders of a Shopify order export with the tracking of their fulfillments."""
    labels = dict(zip(table.columns, table.header, strict=True))

    def parse(item: CsvRow | RowError) -> Parsed[_ExportRow]:
        if isinstance(item, RowError):
            return Parsed(item.line, None, problems=(item,))
        name = item.values.get("name", "")
        try:
            check_row(item, delimiter=table.delimiter)
            if not name:
                raise RowInvalid("Name", "", "Name is empty; fill it in or remove the row.")
        except RowInvalid as exc:
            problem = RowError(
                line=item.line,
                order_id=name or None,
                column=exc.column,
                value=exc.value,
                message=f"{place(item.line, order_id=name or None)}: {exc.message}",
            )
            return Parsed(item.line, name or None, problems=(problem,))
        return Parsed(item.line, name, row=_ExportRow(item.values))

    def build(order_id: str, rows: list[Numbered[_ExportRow]]) -> Iterator[StreamItem]:
        return _build(order_id, rows, fulfillments, labels)

    yield from group_orders((parse(item) for item in table.rows()), build, sort_by="Name")
    yield from fulfillments.leftovers()


def _build(
    order_name: str,
    rows: list[Numbered[_ExportRow]],
    fulfillments: FulfillmentIndex,
    labels: Mapping[str, str],
) -> Iterator[StreamItem]:
    first_line = rows[0].line
    values: dict[str, str] = {}
    for numbered in rows:
        for key, value in numbered.row.values.items():
            if value and key not in values:
                values[key] = value
    # Taken first, so that the fulfillments of a skipped order are not reported as
    # fulfillments of an order missing from the export.
    found = fulfillments.take(values.get("id", ""), order_name)
    try:
        payments = _payments(values, labels)
    except RowInvalid as exc:
        yield RowError(
            line=first_line,
            order_id=order_name,
            column=exc.column,
            value=exc.value,
            message=f"{place(first_line, order_id=order_name)}: {exc.message}",
            rows=len(rows),
        )
        return
    if isinstance(payments, str):
        yield _skipped(order_name, first_line, payments, len(rows))
        return

    packages = [package for fulfillment in found for package in fulfillment.packages]
    if not packages:
        status = values.get("fulfillmentstatus", "")
        reason = (
            f"has no fulfillment with a tracking number in {fulfillments.name}"
            + (f" (its fulfillment status is {status})" if status else "")
            + ", so there is nothing to sync."
        )
        yield _skipped(order_name, first_line, reason, len(rows))
        return
    merged, conflicts = merge_packages(order_name, packages, conflict_rows=0)
    yield from conflicts
    try:
        ship_to = make_address(
            line1=values.get("shippingaddress1", "") or values.get("shippingstreet", ""),
            line2=values.get("shippingaddress2", ""),
            city=values.get("shippingcity", ""),
            state=values.get("shippingprovince", ""),
            postal_code=values.get("shippingzip", "").lstrip("'"),
            country=values.get("shippingcountry", ""),
            country_column="Shipping Country",
        )
    except RowInvalid as exc:
        yield RowError(
            line=first_line,
            order_id=order_name,
            column=exc.column,
            value=exc.value,
            message=f"{place(first_line, order_id=order_name)}: {exc.message}",
            rows=len(rows),
        )
        return
    yield from finish_order(
        order_name,
        payments=payments,
        packages=merged,
        recipient_name=values.get("shippingname") or None,
        ship_to=ship_to,
        first_line=first_line,
        rows=len(rows),
        package_lines=False,
    )


def _payments(values: Mapping[str, str], labels: Mapping[str, str]) -> list[PaymentRef] | str:
    """Return the order's payments, or the reason to skip it.

    Raises:
        RowInvalid: the order was paid through PayPal or Stripe, but the export does
            not carry the gateway's payment id.
    """
    method = values.get("paymentmethod", "")
    gateways = [
        provider
        for part in method.split("+")
        for provider, word in _GATEWAY_NAMES
        if word in part.lower()
    ]
    references = [
        (labels.get(compact_key(column), column), reference)
        for column in _PAYMENT_COLUMNS
        for reference in _REFERENCE_SEPARATORS.split(values.get(compact_key(column), ""))
        if reference
    ]
    payments = []
    for column, reference in references:
        provider = gateway_provider(reference)
        if provider is None:
            continue
        if gateways and provider not in gateways:
            raise RowInvalid(
                column,
                reference,
                f"{column} contains the {provider} id {reference}, but Payment Method is "
                f"{method!r}; correct one of the two.",
            )
        payments.append(PaymentRef(provider=provider, payment_id=reference))
    if payments:
        return payments
    if gateways:
        raise _missing_gateway_id(gateways[0], references, method)
    if not method:
        return "has no payment method, so there is no PayPal or Stripe payment to sync."
    return f"was paid with {method}; tracksync syncs PayPal and Stripe payments only."


def _missing_gateway_id(
    provider: str, references: list[tuple[str, str]], method: str
) -> RowInvalid:
    column = references[0][0] if references else _PAYMENT_COLUMNS[0]
    by_column: dict[str, list[str]] = {}
    for label, reference in references:
        by_column.setdefault(label, []).append(reference)
    listing = "; ".join(
        f"{label}: {shorten(' + '.join(refs))}" for label, refs in by_column.items()
    )
    found = f"only Shopify's own payment references ({listing})" if listing else "no payment id"
    return RowInvalid(
        column,
        " + ".join(reference for _, reference in references),
        f"the order was paid with {method}, but the export contains {found}, not the "
        f"{_PROVIDER_LABELS[provider]}. Shopify's order export does not carry the "
        "gateway's payment id: it is the authorization of the order's transaction in the "
        "Admin API (orders/ORDER_ID/transactions.json). Put that id in the Payment ID "
        "column, or use the tracksync layout.",
    )


def _skipped(order_name: str, line: int, reason: str, rows: int) -> SkippedRow:
    return SkippedRow(
        line=line,
        order_id=order_name,
        message=f"{place(line, order_id=order_name)}: order {order_name} {reason}",
        rows=rows,
    )
