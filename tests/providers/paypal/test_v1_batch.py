"""POST /v1/shipping/trackers-batch: the request, and tying each response entry to its tracker."""

from __future__ import annotations

import json
from typing import Any

import pytest

from providers.paypal.paypal_support import BASE_URL, CAPTURE_ID, TOKEN, load_golden, respond
from tracksync import ChangeResult, Outcome
from tracksync.errors import PayPalError
from tracksync.providers.paypal._v1_batch import BatchItem, build_add_trackers, parse_added_trackers

OTHER_CAPTURE = "3C679366HH908993F"
GOLDEN_ITEMS = [
    BatchItem(CAPTURE_ID, "443844607820"),
    BatchItem(CAPTURE_ID, "JD014600006281230000"),
    BatchItem(CAPTURE_ID, "15501234567890"),
]


def item(index: int, transaction_id: str = CAPTURE_ID) -> BatchItem:
    return BatchItem(transaction_id, f"TN{index:04d}")


def identifier(entry: BatchItem) -> dict[str, str]:
    return {"transaction_id": entry.transaction_id, "tracking_number": entry.tracking_number}


def error(field: str | None, value: str | None, description: str = "Invalid.") -> dict[str, Any]:
    detail: dict[str, Any] = {"issue": "INVALID_TRACKING_NUMBER", "description": description}
    if field is not None:
        detail["field"] = field
    if value is not None:
        detail["value"] = value
    return {"name": "INVALID_REQUEST", "message": "Request is invalid.", "details": [detail]}


def outcomes(results: list[ChangeResult | PayPalError]) -> list[str]:
    return [
        result.outcome.value if isinstance(result, ChangeResult) else "failed" for result in results
    ]


# The request


def test_request_url_and_body() -> None:
    trackers = load_golden("request_v1_batch.json")["trackers"]
    request = build_add_trackers(BASE_URL, trackers, token=TOKEN)
    assert (request.method, str(request.url)) == ("POST", f"{BASE_URL}/v1/shipping/trackers-batch")
    assert json.loads(request.content) == load_golden("request_v1_batch.json")


# The golden partial response


def test_golden_partial_outcomes() -> None:
    results = parse_added_trackers(
        respond(200, load_golden("response_v1_batch_partial.json")), GOLDEN_ITEMS
    )
    assert outcomes(results) == ["added", "failed", "added"]


def test_golden_added_tracker_id() -> None:
    results = parse_added_trackers(
        respond(200, load_golden("response_v1_batch_partial.json")), GOLDEN_ITEMS
    )
    assert results[0] == ChangeResult(
        outcome=Outcome.ADDED, tracker_id=f"{CAPTURE_ID}-443844607820"
    )


def test_golden_item_error() -> None:
    results = parse_added_trackers(
        respond(200, load_golden("response_v1_batch_partial.json")), GOLDEN_ITEMS
    )
    failure = results[1]
    assert isinstance(failure, PayPalError)
    assert failure.issues == ("INVALID_TRACKING_NUMBER",)
    assert failure.debug_id == "6f3a1c9d2e4b7"
    assert failure.message.startswith(
        f"PayPal rejected tracker JD014600006281230000 for capture {CAPTURE_ID}:"
    )


# Matching errors to trackers


@pytest.mark.parametrize("base", [0, 1])
def test_error_pointer_either_base(base: int) -> None:
    items = [item(index) for index in range(5)]
    body = {
        "tracker_identifiers": [identifier(items[i]) for i in (0, 1, 3)],
        "errors": [
            error(f"/trackers/{2 + base}/tracking_number", items[2].tracking_number),
            error(f"/trackers/{4 + base}/tracking_number", items[4].tracking_number),
        ],
    }
    results = parse_added_trackers(respond(200, body), items)
    assert outcomes(results) == ["added", "added", "failed", "added", "failed"]
    assert isinstance(results[2], PayPalError)
    assert "TN0002" in results[2].message


@pytest.mark.parametrize("base", [0, 1])
def test_neighbour_not_blamed(base: int) -> None:
    # Index 3 read 1-based is item 2, read 0-based item 3: the value picks item 3 only.
    items = [item(index) for index in range(5)]
    body = {
        "tracker_identifiers": [identifier(items[i]) for i in (0, 1, 2, 4)],
        "errors": [error(f"/trackers/{3 + base}/tracking_number", items[3].tracking_number)],
    }
    assert outcomes(parse_added_trackers(respond(200, body), items)) == [
        "added",
        "added",
        "added",
        "failed",
        "added",
    ]


def test_error_named_in_description() -> None:
    items = [item(0), item(1)]
    description = "Tracking number TN0001 is already used."
    body = {
        "tracker_identifiers": [identifier(items[0])],
        "errors": [error("/trackers/1/tracking_number", None, description)],
    }
    assert outcomes(parse_added_trackers(respond(200, body), items)) == ["added", "failed"]


def test_error_by_transaction_id() -> None:
    items = [item(0), item(1, OTHER_CAPTURE)]
    body = {
        "tracker_identifiers": [identifier(items[0])],
        "errors": [error("/trackers/1/transaction_id", OTHER_CAPTURE)],
    }
    assert outcomes(parse_added_trackers(respond(200, body), items)) == ["added", "failed"]


def test_error_without_pointer() -> None:
    items = [item(index) for index in range(3)]
    body = {
        "tracker_identifiers": [identifier(items[0]), identifier(items[2])],
        "errors": [error(None, items[1].tracking_number)],
    }
    assert outcomes(parse_added_trackers(respond(200, body), items)) == ["added", "failed", "added"]


def test_error_never_matched_by_position_alone() -> None:
    # The third-party sample: a pointer and a description, but no value naming the tracker.
    items = [item(0)]
    body = {
        "tracker_identifiers": [],
        "errors": [
            error("/trackers/1/transaction_id", None, "The PayPal transaction id is invalid")
        ],
    }
    [result] = parse_added_trackers(respond(200, body), items)
    assert isinstance(result, PayPalError)
    assert result.message.startswith(
        f"PayPal did not confirm tracker TN0000 for capture {CAPTURE_ID}"
    )
    assert "The PayPal transaction id is invalid" in result.message


def test_shared_transaction_id_is_ambiguous() -> None:
    # Both candidates of the pointer share the transaction id the error names.
    items = [item(0), item(1)]
    body = {"errors": [error("/trackers/1/transaction_id", CAPTURE_ID)]}
    results = parse_added_trackers(respond(200, body), items)
    assert outcomes(results) == ["failed", "failed"]
    assert all("did not confirm" in str(result) for result in results)


def test_tracking_number_beats_transaction_id() -> None:
    items = [item(0), item(1)]
    body = {
        "tracker_identifiers": [identifier(items[0])],
        "errors": [
            {
                "name": "INVALID_REQUEST",
                "message": "Invalid.",
                "details": [
                    {"field": "/trackers/1/transaction_id", "value": CAPTURE_ID, "issue": "X"},
                    {"field": "/trackers/1/tracking_number", "value": "TN0001", "issue": "Y"},
                ],
            }
        ],
    }
    assert outcomes(parse_added_trackers(respond(200, body), items)) == ["added", "failed"]


# Unconfirmed trackers


def test_unconfirmed_item_fails() -> None:
    items = [item(0), item(1)]
    body = {"tracker_identifiers": [identifier(items[0])]}
    results = parse_added_trackers(respond(200, body), items)
    assert outcomes(results) == ["added", "failed"]
    assert "whether PayPal stored it is unknown" in str(results[1])


def test_empty_response_confirms_nothing() -> None:
    assert outcomes(parse_added_trackers(respond(200), [item(0)])) == ["failed"]


def test_identifier_without_number_confirms_nothing() -> None:
    body = {"tracker_identifiers": [{"transaction_id": CAPTURE_ID}]}
    assert outcomes(parse_added_trackers(respond(200, body), [item(0)])) == ["failed"]


def test_identifier_of_other_capture_confirms_nothing() -> None:
    body = {"tracker_identifiers": [identifier(item(0, OTHER_CAPTURE))]}
    assert outcomes(parse_added_trackers(respond(200, body), [item(0)])) == ["failed"]


def test_identifier_number_case_ignored() -> None:
    entry = BatchItem(CAPTURE_ID, "jd0146")
    body = {"tracker_identifiers": [{"transaction_id": CAPTURE_ID, "tracking_number": "JD0146"}]}
    assert outcomes(parse_added_trackers(respond(200, body), [entry])) == ["added"]


def test_duplicate_items_each_need_identifier() -> None:
    items = [item(0), item(0)]
    body = {"tracker_identifiers": [identifier(items[0])]}
    assert outcomes(parse_added_trackers(respond(200, body), items)) == ["added", "failed"]


# Whole-request errors


def test_whole_request_error_raises() -> None:
    with pytest.raises(PayPalError) as caught:
        parse_added_trackers(respond(400, load_golden("error_400.json")), [item(0)])
    assert caught.value.status == 400
