"""Fixtures of the command-line tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The default ledger and emulator state live in the user's directories; keep them here.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in (
        "TRACKSYNC_PAYPAL_CLIENT_ID",
        "TRACKSYNC_PAYPAL_CLIENT_SECRET",
        "TRACKSYNC_PAYPAL_ENVIRONMENT",
        "TRACKSYNC_PAYPAL_BASE_URL",
        "TRACKSYNC_STRIPE_API_KEY",
        "TRACKSYNC_STRIPE_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
