"""StripeProvider.apply_batch: one read and at most one write per payment, with golden requests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpx import HTTPXMock

from providers.stripe.stripe_support import (
    BASE,
    CHARGE_URL,
    DHL,
    KEY,
    OWN_CHARGE,
    OWN_CHARGE_URL,
    PI_READ_URL,
    PI_URL,
    SESSION,
    SESSION_URL,
    SHOP_ADDRESS,
    UPS,
    USPS,
    assert_golden_request,
    change,
    charge,
    golden,
    intent,
    posted,
    sent_form,
)
from tracksync import (
    ChangeKind,
    ChangeResult,
    InvalidInputError,
    Outcome,
    ShipmentStatus,
    StripeError,
)
from tracksync.providers.stripe import StripeProvider
from tracksync.providers.stripe._metadata import metadata_key

THREE = golden("payment_intent_three_packages.json")


@pytest.fixture
def provider() -> Iterator[StripeProvider]:
    with StripeProvider(KEY, base_url=BASE) as stripe:
        yield stripe


# Several packages, one write.


def test_three_packages_one_write(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())

    outputs = provider.apply_batch(
        [
            change(ChangeKind.ADD, UPS, "UPS", status=ShipmentStatus.DELIVERED),
            change(ChangeKind.ADD, DHL, "DHL Express"),
            change(ChangeKind.ADD, USPS, "USPS"),
        ]
    )

    assert [ChangeResult(outcome=Outcome.ADDED)] * 3 == outputs
    assert 2 == len(httpx_mock.get_requests())
    assert_golden_request("request_three_packages.json", posted(httpx_mock)[0])


def test_outputs_in_input_order(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent(UPS, "UPS"))
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())
    httpx_mock.add_response(method="GET", url=OWN_CHARGE_URL, json=charge(own=True))
    httpx_mock.add_response(method="POST", url=OWN_CHARGE_URL, json=charge(own=True))

    outputs = provider.apply_batch(
        [
            change(ChangeKind.ADD, UPS, "UPS"),
            change(ChangeKind.ADD, USPS, "USPS", payment_id=OWN_CHARGE),
            change(ChangeKind.ADD, DHL, "DHL Express"),
        ]
    )

    notes = [output.note for output in outputs if isinstance(output, ChangeResult)]
    outcomes = [output.outcome for output in outputs if isinstance(output, ChangeResult)]
    assert [Outcome.UPDATED, Outcome.ADDED, Outcome.ADDED] == outcomes
    assert notes[0] is not None
    assert "already had tracking number" in notes[0]
    assert 2 == len(posted(httpx_mock))
    assert f"{UPS}, {DHL}" == sent_form(posted(httpx_mock)[0])["shipping"]["tracking_number"]


def test_merchant_keys_untouched(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    merchant = {"order_id": "1001", "tracksync_note": "mine", "customer_ref": "C-77"}
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent(metadata=merchant))
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())

    provider.apply_batch(
        [change(ChangeKind.ADD, UPS, "UPS"), change(ChangeKind.ADD, DHL, "DHL Express")]
    )

    request = posted(httpx_mock)[0]
    assert_golden_request("request_merchant_keys.json", request)
    assert sorted([metadata_key(UPS), metadata_key(DHL)]) == sorted(sent_form(request)["metadata"])


def test_metadata_limit(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    merchant = {f"shop_key_{index:02d}": "x" for index in range(48)}
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent(metadata=merchant))
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())

    outputs = provider.apply_batch(
        [
            change(ChangeKind.ADD, UPS, "UPS"),
            change(ChangeKind.ADD, DHL, "DHL Express"),
            change(ChangeKind.ADD, USPS, "USPS"),
        ]
    )

    assert_golden_request("request_metadata_limit.json", posted(httpx_mock)[0])
    assert [ChangeResult(outcome=Outcome.ADDED)] * 2 == outputs[:2]
    last = outputs[2]
    assert isinstance(last, ChangeResult)
    assert Outcome.ADDED == last.outcome
    assert last.note is not None
    assert f"does not store the status and shipped-on date of {USPS}" in last.note
    assert "48 of the merchant's keys" in last.note


def test_status_update_metadata_only(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=THREE)
    httpx_mock.add_response(method="POST", url=PI_URL, json=THREE)

    outputs = provider.apply_batch(
        [change(ChangeKind.UPDATE, DHL, "DHL Express", status=ShipmentStatus.DELIVERED)]
    )

    assert [ChangeResult(outcome=Outcome.UPDATED)] == outputs
    assert_golden_request("request_status_only.json", posted(httpx_mock)[0])


def test_nothing_to_write(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=THREE)

    outputs = provider.apply_batch(
        [
            change(ChangeKind.ADD, DHL, "DHL Express"),
            change(ChangeKind.CANCEL, "1Z000", "UPS"),
            change(ChangeKind.UPDATE, "1Z001", "UPS"),
        ]
    )

    outcomes = [output.outcome for output in outputs if isinstance(output, ChangeResult)]
    assert [Outcome.UNCHANGED, Outcome.UNCHANGED, Outcome.SKIPPED] == outcomes
    assert [] == posted(httpx_mock)


# Cancels.


def test_cancel_one_of_three(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=THREE)
    httpx_mock.add_response(method="POST", url=PI_URL, json=THREE)

    outputs = provider.apply_batch([change(ChangeKind.CANCEL, DHL, "DHL Express")])

    assert [ChangeResult(outcome=Outcome.CANCELLED)] == outputs
    assert_golden_request("request_cancel_one_of_three.json", posted(httpx_mock)[0])


def test_cancel_last_intent_clears(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    body = intent(UPS, "UPS", metadata={"order_id": "1001", **_stored(UPS, "UPS")})
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=body)
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())

    outputs = provider.apply_batch([change(ChangeKind.CANCEL, UPS, "UPS")])

    assert [ChangeResult(outcome=Outcome.CANCELLED)] == outputs
    assert_golden_request("request_cancel_last_intent.json", posted(httpx_mock)[0])


def test_cancel_last_charge_reports(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    body = charge(UPS, "UPS", metadata={"order_id": "1002", **_stored(UPS, "UPS")}, own=True)
    httpx_mock.add_response(method="GET", url=OWN_CHARGE_URL, json=body)
    httpx_mock.add_response(method="POST", url=OWN_CHARGE_URL, json=charge(own=True))

    [output] = provider.apply_batch([change(ChangeKind.CANCEL, UPS, "UPS", payment_id=OWN_CHARGE)])

    assert_golden_request("request_cancel_last_charge.json", posted(httpx_mock)[0])
    assert isinstance(output, ChangeResult)
    assert Outcome.CANCELLED == output.outcome
    expected = (
        f"Charge {OWN_CHARGE} has no tracking number left, but Stripe cannot remove shipping "
        "from a Charge, so it keeps the recipient's name, address and phone. Its carrier and "
        "tracking number were cleared."
    )
    assert expected == output.note


# Charges and Checkout Sessions.


def test_charge_add(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=OWN_CHARGE_URL, json=charge(own=True))
    httpx_mock.add_response(method="POST", url=OWN_CHARGE_URL, json=charge(own=True))

    outputs = provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS", payment_id=OWN_CHARGE)])

    assert [ChangeResult(outcome=Outcome.ADDED)] == outputs
    assert_golden_request("request_charge_add.json", posted(httpx_mock)[0])


def test_session_writes_intent(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET", url=SESSION_URL, json=golden("checkout_session_complete.json")
    )
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())

    outputs = provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS", payment_id=SESSION)])

    assert [ChangeResult(outcome=Outcome.ADDED)] == outputs
    assert 2 == len(httpx_mock.get_requests())
    assert_golden_request("request_session_add.json", posted(httpx_mock)[0])


# Recipients and invalid values.


def test_recipient_from_shop(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    latest = charge()
    latest["shipping"] = None
    httpx_mock.add_response(
        method="GET", url=PI_READ_URL, json=intent(shipping=False, charge=latest)
    )
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())

    provider.apply_batch(
        [change(ChangeKind.ADD, UPS, "UPS", recipient_name="Sam Smith", ship_to=SHOP_ADDRESS)]
    )

    shipping = sent_form(posted(httpx_mock)[0])["shipping"]
    expected_address = {
        "line1": "1 High Street",
        "city": "Leeds",
        "postal_code": "LS1 1AA",
        "country": "GB",
    }
    assert "Sam Smith" == shipping["name"]
    assert expected_address == shipping["address"]
    assert "phone" not in shipping


def test_recipient_from_charge(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent(shipping=False))
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())

    provider.apply_batch(
        [change(ChangeKind.ADD, UPS, "UPS", recipient_name="Sam Smith", ship_to=SHOP_ADDRESS)]
    )

    shipping = sent_form(posted(httpx_mock)[0])["shipping"]
    assert "Jana Müller" == shipping["name"]
    assert "+49 30 1234567" == shipping["phone"]


def test_missing_recipient_fails_payment(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    latest = charge()
    latest["shipping"] = None
    httpx_mock.add_response(
        method="GET", url=PI_READ_URL, json=intent(shipping=False, charge=latest)
    )

    outputs = provider.apply_batch(
        [change(ChangeKind.ADD, UPS, "UPS"), change(ChangeKind.ADD, DHL, "DHL Express")]
    )

    assert 2 == len(outputs)
    assert all(isinstance(output, InvalidInputError) for output in outputs)
    assert "recipient_name" in str(outputs[0])
    assert [] == posted(httpx_mock)


def test_comma_fails_alone(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())

    outputs = provider.apply_batch(
        [change(ChangeKind.ADD, UPS, "UPS, DHL"), change(ChangeKind.ADD, DHL, "DHL Express")]
    )

    assert isinstance(outputs[0], InvalidInputError)
    assert "'UPS, DHL'" in str(outputs[0])
    assert ChangeResult(outcome=Outcome.ADDED) == outputs[1]
    assert DHL == sent_form(posted(httpx_mock)[0])["shipping"]["tracking_number"]


def test_invalid_id_fails_without_request(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    [output] = provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS", payment_id="pm_1")])

    assert isinstance(output, InvalidInputError)
    assert [] == httpx_mock.get_requests()


def test_too_long_value_fails(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    numbers = ", ".join(f"1Z{index:062d}" for index in range(80))
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent(numbers, "UPS"))

    [output] = provider.apply_batch([change(ChangeKind.ADD, "1Z" + "9" * 62, "UPS")])

    assert isinstance(output, InvalidInputError)
    assert "5000" in str(output)
    assert [] == posted(httpx_mock)


def test_missing_payment_fails(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(
        method="GET", url=PI_READ_URL, status_code=404, json=golden("error_resource_missing.json")
    )

    [output] = provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS")])

    assert isinstance(output, StripeError)
    assert 404 == output.status
    assert "resource_missing" == output.code


def test_apply_raises_error(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    with pytest.raises(InvalidInputError):
        provider.apply(change(ChangeKind.ADD, UPS, "UPS", payment_id="pm_1"))


def test_apply_returns_result(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())

    result = provider.apply(change(ChangeKind.ADD, UPS, "UPS"))

    assert ChangeResult(outcome=Outcome.ADDED) == result


def test_write_error_fails_payment(httpx_mock: HTTPXMock, provider: StripeProvider) -> None:
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=intent())
    httpx_mock.add_response(
        method="POST",
        url=PI_URL,
        status_code=400,
        json=golden("error_parameter_unknown.json"),
        headers={"Request-Id": "req_Vb81KqP3sXw2Ze"},
    )

    outputs = provider.apply_batch(
        [change(ChangeKind.ADD, UPS, "UPS"), change(ChangeKind.ADD, DHL, "DHL Express")]
    )

    assert outputs[0] is outputs[1]
    text = str(outputs[0])
    assert "HTTP 400" in text
    assert "type invalid_request_error" in text
    assert "code parameter_unknown" in text
    assert "param shipping[tracking_no]" in text
    assert "request id req_Vb81KqP3sXw2Ze" in text


def test_unexpanded_charge_not_read_for_write(
    httpx_mock: HTTPXMock, provider: StripeProvider
) -> None:
    body = intent()
    body["latest_charge"] = None
    httpx_mock.add_response(method="GET", url=PI_READ_URL, json=body)
    httpx_mock.add_response(method="POST", url=PI_URL, json=intent())

    provider.apply_batch([change(ChangeKind.ADD, UPS, "UPS")])

    assert 2 == len(httpx_mock.get_requests())
    assert CHARGE_URL not in [str(request.url) for request in httpx_mock.get_requests()]


def _stored(number: str, carrier: str) -> dict[str, str]:
    value = f'{{"n":"{number}","c":"{carrier}","s":"SHIPPED"}}'
    return {metadata_key(number): value}
