"""Turn a stream of rows into a stream of orders, holding one order's rows at a time.

The rows of one order must be adjacent. When an order's id comes back after other orders,
the row is reported with both lines instead of being merged, because merging would mean
holding every order until the end of the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

import attrs

from ._records import OrderRecord, RowError, SkippedRow, StreamItem, place

__all__ = ["Builder", "Numbered", "Parsed", "group_orders", "item_line"]

RowT = TypeVar("RowT")


@attrs.frozen
class Parsed(Generic[RowT]):
    """One input row as a format reads it: its content, or why it cannot be used."""

    line: int
    order_id: str | None
    row: RowT | None = None
    #: Why the row, or a part of it, cannot be used.
    problems: tuple[RowError | SkippedRow, ...] = ()
    location: str | None = None


@attrs.frozen
class Numbered(Generic[RowT]):
    """A row that a format could read, with where it is in the file."""

    line: int
    row: RowT
    location: str | None = None


#: Builds the order from its rows; yields the record and any errors about single rows.
Builder = Callable[[str, list[Numbered[RowT]]], Iterable[StreamItem]]


def item_line(item: StreamItem) -> int:
    """Return the line an item sorts by: a record's first line, or a problem's line."""
    return item.first_line if isinstance(item, OrderRecord) else item.line


@attrs.define
class _Group(Generic[RowT]):
    order_id: str
    first_line: int
    first_location: str | None
    rows: list[Numbered[RowT]] = attrs.field(factory=list)
    problems: list[StreamItem] = attrs.field(factory=list)


def group_orders(
    parsed: Iterable[Parsed[RowT]], build: Builder[RowT], *, sort_by: str
) -> Iterator[StreamItem]:
    """Yield the orders that adjacent rows form, and every problem, in file order.

    ``sort_by`` names the column or field that orders the file, for the message about
    an order whose rows are not adjacent.
    """
    # The first line (and location) of every order already yielded.
    seen: dict[str, tuple[int, str | None]] = {}
    group: _Group[RowT] | None = None
    for item in parsed:
        if item.order_id is not None and (group is None or item.order_id != group.order_id):
            earlier = seen.get(item.order_id)
            if earlier is not None:
                problem = _not_adjacent(item, earlier, sort_by=sort_by)
                if group is None:
                    yield problem
                else:
                    group.problems.append(problem)
                continue
            if group is not None:
                yield from _flush(group, build)
            group = _Group(item.order_id, item.line, item.location)
            seen[item.order_id] = (item.line, item.location)

        if group is None:
            yield from item.problems
        else:
            group.problems.extend(item.problems)
            if item.row is not None:
                group.rows.append(Numbered(item.line, item.row, item.location))
    if group is not None:
        yield from _flush(group, build)


def _flush(group: _Group[RowT], build: Builder[RowT]) -> Iterator[StreamItem]:
    built = list(build(group.order_id, group.rows)) if group.rows else []
    yield from sorted(built + group.problems, key=item_line)


def _not_adjacent(item: Parsed[RowT], earlier: tuple[int, str | None], *, sort_by: str) -> RowError:
    first_line, first_location = earlier
    where = f"line {first_line}" + (f", {first_location}" if first_location else "")
    return RowError(
        line=item.line,
        location=item.location,
        order_id=item.order_id,
        message=(
            f"{place(item.line, location=item.location, order_id=item.order_id)}: order "
            f"{item.order_id} already appeared at {where}, before other orders, so this row "
            f"was not read. Sort the file by {sort_by} so that the rows of each order are "
            "next to each other."
        ),
    )
