"""Payments v2 reads: the requests, capture states and resolving an authorization."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from providers.paypal.paypal_support import (
    AUTHORIZATION_ID,
    BASE_URL,
    CAPTURE_ID,
    ORDER_ID,
    REFUND_ID,
    TOKEN,
    load_golden,
    make_payment,
    respond,
)
from tracksync import PaymentRef, PaymentState, RemotePayment
from tracksync.errors import PayPalError
from tracksync.providers.paypal import V1_CAPABILITIES
from tracksync.providers.paypal._http import link_target
from tracksync.providers.paypal._payments import (
    CAPTURES_PATH,
    authorization_capture,
    build_get_authorization,
    build_get_capture,
    build_get_refund,
    capture_state,
    not_found,
    read_object,
    related_order_id,
)

FIRST_CAPTURE, SECOND_CAPTURE = "2GG279541U471931P", "7TK53561YB803214S"


def v1_payment(payment_id: str = CAPTURE_ID) -> PaymentRef:
    return make_payment(payment_id, order_id=None)


def captured_order(*statuses: str) -> dict[str, Any]:
    """The authorized order with its two captures set to ``statuses``."""
    order: dict[str, Any] = copy.deepcopy(load_golden("order_authorized_captured.json"))
    captures = order["purchase_units"][0]["payments"]["captures"]
    for capture, status in zip(captures, statuses, strict=True):
        capture["status"] = status
    return order


# Requests


@pytest.mark.parametrize(
    ("build", "object_id", "path"),
    [
        (build_get_capture, CAPTURE_ID, f"/v2/payments/captures/{CAPTURE_ID}"),
        (build_get_refund, REFUND_ID, f"/v2/payments/refunds/{REFUND_ID}"),
        (
            build_get_authorization,
            AUTHORIZATION_ID,
            f"/v2/payments/authorizations/{AUTHORIZATION_ID}",
        ),
    ],
)
def test_get_request(build: Any, object_id: str, path: str) -> None:
    request = build(BASE_URL, object_id, token=TOKEN)
    assert (request.method, str(request.url), request.content) == ("GET", BASE_URL + path, b"")


def test_get_request_quotes_id() -> None:
    request = build_get_capture(BASE_URL, "A/B", token=TOKEN)
    assert request.url.raw_path.decode() == "/v2/payments/captures/A%2FB"


# Reading the responses


def test_read_object_returns_body() -> None:
    body = load_golden("capture_completed.json")
    assert read_object(respond(200, body), "Reading") == body


def test_read_object_raises_on_error() -> None:
    with pytest.raises(PayPalError) as caught:
        read_object(respond(500, load_golden("error_404_payment.json")), "Reading X")
    assert caught.value.status == 500


def test_read_object_rejects_array() -> None:
    with pytest.raises(PayPalError) as caught:
        read_object(respond(200, [1, 2]), "Reading X")
    assert "not a JSON object" in caught.value.message


def test_related_order_id() -> None:
    assert related_order_id(load_golden("capture_completed.json")) == ORDER_ID


def test_related_order_id_missing() -> None:
    assert related_order_id({"id": CAPTURE_ID}) is None


def test_refund_links_up_to_capture() -> None:
    assert link_target(load_golden("refund.json"), "up", CAPTURES_PATH) == CAPTURE_ID


def test_capture_link_up_is_no_capture() -> None:
    assert link_target(load_golden("capture_completed.json"), "up", CAPTURES_PATH) is None


def test_not_found_message() -> None:
    remote = not_found(v1_payment())
    assert remote.state == PaymentState.NOT_FOUND
    assert f"no capture, refund or authorization with id {CAPTURE_ID}" in (remote.message or "")


# capture_state


@pytest.mark.parametrize("status", ["COMPLETED", "PARTIALLY_REFUNDED"])
def test_usable_capture_ready(status: str) -> None:
    capture = dict(load_golden("capture_completed.json"), status=status)
    expected = RemotePayment(
        payment=v1_payment(),
        state=PaymentState.READY,
        target_id=CAPTURE_ID,
        capabilities=V1_CAPABILITIES,
    )
    assert capture_state(v1_payment(), capture, capture_id=CAPTURE_ID) == expected


def test_pending_capture_waits() -> None:
    remote = capture_state(v1_payment(), load_golden("capture_pending.json"), capture_id=CAPTURE_ID)
    assert (remote.state, remote.target_id) == (PaymentState.WAITING_FOR_CAPTURE, CAPTURE_ID)
    assert "is PENDING (reason PENDING_REVIEW)" in (remote.message or "")
    assert "kept for the next run" in (remote.message or "")


@pytest.mark.parametrize("status", ["REFUNDED", "DECLINED", "FAILED", "NEW_STATUS"])
def test_other_capture_unusable(status: str) -> None:
    capture = dict(load_golden("capture_completed.json"), status=status)
    remote = capture_state(v1_payment(), capture, capture_id=CAPTURE_ID)
    assert remote.state == PaymentState.UNUSABLE
    assert f"PayPal capture {CAPTURE_ID} is {status}" in (remote.message or "")


def test_found_sentence_starts_message() -> None:
    found = "R is a refund. "
    remote = capture_state(
        v1_payment(), load_golden("capture_completed.json"), capture_id=CAPTURE_ID, found=found
    )
    assert remote.message == "R is a refund."


# authorization_capture


def test_authorization_one_completed_capture() -> None:
    order = captured_order("COMPLETED", "REFUNDED")
    capture = authorization_capture(
        v1_payment(AUTHORIZATION_ID), load_golden("authorization.json"), order
    )
    assert not isinstance(capture, RemotePayment)
    assert capture["id"] == FIRST_CAPTURE


def test_authorization_several_completed_captures() -> None:
    order = captured_order("COMPLETED", "COMPLETED")
    remote = authorization_capture(
        v1_payment(AUTHORIZATION_ID), load_golden("authorization.json"), order
    )
    assert isinstance(remote, RemotePayment)
    assert remote.state == PaymentState.UNUSABLE
    assert f"({FIRST_CAPTURE}, {SECOND_CAPTURE})" in (remote.message or "")


def test_authorization_without_capture_waits() -> None:
    remote = authorization_capture(
        v1_payment(AUTHORIZATION_ID),
        dict(load_golden("authorization.json"), status="CREATED"),
        load_golden("order_authorized.json"),
    )
    assert isinstance(remote, RemotePayment)
    assert remote.state == PaymentState.WAITING_FOR_CAPTURE


def test_authorization_pending_capture_waits() -> None:
    order = captured_order("PENDING", "DECLINED")
    remote = authorization_capture(
        v1_payment(AUTHORIZATION_ID), load_golden("authorization.json"), order
    )
    assert isinstance(remote, RemotePayment)
    assert remote.state == PaymentState.WAITING_FOR_CAPTURE


def test_captured_authorization_with_refunds_unusable() -> None:
    order = captured_order("REFUNDED", "REFUNDED")
    authorization = dict(load_golden("authorization.json"), status="CAPTURED")
    remote = authorization_capture(v1_payment(AUTHORIZATION_ID), authorization, order)
    assert isinstance(remote, RemotePayment)
    assert remote.state == PaymentState.UNUSABLE


@pytest.mark.parametrize("status", ["VOIDED", "DENIED", "EXPIRED"])
def test_closed_authorization_unusable(status: str) -> None:
    authorization = dict(load_golden("authorization.json"), status=status)
    remote = authorization_capture(v1_payment(AUTHORIZATION_ID), authorization, None)
    assert isinstance(remote, RemotePayment)
    assert remote.state == PaymentState.UNUSABLE


def test_authorization_without_order_names_id_and_fix() -> None:
    authorization = load_golden("authorization.json")
    del authorization["supplementary_data"]
    remote = authorization_capture(v1_payment(AUTHORIZATION_ID), authorization, None)
    assert isinstance(remote, RemotePayment)
    message = remote.message or ""
    assert remote.state == PaymentState.UNUSABLE
    assert message.startswith(f"{AUTHORIZATION_ID} is a PayPal authorization, not a capture")
    assert "put the capture id in the payment_id column" in message


def test_captures_of_other_authorizations_ignored() -> None:
    order = captured_order("COMPLETED", "COMPLETED")
    capture = order["purchase_units"][0]["payments"]["captures"][1]
    capture["links"][2]["href"] = f"{BASE_URL}/v2/payments/authorizations/9XX00000000000000"
    chosen = authorization_capture(
        v1_payment(AUTHORIZATION_ID), load_golden("authorization.json"), order
    )
    assert not isinstance(chosen, RemotePayment)
    assert chosen["id"] == FIRST_CAPTURE
