"""Read WooCommerce orders with the tracking that the Shipment Tracking extension stores.

The input is a JSON list of orders, or ``{"orders": [...]}``. Each order is an object
with the order's meta keys as WooCommerce stores them::

    {"id": 1042, "_payment_method": "ppcp-gateway", "_transaction_id": "8MC585209K746392H",
     "_wc_shipment_tracking_items": [{"tracking_provider": "", "custom_tracking_provider":
     "Royal Mail Tracked 48", "tracking_number": "AB123456789GB",
     "date_shipped": "1772409600"}]}

The WooCommerce REST API's order objects are read as well: ``payment_method`` and
``transaction_id`` at the top, the meta keys in ``meta_data``, the address in
``shipping``. The tracking items may be a JSON list or the PHP-serialized text that
WordPress stores. Orders of the extension's older single-value meta (``_tracking_number``
and the other ``_tracking_*`` keys) are read when the order has no tracking items.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping

import attrs

from .._models import PAYPAL, STRIPE, Address, PaymentRef
from ..errors import InvalidInputError
from ._grouping import Numbered, Parsed, group_orders
from ._json import JsonItem, JsonItems, items_or_error, pointer_part
from ._orders import Package, finish_order, merge_packages
from ._php import PhpFormatError, looks_serialized, unserialize
from ._records import RowError, SkippedRow, StreamItem, place, shorten
from ._tabular import RowInvalid
from ._values import (
    carrier_from_link,
    check_payment_id,
    gateway_provider,
    make_address,
    make_shipment,
    parse_date,
    text_of,
)

__all__ = ["ORDER_KEYS", "is_woocommerce_item", "read_woocommerce"]

#: Keys that mark a JSON object as a WooCommerce order.
ORDER_KEYS = frozenset(
    {
        "_wc_shipment_tracking_items",
        "_tracking_number",
        "_payment_method",
        "_transaction_id",
        "payment_method",
        "transaction_id",
        "meta_data",
    }
)

_ITEMS_KEY = "_wc_shipment_tracking_items"
_STRIPE_INTENT_KEY = "_stripe_intent_id"
#: WooCommerce PayPal Payments stores the PayPal order id under this meta key.
_PAYPAL_ORDER_KEY = "_ppcp_paypal_order_id"
#: Gateway ids of the PayPal plugins whose transaction id is a PayPal capture id.
_PAYPAL_GATEWAYS = frozenset({"paypal", "ppec_paypal"})
_ADDRESS_PARTS = (
    "first_name",
    "last_name",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
)


def is_woocommerce_item(value: object) -> bool:
    """Return whether a JSON item looks like a WooCommerce order."""
    return isinstance(value, dict) and not ORDER_KEYS.isdisjoint(value)


@attrs.frozen
class _WooOrder:
    payment: PaymentRef
    packages: tuple[Package, ...]
    recipient_name: str | None
    ship_to: Address | None


class _OrderView:
    """An order object's keys, looked up at the top level and then in ``meta_data``."""

    def __init__(self, value: Mapping[str, object], pointer: str) -> None:
        self.value = value
        self.pointer = pointer
        self.meta: dict[str, tuple[str, object]] = {}
        entries = value.get("meta_data")
        if isinstance(entries, list):
            for index, entry in enumerate(entries):
                if isinstance(entry, dict) and isinstance(entry.get("key"), str):
                    self.meta.setdefault(
                        entry["key"], (f"{pointer}/meta_data/{index}/value", entry.get("value"))
                    )

    def find(self, *keys: str) -> tuple[str, str, object] | None:
        """Return the key, JSON Pointer and value of the first key present."""
        for key in keys:
            if key in self.value and self.value[key] not in (None, ""):
                return key, f"{self.pointer}/{pointer_part(key)}", self.value[key]
            if key in self.meta and self.meta[key][1] not in (None, ""):
                return key, *self.meta[key]
        return None

    def text(self, *keys: str) -> tuple[str, str]:
        """Return the key and text of the first key present, or the first key and ''."""
        found = self.find(*keys)
        if found is None:
            return keys[0], ""
        return found[0], text_of(found[2], found[0])


def read_woocommerce(items: JsonItems) -> Iterator[StreamItem]:
    """Yield the orders of a WooCommerce JSON export, with their shipment tracking."""
    parsed = (_parse(item) for item in items_or_error(items))
    return group_orders(parsed, _build, sort_by="id")


def _parse(item: JsonItem | RowError) -> Parsed[_WooOrder]:
    if isinstance(item, RowError):
        return Parsed(item.line, None, problems=(item,))
    line, pointer = item.line, item.pointer
    if not isinstance(item.value, dict):
        message = f"{place(line, location=pointer)}: the order is not a JSON object; remove it."
        problem = RowError(line=line, location=pointer, message=message)
        return Parsed(line, None, problems=(problem,))
    order = _OrderView(item.value, pointer)
    try:
        order_id = order.text("id", "order_id", "ID")[1]
        if not order_id:
            raise RowInvalid("id", "", "id is empty; give each order its WooCommerce id.")
    except RowInvalid as exc:
        return Parsed(line, None, problems=(_error(line, pointer, None, exc),))

    packages, problems = _packages(order, order_id, line)
    try:
        payment = _payment(order)
    except RowInvalid as exc:
        return Parsed(line, order_id, problems=(*problems, _error(line, pointer, order_id, exc)))
    if isinstance(payment, str):
        return Parsed(line, order_id, problems=(_skipped(line, pointer, order_id, payment),))
    if not packages:
        if problems:
            first = attrs.evolve(problems[0], rows=1)
            return Parsed(line, order_id, problems=(first, *problems[1:]))
        reason = "has no shipment tracking items, so there is nothing to sync."
        return Parsed(line, order_id, problems=(_skipped(line, pointer, order_id, reason),))
    try:
        recipient_name, ship_to = _shipping(order)
    except RowInvalid as exc:
        return Parsed(line, order_id, problems=(*problems, _error(line, pointer, order_id, exc)))
    row = _WooOrder(payment, tuple(packages), recipient_name, ship_to)
    return Parsed(line, order_id, row=row, problems=tuple(problems), location=pointer)


def _packages(order: _OrderView, order_id: str, line: int) -> tuple[list[Package], list[RowError]]:
    packages: list[Package] = []
    problems: list[RowError] = []
    found = order.find(_ITEMS_KEY)
    entries: Iterable[tuple[str, object]] = ()
    if found is not None:
        _, pointer, value = found
        try:
            entries = _tracking_items(value, pointer)
        except RowInvalid as exc:
            problems.append(_error(line, pointer, order_id, exc, rows=0))
    else:
        legacy = _legacy_item(order)
        if legacy is not None:
            entries = [legacy]
    for location, entry in entries:
        try:
            packages.append(_package(entry, line, location))
        except RowInvalid as exc:
            number = entry.get("tracking_number") if isinstance(entry, dict) else None
            error = _error(line, location, order_id, exc, rows=0)
            problems.append(attrs.evolve(error, tracking_number=str(number) if number else None))
    return packages, problems


def _tracking_items(value: object, pointer: str) -> list[tuple[str, object]]:
    """Return the tracking items with their JSON Pointers, from a list, dict or text."""
    if isinstance(value, str):
        value = _decode_text(value)
    if isinstance(value, list):
        return [(f"{pointer}/{index}", entry) for index, entry in enumerate(value)]
    if isinstance(value, dict):
        # PHP arrays whose keys are not 0..n-1 come out of json_encode as objects.
        return [(f"{pointer}/{pointer_part(key)}", entry) for key, entry in value.items()]
    raise RowInvalid(
        _ITEMS_KEY, shorten(str(value)), f"{_ITEMS_KEY} is not a list of tracking items."
    )


def _decode_text(text: str) -> object:
    try:
        if looks_serialized(text):
            return unserialize(text)
        return json.loads(text)
    except (PhpFormatError, ValueError) as exc:
        raise RowInvalid(
            _ITEMS_KEY,
            shorten(text),
            f"{_ITEMS_KEY} is neither JSON nor PHP-serialized text ({exc}); export the "
            "meta value as WordPress stores it.",
        ) from None


def _legacy_item(order: _OrderView) -> tuple[str, object] | None:
    found = order.find("_tracking_number")
    if found is None:
        return None
    entry = {
        "tracking_number": found[2],
        "tracking_provider": order.text("_tracking_provider")[1],
        "custom_tracking_provider": order.text("_custom_tracking_provider")[1],
        "custom_tracking_link": order.text("_custom_tracking_link")[1],
        "date_shipped": order.text("_date_shipped")[1],
    }
    return found[1], entry


def _package(entry: object, line: int, location: str) -> Package:
    if not isinstance(entry, dict):
        raise RowInvalid(None, shorten(str(entry)), "the tracking item is not an object.")
    number = text_of(entry.get("tracking_number"), "tracking_number")
    if not number:
        raise RowInvalid(
            "tracking_number", "", "tracking_number is empty; fill it in or remove the item."
        )
    link = text_of(entry.get("custom_tracking_link"), "custom_tracking_link")
    carrier = (
        text_of(entry.get("custom_tracking_provider"), "custom_tracking_provider")
        or text_of(entry.get("tracking_provider"), "tracking_provider")
        or carrier_from_link(link.replace("%1$s", "").replace("%2$s", "").replace("%3$s", ""))
    )
    if not carrier:
        raise RowInvalid(
            "tracking_provider",
            "",
            "tracking_provider and custom_tracking_provider are empty, and there is no "
            "custom_tracking_link to take the carrier from; choose the provider.",
        )
    date = text_of(entry.get("date_shipped"), "date_shipped")
    shipment = make_shipment(
        number,
        carrier,
        shipped_on=parse_date(date, column="date_shipped", timestamps=True),
    )
    return Package(shipment, line, location)


def _payment(order: _OrderView) -> PaymentRef | str:
    """Return the order's payment, or the reason to skip the order."""
    method = order.text("_payment_method", "payment_method")[1]
    provider = _provider(method)
    if provider is None:
        if not method:
            return "has no payment method, so there is no PayPal or Stripe payment to sync."
        return f"was paid with {method}; tracksync syncs PayPal and Stripe payments only."

    id_key, payment_id = order.text("_transaction_id", "transaction_id")
    if provider == STRIPE:
        intent = order.text(_STRIPE_INTENT_KEY)[1]
        if intent.startswith("pi_"):
            id_key, payment_id = _STRIPE_INTENT_KEY, intent
    if not payment_id:
        raise RowInvalid(
            id_key,
            "",
            f"{id_key} is empty; WooCommerce stores the gateway's transaction id there "
            f"when {method} takes the payment, and tracking attaches to that payment.",
        )
    check_payment_id(provider, payment_id, column=id_key)
    if provider == STRIPE and gateway_provider(payment_id) != STRIPE:
        raise RowInvalid(
            id_key,
            payment_id,
            f"{id_key} {payment_id!r} is not a Stripe PaymentIntent (pi_) or Charge (ch_, py_) id.",
        )
    paypal_order_id = order.text(_PAYPAL_ORDER_KEY)[1] if provider == PAYPAL else ""
    try:
        return PaymentRef(
            provider=provider, payment_id=payment_id, paypal_order_id=paypal_order_id or None
        )
    except InvalidInputError as exc:
        raise RowInvalid(id_key, payment_id, str(exc)) from exc


def _provider(method: str) -> str | None:
    lowered = method.lower()
    if lowered.startswith("ppcp") or lowered in _PAYPAL_GATEWAYS:
        return PAYPAL
    if lowered == "stripe" or lowered.startswith("stripe_"):
        return STRIPE
    return None


def _shipping(order: _OrderView) -> tuple[str | None, Address | None]:
    nested = order.find("shipping")
    parts: dict[str, str] = {}
    if nested is not None and isinstance(nested[2], dict):
        shipping = nested[2]
        parts = {part: text_of(shipping.get(part), f"shipping.{part}") for part in _ADDRESS_PARTS}
    else:
        parts = {part: order.text(f"_shipping_{part}")[1] for part in _ADDRESS_PARTS}
    name = f"{parts['first_name']} {parts['last_name']}".strip() or None
    address = make_address(
        line1=parts["address_1"],
        line2=parts["address_2"],
        city=parts["city"],
        state=parts["state"],
        postal_code=parts["postcode"],
        country=parts["country"],
        country_column="shipping country",
    )
    return name, address


def _build(order_id: str, rows: list[Numbered[_WooOrder]]) -> Iterator[StreamItem]:
    packages, conflicts = merge_packages(
        order_id,
        (package for numbered in rows for package in numbered.row.packages),
        conflict_rows=0,
    )
    yield from conflicts
    orders = [numbered.row for numbered in rows]
    names = (order.recipient_name for order in orders if order.recipient_name)
    yield from finish_order(
        order_id,
        payments=[order.payment for order in orders],
        packages=packages,
        recipient_name=next(names, None),
        ship_to=next((order.ship_to for order in orders if order.ship_to), None),
        first_line=rows[0].line,
        rows=len(rows),
        location=rows[0].location,
    )


def _error(
    line: int, location: str, order_id: str | None, exc: RowInvalid, *, rows: int = 1
) -> RowError:
    return RowError(
        line=line,
        location=location,
        order_id=order_id,
        column=exc.column,
        value=exc.value,
        message=f"{place(line, location=location, order_id=order_id)}: {exc.message}",
        rows=rows,
    )


def _skipped(line: int, location: str, order_id: str, reason: str) -> SkippedRow:
    return SkippedRow(
        line=line,
        location=location,
        order_id=order_id,
        message=f"{place(line, location=location, order_id=order_id)}: order {order_id} {reason}",
    )
