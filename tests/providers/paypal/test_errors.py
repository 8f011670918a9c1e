"""Reading PayPal's error bodies into PayPalError."""

from __future__ import annotations

from providers.paypal.paypal_support import load_golden, respond
from tracksync.errors import PayPalErrorDetail
from tracksync.providers.paypal._errors import parse_details, parse_error

ACTION = "Adding tracker 443844607820 to capture 8MC585209K746392H of PayPal order X"


def test_400_fields() -> None:
    error = parse_error(respond(400, load_golden("error_400.json")), ACTION)
    assert (error.status, error.name, error.debug_id) == (400, "INVALID_REQUEST", "b1d1f06c7246c")


def test_400_details() -> None:
    error = parse_error(respond(400, load_golden("error_400.json")), ACTION)
    expected = (
        PayPalErrorDetail(
            issue="INVALID_STRING_LENGTH",
            field="/tracking_number",
            value=None,
            location="body",
            description="The value of a field is either too short or too long.",
        ),
    )
    assert error.details == expected


def test_message_starts_with_action() -> None:
    error = parse_error(respond(400, load_golden("error_400.json")), ACTION)
    assert f"{ACTION} failed: Request is not well-formed" in error.message


def test_str_shows_every_fact() -> None:
    text = str(parse_error(respond(422, load_golden("error_422.json")), ACTION))
    assert "HTTP 422" in text
    assert "UNPROCESSABLE_ENTITY" in text
    assert "CAPTURE_STATUS_NOT_VALID" in text
    assert "/capture_id" in text
    assert "debug_id 90957fca61718" in text


def test_422_code_is_first_issue() -> None:
    error = parse_error(respond(422, load_golden("error_422.json")), ACTION)
    assert error.code == "CAPTURE_STATUS_NOT_VALID"


def test_known_issue_adds_hint() -> None:
    error = parse_error(respond(422, load_golden("error_422.json")), ACTION)
    assert "only on COMPLETED captures" in error.message


def test_404_issue() -> None:
    error = parse_error(respond(404, load_golden("error_404.json")), ACTION)
    assert error.issues == ("INVALID_RESOURCE_ID",)


def test_body_not_json() -> None:
    error = parse_error(respond(502, "<html>Bad Gateway</html>"), ACTION)
    assert (error.status, error.name) == (502, None)
    assert "not a JSON error object" in error.message


def test_debug_id_from_header() -> None:
    response = respond(500, "oops", **{"PayPal-Debug-Id": "7f1d3c2b9a"})
    assert parse_error(response, ACTION).debug_id == "7f1d3c2b9a"


def test_body_debug_id_wins_over_header() -> None:
    response = respond(422, load_golden("error_422.json"), **{"PayPal-Debug-Id": "other"})
    assert parse_error(response, ACTION).debug_id == "90957fca61718"


def test_empty_body_uses_reason_phrase() -> None:
    error = parse_error(respond(500, {}), ACTION)
    assert error.message == f"{ACTION} failed: Internal Server Error."


def test_details_without_issue_skipped() -> None:
    details = parse_details([{"field": "/x"}, "text", {"issue": "MISSING_REQUIRED_PARAMETER"}])
    assert details == [PayPalErrorDetail(issue="MISSING_REQUIRED_PARAMETER")]


def test_detail_scalar_values_as_text() -> None:
    details = parse_details([{"issue": "INVALID_PARAMETER_VALUE", "value": 12}])
    assert details[0].value == "12"
