"""Request and response helpers shared by PayPal's request builders and parsers."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from typing import Any

import httpx

from ..._version import __version__

__all__ = [
    "USER_AGENT",
    "api_request",
    "json_objects",
    "json_text",
    "link_target",
    "quote_id",
    "read_json",
]

USER_AGENT = f"tracksync/{__version__}"


def quote_id(value: str) -> str:
    """Percent-encode an id for use as one URL path segment, slashes included."""
    return urllib.parse.quote(value, safe="")


def api_request(
    method: str, base_url: str, path: str, *, token: str, body: Any = None
) -> httpx.Request:
    """Build a request to PayPal's REST API with the bearer token and JSON headers.

    ``path`` must already be quoted. A ``body`` other than None is sent as JSON with
    ``Content-Type: application/json``.
    """
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    if body is None:
        return httpx.Request(method, base_url + path, headers=headers)
    return httpx.Request(method, base_url + path, headers=headers, json=body)


def read_json(response: httpx.Response) -> Any:
    """Decode the response body as JSON, or return None when it is empty or not JSON."""
    if not response.content:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def json_objects(value: Any) -> list[Mapping[str, Any]]:
    """Return the JSON objects in a JSON array, or nothing when the value is no array."""
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, Mapping)]


def json_text(value: Any) -> str | None:
    """Return a non-empty JSON string, or None for anything else."""
    return value if isinstance(value, str) and value else None


def link_target(entry: Mapping[str, Any], rel: str, path: str) -> str | None:
    """Return the last path segment of the entry's HATEOAS link ``rel`` under ``path``.

    For a refund, ``link_target(refund, "up", "/v2/payments/captures/")`` returns the id of
    the capture it refunds.
    """
    for link in json_objects(entry.get("links")):
        href = json_text(link.get("href"))
        if link.get("rel") != rel or href is None or path not in href:
            continue
        target = href.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        return urllib.parse.unquote(target) or None
    return None
