"""Apply changes one by one, keeping the rule that ties a cancel to its replacement."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from ._models import PaymentRef
from ._plan import Change, ChangeKind, ChangeResult, Outcome
from .errors import TracksyncError

__all__ = ["apply_in_order"]

logger = logging.getLogger("tracksync")


def apply_in_order(
    apply: Callable[[Change], ChangeResult], changes: Sequence[Change]
) -> list[ChangeResult | TracksyncError]:
    """Apply each change in order and return its result or the error that made it fail.

    When cancelling a tracker fails, the add of the same tracking number on the same
    payment that follows it is skipped, so a replacement never exists beside the tracker
    it was meant to replace.
    """
    outputs: list[ChangeResult | TracksyncError] = []
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
            outputs.append(apply(change))
        except TracksyncError as exc:
            logger.warning("Failed to %s: %s", change, exc)
            if change.kind is ChangeKind.CANCEL:
                failed_cancels.add(key)
            outputs.append(exc)
    return outputs
