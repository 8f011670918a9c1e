"""Split a batch of PayPal changes into units: v1 adds 20 per request, other changes in order.

New trackers on v1 payments go out in ``POST /v1/shipping/trackers-batch`` requests of up to
20, each request one unit. Every other change joins the unit of its capture, which applies
that capture's changes one by one in plan order. So a cancel still precedes the add that
replaces it, and the add is skipped when the cancel fails. A v1 add of a tracking number
that an earlier change of the batch touches on the same payment joins the capture's unit
too, so that the skip rule holds for it as well.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from ..._apply import apply_in_order_flow
from ..._models import PaymentRef
from ..._plan import Change, ChangeResult
from ...errors import InvalidInputError, TracksyncError
from .._flow import Flow
from .._units import Batch, Output
from ._apis import V1_BATCH_SIZE
from ._session import PayPalSession
from ._v1_apply import add_batch_flow, prepare_add
from ._v1_batch import BatchItem

__all__ = ["add_batch_unit_flow", "plan_batch"]

logger = logging.getLogger("tracksync.paypal")

_PreparedAdd = tuple[BatchItem, dict[str, Any]]


def plan_batch(
    changes: Sequence[Change],
    session: PayPalSession,
    *,
    is_v1_add: Callable[[Change], bool],
    apply: Callable[[Change], Flow[ChangeResult]],
) -> Batch:
    """Split the changes into independent units, as the module docstring describes.

    ``changes`` carry their carriers as PayPal stores them. ``apply`` is the flow of one
    change. A v1 add that cannot be sent gets its InvalidInputError without a unit.
    """
    batch = Batch(len(changes))
    in_order: dict[str, list[int]] = {}
    in_order_trackers: set[tuple[PaymentRef, str]] = set()
    to_send: list[tuple[int, _PreparedAdd]] = []
    for index, change in enumerate(changes):
        tracker = (change.payment, change.shipment.tracking_number)
        if is_v1_add(change) and tracker not in in_order_trackers:
            try:
                to_send.append((index, prepare_add(change)))
            except InvalidInputError as exc:
                logger.warning("Failed to %s: %s", change, exc)
                batch.decide(index, exc)
            continue
        in_order_trackers.add(tracker)
        capture = change.target_id or change.payment.payment_id
        in_order.setdefault(capture, []).append(index)

    for indexes in in_order.values():
        batch.add_unit(indexes, apply_in_order_flow(apply, [changes[index] for index in indexes]))
    for start in range(0, len(to_send), V1_BATCH_SIZE):
        chunk = to_send[start : start + V1_BATCH_SIZE]
        flow = add_batch_unit_flow(
            session,
            [changes[index] for index, _ in chunk],
            [prepared for _, prepared in chunk],
        )
        batch.add_unit([index for index, _ in chunk], flow)
    return batch


def add_batch_unit_flow(
    session: PayPalSession, changes: Sequence[Change], prepared: Sequence[_PreparedAdd]
) -> Flow[list[Output]]:
    """Add up to 20 prepared trackers in one request and return one output per change.

    A request that fails as a whole gives its error to every change it carried. Once the
    account has stopped, every change gets that AccountError and nothing is sent.
    """
    if session.account_error is not None:
        return [session.account_error] * len(changes)
    results: Sequence[Output]
    try:
        results = yield from add_batch_flow(session, prepared)
    except TracksyncError as exc:
        results = [exc] * len(changes)
    for change, output in zip(changes, results, strict=True):
        if isinstance(output, TracksyncError):
            logger.warning("Failed to %s: %s", change, output)
    return list(results)
