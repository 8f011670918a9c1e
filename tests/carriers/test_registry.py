"""The carrier registry and the packaged PayPal code lists."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import tracksync.carriers
from shared_folder import carrier_list
from tracksync.carriers import (
    OTHER,
    all_carriers,
    carrier_for_paypal_code,
    get_carrier,
    is_paypal_code,
    paypal_codes,
)
from tracksync.carriers._registry import registry

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "src" / "tracksync" / "carriers"

# Carriers that the registry must hold, by market.
REQUIRED_IDS = {
    "usps", "ups", "fedex", "ontrac", "lasership", "amazon", "dhl", "dhl-ecommerce",
    "dhl-paket", "deutsche-post", "royal-mail", "parcelforce", "evri", "yodel", "dpd-uk",
    "dpd-de", "dpd-fr", "dpd-pl", "gls", "gls-de", "hermes-de", "colissimo", "chronopost",
    "postnl", "poste-italiane", "correos", "correos-express", "canada-post", "purolator",
    "australia-post", "aramex", "china-post", "china-ems", "yunexpress", "4px", "yanwen",
    "cainiao", "delhivery", "bluedart",
}  # fmt: skip


def _published(name: str) -> list[str]:
    """Return one of PayPal's carrier lists as published."""
    return carrier_list(name).split()


def _packaged(name: str) -> list[str]:
    lines = (PACKAGE / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def test_all_is_sorted() -> None:
    assert tracksync.carriers.__all__ == sorted(tracksync.carriers.__all__)


def test_all_lists_every_public_name() -> None:
    public = {name for name in vars(tracksync.carriers) if not name.startswith("_")}
    modules = {"annotations"} | {
        name for name, value in vars(tracksync.carriers).items() if type(value).__name__ == "module"
    }
    assert public - modules == set(tracksync.carriers.__all__)


@pytest.mark.parametrize(
    ("packaged", "published"),
    [("paypal_v1.txt", "paypal_v1.txt"), ("paypal_orders_v2.txt", "paypal_orders_v2.txt")],
)
def test_packaged_list_equals_published(packaged: str, published: str) -> None:
    assert _published(published) == _packaged(packaged)


@pytest.mark.parametrize("name", ["paypal_v1.txt", "paypal_orders_v2.txt"])
def test_packaged_list_names_its_source(name: str) -> None:
    first_line = (PACKAGE / name).read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# ")
    assert "paypal-rest-api-specifications" in first_line
    assert "ec4d8f36" in first_line
    assert "Apache-2.0" in first_line


def test_v1_codes_are_in_published_v1_list() -> None:
    published = set(_published("paypal_v1.txt"))
    wrong = [
        (c.id, c.paypal_v1) for c in all_carriers() if c.paypal_v1 and c.paypal_v1 not in published
    ]
    assert [] == wrong


def test_orders_v2_codes_are_in_published_v2_list() -> None:
    published = set(_published("paypal_orders_v2.txt"))
    wrong = [
        (c.id, c.paypal_orders_v2)
        for c in all_carriers()
        if c.paypal_orders_v2 and c.paypal_orders_v2 not in published
    ]
    assert [] == wrong


def test_other_codes_are_in_a_published_list() -> None:
    published = set(_published("paypal_v1.txt")) | set(_published("paypal_orders_v2.txt"))
    wrong = [
        (carrier.id, code)
        for carrier in all_carriers()
        for code in carrier.other_paypal_codes
        if code not in published
    ]
    assert [] == wrong


def test_other_is_in_neither_list() -> None:
    assert not is_paypal_code(OTHER, "v1")
    assert not is_paypal_code(OTHER, "orders_v2")


def test_is_paypal_code_tells_lists_apart() -> None:
    assert is_paypal_code("UK_DPD", "v1")
    assert not is_paypal_code("UK_DPD", "orders_v2")
    assert is_paypal_code("DPD_UK", "orders_v2")
    assert not is_paypal_code("DPD_UK", "v1")


def test_paypal_codes_sizes() -> None:
    assert 817 == len(paypal_codes("v1"))
    assert 1276 == len(paypal_codes("orders_v2"))


def test_paypal_codes_rejects_unknown_api() -> None:
    with pytest.raises(ValueError, match="'v3'"):
        paypal_codes("v3")  # type: ignore[arg-type]


def test_registry_size() -> None:
    assert len(all_carriers()) >= 150


def test_registry_has_required_carriers() -> None:
    assert set() == REQUIRED_IDS - {carrier.id for carrier in all_carriers()}


def test_ids_are_lower_case_slugs() -> None:
    wrong = [c.id for c in all_carriers() if not re.fullmatch(r"[0-9a-z]+(-[0-9a-z]+)*", c.id)]
    assert [] == wrong


def test_countries_are_alpha_2() -> None:
    wrong = [
        c.id
        for c in all_carriers()
        for value in (c.country, c.upu_country)
        if value is not None and not re.fullmatch(r"[A-Z]{2}", value)
    ]
    assert [] == wrong


def test_tracking_urls_are_https_templates() -> None:
    wrong = [
        c.id
        for c in all_carriers()
        if c.tracking_url is not None
        and not (c.tracking_url.startswith("https://") and "{number}" in c.tracking_url)
    ]
    assert [] == wrong


def test_carrier_with_differing_codes() -> None:
    dpd_uk = get_carrier("dpd-uk")
    assert "UK_DPD" == dpd_uk.paypal_code("v1")
    assert "DPD_UK" == dpd_uk.paypal_code("orders_v2")


def test_carrier_without_paypal_code() -> None:
    china_post = get_carrier("china-post")
    assert china_post.paypal_v1 is None
    assert china_post.paypal_orders_v2 is None


def test_tracking_url_for_quotes_number() -> None:
    url = get_carrier("royal-mail").tracking_url_for("RB 123/456")
    assert "https://www.royalmail.com/track-your-item#/tracking-results/RB%20123%2F456" == url


def test_get_carrier_unknown_id() -> None:
    with pytest.raises(KeyError, match="royal-male"):
        get_carrier("royal-male")


def test_carrier_for_paypal_code() -> None:
    carrier = carrier_for_paypal_code("HERMESWORLD_UK")
    assert carrier is not None
    assert "evri" == carrier.id
    assert carrier_for_paypal_code("SPEEDEX") is None


def test_every_s10_country_has_one_operator() -> None:
    operators = [c.upu_country for c in all_carriers() if c.upu_country is not None]
    assert len(operators) == len(set(operators))


def test_group_members_exist() -> None:
    reg = registry()
    for group in reg.groups.values():
        assert group.carrier_ids() <= reg.carriers.keys()


def test_carriers_import_no_http() -> None:
    # Only what tracksync.carriers adds to the modules of the tracksync package counts.
    code = (
        "import sys, tracksync; before = set(sys.modules); import tracksync.carriers; "
        "added = set(sys.modules) - before; "
        "print(sorted(m for m in added if m.split('.')[0] in {'httpx', 'httpcore'}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "[]" == output.strip()
