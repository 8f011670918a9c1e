"""clean_tracking_number(): pasted spaces, tracking links and values that are no number."""

from __future__ import annotations

import re

import pytest

from tracksync.carriers import clean_tracking_number, is_ascii
from tracksync.errors import InvalidInputError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1Z 5R8 939 0357 5671 27", "1Z5R89390357567127"),
        ("AB 1234 5678 9GB", "AB123456789GB"),
        ("  9400-1112-0108-0805-4830-16 ", "9400111201080805483016"),
        ("RB123456785GB\u200b", "RB123456785GB"),
        ('"RB123456785GB"', "RB123456785GB"),
        ("1z5r89390357567127", "1z5r89390357567127"),
    ],
)
def test_cleans_pasted_number(text: str, expected: str) -> None:
    assert expected == clean_tracking_number(text)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.ups.com/track?loc=en_US&tracknum=1Z5R89390357567127", "1Z5R89390357567127"),
        (
            "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111201080805483016",
            "9400111201080805483016",
        ),
        (
            "https://www.royalmail.com/track-your-item#/tracking-results/RB123456785GB",
            "RB123456785GB",
        ),
        ("https://www.fedex.com/fedextrack/?trknbr=986578788855", "986578788855"),
        ("https://www.dhl.com/de-en/home/tracking.html?tracking-id=3318810025", "3318810025"),
        (
            "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor=0073938000549297",
            "0073938000549297",
        ),
        ("https://t.17track.net/en#nums=RB123456785GB", "RB123456785GB"),
        ("https://parcelsapp.com/en/tracking/RB123456785GB", "RB123456785GB"),
        ("https://track.aftership.com/usps/9400111201080805483016", "9400111201080805483016"),
        ("www.evri.com/track/parcel/H01HYA0012345678", "H01HYA0012345678"),
    ],
)
def test_number_from_tracking_link(url: str, expected: str) -> None:
    assert expected == clean_tracking_number(url)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("https://example.com/orders/123456789", "not a known carrier's tracking page"),
        ("shop.example.com/track/RB123456785GB", "not a known carrier's tracking page"),
        ("https://www.ups.com/track", "without a tracking number"),
        (
            "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111201080805483016,9400111201080805483023",
            "contains several numbers",
        ),
        ("buyer@example.com", "e-mail address"),
        ("+44 20 7946 0958", "phone number"),
        ("(555) 123-4567", "phone number"),
        ("555-123-4567", "phone number"),
        ("tel:+15551234567", "phone number"),
        ("1Z5R89390357567127, 1Z879E930346834440", "contains several numbers"),
        ("X" * 65, "65 characters"),
        ("AB12\x0734GB", "control characters"),
    ],
)
def test_rejects_what_is_no_tracking_number(text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        clean_tracking_number(text)


def test_error_shows_value() -> None:
    with pytest.raises(InvalidInputError, match=re.escape("'buyer@example.com'")):
        clean_tracking_number("buyer@example.com")


def test_sixty_four_characters_accepted() -> None:
    assert 64 == len(clean_tracking_number("A" * 64))


def test_is_ascii() -> None:
    assert is_ascii("RB123456785GB")
    assert not is_ascii("ÄB123456785GB")
