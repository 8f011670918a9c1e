"""The command line's entry points and the emulator server command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "shipments.csv"


def test_module_prints_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tracksync", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("tracksync ")


def test_help_names_environment_variables() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tracksync", "--help"], capture_output=True, text=True, check=True
    )
    assert "TRACKSYNC_PAYPAL_CLIENT_ID" in " ".join(result.stdout.split())


def test_emulator_command_serves_and_saves(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tracksync",
            "emulator",
            "--seed",
            str(EXAMPLE),
            "--state",
            str(state),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        paypal_url = server.stdout.readline().split(": ", 1)[1].strip()
        stripe_url = server.stdout.readline().split(": ", 1)[1].strip()
        assert paypal_url.startswith("http://127.0.0.1:")
        environment = {
            **os.environ,
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "TRACKSYNC_PAYPAL_CLIENT_ID": "emulator-client-id",
            "TRACKSYNC_PAYPAL_CLIENT_SECRET": "emulator-client-secret",
            "TRACKSYNC_PAYPAL_BASE_URL": paypal_url,
            "TRACKSYNC_STRIPE_API_KEY": "sk_test_emulator",
            "TRACKSYNC_STRIPE_BASE_URL": stripe_url,
        }
        result = subprocess.run(
            [sys.executable, "-m", "tracksync", "sync", str(EXAMPLE), "--format", "json"],
            capture_output=True,
            text=True,
            env=environment,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["summary"]["added"] == 6
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        finally:
            server.kill()
            server.communicate()
    saved = json.loads(state.read_text())
    trackers = saved["paypal"]
    assert "5O190127TN364715T" in json.dumps(trackers)
