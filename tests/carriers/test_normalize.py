"""normalize(): PayPal codes, names, service words, countries and tracking numbers."""

from __future__ import annotations

import pytest

from tracksync.carriers import OTHER, Confidence, normalize
from tracksync.errors import InvalidInputError

UPS_NUMBER = "1Z5R89390357567127"
DHL_EXPRESS_NUMBER = "3318810025"


def _carrier_id(text: str, **options: str) -> str | None:
    match = normalize(text, **options)  # type: ignore[arg-type]
    return match.carrier.id if match.carrier is not None else None


def test_code_in_both_lists_passes_through() -> None:
    match = normalize("ROYAL_MAIL")
    assert ("ROYAL_MAIL", "ROYAL_MAIL") == (match.paypal_v1_code, match.paypal_orders_v2_code)
    assert Confidence.EXACT_CODE is match.confidence
    assert match.carrier is not None
    assert "royal-mail" == match.carrier.id


def test_v1_code_gets_v2_spelling_from_registry() -> None:
    match = normalize("UK_DPD")
    assert ("UK_DPD", "DPD_UK") == (match.paypal_v1_code, match.paypal_orders_v2_code)
    assert "DPD_UK" in match.reason


def test_v2_code_gets_v1_spelling_from_registry() -> None:
    match = normalize("DPD_UK")
    assert ("UK_DPD", "DPD_UK") == (match.paypal_v1_code, match.paypal_orders_v2_code)


def test_code_without_registry_entry() -> None:
    match = normalize("SPEEDEX")
    assert match.carrier is None
    assert ("OTHER", "SPEEDEX") == (match.paypal_v1_code, match.paypal_orders_v2_code)
    assert "SPEEDEX" == match.carrier_name_other
    assert {"carrier": "SPEEDEX"} == match.paypal_fields("orders_v2")
    assert {"carrier": "OTHER", "carrier_name_other": "SPEEDEX"} == match.paypal_fields("v1")


def test_code_renamed_with_underscore() -> None:
    match = normalize("2EBOX")
    assert ("2EBOX", "_2EBOX") == (match.paypal_v1_code, match.paypal_orders_v2_code)


def test_upper_case_name_matches() -> None:
    assert "colissimo" == _carrier_id("COLISSIMO")


def test_other_text_is_unknown() -> None:
    match = normalize("OTHER")
    assert match.carrier is None
    assert Confidence.UNKNOWN is match.confidence


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("royal mail", "royal-mail"),
        ("ROYAL MAIL", "royal-mail"),
        ("Royal-Mail", "royal-mail"),
        ("  Royal   Mail  ", "royal-mail"),
        ("Česká pošta", "ceska-posta"),
        ("Ceska Posta", "ceska-posta"),
        ("Poșta Română", "posta-romana"),
        ("Collect+", "collectplus"),
        ("DPD.co.uk", "dpd-uk"),
        ("stamps_com", "usps"),
        ("ups_walleted", "ups"),
        ("dhl_express_worldwide", "dhl"),
    ],
)
def test_spelling_ignores_case_accents_punctuation(text: str, expected: str) -> None:
    assert expected == _carrier_id(text)


def test_alias_match() -> None:
    match = normalize("La Poste - Colissimo")
    assert Confidence.ALIAS is match.confidence
    assert ("FR_COLIS", "FR_COLIS") == (match.paypal_v1_code, match.paypal_orders_v2_code)
    assert match.carrier_name_other is None
    assert "Colissimo" == match.display_name


def test_platform_code_reason() -> None:
    assert "label-platform code" in normalize("ups_walleted").reason


def test_correos_express_is_not_correos() -> None:
    assert "correos-express" == _carrier_id("Correos Express")
    assert "correos" == _carrier_id("Correos")


def test_post_express_arm_is_not_the_post() -> None:
    assert _carrier_id("CTT Express") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Royal Mail Tracked 48", "royal-mail"),
        ("Tracked 48", "royal-mail"),
        ("UPS Ground", "ups"),
        ("FedEx Ground", "fedex"),
        ("USPS Priority Mail", "usps"),
        ("Priority Mail", "usps"),
        ("DHL Paket", "dhl-paket"),
        ("Canada Post Xpresspost", "canada-post"),
    ],
)
def test_service_name_with_its_carrier(text: str, expected: str) -> None:
    assert expected == _carrier_id(text)


@pytest.mark.parametrize(
    "text", ["Express", "Ground", "Priority", "Paket", "Tracked", "Standard Shipping"]
)
def test_service_word_alone_is_unknown(text: str) -> None:
    match = normalize(text)
    assert match.carrier is None
    assert OTHER == match.paypal_orders_v2_code


def test_service_words_named_in_reason() -> None:
    match = normalize("RM 48 Medium Parcel")
    assert "'48 medium parcel'" in match.reason


@pytest.mark.parametrize(
    ("country", "expected"),
    [("GB", "dpd-uk"), ("DE", "dpd-de"), ("FR", "dpd-fr"), ("ES", "dpd"), (None, "dpd")],
)
def test_country_narrows_shared_name(country: str | None, expected: str) -> None:
    assert expected == _carrier_id("dpd", **({"country": country} if country else {}))


def test_country_in_text_wins() -> None:
    assert "dpd-uk" == _carrier_id("DPD UK", country="DE")
    assert "gls-es" == _carrier_id("GLS Spain", country="DE")


def test_brand_code_narrows_by_country() -> None:
    match = normalize("DPD", country="GB")
    assert ("UK_DPD", "DPD_UK") == (match.paypal_v1_code, match.paypal_orders_v2_code)
    assert "GB" in match.reason


def test_brand_code_passes_through() -> None:
    match = normalize("DPD")
    assert ("DPD", "DPD") == (match.paypal_v1_code, match.paypal_orders_v2_code)
    assert Confidence.EXACT_CODE is match.confidence


def test_ambiguous_name_without_country_is_unknown() -> None:
    match = normalize("Fastway")
    assert match.carrier is None
    assert "Fastway" == match.carrier_name_other
    assert "AU" in match.reason


def test_lower_case_country_and_uk() -> None:
    assert "dpd-uk" == _carrier_id("dpd", country="uk")


def test_invalid_country() -> None:
    with pytest.raises(InvalidInputError, match="'Germany'"):
        normalize("DPD", country="Germany")


def test_number_used_when_text_empty() -> None:
    match = normalize("", tracking_number=UPS_NUMBER)
    assert match.carrier is not None
    assert "ups" == match.carrier.id
    assert Confidence.DETECTED is match.confidence


def test_digits_only_number_not_used_when_text_empty() -> None:
    match = normalize("", tracking_number=DHL_EXPRESS_NUMBER)
    assert match.carrier is None
    assert match.carrier_name_other is None


def test_empty_text_without_number() -> None:
    match = normalize("   ")
    assert match.carrier is None
    assert {"carrier": "OTHER"} == match.paypal_fields("orders_v2")


def test_number_picks_group_member() -> None:
    assert "dhl" == _carrier_id("dhl", country="DE", tracking_number=DHL_EXPRESS_NUMBER)
    assert "dhl-paket" == _carrier_id("dhl", country="DE")


def test_number_picks_member_of_ambiguous_name() -> None:
    assert "dhl-parcel-uk" == _carrier_id("DHL Parcel", country="GB")
    assert _carrier_id("DHL Parcel") is None


def test_disagreement_reported_not_fixed() -> None:
    match = normalize("Royal Mail", tracking_number=UPS_NUMBER)
    assert match.carrier is not None
    assert "royal-mail" == match.carrier.id
    assert match.number_disagrees
    assert "UPS" in match.reason


def test_number_does_not_replace_unknown_text() -> None:
    match = normalize("Acme Couriers", tracking_number=UPS_NUMBER)
    assert match.carrier is None
    assert "Acme Couriers" == match.carrier_name_other
    assert match.number_disagrees


def test_agreeing_number_is_silent() -> None:
    match = normalize("UPS", tracking_number=UPS_NUMBER)
    assert not match.number_disagrees


def test_s10_number_never_disagrees_with_a_post() -> None:
    match = normalize("USPS", tracking_number="RR123456785CN")
    assert not match.number_disagrees


def test_unknown_text_becomes_other_with_name() -> None:
    match = normalize("  Acme Couriers Ltd ")
    assert match.carrier is None
    assert ("OTHER", "OTHER") == (match.paypal_v1_code, match.paypal_orders_v2_code)
    assert "Acme Couriers Ltd" == match.carrier_name_other
    assert "Acme Couriers Ltd" == match.display_name
    assert Confidence.UNKNOWN is match.confidence


def test_long_name_is_cut_to_64_characters() -> None:
    text = "Very Long Regional Courier Name " * 3
    match = normalize(text)
    assert match.carrier_name_other is not None
    assert len(match.carrier_name_other) <= 64
    assert text.strip().startswith(match.carrier_name_other)


def test_known_carrier_without_code_sends_its_name() -> None:
    match = normalize("China Post")
    assert ("OTHER", "OTHER") == (match.paypal_v1_code, match.paypal_orders_v2_code)
    assert "China Post" == match.carrier_name_other


def test_known_carrier_with_one_code() -> None:
    match = normalize("DHL Paket")
    assert {"carrier": "OTHER", "carrier_name_other": "DHL Paket"} == match.paypal_fields("v1")
    assert {"carrier": "DE_DHL"} == match.paypal_fields("orders_v2")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Royl Mail", "royal-mail"), ("Purolater", "purolator"), ("Colisimo", "colissimo")],
)
def test_one_typo(text: str, expected: str) -> None:
    match = normalize(text)
    assert Confidence.FUZZY is match.confidence
    assert match.carrier is not None
    assert expected == match.carrier.id


@pytest.mark.parametrize(
    "text",
    [
        "Correis",  # one typo from both Correos (ES) and Correios (BR)
        "Speedex",  # a PayPal carrier outside the registry, one typo from Spee-Dee
        "Yodle",  # shorter than seven letters
        "My Post",  # six letters, one typo from Sunyou's code SYPOST
        "Tracked 28",  # digits are never corrected
    ],
)
def test_typo_never_guesses(text: str) -> None:
    assert _carrier_id(text) is None


def test_display_name_for_stripe() -> None:
    assert "USPS" == normalize("stamps_com").display_name
