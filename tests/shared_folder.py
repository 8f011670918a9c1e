"""Where the tests find the shared facts: the providers' OpenAPI documents and carrier lists.

They are read from the ``shared`` folder beside this repository, or from the folder that
``TRACKSYNC_SHARED_DIR`` names. ``TRACKSYNC_SPECS_DIR`` and ``TRACKSYNC_CARRIER_LISTS_DIR``
override the two subfolders one at a time.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get("TRACKSYNC_SHARED_DIR") or REPO.parent / "shared")
SPECS_DIR = Path(os.environ.get("TRACKSYNC_SPECS_DIR") or SHARED_DIR / "specs")
CARRIER_LISTS_DIR = Path(
    os.environ.get("TRACKSYNC_CARRIER_LISTS_DIR") or SHARED_DIR / "providers" / "carriers"
)


def carrier_list(name: str) -> str:
    """Return the text of one of PayPal's published carrier lists, or fail the test."""
    path = CARRIER_LISTS_DIR / name
    if not path.exists():
        pytest.fail(
            f"{path} is missing; put the shared folder beside this repository, or set "
            "TRACKSYNC_SHARED_DIR to its path."
        )
    return path.read_text(encoding="utf-8")
