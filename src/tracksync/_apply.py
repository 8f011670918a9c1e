"""Apply changes one by one, keeping the rule that ties a cancel to its replacement."""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Sequence
from typing import NoReturn, TypeVar

from ._models import PaymentRef
from ._plan import Change, ChangeKind, ChangeResult, Outcome
from .errors import TracksyncError

__all__ = ["apply_in_order", "apply_in_order_flow"]

logger = logging.getLogger("tracksync")

_Request = TypeVar("_Request")
_Response = TypeVar("_Response")
_Output = ChangeResult | TracksyncError


def apply_in_order(
    apply: Callable[[Change], ChangeResult], changes: Sequence[Change]
) -> list[_Output]:
    """Apply each change in order and return its result or the error that made it fail.

    When cancelling a tracker fails, the add of the same tracking number on the same
    payment that follows it is skipped, so a replacement never exists beside the tracker
    it was meant to replace.
    """

    def apply_now(change: Change) -> Generator[NoReturn, object, ChangeResult]:
        return apply(change)
        yield  # Makes this a generator that sends nothing; never reached.

    flow = apply_in_order_flow(apply_now, changes)
    try:
        next(flow)
    except StopIteration as stop:
        outputs: list[_Output] = stop.value
        return outputs
    raise AssertionError("apply_in_order_flow yielded, though no change sends anything")


def apply_in_order_flow(
    apply: Callable[[Change], Generator[_Request, _Response, ChangeResult]],
    changes: Sequence[Change],
) -> Generator[_Request, _Response, list[_Output]]:
    """Do what :func:`apply_in_order` does, with ``apply`` as a flow of requests."""
    outputs: list[_Output] = []
    failed_cancels: set[tuple[PaymentRef, str]] = set()
    for change in changes:
        key = (change.payment, change.shipment.tracking_number)
        if change.kind is ChangeKind.ADD and key in failed_cancels:
            outputs.append(
                ChangeResult(
                    outcome=Outcome.SKIPPED,
                    note=(
                        f"Not added, because cancelling the old tracker "
                        f"{change.shipment.tracking_number} failed; run again to retry."
                    ),
                )
            )
            continue
        try:
            outputs.append((yield from apply(change)))
        except TracksyncError as exc:
            logger.warning("Failed to %s: %s", change, exc)
            if change.kind is ChangeKind.CANCEL:
                failed_cancels.add(key)
            outputs.append(exc)
    return outputs
