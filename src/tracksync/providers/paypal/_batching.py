"""Apply a provider's changes with v1 adds sent in batches and every other change in order."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import httpx

from ..._apply import apply_in_order
from ..._models import PAYPAL, PaymentRef
from ..._plan import Change, ChangeKind, ChangeResult, Outcome
from ...errors import InvalidInputError, TracksyncError
from .._flow import SendOptions, run_flow
from ._apis import V1_BATCH_SIZE
from ._session import PayPalSession
from ._v1_apply import add_batch_flow, prepare_add

__all__ = ["apply_with_batches", "send_v1_adds"]

logger = logging.getLogger("tracksync.paypal")

Output = ChangeResult | TracksyncError


def apply_with_batches(
    changes: Sequence[Change],
    *,
    is_batched: Callable[[Change], bool],
    apply: Callable[[Change], ChangeResult],
    add_batch: Callable[[Sequence[Change]], list[Output]],
) -> list[Output]:
    """Return one output per change, in input order.

    The changes that ``is_batched`` selects go to ``add_batch`` in their plan order. The
    others go first, through :func:`apply_in_order`, so a cancel still precedes the add
    that replaces it. A batched add whose tracking number's cancel failed on the same
    payment is skipped, as :func:`apply_in_order` skips it.
    """
    outputs: list[Output | None] = [None] * len(changes)
    batched = [index for index, change in enumerate(changes) if is_batched(change)]
    batched_set = set(batched)
    in_order = [index for index in range(len(changes)) if index not in batched_set]

    failed_cancels: set[tuple[PaymentRef, str]] = set()
    in_order_outputs = apply_in_order(apply, [changes[index] for index in in_order])
    for index, output in zip(in_order, in_order_outputs, strict=True):
        outputs[index] = output
        change = changes[index]
        if isinstance(output, TracksyncError) and change.kind is ChangeKind.CANCEL:
            failed_cancels.add((change.payment, change.shipment.tracking_number))

    to_send = []
    for index in batched:
        change = changes[index]
        number = change.shipment.tracking_number
        if (change.payment, number) in failed_cancels:
            outputs[index] = ChangeResult(
                outcome=Outcome.SKIPPED,
                note=(
                    f"Not added, because cancelling the old tracker {number} failed; run "
                    "again to retry."
                ),
            )
        else:
            to_send.append(index)
    sent_outputs = add_batch([changes[index] for index in to_send])
    for index, output in zip(to_send, sent_outputs, strict=True):
        outputs[index] = output

    assert all(output is not None for output in outputs), "every change has an output"
    return [output for output in outputs if output is not None]


def send_v1_adds(
    client: httpx.Client,
    session: PayPalSession,
    changes: Sequence[Change],
    *,
    options: SendOptions | None = None,
) -> list[Output]:
    """Add the changes' trackers through the v1 API, up to 20 per request in input order.

    A change that cannot be sent gets its InvalidInputError, and a request that fails as a
    whole gives its error to every change it carried. Returns one output per change.
    """
    outputs: list[Output | None] = [None] * len(changes)
    prepared = []
    for index, change in enumerate(changes):
        try:
            prepared.append((index, prepare_add(change)))
        except InvalidInputError as exc:
            outputs[index] = exc

    for start in range(0, len(prepared), V1_BATCH_SIZE):
        chunk = prepared[start : start + V1_BATCH_SIZE]
        flow = add_batch_flow(session, [entry for _, entry in chunk])
        try:
            results: Sequence[Output] = run_flow(client, flow, provider=PAYPAL, options=options)
        except TracksyncError as exc:
            results = [exc] * len(chunk)
        for (index, _), result in zip(chunk, results, strict=True):
            outputs[index] = result

    for change, output in zip(changes, outputs, strict=True):
        if isinstance(output, TracksyncError):
            logger.warning("Failed to %s: %s", change, output)
    return [output for output in outputs if output is not None]
