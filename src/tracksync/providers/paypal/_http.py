"""Request and response helpers shared by PayPal's request builders and parsers."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import httpx

from ..._version import __version__

__all__ = ["USER_AGENT", "api_request", "quote_id", "read_json"]

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
