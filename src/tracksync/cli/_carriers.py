"""``tracksync carriers TEXT``: show how a carrier name maps, and why."""

from __future__ import annotations

import argparse
import json

from ..carriers import load_overrides, normalize

__all__ = ["explain"]


def explain(args: argparse.Namespace) -> str:
    """Return the explanation of ``args.text`` as a table or as JSON.

    Raises:
        InvalidInputError: the country is not a two-letter code.
        ConfigurationError: the overrides file is invalid.
    """
    overrides = load_overrides(args.carrier_overrides) if args.carrier_overrides else None
    match = normalize(
        args.text,
        tracking_number=args.tracking_number,
        country=args.country,
        overrides=overrides,
    )
    carrier = match.carrier
    facts = {
        "text": args.text,
        "carrier": carrier.id if carrier else None,
        "name": match.display_name,
        "paypal_v1": match.paypal_fields("v1"),
        "paypal_orders_v2": match.paypal_fields("orders_v2"),
        "stripe_carrier": match.display_name,
        "confidence": match.confidence.value,
        "number_disagrees": match.number_disagrees,
        "tracking_url": carrier.tracking_url_for(args.tracking_number)
        if carrier and args.tracking_number
        else None,
        "reason": match.reason,
    }
    if args.format == "json":
        return json.dumps(facts, indent=2, ensure_ascii=False)
    lines = [
        f"Text:             {args.text}",
        f"Carrier:          {match.display_name}"
        + (f" ({carrier.id})" if carrier else " (not a known carrier)"),
        f"PayPal v1:        {_fields(facts['paypal_v1'])}",
        f"PayPal Orders v2: {_fields(facts['paypal_orders_v2'])}",
        f"Stripe carrier:   {match.display_name}",
        f"Confidence:       {match.confidence.value}",
    ]
    if facts["tracking_url"]:
        lines.append(f"Tracking URL:     {facts['tracking_url']}")
    lines.append(f"Why:              {match.reason}")
    return "\n".join(lines)


def _fields(fields: dict[str, str]) -> str:
    if "carrier_name_other" in fields:
        return f"{fields['carrier']} with carrier_name_other {fields['carrier_name_other']!r}"
    return fields["carrier"]
