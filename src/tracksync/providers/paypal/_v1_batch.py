"""Add trackers with ``POST /v1/shipping/trackers-batch`` and read each tracker's outcome.

PayPal responds with 200 even when some trackers fail. A tracker counts as added only when
the response's ``tracker_identifiers`` lists its transaction id and tracking number. Each entry
of ``errors`` is tied to the one tracker whose transaction id or tracking number it names.
Its ``field`` pointer (``/trackers/N/...``) only narrows the candidates, because PayPal
has been seen counting N from 1 as well as from 0. A tracker that is neither listed nor
named by an error fails: whether PayPal stored it is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import httpx

from ..._plan import ChangeResult, Outcome
from ...errors import PayPalError
from ._errors import parse_details, parse_error
from ._http import api_request, json_objects, json_text, read_json
from ._trackers import tracker_id_for

__all__ = ["BATCH_PATH", "BatchItem", "build_add_trackers", "parse_added_trackers"]

BATCH_PATH = "/v1/shipping/trackers-batch"

_TRACKER_POINTER = re.compile(r"^/trackers/(\d+)(?:/|$)")


@attrs.frozen
class BatchItem:
    """The transaction id and tracking number of one tracker in a batch request."""

    transaction_id: str
    tracking_number: str


def build_add_trackers(
    base_url: str, trackers: Sequence[Mapping[str, Any]], *, token: str
) -> httpx.Request:
    """Build ``POST /v1/shipping/trackers-batch`` with the trackers, in the order given."""
    body = {"trackers": [dict(tracker) for tracker in trackers]}
    return api_request("POST", base_url, BATCH_PATH, token=token, body=body)


def parse_added_trackers(
    response: httpx.Response, items: Sequence[BatchItem]
) -> list[ChangeResult | PayPalError]:
    """Return each item's outcome, in the order of ``items``.

    Raises:
        PayPalError: PayPal rejected the whole request.
    """
    if not response.is_success:
        raise parse_error(response, f"Adding {len(items)} trackers through PayPal's v1 API")

    body = read_json(response)
    if not isinstance(body, Mapping):
        body = {}
    outcomes: list[ChangeResult | PayPalError | None] = [None] * len(items)

    for identifier in json_objects(body.get("tracker_identifiers")):
        index = _find_identified(identifier, items, outcomes)
        if index is not None:
            number = json_text(identifier.get("tracking_number")) or items[index].tracking_number
            tracker_id = tracker_id_for(items[index].transaction_id, number)
            outcomes[index] = ChangeResult(outcome=Outcome.ADDED, tracker_id=tracker_id)

    unmatched: list[str] = []
    for error in json_objects(body.get("errors")):
        index = _find_named(error, items, outcomes)
        if index is None:
            unmatched.append(_summary(error))
        else:
            outcomes[index] = _item_error(error, items[index], response)

    return [
        outcome if outcome is not None else _unconfirmed(item, unmatched, response)
        for item, outcome in zip(items, outcomes, strict=True)
    ]


def _find_identified(
    identifier: Mapping[str, Any],
    items: Sequence[BatchItem],
    outcomes: Sequence[object],
) -> int | None:
    """Return the first open item with the identifier's transaction id and tracking number."""
    transaction_id = json_text(identifier.get("transaction_id"))
    number = json_text(identifier.get("tracking_number"))
    if transaction_id is None or number is None:
        return None
    for index, item in enumerate(items):
        if outcomes[index] is not None or item.transaction_id != transaction_id:
            continue
        if item.tracking_number.casefold() == number.casefold():
            return index
    return None


def _find_named(
    error: Mapping[str, Any], items: Sequence[BatchItem], outcomes: Sequence[object]
) -> int | None:
    """Return the one open item the error names, or None when none or several fit.

    A tracking number that the error names counts more than a transaction id, which
    several trackers in a batch may share.
    """
    details = parse_details(error.get("details"))
    positions: set[int] = set()
    for detail in details:
        match = _TRACKER_POINTER.match(detail.field or "")
        if match:
            number = int(match.group(1))
            positions.update({number, number - 1})

    values = [detail.value for detail in details if detail.value]
    texts = [detail.description for detail in details if detail.description]
    texts.extend(text for text in [json_text(error.get("message"))] if text)

    scores: dict[int, int] = {}
    for index, item in enumerate(items):
        if outcomes[index] is not None or (positions and index not in positions):
            continue
        score = 2 * _names(item.tracking_number, values, texts)
        score += _names(item.transaction_id, values, texts)
        if score:
            scores[index] = score
    if not scores:
        return None
    best = max(scores.values())
    winners = [index for index, score in scores.items() if score == best]
    return winners[0] if len(winners) == 1 else None


def _names(value: str, values: Sequence[str], texts: Sequence[str]) -> bool:
    """Return whether the error gives ``value`` as a field value or as a word in its text."""
    if any(candidate.casefold() == value.casefold() for candidate in values):
        return True
    word = re.compile(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", re.IGNORECASE)
    return any(word.search(text) for text in texts)


def _item_error(error: Mapping[str, Any], item: BatchItem, response: httpx.Response) -> PayPalError:
    summary = json_text(error.get("message")) or "no message"
    return PayPalError(
        f"PayPal rejected tracker {item.tracking_number} for capture {item.transaction_id}: "
        f"{summary.rstrip('.')}.",
        status=response.status_code,
        name=json_text(error.get("name")),
        details=parse_details(error.get("details")),
        debug_id=json_text(error.get("debug_id")) or response.headers.get("PayPal-Debug-Id"),
    )


def _unconfirmed(
    item: BatchItem, unmatched: Sequence[str], response: httpx.Response
) -> PayPalError:
    message = (
        f"PayPal did not confirm tracker {item.tracking_number} for capture "
        f"{item.transaction_id}: its response to the batch request lists neither the tracker "
        "nor an error for it, so whether PayPal stored it is unknown. The next run reads the "
        "capture's trackers and adds it again if it is missing."
    )
    if unmatched:
        message += (
            " PayPal reported errors that name no single tracker of the batch: "
            f"{'; '.join(unmatched)}."
        )
    return PayPalError(
        message, status=response.status_code, debug_id=response.headers.get("PayPal-Debug-Id")
    )


def _summary(error: Mapping[str, Any]) -> str:
    """Describe an error entry in one line: its message and each detail."""
    parts = [json_text(error.get("message")) or json_text(error.get("name")) or "an error"]
    parts.extend(str(detail) for detail in parse_details(error.get("details")))
    return ", ".join(part.rstrip(".") for part in parts)
